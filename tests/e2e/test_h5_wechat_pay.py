"""Issue 8: a member pays through the WeChat Pay simulator the right way for where they are —
outside WeChat on the simulator's H5 pay page (back by redirect_url), inside WeChat's browser
(its user agent + a WeixinJSBridge stub standing for the app's pay sheet) by getBrandWCPayRequest
with the JSAPI parameters; WeChat Pay's notify comes back to the live server by itself.
Screens: h5-wxpay-*.png."""

import base64
import re
from urllib.parse import parse_qs, urlparse

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from playwright.sync_api import expect

from simulators.wechatpay import WechatPaySimulator
from tuangou.accounts.models import WechatIdentity
from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_member
from tuangou.payments.models import Payment

from .conftest import _context, wechat_app_posts
from .test_h5_leader import sms_login
from .test_h5_member import given_shop_with_a_live_campaign, no_horizontal_overflow, shot
from .test_h5_wechat import APP_ID, WECHAT_UA, wechat_sim  # noqa: F401 — the WeChat platform simulator fixture

MCHID = "1900000109"
# The WeChat app's pay sheet: getBrandWCPayRequest hands the page's parameters to the WeChat Pay
# simulator's pay sheet (/sim/pay_sheet checks appId and paySign as WeChat does, then the payer pays)
# and answers ok — or, told so, the payer closes it: cancel.
PAY_BRIDGE_STUB = """
window.__wx = [];
window.__payAnswer = "%(answer)s";
window.WeixinJSBridge = {
  invoke(name, args, callback) {
    window.__wx.push({ name, args });
    if (name !== "getBrandWCPayRequest") {
      setTimeout(() => callback && callback({ err_msg: name + ":ok" }), 0);
      return;
    }
    if (window.__payAnswer === "cancel") {
      setTimeout(() => callback({ err_msg: "get_brand_wcpay_request:cancel" }), 0);
      return;
    }
    window.__wechatAppPost("%(sim)s/sim/pay_sheet", JSON.stringify(args))
      .then(() => callback({ err_msg: "get_brand_wcpay_request:ok" }))
      .catch(() => callback({ err_msg: "get_brand_wcpay_request:fail" }));
  },
  on() {},
  call() {},
};
"""


@pytest.fixture
def wechatpay(settings, live_server):
    """The WeChat Pay simulator, delivering its notifies to the live server by itself, and our
    side configured as the merchant (the app id is the one members log in with)."""
    sim = WechatPaySimulator(auto_deliver=True, schedule_scale=0.001).start()
    merchant = sim.merchant_add(MCHID, appids={APP_ID})
    settings.WECHATPAY = {
        "API_BASE": sim.base_url,
        "MODE": "direct",
        "MCHID": MCHID,
        "APPID": APP_ID,
        "MERCHANT_SERIAL": merchant.serial,
        "MERCHANT_PRIVATE_KEY": merchant.private_key_pem,
        "APIV3_KEY": merchant.apiv3_key,
        "PLATFORM_KEYS": sim.platform_keys(),
        "SUB_MCHIDS": {},
        "NOTIFY_BASE": live_server.url,
        "TIMEOUT_SECONDS": 5,
    }
    sim.merchant = merchant
    yield sim
    sim.stop()


def an_unpaid_order(settings):
    shop, leader, campaign = given_shop_with_a_live_campaign()  # its earlier buyer paid at the sandbox
    settings.PAYMENT_PROVIDER = "wechatpay"
    member = given_member(shop, leader)
    item = campaign.items.order_by("id").first()
    order = order_services.order_place(
        shop=shop, member=member, campaign_id=campaign.id, items=[{"campaign_item_id": item.id, "quantity": 1}]
    )
    return member, order, f"/h5/s/{shop.id}/orders/{order.id}"


def wechat_browser(browser, live_server, wechatpay, answer: str):
    context = _context(
        browser,
        live_server,
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_UA,
    )
    context.add_init_script(PAY_BRIDGE_STUB % {"answer": answer, "sim": wechatpay.base_url})
    wechat_app_posts(context)
    context.route(lambda url: urlparse(url).hostname not in ("127.0.0.1", "localhost"), lambda route: route.abort())
    return context


def test_outside_wechat_the_member_pays_on_the_simulators_h5_page_and_comes_back_to_a_paid_order(
    phone, live_server, wechatpay, settings
):
    member, order, order_path = an_unpaid_order(settings)
    sms_login(phone, member.phone, order_path)
    expect(phone.locator("[data-test=order-status]")).to_have_text("待付款")

    phone.locator("[data-test=pay]").click()
    phone.wait_for_url(f"{wechatpay.base_url}/pay/h5?**")
    query = parse_qs(urlparse(phone.url).query)
    assert query["redirect_url"] == [f"{live_server.url}{order_path}?from=pay"]
    expect(phone.locator("p.amount")).to_have_text("¥32.90")
    shot(phone, "h5-wxpay-h5-page")
    trade = wechatpay.prepay[query["prepay_id"][0]]
    assert (trade.trade_type, trade.out_trade_no, trade.payer_client_ip) == (
        "H5",
        Payment.objects.get(order=order).out_trade_no,
        "127.0.0.1",
    )

    phone.get_by_role("button", name="确认支付").click()

    phone.wait_for_url(re.compile(rf".*{order_path}(\?from=pay)?$"))
    expect(phone.locator("[data-test=order-status]")).to_have_text("已付款", timeout=8000)
    no_horizontal_overflow(phone)
    shot(phone, "h5-wxpay-h5-paid")
    order.refresh_from_db()
    assert order.status == "paid"
    assert [(d["event_type"], d["status"]) for d in wechatpay.deliveries] == [("TRANSACTION.SUCCESS", 200)]


def test_inside_wechat_the_member_pays_in_wechats_pay_sheet_and_the_order_reads_paid(
    browser,
    live_server,
    wechat_sim,  # noqa: F811 — the fixture imported above
    wechatpay,
    settings,
):
    member, order, order_path = an_unpaid_order(settings)
    wechat_sim.login_as("mei")
    WechatIdentity.objects.create(app_id=APP_ID, openid=wechat_sim.current.openid(APP_ID), user=member)
    context = wechat_browser(browser, live_server, wechatpay, "ok")
    page = context.new_page()

    page.goto(order_path)  # inside WeChat the openid logs the member in, without a tap
    page.wait_for_url(lambda url: urlparse(url).path == order_path)
    expect(page.locator("[data-test=order-status]")).to_have_text("待付款")
    page.locator("[data-test=pay]").click()

    expect(page.locator("[data-test=order-status]")).to_have_text("已付款", timeout=8000)
    no_horizontal_overflow(page)
    shot(page, "h5-wxpay-jsapi-paid")
    (params,) = [call["args"] for call in page.evaluate("window.__wx") if call["name"] == "getBrandWCPayRequest"]
    payment = Payment.objects.get(order=order)
    trade = wechatpay.trade(payment.out_trade_no)
    assert (trade.trade_type, trade.openid) == ("JSAPI", wechat_sim.current.openid(APP_ID))
    assert (params["appId"], params["package"], params["signType"]) == (APP_ID, f"prepay_id={trade.prepay_id}", "RSA")
    message = f"{APP_ID}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n".encode()
    wechatpay.merchant.public_key.verify(
        base64.b64decode(params["paySign"]), message, padding.PKCS1v15(), hashes.SHA256()
    )
    order.refresh_from_db()
    assert (order.status, payment.status) == ("paid", "succeeded")
    assert [(d["event_type"], d["status"]) for d in wechatpay.deliveries] == [("TRANSACTION.SUCCESS", 200)]
    context.close()


def test_inside_wechat_closing_the_pay_sheet_leaves_the_order_unpaid_with_pay_again(
    browser,
    live_server,
    wechat_sim,  # noqa: F811 — the fixture imported above
    wechatpay,
    settings,
):
    member, order, order_path = an_unpaid_order(settings)
    wechat_sim.login_as("mei")
    WechatIdentity.objects.create(app_id=APP_ID, openid=wechat_sim.current.openid(APP_ID), user=member)
    context = wechat_browser(browser, live_server, wechatpay, "cancel")
    page = context.new_page()
    page.goto(order_path)
    page.wait_for_url(lambda url: urlparse(url).path == order_path)

    page.locator("[data-test=pay]").click()

    expect(page.get_by_text("已取消支付")).to_be_visible()
    expect(page.locator("[data-test=order-status]")).to_have_text("待付款")
    expect(page.locator("[data-test=pay]")).to_have_text("去支付 ¥32.90")
    expect(page.locator("[data-test=pay]")).to_be_enabled()
    shot(page, "h5-wxpay-jsapi-cancelled")
    order.refresh_from_db()
    assert order.status == "pending_payment"
    assert wechatpay.trade(Payment.objects.get(order=order).out_trade_no).state == "NOTPAY"
    context.close()


def test_inside_wechat_checkout_opens_wechats_pay_sheet_on_the_new_order(
    browser,
    live_server,
    wechat_sim,  # noqa: F811 — the fixture imported above
    wechatpay,
    settings,
):
    shop, leader, campaign = given_shop_with_a_live_campaign()
    settings.PAYMENT_PROVIDER = "wechatpay"
    member = given_member(shop, leader)
    wechat_sim.login_as("mei")
    WechatIdentity.objects.create(app_id=APP_ID, openid=wechat_sim.current.openid(APP_ID), user=member)
    page = wechat_browser(browser, live_server, wechatpay, "ok").new_page()
    campaign_path = f"/h5/s/{shop.id}/campaigns/{campaign.id}"
    page.goto(campaign_path)
    page.wait_for_url(lambda url: urlparse(url).path == campaign_path)

    page.locator("[data-test=campaign-item]").nth(1).locator("[data-test=add]").click()
    page.locator("[data-test=submit-bar] button").click()
    page.locator("[data-test=place-order] button").click()

    page.wait_for_url(re.compile(rf".*/h5/s/{shop.id}/orders/\d+$"))
    expect(page.locator("[data-test=order-status]")).to_have_text("已付款", timeout=8000)
    order = Order.objects.get(member=member)
    assert (order.status, order.total_fen) == ("paid", 1990)
    assert wechatpay.trade(Payment.objects.get(order=order).out_trade_no).trade_type == "JSAPI"
    page.context.close()


def test_on_a_computer_the_member_scans_wechat_pays_qr_code_and_the_order_page_turns_paid(
    desktop, live_server, wechatpay, settings
):
    member, order, order_path = an_unpaid_order(settings)
    sms_login(desktop, member.phone, order_path)
    expect(desktop.locator("[data-test=order-status]")).to_have_text("待付款")

    desktop.locator("[data-test=pay]").click()

    popup = desktop.locator("[data-test=desk-pay]")
    expect(popup).to_contain_text("微信扫码支付")
    expect(popup).to_contain_text("¥32.90")
    code_url = popup.locator("img[data-test=desk-qr]").get_attribute("data-value")
    assert code_url.startswith("weixin://wxpay/bizpayurl?pr=")
    trade = wechatpay.trade_of_code(code_url)
    assert (trade.trade_type, trade.out_trade_no) == ("NATIVE", Payment.objects.get(order=order).out_trade_no)
    shot(desktop, "h5-wxpay-desk-qr")

    wechatpay.scan(code_url)  # the member's phone: WeChat 扫一扫, then 确认支付

    expect(desktop.locator("[data-test=order-status]")).to_have_text("已付款", timeout=10_000)
    expect(popup).to_be_hidden()
    shot(desktop, "h5-wxpay-desk-paid")
    order.refresh_from_db()
    assert order.status == "paid"
    assert [(d["event_type"], d["status"]) for d in wechatpay.deliveries] == [("TRANSACTION.SUCCESS", 200)]
