"""Issue 8: the two other kinds of WeChat Pay trade — Native (a QR code for a desktop browser,
scanned with WeChat) and the mini-program's JSAPI trade (wx.requestPayment) — in direct and
partner mode, against the WeChat Pay simulator, which checks them as WeChat Pay does."""

import urllib.request

import pytest

from tuangou.accounts.models import WechatIdentity
from tuangou.core.testing import ok
from tuangou.orders.tests.factories import given_live_campaign, login, place
from tuangou.payments.models import Payment

from .wechatpay_world import (
    MINIPROGRAM_APPID,
    SP_MCHID,
    SUB_MCHID,
    given_wechatpay,
    sim_post,
    to_our_server,
)

MP_OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"  # the member's openid under the mini-program (code2session)


@pytest.fixture
def world(require_postgres):
    world = given_live_campaign(price_fen=1290)
    world.order = place(world, 2)
    return world


@pytest.fixture(params=["direct", "partner"])
def wechat(request, settings, world):
    wechat = given_wechatpay(settings, mode=request.param, shop_ids=[world.shop.id])
    yield wechat
    wechat.sim.stop()


def pay(world, channel: str):
    return login(world.member).post(f"shops/{world.shop.id}/orders/{world.order.id}/pay", {"channel": channel})


def paid(world) -> bool:
    world.order.refresh_from_db()
    return world.order.status == "paid"


# --- Native: the desk QR code ---------------------------------------------------------------


@pytest.mark.postgres
def test_a_desktop_browser_gets_a_native_code_url_and_scanning_it_with_wechat_pays_the_order(wechat, world):
    started = ok(pay(world, "native"))

    trade = wechat.sim.trade(started["out_trade_no"])
    assert (started["channel"], started["provider"], started["pay_url"], started["jsapi"]) == (
        "native",
        "wechatpay",
        "",
        None,
    )
    assert started["code_url"] == trade.code_url and started["code_url"].startswith("weixin://wxpay/bizpayurl?pr=")
    assert (trade.trade_type, trade.amount, trade.sub_mchid) == (
        "NATIVE",
        2580,
        SUB_MCHID if wechat.config["MODE"] == "partner" else "",
    )
    prefix = "/v3/pay/partner/transactions" if wechat.config["MODE"] == "partner" else "/v3/pay/transactions"
    assert [r["path"] for r in wechat.sim.requests] == [f"{prefix}/native"]

    assert sim_post(wechat.sim, "/sim/scan", {"code_url": started["code_url"]}) == (200, {"state": "SUCCESS"})
    wechat.sim.deliver_all(to_our_server)
    assert paid(world)


@pytest.mark.postgres
def test_the_qr_page_asking_again_shows_the_same_code_for_the_same_trade(wechat, world):
    first = ok(pay(world, "native"))
    again = ok(pay(world, "native"))

    assert (again["payment_id"], again["code_url"]) == (first["payment_id"], first["code_url"])
    assert len(wechat.sim.trades) == 1 and len(wechat.sim.requests) == 1


@pytest.mark.postgres
def test_a_code_url_that_is_not_wechat_pays_pays_nothing(wechat, world):
    started = ok(pay(world, "native"))

    status, _ = sim_post(wechat.sim, "/sim/scan", {"code_url": started["code_url"] + "x"})

    assert status == 400 and wechat.sim.trade(started["out_trade_no"]).state == "NOTPAY"


@pytest.mark.postgres
def test_an_h5_trade_then_the_qr_code_closes_the_h5_payment_and_opens_a_native_one(wechat, world):
    h5 = ok(pay(world, "h5"))

    native = ok(pay(world, "native"))

    assert native["out_trade_no"] != h5["out_trade_no"]
    statuses = dict(Payment.objects.filter(order=world.order).values_list("out_trade_no", "status"))
    assert statuses == {h5["out_trade_no"]: "closed", native["out_trade_no"]: "created"}


# --- the mini-program: wx.requestPayment ----------------------------------------------------


@pytest.mark.postgres
def test_the_mini_program_gets_request_payment_params_that_wechats_pay_sheet_accepts(wechat, world):
    WechatIdentity.objects.create(app_id=MINIPROGRAM_APPID, openid=MP_OPENID, user=world.member)

    started = ok(pay(world, "miniprogram"))

    trade = wechat.sim.trade(started["out_trade_no"])
    params = started["jsapi"]
    assert (started["channel"], started["pay_url"], started["code_url"]) == ("miniprogram", "", "")
    assert (trade.trade_type, trade.openid, trade.appid) == ("JSAPI", MP_OPENID, MINIPROGRAM_APPID)
    assert (params["appId"], params["package"], params["signType"]) == (
        MINIPROGRAM_APPID,
        f"prepay_id={trade.prepay_id}",
        "RSA",
    )
    # wx.requestPayment's sheet checks paySign with the merchant's key, then the payer pays.
    assert sim_post(wechat.sim, "/sim/pay_sheet", params) == (200, {"state": "SUCCESS"})
    wechat.sim.deliver_all(to_our_server)
    assert paid(world)  # the notify names the mini-program's app id: still our merchant's trade
    if wechat.config["MODE"] == "partner":
        assert wechat.sim.requests[0]["path"] == "/v3/pay/partner/transactions/jsapi"
        assert wechat.config["MCHID"] == SP_MCHID


@pytest.mark.postgres
@pytest.mark.parametrize(
    "field, value, refused",
    [
        ("paySign", "AAAA", "paySign"),
        ("timeStamp", "1", "paySign"),  # what paySign covers cannot change
        ("appId", "wx0000000000000000", "appId"),
        ("signType", "MD5", "signType"),
    ],
)
def test_wechats_pay_sheet_refuses_params_whose_signature_does_not_hold_and_nothing_is_paid(
    wechat, world, field, value, refused
):
    WechatIdentity.objects.create(app_id=MINIPROGRAM_APPID, openid=MP_OPENID, user=world.member)
    started = ok(pay(world, "miniprogram"))

    status, answer = sim_post(wechat.sim, "/sim/pay_sheet", {**started["jsapi"], field: value})

    assert (status, answer) == (400, {"error": refused})
    assert wechat.sim.trade(started["out_trade_no"]).state == "NOTPAY" and not paid(world)


@pytest.mark.postgres
@pytest.mark.parametrize("wechat", ["direct"], indirect=True)
def test_the_mini_program_without_its_login_is_told_to_log_in_and_nothing_opens(wechat, world):
    WechatIdentity.objects.create(app_id=wechat.config["APPID"], openid="o-official-account", user=world.member)

    response = pay(world, "miniprogram")

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("wechat_login_required", "channel")
    assert Payment.objects.filter(order=world.order).count() == 0 and wechat.sim.requests == []


@pytest.mark.django_db
def test_with_the_sandbox_a_desktop_pays_by_its_page_and_the_mini_program_is_refused(settings):
    settings.PAYMENT_PROVIDER = "sandbox"
    world = given_live_campaign(price_fen=1290)
    world.order = place(world, 1)

    desk = ok(pay(world, "native"))
    refused = pay(world, "miniprogram")

    assert (desk["channel"], desk["code_url"]) == ("h5", "")
    assert desk["pay_url"] == f"/pay/sandbox/{desk['out_trade_no']}"
    assert refused.status_code == 409
    assert (refused.json()["code"], refused.json()["field"]) == ("payment_channel_unavailable", "channel")


@pytest.mark.postgres
@pytest.mark.parametrize("wechat", ["direct"], indirect=True)
def test_the_code_urls_pay_page_pays_it_as_the_scan_would(wechat, world):
    started = ok(pay(world, "native"))
    pr = started["code_url"].split("pr=")[1]

    with urllib.request.urlopen(f"{wechat.sim.base_url}/pay/scan", timeout=5) as response:  # the demo's 扫一扫
        assert f'href="/pay/native?pr={pr}"' in response.read().decode()
    url = f"{wechat.sim.base_url}/pay/native?pr={pr}"  # what WeChat opens on scanning the code
    with urllib.request.urlopen(url, timeout=5) as response:
        assert "确认支付" in response.read().decode() and not paid(world)
    with urllib.request.urlopen(urllib.request.Request(url, data=b"action=confirm"), timeout=5) as response:
        assert "支付成功" in response.read().decode()
    wechat.sim.deliver_all(to_our_server)
    assert paid(world)
