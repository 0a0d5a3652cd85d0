"""支付有礼: one gift per (activity, order), however often the paid notify or the job comes; a full
refund takes back what is still unused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.core.testing import ok
from tuangou.marketing import gifts
from tuangou.marketing.models import Coupon, PaymentGift, PaymentGiftGrant
from tuangou.orders.tests.factories import (
    CampaignItemFactory,
    given_live_campaign,
    notify,
    paid_order,
    pay,
    place,
    staff_login,
)

from .factories import given_template

pytestmark = pytest.mark.django_db
G = PaymentGiftGrant.Status


@pytest.fixture
def world():
    return given_live_campaign(price_fen=1290)


def given_activity(world, *, count: int = 1, **overrides) -> PaymentGift:
    """Pay ≥ ¥10 today: `count` 无门槛 ¥3 coupons."""
    template = given_template(
        world.shop, name="支付礼券", kind="no_threshold", threshold_fen=0, reduce_fen=300, per_member_limit=10
    )
    now = timezone.now()
    data = {
        "name": "支付满10送券",
        "starts_at": now - timedelta(hours=1),
        "ends_at": now + timedelta(days=1),
        "min_paid_fen": 1000,
        "scope": "all",
        "scope_ids": [],
        "gifts": [{"template_id": template.pk, "count": count}],
    }
    data.update(overrides)
    activity = gifts.payment_gift_create(shop=world.shop, actor=None, **data)
    activity.template = template
    return activity


def gift_coupons(world, order):
    grant = PaymentGiftGrant.objects.get(order_id=order.pk)
    return grant, list(Coupon.objects.filter(pk__in=grant.coupon_ids, member=world.member).order_by("pk"))


def test_a_paid_order_gets_its_gift_once_though_the_notify_comes_twice(world):
    activity = given_activity(world, count=2)
    order = place(world)
    payment = pay(order)

    assert notify(payment).status_code == 200  # the gateway repeats itself

    grant, coupons = gift_coupons(world, order)
    assert (grant.status, grant.activity_id, len(coupons)) == (G.DELIVERED, activity.pk, 2)
    assert {(c.channel, c.status, c.reduce_fen) for c in coupons} == {("payment_gift", "unused", 300)}
    assert PaymentGiftGrant.objects.filter(order_id=order.pk).count() == 1


def test_the_job_run_twice_delivers_once(world):
    given_activity(world)
    order = paid_order(world)

    assert gifts.payment_gifts_deliver(order_id=order.pk) == 0
    assert gifts.payment_gifts_deliver(order_id=order.pk) == 0
    assert Coupon.objects.filter(member=world.member, channel="payment_gift").count() == 1


def test_below_the_minimum_out_of_scope_or_outside_the_period_gives_nothing(world):
    now = timezone.now()
    given_activity(world, min_paid_fen=1291)  # the order pays ¥12.90
    given_activity(world, scope="products", scope_ids=[_other_product(world)])
    given_activity(world, starts_at=now + timedelta(hours=1), ends_at=now + timedelta(days=1))
    given_activity(world, starts_at=now - timedelta(days=2), ends_at=now - timedelta(days=1))
    paused = given_activity(world)
    gifts.payment_gift_set_status(activity=paused, status="paused")

    order = paid_order(world)

    assert not PaymentGiftGrant.objects.filter(order_id=order.pk).exists()
    assert not Coupon.objects.filter(member=world.member, channel="payment_gift").exists()


def _other_product(world) -> int:
    return CampaignItemFactory(campaign=world.campaign).sku.product_id


def test_a_full_refund_takes_back_the_unused_gift_but_not_the_used_one(world):
    given_activity(world, count=2)
    order = paid_order(world, 2)
    grant, (used, unused) = gift_coupons(world, order)
    paid_order(world, coupon_id=used.pk)  # the member spends one gift on another order
    finance = staff_login(world.shop, "finance")

    ok(
        finance.post(
            f"console/shops/{world.shop.id}/orders/{order.id}/refund",
            {
                "reason": "缺货",
                "lines": [{"line_id": line.id, "quantity": line.quantity} for line in order.lines.all()],
            },
        )
    )

    used.refresh_from_db()
    unused.refresh_from_db()
    grant.refresh_from_db()
    assert (used.status, unused.status, grant.status) == ("used", "revoked", G.REVOKED)
    assert gifts.payment_gifts_deliver(order_id=order.pk) == 0  # a late job gives nothing back


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_delivery_jobs_at_once_for_one_order_deliver_one_gift(require_postgres):
    from .test_concurrency import race

    world = given_live_campaign(price_fen=1290)
    activity = given_activity(world, count=3)
    order_id = 987_654  # the grant as the paid event records it, before its job has run
    PaymentGiftGrant.objects.create(shop=world.shop, activity=activity, order_id=order_id, member=world.member)

    outcomes = race(2, lambda _: gifts.payment_gifts_deliver(order_id=order_id))

    assert outcomes == ["ok", "ok"]
    grant = PaymentGiftGrant.objects.get(order_id=order_id)
    assert (grant.status, len(grant.coupon_ids)) == (G.DELIVERED, 3)
    assert Coupon.objects.filter(member=world.member, channel="payment_gift").count() == 3
    activity.template.refresh_from_db()
    assert activity.template.issued == 3


def test_the_console_creates_lists_and_pauses_and_the_member_sees_the_gift_on_the_result(world):
    from tuangou.orders.tests.factories import login

    template = given_template(world.shop, name="支付礼券", kind="no_threshold", threshold_fen=0, reduce_fen=300)
    owner = staff_login(world.shop)
    url = f"console/shops/{world.shop.id}/payment-gifts"
    now = timezone.now()
    body = {
        "name": "支付送券",
        "starts_at": (now - timedelta(hours=1)).isoformat(),
        "ends_at": (now + timedelta(days=1)).isoformat(),
        "min_paid_fen": 1000,
        "gifts": [{"template_id": template.pk, "count": 1}],
    }
    assert owner.post(url, {**body, "ends_at": body["starts_at"]}).status_code == 400
    created = ok(owner.post(url, body), 201)
    assert created["gifts"] == [{"template_id": template.pk, "template_name": "支付礼券", "count": 1}]
    order = paid_order(world)

    gifts_seen = ok(login(world.member).get(f"shops/{world.shop.id}/orders/{order.id}/gifts"))
    listed = ok(owner.get(url))
    paused = ok(owner.post(f"{url}/{created['id']}/status", {"status": "paused"}))

    assert [(g["activity_name"], g["status"], [c["reduce_fen"] for c in g["coupons"]]) for g in gifts_seen] == [
        ("支付送券", "delivered", [300])
    ]
    assert [(a["name"], a["grants_count"]) for a in listed] == [("支付送券", 1)]
    assert paused["status"] == "paused"


def test_a_gift_whose_job_was_lost_is_delivered_by_the_schedule(world, monkeypatch):
    given_activity(world)
    monkeypatch.setattr(gifts, "_queue_delivery", lambda order_id: None)  # the worker died with the job
    order = paid_order(world)
    assert PaymentGiftGrant.objects.get(order_id=order.pk).status == G.PENDING

    assert gifts.payment_gifts_redrive() == 0  # a job only slow for a minute is left to itself
    later = timezone.now() + timedelta(minutes=6)
    assert gifts.payment_gifts_redrive(now=later) == 1
    assert gifts.payment_gifts_redrive(now=later) == 0
    grant, coupons = gift_coupons(world, order)
    assert (grant.status, len(coupons)) == (G.DELIVERED, 1)
