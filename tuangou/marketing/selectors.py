"""Reads of coupons: the console's templates with their figures, the member's coupon centre and
wallet, and the coupons that fit a cart (best saving first)."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from tuangou.campaigns.models import CampaignItem
from tuangou.core.errors import ApplicationError, NotFound

from .checkout import Line, coupon_discount
from .models import Channel, Coupon, CouponHolding, CouponTemplate
from .reductions import lines_after, reduction_quote

C = Coupon.Status
USED = Q(coupons__status=C.USED)


def coupon_templates(*, shop, status: str | None = None):
    """Templates, newest first, each with issued / used / the GMV its coupons brought / what they cost."""
    queryset = CouponTemplate.objects.filter(shop=shop)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.annotate(
        used=Count("coupons", filter=USED),
        gmv_fen=Coalesce(Sum("coupons__order_paid_fen", filter=USED), 0),
        cost_fen=Coalesce(Sum("coupons__discount_fen", filter=USED), 0),
    ).order_by("-id")


def coupon_template_get(*, shop, template_id: int) -> CouponTemplate:
    template = coupon_templates(shop=shop).filter(pk=template_id).first()
    if template is None:
        raise NotFound("优惠券", "Coupon", field="template_id")
    return template


def _claim_open(now):
    return (
        Q(status=CouponTemplate.Status.ACTIVE)
        & (Q(claim_starts_at__isnull=True) | Q(claim_starts_at__lte=now))
        & (Q(claim_ends_at__isnull=True) | Q(claim_ends_at__gt=now))
        & (Q(validity=CouponTemplate.Validity.DAYS) | Q(valid_until__gt=now))
    )


def coupon_centre(*, shop, member=None, now=None) -> list[dict]:
    """领券中心: templates open to self-claim right now, with how many are left and how many of
    them this member holds (a template whose stock ran out still shows, as 已抢光)."""
    now = now or timezone.now()
    templates = [
        template
        for template in CouponTemplate.objects.filter(_claim_open(now), shop=shop).order_by("-id")[:200]
        if Channel.CLAIM in template.channels
    ]
    held = {}
    if member is not None:
        held = dict(
            CouponHolding.objects.filter(shop=shop, member=member, template__in=templates).values_list(
                "template_id", "received"
            )
        )
    return [
        {
            "template": template,
            "left": max(template.total - template.issued, 0),
            "received": held.get(template.pk, 0),
            "can_claim": template.issued < template.total and held.get(template.pk, 0) < template.per_member_limit,
        }
        for template in templates
    ]


def coupons_of_member(*, shop, member, status: str, now=None):
    """My coupons: unused (still valid; held by an unpaid order too), used, or expired (past
    their validity while unused, or returned after it)."""
    now = now or timezone.now()
    queryset = Coupon.objects.filter(shop=shop, member=member)
    if status == "unused":
        return queryset.filter(status__in=(C.UNUSED, C.LOCKED), valid_until__gt=now).order_by("valid_until", "id")
    if status == "used":
        return queryset.filter(status=C.USED).order_by("-used_at", "-id")
    return queryset.filter(Q(status=C.EXPIRED) | Q(status=C.UNUSED, valid_until__lte=now)).order_by("-valid_until")


def cart_lines(*, shop, campaign_id: int, items: list[dict]) -> list[Line]:
    """A cart's lines priced at the campaign price, as checkout will see them."""
    by_id = {
        item.pk: item
        for item in CampaignItem.objects.filter(
            shop=shop, campaign_id=campaign_id, pk__in=[i["campaign_item_id"] for i in items]
        ).select_related("sku__product")
    }
    lines = []
    for index, item in enumerate(items):
        campaign_item = by_id.get(item["campaign_item_id"])
        if campaign_item is None:
            raise ApplicationError("item_not_in_campaign", field=f"items.{index}.campaign_item_id")
        product = campaign_item.sku.product
        lines.append(Line(campaign_item.price_fen * item["quantity"], product.pk, product.category_id))
    return lines


def coupons_for_cart(*, shop, member, campaign_id: int, items: list[dict], now=None) -> list[dict]:
    """The member's usable-now coupons against this cart, the biggest saving first; those that
    do not apply follow, with a saving of 0."""
    now = now or timezone.now()
    # The coupon sees the cart after the 满减送, as checkout will.
    lines = cart_lines(shop=shop, campaign_id=campaign_id, items=items)
    _, _, shares = reduction_quote(shop=shop, lines=lines, now=now)
    lines = lines_after(lines, shares)
    coupons = Coupon.objects.filter(
        shop=shop, member=member, status=C.UNUSED, valid_from__lte=now, valid_until__gt=now
    ).order_by("valid_until", "id")[:200]
    options = [{"coupon": coupon, "discount_fen": coupon_discount(coupon, lines)} for coupon in coupons]
    options.sort(key=lambda option: (-option["discount_fen"], option["coupon"].valid_until))
    return options


# --- 支付有礼 (payment gifts) -------------------------------------------------------------


def payment_gifts(*, shop) -> list:
    """The shop's activities, newest first (the last 200), each with its delivered grants and gift names."""
    from .models import PaymentGift, PaymentGiftGrant

    activities = list(
        PaymentGift.objects.filter(shop=shop)
        .annotate(grants_count=Count("grants", filter=Q(grants__status=PaymentGiftGrant.Status.DELIVERED)))
        .order_by("-id")[:200]
    )
    ids = {gift["template_id"] for activity in activities for gift in activity.gifts}
    names = dict(CouponTemplate.objects.filter(shop=shop, pk__in=ids).values_list("pk", "name"))
    for activity in activities:
        activity.gifts = [{**gift, "template_name": names.get(gift["template_id"], "")} for gift in activity.gifts]
    return activities


def payment_gift_get(*, shop, activity_id: int):
    from .models import PaymentGift

    activity = PaymentGift.objects.filter(shop=shop, pk=activity_id).first()
    if activity is None:
        raise NotFound("支付有礼活动", "Payment gift", field="activity_id")
    return activity


def payment_gifts_of_order(*, shop, member, order_id: int) -> list:
    """The member's gifts for one order (empty while the job has not run, or none matched)."""
    from .models import PaymentGiftGrant

    grants = list(
        PaymentGiftGrant.objects.filter(shop=shop, member=member, order_id=order_id)
        .select_related("activity")
        .order_by("pk")
    )
    coupons = {
        c.pk: c
        for c in Coupon.objects.filter(
            shop=shop, member=member, pk__in=[pk for grant in grants for pk in grant.coupon_ids]
        )
    }
    for grant in grants:
        grant.activity_name = grant.activity.name
        grant.coupons = [coupons[pk] for pk in grant.coupon_ids if pk in coupons]
    return grants
