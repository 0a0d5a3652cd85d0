"""A local Alipay open-platform gateway (`/gateway.do`) that speaks Alipay's real protocol (RSA2):

  * requests are verified as Alipay does: every parameter except `sign` (and empty ones), sorted
    by name, joined `k=v` with `&`, SHA256withRSA with the app's public key; a wrong signature
    answers `{"error_response": {"code": "40002", "sub_code": "isv.invalid-signature", …}}`;
  * answers are `{"<method>_response": {...}, "sign": "..."}`, signed with Alipay's own key over
    the exact JSON text of the `*_response` node;
  * `alipay.trade.wap.pay` / `alipay.trade.page.pay` (the payer's browser opens the signed URL)
    show a pay page; its button (or `pay()`) makes the trade TRADE_SUCCESS and queues the
    asynchronous notify: an `application/x-www-form-urlencoded` POST (`notify_type=
    trade_status_sync`, `sign_type=RSA2`, `sign` over the other fields but sign and sign_type),
    re-sent on Alipay's schedule (4m 10m 10m 1h 2h 6h 15h, scaled down) until the answer is the
    plain text `success`;
  * `alipay.trade.query`, `alipay.trade.refund` (idempotent by `out_request_no`),
    `alipay.trade.fastpay.refund.query`, `alipay.trade.close`;
  * faults on demand (`fault(name)`): bad_signature, duplicate, lost, late, amount_mismatch,
    server_error.

It imports nothing from tuangou (import-linter): tests start it and talk to it over HTTP.
"""

from .server import AlipaySimulator, App

__all__ = ["AlipaySimulator", "App"]
