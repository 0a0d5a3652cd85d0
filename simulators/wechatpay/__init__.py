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
timeout (the next call is carried out, its answer held sim.timeout_delay seconds: the caller times out),
transfer_fail (the next merchant transfer ends FAIL with sim.transfer_fail_reason, e.g.
ACCOUNT_NOT_EXIST / NAME_NOT_CORRECT / EXCEED_PAYEE_ACCOUNT_LIMIT), transfer_hold (it stays
PROCESSING until transfers_release()).

Platform certificates: GET /v3/certificates lists every platform certificate (not the public
keys), each AEAD_AES_256_GCM-encrypted with the merchant's APIv3 key, the answer signed by the
oldest certificate listed (a rotation is announced before it signs); fault `rotate` makes a new
certificate sign from the next answer on.

Bills (交易账单): GET /v3/bill/tradebill?bill_date=…&bill_type=ALL[&tar_type=GZIP][&sub_mchid=…]
answers {hash_type: SHA1, hash_value, download_url}; GET /v3/billdownload/file?token=… (signed
by the merchant, the file itself unsigned) gives the bill WeChat Pay writes from the trades held:
backtick-prefixed fields, a line per trade paid and per refund succeeded that day (Beijing time),
then 总交易单数… and its summary line. A day without trades: 400 NO_STATEMENT_EXIST; today is
refused unless sim.bill_today_allowed. Faults: bill_drop (first trade left out), bill_amount
(first trade 1 fen more), bill_extra (a paid trade never opened), bill_refund_state (first refund
REFUNDCLOSE), bill_bad_hash.

Merchant transfers (商家转账, the current API; 服务商 at …/mch-transfer/partner/… with sub_mchid):
with sim.transfer_user_confirm a new transfer waits as WAIT_USER_CONFIRM with package_info until
the payee confirms (sim.transfer_confirm / POST /sim/transfers/confirm {out_bill_no | package})
or sim.transfers_expire() cancels it (CANCELLED, as after 24 hours). POST /v3/fund-app/mch-transfer/transfer-bills
(idempotent by out_bill_no), GET …/transfer-bills/out-bill-no/{out_bill_no}, POST …/cancel;
sim.transfers_finish() ends the open ones and queues MCHTRANSFER.BILL.FINISHED notifies.
"""

from .server import Merchant, WechatPaySimulator

__all__ = ["Merchant", "WechatPaySimulator"]
