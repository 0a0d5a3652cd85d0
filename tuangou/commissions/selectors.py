"""Reads of the commission ledger: every balance is a sum of entries, computed in SQL."""

from django.db.models import IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from tuangou.core.labels import bilingual
from tuangou.core.money import format_fen
from tuangou.leaders.models import Leader
from tuangou.leaders.selectors import in_period, per_leader

from .models import CommissionEntry, Withdrawal

E = CommissionEntry
K = E.Kind


def _balance_sums(prefix: str = "") -> dict:
    """Conditional sums over entries; `prefix` reaches them through a relation (from Leader)."""
    amount = f"{prefix}amount_fen"

    def total(condition: Q):
        return Coalesce(Sum(amount, filter=condition), Value(0))

    def q(**lookups):
        return Q(**{f"{prefix}{key}": value for key, value in lookups.items()})

    return {
        "pending_fen": total(q(bucket=E.Bucket.PENDING)),
        "withdrawable_fen": total(q(bucket=E.Bucket.WITHDRAWABLE)),
        # What the leader earned net of refunds (accruals, reversals, rewards).
        "earned_fen": total(q(kind__in=[K.ACCRUAL, K.REVERSAL, K.REWARD])),
        "settled_fen": total(q(kind=K.SETTLEMENT)),
        # Taken out by withdrawals in review or paid (a rejected one came back).
        "withdrawn_neg_fen": total(q(kind__in=[K.WITHDRAWAL, K.WITHDRAWAL_RETURN])),
    }


W = Withdrawal.Status
IN_WITHDRAWAL = [W.REQUESTED, W.APPROVED, W.TRANSFERRING]  # asked for, not paid yet: 提现中


def _withdrawal_sum(statuses: list[str], leader_ref="pk"):
    """Sum of a leader's withdrawals in these statuses, as a subquery (no join doubling the ledger sums)."""
    rows = (
        Withdrawal.objects.filter(leader_id=OuterRef(leader_ref), status__in=statuses)
        .order_by()
        .values("leader_id")
        .annotate(total=Sum("amount_fen"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def offset_reason(*, leader, owed_fen: int) -> str:
    """Why withdrawable is below zero: refunds took back commission already settled (or paid out);
    it is made good from the next settled commission, and no withdrawal is possible until then."""
    if owed_fen <= 0:
        return ""
    reversals = list(
        E.objects.filter(leader=leader, bucket=E.Bucket.WITHDRAWABLE, kind=K.REVERSAL)
        .select_related("order")
        .order_by("-id")[:3]
    )
    numbers = "、".join(dict.fromkeys(e.order.number for e in reversals if e.order_id))
    template = bilingual(
        "订单{orders}退款，已结算的佣金被冲回，可提现余额不足以扣回，还差{owed}。将从之后结算的佣金中抵扣，抵扣完成前暂不能提现。",
        "Order {orders} was refunded after its commission was settled; {owed} is still owed. It is taken from "
        "the next settled commission; withdrawals wait until it is covered.",
    )
    return str(template).format(orders=numbers or "—", owed=format_fen(owed_fen))


def commission_balances(*, leader) -> dict:
    """The leader's figures: 待结算 (pending), 可提现 (withdrawable, never below 0 here), 提现中
    (requested or approved), 已提现 (paid out), and 待抵扣 (owed after a refund took back settled
    commission) with its reason. `withdrawable_fen` stays signed, as the console reads it."""
    sums = E.objects.filter(shop_id=leader.shop_id, leader=leader).aggregate(**_balance_sums())
    sums.pop("withdrawn_neg_fen")
    by_status = dict(
        Withdrawal.objects.filter(leader=leader)
        .order_by()
        .values("status")
        .annotate(total=Sum("amount_fen"))
        .values_list("status", "total")
    )
    sums["in_withdrawal_fen"] = sum(by_status.get(status, 0) for status in IN_WITHDRAWAL)
    sums["withdrawn_fen"] = by_status.get(W.PAID, 0)
    sums["offset_pending_fen"] = max(0, -sums["withdrawable_fen"])
    sums["offset_reason"] = offset_reason(leader=leader, owed_fen=sums["offset_pending_fen"])
    return sums


def leaders_with_commission_totals(*, shop, search: str = ""):
    """Every leader of the shop (or those matching a name / phone) with their balances, in one
    grouped query (paginate it)."""
    leaders = Leader.objects.filter(shop=shop)
    search = (search or "").strip()
    if search:
        leaders = leaders.filter(Q(name__icontains=search) | Q(phone__contains=search))
    return leaders.annotate(
        **_balance_sums("commission_entries__"),
        in_withdrawal_fen=_withdrawal_sum(IN_WITHDRAWAL),
        paid_out_fen=_withdrawal_sum([W.PAID]),
    ).order_by("id")


def commission_entries(*, shop, leader):
    return E.objects.filter(shop=shop, leader=leader).select_related("order", "withdrawal").order_by("-id")


def withdrawals_list(*, shop, status: str | None = None, leader=None):
    queryset = Withdrawal.objects.filter(shop=shop).select_related("leader", "reviewed_by", "paid_by")
    if status:
        queryset = queryset.filter(status=status)
    if leader is not None:
        queryset = queryset.filter(leader=leader)
    return queryset.order_by("-id")


def leader_commission_stats(*, shop, start, end) -> dict:
    """Per-leader commission earned over a period — accruals net of refund reversals, plus rewards
    (the leaders app's leader_stats hook)."""
    earned = in_period(E.objects.filter(shop=shop, kind__in=[K.ACCRUAL, K.REVERSAL, K.REWARD]), start, end)
    return {"commission_fen": per_leader(earned, total=Sum("amount_fen"))}
