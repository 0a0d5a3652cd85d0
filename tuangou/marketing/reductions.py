"""满减送 (full reduction): a shop-level activity with tiers such as 满99减10 / 满199减25.

Order of application at checkout: campaign price → 满减送 → coupon. Orders call reduction_quote
with the lines at campaign price; the best tier reached on the in-scope lines is taken off and
allocated to those lines like a coupon's discount (in proportion, remainder to the last line), so
the coupon's threshold is then checked on what remains and refunds use each line's paid amount.
"""

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from tuangou.core import rawsql
from tuangou.core.errors import ApplicationError, NotFound

from .checkout import Line, discount_allocate, in_scope
from .models import FullReduction
from .services import _scope_ids_check

MAX_TIERS = 5


def _yuan(fen: int) -> str:
    """9900 -> '99', 9950 -> '99.5': the short figure of a tier label."""
    return f"{fen / 100:.2f}".rstrip("0").rstrip(".")


def tier_label(tier: dict) -> str:
    return f"满{_yuan(tier['threshold_fen'])}减{_yuan(tier['reduce_fen'])}"


def reduction_label(activity: FullReduction) -> str:
    """满99减10 / 满199减25."""
    return " / ".join(tier_label(tier) for tier in activity.tiers)


def full_reduction_create(*, shop, actor, name: str, starts_at, ends_at, scope: str, scope_ids: list[int], tiers):
    """A new activity, active at once inside its period. Tiers are sorted by threshold; a higher
    threshold must take more off, and no tier takes off as much as its threshold."""
    if ends_at <= starts_at:
        raise ApplicationError("validation", field="ends_at", reason="after_start")
    if not 1 <= len(tiers) <= MAX_TIERS:
        raise ApplicationError("validation", field="tiers", reason="between", low=1, high=MAX_TIERS)
    tiers = sorted(
        ({"threshold_fen": tier["threshold_fen"], "reduce_fen": tier["reduce_fen"]} for tier in tiers),
        key=lambda tier: tier["threshold_fen"],
    )
    for index, tier in enumerate(tiers):
        if tier["reduce_fen"] < 1:
            raise ApplicationError("required", field=f"tiers.{index}.reduce_fen")
        if tier["reduce_fen"] >= tier["threshold_fen"]:
            raise ApplicationError("invalid", field=f"tiers.{index}.reduce_fen", reason="below_threshold")
        if index and (
            tier["threshold_fen"] == tiers[index - 1]["threshold_fen"]
            or tier["reduce_fen"] <= tiers[index - 1]["reduce_fen"]
        ):
            raise ApplicationError("invalid", field=f"tiers.{index}", reason="tiers_rising")
    return FullReduction.objects.create(
        shop=shop,
        created_by=actor,
        name=name,
        starts_at=starts_at,
        ends_at=ends_at,
        scope=scope,
        scope_ids=_scope_ids_check(shop=shop, scope=scope, scope_ids=scope_ids or []),
        tiers=tiers,
    )


def full_reduction_get(*, shop, activity_id: int) -> FullReduction:
    activity = FullReduction.objects.filter(shop=shop, pk=activity_id).first()
    if activity is None:
        raise NotFound("满减送活动", "Full reduction", field="full_reduction_id")
    return activity


def full_reduction_set_status(*, activity: FullReduction, status: str) -> FullReduction:
    """Pause (orders from now on get nothing; placed orders keep their reduction) or resume."""
    FullReduction.objects.filter(pk=activity.pk).update(status=status, updated_at=timezone.now())
    activity.refresh_from_db()
    return activity


def full_reductions_with_figures(*, shop):
    """The shop's activities, newest first, each with what it did: orders paid with it, what it
    took off them, and their GMV net of refunds (orders point at the activity that reduced them)."""
    paid = Q(orders__paid_at__isnull=False)
    return (
        FullReduction.objects.filter(shop=shop)
        .annotate(
            paid_orders=Count("orders", filter=paid),
            reduced_fen=Coalesce(Sum("orders__reduction_fen", filter=paid), 0),
            gmv_fen=Coalesce(Sum(F("orders__total_fen") - F("orders__refunded_fen"), filter=paid), 0),
        )
        .order_by("-id")
    )


# Read by every checkout: one fixed statement (the ORM's compiler cost more CPU than the query).
_RUNNING = rawsql.Columns(FullReduction, "fr")


def full_reductions_running(*, shop, now=None) -> list[FullReduction]:
    now = connection.ops.adapt_datetimefield_value(now or timezone.now())
    rows = rawsql.fetchall(
        f"SELECT {_RUNNING.sql} FROM {_RUNNING.table} WHERE fr.shop_id = %s AND fr.status = %s "
        "AND fr.starts_at <= %s AND fr.ends_at > %s ORDER BY fr.id DESC LIMIT 20",
        [shop.pk, FullReduction.Status.ACTIVE.value, now, now],
    )
    return [_RUNNING.instance(row) for row in rows]


def reduction_discount(activity: FullReduction, lines: list[Line]) -> tuple[dict | None, int]:
    """The best tier these lines reach and what it takes off (capped so the order pays ≥ 1 fen)."""
    scoped = sum(line.amount_fen for line in lines if in_scope(activity, line))
    reached = [tier for tier in activity.tiers if scoped >= tier["threshold_fen"]]
    if not reached:
        return None, 0
    tier = max(reached, key=lambda tier: tier["reduce_fen"])
    total = sum(line.amount_fen for line in lines)
    return tier, max(0, min(tier["reduce_fen"], scoped, total - 1))


def reduction_quote(*, shop, lines: list[Line], now=None) -> tuple[FullReduction | None, dict | None, list[int]]:
    """The running activity that saves these lines the most, its tier and each line's share
    (all zeros when none applies). Several activities never add up: one per order."""
    best, best_tier, best_fen = None, None, 0
    for activity in full_reductions_running(shop=shop, now=now):
        tier, discount = reduction_discount(activity, lines)
        if discount > best_fen:
            best, best_tier, best_fen = activity, tier, discount
    if best is None:
        return None, None, [0] * len(lines)
    return best, best_tier, discount_allocate(best, lines, best_fen)


def lines_after(lines: list[Line], shares: list[int]) -> list[Line]:
    """The lines as the coupon sees them: each less its share of the reduction."""
    return [line._replace(amount_fen=line.amount_fen - share) for line, share in zip(lines, shares)]
