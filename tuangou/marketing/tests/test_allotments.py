"""发券宝: allotments to leaders, claims through a leader's link, the leader's figures."""

import pytest

from tuangou.core.errors import ApplicationError
from tuangou.leaders.tests.factories import LeaderFactory
from tuangou.marketing import allotments
from tuangou.marketing.models import Coupon, CouponTemplate, LeaderCouponAllotment, LeaderCouponClaim
from tuangou.orders.tests.factories import given_live_campaign, given_member, login, pay, place, staff_login

from .factories import given_template
from .test_concurrency import race

pytestmark = pytest.mark.django_db


def allotted(world, quantity=3, **template):
    template = given_template(world.shop, **{"total": 100, "per_member_limit": 1, **template})
    allotments.allotments_set(shop=world.shop, template_id=template.pk, quantity=quantity, leader_ids=[world.leader.pk])
    return LeaderCouponAllotment.objects.get(template=template, leader=world.leader)


def claim(world, allotment, member=None):
    return allotments.allotment_claim(
        shop=world.shop, member=member or world.member, leader_id=allotment.leader_id, template_id=allotment.template_id
    )


def test_a_claim_draws_on_the_allotment_and_the_stock_and_records_the_leader():
    world = given_live_campaign()
    allotment = allotted(world)

    coupon = claim(world, allotment)

    allotment.refresh_from_db()
    allotment.template.refresh_from_db()
    assert (allotment.claimed, allotment.template.issued, coupon.channel) == (1, 1, "leader")
    assert LeaderCouponClaim.objects.get(coupon=coupon).allotment.leader == world.leader


def test_an_exhausted_allotment_refuses_cleanly_and_issues_nothing():
    world = given_live_campaign()
    allotment = allotted(world, quantity=1)
    claim(world, allotment)
    other = given_member(world.shop, world.leader)

    response = login(other).post(
        f"/api/shops/{world.shop.pk}/leader-coupons/{allotment.template_id}/claim", {"leader_id": world.leader.pk}
    )

    assert response.status_code == 409 and response.json()["code"] == "allotment_exhausted"
    allotment.template.refresh_from_db()
    assert (allotment.template.issued, Coupon.objects.filter(member=other).count()) == (1, 0)


def test_the_templates_stock_refuses_while_the_allotment_has_some_left():
    world = given_live_campaign()
    allotment = allotted(world, quantity=5, total=1)
    claim(world, allotment)

    with pytest.raises(ApplicationError) as refused:
        claim(world, allotment, member=given_member(world.shop, world.leader))

    assert (refused.value.code, refused.value.status) == ("coupon_out_of_stock", 409)
    allotment.refresh_from_db()
    assert allotment.claimed == 1  # the allotment's take went back with the rollback


def test_the_per_member_limit_still_holds_through_a_leaders_link():
    world = given_live_campaign()
    allotment = allotted(world, quantity=5, per_member_limit=1)
    claim(world, allotment)

    with pytest.raises(ApplicationError) as refused:
        claim(world, allotment)

    assert refused.value.code == "coupon_limit_reached"
    allotment.refresh_from_db()
    assert (allotment.claimed, Coupon.objects.count()) == (1, 1)


def test_allot_to_all_active_leaders_never_below_claimed_and_only_to_leader_templates():
    world = given_live_campaign()
    LeaderFactory(shop=world.shop)
    LeaderFactory(shop=world.shop, status="suspended")
    allotment = allotted(world, quantity=3)
    claim(world, allotment)
    closed = given_template(world.shop, channels=["claim"])

    assert allotments.allotments_set(shop=world.shop, template_id=allotment.template_id, quantity=2) == 2
    with pytest.raises(ApplicationError) as below:
        allotments.allotments_set(shop=world.shop, template_id=allotment.template_id, quantity=0)
    with pytest.raises(ApplicationError) as channel:
        allotments.allotments_set(shop=world.shop, template_id=closed.pk, quantity=2)

    assert (below.value.code, channel.value.code) == ("allotment_below_claimed", "coupon_channel_closed")
    assert sorted(LeaderCouponAllotment.objects.values_list("quantity", "claimed")) == [(2, 0), (2, 1)]


def test_the_leader_and_the_console_see_allotted_claimed_used_and_gmv():
    world = given_live_campaign(price_fen=6000)
    allotment = allotted(world, quantity=3)
    coupon = claim(world, allotment)
    claim(world, allotment, member=given_member(world.shop, world.leader))
    pay(place(world, coupon_id=coupon.pk))

    mine = login(world.leader.user).get(f"/api/shops/{world.shop.pk}/leader/coupon-allotments")
    console = staff_login(world.shop).get(f"/api/console/shops/{world.shop.pk}/coupon-allotments")

    assert mine.status_code == 200, mine.content
    row = mine.json()[0]
    assert (row["quantity"], row["claimed"], row["used"], row["gmv_fen"]) == (3, 2, 1, 6000 - 500)
    assert row["link"].endswith(f"/coupon-centre?leader={world.leader.pk}&template={allotment.template_id}")
    item = console.json()["items"][0]
    assert (item["leader_name"], item["claimed"], item["used"], item["gmv_fen"]) == (world.leader.name, 2, 1, 5500)


def test_the_console_allots_through_the_api_and_a_member_claims_through_the_link():
    world = given_live_campaign()
    template = given_template(world.shop)
    staff = staff_login(world.shop)

    response = staff.post(
        f"/api/console/shops/{world.shop.pk}/coupon-allotments",
        {"template_id": template.pk, "quantity": 2, "leader_ids": [world.leader.pk]},
    )
    offered = login(world.member).get(f"/api/shops/{world.shop.pk}/leader-coupons?leader_id={world.leader.pk}")
    claimed = world.member.api_client.post(
        f"/api/shops/{world.shop.pk}/leader-coupons/{template.pk}/claim", {"leader_id": world.leader.pk}
    )

    assert (response.status_code, response.json()) == (200, {"leaders": 1})
    assert [(o["template"]["id"], o["left"], o["can_claim"]) for o in offered.json()] == [(template.pk, 2, True)]
    assert claimed.status_code == 201 and claimed.json()["channel"] == "leader"
    after = world.member.api_client.get(f"/api/shops/{world.shop.pk}/leader-coupons?leader_id={world.leader.pk}")
    assert [(o["left"], o["received"], o["can_claim"]) for o in after.json()] == [(1, 1, False)]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_members_racing_for_an_allotment_of_three_get_exactly_three(require_postgres):
    world = given_live_campaign()
    allotment = allotted(world, quantity=3, total=100)
    members = [given_member(world.shop, world.leader) for _ in range(10)]

    outcomes = race(10, lambda index: claim(world, allotment, member=members[index]))

    assert outcomes == ["allotment_exhausted"] * 7 + ["ok"] * 3
    allotment.refresh_from_db()
    assert (allotment.claimed, CouponTemplate.objects.get().issued, Coupon.objects.count()) == (3, 3, 3)
