"""Reads of 团长激励 for the console and the leader center: the plan, levels, rewards, and one
leader's progress on each incentive."""

from datetime import timedelta

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from tuangou.leaders.models import RecruitmentPlan

from .incentives import PICKED_UP, incentive_plan_get
from .levels import level_tasks, team_leaderboard
from .models import CommissionEntry, IncentiveAward, LeaderLevel, LeaderStanding
from .referrals import referrals_list
from .tiers import local_today, tier_progress

E = CommissionEntry


def incentive_plan_detail(*, shop) -> dict:
    plan = incentive_plan_get(shop=shop)
    recruitment = RecruitmentPlan.objects.filter(shop=shop).order_by("id").first()
    referral = {
        "referral_reward_fen": recruitment.referral_reward_fen if recruitment else 0,
        "referral_gmv_target_fen": recruitment.referral_gmv_target_fen if recruitment else 500000,
        "referral_window_days": recruitment.referral_window_days if recruitment else 60,
    }
    return {
        **{
            name: getattr(plan, name)
            for name in (
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
        },
        **referral,
    }


def levels_list(*, shop):
    held = LeaderStanding.objects.filter(level=OuterRef("pk")).values("level").annotate(n=Count("id")).values("n")
    return LeaderLevel.objects.filter(shop=shop).annotate(
        leader_count=Coalesce(Subquery(held, output_field=IntegerField()), Value(0))
    )


def awards_list(*, shop, kind: str | None = None, leader_id: int | None = None) -> list[dict]:
    """Rewards, newest first, with what is left after reversals and whether they settled."""
    reversed_ = (
        E.objects.filter(award=OuterRef("pk"), kind=E.Kind.REVERSAL)
        .values("award")
        .annotate(total=Sum("amount_fen"))
        .values("total")
    )
    awards = (
        IncentiveAward.objects.filter(shop=shop)
        .select_related("leader")
        .annotate(
            reversed_fen=Coalesce(Subquery(reversed_, output_field=IntegerField()), Value(0)),
            is_settled=Exists(E.objects.filter(award=OuterRef("pk"), kind=E.Kind.SETTLEMENT)),
        )
        .order_by("-created_at", "-id")
    )
    if kind:
        awards = awards.filter(kind=kind)
    if leader_id:
        awards = awards.filter(leader_id=leader_id)
    return [
        {
            "id": award.id,
            "leader_id": award.leader_id,
            "leader_name": award.leader.name,
            "kind": award.kind,
            "kind_label": award.get_kind_display(),
            "amount_fen": award.amount_fen,
            "net_fen": award.amount_fen + award.reversed_fen,
            "order_id": award.order_id,
            "source_leader_id": award.source_leader_id,
            "reason": award.reason,
            "is_revoked": award.is_revoked,
            "is_settled": award.is_settled,
            "created_at": award.created_at,
        }
        for award in awards[:2000]
    ]


def leaderboard(*, shop, month=None) -> dict:
    plan = incentive_plan_get(shop=shop)
    from .gmv import month_start

    month = month_start(month or local_today(shop))
    return {
        "month": month,
        "prize_fen": plan.pk_prize_fen,
        "rule": plan.pk_rule,
        "teams": team_leaderboard(shop=shop, month=month),
    }


def first_order_progress(*, leader) -> dict:
    from tuangou.orders.models import Order

    plan = incentive_plan_get(shop=leader.shop)
    deadline = leader.created_at + timedelta(days=plan.first_order_days)
    picked = Order.objects.filter(
        leader=leader, status__in=PICKED_UP, picked_up_at__gte=leader.created_at, picked_up_at__lte=deadline
    ).count()
    return {
        "enabled": bool(plan.first_order_reward_fen),
        "reward_fen": plan.first_order_reward_fen,
        "count": plan.first_order_count,
        "days": plan.first_order_days,
        "picked_up": picked,
        "deadline": deadline,
        "rewarded": IncentiveAward.objects.filter(
            leader=leader, kind=IncentiveAward.Kind.FIRST_ORDER, is_revoked=False
        ).exists(),
    }


def my_level(*, leader) -> dict:
    """The leader's level as last assessed and the tasks of the next one up."""
    plan = incentive_plan_get(shop=leader.shop)
    standing = LeaderStanding.objects.filter(leader=leader).select_related("level").first()
    figures = (standing.figures if standing else None) or {"gmv_fen": 0, "members": 0, "pickup_rate_bp": 0}
    current = standing.level if standing else None
    higher = LeaderLevel.objects.filter(shop=leader.shop)
    if current:
        higher = higher.filter(rank__gt=current.rank)
    following = higher.order_by("rank").first()
    tasks = []
    if following:
        tasks = [{**task, "done": task["value"] >= task["target"]} for task in level_tasks(following, figures)]
    return {
        "level_name": current.name if current else "",
        "level_rate_bp": current.commission_rate_bp if current else None,
        "period_days": plan.level_period_days,
        "figures": figures,
        "next_level_name": following.name if following else "",
        "next_level_rate_bp": following.commission_rate_bp if following else None,
        "next_tasks": tasks,
    }


def my_incentives(*, leader, now=None) -> dict:
    now = now or timezone.now()
    recruitment = RecruitmentPlan.objects.filter(shop=leader.shop).order_by("id").first()
    return {
        "tier": tier_progress(leader=leader, now=now),
        "first_order": first_order_progress(leader=leader),
        "referrals": {
            "reward_fen": recruitment.referral_reward_fen if recruitment else 0,
            "target_fen": recruitment.referral_gmv_target_fen if recruitment else 0,
            "window_days": recruitment.referral_window_days if recruitment else 0,
            "referral_code": leader.referral_code,
            "referrals": referrals_list(shop=leader.shop, now=now, referrer_id=leader.id),
        },
        "level": my_level(leader=leader),
        "leaderboard": leaderboard(shop=leader.shop),
        "my_team_id": leader.team_id,
    }
