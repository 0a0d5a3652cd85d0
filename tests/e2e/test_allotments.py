"""发券宝 in the browser: the merchant allots a coupon to every active leader in 营销, the leader
sees it in the leader center with the claim link, a member opens the link and claims it.
Screens: allotments-*.png."""

import re

from playwright.sync_api import expect

from tuangou.marketing.models import Coupon, LeaderCouponAllotment
from tuangou.marketing.tests.factories import given_template
from tuangou.shops.tests.factories import PASSWORD, MemberUserFactory, StaffFactory

from .conftest import shot as save_shot
from .test_h5_leader import sms_login
from .test_h5_member import given_shop_with_a_live_campaign
from .test_h5_member import shot as phone_shot

MEMBER_PHONE = "13800000077"


def test_merchant_allots_leader_shares_member_claims(desktop, phone, new_phone, live_server, settings):
    settings.SITE_URL = live_server.url
    shop, nearest, _ = given_shop_with_a_live_campaign()
    template = given_template(shop, name="团长专享满50减5", total=100, channels=["leader"])
    owner = StaffFactory(shop=shop, role="owner").user
    MemberUserFactory(phone=MEMBER_PHONE, username=f"p{MEMBER_PHONE}", display_name="钱小东")

    desktop.goto("/console/login")
    desktop.fill("input[name=username]", owner.username)
    desktop.fill("input[name=password]", PASSWORD)
    desktop.click("button[type=submit]")
    expect(desktop).to_have_url(re.compile(r"/console/dashboard$"))
    desktop.locator("[data-menu=marketing]").click()
    desktop.get_by_role("tab", name="发券宝").click()
    desktop.click("[data-test=new-allotment]")
    desktop.get_by_text("全部正常团长").click()
    desktop.click("[data-test=save-allotment]")
    rows = desktop.locator("[data-test=coupon-allotments] .el-table__body tr")
    expect(rows.filter(has_text=nearest.name)).to_have_count(1)
    expect(rows).to_have_count(LeaderCouponAllotment.objects.filter(template=template).count())
    save_shot(desktop, "allotments-console")

    sms_login(phone, nearest.user.phone, f"/h5/s/{shop.id}/leader/coupons")
    card = phone.locator("[data-test=allotment]")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("团长专享满50减5")
    phone_shot(phone, "allotments-h5-leader")

    member = new_phone()
    link = f"/h5/s/{shop.id}/coupon-centre?leader={nearest.id}&template={template.id}"
    sms_login(member, MEMBER_PHONE, link)
    expect(member.locator("[data-test=leader-coupon]")).to_have_count(1)
    with member.expect_response(lambda response: response.url.endswith("/claim")) as claimed:
        member.click("[data-test=claim-leader-coupon]")
    assert claimed.value.status == 201, claimed.value.text()
    expect(member.locator("[data-test=leader-coupon]")).to_contain_text("已领取")
    phone_shot(member, "allotments-h5-claim")
    coupon = Coupon.objects.get(member__phone=MEMBER_PHONE)
    assert (coupon.channel, coupon.leader_claim.allotment.leader_id) == ("leader", nearest.id)
