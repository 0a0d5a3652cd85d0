"""推荐奖励: a leader approved through another's recruitment link (Leader.referred_by, set at
approval from the application's referral code) who reaches the target net GMV within the window
after approval earns the referrer the reward, once. Amount, target and window are the shop's
recruitment plan — the very figures its poster promises."""

from datetime import timedelta

from django.utils import timezone

from tuangou.leaders.models import Leader, RecruitmentPlan

from .gmv import net_gmv, net_gmv_by_leader
from .incentives import _pending_whole_awards, award_grant, award_take_back
from .models import IncentiveAward
from .tiers import yuan

A = IncentiveAward.Kind


def _plan(shop) -> RecruitmentPlan | None:
    return RecruitmentPlan.objects.filter(shop=shop).order_by("id").first()


def referral_deadline(referred: Leader, plan: RecruitmentPlan):
    return referred.created_at + timedelta(days=plan.referral_window_days)


def referral_gmv(*, referred: Leader, plan: RecruitmentPlan, now=None) -> int:
    end = min(referral_deadline(referred, plan), now or timezone.now())
    return net_gmv(leader=referred, start=referred.created_at, end=max(end, referred.created_at))


def referral_check(*, referred: Leader, now=None) -> IncentiveAward | None:
    """At the referred leader's pickups (and by the sweep job): pay the referrer once the target
    is reached inside the window. Two pickups crossing it at once grant one reward (the key)."""
    if referred.referred_by_id is None:
        return None
    plan = _plan(referred.shop)
    if plan is None or not plan.referral_reward_fen:
        return None
    if referral_gmv(referred=referred, plan=plan, now=now) < plan.referral_gmv_target_fen:
        return None
    return award_grant(
        leader=Leader.objects.select_related("shop").get(pk=referred.referred_by_id),
        kind=A.REFERRAL,
        key=f"referral:{referred.id}",
        amount_fen=plan.referral_reward_fen,
        source_leader=referred,
        reason=f"推荐新团长{referred.name}：{plan.referral_window_days}天内交易额达{yuan(plan.referral_gmv_target_fen)}",
        now=now,
    )


def referral_recheck(*, referred: Leader, order=None) -> None:
    """A refund inside the after-sales window that drops the referred leader back under the
    target takes the reward back (reached again, it is paid again)."""
    plan = _plan(referred.shop)
    if plan is None:
        return
    for award in _pending_whole_awards(source_leader=referred, kind=A.REFERRAL):
        if referral_gmv(referred=referred, plan=plan) < plan.referral_gmv_target_fen:
            number = f"订单{order.number}" if order else ""
            award_take_back(award_id=award.id, amount_fen=award.amount_fen, reason=f"{number}退款，推荐奖励收回")


def referrals_sweep(*, now=None) -> int:
    """Scheduled: check every referred leader still inside the window (a pickup may have come
    before a payment that tipped it over). Answers rewards granted."""
    now = now or timezone.now()
    granted = 0
    longest = timedelta(days=366)
    referred = Leader.objects.select_related("shop").filter(referred_by__isnull=False, created_at__gte=now - longest)
    for leader in referred.exclude(
        id__in=IncentiveAward.objects.filter(kind=A.REFERRAL, is_revoked=False).values("source_leader_id")
    ):
        plan = _plan(leader.shop)
        if (
            plan
            and now <= referral_deadline(leader, plan) + timedelta(days=1)
            and referral_check(referred=leader, now=now)
        ):
            granted += 1
    return granted


def referrals_list(*, shop, now=None, referrer_id: int | None = None) -> list[dict]:
    """Every referred leader of the shop with their progress, newest first."""
    now = now or timezone.now()
    plan = _plan(shop)
    leaders = Leader.objects.filter(shop=shop, referred_by__isnull=False).select_related("referred_by")
    if referrer_id is not None:
        leaders = leaders.filter(referred_by_id=referrer_id)
    leaders = list(leaders.order_by("-created_at", "-id"))
    awards = {
        award.source_leader_id: award
        for award in IncentiveAward.objects.filter(shop=shop, kind=A.REFERRAL, is_revoked=False)
    }
    rows = []
    for leader in leaders:
        deadline = referral_deadline(leader, plan) if plan else leader.created_at
        gmv = net_gmv_by_leader(
            shop=shop, leader_ids=[leader.id], start=leader.created_at, end=max(min(deadline, now), leader.created_at)
        )[leader.id]
        target = plan.referral_gmv_target_fen if plan else 0
        award = awards.get(leader.id)
        if award:
            status = "rewarded"
        elif now > deadline:
            status = "expired"
        else:
            status = "in_progress"
        rows.append(
            {
                "leader_id": leader.id,
                "leader_name": leader.name,
                "referrer_id": leader.referred_by_id,
                "referrer_name": leader.referred_by.name,
                "approved_at": leader.created_at,
                "deadline": deadline,
                "gmv_fen": gmv,
                "target_fen": target,
                "remaining_fen": max(0, target - gmv),
                "reward_fen": award.amount_fen if award else (plan.referral_reward_fen if plan else 0),
                "status": status,
                "rewarded_at": award.created_at if award else None,
            }
        )
    return rows
