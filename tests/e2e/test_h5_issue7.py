"""Issue 7 on the phone: what members and leaders read after paying, on their money page, in their
messages, on the nearby-leaders page and on a campaign's live feed. Screens saved as h5-i7-*.png."""

import re

from playwright.sync_api import expect

from tuangou.orders import services as order_services
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_member
from tuangou.payments import sandbox
from tuangou.payments.models import Payment

from .test_h5_leader import sms_login
from .test_h5_member import given_shop_with_a_live_campaign, no_horizontal_overflow, shot


def test_back_from_paying_the_order_says_confirming_until_the_notify_lands(phone, live_server, settings, monkeypatch):
    settings.SITE_URL = live_server.url
    shop, leader, campaign = given_shop_with_a_live_campaign()
    member = given_member(shop, leader)
    item = campaign.items.order_by("id").first()
    order = order_services.order_place(
        shop=shop, member=member, campaign_id=campaign.id, items=[{"campaign_item_id": item.id, "quantity": 1}]
    )
    # The gateway is slow to tell us: its notify is held until the test lets it go.
    held: list[int] = []
    monkeypatch.setattr(sandbox, "_queue_notify", held.append)
    order_path = f"/h5/s/{shop.id}/orders/{order.id}"

    sms_login(phone, member.phone, order_path)
    expect(phone.locator("[data-test=order-status]")).to_have_text("待付款")
    phone.locator("[data-test=pay]").click()
    phone.wait_for_url("**/pay/sandbox/**")
    phone.get_by_role("button", name="确认支付").click()

    phone.wait_for_url(re.compile(rf".*{order_path}\?from=pay$"))
    status = phone.locator("[data-test=order-status]")
    expect(status).to_have_text("支付确认中")
    expect(phone.locator("[data-test=confirming-hint]")).to_have_text("正在等待支付结果，请勿重复支付")
    phone.wait_for_timeout(2500)  # a few looks at the order later: still confirming, still nothing to pay
    expect(status).to_have_text("支付确认中")
    expect(phone.locator("[data-test=pay]")).to_have_count(0)
    expect(phone.locator("[data-test=cancel-order]")).to_have_count(0)
    no_horizontal_overflow(phone)
    shot(phone, "h5-i7-order-confirming")

    # The notify lands: the page follows without a reload.
    assert held == [Payment.objects.get(order=order).id]
    assert sandbox.gateway_deliver_notify(payment_id=held[0]) == "delivered"
    expect(status).to_have_text("已付款", timeout=12_000)
    order.refresh_from_db()
    expect(phone.locator("[data-test=pickup-code]")).to_have_text(order.pickup_code)
    expect(phone.locator("[data-test=pay]")).to_have_count(0)
    phone.wait_for_url(re.compile(rf".*{order_path}$"))
    assert Order.objects.get(pk=order.pk).status == "paid"
    shot(phone, "h5-i7-order-paid")
