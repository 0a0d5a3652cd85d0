"""The growth engine's whole path in the browser (issue 9): the merchant creates a 满减 coupon, a
满减送 activity, a targeted pack and a leader allotment in 营销 → the member gets the coupon, sees
满60减5 on the campaign page and pays with both (campaign price → 满减送 → coupon) → the gift
arrives on the payment result → the leader shares the allotted coupon from the leader center →
another member claims it through the link. Screens: growth-*.png."""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tuangou.leaders.models import Membership
from tuangou.marketing import gifts
from tuangou.marketing.models import Coupon, CouponPackDelivery
from tuangou.marketing.tests.factories import given_template
from tuangou.orders.models import Order
from tuangou.shops.tests.factories import PASSWORD, MemberUserFactory, StaffFactory

from .conftest import shot as save_shot
from .test_h5_leader import sms_login
from .test_h5_member import given_shop_with_a_live_campaign
from .test_h5_member import shot as phone_shot

BUYER_PHONE = "13800000066"
FRIEND_PHONE = "13800000055"
COUPON = "满60减10 鲜蛋券"


def test_coupon_pack_reduction_gift_and_leader_link_from_console_to_phone(
    desktop, phone, new_phone, live_server, settings
):
    settings.SITE_URL = live_server.url
    shop, nearest, campaign = given_shop_with_a_live_campaign()
    owner = StaffFactory(shop=shop, role="owner").user
    buyer = MemberUserFactory(phone=BUYER_PHONE, username=f"p{BUYER_PHONE}", display_name="周小雨")
    Membership.objects.create(shop=shop, user=buyer, leader=nearest, via_leader=nearest)
    MemberUserFactory(phone=FRIEND_PHONE, username=f"p{FRIEND_PHONE}", display_name="吴小芳")
    gift = given_template(
        shop, name="下单礼 无门槛3元", kind="no_threshold", threshold_fen=0, reduce_fen=300, channels=["payment_gift"]
    )
    now = timezone.now()
    gifts.payment_gift_create(
        shop=shop,
        actor=None,
        name="付款满30送3元券",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=7),
        min_paid_fen=3000,
        scope="all",
        scope_ids=[],
        gifts=[{"template_id": gift.pk, "count": 1}],
    )

    # The merchant: 营销 → a 满减 coupon open to targeted packs and leaders
    desktop.goto("/console/login")
    desktop.fill("input[name=username]", owner.username)
    desktop.fill("input[name=password]", PASSWORD)
    desktop.click("button[type=submit]")
    expect(desktop).to_have_url(re.compile(r"/console/dashboard$"))
    desktop.locator("[data-menu=marketing]").click()
    desktop.click("[data-test=new-coupon]")
    dialog = desktop.locator("[data-test=coupon-dialog]")
    dialog.locator("input[name=coupon_name]").fill(COUPON)
    dialog.locator("input[name=threshold]").fill("60")
    dialog.locator("input[name=reduce]").fill("10")
    dialog.get_by_text("定向发放").click()
    dialog.get_by_text("团长发券").click()
    desktop.click("[data-test=save-coupon]")
    coupons = desktop.locator("[data-test=coupon-templates] .el-table__body tr")
    expect(coupons.filter(has_text=COUPON)).to_have_count(1)

    # 满减送: 满60减5 on the whole shop
    desktop.get_by_role("tab", name="满减送").click()
    desktop.click("[data-test=new-full-reduction]")
    desktop.fill("input[name=reduction_name]", "周末满减")
    desktop.fill("input[name=tier_threshold_0]", "60")
    desktop.fill("input[name=tier_reduce_0]", "5")
    desktop.click("[data-test=add-tier]")
    desktop.fill("input[name=tier_threshold_1]", "120")
    desktop.fill("input[name=tier_reduce_1]", "15")
    desktop.wait_for_timeout(300)
    save_shot(desktop, "growth-console-reduction-new")
    desktop.click("[data-test=save-full-reduction]")
    reductions = desktop.locator("[data-test=full-reductions] .el-table__body tr")
    expect(reductions).to_have_count(1)
    expect(reductions.first).to_contain_text("满60减5 / 满120减15")
    save_shot(desktop, "growth-console-reductions")

    # 定向发放 to the buyer's phone
    desktop.get_by_role("tab", name="定向发放").click()
    desktop.click("[data-test=new-pack]")
    desktop.fill("input[name=pack_name]", "老客回馈")
    desktop.locator(".el-dialog .el-select").nth(1).click()
    desktop.locator(".el-select-dropdown__item:visible", has_text="手机号名单").click()
    desktop.locator(".el-dialog textarea").fill(BUYER_PHONE)
    desktop.get_by_role("button", name="开始发放").click()
    packs = desktop.locator("[data-test=coupon-packs] .el-table__body tr")
    expect(packs).to_have_count(1)
    expect(packs.first).to_contain_text("老客回馈")
    with desktop.expect_download() as download:
        desktop.click("[data-test=coupon-packs-export]")
    assert download.value.suggested_filename == "定向发放.xlsx"
    assert CouponPackDelivery.objects.filter(member=buyer, status="delivered").count() == 1

    # 发券宝: every active leader may hand out 20
    desktop.get_by_role("tab", name="发券宝").click()
    desktop.click("[data-test=new-allotment]")
    desktop.get_by_text("全部正常团长").click()
    desktop.click("[data-test=save-allotment]")
    allotments = desktop.locator("[data-test=coupon-allotments] .el-table__body tr")
    expect(allotments.filter(has_text=nearest.name)).to_have_count(1)

    # The buyer: the pack's coupon is in her wallet; the campaign shows 满60减5
    sms_login(phone, BUYER_PHONE, f"/h5/s/{shop.id}/coupons")
    expect(phone.locator("[data-test=my-coupon]")).to_have_count(1)
    expect(phone.locator("[data-test=my-coupon]")).to_contain_text("满¥60.00可用")
    phone.goto(f"/h5/s/{shop.id}/campaigns/{campaign.id}")
    expect(phone.locator("[data-test=full-reduction]")).to_contain_text("满60减5 / 满120减15")
    phone_shot(phone, "growth-h5-campaign")

    # Two boxes of eggs, ¥65.80: 满60减5 → ¥60.80, still ≥ ¥60 so the coupon takes ¥10 → ¥50.80
    item = phone.locator("[data-test=campaign-item]").nth(0)
    item.locator("[data-test=add]").click()
    item.locator(".van-stepper__plus").click()
    phone.locator("[data-test=submit-bar] button").click()
    expect(phone.locator("[data-test=full-reduction]")).to_contain_text("满60减5 -¥5.00")
    expect(phone.locator("[data-test=coupon-picker]")).to_contain_text("-¥10.00")
    expect(phone.locator("[data-test=place-order]")).to_contain_text("50.80")
    phone_shot(phone, "growth-h5-cart")
    phone.locator("[data-test=place-order] button").click()
    phone.wait_for_url("**/pay/sandbox/**")
    expect(phone.get_by_text("¥50.80")).to_be_visible()
    phone.get_by_role("button", name="确认支付").click()
    phone.wait_for_url(re.compile(rf".*/h5/s/{shop.id}/orders/\d+$"))
    expect(phone.locator("[data-test=order-status]")).to_have_text("已付款")
    expect(phone.locator("[data-test=payment-gift]")).to_contain_text("下单礼 无门槛3元")
    expect(phone.locator("[data-test=order-reduction]")).to_contain_text("-¥5.00")
    expect(phone.locator("[data-test=order-coupon]")).to_contain_text("-¥10.00")
    phone_shot(phone, "growth-h5-result")

    order = Order.objects.get(shop=shop, member=buyer)
    assert (order.items_fen, order.reduction_fen, order.discount_fen, order.total_fen) == (6580, 500, 1500, 5080)
    assert Coupon.objects.get(member=buyer, template__name=COUPON).status == "used"

    # The leader shares the allotted coupon; a friend claims it through the link
    leader = new_phone()
    sms_login(leader, nearest.user.phone, f"/h5/s/{shop.id}/leader/coupons")
    card = leader.locator("[data-test=allotment]")
    expect(card).to_have_count(1)
    expect(card).to_contain_text(COUPON)
    phone_shot(leader, "growth-h5-leader")
    template_id = Coupon.objects.get(member=buyer, template__name=COUPON).template_id
    friend = new_phone()
    sms_login(friend, FRIEND_PHONE, f"/h5/s/{shop.id}/coupon-centre?leader={nearest.id}&template={template_id}")
    with friend.expect_response(lambda response: response.url.endswith("/claim")) as claimed:
        friend.click("[data-test=claim-leader-coupon]")
    assert claimed.value.status == 201, claimed.value.text()
    expect(friend.locator("[data-test=leader-coupon]")).to_contain_text("已领取")
    phone_shot(friend, "growth-h5-friend")
    claimed_coupon = Coupon.objects.get(member__phone=FRIEND_PHONE, template_id=template_id)
    assert (claimed_coupon.channel, claimed_coupon.leader_claim.allotment.leader_id) == ("leader", nearest.id)

    # The console order drawer shows the discounts of the buyer's order
    desktop.locator("[data-menu=orders]").click()
    desktop.locator(".el-table__body tr", has_text=order.number).first.click()
    expect(desktop.locator("[data-test=order-discount]")).to_have_text("-¥15.00（满减 ¥5.00 + 优惠券 ¥10.00）")
    expect(desktop.locator("[data-test=line-discount]")).to_contain_text("-¥15.00")
    save_shot(desktop, "growth-console-order")
