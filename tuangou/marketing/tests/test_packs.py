"""定向发放: members picked by a filter, all or nothing per member, nothing issued twice."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.core.testing import ok
from tuangou.leaders.models import Membership
from tuangou.leaders.tests.factories import LeaderFactory
from tuangou.marketing import packs
from tuangou.marketing.models import Coupon, CouponPack, CouponPackDelivery
from tuangou.notifications.models import Message
from tuangou.orders.tests.factories import given_live_campaign, given_member, paid_order, staff_login

from .factories import given_template

pytestmark = pytest.mark.django_db


def pack_body(template, **overrides):
    body = {"name": "老客回馈", "template_id": template.id, "quantity": 2, "audience": "leaders"}
    body.update(overrides)
    return body


def test_a_pack_to_one_leaders_members_gives_each_two_coupons_and_tells_them_once():
    world = given_live_campaign()
    others = LeaderFactory(shop=world.shop)
    second = given_member(world.shop, world.leader)
    stranger = given_member(world.shop, others)
    template = given_template(world.shop, channels=["targeted"], per_member_limit=2)
    operations = staff_login(world.shop, "operations")

    body = ok(
        operations.post(
            f"console/shops/{world.shop.id}/coupon-packs", pack_body(template, leader_ids=[world.leader.id])
        ),
        201,
    )

    pack = CouponPack.objects.get(pk=body["id"])  # the job ran after COMMIT (inline under test)
    assert (pack.status, pack.members_total, pack.delivered, pack.refused) == ("done", 2, 2, 0)
    assert Coupon.objects.filter(member=world.member, channel="targeted").count() == 2
    assert Coupon.objects.filter(member=second).count() == 2
    assert Coupon.objects.filter(member=stranger).count() == 0
    assert Message.objects.filter(user=world.member, data__pack_id=pack.pk).count() == 1

    CouponPack.objects.filter(pk=pack.pk).update(status="running")  # a second run of the job
    packs.coupon_pack_deliver(pack_id=pack.pk)

    assert Coupon.objects.filter(template=template).count() == 4
    assert CouponPackDelivery.objects.filter(pack=pack).count() == 2
    assert Message.objects.filter(user=world.member, data__pack_id=pack.pk).count() == 1
    listed = ok(operations.get(f"console/shops/{world.shop.id}/coupon-packs"))["items"][0]
    assert (listed["delivered"], listed["members_total"], listed["template_name"]) == (2, 2, "满50减5")


def test_a_pack_whose_job_was_lost_is_finished_by_the_schedule_and_a_fresh_one_is_left_alone():
    world = given_live_campaign()
    template = given_template(world.shop, channels=["targeted"], per_member_limit=2)  # the pack gives two each
    operations = staff_login(world.shop, "operations")
    body = ok(
        operations.post(
            f"console/shops/{world.shop.id}/coupon-packs", pack_body(template, leader_ids=[world.leader.id])
        ),
        201,
    )
    pack = CouponPack.objects.get(pk=body["id"])
    # The worker died part-way: a member it had still to serve has no delivery row; the pack reads 发放中.
    second = given_member(world.shop, world.leader)
    CouponPack.objects.filter(pk=pack.pk).update(status="running")
    CouponPackDelivery.objects.filter(pack=pack).update(created_at=timezone.now() - timedelta(minutes=20))

    assert packs.coupon_packs_redrive(now=timezone.now() + timedelta(minutes=3)) == 0  # made 3 minutes ago
    later = timezone.now() + timedelta(minutes=11)
    assert packs.coupon_packs_redrive(now=later) == 1
    assert packs.coupon_packs_redrive(now=later) == 0

    pack.refresh_from_db()
    assert (pack.status, pack.delivered, pack.members_total) == ("done", 2, 2)
    assert Coupon.objects.filter(member=second, template=template).count() == 2
    assert Coupon.objects.filter(member=world.member, template=template).count() == 2  # not four


def test_a_member_the_stock_cannot_serve_in_full_gets_nothing_and_is_counted_refused():
    world = given_live_campaign()
    second = given_member(world.shop, world.leader)
    template = given_template(world.shop, channels=["targeted"], per_member_limit=5, total=3)
    pack = packs.coupon_pack_create(
        shop=world.shop,
        actor=None,
        name="p",
        template_id=template.id,
        quantity=2,
        audience="leaders",
        params={"leader_ids": [world.leader.id]},
    )

    pack.refresh_from_db()
    assert (pack.delivered, pack.refused) == (1, 1)
    counts = sorted(Coupon.objects.filter(member__in=[world.member, second]).values_list("member_id", flat=True))
    assert len(counts) == 2 and len(set(counts)) == 1  # one member got both, the other none
    refused = CouponPackDelivery.objects.get(pack=pack, status="refused")
    assert refused.reason == "coupon_out_of_stock"


def test_filters_new_idle_category_and_phones_pick_the_right_members():
    world = given_live_campaign(price_fen=6000)
    buyer = world.member
    paid_order(world)
    idle = given_member(world.shop, world.leader)
    Membership.objects.filter(user=idle).update(created_at=timezone.now() - timedelta(days=40))
    Membership.objects.filter(user=buyer).update(created_at=timezone.now() - timedelta(days=40))
    newcomer = given_member(world.shop, world.leader)
    category = world.item.sku.product.category_id
    template = given_template(world.shop, channels=["targeted"])

    def picked(audience, **params):
        pack = CouponPack(shop=world.shop, template=template, audience=audience, audience_params=params)
        return set(packs.pack_members(pack))

    assert picked("new", days=7) == {newcomer.id}
    assert picked("idle", days=30) == {idle.id, newcomer.id}
    assert picked("category", category_id=category) == {buyer.id}
    assert picked("phones", phones=[idle.phone, "13900009999"]) == {idle.id}


def test_bad_pack_input_names_its_field_and_writes_nothing():
    world = given_live_campaign()
    claim_only = given_template(world.shop, channels=["claim"])
    template = given_template(world.shop, channels=["targeted"])
    other = given_live_campaign()
    operations = staff_login(world.shop, "operations")
    url = f"console/shops/{world.shop.id}/coupon-packs"

    cases = [
        (pack_body(claim_only, leader_ids=[world.leader.id]), 409, "coupon_channel_closed", "template_id"),
        (pack_body(template, leader_ids=[other.leader.id]), 400, "invalid", "leader_ids"),
        (pack_body(template, audience="new"), 400, "validation", "days"),
        (pack_body(template, audience="phones", phones=["123"]), 422, "phone_invalid", "phones"),
        (
            pack_body(template, audience="category", category_id=other.item.sku.product.category_id),
            404,
            "not_found",
            "category_id",
        ),
        (pack_body(template, quantity=0, leader_ids=[world.leader.id]), 422, "validation_error", "quantity"),
    ]
    for body, status, code, field in cases:
        response = operations.post(url, body)
        answer = response.json()
        assert (response.status_code, answer["code"], answer["field"]) == (status, code, field), body
    assert CouponPack.objects.count() == 0 and Coupon.objects.count() == 0
