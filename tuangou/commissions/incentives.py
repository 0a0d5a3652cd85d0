"""团长激励: the shop's plan, and every reward as an IncentiveAward whose money is ledger entries.

A reward enters `pending` as a REWARD entry that settles when the shop's after-sales window
closes, exactly like commission; a refund inside the window takes it back with a REVERSAL. A
reward is granted once per `key` (a unique row, so a retry or a racing pickup finds it there).
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone

from tuangou.core.errors import ApplicationError
from tuangou.core.money import apply_rate_bp, format_fen
from tuangou.leaders.services import recruitment_plan_update
from tuangou.orders.models import Order

from .models import CommissionEntry, IncentiveAward, IncentivePlan

E = CommissionEntry
A = IncentiveAward.Kind
PLAN_FIELDS = (
    "first_order_reward_fen",
    "first_order_count",
    "first_order_days",
    "tier_target_fen",
    "tier_bonus_rate_bp",
    "level_period_days",
    "team_override_enabled",
    "pk_prize_fen",
    "pk_rule",
)
REFERRAL_FIELDS = ("referral_reward_fen", "referral_gmv_target_fen", "referral_window_days")
# Rewards paid for one fact (not per line): taken back whole, and only before they settle.
WHOLE_KINDS = (A.FIRST_ORDER, A.REFERRAL, A.TEAM_PK)
PICKED_UP = (Order.Status.PICKED_UP, Order.Status.COMPLETED)


def incentive_plan_get(*, shop) -> IncentivePlan:
    plan, _ = IncentivePlan.objects.get_or_create(shop=shop)
    return plan


@transaction.atomic
def incentive_plan_update(*, shop, **fields) -> IncentivePlan:
    """Only the keys sent change. The referral part is written to the recruitment plan, so the
    poster's «推荐新团长达标，奖励¥…» is always the reward this plan pays."""
    plan = IncentivePlan.objects.select_for_update().filter(shop=shop).first() or incentive_plan_get(shop=shop)
    if fields.get("first_order_count") == 0:
        raise ApplicationError("validation", field="first_order_count", reason="positive")
    changed = []
    for name in PLAN_FIELDS:
        if fields.get(name) is not None:
            setattr(plan, name, fields[name].strip() if name == "pk_rule" else fields[name])
            changed.append(name)
    if changed:
        plan.save(update_fields=[*changed, "updated_at"])
    referral = {name: fields[name] for name in REFERRAL_FIELDS if fields.get(name) is not None}
    if referral:
        recruitment_plan_update(shop=shop, **referral)
    return plan


# --- the ledger of a reward ---------------------------------------------------------------


def award_grant(
    *,
    leader,
    kind: str,
    key: str,
    amount_fen: int,
    reason: str,
    rate_bp: int = 0,
    order=None,
    order_line=None,
    source_leader=None,
    now=None,
) -> IncentiveAward | None:
    """The reward and its REWARD entry in pending, or None when it is zero or already granted."""
    if amount_fen <= 0:
        return None
    now = now or timezone.now()
    try:
        with transaction.atomic():  # a savepoint: the losing side of a race rolls back only this
            award = IncentiveAward.objects.create(
                shop_id=leader.shop_id,
                leader=leader,
                kind=kind,
                key=key,
                amount_fen=amount_fen,
                rate_bp=rate_bp,
                order=order,
                order_line=order_line,
                source_leader=source_leader,
                reason=reason[:200],
            )
    except IntegrityError:
        return None
    E.objects.create(
        shop_id=leader.shop_id,
        leader=leader,
        kind=E.Kind.REWARD,
        bucket=E.Bucket.PENDING,
        amount_fen=amount_fen,
        order=order,
        award=award,
        settle_after=now + timedelta(days=leader.shop.after_sales_days),
        note=reason[:200],
    )
    return award


def award_take_back(*, award_id: int, amount_fen: int, reason: str) -> int:
    """Reverse up to `amount_fen` of a reward from the bucket that holds it now; answers what was
    taken. The award row is locked, as settlement locks it, so the two never both read "pending"."""
    award = IncentiveAward.objects.select_for_update().get(pk=award_id)
    entries = E.objects.filter(award=award)
    settled = entries.filter(kind=E.Kind.SETTLEMENT).exists()
    already = -(entries.filter(kind=E.Kind.REVERSAL).aggregate(total=Sum("amount_fen"))["total"] or 0)
    amount = min(amount_fen, award.amount_fen - already)
    if amount <= 0:
        return 0
    E.objects.create(
        shop_id=award.shop_id,
        leader_id=award.leader_id,
        kind=E.Kind.REVERSAL,
        bucket=E.Bucket.WITHDRAWABLE if settled else E.Bucket.PENDING,
        amount_fen=-amount,
        order_id=award.order_id,
        award=award,
        note=reason[:200],
    )
    if award.kind in WHOLE_KINDS and amount + already >= award.amount_fen:
        award.is_revoked = True  # earned again later, it may be granted again
        award.save(update_fields=["is_revoked", "updated_at"])
    return amount


def _pending_whole_awards(**filters):
    settled = E.objects.filter(award=OuterRef("pk"), kind=E.Kind.SETTLEMENT)
    return (
        IncentiveAward.objects.filter(kind__in=WHOLE_KINDS, is_revoked=False, **filters)
        .annotate(settled=Exists(settled))
        .filter(settled=False)
    )


@transaction.atomic
def awards_settle_batch(*, award_ids: list[int]) -> int:
    """Move each due reward's net (reward + reversals so far) from pending to withdrawable as a
    (settlement_out, settlement) pair. Rows another job holds are skipped; settled ones are read
    again after the locks, so a racing job writes nothing twice. Answers rewards settled."""
    locked = list(IncentiveAward.objects.select_for_update(skip_locked=True).filter(id__in=award_ids).order_by("id"))
    ids = [award.id for award in locked]
    settled = set(E.objects.filter(award_id__in=ids, kind=E.Kind.SETTLEMENT).values_list("award_id", flat=True))
    net_by_award = dict(
        E.objects.filter(award_id__in=ids, bucket=E.Bucket.PENDING)
        .values("award_id")
        .annotate(total=Sum("amount_fen"))
        .values_list("award_id", "total")
    )
    entries = []
    for award in locked:
        if award.id in settled:
            continue
        net = net_by_award.get(award.id) or 0
        common = {"shop_id": award.shop_id, "leader_id": award.leader_id, "order_id": award.order_id, "award": award}
        entries.append(
            E(
                kind=E.Kind.SETTLEMENT_OUT,
                bucket=E.Bucket.PENDING,
                amount_fen=-net,
                note="售后期结束，转出待结算",
                **common,
            )
        )
        entries.append(
            E(
                kind=E.Kind.SETTLEMENT,
                bucket=E.Bucket.WITHDRAWABLE,
                amount_fen=net,
                note="售后期结束，转入可提现",
                **common,
            )
        )
    E.objects.bulk_create(entries)
    return len(entries) // 2


def awards_settle_due(*, now=None, batch_size: int = 500) -> int:
    """Settle every reward whose after-sales window has closed, a batch per transaction."""
    now = now or timezone.now()
    total, after_id = 0, 0
    while True:
        ids = list(
            E.objects.filter(kind=E.Kind.REWARD, award__isnull=False, settle_after__lte=now, award_id__gt=after_id)
            .exclude(award__entries__kind=E.Kind.SETTLEMENT)
            .order_by("award_id")
            .values_list("award_id", flat=True)[:batch_size]
        )
        if not ids:
            return total
        total += awards_settle_batch(award_ids=ids)
        after_id = ids[-1]


# --- new-leader first-order reward ----------------------------------------------------------


def _first_orders_count(leader, deadline) -> int:
    """Orders picked up by the deadline and not refunded in full."""
    return Order.objects.filter(
        leader=leader, status__in=PICKED_UP, picked_up_at__gte=leader.created_at, picked_up_at__lte=deadline
    ).count()


def first_order_reward_check(*, order, plan: IncentivePlan, now=None) -> IncentiveAward | None:
    """At pickup: a new leader whose first N orders are picked up within D days of approval (the
    leader row is created at approval) earns the plan's fixed reward, once."""
    if not plan.first_order_reward_fen:
        return None
    now = now or timezone.now()
    leader = order.leader
    deadline = leader.created_at + timedelta(days=plan.first_order_days)
    if now > deadline or _first_orders_count(leader, deadline) < plan.first_order_count:
        return None
    return award_grant(
        leader=leader,
        kind=A.FIRST_ORDER,
        key=f"first_order:{leader.id}",
        amount_fen=plan.first_order_reward_fen,
        order=order,
        reason=f"新团长首单奖励：审核通过{plan.first_order_days}天内提货{plan.first_order_count}单",
        now=now,
    )


def _first_order_recheck(order) -> None:
    """A refund inside the window that leaves fewer than N orders takes the reward back."""
    plan = incentive_plan_get(shop=order.shop)
    for award in _pending_whole_awards(leader=order.leader, kind=A.FIRST_ORDER):
        deadline = order.leader.created_at + timedelta(days=plan.first_order_days)
        if _first_orders_count(order.leader, deadline) < max(plan.first_order_count, 1):
            award_take_back(
                award_id=award.id, amount_fen=award.amount_fen, reason=f"订单{order.number}退款，首单奖励收回"
            )


# --- the hooks: pickup and refund -----------------------------------------------------------


def incentives_on_pickup(*, order) -> None:
    """order_picked_up (after commission accrued): the rewards this pickup earns."""
    from . import levels, referrals, tiers

    plan = incentive_plan_get(shop=order.shop)
    first_order_reward_check(order=order, plan=plan)
    tiers.tier_bonus_for_order(order=order, plan=plan)
    levels.level_awards_for_order(order=order)
    referrals.referral_check(referred=order.leader)


def incentives_on_refund(*, order, refunded_fen_by_line: dict[int, int]) -> None:
    """order_refunded: per-line rewards give back their rate on the refunded money (like
    commission); one-off rewards still in their window are taken back when no longer earned."""
    from . import referrals

    line_awards = IncentiveAward.objects.filter(order_line_id__in=list(refunded_fen_by_line)).order_by("id")
    for award in line_awards:
        refunded = refunded_fen_by_line.get(award.order_line_id) or 0
        award_take_back(
            award_id=award.id, amount_fen=apply_rate_bp(refunded, award.rate_bp), reason=f"订单{order.number}退款冲回"
        )
    _first_order_recheck(order)
    referrals.referral_recheck(referred=order.leader, order=order)


def award_reason_amount(award: IncentiveAward) -> str:
    return f"{award.get_kind_display()} {format_fen(award.amount_fen)}"
