"""Races that only PostgreSQL's row locks can answer honestly."""

import threading

import pytest
from django.db import connection

from tuangou.core.errors import ApplicationError
from tuangou.marketing import services
from tuangou.marketing.models import Coupon, CouponHolding, CouponTemplate
from tuangou.orders import services as orders
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import given_live_campaign, given_member

from .factories import given_coupon, given_template

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(count: int, work) -> list[str]:
    """Run work(i) in `count` threads released together; the outcome of each: "ok" or an error code."""
    start, lock, outcomes = threading.Barrier(count), threading.Lock(), []

    def run(index):
        try:
            start.wait()
            work(index)
            outcome = "ok"
        except ApplicationError as error:
            outcome = error.code
        except Exception as error:  # a bug: the assertions show it
            outcome = repr(error)
        finally:
            connection.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_checkouts_racing_for_one_coupon_one_wins(require_postgres):
    world = given_live_campaign(price_fen=6000)
    coupon = given_coupon(world.shop, world.member)

    outcomes = race(
        2,
        lambda _: orders.order_place(
            shop=world.shop,
            member=world.member,
            campaign_id=world.campaign.id,
            items=[{"campaign_item_id": world.item.id, "quantity": 1}],
            coupon_id=coupon.pk,
        ),
    )

    assert outcomes == ["coupon_unavailable", "ok"]
    order = Order.objects.get()
    coupon.refresh_from_db()
    assert (coupon.status, coupon.order_id, order.discount_fen) == ("locked", order.pk, 500)
    world.item.refresh_from_db()
    assert world.item.stock_left == 19  # the loser's stock went back with its rollback


def test_thirty_members_claiming_ten_coupons_at_once_get_exactly_ten(require_postgres):
    world = given_live_campaign()
    template = given_template(world.shop, channels=["claim"], total=10)
    members = [given_member(world.shop, world.leader) for _ in range(30)]

    outcomes = race(30, lambda i: services.coupon_claim(shop=world.shop, member=members[i], template_id=template.pk))

    assert outcomes.count("ok") == 10 and outcomes.count("coupon_out_of_stock") == 20
    assert CouponTemplate.objects.get(pk=template.pk).issued == 10
    assert Coupon.objects.filter(template=template).count() == 10


def test_one_member_claiming_eight_times_at_once_is_held_to_the_limit(require_postgres):
    world = given_live_campaign()
    template = given_template(world.shop, channels=["claim"], total=100, per_member_limit=3)

    outcomes = race(8, lambda _: services.coupon_claim(shop=world.shop, member=world.member, template_id=template.pk))

    assert outcomes.count("ok") == 3 and outcomes.count("coupon_limit_reached") == 5
    assert Coupon.objects.filter(template=template, member=world.member).count() == 3
    assert CouponHolding.objects.get(template=template, member=world.member).received == 3
    assert CouponTemplate.objects.get(pk=template.pk).issued == 3  # refused claims gave their stock back


def test_grants_of_several_never_overshoot_the_stock(require_postgres):
    world = given_live_campaign()
    template = given_template(world.shop, total=10, per_member_limit=5)
    members = [given_member(world.shop, world.leader) for _ in range(6)]

    outcomes = race(6, lambda i: services.coupons_grant(template=template, member=members[i], channel="targeted", n=3))

    assert outcomes.count("ok") == 3 and outcomes.count("coupon_out_of_stock") == 3
    assert CouponTemplate.objects.get(pk=template.pk).issued == 9
    assert Coupon.objects.filter(template=template).count() == 9
