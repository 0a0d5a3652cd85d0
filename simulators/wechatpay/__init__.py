"""A local WeChat Pay API v3 gateway: the only WeChat Pay the tests (and the demo) can reach.

It speaks the real protocol and shares nothing with the product but the wire: it checks each
request's `WECHATPAY2-SHA256-RSA2048` Authorization with the merchant's public key for the
serial named, answers 401 SIGN_ERROR otherwise, signs every answer and notify with its
platform key (a platform certificate serial or a `PUB_KEY_ID_…` public key, switchable mid-run),
encrypts notify resources with the merchant's APIv3 key (AEAD_AES_256_GCM) and re-sends a
notify on a (shortened) schedule until the merchant answers 2xx.

    sim = WechatPaySimulator().start()
    merchant = sim.merchant_add("1900000100")          # what a real merchant downloads
    sim.pay("PAY2026...")                               # the payer pays (or the /pay/h5 page)
    sim.deliver(transport)                              # notifies due now (a thread does it if auto_deliver)
    sim.fault("lost")                                   # the next notify is never sent
    sim.stop()

Faults (sim.fault(name, times=1)): bad_signature, signtest (WECHATPAY/SIGNTEST/ probe),
duplicate (sent twice more), lost, late (held until release_late()), amount_mismatch,
stale_timestamp (signed 10 minutes ago), server_error (the next API call answers 500),
server_error_after (the next call is carried out, then answered 500: its answer is lost),
transfer_fail (the next merchant transfer ends FAIL with sim.transfer_fail_reason, e.g.
ACCOUNT_NOT_EXIST / NAME_NOT_CORRECT / EXCEED_PAYEE_ACCOUNT_LIMIT), transfer_hold (it stays
PROCESSING until transfers_release()).

Merchant transfers (商家转账, the current API): POST /v3/fund-app/mch-transfer/transfer-bills
(idempotent by out_bill_no), GET …/transfer-bills/out-bill-no/{out_bill_no}, POST …/cancel;
sim.transfers_finish() ends the open ones and queues MCHTRANSFER.BILL.FINISHED notifies.
"""

from .server import Merchant, WechatPaySimulator

__all__ = ["Merchant", "WechatPaySimulator"]
