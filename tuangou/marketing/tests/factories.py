"""Givens for coupon tests: a template made through the service, coupons granted to a member."""

from datetime import timedelta

from django.utils import timezone

from tuangou.marketing import services
from tuangou.marketing.models import Channel, CouponTemplate

ALL_CHANNELS = [channel.value for channel in Channel]


def given_template(shop, **overrides) -> CouponTemplate:
    """满减 ¥50 − ¥5 on everything, valid 7 days from receipt, 100 issued, 1 per member,
    issuable through every channel."""
    data = {
        "name": "满50减5",
        "kind": "reduce",
        "threshold_fen": 5000,
        "reduce_fen": 500,
        "percent_off_bp": 0,
        "max_discount_fen": 0,
        "scope": "all",
        "scope_ids": [],
        "validity": "days",
        "valid_days": 7,
        "total": 100,
        "per_member_limit": 1,
        "channels": ALL_CHANNELS,
    }
    data.update(overrides)
    return services.coupon_template_create(shop=shop, actor=None, **data)


def given_coupon(shop, member, **overrides):
    template = given_template(shop, **overrides)
    return services.coupons_grant(template=template, member=member, channel=Channel.TARGETED)[0]


def fixed_dates(days_ago: int, days_left: int) -> dict:
    now = timezone.now()
    return {
        "validity": "fixed",
        "valid_from": now - timedelta(days=days_ago),
        "valid_until": now + timedelta(days=days_left),
        "valid_days": 0,
    }
