"""支付有礼 in the browser: a member pays, the gift coupon shows on the paid order's page (the
payment result), and the console's 支付有礼 tab lists the activity with one order given.
Screens: gifts-*.png."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tuangou.leaders.models import Membership
from tuangou.marketing import gifts
from tuangou.marketing.tests.factories import given_template
from tuangou.shops.tests.factories import PASSWORD, MemberUserFactory, StaffFactory

from .conftest import shot as save_shot
from .test_h5_leader import sms_login
from .test_h5_member import given_shop_with_a_live_campaign
from .test_h5_member import shot as phone_shot

MEMBER_PHONE = "13800000099"


def test_a_paid_order_shows_its_gift_and_the_console_counts_it(desktop, phone, live_server, settings):
    settings.SITE_URL = live_server.url
    shop, nearest, campaign = given_shop_with_a_live_campaign()
    owner = StaffFactory(shop=shop, role="owner").user
    member = MemberUserFactory(phone=MEMBER_PHONE, username=f"p{MEMBER_PHONE}", display_name="钱小梅")
    Membership.objects.create(shop=shop, user=member, leader=nearest, via_leader=nearest)
    template = given_template(shop, name="支付礼券 无门槛3元", kind="no_threshold", threshold_fen=0, reduce_fen=300)
    now = timezone.now()
    gifts.payment_gift_create(
        shop=shop,
        actor=None,
        name="付款满10送3元券",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=7),
        min_paid_fen=1000,
        scope="all",
        scope_ids=[],
        gifts=[{"template_id": template.pk, "count": 1}],
    )

    sms_login(phone, MEMBER_PHONE, f"/h5/s/{shop.id}/campaigns/{campaign.id}")
    phone.locator("[data-test=campaign-item]").nth(0).locator("[data-test=add]").click()
    phone.locator("[data-test=submit-bar] button").click()
    phone.locator("[data-test=place-order] button").click()
    phone.wait_for_url("**/pay/sandbox/**")
    phone.get_by_role("button", name="确认支付").click()
    phone.wait_for_url(re.compile(rf".*/h5/s/{shop.id}/orders/\d+$"))
    expect(phone.locator("[data-test=payment-gift]")).to_contain_text("支付礼券 无门槛3元")
    phone_shot(phone, "gifts-h5-result")

    desktop.goto("/console/login")
    desktop.fill("input[name=username]", owner.username)
    desktop.fill("input[name=password]", PASSWORD)
    desktop.click("button[type=submit]")
    expect(desktop).to_have_url(re.compile(r"/console/dashboard$"))
    desktop.locator("[data-menu=marketing]").click()
    desktop.get_by_role("tab", name="支付有礼").click()
    rows = desktop.locator("[data-test=payment-gifts] .el-table__body tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("付款满10送3元券")
    expect(rows.first).to_contain_text("支付礼券 无门槛3元 × 1")
    desktop.click("[data-test=new-payment-gift]")
    desktop.wait_for_timeout(300)
    save_shot(desktop, "gifts-console-new")
    desktop.keyboard.press("Escape")
    save_shot(desktop, "gifts-console-list")
