"""Templates and the grants that issue coupons from them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.core.errors import ApplicationError
from tuangou.core.testing import ok
from tuangou.leaders.models import Membership
from tuangou.leaders.services import membership_bind
from tuangou.marketing import services
from tuangou.marketing.models import Coupon, CouponHolding, CouponTemplate
from tuangou.orders.tests.factories import given_live_campaign, login, pay, staff_login
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory

from .factories import fixed_dates, given_coupon, given_template

pytestmark = pytest.mark.django_db


def test_a_grant_of_five_against_three_left_is_refused_and_issues_nothing():
    world = given_live_campaign()
    template = given_template(world.shop, total=3, per_member_limit=10)

    with pytest.raises(ApplicationError) as refused:
        services.coupons_grant(template=template, member=world.member, channel="targeted", n=5)

    assert (refused.value.code, refused.value.params["left"]) == ("coupon_out_of_stock", 3)
    template.refresh_from_db()
    assert template.issued == 0
    assert Coupon.objects.count() == 0
    assert CouponHolding.objects.filter(received__gt=0).count() == 0
    assert len(services.coupons_grant(template=template, member=world.member, channel="targeted", n=3)) == 3


def test_the_per_member_limit_refuses_the_grant_that_would_pass_it_and_gives_its_stock_back():
    world = given_live_campaign()
    template = given_template(world.shop, total=10, per_member_limit=2)
    services.coupons_grant(template=template, member=world.member, channel="targeted")

    with pytest.raises(ApplicationError) as refused:
        services.coupons_grant(template=template, member=world.member, channel="targeted", n=2)

    assert refused.value.code == "coupon_limit_reached"
    template.refresh_from_db()
    assert template.issued == 1  # the stock taken before the limit said no went back with the rollback
    assert Coupon.objects.filter(member=world.member).count() == 1


def test_a_paused_template_or_a_closed_channel_issues_nothing():
    world = given_live_campaign()
    template = given_template(world.shop, channels=["claim"])
    with pytest.raises(ApplicationError) as closed:
        services.coupons_grant(template=template, member=world.member, channel="targeted")
    services.coupon_template_set_status(template=template, status="paused")
    with pytest.raises(ApplicationError) as paused:
        services.coupons_grant(template=template, member=world.member, channel="claim")

    assert (closed.value.code, paused.value.code) == ("coupon_channel_closed", "coupon_paused")
    assert Coupon.objects.count() == 0


def test_editing_a_template_never_changes_coupons_already_issued():
    world = given_live_campaign()
    coupon = given_coupon(world.shop, world.member, threshold_fen=5000, reduce_fen=500)

    CouponTemplate.objects.filter(pk=coupon.template_id).update(threshold_fen=100, reduce_fen=50, name="改了")

    coupon.refresh_from_db()
    assert (coupon.name, coupon.threshold_fen, coupon.reduce_fen) == ("满50减5", 5000, 500)


def test_validity_is_fixed_dates_or_days_from_receipt():
    world = given_live_campaign()
    fixed = given_coupon(world.shop, world.member, **fixed_dates(1, 3))
    template = CouponTemplate.objects.get(pk=fixed.template_id)
    by_days = given_coupon(world.shop, world.member, valid_days=7)

    assert (fixed.valid_from, fixed.valid_until) == (template.valid_from, template.valid_until)
    assert timedelta(days=7) == by_days.valid_until - by_days.valid_from
    assert abs(by_days.valid_from - timezone.now()) < timedelta(minutes=1)


def test_a_new_member_gets_the_new_member_coupons_on_first_binding_once():
    world = given_live_campaign()
    given_template(world.shop, name="新人券", channels=["new_member"])
    given_template(world.shop, name="领券中心券", channels=["claim"])
    newcomer = MemberUserFactory()

    membership_bind(shop=world.shop, user=newcomer, leader_id=world.leader.id)
    membership_bind(shop=world.shop, user=newcomer, leader_id=world.leader.id)

    assert list(Coupon.objects.filter(member=newcomer).values_list("name", "channel")) == [("新人券", "new_member")]
    assert Membership.objects.filter(user=newcomer).count() == 1


def test_a_new_member_coupon_out_of_stock_never_stops_the_binding():
    world = given_live_campaign()
    given_template(world.shop, channels=["new_member"], total=1)
    first, second = MemberUserFactory(), MemberUserFactory()

    membership_bind(shop=world.shop, user=first, leader_id=world.leader.id)
    membership_bind(shop=world.shop, user=second, leader_id=world.leader.id)

    assert Coupon.objects.filter(member=first).count() == 1
    assert Coupon.objects.filter(member=second).count() == 0
    assert Membership.objects.filter(user=second, leader=world.leader).exists()


# --- through the API ------------------------------------------------------------------------


def create_url(shop):
    return f"console/shops/{shop.id}/coupon-templates"


def reduce_body(**overrides):
    body = {
        "name": "满50减5",
        "kind": "reduce",
        "threshold_fen": 5000,
        "reduce_fen": 500,
        "validity": "days",
        "valid_days": 7,
        "total": 100,
        "per_member_limit": 1,
        "channels": ["claim"],
    }
    body.update(overrides)
    return body


def test_the_merchant_creates_a_template_and_bad_rules_name_their_field():
    shop = ShopFactory()
    other_shop_category = given_live_campaign().item.sku.product.category_id
    operations = staff_login(shop, "operations")

    body = ok(operations.post(create_url(shop), reduce_body()), 201)
    assert (body["kind_label"], body["status"], body["issued"], body["used"]) == ("满减", "active", 0, 0)

    cases = [
        (reduce_body(reduce_fen=5000), 400, "coupon_reduce_too_large", "reduce_fen"),
        (reduce_body(kind="percent", percent_off_bp=0), 400, "validation", "percent_off_bp"),
        (reduce_body(validity="fixed"), 400, "required", "valid_from"),
        (reduce_body(scope="categories", scope_ids=[other_shop_category]), 400, "invalid", "scope_ids"),
        (reduce_body(channels=[]), 422, "validation_error", "channels"),
        (reduce_body(total=10**12), 422, "validation_error", "total"),
        (reduce_body(name="满减\x00券"), 422, "validation_error", "name"),
    ]
    for body, status, code, field in cases:
        response = operations.post(create_url(shop), body)
        answer = response.json()
        assert (response.status_code, answer["code"], answer["field"]) == (status, code, field), body
    assert CouponTemplate.objects.filter(shop=shop).count() == 1


def test_stats_count_used_coupons_their_gmv_and_cost_and_the_list_exports():
    world = given_live_campaign(price_fen=6000)
    from tuangou.orders import services as orders

    coupon = given_coupon(world.shop, world.member)
    order = orders.order_place(
        shop=world.shop,
        member=world.member,
        campaign_id=world.campaign.id,
        items=[{"campaign_item_id": world.item.id, "quantity": 1}],
        coupon_id=coupon.pk,
    )
    pay(order)
    finance = staff_login(world.shop, "finance")

    body = ok(finance.get(create_url(world.shop)))

    row = body["items"][0]
    assert (row["issued"], row["used"], row["gmv_fen"], row["cost_fen"]) == (1, 1, 5500, 500)
    export = finance.get(create_url(world.shop) + "/export.xlsx")
    assert export.status_code == 200 and export.content[:2] == b"PK"
    assert finance.post(f"{create_url(world.shop)}/{row['id']}/status", {"status": "paused"}).status_code == 403


def test_a_member_claims_from_the_centre_up_to_the_limit_and_sees_their_coupons():
    world = given_live_campaign(price_fen=6000)
    template = given_template(world.shop, channels=["claim"], per_member_limit=1, total=5)
    given_template(world.shop, name="只限定向", channels=["targeted"])
    given_template(world.shop, name="还没开始", channels=["claim"], claim_starts_at=timezone.now() + timedelta(days=1))
    client = login(world.member)

    centre = ok(client.get(f"shops/{world.shop.id}/coupon-centre"))
    assert [(c["template"]["name"], c["left"], c["can_claim"]) for c in centre] == [("满50减5", 5, True)]

    claimed = ok(client.post(f"shops/{world.shop.id}/coupon-centre/{template.id}/claim"), 201)
    again = client.post(f"shops/{world.shop.id}/coupon-centre/{template.id}/claim")

    assert (claimed["status"], claimed["threshold_fen"]) == ("unused", 5000)
    assert (again.status_code, again.json()["code"]) == (409, "coupon_limit_reached")
    mine = ok(client.get(f"shops/{world.shop.id}/coupons", {"status": "unused"}))
    assert [c["id"] for c in mine["items"]] == [claimed["id"]]
    assert ok(client.get(f"shops/{world.shop.id}/coupons", {"status": "expired"}))["items"] == []
    hidden = client.post(f"shops/{world.shop.id}/coupon-centre/{template.id + 1}/claim")
    assert hidden.status_code == 404


def test_the_cart_picker_shows_the_best_saving_first():
    world = given_live_campaign(price_fen=6000)
    small = given_coupon(world.shop, world.member, threshold_fen=5000, reduce_fen=500)
    big = given_coupon(world.shop, world.member, kind="percent", threshold_fen=0, percent_off_bp=2000)
    out_of_reach = given_coupon(world.shop, world.member, threshold_fen=50000, reduce_fen=8000)
    client = login(world.member)

    options = ok(
        client.post(
            f"shops/{world.shop.id}/coupons/for-cart",
            {"campaign_id": world.campaign.id, "items": [{"campaign_item_id": world.item.id, "quantity": 1}]},
        )
    )

    assert [(o["coupon"]["id"], o["discount_fen"]) for o in options] == [
        (big.id, 1200),
        (small.id, 500),
        (out_of_reach.id, 0),
    ]
