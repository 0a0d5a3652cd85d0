"""Campaign reads: console lists and detail, the member pages, the leader center, progress.

Figures counted over a campaign's orders (paid members, a leader's own orders) come from orders,
the app above, through the campaign_order_figures hook; its buyers list and live feed are read in
orders (tuangou/orders/selectors.py, feed.py).
"""

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery

from tuangou.catalog.models import ProductImage
from tuangou.core.api import get_in_shop
from tuangou.core.errors import NotFound

from .hooks import campaign_order_figures
from .models import Campaign, CampaignEvent, CampaignItem, CampaignLeader

S = Campaign.Status
# What members and leaders may see: never drafts, nor campaigns that failed or were cancelled.
VISIBLE_STATUSES = (S.SCHEDULED, S.LIVE, S.CLOSED, S.SUCCEEDED)


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
        Campaign.objects.filter(pk=campaign.pk)
        .annotate(**campaign_order_figures.merged(leader=None))
        .values_list("paid_members", flat=True)
        .get()
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


def _with_list_figures(queryset: QuerySet[Campaign]) -> QuerySet[Campaign]:
    return queryset.annotate(**campaign_order_figures.merged(leader=None)).annotate(
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


# --- leaders ------------------------------------------------------------------------------


def leader_campaign_list(*, leader) -> QuerySet[Campaign]:
    """Campaigns this leader may run, with whether they joined and their own orders in each."""
    link = CampaignLeader.objects.filter(campaign=OuterRef("pk"), leader=leader)
    return (
        Campaign.objects.filter(shop_id=leader.shop_id, status__in=VISIBLE_STATUSES)
        .filter(Q(all_leaders=True) | Q(Exists(link)))
        .annotate(
            **campaign_order_figures.merged(leader=leader),
            joined_at=Subquery(link.values("joined_at")[:1]),
        )
        .order_by("-starts_at", "-id")
    )


def leader_campaign_get(*, leader, campaign_id: int) -> Campaign:
    """A visible campaign the leader may run; anything else is the same 404."""
    campaign = Campaign.objects.filter(shop_id=leader.shop_id, pk=campaign_id, status__in=VISIBLE_STATUSES).first()
    if campaign is None or not campaign_leader_allowed(campaign=campaign, leader=leader):
        raise NotFound("团购", "Campaign")
    return campaign
