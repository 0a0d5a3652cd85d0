"""Orders: checkout (the hot path), payment, cancel and expiry, refunds, pickup, completion, after-sales.

Every status change goes through transitions.py. Rows are locked in the one order of
tuangou/core/locks.py (campaign → membership → order → payment → refund → after-sale →
campaign items), so two services never wait on each other in a circle.

Money is the payments app's (it stands above orders): a refund is asked for through
tuangou/orders/money.py and written pending; the order's book moves in order_refund_apply
once the provider confirmed it.
"""

import functools
import hashlib
import json
import secrets
from datetime import timedelta
from typing import NamedTuple

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import F, Sum
from django.utils import timezone

from tuangou.accounts.limits import attempt_claim, attempt_release, attempt_retry_after
from tuangou.audit.approvals import approval_gate, approval_policy
from tuangou.campaigns.hotstock import (
    hot_stock_give,
    hot_stock_give_after_commit,
    hot_stock_reconcile,
    hot_stock_redis,
    hot_stock_take,
)
from tuangou.campaigns.models import Campaign, CampaignItem
from tuangou.campaigns.selectors import campaign_leader_allowed
from tuangou.catalog.models import Product, Sku
from tuangou.core import rawsql
from tuangou.core.bounds import MAX_AMOUNT_FEN
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.locks import lock_objects
from tuangou.core.money import format_fen
from tuangou.core.phones import normalize_phone
from tuangou.core.states import state_error
from tuangou.core.transactions import after_commit
from tuangou.leaders.models import Leader, Membership, PickupPoint
from tuangou.leaders.services import membership_ensure
from tuangou.marketing import checkout as coupons
from tuangou.marketing import gifts as payment_gifts
from tuangou.marketing import reductions

from .deals import deals_check
from .hooks import (
    order_delivery_place,
    order_delivery_quote,
    order_goods_returned,
    order_paid,
    order_picked_up,
    order_refund_planned,
    order_refunded,
)
from .models import AfterSaleRequest, Order, OrderEvent, OrderLine
from .money import payments_close_open, refund_request, refunds_pending_fen
from .transitions import order_transition, orders_bulk_transition

S = Order.Status
# Orders whose quantities count against a member's purchase limit.
NOT_COUNTED = (S.CANCELLED, S.REFUNDED)
REFUNDABLE = (S.PAID, S.CONFIRMED, S.SHIPPED, S.ARRIVED, S.PICKED_UP, S.COMPLETED)
AFTER_SALE_OPEN_STATUSES = (S.PAID, S.CONFIRMED, S.SHIPPED, S.ARRIVED, S.PICKED_UP)
MAX_CODE_ATTEMPTS = 8
JOB_BATCH = 500


def _state_error(order: Order, action: str) -> ApplicationError:
    return state_error(order, action)


def _locked(order: Order) -> Order:
    # OF self: the joined shop and campaign rows are read, not locked.
    return Order.objects.select_for_update(of=("self",)).select_related("shop", "campaign").get(pk=order.pk)


def _request_hash(**request) -> str:
    canonical = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _with_lines(order: Order, lines: list[OrderLine]) -> Order:
    """Hand the lines just written to `order.lines.all()` so the response costs no query."""
    queryset = OrderLine.objects.all()
    # As Django's related managers do: the filter is applied only if the queryset is ever run
    # again (building its WHERE cost ~5 % of an order's CPU).
    queryset._defer_next_filter = True
    queryset = queryset.filter(order=order)
    queryset._result_cache = lines
    queryset._prefetch_done = True
    order._prefetched_objects_cache = {"lines": queryset}
    return order


# --- checkout's reads and counters, hand-written --------------------------------------------
# Checkout is the hottest write. The ORM's compiler spent more CPU building each of these
# statements (joins, select_related, .first()'s ordering) than PostgreSQL took to run them, so
# each is one fixed SQL string here; values come back converted as the ORM would (core/rawsql.py).

_LEADER = rawsql.Columns(Leader, "l", ["id", "shop_id", "status", "commission_rate_bp"])
_POINT = rawsql.Columns(PickupPoint, "p", ["id", "shop_id", "leader_id", "name", "address", "is_active"])
_LEADER_POINT_JOIN = f"LEFT JOIN {_POINT.table} ON p.leader_id = l.id"
_CAMPAIGN = rawsql.Columns(
    Campaign, "c", ["id", "shop_id", "title", "status", "cutoff_at", "pickup_at", "all_leaders", "fulfilment_mode"]
)
_ITEM = rawsql.Columns(CampaignItem, "ci", ["id", "price_fen", "purchase_limit", "commission_rate_bp", "stock_left"])


class _Item(NamedTuple):
    """A campaign item as checkout needs it: price, limit, rate, stock as read (a hint: the
    conditional UPDATE decides), and the names copied to the line."""

    id: int
    price_fen: int
    purchase_limit: int
    commission_rate_bp: int | None
    stock_left: int
    spec: str
    product_name: str
    product_id: int | None
    category_id: int | None
    deal: str | None  # the product's 0.01元 deal rule ("" or None: none), tuangou/orders/deals.py
    deal_limit: int | None
    kind: str | None  # the product's kind: the answer's has_goods (physical) costs no query


def _in(values) -> str:
    return ", ".join(["%s"] * len(values))


def _leader_and_point(row, start: int) -> tuple[Leader | None, PickupPoint | None]:
    """The leader (None when unbound) and their pickup point (None when they have none) in `row`."""
    if row[start] is None:
        return None, None
    leader = _LEADER.instance(row, start)
    start += len(_LEADER)
    return leader, (_POINT.instance(row, start) if row[start] is not None else None)


def _membership_locked(shop, member) -> tuple[int | None, Leader | None, PickupPoint | None] | None:
    """Lock the member's membership row (FOR UPDATE OF m: the leader and point are read, not
    locked): (bound leader id, that leader, their pickup point), or None without a membership."""
    row = rawsql.fetchone(
        f"SELECT m.leader_id, {_LEADER.sql}, {_POINT.sql} FROM {connection.ops.quote_name(Membership._meta.db_table)} m "
        f"LEFT JOIN {_LEADER.table} ON l.id = m.leader_id {_LEADER_POINT_JOIN} "
        f"WHERE m.shop_id = %s AND m.user_id = %s{rawsql.for_update(of='m')}",
        [shop.pk, member.pk],
    )
    return None if row is None else (row[0], *_leader_and_point(row, 1))


def _leader_in_shop(shop, leader_id: int) -> tuple[Leader | None, PickupPoint | None]:
    """Another leader than the bound one, chosen for this order, with their pickup point."""
    row = rawsql.fetchone(
        f"SELECT {_LEADER.sql}, {_POINT.sql} FROM {_LEADER.table} {_LEADER_POINT_JOIN} WHERE l.shop_id = %s AND l.id = %s",
        [shop.pk, leader_id],
    )
    return (None, None) if row is None else _leader_and_point(row, 0)


def _idempotent_order(shop, member, key: str) -> tuple[int, str] | None:
    """(id, request hash) of the member's order under this idempotency key, if any."""
    return rawsql.fetchone(
        f"SELECT o.id, o.request_hash FROM {connection.ops.quote_name(Order._meta.db_table)} o "
        "WHERE o.shop_id = %s AND o.member_id = %s AND o.idempotency_key = %s",
        [shop.pk, member.pk, key],
    )


def _campaign_with_items(shop, campaign_id: int, item_ids: list[int]) -> tuple[Campaign | None, dict[int, _Item]]:
    """The campaign and those of `item_ids` that belong to it, with their products' names and
    deal rules, in one statement."""
    quote = connection.ops.quote_name
    rows = rawsql.fetchall(
        f"SELECT {_CAMPAIGN.sql}, {_ITEM.sql}, s.{quote('spec')}, pr.{quote('name')}, pr.id, pr.{quote('category_id')}, "
        f"pr.{quote('deal')}, pr.{quote('deal_limit')}, pr.{quote('kind')} "
        f"FROM {_CAMPAIGN.table} "
        f"LEFT JOIN {_ITEM.table} ON ci.campaign_id = c.id AND ci.shop_id = %s AND ci.id IN ({_in(item_ids)}) "
        f"LEFT JOIN {quote(Sku._meta.db_table)} s ON s.id = ci.sku_id "
        f"LEFT JOIN {quote(Product._meta.db_table)} pr ON pr.id = s.product_id "
        "WHERE c.shop_id = %s AND c.id = %s",
        [shop.pk, *item_ids, shop.pk, campaign_id],
    )
    if not rows:
        return None, {}
    start = len(_CAMPAIGN)
    items = {}
    for row in rows:
        if row[start] is not None:
            item = _Item(*_ITEM.values(row, start), *row[start + len(_ITEM) :])
            items[item.id] = item
    return _CAMPAIGN.instance(rows[0]), items


def _bought(shop, member, item_ids: list[int]) -> dict[int, int]:
    """Quantities of these items the member holds in orders that count against a limit."""
    quote = connection.ops.quote_name
    return dict(
        rawsql.fetchall(
            f"SELECT ol.campaign_item_id, SUM(ol.quantity - ol.refunded_quantity) FROM {quote(OrderLine._meta.db_table)} ol "
            f"JOIN {quote(Order._meta.db_table)} o ON o.id = ol.order_id "
            f"WHERE ol.shop_id = %s AND o.member_id = %s AND ol.campaign_item_id IN ({_in(item_ids)}) "
            f"AND o.status NOT IN ({_in(NOT_COUNTED)}) GROUP BY ol.campaign_item_id",
            [shop.pk, member.pk, *item_ids, *NOT_COUNTED],
        )
    )


def _reserve_stock(item_id: int, quantity: int) -> bool:
    """The conditional UPDATE: takes the stock only if enough is left (never read-then-write)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {connection.ops.quote_name(CampaignItem._meta.db_table)} SET stock_left = stock_left - %s "
            "WHERE id = %s AND stock_left >= %s",
            [quantity, item_id, quantity],
        )
        return cursor.rowcount == 1


# Up to this many items are taken in one UPDATE: the planner then walks them in the order given
# (a nested loop over the ids, ascending), so rows are locked in ascending ids as the per-item
# UPDATEs of a bigger cart lock them; a hash join over a big cart could lock in another order.
RESERVE_TOGETHER_MAX = 8


def _reserve_stocks_sql() -> str:
    table = connection.ops.quote_name(CampaignItem._meta.db_table)
    return (
        f"UPDATE {table} ci SET stock_left = ci.stock_left - v.q FROM unnest(%s::bigint[], %s::integer[]) v (id, q) "
        "WHERE ci.id = v.id AND ci.stock_left >= v.q RETURNING ci.id"
    )


def _reserve_stocks(ordered: list[tuple[int, dict]]) -> tuple[int, int] | None:
    """The conditional UPDATEs of every item, in ascending id order: (index, item id) of the first
    item short of stock, or None when all were taken. One statement on PostgreSQL (a round trip
    per item was the larger part of a popular item's lock time); the rest roll back with the
    transaction."""
    if connection.vendor != "postgresql" or not 1 < len(ordered) <= RESERVE_TOGETHER_MAX:
        for index, item in ordered:
            if not _reserve_stock(item["campaign_item_id"], item["quantity"]):
                return index, item["campaign_item_id"]
        return None
    ids, quantities = [item["campaign_item_id"] for _, item in ordered], [item["quantity"] for _, item in ordered]
    taken = {row[0] for row in rawsql.fetchall(_reserve_stocks_sql(), [ids, quantities])}
    for index, item in ordered:
        if item["campaign_item_id"] not in taken:
            return index, item["campaign_item_id"]
    return None


@functools.cache
def _insert_sql(model, rows: int, skip_conflicts: bool, vendor: str, returning: bool = True) -> str:
    """The INSERT statement for `rows` new rows of `model`, built once (`vendor` keys the cache:
    the quoting is the database's)."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    row = f"({', '.join(['%s'] * len(fields))})"
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(field.column) for field in fields)}) "
        f"VALUES {', '.join([row] * rows)}{' ON CONFLICT DO NOTHING' if skip_conflicts else ''}"
        + (f" RETURNING {quote(model._meta.pk.column)}" if returning else "")
    )


# Fields whose value goes to the database as it is when it is already of its plain type (their
# get_db_prep_save only converts other types): read straight off the instance.
_PLAIN_FIELDS = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.BooleanField: bool,
    models.ForeignKey: int,
}


@functools.cache
def _insert_params_plan(model) -> list[tuple]:
    """(field, attname, plain type or None) of each inserted field: None runs the ORM's pre_save
    and get_db_prep_save (dates, JSON, choices enums, anything else)."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    return [(field, field.attname, _PLAIN_FIELDS.get(type(field))) for field in fields]


def _insert_params(objs: list, conn) -> list:
    params = []
    for obj in objs:
        for field, attname, plain in _insert_params_plan(type(obj)):
            value = getattr(obj, attname)
            if value is None or type(value) is not plain:
                value = field.get_db_prep_save(field.pre_save(obj, True), conn)
            params.append(value)
    return params


def _insert(objs: list, *, skip_conflicts: bool = False, also: list | None = None) -> bool:
    """INSERT new rows of one model in one statement, RETURNING their ids (set on them, in order,
    as bulk_create does). With `skip_conflicts`, False when a unique key was taken and nothing
    was written. Hand-written: the ORM's INSERT compiler cost more CPU than the round trip.

    `also`: new rows of another model written with them, their ids not read back — on PostgreSQL
    in the same statement (a data-modifying WITH: one round trip less on checkout), elsewhere
    by an INSERT of their own first."""
    conn = connections[DEFAULT_DB_ALIAS]  # not the `connection` proxy: ~60 look-ups per order
    sql = _insert_sql(type(objs[0]), len(objs), skip_conflicts, conn.vendor)
    params = _insert_params(objs, conn)
    if also and conn.vendor == "postgresql":
        sql = f"WITH also AS ({_insert_sql(type(also[0]), len(also), False, conn.vendor, False)}) {sql}"
        params = _insert_params(also, conn) + params
    elif also:
        _insert(also)
    ids = rawsql.fetchall(sql, params)
    for obj, (pk,) in zip(objs, ids):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = conn.alias
    return bool(ids)


def _insert_order(order: Order) -> tuple[int, str] | None:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING id with a fresh number and pickup code; when
    the row's idempotency key is taken, nothing is written and the order holding it is answered
    as (id, request hash).

    A collision (number or code are random) costs one more statement; the ORM way would need a
    savepoint around every insert, two more round trips on the hot path.
    """
    for _ in range(MAX_CODE_ATTEMPTS):
        order.number = f"{timezone.localdate():%Y%m%d}{secrets.randbelow(10**10):010d}"
        order.pickup_code = f"{secrets.randbelow(10**8):08d}"
        if _insert([order], skip_conflicts=True):
            return None
        if order.idempotency_key:
            existing = _idempotent_order(order.shop, order.member, order.idempotency_key)
            if existing is not None:
                return existing
    raise ApplicationError("conflict", status=503, reason="order_number_failed")


def _clean_items(items) -> list[dict]:
    if not items:
        raise ApplicationError("order_items_empty", field="items")
    cleaned, seen = [], set()
    for index, item in enumerate(items):
        item_id, quantity = int(item["campaign_item_id"]), int(item["quantity"])
        if quantity < 1:
            raise ApplicationError("quantity_invalid", field=f"items.{index}.quantity")
        if item_id in seen:
            raise ApplicationError("order_item_duplicate", field=f"items.{index}.campaign_item_id")
        seen.add(item_id)
        cleaned.append({"campaign_item_id": item_id, "quantity": quantity})
    return cleaned


def order_place(*, shop, member, items: list[dict], idempotency_key: str | None = None, **request) -> Order:
    """Check out (see _order_place), the stock taken from the Redis counters first (hotstock.py):
    of a crowd on one item, those past the stock get their 409 here, before any transaction. A
    retry of a placed order (its idempotency key known) refused there still gets its order back.
    The units go back when the checkout fails; a process killed in between leaves the counters
    low until a reconcile heals them."""
    taken: list[tuple[int, int]] = []
    if hot_stock_redis() is not None:
        wanted = [(item["campaign_item_id"], item["quantity"]) for item in _clean_items(items)]
        short = hot_stock_take(shop_id=shop.pk, quantities=wanted)
        if short is None:
            taken = wanted
        elif not (idempotency_key and _idempotent_order(shop, member, idempotency_key) is not None):
            index, available = short
            raise ApplicationError(
                "stock_insufficient", field=f"items.{index}.quantity", status=409, available=available
            )
    try:
        with transaction.atomic():
            order = _order_place(shop=shop, member=member, items=items, idempotency_key=idempotency_key, **request)
    except BaseException as error:
        if taken:
            stale = getattr(error, "hot_stock_stale", None)
            if stale is None:
                hot_stock_give(shop_id=shop.pk, quantities=taken)
            else:  # Redis let through what the database refused: it was too high, take its word
                hot_stock_give(shop_id=shop.pk, quantities=[pair for pair in taken if pair[0] != stale])
                hot_stock_reconcile(item_ids=[stale])
        raise
    if taken and order.replayed:  # the same key placed it meanwhile: nothing new was sold
        hot_stock_give(shop_id=shop.pk, quantities=taken)
    return order


# Refund plans name the delivery fee as this line id (real lines' ids start at 1).
FEE_LINE_ID = 0


def _delivery_quote(*, shop, member, campaign: Campaign, delivery: dict | None, goods_fen: int) -> dict:
    """Self-pickup (no `delivery`): {"mode": pickup, "fee_fen": 0}, as before. Home delivery: the
    warehouses app checks the address and slot and prices the fee (order_delivery_quote); its
    `plan` is handed back to order_delivery_place once the order is written."""
    modes = Campaign.FulfilmentMode
    if not delivery:
        if campaign.fulfilment_mode == modes.DELIVERY:
            raise ApplicationError("delivery_required", field="delivery")
        return {"mode": Order.DeliveryMode.PICKUP, "fee_fen": 0, "plan": None}
    if campaign.fulfilment_mode == modes.PICKUP:
        raise ApplicationError("delivery_not_offered", field="delivery")
    quote = order_delivery_quote.merged(
        shop=shop, member=member, campaign=campaign, delivery=delivery, goods_fen=goods_fen
    )
    if "fee_fen" not in quote:
        raise ApplicationError("delivery_not_offered", field="delivery")
    if goods_fen + quote["fee_fen"] > MAX_AMOUNT_FEN:
        raise ApplicationError("amount_too_large", field="items", maximum=format_fen(MAX_AMOUNT_FEN))
    return {"mode": Order.DeliveryMode.DELIVERY, **quote}


def _order_place(
    *,
    shop,
    member,
    campaign_id: int,
    items: list[dict],
    leader_id: int | None = None,
    idempotency_key: str | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    note: str = "",
    coupon_id: int | None = None,
    delivery: dict | None = None,
) -> Order:
    """Check out: reserve stock and write the order, its lines and a `placed` event.
    With `delivery` ({address_id, slot}) the goods come home from a front warehouse (_delivery_quote).

    Round trips on the common path (bound leader): lock membership, read items with their
    campaign and products, read the running 满减送, INSERT order, INSERT lines, INSERT event,
    then the items' conditional UPDATE (one on PostgreSQL, else one per item) (+1 each for a restricted campaign, a purchase limit, a
    deal product, a coupon). The member's membership row lock serialises their concurrent
    checkouts, so the limit and idempotency checks cannot race. A replayed idempotency key
    returns the first order with `order.replayed = True`.
    """
    items = _clean_items(items)
    contact_phone = normalize_phone(contact_phone, field="contact_phone") if contact_phone else (member.phone or "")
    contact_name = (contact_name or member.name)[:30]
    request_hash = _request_hash(
        campaign_id=campaign_id,
        leader_id=leader_id,
        items=items,
        contact_name=contact_name,
        contact_phone=contact_phone,
        note=note,
        **({"coupon_id": coupon_id} if coupon_id else {}),
        **({"delivery": delivery} if delivery else {}),
    )

    membership = _membership_locked(shop, member)
    if membership is None:
        membership_ensure(shop=shop, user=member)
        membership = _membership_locked(shop, member)

    # The idempotency key is looked up only when it can matter: when a check refuses the order (a
    # retry of a placed order may find the campaign closed or the stock gone, and still gets its
    # order back) and when the order's INSERT finds the key taken. A new key costs no SELECT.
    try:
        quote = _checkout_quote(
            shop=shop,
            member=member,
            membership=membership,
            campaign_id=campaign_id,
            items=items,
            leader_id=leader_id,
            coupon_id=coupon_id,
            delivery=delivery,
        )
    except ApplicationError:
        existing = _idempotent_order(shop, member, idempotency_key) if idempotency_key else None
        if existing is None:
            raise
        return _replayed(existing, request_hash)
    order = Order(
        shop=shop,
        campaign=quote.campaign,
        member=member,
        leader=quote.leader,
        pickup_point=quote.point,
        status=S.PENDING_PAYMENT,
        items_fen=quote.items_fen,
        discount_fen=quote.discount_fen,
        reduction_fen=quote.reduction_fen,
        full_reduction=quote.reduction,
        delivery_mode=quote.delivery["mode"],
        delivery_fee_fen=quote.delivery["fee_fen"],
        total_fen=quote.items_fen - quote.discount_fen + quote.delivery["fee_fen"],
        contact_name=contact_name,
        contact_phone=contact_phone,
        note=note[:200],
        idempotency_key=idempotency_key or None,
        request_hash=request_hash,
        expires_at=quote.now + timedelta(minutes=shop.payment_timeout_minutes),
    )
    existing = _insert_order(order)
    if existing is not None:
        return _replayed(existing, request_hash)
    return _checkout_write(order, quote, items)


def _replayed(existing: tuple[int, str], request_hash: str) -> Order:
    """The order first placed under this idempotency key, if the request is the same one."""
    if existing[1] != request_hash:
        raise ApplicationError("idempotency_conflict", field="idempotency_key", status=409)
    order = Order.objects.get(pk=existing[0])
    order.replayed = True
    return order


class _Quote(NamedTuple):
    """What checkout's checks settled, before anything is written."""

    now: object
    campaign: Campaign
    campaign_items: dict[int, _Item]
    leader: Leader
    point: PickupPoint
    lines: list[OrderLine]
    items_fen: int
    discount_fen: int
    reduction_fen: int
    reduction: object
    tier: dict | None
    coupon: object
    delivery: dict


def _checkout_quote(
    *, shop, member, membership, campaign_id: int, items: list[dict], leader_id, coupon_id, delivery
) -> _Quote:
    """Every check of checkout and the order's prices: campaign live, items of it, the leader and
    their point, purchase limits, deals, stock as read, 满减送, coupon, delivery. Writes nothing
    but the member's leader binding (when they had none)."""
    bound_leader_id, leader, point = membership
    campaign, campaign_items = _campaign_with_items(shop, campaign_id, [i["campaign_item_id"] for i in items])
    if campaign is None:
        raise NotFound("团购", "Campaign", field="campaign_id")
    now = timezone.now()
    if campaign.status != Campaign.Status.LIVE or now >= campaign.cutoff_at:
        raise ApplicationError("campaign_not_live", field="campaign_id", status=409)
    for index, item in enumerate(items):
        if item["campaign_item_id"] not in campaign_items:
            raise ApplicationError("item_not_in_campaign", field=f"items.{index}.campaign_item_id")

    if leader_id is None or leader_id == bound_leader_id:
        if leader is None:
            raise ApplicationError("leader_required", field="leader_id")
    else:
        leader, point = _leader_in_shop(shop, leader_id)
        if leader is None:
            raise NotFound("团长", "Leader", field="leader_id")
    if leader.status != Leader.Status.ACTIVE:
        raise ApplicationError("leader_not_active", field="leader_id")
    if point is None or not point.is_active:
        raise ApplicationError("pickup_point_unavailable", field="leader_id")
    if not campaign_leader_allowed(campaign=campaign, leader=leader):
        raise ApplicationError("leader_not_allowed", field="leader_id")
    if bound_leader_id is None:
        membership_ensure(shop=shop, user=member, leader=leader)

    limits = {item_id: item.purchase_limit for item_id, item in campaign_items.items() if item.purchase_limit}
    if limits:
        bought = _bought(shop, member, list(limits))
        for index, item in enumerate(items):
            limit = limits.get(item["campaign_item_id"])
            already = bought.get(item["campaign_item_id"]) or 0
            if limit and already + item["quantity"] > limit:
                raise ApplicationError("limit_exceeded", field=f"items.{index}.quantity", limit=limit, bought=already)
    # 0.01元 deals: new-member-only and once-per-member products (tuangou/orders/deals.py).
    ordered = [campaign_items[item["campaign_item_id"]] for item in items]
    deals_check(
        shop=shop,
        member=member,
        items=items,
        product_ids=[item.product_id for item in ordered],
        deals={item.product_id: (item.deal, item.deal_limit) for item in ordered if item.deal},
        not_counted=NOT_COUNTED,
    )

    # Sold out as of the read above: answer at once (a flash sale's thousands of late buyers cost
    # no writes). The conditional UPDATE below stays the real guard.
    for index, item in enumerate(items):
        stock_left = campaign_items[item["campaign_item_id"]].stock_left
        if stock_left < item["quantity"]:
            error = ApplicationError(
                "stock_insufficient", field=f"items.{index}.quantity", status=409, available=stock_left
            )
            error.hot_stock_stale = item["campaign_item_id"]  # Redis let it through: rewritten
            raise error

    rate_default = (
        leader.commission_rate_bp if leader.commission_rate_bp is not None else shop.default_commission_rate_bp
    )
    lines = []
    for index, item in enumerate(items):
        campaign_item = campaign_items[item["campaign_item_id"]]
        amount = campaign_item.price_fen * item["quantity"]
        if amount > MAX_AMOUNT_FEN:  # the line's column holds 32 bits (Python's ints are unbounded)
            raise ApplicationError(
                "amount_too_large", field=f"items.{index}.quantity", maximum=format_fen(MAX_AMOUNT_FEN)
            )
        lines.append(
            OrderLine(
                shop=shop,
                campaign_item_id=campaign_item.id,
                product_name=campaign_item.product_name[:60],
                spec=campaign_item.spec,
                unit_price_fen=campaign_item.price_fen,
                quantity=item["quantity"],
                amount_fen=amount,
                commission_rate_bp=campaign_item.commission_rate_bp
                if campaign_item.commission_rate_bp is not None
                else rate_default,
            )
        )
    items_fen = sum(line.amount_fen for line in lines)
    if items_fen > MAX_AMOUNT_FEN:
        raise ApplicationError("amount_too_large", field="items", maximum=format_fen(MAX_AMOUNT_FEN))
    # Campaign price (the lines as priced above) → 满减送 → coupon. Each line keeps what it pays,
    # its shares of the discounts taken off: commission and refunds work from that.
    priced = [
        coupons.Line(
            line.amount_fen,
            campaign_items[item["campaign_item_id"]].product_id,
            campaign_items[item["campaign_item_id"]].category_id,
        )
        for line, item in zip(lines, items)
    ]
    reduction, tier, reduction_shares = reductions.reduction_quote(shop=shop, lines=priced, now=now)
    for line, share in zip(lines, reduction_shares):
        line.amount_fen -= share
        line.reduction_fen = share
    reduction_fen = sum(reduction_shares)
    coupon, discount_fen = None, reduction_fen
    if coupon_id:
        coupon, shares = coupons.coupon_quote(
            shop=shop,
            member=member,
            coupon_id=coupon_id,
            lines=reductions.lines_after(priced, reduction_shares),
            now=now,
        )
        for line, share in zip(lines, shares):
            line.amount_fen -= share
            line.coupon_fen = share
        discount_fen += sum(shares)
    delivery_quote = _delivery_quote(
        shop=shop, member=member, campaign=campaign, delivery=delivery, goods_fen=items_fen - discount_fen
    )
    return _Quote(
        now=now,
        campaign=campaign,
        campaign_items=campaign_items,
        leader=leader,
        point=point,
        lines=lines,
        items_fen=items_fen,
        discount_fen=discount_fen,
        reduction_fen=reduction_fen,
        reduction=reduction,
        tier=tier,
        coupon=coupon,
        delivery=delivery_quote,
    )


def _checkout_write(order: Order, quote: _Quote, items: list[dict]) -> Order:
    """The order's lines and `placed` event, the coupon's lock, then the stock (and the delivery
    slot): the order row is written already (_insert_order)."""
    shop, lines, coupon, reduction, tier = order.shop, quote.lines, quote.coupon, quote.reduction, quote.tier
    discount_fen, reduction_fen, now = quote.discount_fen, quote.reduction_fen, quote.now
    for line in lines:
        line.order = order
    placed = OrderEvent(
        shop=shop,
        order=order,
        type="placed",
        to_status=S.PENDING_PAYMENT,
        actor=order.member,
        data={
            "total_fen": order.total_fen,
            "items": items,
            **({"coupon_id": coupon.pk, "coupon_fen": discount_fen - reduction_fen} if coupon else {}),
            **(
                {
                    "reduction_id": reduction.pk,
                    "reduction": reductions.tier_label(tier),
                    "reduction_fen": reduction_fen,
                }
                if reduction
                else {}
            ),
        },
    )
    _insert(lines, also=[placed])  # one statement on PostgreSQL
    if coupon is not None:
        coupons.coupon_lock(
            coupon=coupon,
            order_id=order.pk,
            discount_fen=discount_fen - reduction_fen,
            paid_fen=order.total_fen,
            now=now,
        )
    # Stock last, just before COMMIT: the hot item rows stay locked for one round trip instead of
    # four, which is what a popular item's queue of buyers waits on. Missing stock rolls all back.
    # Ascending ids: two checkouts of the same items lock them in the same order (no deadlock).
    short = _reserve_stocks(sorted(enumerate(items), key=lambda pair: pair[1]["campaign_item_id"]))
    if short is not None:
        index, item_id = short
        available = CampaignItem.objects.filter(pk=item_id).values_list("stock_left", flat=True).first()
        error = ApplicationError("stock_insufficient", field=f"items.{index}.quantity", status=409, available=available)
        error.hot_stock_stale = item_id
        raise error
    if quote.delivery["plan"] is not None:  # after the campaign items: the one lock order
        order_delivery_place(order=order, plan=quote.delivery["plan"], lines=lines)
    order.replayed = False
    order.has_goods = any(item.kind == Product.Kind.PHYSICAL for item in quote.campaign_items.values())
    return _with_lines(order, lines)


def _return_stock(order_ids: list[int]) -> None:
    """Put back what these orders still hold (quantity not refunded yet) into their campaign items."""
    held = (
        OrderLine.objects.filter(order_id__in=order_ids)
        .values("shop_id", "campaign_item_id")
        .annotate(quantity=Sum(F("quantity") - F("refunded_quantity")))
        .order_by("campaign_item_id")
        .values_list("shop_id", "campaign_item_id", "quantity")
    )
    returned: dict[int, list[tuple[int, int]]] = {}
    for shop_id, item_id, quantity in held:
        if quantity:
            CampaignItem.objects.filter(pk=item_id).update(stock_left=F("stock_left") + quantity)
            returned.setdefault(shop_id, []).append((item_id, quantity))
    for shop_id, quantities in returned.items():
        hot_stock_give_after_commit(shop_id=shop_id, quantities=quantities)
    order_goods_returned(order_ids=order_ids, line_quantities=None)


def _campaign_open(campaign: Campaign) -> bool:
    return campaign.status == Campaign.Status.LIVE and timezone.now() < campaign.cutoff_at


@transaction.atomic
def order_cancel(*, order: Order, actor, reason: str = "") -> Order:
    """Unpaid: cancelled, stock returned, open payments closed. Paid while the campaign still
    takes orders (before the cut-off): cancelled by a full refund (the order turns `refunded`
    once the provider confirms it). Anything later goes through after-sales or a staff refund."""
    lock_objects(campaigns=order.campaign_id, orders=order.pk)
    order = _locked(order)
    if order.status == S.PENDING_PAYMENT:
        order_transition(order, S.CANCELLED, actor=actor, event_type="cancelled", reason=reason)
        _return_stock([order.pk])
        coupons.coupons_return(order_ids=[order.pk])
        payments_close_open(order_ids=[order.pk])
        return order
    if order.status == S.PAID:
        if order.total_fen - order.refunded_fen - refunds_pending_fen(order_id=order.pk) <= 0:
            return order  # cancelled already, its refund on the way: the same answer again
        if not _campaign_open(order.campaign):
            raise ApplicationError("cancel_after_cutoff", field="status", status=409)
        refund_request(order=order, actor=actor, reason=reason or "截单前取消")
        return order
    raise _state_error(order, "cancel")


def _cancel_unpaid(queryset, *, event_type: str, actor=None, **data) -> int:
    """Cancel the pending orders of `queryset`, in batches each locked first (SKIP LOCKED:
    an order being paid right now is left to its payment), returning their stock."""
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                queryset.filter(status=S.PENDING_PAYMENT)
                .select_for_update(skip_locked=True)
                .order_by("id")
                .values_list("id", flat=True)[:JOB_BATCH]
            )
            if not ids:
                return total
            moved = orders_bulk_transition(
                Order.objects.filter(id__in=ids),
                S.PENDING_PAYMENT,
                S.CANCELLED,
                actor=actor,
                event_type=event_type,
                **data,
            )
            _return_stock(moved)
            coupons.coupons_return(order_ids=moved)
            payments_close_open(order_ids=moved)
            total += len(moved)
            if len(ids) < JOB_BATCH:
                return total


def orders_expire_unpaid(*, now=None) -> int:
    """Job: pending orders past their payment deadline are cancelled (`expired`) and their
    stock returned. Safe to run twice: a second run finds nothing pending."""
    now = now or timezone.now()
    return _cancel_unpaid(Order.objects.filter(expires_at__lte=now), event_type="expired")


def orders_cancel_unpaid_for_campaign(*, campaign: Campaign, actor=None) -> int:
    """At cut-off: the campaign's unpaid orders are cancelled and their stock returned."""
    return _cancel_unpaid(
        Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign),
        event_type="cancelled",
        actor=actor,
        reason="campaign_closed",
    )


@transaction.atomic
def orders_confirm_for_campaign(*, campaign: Campaign, actor=None) -> int:
    """The campaign succeeded: its paid orders become confirmed (成团); after COMMIT a job tells
    their members (orders/notices.py)."""
    from django_q.tasks import async_task

    queryset = Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign)
    confirmed = len(orders_bulk_transition(queryset, S.PAID, S.CONFIRMED, actor=actor, event_type="confirmed"))
    if confirmed:
        after_commit(lambda: async_task("tuangou.orders.tasks.campaign_formed_notify", campaign.id))
    return confirmed


def orders_refund_for_failed_campaign(*, campaign: Campaign, actor=None) -> int:
    """The campaign failed: every paid order is refunded in full, one job per order queued after
    COMMIT (each order's refund its own transaction: one failing at the provider leaves the
    others done, and the refund schedule re-drives it). Returns how many were queued."""
    from django_q.tasks import async_task

    ids = list(
        Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign, status=S.PAID)
        .order_by("id")
        .values_list("id", flat=True)
    )
    actor_id = actor.pk if actor is not None else None

    def queue():
        for order_id in ids:
            async_task("tuangou.orders.tasks.order_refund_for_failed_campaign", order_id, actor_id)

    if ids:
        after_commit(queue)
    return len(ids)


def orders_refund_failed_redrive(*, limit: int = 500) -> int:
    """Paid orders of failed campaigns whose refund job never succeeded (it raised three times, or
    the queue lost it): each is refunded now, in its own transaction. Returns how many were."""
    ids = list(
        Order.objects.filter(status=S.PAID, campaign__status=Campaign.Status.FAILED)
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    return sum(order_refund_for_failed_campaign(order_id=order_id) == "queued" for order_id in ids)


def order_refund_for_failed_campaign(*, order_id: int, actor=None) -> str:
    """One order of a failed campaign: refunded in full in its own transaction, unless it is no
    longer paid or its refund is already asked for. Safe to run twice."""
    with transaction.atomic():
        order = Order.objects.select_related("campaign").get(pk=order_id)
        if order.campaign.status != Campaign.Status.FAILED:
            return "skipped"
        lock_objects(campaigns=order.campaign_id, orders=order.pk)
        if _locked(order).status != S.PAID:
            return "skipped"
        try:
            refund_request(order=order, actor=actor, reason="campaign_failed")
        except ApplicationError as error:  # everything left is already being refunded
            return error.code
    return "queued"


@transaction.atomic
def order_mark_paid(*, order: Order, payment_id: int, amount_fen: int) -> bool:
    """The provider says the money arrived (the caller, payments, holds the locks). A pending
    order becomes paid and counts towards the campaign: True. An order that stopped waiting
    (cancelled, expired, its campaign closed, or paid twice): False, the caller sends the
    money back."""
    order = _locked(order)
    if order.status == S.PENDING_PAYMENT and order.campaign.status != Campaign.Status.LIVE:
        order_transition(order, S.CANCELLED, event_type="cancelled", reason="campaign_closed")
        _return_stock([order.pk])
        coupons.coupons_return(order_ids=[order.pk])
    if order.status != S.PENDING_PAYMENT:
        return False
    order_transition(order, S.PAID, event_type="paid", payment_id=payment_id, amount_fen=amount_fen)
    coupons.coupons_use(order_id=order.pk)
    payment_gifts.payment_gifts_on_paid(
        shop_id=order.shop_id,
        order_id=order.pk,
        member_id=order.member_id,
        lines=[
            coupons.Line(*row)
            for row in order.lines.values_list(
                "amount_fen", "campaign_item__sku__product_id", "campaign_item__sku__product__category_id"
            )
        ],
    )
    quantity = order.lines.aggregate(total=Sum("quantity"))["total"] or 0
    Campaign.objects.filter(pk=order.campaign_id).update(
        paid_orders=F("paid_orders") + 1,
        paid_quantity=F("paid_quantity") + quantity,
        paid_amount_fen=F("paid_amount_fen") + order.total_fen,
    )
    order_paid(order=order)
    return True


def _split_amount(lines: list[OrderLine], amount_fen: int) -> dict[int, int]:
    """Spread an amount over lines in proportion to what each has left to refund (whole fen,
    the remainder on the lines with the most left), never above a line's remainder."""
    left = {line.id: line.amount_fen - line.refunded_fen for line in lines if line.amount_fen > line.refunded_fen}
    total_left = sum(left.values())
    shares = {line_id: amount_fen * fen // total_left for line_id, fen in left.items()}
    remainder = amount_fen - sum(shares.values())
    for line_id in sorted(left, key=lambda pk: left[pk] - shares[pk], reverse=True):
        if remainder == 0:
            break
        extra = min(remainder, left[line_id] - shares[line_id])
        shares[line_id] += extra
        remainder -= extra
    return {line_id: fen for line_id, fen in shares.items() if fen}


def _refund_plan(order: Order, lines: list[OrderLine], requested_lines, amount_fen) -> dict[int, tuple[int, int]]:
    """line id -> (quantity, fen) to refund; FEE_LINE_ID -> (0, fen) of the delivery fee."""
    left_fen = order.total_fen - order.refunded_fen
    by_id = {line.id: line for line in lines}
    everything = {
        line.id: (line.quantity - line.refunded_quantity, line.amount_fen - line.refunded_fen)
        for line in lines
        if line.amount_fen > line.refunded_fen or line.quantity > line.refunded_quantity
    }
    # What the lines do not hold of the money left is the delivery fee's (it is refunded with
    # the last of the goods, or by an amount beyond what the goods have left).
    fee_left = left_fen - sum(line.amount_fen - line.refunded_fen for line in lines)
    if fee_left > 0:
        everything[FEE_LINE_ID] = (0, fee_left)
    if requested_lines:
        plan = {}
        for index, requested in enumerate(requested_lines):
            line = by_id.get(int(requested["line_id"]))
            if line is None:
                raise NotFound("订单商品", "Order line", field=f"lines.{index}.line_id")
            if line.id in plan:
                raise ApplicationError("order_item_duplicate", field=f"lines.{index}.line_id")
            quantity, quantity_left = int(requested["quantity"]), line.quantity - line.refunded_quantity
            if quantity < 1:
                raise ApplicationError("quantity_invalid", field=f"lines.{index}.quantity")
            if quantity > quantity_left:
                raise ApplicationError(
                    "refund_quantity_too_much", field=f"lines.{index}.quantity", maximum=quantity_left
                )
            fen_left = line.amount_fen - line.refunded_fen
            # The last pieces take whatever is left of the line, so rounding never strands a fen.
            fen = fen_left if quantity == quantity_left else min(line.amount_fen * quantity // line.quantity, fen_left)
            plan[line.id] = (quantity, fen)
        if fee_left > 0 and all(plan.get(pk, (0, 0))[0] == left[0] for pk, left in everything.items() if left[0]):
            plan[FEE_LINE_ID] = (0, fee_left)  # every piece goes back: so does the delivery fee
        return plan
    if amount_fen is not None:
        if amount_fen <= 0:
            raise ApplicationError("refund_amount_invalid", field="amount_fen")
        if amount_fen > left_fen:
            raise ApplicationError("refund_too_much", field="amount_fen", maximum=format_fen(left_fen))
        if amount_fen == left_fen:
            return everything
        goods_left = left_fen - max(fee_left, 0)
        if amount_fen > goods_left:  # all the goods' money and part of the fee
            return {**{pk: (0, fen) for pk, (_, fen) in everything.items()}, FEE_LINE_ID: (0, amount_fen - goods_left)}
        return {line_id: (0, fen) for line_id, fen in _split_amount(lines, amount_fen).items()}
    return everything


def order_refund_plan(
    order: Order, *, lines: list[dict] | None, amount_fen: int | None, pending: list[list[dict]] = ()
) -> list[dict]:
    """Check a refund asked of a (locked) refundable order and plan it: the refund lines
    [{"line_id", "quantity", "amount_fen"}] of all that is left (no lines, no amount), some
    pieces of some lines, or an amount (spread over the lines). Refunds still `pending` (their
    lines in `pending`) count as refunded already, so money is never asked back twice."""
    if order.status not in REFUNDABLE:
        raise _state_error(order, "refund")
    order_lines = list(OrderLine.objects.filter(order=order))
    by_id = {line.id: line for line in order_lines}
    for refund_lines in pending:
        for refund_line in refund_lines:
            line = by_id.get(refund_line["line_id"])
            if line is not None:
                line.refunded_quantity += refund_line["quantity"]
                line.refunded_fen += refund_line["amount_fen"]
                order.refunded_fen += refund_line["amount_fen"]
    left_fen = order.total_fen - order.refunded_fen
    if left_fen <= 0 and not lines and amount_fen is None:
        raise ApplicationError("refund_too_much", field="amount_fen", maximum=format_fen(0))
    plan = _refund_plan(order, order_lines, lines, amount_fen)
    total_fen = sum(fen for _, fen in plan.values())
    if total_fen <= 0:
        raise ApplicationError("refund_amount_invalid", field="amount_fen")
    if total_fen > left_fen:
        raise ApplicationError("refund_too_much", field="amount_fen", maximum=format_fen(left_fen))
    planned = [{"line_id": pk, "quantity": quantity, "amount_fen": fen} for pk, (quantity, fen) in sorted(plan.items())]
    order_refund_planned(order=order, lines=order_lines, plan=planned)
    return planned


def order_refund(
    *,
    order: Order,
    actor,
    reason: str,
    lines: list[dict] | None = None,
    amount_fen: int | None = None,
):
    """Refund all that is left (no lines, no amount), some pieces of some lines, or an amount
    (spread over the lines): the money side writes it pending and sends it after COMMIT; the
    order's book follows in order_refund_apply. Returns the Refund.

    Above the shop's line (ApprovalPolicy.refund_over_fen) it waits for a second person instead;
    a member's own cancel and a failed campaign's refunds never wait."""
    over_fen = approval_policy(order.shop).refund_over_fen
    if over_fen is not None:
        # Pending refunds left out: the estimate is never below what will be refunded.
        total_fen = sum(line["amount_fen"] for line in order_refund_plan(order, lines=lines, amount_fen=amount_fen))
        approval_gate(
            needed=total_fen > over_fen,
            shop=order.shop,
            actor=actor,
            action="refund",
            permission="orders.refund",
            payload={"order_id": order.pk, "reason": reason, "lines": lines, "amount_fen": amount_fen},
            summary=f"订单{order.number}退款{format_fen(total_fen)}",
            amount_fen=total_fen,
        )
    return refund_request(order=order, actor=actor, reason=reason, lines=lines, amount_fen=amount_fen)


def order_refund_approved(*, shop, actor, payload: dict):
    """The executor of an approved refund (tuangou.audit.approvals)."""
    order = Order.objects.filter(shop=shop, pk=payload["order_id"]).first()
    if order is None:
        raise NotFound("订单", "Order")
    return order_refund(
        order=order, actor=actor, reason=payload["reason"], lines=payload["lines"], amount_fen=payload["amount_fen"]
    )


@transaction.atomic
def order_refund_apply(*, order: Order, refund_id: int, refund_lines: list[dict], reason: str, actor) -> Order:
    """The provider confirmed a refund (the caller, payments, holds the locks): the lines, the
    order and the campaign counters follow; stock returns while the campaign still sells;
    commission earned on the refunded money is reversed. All money back -> `refunded`."""

    order = _locked(order)
    plan = {line["line_id"]: (line["quantity"], line["amount_fen"]) for line in refund_lines}
    total_fen = sum(fen for _, fen in plan.values())
    order_lines = list(OrderLine.objects.filter(order=order))
    changed = []
    for line in order_lines:
        if line.id in plan:
            quantity, fen = plan[line.id]
            line.refunded_quantity += quantity
            line.refunded_fen += fen
            changed.append(line)
    OrderLine.objects.bulk_update(changed, ["refunded_quantity", "refunded_fen"])
    order.refunded_fen += total_fen
    order.save(update_fields=["refunded_fen", "updated_at"])

    fully = order.refunded_fen == order.total_fen
    quantity_back = sum(quantity for quantity, _ in plan.values())
    Campaign.objects.filter(pk=order.campaign_id).update(
        paid_orders=F("paid_orders") - (1 if fully else 0),
        paid_quantity=F("paid_quantity") - quantity_back,
        paid_amount_fen=F("paid_amount_fen") - total_fen,
    )
    if _campaign_open(order.campaign):
        for line in sorted(changed, key=lambda line: line.campaign_item_id):
            if plan[line.id][0]:
                CampaignItem.objects.filter(pk=line.campaign_item_id).update(
                    stock_left=F("stock_left") + plan[line.id][0]
                )
        hot_stock_give_after_commit(
            shop_id=order.shop_id, quantities=[(line.campaign_item_id, plan[line.id][0]) for line in changed]
        )

    data = {"reason": reason, "refund_id": refund_id, "amount_fen": total_fen, "lines": refund_lines}
    # All money back: the coupon returns (or expires). Some back: it stays used.
    if fully:
        coupons.coupons_return(order_ids=[order.pk])
        payment_gifts.payment_gifts_revoke(order_id=order.pk)
    elif order.discount_fen > order.reduction_fen:
        coupons.coupons_paid_less(order_id=order.pk, refunded_fen=total_fen)
    if fully and order.status != S.REFUNDED:
        order_transition(order, S.REFUNDED, actor=actor, event_type="refunded", **data)
    else:
        OrderEvent.objects.create(
            shop_id=order.shop_id,
            order=order,
            type="partial_refund",
            from_status=order.status,
            to_status=order.status,
            actor=actor,
            data=data,
        )
    if order.delivery_mode == Order.DeliveryMode.DELIVERY and quantity_back:
        order_goods_returned(
            order_ids=[order.pk], line_quantities={pk: quantity for pk, (quantity, _) in plan.items() if quantity}
        )
    order_refunded(order=order, refunded_fen_by_line={pk: fen for pk, (_, fen) in plan.items() if pk != FEE_LINE_ID})
    return order


def after_sales_close_for_refund(*, order: Order, actor, reason: str, refund_fen: int) -> int:
    """A refund made outside after-sales (a direct staff refund, a cancel, a failed campaign)
    closes the order's open request as refunded, recording who and why. The caller holds the
    order lock; returns how many were closed."""
    open_requests = list(
        AfterSaleRequest.objects.select_for_update().filter(order=order, status=AfterSaleRequest.Status.OPEN)
    )
    for after_sale in open_requests:
        after_sale.status = AfterSaleRequest.Status.REFUNDED
        after_sale.refund_fen = refund_fen
        _after_sale_close(after_sale, order=order, actor=actor, action="refund", reason=reason, via="direct_refund")
    return len(open_requests)


def _after_sale_close(after_sale, *, order: Order, actor, action: str, reason: str, via: str = "") -> None:
    """Save a request's outcome (status and refund already set) and record it on the order."""
    after_sale.resolution = reason[:200]
    after_sale.handled_by = actor
    after_sale.handled_at = timezone.now()
    after_sale.save(update_fields=["status", "refund_fen", "resolution", "handled_by", "handled_at", "updated_at"])
    data = {"after_sale_id": after_sale.pk, "action": action, "reason": reason, "refund_fen": after_sale.refund_fen}
    OrderEvent.objects.create(
        shop_id=order.shop_id,
        order=order,
        type="after_sale_resolved",
        from_status=order.status,
        to_status=order.status,
        actor=actor,
        data={**data, "via": via} if via else data,
    )


PICKUP_MISSES_ALLOWED = 20
PICKUP_MISSES_WINDOW = 600  # seconds


_PICKUP_MISSES = ("pickup_code_invalid", "pickup_code_other_point")


def order_pickup_verify(*, shop, code: str, leader: Leader | None = None, actor) -> Order:
    """Codes are 8 digits: a verifier who keeps missing is guessing. Each check takes one of
    PICKUP_MISSES_ALLOWED attempts from a counter every web worker shares (the database,
    tuangou.accounts.limits), claimed before the check and outside the transaction (the failing
    call rolls back; the count stays); a check that was not a miss gives its attempt back."""
    misses_key = f"pickup-misses:{shop.id}:{actor.pk if actor is not None else 0}"
    if not attempt_claim(key=misses_key, limit=PICKUP_MISSES_ALLOWED, window_seconds=PICKUP_MISSES_WINDOW):
        raise ApplicationError("rate_limited", field="code", status=429, seconds=attempt_retry_after(key=misses_key))
    try:
        order = _order_pickup_verify(shop=shop, code=code, leader=leader, actor=actor)
    except Exception as error:
        if getattr(error, "code", None) not in _PICKUP_MISSES:
            attempt_release(key=misses_key)
        raise
    attempt_release(key=misses_key)
    return order


@transaction.atomic
def _order_pickup_verify(*, shop, code: str, leader: Leader | None, actor) -> Order:
    """核销: the member shows their code at the pickup point. A leader verifies only codes of
    their own point (shop staff — leader=None — any point's). An order still marked shipped
    is clearly there: it arrives and is picked up in one go (two events). The leader's
    commission accrues at pickup."""
    code = (code or "").strip()
    order = (
        Order.objects.select_for_update(of=("self",)).select_related("shop").filter(shop=shop, pickup_code=code).first()
        if code.isdigit()
        else None
    )
    if order is None:
        raise ApplicationError("pickup_code_invalid", field="code", status=404)
    if leader is not None:
        point_id = PickupPoint.objects.filter(leader=leader).values_list("id", flat=True).first()
        if point_id != order.pickup_point_id:
            raise ApplicationError("pickup_code_other_point", field="code", status=403)
    if order.status == S.SHIPPED:
        order_transition(order, S.ARRIVED, actor=actor, event_type="arrived", via="pickup_verify")
    if order.status != S.ARRIVED:
        raise _state_error(order, "pick_up")
    order_transition(order, S.PICKED_UP, actor=actor, event_type="picked_up", code=code)
    order_picked_up(order=order)
    return order


def orders_complete_due(*, now=None) -> int:
    """Job: picked-up orders whose after-sales window (shop.after_sales_days) has closed become
    completed — unless an after-sales request is still open. Safe to run twice."""
    from tuangou.shops.models import Shop

    now = now or timezone.now()
    windows = (
        Shop.objects.filter(id__in=Order.objects.filter(status=S.PICKED_UP).values("shop_id"))
        .values_list("after_sales_days", flat=True)
        .distinct()
    )
    total = 0
    for days in windows:
        due = Order.objects.filter(
            status=S.PICKED_UP, shop__after_sales_days=days, picked_up_at__lte=now - timedelta(days=days)
        ).exclude(after_sales__status=AfterSaleRequest.Status.OPEN)
        while True:
            with transaction.atomic():
                ids = list(
                    due.select_for_update(of=("self",), skip_locked=True)
                    .order_by("id")
                    .values_list("id", flat=True)[:JOB_BATCH]
                )
                if not ids:
                    break
                total += len(
                    orders_bulk_transition(
                        Order.objects.filter(id__in=ids), S.PICKED_UP, S.COMPLETED, event_type="completed"
                    )
                )
    return total


@transaction.atomic
def after_sale_open(
    *, order: Order, member, reason: str, line_id: int | None = None, quantity: int = 0
) -> AfterSaleRequest:
    """A member complains about their order, or one line of it (some pieces)."""
    order = _locked(order)
    if order.status not in AFTER_SALE_OPEN_STATUSES:
        raise _state_error(order, "after_sale")
    line = None
    if line_id is not None:
        line = OrderLine.objects.filter(order=order, pk=line_id).first()
        if line is None:
            raise NotFound("订单商品", "Order line", field="line_id")
        quantity_left = line.quantity - line.refunded_quantity
        quantity = quantity or quantity_left
        if quantity < 1 or quantity > quantity_left:
            raise ApplicationError("refund_quantity_too_much", field="quantity", maximum=quantity_left)
    else:
        quantity = 0
    if AfterSaleRequest.objects.filter(order=order, status=AfterSaleRequest.Status.OPEN).exists():
        raise ApplicationError("after_sale_exists", field="order", status=409)
    request = AfterSaleRequest.objects.create(
        shop_id=order.shop_id, order=order, line=line, quantity=quantity, reason=reason[:200]
    )
    OrderEvent.objects.create(
        shop_id=order.shop_id,
        order=order,
        type="after_sale_opened",
        from_status=order.status,
        to_status=order.status,
        actor=member,
        data={"after_sale_id": request.pk, "line_id": line_id, "quantity": quantity, "reason": reason},
    )
    return request


def _after_sale_refund_gate(after_sale: AfterSaleRequest, *, actor, reason: str, lines, amount_fen) -> None:
    """Above the shop's refund line an after-sales refund waits for a second person, as an order
    refund does (order_refund); approving it resolves the request (after_sale_refund_approved)."""
    order = after_sale.order
    over_fen = approval_policy(order.shop).refund_over_fen
    if over_fen is None:
        return
    total_fen = sum(line["amount_fen"] for line in order_refund_plan(order, lines=lines, amount_fen=amount_fen))
    approval_gate(
        needed=total_fen > over_fen,
        shop=order.shop,
        actor=actor,
        action="after_sale.refund",
        permission="orders.refund",
        payload={"after_sale_id": after_sale.pk, "reason": reason, "amount_fen": amount_fen},
        summary=f"订单{order.number}售后退款{format_fen(total_fen)}",
        amount_fen=total_fen,
    )


def after_sale_refund_approved(*, shop, actor, payload: dict):
    """The executor of an approved after-sales refund (tuangou.audit.approvals)."""
    after_sale = AfterSaleRequest.objects.filter(shop=shop, pk=payload["after_sale_id"]).first()
    if after_sale is None:
        raise NotFound("售后申请", "After-sales request")
    return after_sale_resolve(
        after_sale=after_sale, actor=actor, action="refund", reason=payload["reason"], amount_fen=payload["amount_fen"]
    )


@transaction.atomic
def after_sale_resolve(
    *, after_sale: AfterSaleRequest, actor, action: str, reason: str, amount_fen: int | None = None
) -> AfterSaleRequest:
    """Staff close a request: `refund` (its line and quantity, an amount, or all that is left)
    or `reject` with a reason the member sees."""
    # The one lock order (core/locks.py): campaign, order, then the request.
    lock_objects(campaigns=after_sale.order.campaign_id, orders=after_sale.order_id, after_sales=after_sale.pk)
    after_sale = AfterSaleRequest.objects.select_related("order").get(pk=after_sale.pk)
    if after_sale.status != AfterSaleRequest.Status.OPEN:
        raise ApplicationError("after_sale_state", status=409)
    if not reason.strip():
        raise ApplicationError("required", field="reason")
    order = after_sale.order
    if action == "refund":
        # An amount, else the request's line and quantity, else all that is left.
        lines = None
        if amount_fen is None and after_sale.line_id:
            lines = [{"line_id": after_sale.line_id, "quantity": after_sale.quantity}]
        _after_sale_refund_gate(after_sale, actor=actor, reason=reason, lines=lines, amount_fen=amount_fen)
        refund = refund_request(
            order=order, actor=actor, reason=reason, lines=lines, amount_fen=amount_fen, close_after_sales=False
        )
        after_sale.status = AfterSaleRequest.Status.REFUNDED
        after_sale.refund_fen = refund.amount_fen
    elif action == "reject":
        after_sale.status = AfterSaleRequest.Status.REJECTED
    else:
        raise ApplicationError("invalid", field="action", reason="one_of", choices="refund | reject")
    _after_sale_close(after_sale, order=order, actor=actor, action=action, reason=reason)
    return after_sale
