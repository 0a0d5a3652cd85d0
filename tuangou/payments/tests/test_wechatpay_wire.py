"""The WeChat Pay simulator over real HTTP both ways: our provider opens a trade, the payer pays
on the simulator's page, the simulator POSTs its notify to a live receiver that verifies it with
our provider, and re-sends on its (shortened) schedule after a refusal. Faults are injected
through the simulator's control endpoint, as the demo would."""

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from django.utils import timezone

from simulators.wechatpay import WechatPaySimulator
from tuangou.core.errors import ApplicationError
from tuangou.payments.providers.wechatpay import WechatPayProvider

from .wechatpay_world import APPID, MCHID


class Receiver:
    """Our notify URL, as a bare HTTP server: verifies each notify with the provider."""

    def __init__(self, provider):
        receiver = self
        self.seen: list[tuple[int, dict | str]] = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    data, status = provider.verify_notify(self.headers, body), 200
                except ApplicationError as error:
                    data, status = error.code, 400
                receiver.seen.append((status, data))
                answer = json.dumps({"code": "SUCCESS" if status == 200 else "FAIL", "message": ""}).encode()
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"


def control(sim, path, data):
    request = urllib.request.Request(sim.base_url + path, data=json.dumps(data).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_a_notify_refused_over_http_is_resent_on_the_schedule_until_it_verifies():
    sim = WechatPaySimulator(auto_deliver=True, schedule_scale=0.001).start()
    merchant = sim.merchant_add(MCHID, appids={APPID})
    config = {
        "API_BASE": sim.base_url,
        "MODE": "direct",
        "MCHID": MCHID,
        "APPID": APPID,
        "MERCHANT_SERIAL": merchant.serial,
        "MERCHANT_PRIVATE_KEY": merchant.private_key_pem,
        "APIV3_KEY": merchant.apiv3_key,
        "PLATFORM_KEYS": sim.platform_keys(),
        "SUB_MCHIDS": {},
        "NOTIFY_BASE": "",
    }
    provider = WechatPayProvider(config)
    receiver = Receiver(provider)
    config["NOTIFY_BASE"] = receiver.base_url
    shop = SimpleNamespace(name="青禾社区团购")
    payment = SimpleNamespace(
        shop_id=7,
        out_trade_no="PAY20261130TEST0001",
        amount_fen=2580,
        order=SimpleNamespace(shop=shop, expires_at=timezone.now() + timedelta(minutes=15)),
    )
    try:
        h5_url = provider.create_payment(payment)
        assert control(sim, "/sim/fault", {"name": "bad_signature"}) == {"faults": {"bad_signature": 1}}
        control(sim, "/sim/fault", {"name": "signtest"})

        form = urllib.parse.urlencode(
            {"prepay_id": h5_url.split("prepay_id=")[1].split("&")[0], "redirect_url": "https://shop.example/back"}
        )
        opener = urllib.request.build_opener(NoRedirect)
        with pytest.raises(urllib.error.HTTPError) as answer:  # the page sends the payer back
            opener.open(urllib.request.Request(h5_url, data=form.encode(), method="POST"), timeout=5)
        assert (answer.value.code, answer.value.headers["Location"]) == (302, "https://shop.example/back")
        deadline = timezone.now() + timedelta(seconds=5)
        # The simulator books a delivery once our answer is back: wait for both sides to have the third.
        while (len(sim.deliveries) < 3 or not any(status == 200 for status, _ in receiver.seen)) and (
            timezone.now() < deadline
        ):
            threading.Event().wait(0.05)

        assert [status for status, _ in receiver.seen] == [400, 400, 200]
        assert [data for status, data in receiver.seen if status == 400] == ["signature_invalid", "signature_invalid"]
        paid = receiver.seen[-1][1]
        assert (paid["out_trade_no"], paid["trade_state"], paid["amount_fen"]) == (
            payment.out_trade_no,
            "SUCCESS",
            2580,
        )
        assert [d["faults"] for d in sim.deliveries] == [["signtest"], ["bad_signature"], []]
        assert provider.query(payment)["trade_state"] == "SUCCESS"
    finally:
        sim.stop()
        receiver.server.shutdown()
