"""Issue 8, inside WeChat's browser (its user agent + a WeixinJSBridge stub) with no WeChat binding:
a member logged in by phone accepts WeChat's subscribe dialog at checkout (the wx-open-subscribe open
tag; the stub fires its success event as WeChat does after 允许), places the order, is sent through
WeChat's authorisation when paying asks for an openid (409 wechat_login_required), comes back bound
without a second SMS, pays in WeChat's pay sheet — and the pickup notice then arrives as a WeChat
subscribe message, using the acceptance. Screens: h5-wxsub-*.png."""

import json
import re
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tuangou.accounts.models import WechatIdentity
from tuangou.accounts.sms import last_code_for
from tuangou.accounts.testing import PRIVACY_CONSENT
from tuangou.notifications import services as notification_services
from tuangou.notifications.models import Delivery, Message, SubscribeAcceptance
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_member
from tuangou.payments.models import Payment

from .test_h5_member import given_shop_with_a_live_campaign, shot
from .test_h5_wechat import APP_ID, wechat_sim  # noqa: F401 — the WeChat platform simulator fixture
from .test_h5_wechat_pay import wechat_browser, wechatpay  # noqa: F401 — the WeChat Pay simulator fixture

PICKUP, REFUND, RESULT = "tmplPickupE2E0001", "tmplRefundE2E0002", "tmplResultE2E0003"
# WeChat renders an open tag's wxtag-template itself (in its own frame); this stands for that.
OPEN_TAG_STUB = """
customElements.define('wx-open-subscribe', class extends HTMLElement {
  connectedCallback() {
    this.style.display = 'block';
    const template = this.querySelector('script[type="text/wxtag-template"]');
    if (!this.shadowRoot) this.attachShadow({ mode: 'open' }).innerHTML = template ? template.textContent : '';
  }
});
"""
LOGIN_BY_PHONE = """async ([path, body]) => {
  const csrf = await fetch('/api/auth/csrf').then((r) => r.json());
  const response = await fetch('/api/auth/sms/' + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrf.csrf_token },
    body: JSON.stringify(body),
  });
  return response.status;
}"""


@pytest.mark.e2e
def test_inside_wechat_a_member_without_an_openid_subscribes_logs_in_with_wechat_and_pays(
    browser,
    live_server,
    wechat_sim,  # noqa: F811 — the fixture imported above
    wechatpay,  # noqa: F811
    settings,
):
    shop, leader, campaign = given_shop_with_a_live_campaign()
    settings.PAYMENT_PROVIDER = "wechatpay"
    settings.NOTIFICATION_CHANNELS = ["inapp", "sms", "wechat"]
    settings.WECHAT_SUBSCRIBE_TEMPLATES = {
        APP_ID: {"pickup_notice": PICKUP, "refund": REFUND, "campaign_result": RESULT}
    }
    wechat_sim.add_template(APP_ID, PICKUP, ["thing1", "thing2", "character_string3", "thing4"])
    wechat_sim.add_template(APP_ID, REFUND, ["character_string1", "amount2", "thing3"])
    member = given_member(shop, leader)
    who = wechat_sim.login_as("lan")
    context = wechat_browser(browser, live_server, wechatpay, "ok")
    context.add_init_script(OPEN_TAG_STUB)
    page = context.new_page()
    campaign_path = f"/h5/s/{shop.id}/campaigns/{campaign.id}"

    # Logged in by phone (an SMS code) in WeChat's browser: no WeChat binding yet.
    page.goto(campaign_path)
    assert page.evaluate(LOGIN_BY_PHONE, ["send", {"phone": member.phone}]) == 200
    login = {"phone": member.phone, "code": last_code_for(member.phone), **PRIVACY_CONSENT}
    assert page.evaluate(LOGIN_BY_PHONE, ["login", login]) == 200
    assert not WechatIdentity.objects.exists()

    # Checkout offers WeChat's subscribe open tag; the member taps 允许 for the pickup notice only.
    page.goto(campaign_path)
    page.locator("[data-test=campaign-item]").nth(1).locator("[data-test=add]").click()
    page.locator("[data-test=submit-bar] button").click()
    tag = page.locator("wx-open-subscribe[data-test=wx-open-subscribe]")
    expect(tag).to_be_attached()
    assert tag.get_attribute("template") == f"{PICKUP},{REFUND},{RESULT}"
    verify = next(c["args"] for c in page.evaluate("window.__wx") if c["name"] == "preVerifyJSAPI")
    assert verify["verifyOpenTagList"] == ["wx-open-subscribe"]
    assert "scanQRCode" in verify["verifyJsApiList"]
    shot(page, "h5-wxsub-checkout")
    details = wechat_sim.subscribe(APP_ID, who.openid(APP_ID), [PICKUP])  # WeChat's own record of the tap
    details[REFUND] = json.dumps({"status": "reject"})
    tag.evaluate(
        "(el, details) => el.dispatchEvent(new CustomEvent('success', "
        "{ detail: { subscribeDetails: JSON.stringify(details) } }))",
        details,
    )
    expect(page.locator("[data-test=subscribe-done]")).to_be_visible()
    assert list(SubscribeAcceptance.objects.values_list("user_id", "template_id", "remaining")) == [
        (member.id, PICKUP, 1)
    ]

    # Placing the order opens the pay sheet, which needs the openid: WeChat's authorisation first.
    page.locator("[data-test=place-order] button").click()
    for _ in range(100):  # the order page, the 409, WeChat's authorize page and back
        if WechatIdentity.objects.exists() and re.search(r"/orders/\d+$", page.url):
            break
        page.wait_for_timeout(100)
    order = Order.objects.get(member=member)
    expect(page.locator("[data-test=order-status]")).to_have_text("待付款")
    identity = WechatIdentity.objects.get()
    assert (identity.openid, identity.user_id) == (who.openid(APP_ID), member.id)
    assert wechat_sim.calls["/sns/oauth2/access_token"] == 1
    assert urlparse(page.url).path == f"/h5/s/{shop.id}/orders/{order.id}"

    page.locator("[data-test=pay]").click()
    expect(page.locator("[data-test=order-status]")).to_have_text("已付款", timeout=8000)
    shot(page, "h5-wxsub-paid")
    trade = wechatpay.trade(Payment.objects.get(order=order).out_trade_no)
    assert (trade.trade_type, trade.openid) == ("JSAPI", who.openid(APP_ID))

    # The pickup notice goes as the subscribe message the member accepted, not by SMS.
    notification_services.notification_send(
        shop=shop, user=member, kind=Message.Kind.PICKUP_NOTICE, title="提货通知", body="-",
        data={"campaign": campaign.title, "point": "海韵花园自提点", "code": "K7Q2"},
    )  # fmt: skip
    [sent] = wechat_sim.messages_to(who.openid(APP_ID))
    assert (sent["template_id"], sent["data"]["character_string3"]) == (PICKUP, "K7Q2")
    pickup = Delivery.objects.filter(message__kind="pickup_notice", message__user=member)
    assert list(pickup.values_list("channel", "status")) == [("wechat", "sent")]
    assert SubscribeAcceptance.objects.get().remaining == 0
    page.context.close()
