"""A WeChat Pay simulator for a test, and our side configured as a real merchant would be: its
API key and certificate serial, its APIv3 key, the platform's certificate / public key."""

import json
import urllib.error
import urllib.parse
import urllib.request
from types import SimpleNamespace

from django.test import Client

from simulators.wechatpay import WechatPaySimulator

MCHID = "1900000109"
APPID = "wx8888888888888888"
SP_MCHID = "1230000109"
SP_APPID = "wx9999999999999999"
SUB_MCHID = "1900000201"
MINIPROGRAM_APPID = "wx7777777777777777"  # the platform's mini-program, bound to the merchant too


def given_wechatpay(settings, *, mode: str = "direct", shop_ids=(), key_mode: str = "certificate") -> SimpleNamespace:
    sim = WechatPaySimulator(key_mode=key_mode).start()
    if mode == "partner":
        merchant = sim.merchant_add(SP_MCHID, appids={SP_APPID, MINIPROGRAM_APPID}, sub_mchids={SUB_MCHID})
        mchid, appid = SP_MCHID, SP_APPID
    else:
        merchant = sim.merchant_add(MCHID, appids={APPID, MINIPROGRAM_APPID})
        mchid, appid = MCHID, APPID
    settings.PAYMENT_PROVIDER = "wechatpay"
    settings.WECHATPAY = {
        "API_BASE": sim.base_url,
        "MODE": mode,
        "MCHID": mchid,
        "APPID": appid,
        "MERCHANT_SERIAL": merchant.serial,
        "MERCHANT_PRIVATE_KEY": merchant.private_key_pem,
        "APIV3_KEY": merchant.apiv3_key,
        "PLATFORM_KEYS": sim.platform_keys(),
        "SUB_MCHIDS": {str(shop_id): SUB_MCHID for shop_id in shop_ids},
        "MINIPROGRAM_APPID": MINIPROGRAM_APPID,
        "NOTIFY_BASE": "http://testserver",
        "TIMEOUT_SECONDS": 5,
    }
    return SimpleNamespace(sim=sim, merchant=merchant, config=settings.WECHATPAY)


def to_our_server(url: str, headers: dict, body: bytes) -> tuple[int, bytes]:
    """The simulator's notify, POSTed to our notify URL through the test client (the same bytes and headers)."""
    parts = urllib.parse.urlsplit(url)
    assert parts.netloc == "testserver" and not parts.query, url
    extra = {name: value for name, value in headers.items() if name != "Content-Type"}
    response = Client().post(parts.path, body, content_type="application/json", headers=extra)
    return response.status_code, response.content


def sim_post(sim, path: str, data: dict) -> tuple[int, dict]:
    """What the WeChat app itself sends to WeChat Pay (a scan, its pay sheet), over real HTTP."""
    request = urllib.request.Request(
        sim.base_url + path, data=json.dumps(data).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def pay_on_the_page(h5_url: str) -> bytes:
    """The payer opens the h5_url and taps 确认支付 on the simulator's page (real HTTP)."""
    with urllib.request.urlopen(h5_url, timeout=5) as response:
        assert "确认支付" in response.read().decode()
    prepay_id = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(h5_url).query))["prepay_id"]
    form = urllib.parse.urlencode({"prepay_id": prepay_id, "action": "confirm"}).encode()
    with urllib.request.urlopen(urllib.request.Request(h5_url, data=form, method="POST"), timeout=5) as response:
        return response.read()
