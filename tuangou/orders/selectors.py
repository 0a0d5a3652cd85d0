"""Reads of orders for members, staff and leaders — always within one shop, no N+1."""

from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from tuangou.campaigns.models import Campaign
from tuangou.catalog.models import Product
from tuangou.core.api import get_in_shop
from tuangou.core.phones import normalize_phone_search
from tuangou.leaders.models import Leader, Membership
from tuangou.leaders.selectors import count_per_leader, in_period, per_leader

from .models import AfterSaleRequest, Order, OrderLine

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


def _lines_with_kind():
    # Each line says whether it is goods (a physical product) as it is prefetched: the page's own
    # lines answer has_goods. An EXISTS per order row let PostgreSQL hash every line of the shop
    # (1.2 million at city scale: 0.8 s for a page of 20).
    goods = ExpressionWrapper(Q(campaign_item__sku__product__kind=Product.Kind.PHYSICAL), output_field=BooleanField())
    return Prefetch("lines", queryset=OrderLine.objects.annotate(is_goods=goods))


def order_has_goods(order: Order) -> bool:
    """Whether the order has anything to pick up or deliver: an order of vouchers, services and
    top-ups only has not (its codes are used at the store). Read from the prefetched lines."""
    flag = getattr(order, "has_goods", None)
    if flag is None:
        lines = getattr(order, "_prefetched_objects_cache", {}).get("lines")
        if lines is not None and all(hasattr(line, "is_goods") for line in lines):
            flag = any(line.is_goods for line in lines)
        else:
            flag = order.lines.filter(campaign_item__sku__product__kind=Product.Kind.PHYSICAL).exists()
        order.has_goods = flag
    return flag


def _base(shop):
    # delivery: the warehouses app's row of a home-delivery order, joined by its relation name.
    return (
        Order.objects.filter(shop=shop)
        .select_related("campaign", "pickup_point", "delivery__warehouse")
        .prefetch_related(_lines_with_kind())
    )


def orders_of_member(*, shop, member, status: str | None = None):
    queryset = _base(shop).filter(member=member)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-id")


def order_of_member(*, shop, member, order_id: int) -> Order:
    """The member's own order; someone else's answers the same 404 as a missing one."""
    queryset = (
        _base(shop)
        .filter(member=member)
        .prefetch_related(
            "events", "after_sales", Prefetch("refunds", queryset=Order.refunds.field.model.objects.order_by("id"))
        )
    )
    return get_in_shop(queryset, shop, order_id, thing_zh="订单", thing_en="Order")


def orders_for_console(
    *,
    shop,
    campaign_id: int | None = None,
    leader_id: int | None = None,
    status: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    phone: str | None = None,
):
    queryset = _base(shop).select_related("leader", "member")
    if campaign_id:
        queryset = queryset.filter(campaign_id=campaign_id)
    if leader_id:
        queryset = queryset.filter(leader_id=leader_id)
    if status:
        queryset = queryset.filter(status=status)
    # Whole days in the shop's timezone as a range on the column (an index can serve it; a
    # created_at::date per row could not).
    tz = ZoneInfo(shop.timezone)
    if date_from:
        queryset = queryset.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=tz))
    if date_to:
        queryset = queryset.filter(created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz))
    if phone:
        digits = normalize_phone_search(phone)
        # The members with that phone first (a unique column): an OR across the join to users
        # cannot use either index and read every order of the shop.
        members = list(get_user_model().objects.filter(phone=digits).values_list("id", flat=True))
        queryset = queryset.filter(Q(contact_phone=digits) | Q(member_id__in=members))
    return queryset.order_by("-id")


def order_for_console(*, shop, order_id: int) -> Order:
    queryset = (
        _base(shop)
        .select_related("leader", "member")
        .prefetch_related(
            "events",
            # Payments and refunds are the payments app's (above orders): reached through the relation.
            Prefetch("payments", queryset=Order.payments.field.model.objects.order_by("id")),
            Prefetch("refunds", queryset=Order.refunds.field.model.objects.order_by("id")),
            Prefetch("after_sales", queryset=AfterSaleRequest.objects.order_by("id")),
        )
    )
    return get_in_shop(queryset, shop, order_id, thing_zh="订单", thing_en="Order")


def order_in_shop(*, shop, order_id: int) -> Order:
    return get_in_shop(Order, shop, order_id, thing_zh="订单", thing_en="Order")


def after_sales_for_console(*, shop, status: str | None = None):
    queryset = AfterSaleRequest.objects.filter(shop=shop).select_related("order", "line")
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-id")


def after_sale_in_shop(*, shop, after_sale_id: int) -> AfterSaleRequest:
    return get_in_shop(
        AfterSaleRequest.objects.select_related("order"),
        shop,
        after_sale_id,
        thing_zh="售后申请",
        thing_en="After-sales request",
    )


class LeaderOrderGroups(Sequence):
    """A leader's orders grouped by campaign, newest campaign first, for the paginator: it
    counts campaigns, and only the page it is sliced to loads its orders (two queries)."""

    def __init__(self, *, leader: Leader, campaign_id: int | None = None, status: str | None = None):
        self.leader = leader
        orders = Order.objects.filter(shop_id=leader.shop_id, leader=leader)
        if campaign_id:
            orders = orders.filter(campaign_id=campaign_id)
        self.orders = orders.filter(status=status) if status else orders.exclude(status=Order.Status.CANCELLED)
        self.campaigns = Campaign.objects.filter(
            shop_id=leader.shop_id, id__in=self.orders.values("campaign_id")
        ).order_by("-cutoff_at", "-id")

    def __len__(self) -> int:
        return self.campaigns.count()

    def __getitem__(self, index):
        campaigns = list(self.campaigns[index] if isinstance(index, slice) else [self.campaigns[index]])
        orders = (
            self.orders.filter(campaign__in=campaigns)
            .select_related("member")
            .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("id")))
            .order_by("id")
        )
        by_campaign: dict[int, list[Order]] = {campaign.id: [] for campaign in campaigns}
        for order in orders:
            by_campaign[order.campaign_id].append(order)
        groups = [_group(campaign, by_campaign[campaign.id]) for campaign in campaigns]
        return groups if isinstance(index, slice) else groups[0]


def _group(campaign: Campaign, orders: list[Order]) -> dict:
    return {
        "campaign_id": campaign.id,
        "campaign_title": campaign.title,
        "campaign_status": campaign.status,
        "cutoff_at": campaign.cutoff_at,
        "pickup_at": campaign.pickup_at,
        "order_count": len(orders),
        "quantity": sum(line.quantity - line.refunded_quantity for order in orders for line in order.lines.all()),
        "total_fen": sum(order.total_fen - order.refunded_fen for order in orders),
        "status_counts": dict(Counter(order.status for order in orders)),
        "orders": orders,
    }


def leader_order_stats(*, shop, start, end) -> dict:
    """Per-leader sales columns over a period (the leaders app's leader_stats hook): orders,
    distinct buyers, GMV net of refunds, last sale."""
    sold = in_period(
        Order.objects.filter(shop=shop).exclude(status__in=[Order.Status.PENDING_PAYMENT, Order.Status.CANCELLED]),
        start,
        end,
    )
    return {
        "order_count": count_per_leader(sold),
        "buyer_count": per_leader(sold, n=Count("member", distinct=True)),
        "gmv_fen": per_leader(sold, total=Sum(F("total_fen") - F("refunded_fen"))),
        "last_order_at": Subquery(
            sold.filter(leader=OuterRef("pk"))
            .order_by()
            .values("leader")
            .annotate(last=Max("created_at"))
            .values("last")[:1]
        ),
    }


# --- a campaign's paid orders: its progress, buyers list and 他们都在买 --------------------------


def _per_campaign(orders, figure) -> Coalesce:
    """A figure (an aggregate) of each campaign's (OuterRef('pk')) orders, 0 when there are none."""
    per_campaign = orders.filter(campaign=OuterRef("pk")).values("campaign").annotate(figure=figure).values("figure")
    return Coalesce(Subquery(per_campaign, output_field=BigIntegerField()), Value(0))


def campaign_order_figures(*, leader=None) -> dict:
    """The campaigns app's campaign_order_figures hook: columns to annotate campaigns with —
    paid_members (the 成团人数), and for a leader my_orders and my_amount_fen."""
    paid = Order.objects.filter(status__in=PAID_ORDER_STATUSES)
    figures = {"paid_members": _per_campaign(paid, Count("member", distinct=True))}
    if leader is not None:
        mine = paid.filter(leader=leader)
        figures["my_orders"] = _per_campaign(mine, Count("id"))
        figures["my_amount_fen"] = _per_campaign(mine, Sum("total_fen"))
    return figures


def campaign_buyers(*, campaign: Campaign):
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


def members_by_orders(*, shop, idle_days: int | None = None, category_id: int | None = None) -> list[int]:
    """For marketing's targeted packs: members with no paid order in `idle_days`, or members who
    paid for something of `category_id` (refunded orders left out)."""
    paid = Order.objects.filter(shop=shop, paid_at__isnull=False).exclude(status=Order.Status.REFUNDED)
    if idle_days is not None:
        recent = paid.filter(paid_at__gte=timezone.now() - timedelta(days=idle_days)).values("member_id")
        return list(Membership.objects.filter(shop=shop).exclude(user_id__in=recent).values_list("user_id", flat=True))
    return list(
        paid.filter(lines__campaign_item__sku__product__category_id=category_id)
        .values_list("member_id", flat=True)
        .distinct()
    )
