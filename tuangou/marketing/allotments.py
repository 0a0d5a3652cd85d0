"""发券宝: the merchant allots a template's coupons to leaders; members claim them through the
leader's link, attributed to that leader.

A claim takes one from the leader's allotment (claimed < quantity) and one from the template's
stock (coupons_grant), each a conditional UPDATE, in one transaction: allotment row first, then
the template's, then the member's counter, so concurrent claims queue and neither overshoots;
whichever refuses rolls the other back.
"""

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from tuangou.core.errors import ApplicationError, NotFound
from tuangou.leaders.models import Leader
from tuangou.leaders.services import membership_ensure

from .models import Channel, Coupon, CouponHolding, CouponTemplate, LeaderCouponAllotment, LeaderCouponClaim
from .services import coupons_grant

A = LeaderCouponAllotment
USED = Q(claims__coupon__status=Coupon.Status.USED)


def _template_for_leaders(*, shop, template_id: int) -> CouponTemplate:
    template = CouponTemplate.objects.filter(shop=shop, pk=template_id).first()
    if template is None:
        raise NotFound("优惠券", "Coupon", field="template_id")
    if Channel.LEADER not in template.channels:
        raise ApplicationError("coupon_channel_closed", field="template_id", status=409)
    return template


@transaction.atomic
def allotments_set(*, shop, template_id: int, quantity: int, leader_ids: list[int] | None = None) -> int:
    """Give each chosen leader (None: every active leader) `quantity` coupons of the template to
    hand out; an existing allotment is set to the new quantity, never below what was claimed.
    Returns how many leaders it covers."""
    template = _template_for_leaders(shop=shop, template_id=template_id)
    leaders = Leader.objects.filter(shop=shop, status=Leader.Status.ACTIVE)
    if leader_ids is not None:
        wanted = set(leader_ids)
        if not wanted:
            raise ApplicationError("required", field="leader_ids")
        leaders = leaders.filter(pk__in=wanted)
        if leaders.count() != len(wanted):
            raise ApplicationError("invalid", field="leader_ids", reason="not_in_shop")
    ids = list(leaders.values_list("pk", flat=True))
    A.objects.bulk_create(
        [A(shop=shop, template=template, leader_id=leader_id, quantity=quantity) for leader_id in ids],
        ignore_conflicts=True,
    )
    mine = A.objects.filter(shop=shop, template=template, leader_id__in=ids)
    below = mine.filter(claimed__gt=quantity).order_by("-claimed").first()
    if below is not None:
        raise ApplicationError("allotment_below_claimed", field="quantity", status=409, claimed=below.claimed)
    mine.update(quantity=quantity, updated_at=timezone.now())
    return len(ids)


def allotment_claim(*, shop, member, leader_id: int, template_id: int, now=None) -> Coupon:
    """A member claims one coupon through a leader's link: from that leader's allotment and the
    template's stock at once, or nothing (409) when either has run out or the member's limit is met."""
    now = now or timezone.now()
    allotment = (
        A.objects.filter(shop=shop, leader_id=leader_id, template_id=template_id, leader__status=Leader.Status.ACTIVE)
        .select_related("template")
        .first()
    )
    if allotment is None:
        raise NotFound("团长发券", "Leader coupon", field="template_id")
    template = allotment.template
    if (
        (template.claim_starts_at and now < template.claim_starts_at)
        or (template.claim_ends_at and now >= template.claim_ends_at)
        or (template.validity == CouponTemplate.Validity.FIXED and template.valid_until <= now)
    ):
        raise ApplicationError("coupon_claim_closed", field="template_id", status=409)
    with transaction.atomic():
        taken = A.objects.filter(pk=allotment.pk, claimed__lt=F("quantity")).update(
            claimed=F("claimed") + 1, updated_at=now
        )
        if taken != 1:
            raise ApplicationError("allotment_exhausted", field="template_id", status=409)
        membership_ensure(shop=shop, user=member, leader=allotment.leader)
        coupon = coupons_grant(template=template, member=member, channel=Channel.LEADER, now=now)[0]
        LeaderCouponClaim.objects.create(shop=shop, allotment=allotment, coupon=coupon)
    return coupon


# --- reads ----------------------------------------------------------------------------------


def allotment_link(allotment: LeaderCouponAllotment) -> str:
    """The claim link a leader shares: the coupon centre, opened on this leader's coupon."""
    return (
        f"{settings.SITE_URL}/h5/s/{allotment.shop_id}/coupon-centre"
        f"?leader={allotment.leader_id}&template={allotment.template_id}"
    )


def allotments_with_figures(*, shop, template_id: int | None = None, leader=None):
    """Allotments, newest first, each with used (coupons claimed through it and paid with) and
    the GMV those orders brought."""
    queryset = A.objects.filter(shop=shop).select_related("template", "leader")
    if template_id is not None:
        queryset = queryset.filter(template_id=template_id)
    if leader is not None:
        queryset = queryset.filter(leader=leader)
    return queryset.annotate(
        used=Count("claims", filter=USED),
        gmv_fen=Coalesce(Sum("claims__coupon__order_paid_fen", filter=USED), 0),
    ).order_by("-id")


def leader_allotments_open(*, shop, leader_id: int, member=None) -> list[LeaderCouponAllotment]:
    """A leader's link as a member sees it: the leader's allotments of active templates, each
    with how many of that template the member holds already (`received`)."""
    rows = list(
        A.objects.filter(
            shop=shop,
            leader_id=leader_id,
            leader__status=Leader.Status.ACTIVE,
            template__status=CouponTemplate.Status.ACTIVE,
        )
        .select_related("template", "leader")
        .order_by("-id")[:50]
    )
    held = {}
    if member is not None:
        held = dict(
            CouponHolding.objects.filter(
                shop=shop, member=member, template_id__in=[row.template_id for row in rows]
            ).values_list("template_id", "received")
        )
    for row in rows:
        row.received = held.get(row.template_id, 0)
    return rows
