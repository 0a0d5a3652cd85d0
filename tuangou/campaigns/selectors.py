"""Campaign reads: console lists and detail, the member pages, the leader center, progress."""

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from tuangou.catalog.models import ProductImage
from tuangou.core.api import get_in_shop
from tuangou.core.errors import NotFound
from tuangou.orders.models import Order, OrderLine

from .models import Campaign, CampaignEvent, CampaignItem, CampaignLeader

S = Campaign.Status
# What members and leaders may see: never drafts, nor campaigns that failed or were cancelled.
VISIBLE_STATUSES = (S.SCHEDULED, S.LIVE, S.CLOSED, S.SUCCEEDED)
# Orders that count as bought: paid, and everything a paid order can become except refunded.
PAID_ORDER_STATUSES = (
    Order.Status.PAID,
    Order.Status.CONFIRMED,
    Order.Status.SHIPPED,
    Order.Status.ARRIVED,
    Order.Status.PICKED_UP,
    Order.Status.COMPLETED,
)
FEED_SIZE = 20


def campaign_leader_allowed(*, campaign: Campaign, leader) -> bool:
    """May this leader run (take orders for) this campaign?"""
    if leader.shop_id != campaign.shop_id:
        return False
    if campaign.all_leaders:
        return True
    return CampaignLeader.objects.filter(campaign=campaign, leader=leader).exists()


def campaign_member_count(*, campaign: Campaign) -> int:
    """Distinct members with a paid (or later) order: the 成团人数 counted for the threshold."""
    return (
        Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign, status__in=PAID_ORDER_STATUSES)
        .values("member_id")
        .distinct()
        .count()
    )


def campaign_progress(*, campaign: Campaign, members: int | None = None) -> dict:
    """Progress to 成团. `members` comes from an annotation on lists (paid_members) to spare a query."""
    if members is None:
        members = getattr(campaign, "paid_members", None)
    if members is None:
        members = campaign_member_count(campaign=campaign)
    quantity = campaign.paid_quantity
    current = members if campaign.threshold_type == Campaign.ThresholdType.MEMBERS else quantity
    target = campaign.threshold_value
    percent = 100 if target <= 0 else min(100, current * 100 // target)
    return {
        "threshold_type": campaign.threshold_type,
        "threshold_value": target,
        "members": members,
        "quantity": quantity,
        "current": current,
        "percent": percent,
        "reached": current >= target,
    }


def _paid_members_subquery():
    members = (
        Order.objects.filter(campaign=OuterRef("pk"), status__in=PAID_ORDER_STATUSES)
        .values("campaign")
        .annotate(count=Count("member", distinct=True))
        .values("count")
    )
    return Coalesce(Subquery(members, output_field=IntegerField()), Value(0))


def _with_list_figures(queryset: QuerySet[Campaign]) -> QuerySet[Campaign]:
    return queryset.annotate(
        paid_members=_paid_members_subquery(),
        item_count=Count("items", distinct=True),
        min_price_fen=Min("items__price_fen"),
    )


def _items_prefetch():
    return Prefetch(
        "items",
        queryset=CampaignItem.objects.select_related("sku__product").prefetch_related(
            Prefetch("sku__product__images", queryset=ProductImage.objects.order_by("sort", "id"))
        ),
    )


def campaign_list(*, shop, status: str | None = None, search: str = "") -> QuerySet[Campaign]:
    queryset = Campaign.objects.filter(shop=shop)
    if status:
        queryset = queryset.filter(status=status)
    if search:
        queryset = queryset.filter(title__icontains=search.strip())
    return _with_list_figures(queryset).order_by("-starts_at", "-id")


def campaign_get(*, shop, campaign_id: int) -> Campaign:
    """Console detail: items with their products, events, leaders."""
    queryset = Campaign.objects.select_related("created_by").prefetch_related(
        _items_prefetch(),
        Prefetch("events", queryset=CampaignEvent.objects.select_related("actor").order_by("id")),
        Prefetch(
            "campaign_leaders", queryset=CampaignLeader.objects.select_related("leader__pickup_point").order_by("id")
        ),
    )
    return get_in_shop(queryset, shop, campaign_id, thing_zh="团购", thing_en="Campaign")


# --- members ------------------------------------------------------------------------------


def member_campaign_list(*, shop, leader=None) -> QuerySet[Campaign]:
    """Live campaigns (closing soonest first), then upcoming ones; only a leader's when one is named."""
    queryset = Campaign.objects.filter(shop=shop, status__in=(S.LIVE, S.SCHEDULED))
    if leader is not None:
        queryset = queryset.filter(
            Q(all_leaders=True) | Q(Exists(CampaignLeader.objects.filter(campaign=OuterRef("pk"), leader=leader)))
        )
    return (
        _with_list_figures(queryset)
        .prefetch_related(_items_prefetch())
        .order_by("status", "cutoff_at", "id")  # "live" sorts before "scheduled"
    )


# A shared link keeps working after a campaign ended badly: the page says it failed (and was
# refunded) or was cancelled, instead of 团购不存在. Lists still show only VISIBLE_STATUSES.
MEMBER_PAGE_STATUSES = (*VISIBLE_STATUSES, S.FAILED, S.CANCELLED)


def member_campaign_get(*, shop, campaign_id: int) -> Campaign:
    """A campaign as members see it through its link; drafts are a 404 like a missing id."""
    queryset = Campaign.objects.filter(status__in=MEMBER_PAGE_STATUSES).prefetch_related(_items_prefetch())
    return get_in_shop(queryset, shop, campaign_id, thing_zh="团购", thing_en="Campaign")


def campaign_buyers(*, campaign: Campaign) -> QuerySet:
    """Members who joined (paid), newest first: one row per member with their item count."""
    return (
        Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign, status__in=PAID_ORDER_STATUSES)
        .values("member_id")
        .annotate(
            display_name=Max("member__display_name"),
            contact_name=Max("contact_name"),
            contact_phone=Max("contact_phone"),
            quantity=Sum("lines__quantity"),
            joined_at=Min("paid_at"),
        )
        .order_by("-joined_at", "-member_id")
    )


def campaign_recent_purchases(*, campaign: Campaign, after_id: int = 0) -> list[OrderLine]:
    """The 他们都在买 feed: the newest paid order lines above `after_id` (what the client last saw)."""
    return list(
        OrderLine.objects.filter(
            shop_id=campaign.shop_id,
            order__campaign=campaign,
            order__status__in=PAID_ORDER_STATUSES,
            id__gt=after_id,
        )
        .select_related("order__member")
        .order_by("-id")[:FEED_SIZE]
    )


# --- leaders ------------------------------------------------------------------------------


def leader_campaign_list(*, leader) -> QuerySet[Campaign]:
    """Campaigns this leader may run, with whether they joined and their own orders in each."""
    link = CampaignLeader.objects.filter(campaign=OuterRef("pk"), leader=leader)
    mine = Q(orders__leader=leader, orders__status__in=PAID_ORDER_STATUSES)
    return (
        Campaign.objects.filter(shop_id=leader.shop_id, status__in=VISIBLE_STATUSES)
        .filter(Q(all_leaders=True) | Q(Exists(link)))
        .annotate(
            paid_members=_paid_members_subquery(),
            joined_at=Subquery(link.values("joined_at")[:1]),
            my_orders=Count("orders", filter=mine),
            my_amount_fen=Coalesce(Sum("orders__total_fen", filter=mine), Value(0)),
        )
        .order_by("-starts_at", "-id")
    )


def leader_campaign_get(*, leader, campaign_id: int) -> Campaign:
    """A visible campaign the leader may run; anything else is the same 404."""
    campaign = Campaign.objects.filter(shop_id=leader.shop_id, pk=campaign_id, status__in=VISIBLE_STATUSES).first()
    if campaign is None or not campaign_leader_allowed(campaign=campaign, leader=leader):
        raise NotFound("团购", "Campaign")
    return campaign
