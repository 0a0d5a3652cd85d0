"""Coupons in the browser: the merchant creates a 满减 coupon in 营销, a member claims it in the
coupon centre, the checkout picker picks it (best first, with the saving), the member pays the
discounted price, and the console shows it used with its GMV and cost. Screens: coupons-*.png."""

import re

from playwright.sync_api import expect

from tuangou.leaders.models import Membership
from tuangou.marketing.models import Coupon
from tuangou.orders.models import Order
from tuangou.shops.tests.factories import PASSWORD, MemberUserFactory, StaffFactory

from .conftest import shot as save_shot
from .test_h5_leader import sms_login
from .test_h5_member import given_shop_with_a_live_campaign
from .test_h5_member import shot as phone_shot

MEMBER_PHONE = "13800000088"


def test_merchant_creates_a_coupon_member_claims_it_and_pays_less(desktop, phone, live_server, settings):
    settings.SITE_URL = live_server.url
    shop, nearest, campaign = given_shop_with_a_live_campaign()
    owner = StaffFactory(shop=shop, role="owner").user
    member = MemberUserFactory(phone=MEMBER_PHONE, username=f"p{MEMBER_PHONE}", display_name="赵小兰")

    Membership.objects.create(shop=shop, user=member, leader=nearest, via_leader=nearest)

    # The merchant: 营销 → 新建优惠券, 满50减8, open to the coupon centre
    desktop.goto("/console/login")
    desktop.fill("input[name=username]", owner.username)
    desktop.fill("input[name=password]", PASSWORD)
    desktop.click("button[type=submit]")
    expect(desktop).to_have_url(re.compile(r"/console/dashboard$"))
    desktop.locator("[data-menu=marketing]").click()
    desktop.click("[data-test=new-coupon]")
    desktop.fill("input[name=coupon_name]", "满50减8 鲜果券")
    desktop.fill("input[name=threshold]", "50")
    desktop.fill("input[name=reduce]", "8")
    desktop.wait_for_timeout(300)
    save_shot(desktop, "coupons-console-new")
    desktop.click("[data-test=save-coupon]")
    rows = desktop.locator("[data-test=coupon-templates] .el-table__body tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("满¥50.00减¥8.00")
    expect(rows.first).to_contain_text("0 / 100")

    # The member claims it in the coupon centre
    sms_login(phone, MEMBER_PHONE, f"/h5/s/{shop.id}/coupon-centre")
    expect(phone.locator("[data-test=centre-coupon]")).to_have_count(1)
    expect(phone.locator("[data-test=centre-coupon]")).to_contain_text("满¥50.00可用")
    phone_shot(phone, "coupons-h5-centre")
    phone.click("[data-test=claim-coupon]")
    expect(phone.locator("[data-test=centre-coupon]")).to_contain_text("已领取")
    phone.goto(f"/h5/s/{shop.id}/coupons")
    expect(phone.locator("[data-test=my-coupon]")).to_have_count(1)
    phone_shot(phone, "coupons-h5-mine")

    # Two boxes of eggs (¥65.80): the picker takes the coupon at once and shows the saving
    phone.goto(f"/h5/s/{shop.id}/campaigns/{campaign.id}")
    item = phone.locator("[data-test=campaign-item]").nth(0)
    item.locator("[data-test=add]").click()
    item.locator(".van-stepper__plus").click()
    phone.locator("[data-test=submit-bar] button").click()
    expect(phone.locator("[data-test=coupon-picker]")).to_contain_text("-¥8.00")
    expect(phone.locator("[data-test=place-order]")).to_contain_text("57.80")
    phone_shot(phone, "coupons-h5-cart")
    phone.click("[data-test=coupon-picker]")
    expect(phone.locator("[data-test=coupon-option]").first).to_contain_text("省¥8.00")
    phone_shot(phone, "coupons-h5-picker")
    phone.locator("[data-test=coupon-option]").first.click()
    phone.locator("[data-test=place-order] button").click()
    phone.wait_for_url("**/pay/sandbox/**")
    expect(phone.get_by_text("¥57.80")).to_be_visible()
    phone.get_by_role("button", name="确认支付").click()
    phone.wait_for_url(re.compile(rf".*/h5/s/{shop.id}/orders/\d+$"))
    expect(phone.locator("[data-test=order-status]")).to_have_text("已付款")

    order = Order.objects.get(shop=shop, member=member)
    assert (order.items_fen, order.discount_fen, order.total_fen) == (6580, 800, 5780)
    assert Coupon.objects.get(member=member).status == "used"

    # The console's figures: issued 1, used 1, GMV ¥57.80, cost ¥8.00
    desktop.reload()
    expect(rows.first).to_contain_text("1 / 100")
    expect(rows.first).to_contain_text("¥57.80")
    expect(rows.first).to_contain_text("¥8.00")
    save_shot(desktop, "coupons-console-list")
