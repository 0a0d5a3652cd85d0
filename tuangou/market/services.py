"""Marketplace writes: offers published and withdrawn by a supplier; adoption and allotment by a
seller (units move from the supplier's SKU to the seller's in one transaction, by conditional
UPDATEs, so neither side is ever oversold); dropship orders written when a seller's order is paid,
shipped and delivered by the supplier (each status told on the seller's order); the ledger.

Why allotments rather than checking the supplier at checkout: the order path stays exactly the
seller's own stock check (and its Redis hot-stock counters), and the supplier knows what it has
promised. Units the seller did not sell can be handed back.

Lock order here: the offer row first, then SKUs through their conditional UPDATEs; the paid and
refund hooks run inside the order's transaction (the order is locked already) and lock the
dropship order last.
"""

import re
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tuangou.audit.services import audit_record
from tuangou.catalog.models import Product, ProductImage, Sku, StockMovement
from tuangou.catalog.services import product_create, sku_stock_move
from tuangou.core.api import get_in_shop
from tuangou.core.bounds import MAX_STOCK
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.states import transition
from tuangou.orders.models import Order, OrderEvent, OrderLine
from tuangou.shops.models import Shop
from tuangou.warehouses.models import OrderDelivery

from .models import DropshipLine, DropshipOrder, MarketLink, MarketSettlement, SupplyOffer

OFFER = SupplyOffer.Status
D = DropshipOrder.Status
M = MarketSettlement.Status
R = StockMovement.Reason
TRACKING_NO = re.compile(r"^[A-Za-z0-9-]{6,30}$")
SETTLE_AFTER_DUE_DAYS = 3  # the daily job settles what the seller left due this long


# --- offers (the supplier) -------------------------------------------------------------------


@transaction.atomic
def offer_publish(
    *,
    shop,
    actor,
    sku_id: int,
    supply_price_fen: int,
    units: int,
    retail_price_fen: int = 0,
    min_order: int = 1,
    description: str = "",
) -> SupplyOffer:
    """Put one of the shop's SKUs on the marketplace, or change and relist its offer."""
    sku = get_in_shop(
        Sku.objects.select_related("product"), shop, sku_id, thing_zh="规格", thing_en="SKU", field="sku_id"
    )
    if sku.product.kind != Product.Kind.PHYSICAL:
        raise ApplicationError("market_offer_physical_only", field="sku_id")
    if MarketLink.objects.filter(sku=sku).exists():
        # Its units sit at the supplier: a buyer's dropship would come to a shop that holds nothing.
        raise ApplicationError("market_offer_resale", field="sku_id", status=422)
    if supply_price_fen < 1:
        raise ApplicationError("validation", field="supply_price_fen", reason="positive")
    if retail_price_fen and retail_price_fen < supply_price_fen:
        raise ApplicationError("market_price_below_supply", field="retail_price_fen", status=422)
    if min_order < 1:
        raise ApplicationError("validation", field="min_order", reason="at_least_1")
    values = {
        "supply_price_fen": supply_price_fen,
        "retail_price_fen": retail_price_fen,
        "min_order": min_order,
        "description": description.strip(),
        "units_left": units,
        "status": OFFER.LISTED,
    }
    # get_or_create: two first publishes of one SKU at once meet on its unique index, not in a 500.
    offer, created = SupplyOffer.objects.select_for_update().get_or_create(sku=sku, defaults={"shop": shop, **values})
    if not created:
        for name, value in values.items():
            setattr(offer, name, value)
        offer.save()
    audit_record(
        shop=shop,
        actor=actor,
        action="market.publish",
        target=("supply_offer", offer.pk, f"{sku.product.name} {sku.spec}".strip()),
        after={"supply_price_fen": supply_price_fen, "units": units},
    )
    return offer


def _offer_of_shop(shop, offer_id: int) -> SupplyOffer:
    return get_in_shop(
        SupplyOffer.objects.select_for_update(of=("self",)).select_related("sku__product"),
        shop,
        offer_id,
        thing_zh="供货商品",
        thing_en="Offer",
        field="offer_id",
    )


@transaction.atomic
def offer_withdraw(*, shop, actor, offer_id: int) -> SupplyOffer:
    """No new allotments; what sellers took stays theirs to sell (and to ship through us)."""
    offer = _offer_of_shop(shop, offer_id)
    if offer.status != OFFER.WITHDRAWN:
        offer.status = OFFER.WITHDRAWN
        offer.save(update_fields=["status", "updated_at"])
        audit_record(
            shop=shop,
            actor=actor,
            action="market.withdraw",
            target=("supply_offer", offer.pk, offer.sku.product.name),
        )
    return offer


# --- adoption and allotment (the seller) --------------------------------------------------------


def _listed_offer_locked(shop, offer_id: int) -> SupplyOffer:
    """Another shop's listed offer, locked; the seller's own offers, withdrawn ones and those of a
    suspended supplier (it cannot ship) are 404."""
    offer = (
        SupplyOffer.objects.select_for_update(of=("self",))
        .select_related("sku__product", "shop")
        .filter(pk=offer_id, status=OFFER.LISTED, shop__status=Shop.Status.ACTIVE)
        .exclude(shop=shop)
        .first()
    )
    if offer is None:
        raise NotFound("供货商品", "Offer", field="offer_id")
    return offer


def _allot(*, link: MarketLink, offer: SupplyOffer, units: int, actor, field: str = "units") -> None:
    """Move `units` from the supplier's offer and SKU to the seller's SKU (the offer is locked)."""
    if units < offer.min_order:
        raise ApplicationError("market_below_min_order", field=field, minimum=offer.min_order)
    taken = SupplyOffer.objects.filter(pk=offer.pk, status=OFFER.LISTED, units_left__gte=units).update(
        units_left=F("units_left") - units, units_allotted=F("units_allotted") + units, updated_at=timezone.now()
    )
    if not taken:
        raise ApplicationError("market_units_short", field=field, available=offer.units_left)
    sku_stock_move(
        shop=offer.shop,
        sku_id=offer.sku_id,
        delta=-units,
        reason=R.MARKET_SUPPLY,
        note=f"→ {link.shop.name}",
        field=field,
        short_code="market_units_short",
    )
    sku_stock_move(
        shop=link.shop, sku_id=link.sku_id, delta=units, reason=R.MARKET_BUY, actor=actor, cap=MAX_STOCK, field=field
    )
    MarketLink.objects.filter(pk=link.pk).update(
        units_allotted=F("units_allotted") + units, supply_price_fen=offer.supply_price_fen
    )


@transaction.atomic
def offer_adopt(*, shop, actor, offer_id: int, price_fen: int, units: int = 0, name: str = "") -> MarketLink:
    """Take another shop's offer into this shop's catalogue: a product and SKU of its own, at its
    own price (never below the supply price), with `units` taken at once."""
    offer = _listed_offer_locked(shop, offer_id)
    if price_fen < offer.supply_price_fen:
        raise ApplicationError(
            "market_price_below_supply", field="price_fen", status=422, supply_price_fen=offer.supply_price_fen
        )
    if MarketLink.objects.filter(shop=shop, offer=offer).exists():
        raise ApplicationError("market_offer_adopted", field="offer_id", status=409)
    source = offer.sku.product
    product = product_create(
        shop=shop,
        actor=actor,
        name=(name.strip() or source.name)[:60],
        description=source.description,
        unit=source.unit,
        skus=[{"spec": offer.sku.spec, "price_fen": price_fen, "cost_fen": offer.supply_price_fen, "stock": 0}],
    )
    # The pictures are the supplier's files, shared rather than copied.
    ProductImage.objects.bulk_create(
        ProductImage(shop=shop, product=product, image=image.image.name, sort=image.sort)
        for image in source.images.all()
    )
    link = MarketLink.objects.create(
        shop=shop,
        offer=offer,
        supplier_id=offer.shop_id,
        sku=product.skus.get(),
        supply_price_fen=offer.supply_price_fen,
    )
    audit_record(
        shop=shop,
        actor=actor,
        action="market.adopt",
        target=("market_link", link.pk, product.name),
        after={"price_fen": price_fen, "supply_price_fen": offer.supply_price_fen, "units": units},
    )
    if units:
        _allot(link=link, offer=offer, units=units, actor=actor)
    return link


def _link_of_shop(shop, link_id: int) -> MarketLink:
    return get_in_shop(
        MarketLink.objects.select_related("sku__product", "shop"),
        shop,
        link_id,
        thing_zh="分销商品",
        thing_en="Item",
        field="link_id",
    )


def _linked_offer_locked(link: MarketLink) -> SupplyOffer:
    """The link's offer, locked first (every write of the link's units holds this lock); the link's
    units are read again under it, so a hand-back racing another never counts the same units twice."""
    offer = (
        SupplyOffer.objects.select_for_update(of=("self",)).select_related("sku__product", "shop").get(pk=link.offer_id)
    )
    link.refresh_from_db(fields=["units_allotted"])
    return offer


@transaction.atomic
def link_allot(*, shop, actor, link_id: int, units: int) -> MarketLink:
    """Take more units of an adopted offer (while it is listed and has them)."""
    link = _link_of_shop(shop, link_id)
    offer = _linked_offer_locked(link)
    if offer.status != OFFER.LISTED or offer.shop.status != Shop.Status.ACTIVE:
        raise ApplicationError("market_offer_withdrawn", field="link_id", status=409)
    _allot(link=link, offer=offer, units=units, actor=actor)
    audit_record(
        shop=shop,
        actor=actor,
        action="market.allot",
        target=("market_link", link.pk, link.sku.product.name),
        after={"units": units},
    )
    link.refresh_from_db()
    return link


@transaction.atomic
def link_return(*, shop, actor, link_id: int, units: int) -> MarketLink:
    """Hand unsold units back: off the seller's SKU (never below what it holds), back on the
    supplier's SKU and, while listed, on its offer."""
    link = _link_of_shop(shop, link_id)
    offer = _linked_offer_locked(link)
    if units < 1:
        raise ApplicationError("validation", field="units", reason="at_least_1")
    if units > link.units_allotted:
        raise ApplicationError("market_return_too_many", field="units", maximum=link.units_allotted)
    sku_stock_move(shop=shop, sku_id=link.sku_id, delta=-units, reason=R.MARKET_RETURN, actor=actor, field="units")
    # Never past the cap: the supplier may have added stock since (each round trip would add up).
    sku_stock_move(
        shop=offer.shop,
        sku_id=offer.sku_id,
        delta=units,
        reason=R.MARKET_BACK,
        note=f"← {shop.name}",
        cap=MAX_STOCK,
        field="units",
        full_code="market_supplier_stock_full",
    )
    SupplyOffer.objects.filter(pk=offer.pk).update(
        units_left=F("units_left") + units, units_allotted=F("units_allotted") - units, updated_at=timezone.now()
    )
    MarketLink.objects.filter(pk=link.pk).update(units_allotted=F("units_allotted") - units)
    audit_record(
        shop=shop,
        actor=actor,
        action="market.return",
        target=("market_link", link.pk, link.sku.product.name),
        after={"units": units},
    )
    link.refresh_from_db()
    return link


def market_on_stock_adjusting(*, shop, sku) -> None:
    """Hook stock_adjusting: a seller's market SKU holds only units its supplier allotted (they sit
    at the supplier); units added by hand would be sold and dropshipped without being there."""
    if MarketLink.objects.filter(sku=sku).exists():
        raise ApplicationError("market_stock_managed", field="sku_id", status=409)


def market_on_product_kind_changing(*, shop, product, kind) -> None:
    """Hook product_kind_changing: the marketplace moves goods only (a supplier ships them), so a
    product on offer or adopted from an offer stays goods; a voucher's codes would be issued to the
    member and the supplier would still be asked to ship."""
    if kind == Product.Kind.PHYSICAL:
        return
    offered = SupplyOffer.objects.filter(sku__product=product).exists()
    if offered or MarketLink.objects.filter(sku__product=product).exists():
        raise ApplicationError("market_kind_locked", field="kind", status=409)


# --- dropship (hooks of the seller's order) --------------------------------------------------


def _destination(order: Order) -> dict:
    """What delivery needs: a home delivery's recipient, or the pickup point and its leader (the
    point's contact) — never the member's own phone for a pickup order."""
    delivery = OrderDelivery.objects.filter(order=order).first()
    if delivery is not None:
        return {
            "destination": DropshipOrder.Destination.HOME,
            "recipient_name": delivery.recipient_name,
            "recipient_phone": delivery.recipient_phone,
            "address": f"{delivery.community} {delivery.address}".strip()[:260],
        }
    point, leader = order.pickup_point, order.leader
    return {
        "destination": DropshipOrder.Destination.PICKUP,
        "point_name": point.name,
        "recipient_name": leader.name,
        "recipient_phone": leader.phone,
        "address": f"{point.community} {point.address}".strip()[:260],
    }


def market_on_paid(*, order: Order) -> None:
    """Hook order_paid: the order's market lines become one dropship order per supplier, with its
    ledger row. Runs once per order (paid happens once)."""
    lines = list(
        OrderLine.objects.filter(order=order, campaign_item__sku__market_link__isnull=False).select_related(
            "campaign_item__sku__market_link__offer"
        )
    )
    if not lines:
        return
    destination = _destination(order)
    by_supplier: dict[int, list[OrderLine]] = {}
    for line in lines:
        by_supplier.setdefault(line.campaign_item.sku.market_link.supplier_id, []).append(line)
    for supplier_id, supplier_lines in sorted(by_supplier.items()):
        dropship = DropshipOrder.objects.create(
            shop_id=supplier_id, seller_id=order.shop_id, order=order, order_number=order.number, **destination
        )
        DropshipLine.objects.bulk_create(
            DropshipLine(
                shop_id=supplier_id,
                dropship=dropship,
                order_line=line,
                offer=line.campaign_item.sku.market_link.offer,
                product_name=line.product_name,
                spec=line.spec,
                quantity=line.quantity,
                supply_price_fen=line.campaign_item.sku.market_link.units_supply_price_fen,
            )
            for line in supplier_lines
        )
        settlement = MarketSettlement(shop_id=order.shop_id, supplier_id=supplier_id, dropship=dropship, order=order)
        _ledger_figures(settlement, supplier_lines, list(dropship.lines.all()))
        settlement.save()
        _tell_seller(dropship, "dropship_created", order=order)


def _ledger_figures(settlement: MarketSettlement, order_lines: list[OrderLine], lines: list[DropshipLine]) -> None:
    settlement.paid_fen = sum(line.amount_fen - line.refunded_fen for line in order_lines)
    settlement.supply_due_fen = sum(line.supply_price_fen * (line.quantity - line.refunded_quantity) for line in lines)
    settlement.margin_fen = settlement.paid_fen - settlement.supply_due_fen


def _tell_seller(dropship: DropshipOrder, event_type: str, *, order: Order | None = None, actor=None) -> None:
    """The supplier's status, written on the seller's order (its console detail and the member's page)."""
    order = order or Order.objects.only("id", "shop_id", "status").get(pk=dropship.order_id)
    OrderEvent.objects.create(
        shop_id=order.shop_id,
        order=order,
        type=event_type,
        from_status=order.status,
        to_status=order.status,
        data={
            "dropship_id": dropship.pk,
            "status": dropship.status,
            "carrier": dropship.carrier,
            "tracking_no": dropship.tracking_no,
        },
    )


def market_on_refunded(*, order: Order, refunded_fen_by_line: dict[int, int]) -> None:
    """Hook order_refunded: the refunded units leave the dropship order (all of them before shipping:
    it is cancelled) and the ledger row is figured again (void when nothing is kept)."""
    dropships = list(DropshipOrder.objects.select_for_update().filter(order=order).order_by("id"))
    for dropship in dropships:
        lines = list(dropship.lines.select_related("order_line"))
        for line in lines:
            line.refunded_quantity = min(line.order_line.refunded_quantity, line.quantity)
        DropshipLine.objects.bulk_update(lines, ["refunded_quantity"])
        kept = sum(line.quantity - line.refunded_quantity for line in lines)
        if not kept and dropship.status == D.PENDING:
            transition(
                dropship, to=D.CANCELLED, allowed_from={D.PENDING}, event_type="cancelled", data={"reason": "refunded"}
            )
            _tell_seller(dropship, "dropship_cancelled", order=order)
        settlement = MarketSettlement.objects.select_for_update().filter(dropship=dropship).first()
        if settlement is None or settlement.status == M.SETTLED:
            continue  # a refund after settling is the two shops' own business (it shows on the order)
        _ledger_figures(settlement, [line.order_line for line in lines], lines)
        if not kept:
            settlement.status = M.VOID
        settlement.save(update_fields=["paid_fen", "supply_due_fen", "margin_fen", "status", "updated_at"])


# --- the supplier ships ---------------------------------------------------------------------


def _dropship_of_supplier(shop, dropship_id: int) -> DropshipOrder:
    return get_in_shop(
        DropshipOrder.objects.select_for_update(of=("self",)),
        shop,
        dropship_id,
        thing_zh="代发订单",
        thing_en="Dropship order",
        field="dropship_id",
    )


@transaction.atomic
def dropship_ship(*, shop, actor, dropship_id: int, carrier: str, tracking_no: str) -> DropshipOrder:
    dropship = _dropship_of_supplier(shop, dropship_id)  # another shop's id is 404 before any field check
    carrier, tracking_no = (carrier or "").strip(), (tracking_no or "").strip().upper()
    if not carrier:
        raise ApplicationError("required", field="carrier")
    if not TRACKING_NO.match(tracking_no):
        raise ApplicationError("market_tracking_invalid", field="tracking_no", status=422)
    transition(
        dropship,
        to=D.SHIPPED,
        allowed_from={D.PENDING},
        event_type="shipped",
        actor=actor,
        action="ship",
        data={"carrier": carrier, "tracking_no": tracking_no},
        changes={"carrier": carrier, "tracking_no": tracking_no, "shipped_at": timezone.now()},
    )
    audit_record(
        shop=shop,
        actor=actor,
        action="market.ship",
        target=("dropship", dropship.pk, dropship.order_number),
        after={"carrier": carrier, "tracking_no": tracking_no},
    )
    _tell_seller(dropship, "dropship_shipped")
    return dropship


@transaction.atomic
def dropship_deliver(*, shop, actor, dropship_id: int) -> DropshipOrder:
    dropship = _dropship_of_supplier(shop, dropship_id)
    transition(
        dropship,
        to=D.DELIVERED,
        allowed_from={D.SHIPPED},
        event_type="delivered",
        actor=actor,
        action="arrive",
        changes={"delivered_at": timezone.now()},
    )
    audit_record(
        shop=shop, actor=actor, action="market.deliver", target=("dropship", dropship.pk, dropship.order_number)
    )
    _tell_seller(dropship, "dropship_delivered")
    return dropship


# --- the ledger ---------------------------------------------------------------------------------


def settlements_advance(*, now=None) -> dict:
    """Job: a row whose seller order completed (the after-sales window passed with nothing open:
    orders_complete_due) becomes due; a row left due SETTLE_AFTER_DUE_DAYS is settled. Safe to rerun."""
    now = now or timezone.now()
    with transaction.atomic():
        due_ids = list(
            MarketSettlement.objects.select_for_update(skip_locked=True)
            .filter(status=M.PENDING, order__status=Order.Status.COMPLETED)
            .values_list("id", flat=True)
        )
        MarketSettlement.objects.filter(pk__in=due_ids, status=M.PENDING).update(
            status=M.DUE, due_at=now, updated_at=now
        )
    with transaction.atomic():
        settled = MarketSettlement.objects.filter(
            status=M.DUE, due_at__lte=now - timedelta(days=SETTLE_AFTER_DUE_DAYS)
        ).update(status=M.SETTLED, settled_at=now, updated_at=now)
    return {"due": len(due_ids), "settled": settled}


@transaction.atomic
def settlements_settle(*, shop, actor, settlement_ids: list[int] | None = None) -> int:
    """The seller settles (结算) due rows with its suppliers: the ones named, or every due one."""
    queryset = MarketSettlement.objects.select_for_update().filter(shop=shop)
    if settlement_ids is not None:
        found = list(queryset.filter(pk__in=settlement_ids))
        if len(found) != len(set(settlement_ids)):
            raise NotFound("结算记录", "Settlement", field="settlement_ids")
        not_due = [row for row in found if row.status != M.DUE]
        if not_due:
            raise ApplicationError("market_settlement_not_due", field="settlement_ids", status=409)
        rows = found
    else:
        rows = list(queryset.filter(status=M.DUE))
    now = timezone.now()
    MarketSettlement.objects.filter(pk__in=[row.pk for row in rows], status=M.DUE).update(
        status=M.SETTLED, settled_at=now, settled_by=actor, updated_at=now
    )
    if rows:
        audit_record(
            shop=shop,
            actor=actor,
            action="market.settle",
            after={"count": len(rows), "supply_due_fen": sum(row.supply_due_fen for row in rows)},
        )
    return len(rows)
