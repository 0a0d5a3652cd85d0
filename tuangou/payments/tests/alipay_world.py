"""An Alipay simulator for a test, and our side configured as a real merchant would be: its app
id and RSA2 private key, its seller id, Alipay's public key."""

import html
import re
import urllib.parse
import urllib.request
from types import SimpleNamespace

from django.test import Client

from simulators.alipay import AlipaySimulator

APP_ID = "2021000122600001"
SELLER_ID = "2088621000000001"


def given_alipay(settings) -> SimpleNamespace:
    sim = AlipaySimulator().start()
    app = sim.app_add(APP_ID, seller_id=SELLER_ID)
    settings.PAYMENT_PROVIDER = "alipay"
    settings.ALIPAY = {
        "GATEWAY": sim.gateway_url,
        "APP_ID": APP_ID,
        "SELLER_ID": SELLER_ID,
        "APP_PRIVATE_KEY": app.private_key_pem,
        "ALIPAY_PUBLIC_KEY": sim.alipay_public_key_pem,
        "NOTIFY_BASE": "http://testserver",
        "TIMEOUT_SECONDS": 5,
    }
    return SimpleNamespace(sim=sim, app=app, config=settings.ALIPAY)


def to_our_server(url: str, body: bytes) -> tuple[int, bytes]:
    """The simulator's notify, POSTed as a form to our notify URL through the test client (the same bytes)."""
    parts = urllib.parse.urlsplit(url)
    assert parts.netloc == "testserver" and not parts.query, url
    response = Client().post(parts.path, body, content_type="application/x-www-form-urlencoded; charset=utf-8")
    return response.status_code, response.content


def pay_on_the_page(pay_url: str) -> str:
    """The payer's browser opens the signed wap-pay URL and taps 确认付款 (real HTTP)."""
    with urllib.request.urlopen(pay_url, timeout=5) as response:
        page = response.read().decode()
    assert "确认付款" in page, page
    fields = dict(re.findall(r'name=(\w+) value="([^"]*)"', page))
    form = urllib.parse.urlencode({**{k: html.unescape(v) for k, v in fields.items()}, "action": "pay"}).encode()
    base = pay_url.split("/gateway.do")[0]
    with urllib.request.urlopen(urllib.request.Request(base + "/pay", data=form, method="POST"), timeout=5) as answer:
        return answer.read().decode()
