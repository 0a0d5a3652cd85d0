"""Reads of the commission ledger: every balance is a sum of entries, computed in SQL."""

from django.db.models import Q, Sum, Value
from django.db.models.functions import Coalesce

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


def commission_balances(*, leader) -> dict:
    sums = E.objects.filter(shop_id=leader.shop_id, leader=leader).aggregate(**_balance_sums())
    sums["withdrawn_fen"] = -sums.pop("withdrawn_neg_fen")
    return sums


def leaders_with_commission_totals(*, shop, search: str = ""):
    """Every leader of the shop (or those matching a name / phone) with their balances, in one
    grouped query (paginate it)."""
    leaders = Leader.objects.filter(shop=shop)
    search = (search or "").strip()
    if search:
        leaders = leaders.filter(Q(name__icontains=search) | Q(phone__contains=search))
    return leaders.annotate(**_balance_sums("commission_entries__")).order_by("id")


def commission_entries(*, shop, leader):
    return E.objects.filter(shop=shop, leader=leader).order_by("-id")


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
