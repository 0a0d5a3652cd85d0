"""Issue 8: the member pays the right way for where they are — a JSAPI trade inside WeChat's
browser (the payer's openid from their WeChat login), an H5 trade outside it (with the payer's
real IP) — against the WeChat Pay simulator; the sandbox pays by its page wherever the member is."""

import base64

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from tuangou.accounts.models import WechatIdentity
from tuangou.core.testing import ok
from tuangou.orders.tests.factories import given_live_campaign, login, place
from tuangou.payments.models import Payment

from .wechatpay_world import APPID, given_wechatpay, to_our_server

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN"
)
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


@pytest.fixture
def wechat(settings, require_postgres):
    world = given_wechatpay(settings)
    yield world
    world.sim.stop()


def given_a_member_order(*, openid: str | None = OPENID, app_id: str = APPID):
    world = given_live_campaign(price_fen=1290)
    order = place(world, 2)
    if openid:
        WechatIdentity.objects.create(app_id=app_id, openid=openid, user=world.member)
    return world, order


@pytest.mark.postgres
def test_inside_wechat_the_pay_answer_is_a_signed_jsapi_trade_for_the_members_openid_and_paying_it_pays(wechat):
    world, order = given_a_member_order()

    started = ok(
        login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay", headers={"User-Agent": WECHAT_UA})
    )

    trade = wechat.sim.trade(started["out_trade_no"])
    assert (started["channel"], started["provider"], started["pay_url"]) == ("jsapi", "wechatpay", "")
    assert (trade.trade_type, trade.openid, trade.amount, trade.appid) == ("JSAPI", OPENID, 2580, APPID)
    params = started["jsapi"]
    assert (params["appId"], params["package"], params["signType"]) == (APPID, f"prepay_id={trade.prepay_id}", "RSA")
    message = f"{APPID}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n".encode()
    wechat.merchant.public_key.verify(base64.b64decode(params["paySign"]), message, padding.PKCS1v15(), hashes.SHA256())

    wechat.sim.pay(started["out_trade_no"])
    wechat.sim.deliver_all(to_our_server)
    order.refresh_from_db()
    assert order.status == "paid"


@pytest.mark.postgres
def test_asking_again_inside_wechat_gives_the_same_prepay_id_signed_afresh(wechat):
    world, order = given_a_member_order()
    member = login(world.member)

    first = ok(member.post(f"shops/{world.shop.id}/orders/{order.id}/pay", {"channel": "jsapi"}))
    again = ok(member.post(f"shops/{world.shop.id}/orders/{order.id}/pay", {"channel": "jsapi"}))

    assert (again["payment_id"], again["jsapi"]["package"]) == (first["payment_id"], first["jsapi"]["package"])
    assert again["jsapi"]["nonceStr"] != first["jsapi"]["nonceStr"]
    assert Payment.objects.filter(order=order).count() == 1


@pytest.mark.postgres
def test_inside_wechat_without_a_wechat_login_the_page_is_told_to_log_in_with_wechat_and_nothing_opens(wechat):
    world, order = given_a_member_order(openid=None)
    WechatIdentity.objects.create(app_id="wx0000000000000000", openid="o-other-app", user=world.member)

    response = login(world.member).post(
        f"shops/{world.shop.id}/orders/{order.id}/pay", headers={"User-Agent": WECHAT_UA}
    )

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("wechat_login_required", "channel")
    assert response.json()["message"] == "请先用微信登录，再在微信内支付"
    assert Payment.objects.filter(order=order).count() == 0
    assert wechat.sim.requests == []


@pytest.mark.postgres
def test_outside_wechat_the_pay_answer_is_an_h5_url_opened_with_the_payers_own_ip(wechat):
    world, order = given_a_member_order()

    started = ok(login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay", REMOTE_ADDR="203.0.113.7"))

    trade = wechat.sim.trade(started["out_trade_no"])
    assert (started["channel"], started["jsapi"]) == ("h5", None)
    assert started["pay_url"].startswith(f"{wechat.sim.base_url}/pay/h5?prepay_id={trade.prepay_id}")
    assert (trade.trade_type, trade.payer_client_ip) == ("H5", "203.0.113.7")


@pytest.mark.postgres
def test_an_h5_trade_then_paying_inside_wechat_closes_the_h5_payment_and_opens_a_jsapi_one(wechat):
    world, order = given_a_member_order()
    member = login(world.member)
    h5 = ok(member.post(f"shops/{world.shop.id}/orders/{order.id}/pay", {"channel": "h5"}))

    jsapi = ok(member.post(f"shops/{world.shop.id}/orders/{order.id}/pay", {"channel": "jsapi"}))

    assert jsapi["out_trade_no"] != h5["out_trade_no"]
    assert wechat.sim.trade(jsapi["out_trade_no"]).trade_type == "JSAPI"
    statuses = dict(Payment.objects.filter(order=order).values_list("out_trade_no", "status"))
    assert statuses == {h5["out_trade_no"]: "closed", jsapi["out_trade_no"]: "created"}


@pytest.mark.django_db
def test_the_sandbox_pays_by_its_page_even_inside_wechat(settings):
    settings.PAYMENT_PROVIDER = "sandbox"
    world, order = given_a_member_order()

    started = ok(
        login(world.member).post(f"shops/{world.shop.id}/orders/{order.id}/pay", headers={"User-Agent": WECHAT_UA})
    )

    assert (started["channel"], started["provider"], started["jsapi"]) == ("h5", "sandbox", None)
    assert started["pay_url"] == f"/pay/sandbox/{started['out_trade_no']}"
