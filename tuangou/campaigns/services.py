"""Campaign writes and the state machine.

draft → scheduled → live → closed → succeeded | failed, and draft/scheduled → cancelled.
Each transition is one function: it locks the campaign row, checks, saves and writes a
CampaignEvent, all in one transaction. Stock moves out of the SKUs at publish
(campaign_allot) and what was not sold goes back when the campaign ends (campaign_return).
"""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tuangou.audit.approvals import approval_gate, approval_policy
from tuangou.audit.services import audit_record
from tuangou.audit.services import changes as audit_changes
from tuangou.catalog.models import Product, Sku, StockMovement
from tuangou.catalog.services import sku_stock_move
from tuangou.core.api import get_in_shop
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.locks import lock_objects
from tuangou.core.states import StateMachine, event_record, state_error

from .hooks import campaign_closed, campaign_failed, campaign_succeeded
from .hotstock import hot_stock_reconcile_after_commit
from .models import Campaign, CampaignItem, CampaignLeader
from .selectors import VISIBLE_STATUSES, campaign_leader_allowed, campaign_member_count

S = Campaign.Status
# action -> (from, to): the campaign state machine.
CAMPAIGN = StateMachine(
    {
        "publish": ({S.DRAFT}, S.SCHEDULED),
        "start": ({S.SCHEDULED}, S.LIVE),
        "close": ({S.LIVE}, S.CLOSED),
        "succeed": ({S.CLOSED}, S.SUCCEEDED),
        "fail": ({S.CLOSED}, S.FAILED),
        "cancel": ({S.DRAFT, S.SCHEDULED}, S.CANCELLED),
    }
)
TEXT_FIELDS = ("title", "description", "template")
# What may still change once members can see the campaign.
PUBLISHED_EDITABLE = {*TEXT_FIELDS, "all_leaders", "leader_ids", "cutoff_at", "pickup_at"}


def _lock(campaign: Campaign) -> Campaign:
    # The campaign row comes first in the one lock order (tuangou/core/locks.py).
    lock_objects(campaigns=campaign.pk)
    return Campaign.objects.get(pk=campaign.pk)


def _check_dates(starts_at: datetime, cutoff_at: datetime, pickup_at: datetime) -> None:
    if cutoff_at <= starts_at:
        raise ApplicationError("cutoff_before_start", field="cutoff_at")
    if pickup_at <= cutoff_at:
        raise ApplicationError("pickup_before_cutoff", field="pickup_at")


DELIVERY_FIELDS = ("fulfilment_mode", "delivery_fee_fen", "delivery_free_above_fen", "delivery_slots")


def _check_delivery(fulfilment_mode: str, slots: list[str]) -> list[str]:
    """Home delivery needs at least one slot; each slot starts before it ends, named once."""
    if fulfilment_mode != Campaign.FulfilmentMode.PICKUP and not slots:
        raise ApplicationError("delivery_slots_required", field="delivery_slots")
    for index, slot in enumerate(slots):
        start, _, end = slot.partition("-")
        if start >= end:
            raise ApplicationError("delivery_slot_invalid", field=f"delivery_slots.{index}")
        if slot in slots[:index]:
            raise ApplicationError("delivery_slot_duplicate", field=f"delivery_slots.{index}")
    return list(slots)


def _check_threshold(threshold_value: int) -> None:
    if threshold_value < 1:
        raise ApplicationError("validation", field="threshold_value", reason="at_least_1")


def _prepare_items(shop, items: list[dict]) -> list[CampaignItem]:
    """Validated, unsaved CampaignItems in request order; errors name items.N.<field>."""
    if not items:
        raise ApplicationError("campaign_empty", field="items")
    prepared, seen = [], set()
    for index, item in enumerate(items):
        prefix = f"items.{index}"
        if item["price_fen"] < 0:
            raise ApplicationError("price_negative", field=f"{prefix}.price_fen")
        if item["stock_allotted"] < 0:
            raise ApplicationError("stock_negative", field=f"{prefix}.stock_allotted")
        if item["stock_allotted"] == 0:
            raise ApplicationError("validation", field=f"{prefix}.stock_allotted", reason="at_least_1")
        if (item.get("purchase_limit") or 0) < 0:
            raise ApplicationError("validation", field=f"{prefix}.purchase_limit", reason="not_negative")
        rate = item.get("commission_rate_bp")
        if rate is not None and not 0 <= rate <= 10000:
            raise ApplicationError(
                "validation", field=f"{prefix}.commission_rate_bp", reason="between", low=0, high=10000
            )
        sku = get_in_shop(
            Sku.objects.select_related("product"),
            shop,
            item["sku_id"],
            thing_zh="商品规格",
            thing_en="SKU",
            field=f"{prefix}.sku_id",
        )
        if sku.pk in seen:
            raise ApplicationError("campaign_item_duplicate", field=f"{prefix}.sku_id")
        seen.add(sku.pk)
        if not sku.is_active:
            raise ApplicationError("sku_inactive", field=f"{prefix}.sku_id")
        if sku.product.status != Product.Status.ON_SHELF:
            raise ApplicationError("product_off_shelf", field=f"{prefix}.sku_id", name=sku.product.name)
        if item["stock_allotted"] > sku.stock:
            raise ApplicationError("stock_insufficient", field=f"{prefix}.stock_allotted", available=sku.stock)
        limit = item.get("purchase_limit")
        prepared.append(
            CampaignItem(
                shop=shop,
                sku=sku,
                price_fen=item["price_fen"],
                stock_allotted=item["stock_allotted"],
                stock_left=item["stock_allotted"],
                purchase_limit=sku.product.purchase_limit if limit is None else limit,
                commission_rate_bp=rate,
                sort=index,
            )
        )
    return prepared


def _set_leaders(campaign: Campaign, *, all_leaders: bool, leader_ids: list[int] | None) -> None:
    """With all_leaders the rows only record who joined; otherwise they are the allowed list."""
    from tuangou.leaders.models import Leader

    if all_leaders:
        return
    leader_ids = list(dict.fromkeys(leader_ids or []))
    if not leader_ids:
        raise ApplicationError("campaign_no_leaders", field="leader_ids")
    found = set(
        Leader.objects.filter(shop_id=campaign.shop_id, pk__in=leader_ids)
        .exclude(status=Leader.Status.CLEARED)
        .values_list("pk", flat=True)
    )
    for index, leader_id in enumerate(leader_ids):
        if leader_id not in found:
            raise NotFound("团长", "Leader", field=f"leader_ids.{index}")
    CampaignLeader.objects.filter(campaign=campaign).exclude(leader_id__in=leader_ids).delete()
    existing = set(CampaignLeader.objects.filter(campaign=campaign).values_list("leader_id", flat=True))
    CampaignLeader.objects.bulk_create(
        [
            CampaignLeader(shop_id=campaign.shop_id, campaign=campaign, leader_id=pk)
            for pk in leader_ids
            if pk not in existing
        ]
    )


@transaction.atomic
def campaign_create(
    *,
    shop,
    actor,
    title: str,
    items: list[dict],
    starts_at: datetime,
    cutoff_at: datetime,
    pickup_at: datetime,
    description: str = "",
    template: str = Campaign.Template.FAST,
    threshold_type: str = Campaign.ThresholdType.MEMBERS,
    threshold_value: int = 1,
    all_leaders: bool = True,
    leader_ids: list[int] | None = None,
    source: Campaign | None = None,
    fulfilment_mode: str = Campaign.FulfilmentMode.PICKUP,
    delivery_fee_fen: int = 0,
    delivery_free_above_fen: int | None = None,
    delivery_slots: list[str] | None = None,
) -> Campaign:
    """A draft campaign. Nothing is taken from stock until it is published."""
    title = (title or "").strip()
    if not title:
        raise ApplicationError("required", field="title", field_label="campaign_title")
    _check_dates(starts_at, cutoff_at, pickup_at)
    _check_threshold(threshold_value)
    delivery_slots = _check_delivery(fulfilment_mode, delivery_slots or [])
    prepared = _prepare_items(shop, items)
    campaign = Campaign.objects.create(
        shop=shop,
        title=title,
        description=description,
        template=template,
        starts_at=starts_at,
        cutoff_at=cutoff_at,
        pickup_at=pickup_at,
        threshold_type=threshold_type,
        threshold_value=threshold_value,
        all_leaders=all_leaders,
        created_by=actor,
        source=source,
        fulfilment_mode=fulfilment_mode,
        delivery_fee_fen=delivery_fee_fen,
        delivery_free_above_fen=delivery_free_above_fen,
        delivery_slots=delivery_slots,
    )
    for item in prepared:
        item.campaign = campaign
    CampaignItem.objects.bulk_create(prepared)
    _set_leaders(campaign, all_leaders=all_leaders, leader_ids=leader_ids)
    if source is None:
        event_record(campaign, type="created", actor=actor, to_status=S.DRAFT)
    else:
        event_record(campaign, type="duplicated", actor=actor, to_status=S.DRAFT, data={"source_id": source.pk})
    return campaign


def _changed_fields(campaign: Campaign, changes: dict) -> list[str]:
    """The fields an edit really changes (the console sends the whole form): the event lists only these."""
    changed = []
    for field, value in changes.items():
        if field == "items":
            stored = [
                (i.sku_id, i.price_fen, i.stock_allotted, i.purchase_limit, i.commission_rate_bp)
                for i in campaign.items.select_related("sku__product").order_by("sort", "id")
            ]
            sent = [
                (
                    i["sku_id"],
                    i["price_fen"],
                    i["stock_allotted"],
                    i["purchase_limit"] if i.get("purchase_limit") is not None else None,
                    i.get("commission_rate_bp"),
                )
                for i in value
            ]
            limits = {i.sku_id: i.sku.product.purchase_limit for i in campaign.items.select_related("sku__product")}
            sent = [(s[0], s[1], s[2], limits.get(s[0]) if s[3] is None else s[3], s[4]) for s in sent]
            if stored != sent:
                changed.append(field)
        elif field == "leader_ids":
            stored_ids = set(campaign.campaign_leaders.values_list("leader_id", flat=True))
            if not campaign.all_leaders and stored_ids != set(value or []):
                changed.append(field)
        elif getattr(campaign, field) != (value if value is not None or field in DELIVERY_FIELDS else ""):
            changed.append(field)
    return sorted(changed)


def _audit_state(campaign: Campaign) -> dict:
    """Dates, threshold and each item's price and stock, flat (items.<sku_id>.price_fen), for the 操作日志."""
    state = {field: getattr(campaign, field) for field in ("title", "starts_at", "cutoff_at", "pickup_at")}
    state.update(threshold_type=campaign.threshold_type, threshold_value=campaign.threshold_value)
    for item in campaign.items.order_by("sort", "id"):
        for field in ("price_fen", "stock_allotted", "purchase_limit", "commission_rate_bp"):
            state[f"items.{item.sku_id}.{field}"] = getattr(item, field)
    return state


@transaction.atomic
def campaign_update(*, shop, actor, campaign_id: int, **changes) -> Campaign:
    """Edit a draft freely. Once published (scheduled or live) only the texts, the leaders and a
    later cut-off / pickup may change: members may already rely on the rest."""
    campaign = get_in_shop(
        Campaign.objects.select_for_update(), shop, campaign_id, thing_zh="团购", thing_en="Campaign"
    )
    changes = {k: v for k, v in changes.items() if v is not None or k in ("description", "delivery_free_above_fen")}
    if campaign.status not in (S.DRAFT, S.SCHEDULED, S.LIVE):
        raise state_error(campaign, "edit")
    published = campaign.status != S.DRAFT
    if published:
        for field, value in changes.items():
            if field in PUBLISHED_EDITABLE:
                continue
            if field == "items" or getattr(campaign, field) != value:
                raise ApplicationError("campaign_field_locked", field=field, status=409)
        if campaign.status == S.LIVE:
            # Members are buying: a later cut-off is recorded with its reason (campaign_extend_cutoff).
            for field in ("cutoff_at", "pickup_at"):
                if field in changes and changes[field] != getattr(campaign, field):
                    raise ApplicationError("cutoff_extend_with_reason", field=field, status=409)
        if "cutoff_at" in changes and changes["cutoff_at"] < campaign.cutoff_at:
            raise ApplicationError("cutoff_only_extend", field="cutoff_at", status=409)
        if "pickup_at" in changes and changes["pickup_at"] < campaign.pickup_at:
            raise ApplicationError("cutoff_only_extend", field="pickup_at", status=409)

    if "title" in changes:
        changes["title"] = changes["title"].strip()
        if not changes["title"]:
            raise ApplicationError("required", field="title", field_label="campaign_title")
    changed = _changed_fields(campaign, changes)
    before = _audit_state(campaign)
    for field in ("starts_at", "cutoff_at", "pickup_at"):
        if field in changes:
            setattr(campaign, field, changes[field])
    _check_dates(campaign.starts_at, campaign.cutoff_at, campaign.pickup_at)
    if "threshold_value" in changes:
        _check_threshold(changes["threshold_value"])
    for field in (*TEXT_FIELDS, "threshold_type", "threshold_value", "all_leaders"):
        if field in changes:
            setattr(campaign, field, changes[field] if changes[field] is not None else "")
    for field in DELIVERY_FIELDS:
        if field in changes:
            setattr(campaign, field, changes[field])
    campaign.delivery_slots = _check_delivery(campaign.fulfilment_mode, campaign.delivery_slots)
    campaign.save()

    if "items" in changes:
        prepared = _prepare_items(shop, changes["items"])
        campaign.items.all().delete()
        for item in prepared:
            item.campaign = campaign
        CampaignItem.objects.bulk_create(prepared)
    if "all_leaders" in changes or "leader_ids" in changes:
        leader_ids = changes.get("leader_ids")
        if leader_ids is None and not campaign.all_leaders:
            leader_ids = list(campaign.campaign_leaders.values_list("leader_id", flat=True))
        _set_leaders(campaign, all_leaders=campaign.all_leaders, leader_ids=leader_ids)
    event_record(campaign, type="updated", actor=actor, data={"fields": changed})
    old, new = audit_changes(before, _audit_state(campaign))
    if old or new:
        audit_record(shop=shop, actor=actor, action="campaign.update", target=campaign, before=old, after=new)
    return campaign


@transaction.atomic
def campaign_publish(*, campaign: Campaign, actor) -> Campaign:
    """draft → scheduled: the allotted stock leaves each SKU (one conditional UPDATE each).
    A campaign whose start has passed goes straight on to live."""
    campaign = _lock(campaign)
    CAMPAIGN.check(campaign, "publish")
    now = timezone.now()
    if campaign.cutoff_at <= now:
        raise ApplicationError("cutoff_in_past", field="cutoff_at")
    items = list(campaign.items.select_related("sku__product").order_by("sort", "id"))
    if not items:
        raise ApplicationError("campaign_empty", field="items")
    if not campaign.all_leaders and not campaign.campaign_leaders.exists():
        raise ApplicationError("campaign_no_leaders", field="leader_ids")
    # SKU rows are updated in id order so two publishes sharing SKUs cannot deadlock.
    for index, item in sorted(enumerate(items), key=lambda pair: pair[1].sku_id):
        if not item.sku.is_active:
            raise ApplicationError("sku_inactive", field=f"items.{index}.sku_id")
        sku_stock_move(
            shop=campaign.shop,
            sku_id=item.sku_id,
            delta=-item.stock_allotted,
            reason=StockMovement.Reason.CAMPAIGN_ALLOT,
            actor=actor,
            note=f"团购#{campaign.pk} {campaign.title}"[:200],
            field=f"items.{index}.stock_allotted",
            short_code="stock_insufficient",
        )
    CampaignItem.objects.filter(campaign=campaign).update(stock_left=F("stock_allotted"), stock_returned=0)
    hot_stock_reconcile_after_commit(item_ids=[item.pk for item in items])
    CAMPAIGN.apply(campaign, "publish", actor=actor, event_type="published")
    if campaign.starts_at <= now:
        _start(campaign, actor=actor, now=now)
    return campaign


def _start(campaign: Campaign, *, actor, now: datetime) -> None:
    data = {}
    if campaign.starts_at > now:  # started early by the merchant: the record shows the real start
        data["planned_starts_at"] = campaign.starts_at.isoformat()
        campaign.starts_at = now
    CAMPAIGN.apply(
        campaign, "start", actor=actor, event_type="started", changes={"starts_at": campaign.starts_at}, **data
    )


@transaction.atomic
def campaign_start(*, campaign: Campaign, actor=None) -> Campaign:
    """scheduled → live: by the job at starts_at, or by the merchant earlier. (One whose cut-off
    has passed too, because the job was down, is closed by the job's next step.)"""
    campaign = _lock(campaign)
    CAMPAIGN.check(campaign, "start")
    _start(campaign, actor=actor, now=timezone.now())
    return campaign


@transaction.atomic
def campaign_close(*, campaign: Campaign, actor=None) -> Campaign:
    """live → closed (截单): by the job at cutoff_at, or by the merchant earlier. Unpaid orders
    are cancelled and their stock released; no order can be placed any more."""
    campaign = _lock(campaign)
    CAMPAIGN.check(campaign, "close")
    now = timezone.now()
    data = {}
    if campaign.cutoff_at > now:
        data["planned_cutoff_at"] = campaign.cutoff_at.isoformat()
        campaign.cutoff_at = now
    # The status is saved before the unpaid orders are cancelled: no order can be placed meanwhile.
    event = CAMPAIGN.apply(
        campaign, "close", actor=actor, event_type="closed", changes={"cutoff_at": campaign.cutoff_at}, **data
    )
    event.data.update(campaign_closed.merged(campaign=campaign, actor=actor))  # orders: cancel the unpaid
    event.save(update_fields=["data"])
    return campaign


@transaction.atomic
def campaign_extend_cutoff(
    *, campaign: Campaign, actor, cutoff_at: datetime, reason: str, pickup_at: datetime | None = None
) -> Campaign:
    """A live campaign takes orders longer (延长截单): the cut-off only moves later, pickup stays after
    it, and the reason is kept in the event. The job closes campaigns by reading cutoff_at, so the
    new time is the one it uses."""
    campaign = _lock(campaign)
    if campaign.status != S.LIVE:
        raise state_error(campaign, "extend_cutoff")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("required", field="reason")
    if cutoff_at <= campaign.cutoff_at:
        raise ApplicationError("cutoff_only_extend", field="cutoff_at", status=409)
    if cutoff_at <= timezone.now():
        raise ApplicationError("cutoff_in_past", field="cutoff_at")
    new_pickup = pickup_at or campaign.pickup_at
    if new_pickup <= cutoff_at:
        raise ApplicationError("pickup_before_cutoff", field="pickup_at")
    data = {"from": campaign.cutoff_at.isoformat(), "to": cutoff_at.isoformat(), "reason": reason}
    if new_pickup != campaign.pickup_at:
        data.update(pickup_from=campaign.pickup_at.isoformat(), pickup_to=new_pickup.isoformat())
    campaign.cutoff_at = cutoff_at
    campaign.pickup_at = new_pickup
    campaign.save(update_fields=["cutoff_at", "pickup_at", "updated_at"])
    event_record(campaign, type="cutoff_extended", actor=actor, data=data)
    return campaign


def _return_unsold_stock(campaign: Campaign, *, actor, everything: bool = False) -> dict[str, int]:
    """Give the campaign's unsold stock back to the SKUs. `everything` (a failed campaign, all
    orders refunded) returns the whole allotment whatever stock_left says."""
    returned = {}
    # Items last and by id, as checkout takes them (tuangou/core/locks.py).
    lock_objects(campaign_items=CampaignItem.objects.filter(campaign=campaign).values_list("pk", flat=True))
    items = list(CampaignItem.objects.filter(campaign=campaign).order_by("sku_id"))
    for item in items:
        quantity = item.stock_allotted - item.stock_returned if everything else item.stock_left
        if quantity <= 0:
            continue
        CampaignItem.objects.filter(pk=item.pk).update(stock_left=0, stock_returned=F("stock_returned") + quantity)
        hot_stock_reconcile_after_commit(item_ids=[item.pk])
        sku_stock_move(
            shop=campaign.shop,
            sku_id=item.sku_id,
            delta=quantity,
            reason=StockMovement.Reason.CAMPAIGN_RETURN,
            actor=actor,
            note=f"团购#{campaign.pk} {campaign.title}"[:200],
        )
        returned[str(item.sku_id)] = quantity
    return returned


@transaction.atomic
def campaign_decide(*, campaign: Campaign, actor=None) -> Campaign:
    """closed → succeeded | failed by the threshold. Succeeded confirms the paid orders (they go
    to fulfilment); failed refunds every one of them. Unsold stock returns to the SKUs."""
    campaign = _lock(campaign)
    if not CAMPAIGN.can(campaign, "succeed"):
        raise state_error(campaign, "decide")
    members = campaign_member_count(campaign=campaign)
    current = members if campaign.threshold_type == Campaign.ThresholdType.MEMBERS else campaign.paid_quantity
    succeeded = current >= campaign.threshold_value
    event = CAMPAIGN.apply(campaign, "succeed" if succeeded else "fail", actor=actor)
    # orders: confirm the paid orders, or refund them
    outcome = (campaign_succeeded if succeeded else campaign_failed).merged(campaign=campaign, actor=actor)
    returned = _return_unsold_stock(campaign, actor=actor, everything=not succeeded)
    event.data = {
        "members": members,
        "quantity": campaign.paid_quantity,
        "threshold_type": campaign.threshold_type,
        "threshold_value": campaign.threshold_value,
        "orders": outcome.get("orders", 0),
        "returned_stock": returned,
    }
    event.save(update_fields=["data"])
    return campaign


@transaction.atomic
def campaign_cancel(*, campaign: Campaign, actor, reason: str = "") -> Campaign:
    """draft/scheduled → cancelled, before anything could be sold; a scheduled one returns its stock."""
    campaign = _lock(campaign)
    approval_gate(
        needed=campaign.paid_quantity > 0 and approval_policy(campaign.shop).campaign_cancel_with_paid,
        shop=campaign.shop,
        actor=actor,
        action="campaign.cancel",
        permission="campaigns.manage",
        payload={"campaign_id": campaign.pk, "reason": reason},
        summary=f"取消有已付订单的团购「{campaign.title}」",
    )
    event = CAMPAIGN.apply(campaign, "cancel", actor=actor, reason=reason)
    returned = _return_unsold_stock(campaign, actor=actor) if event.from_status == S.SCHEDULED else {}
    event.data["returned_stock"] = returned
    event.save(update_fields=["data"])
    audit_record(
        shop=campaign.shop_id,
        actor=actor,
        action="campaign.cancel",
        target=campaign,
        before={"status": event.from_status},
        after={"status": event.to_status, "reason": reason, "returned_stock": returned},
    )
    return campaign


def campaign_cancel_approved(*, shop, actor, payload: dict) -> Campaign:
    """The executor of an approved cancel (tuangou.audit.approvals)."""
    campaign = get_in_shop(Campaign, shop, payload["campaign_id"], thing_zh="团购", thing_en="Campaign")
    return campaign_cancel(campaign=campaign, actor=actor, reason=payload.get("reason", ""))


@transaction.atomic
def campaign_duplicate(
    *,
    shop,
    actor,
    campaign_id: int,
    starts_at: datetime,
    cutoff_at: datetime,
    pickup_at: datetime,
    title: str | None = None,
) -> Campaign:
    """A new draft copied from a campaign, with new dates. Items whose SKU was deactivated or taken
    off the shelf are left out, and each allotment is capped at the SKU's stock today."""
    source = get_in_shop(Campaign, shop, campaign_id, thing_zh="团购", thing_en="Campaign")
    items = []
    for item in source.items.select_related("sku__product").order_by("sort", "id"):
        allotted = min(item.stock_allotted, item.sku.stock)
        if not item.sku.is_active or item.sku.product.status != Product.Status.ON_SHELF or allotted <= 0:
            continue
        items.append(
            {
                "sku_id": item.sku_id,
                "price_fen": item.price_fen,
                "stock_allotted": allotted,
                "purchase_limit": item.purchase_limit,
                "commission_rate_bp": item.commission_rate_bp,
            }
        )
    leader_ids = None if source.all_leaders else list(source.campaign_leaders.values_list("leader_id", flat=True))
    return campaign_create(
        shop=shop,
        actor=actor,
        title=title or source.title,
        items=items,
        starts_at=starts_at,
        cutoff_at=cutoff_at,
        pickup_at=pickup_at,
        description=source.description,
        template=source.template,
        threshold_type=source.threshold_type,
        threshold_value=source.threshold_value,
        all_leaders=source.all_leaders,
        **{field: getattr(source, field) for field in DELIVERY_FIELDS},
        leader_ids=leader_ids,
        source=source,
    )


@transaction.atomic
def campaign_leader_join(*, leader, campaign_id: int) -> CampaignLeader:
    """The leader joins (参团) a campaign they may run, so it shows as theirs and they share it.
    Joining twice keeps the first time."""
    campaign = Campaign.objects.filter(shop_id=leader.shop_id, pk=campaign_id, status__in=VISIBLE_STATUSES).first()
    if campaign is None or not campaign_leader_allowed(campaign=campaign, leader=leader):
        raise NotFound("团购", "Campaign")
    if campaign.status not in (S.SCHEDULED, S.LIVE):
        raise state_error(campaign, "join")
    link = CampaignLeader.objects.select_for_update().filter(campaign=campaign, leader=leader).first()
    if link is None:
        try:
            with transaction.atomic():
                link = CampaignLeader.objects.create(
                    shop_id=campaign.shop_id, campaign=campaign, leader=leader, joined_at=timezone.now()
                )
        except IntegrityError:  # the same leader joining twice at once
            link = CampaignLeader.objects.select_for_update().get(campaign=campaign, leader=leader)
    if link.joined_at is None:
        link.joined_at = timezone.now()
        link.save(update_fields=["joined_at", "updated_at"])
    return link
