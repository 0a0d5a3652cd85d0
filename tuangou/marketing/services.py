"""Coupons: templates the merchant sets up, and grants that issue coupons from them.

A grant of n coupons to a member takes n from the template's stock and n from the member's
limit, each in one conditional UPDATE (issued + n ≤ total; received + n ≤ per_member_limit),
template row first, then the member's counter, so concurrent grants queue instead of
overshooting, and a grant that cannot be met issues nothing.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.money import format_fen
from tuangou.leaders.services import membership_ensure

from .models import Channel, Coupon, CouponHolding, CouponRules, CouponTemplate, Kind, Scope

logger = logging.getLogger(__name__)
MAX_GRANT = 100  # coupons of one template to one member in one grant
T = CouponTemplate


def _scope_ids_check(*, shop, scope: str, scope_ids: list[int]) -> list[int]:
    from tuangou.catalog.models import Category, Product

    if scope == Scope.ALL:
        return []
    ids = sorted(set(scope_ids))
    if not ids:
        raise ApplicationError("required", field="scope_ids")
    model = Product if scope == Scope.PRODUCTS else Category
    if model.objects.filter(shop=shop, pk__in=ids).count() != len(ids):
        raise ApplicationError("invalid", field="scope_ids", reason="not_in_shop")
    return ids


def _rules_check(data: dict) -> None:
    kind = data["kind"]
    if kind in (Kind.REDUCE, Kind.NO_THRESHOLD) and data["reduce_fen"] < 1:
        raise ApplicationError("required", field="reduce_fen")
    if kind == Kind.REDUCE and data["threshold_fen"] < 1:
        raise ApplicationError("required", field="threshold_fen")
    if kind == Kind.REDUCE and data["reduce_fen"] >= data["threshold_fen"]:
        raise ApplicationError(
            "coupon_reduce_too_large", field="reduce_fen", threshold=format_fen(data["threshold_fen"])
        )
    if kind == Kind.NO_THRESHOLD:
        data["threshold_fen"] = 0
    if kind == Kind.PERCENT:
        if not 1 <= data["percent_off_bp"] <= 9_999:
            raise ApplicationError("validation", field="percent_off_bp", reason="between", low=1, high=9999)
        data["reduce_fen"] = 0
    else:
        data["percent_off_bp"] = data["max_discount_fen"] = 0


@transaction.atomic
def coupon_template_create(*, shop, actor, **data) -> CouponTemplate:
    """A new template, active at once (its claim window decides when members may claim)."""
    _rules_check(data)
    data["scope_ids"] = _scope_ids_check(shop=shop, scope=data["scope"], scope_ids=data.get("scope_ids") or [])
    if data["validity"] == T.Validity.FIXED:
        if not data.get("valid_from") or not data.get("valid_until"):
            raise ApplicationError("required", field="valid_until" if data.get("valid_from") else "valid_from")
        if data["valid_until"] <= data["valid_from"]:
            raise ApplicationError("validation", field="valid_until", reason="after_start")
        data["valid_days"] = 0
    else:
        if not data.get("valid_days"):
            raise ApplicationError("required", field="valid_days")
        data["valid_from"] = data["valid_until"] = None
    if data.get("claim_starts_at") and data.get("claim_ends_at") and data["claim_ends_at"] <= data["claim_starts_at"]:
        raise ApplicationError("validation", field="claim_ends_at", reason="after_start")
    channels = sorted(set(data.get("channels") or []))
    if not channels:
        raise ApplicationError("required", field="channels")
    data["channels"] = channels
    return CouponTemplate.objects.create(shop=shop, created_by=actor, **data)


def coupon_template_set_status(*, template: CouponTemplate, status: str) -> CouponTemplate:
    """Pause (issues nothing more; coupons already issued still work) or resume a template."""
    CouponTemplate.objects.filter(pk=template.pk).update(status=status, updated_at=timezone.now())
    template.refresh_from_db()
    return template


def _validity(template: CouponTemplate, now) -> tuple:
    if template.validity == T.Validity.FIXED:
        return template.valid_from, template.valid_until
    return now, now + timedelta(days=template.valid_days)


def coupons_grant(*, template: CouponTemplate, member, channel: str, n: int = 1, now=None) -> list[Coupon]:
    """Issue n coupons of `template` to `member` through `channel`, or none: refused when the
    template is paused, the channel not allowed, fewer than n are left, or the member would pass
    their limit. The caller's transaction (or this one) holds the two counters' row locks."""
    now = now or timezone.now()
    if not 1 <= n <= MAX_GRANT:
        raise ApplicationError("validation", field="n", reason="between", low=1, high=MAX_GRANT)
    if channel not in template.channels:
        raise ApplicationError("coupon_channel_closed", field="template_id", status=409)
    with transaction.atomic():
        taken = CouponTemplate.objects.filter(
            pk=template.pk, shop_id=template.shop_id, status=T.Status.ACTIVE, issued__lte=F("total") - n
        ).update(issued=F("issued") + n)
        if taken != 1:
            template.refresh_from_db(fields=["status", "issued", "total"])
            if template.status != T.Status.ACTIVE:
                raise ApplicationError("coupon_paused", field="template_id", status=409)
            raise ApplicationError(
                "coupon_out_of_stock", field="template_id", status=409, left=max(template.total - template.issued, 0)
            )
        CouponHolding.objects.bulk_create(
            [CouponHolding(shop_id=template.shop_id, template=template, member=member)], ignore_conflicts=True
        )
        within = CouponHolding.objects.filter(
            template=template, member=member, received__lte=template.per_member_limit - n
        ).update(received=F("received") + n, updated_at=now)
        if within != 1:
            raise ApplicationError(
                "coupon_limit_reached", field="template_id", status=409, limit=template.per_member_limit
            )
        valid_from, valid_until = _validity(template, now)
        rules = {field: getattr(template, field) for field in CouponRules.RULE_FIELDS}
        return Coupon.objects.bulk_create(
            [
                Coupon(
                    shop_id=template.shop_id,
                    template=template,
                    member=member,
                    channel=channel,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    **rules,
                )
                for _ in range(n)
            ]
        )


def coupon_claim(*, shop, member, template_id: int, now=None) -> Coupon:
    """领券中心: a member claims one coupon of a template open to self-claim, inside its window."""
    now = now or timezone.now()
    template = CouponTemplate.objects.filter(shop=shop, pk=template_id).first()
    if template is None or Channel.CLAIM not in template.channels:
        raise NotFound("优惠券", "Coupon", field="template_id")
    if (template.claim_starts_at and now < template.claim_starts_at) or (
        template.claim_ends_at and now >= template.claim_ends_at
    ):
        raise ApplicationError("coupon_claim_closed", field="template_id", status=409)
    if template.validity == T.Validity.FIXED and template.valid_until <= now:
        raise ApplicationError("coupon_claim_closed", field="template_id", status=409)
    with transaction.atomic():
        membership_ensure(shop=shop, user=member)
        return coupons_grant(template=template, member=member, channel=Channel.CLAIM, now=now)[0]


def coupons_grant_new_member(*, shop, user, now=None) -> list[Coupon]:
    """A person's first binding to the shop: one coupon of every active new-member template
    inside its claim window. A template out of stock is skipped (logged), never the binding."""
    now = now or timezone.now()
    granted = []
    templates = CouponTemplate.objects.filter(shop=shop, status=T.Status.ACTIVE).order_by("id")
    for template in templates:
        if (
            Channel.NEW_MEMBER not in template.channels
            or (template.claim_starts_at and now < template.claim_starts_at)
            or (template.claim_ends_at and now >= template.claim_ends_at)
        ):
            continue
        try:
            granted += coupons_grant(template=template, member=user, channel=Channel.NEW_MEMBER, now=now)
        except ApplicationError as error:
            logger.info("new-member coupon %s not issued to %s: %s", template.pk, user.pk, error.code)
    return granted
