"""The demo shop's growth engine beyond the coupon centre: a 满减送 running on the whole shop, a
支付有礼 activity, and coupons allotted to every leader (发券宝), some already claimed through
their links. Set up before the demo's orders, so checkout and payment apply them for real."""

from datetime import timedelta

from tuangou.marketing import allotments, gifts, reductions
from tuangou.marketing import services as coupon_services

COMMON = {"percent_off_bp": 0, "max_discount_fen": 0, "scope": "all", "scope_ids": []}


def demo_growth_setup(*, shop, owner, now) -> None:
    reductions.full_reduction_create(
        shop=shop,
        actor=owner,
        name="周末满减",
        starts_at=now - timedelta(days=60),
        ends_at=now + timedelta(days=30),
        scope="all",
        scope_ids=[],
        tiers=[{"threshold_fen": 9900, "reduce_fen": 1000}, {"threshold_fen": 19900, "reduce_fen": 2500}],
    )
    gift = coupon_services.coupon_template_create(
        shop=shop,
        actor=owner,
        name="支付有礼 满30减5",
        kind="reduce",
        threshold_fen=3000,
        reduce_fen=500,
        validity="days",
        valid_days=14,
        total=5000,
        per_member_limit=20,
        channels=["payment_gift"],
        **COMMON,
    )
    gifts.payment_gift_create(
        shop=shop,
        actor=owner,
        name="付款满50送5元券",
        starts_at=now - timedelta(days=60),
        ends_at=now + timedelta(days=30),
        min_paid_fen=5000,
        scope="all",
        scope_ids=[],
        gifts=[{"template_id": gift.pk, "count": 1}],
    )


def demo_allotments(*, shop, owner, members, random) -> None:
    """Every active leader may hand out 30 of 团长专享 满39减5; a quarter of the members claimed
    one through their own leader's link."""
    template = coupon_services.coupon_template_create(
        shop=shop,
        actor=owner,
        name="团长专享 满39减5",
        kind="reduce",
        threshold_fen=3900,
        reduce_fen=500,
        validity="days",
        valid_days=10,
        total=1000,
        per_member_limit=1,
        channels=["leader"],
        **COMMON,
    )
    allotments.allotments_set(shop=shop, template_id=template.pk, quantity=30)
    for user, leader in random.sample(members, len(members) // 4):
        allotments.allotment_claim(shop=shop, member=user, leader_id=leader.id, template_id=template.pk)
