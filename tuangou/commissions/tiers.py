"""The monthly 破蛋 tier: a leader whose net GMV in days 1–15 reaches the shop's target earns a
bonus rate on orders paid from the 16th to month end. Once reached it is a row for that month
(TierAchievement) and stays, whatever is refunded later; refunds are booked on the day they are
made (gmv.py), so one made after the 15th lowers next month's count instead."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from tuangou.core.money import apply_rate_bp

from .gmv import local_start, month_start, net_gmv, net_gmv_by_leader, shop_zone
from .incentives import award_grant, incentive_plan_get
from .models import IncentiveAward, IncentivePlan, TierAchievement

WINDOW_LAST_DAY = 15


def yuan(amount_fen: int) -> str:
    """123000 -> '¥1,230'; 123050 -> '¥1,230.50' (progress texts)."""
    yuan_, fen = divmod(int(amount_fen), 100)
    return f"¥{yuan_:,}" if not fen else f"¥{yuan_:,}.{fen:02d}"


def tier_window(shop, month: date):
    """(sales from, window end, refunds from): sales paid on days 1–15; refunds made since last
    month's window closed (after the 15th of last month) up to this window's end."""
    month = month_start(month)
    previous = month_start(month - timedelta(days=1))
    return (
        local_start(shop, month),
        local_start(shop, month.replace(day=WINDOW_LAST_DAY + 1)),
        local_start(shop, previous.replace(day=WINDOW_LAST_DAY + 1)),
    )


def tier_gmv(*, leader, month: date, now=None) -> int:
    """The net GMV that counts for `month`, as of `now` (at most the window's end)."""
    start, end, refunds_start = tier_window(leader.shop, month)
    now = now or timezone.now()
    return net_gmv(leader=leader, start=start, end=min(end, max(now, start)), refunds_start=refunds_start)


def local_today(shop, now=None) -> date:
    return (now or timezone.now()).astimezone(shop_zone(shop)).date()


def _achieve(*, leader, month: date, gmv_fen: int, plan: IncentivePlan) -> TierAchievement:
    try:
        with transaction.atomic():
            return TierAchievement.objects.create(
                shop_id=leader.shop_id,
                leader=leader,
                month=month,
                gmv_fen=gmv_fen,
                target_fen=plan.tier_target_fen,
                bonus_rate_bp=plan.tier_bonus_rate_bp,
            )
    except IntegrityError:  # reached at the same moment by another pickup or the job
        return TierAchievement.objects.get(leader=leader, month=month)


def tier_achievement(*, leader, month: date, plan: IncentivePlan | None = None, now=None) -> TierAchievement | None:
    """The month's achievement: the row if reached before, else recorded now when the count
    (as of now, or as it stood at the window's end) reaches the target."""
    month = month_start(month)
    found = TierAchievement.objects.filter(leader=leader, month=month).first()
    if found is not None:
        return found
    plan = plan or incentive_plan_get(shop=leader.shop)
    if not plan.tier_target_fen or not plan.tier_bonus_rate_bp:
        return None
    now = now or timezone.now()
    if now < tier_window(leader.shop, month)[0]:
        return None
    gmv_fen = tier_gmv(leader=leader, month=month, now=now)
    if gmv_fen < plan.tier_target_fen:
        return None
    return _achieve(leader=leader, month=month, gmv_fen=gmv_fen, plan=plan)


def tiers_evaluate(*, shop, now=None) -> int:
    """Scheduled during days 1–15: record every leader who has reached the target, so one who
    reached it and then saw a refund keeps it. Answers how many were recorded now."""
    plan = incentive_plan_get(shop=shop)
    now = now or timezone.now()
    today = local_today(shop, now)
    if not plan.tier_target_fen or not plan.tier_bonus_rate_bp or today.day > WINDOW_LAST_DAY:
        return 0
    from tuangou.leaders.models import Leader

    month = month_start(today)
    start, end, refunds_start = tier_window(shop, month)
    done = set(TierAchievement.objects.filter(shop=shop, month=month).values_list("leader_id", flat=True))
    leaders = {leader.id: leader for leader in Leader.objects.filter(shop=shop).exclude(id__in=done)}
    figures = net_gmv_by_leader(
        shop=shop, leader_ids=leaders, start=start, end=min(end, now), refunds_start=refunds_start
    )
    reached = [leader_id for leader_id, gmv in figures.items() if gmv >= plan.tier_target_fen]
    for leader_id in reached:
        _achieve(leader=leaders[leader_id], month=month, gmv_fen=figures[leader_id], plan=plan)
    return len(reached)


def tier_bonus_for_order(*, order, plan: IncentivePlan, now=None) -> list[IncentiveAward]:
    """At pickup: an order paid on the 16th or later of a month its leader 破蛋'd earns the bonus
    rate on each line's paid amount (less refunds so far), as one reward per line."""
    if not plan.tier_bonus_rate_bp or order.paid_at is None:
        return []
    paid_day = order.paid_at.astimezone(shop_zone(order.shop)).date()
    if paid_day.day <= WINDOW_LAST_DAY:
        return []
    achievement = tier_achievement(leader=order.leader, month=paid_day, plan=plan, now=now)
    if achievement is None:
        return []
    rate = achievement.bonus_rate_bp
    awards = []
    for line in order.lines.all():
        award = award_grant(
            leader=order.leader,
            kind=IncentiveAward.Kind.TIER_BONUS,
            key=f"tier_bonus:{line.id}",
            amount_fen=apply_rate_bp(line.amount_fen - line.refunded_fen, rate),
            rate_bp=rate,
            order=order,
            order_line=line,
            reason=f"{paid_day:%Y年%m月}破蛋加佣{rate / 100:g}%：订单{order.number} {line.product_name}",
            now=now,
        )
        if award:
            awards.append(award)
    return awards


def tier_progress(*, leader, now=None) -> dict:
    """The leader center's 破蛋 card for this month."""
    plan = incentive_plan_get(shop=leader.shop)
    now = now or timezone.now()
    today = local_today(leader.shop, now)
    month = month_start(today)
    enabled = bool(plan.tier_target_fen and plan.tier_bonus_rate_bp)
    achievement = tier_achievement(leader=leader, month=month, plan=plan, now=now) if enabled else None
    gmv_fen = tier_gmv(leader=leader, month=month, now=now)
    remaining = max(0, plan.tier_target_fen - gmv_fen)
    in_window = today.day <= WINDOW_LAST_DAY
    if not enabled:
        message = "本店暂未开启破蛋奖励"
    elif achievement:
        message = f"已破蛋！16日至月底佣金加{achievement.bonus_rate_bp / 100:g}%"
    elif in_window:
        message = f"还差{yuan(remaining)} 破蛋"
    else:
        message = "本月未破蛋，下月1日重新开始"
    return {
        "enabled": enabled,
        "month": month,
        "window_last_day": WINDOW_LAST_DAY,
        "target_fen": plan.tier_target_fen,
        "bonus_rate_bp": achievement.bonus_rate_bp if achievement else plan.tier_bonus_rate_bp,
        "gmv_fen": gmv_fen,
        "remaining_fen": remaining if enabled and not achievement else 0,
        "achieved": achievement is not None,
        "in_window": in_window,
        "message": message,
    }
