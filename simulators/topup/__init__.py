"""A phone top-up (话费充值) vendor, as the common Chinese recharge APIs speak: form-encoded POSTs
signed with MD5 over the params sorted by name (`k=v&...&key=KEY`, upper-case hex); JSON answers
{"code", "msg", "data"} with `data` signed the same way; codes 0000 accepted, 1001 bad signature,
1002 unknown merchant, 1003 bad number, 1004 face value not sold, 2004 no such order. An accepted
order is `processing`, then finishes `success` or `failed` and is pushed to its notify_url as a
signed form until answered `success`. A repeated out_trade_no answers the first order.

Faults, set per phone number (`fail_numbers`) or once (`faults`): "timeout" (the next recharge is
accepted but answered after the client gave up), "duplicate" (the next callback is sent twice),
"lost" (the next callback is never sent), "bad_signature" (the next callback carries a wrong sign).
"""

from .server import TopUpSimulator

__all__ = ["TopUpSimulator"]
