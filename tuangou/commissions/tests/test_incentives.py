"""团长激励 through the real pickup and refund services: first-order reward, 破蛋, referral,
levels and teams. Every reward is ledger entries; a refund inside the window takes it back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.commissions import incentives, levels, referrals, tiers
from tuangou.commissions.models import CommissionEntry, IncentiveAward, LeaderLevel, TierAchievement
from tuangou.leaders.models import Leader, RecruitmentPlan, Region, Team

from .incentive_world import at, award_net, leader_point, ledger_sum, paid_order, pick_up, refund, rewards

pytestmark = pytest.mark.django_db
A = IncentiveAward.Kind
E = CommissionEntry


def plan(shop, **fields):
    return incentives.incentive_plan_update(shop=shop, **fields)


# --- first-order reward -------------------------------------------------------------------


def test_a_new_leader_earns_the_first_order_reward_when_the_nth_order_is_picked_up_within_d_days():
    point = leader_point(created_at=timezone.now() - timedelta(days=5))
    plan(point.shop, first_order_reward_fen=3000, first_order_count=2, first_order_days=7)
    first, second, third = (paid_order(point, 5000) for _ in range(3))

    pick_up(first)
    assert rewards(point.leader) == []
    pick_up(second)
    pick_up(third)

    assert rewards(point.leader, A.FIRST_ORDER) == [3000]
    entry = E.objects.get(award__kind=A.FIRST_ORDER)
    assert (entry.kind, entry.bucket, entry.amount_fen, entry.order_id) == ("reward", "pending", 3000, second.id)
    assert entry.settle_after > timezone.now() + timedelta(days=6)
    assert "新团长首单奖励" in entry.note


def test_no_first_order_reward_after_d_days_from_approval():
    point = leader_point(created_at=timezone.now() - timedelta(days=8))
    plan(point.shop, first_order_reward_fen=3000, first_order_count=1, first_order_days=7)

    pick_up(paid_order(point, 5000))

    assert rewards(point.leader) == []
    assert not E.objects.filter(award__isnull=False).exists()


def test_a_full_refund_inside_the_window_takes_the_first_order_reward_back_and_a_later_order_earns_it_again():
    point = leader_point(created_at=timezone.now() - timedelta(days=1))
    plan(point.shop, first_order_reward_fen=3000, first_order_count=1, first_order_days=7)
    order = pick_up(paid_order(point, 5000))
    award = IncentiveAward.objects.get(kind=A.FIRST_ORDER)

    refund(order, 5000)

    award.refresh_from_db()
    assert award.is_revoked is True
    assert award_net(award) == 0
    reversal = E.objects.get(award=award, kind="reversal")
    assert (reversal.bucket, reversal.amount_fen) == ("pending", -3000)
    pick_up(paid_order(point, 2000))
    assert rewards(point.leader, A.FIRST_ORDER) == [3000]
    assert ledger_sum(point.leader) == 3000


def test_a_reward_settles_when_the_window_closes_and_a_refund_after_that_keeps_it():
    point = leader_point(created_at=timezone.now() - timedelta(days=1))
    plan(point.shop, first_order_reward_fen=3000, first_order_count=1, first_order_days=7)
    order = pick_up(paid_order(point, 5000))

    assert incentives.awards_settle_due() == 0
    assert incentives.awards_settle_due(now=timezone.now() + timedelta(days=8)) == 1
    assert incentives.awards_settle_due(now=timezone.now() + timedelta(days=8)) == 0
    refund(order, 5000)

    assert ledger_sum(point.leader, bucket="withdrawable") == 3000
    assert ledger_sum(point.leader, bucket="pending") == 0
    assert rewards(point.leader, A.FIRST_ORDER) == [3000]


# --- 破蛋 ------------------------------------------------------------------------------------


def test_tier_counts_days_1_to_15_and_pays_the_bonus_on_orders_paid_from_the_16th():
    point = leader_point()
    plan(point.shop, tier_target_fen=100000, tier_bonus_rate_bp=200)
    pick_up(paid_order(point, 60000, paid_at=at(2026, 10, 3)))
    pick_up(paid_order(point, 40000, paid_at=at(2026, 10, 15, 23, 59)))  # the last minute of the 15th counts
    late = paid_order(point, 50000, paid_at=at(2026, 10, 16, 0, 1))

    pick_up(late)

    assert tiers.tier_gmv(leader=point.leader, month=at(2026, 10, 1).date()) == 100000
    assert TierAchievement.objects.get(leader=point.leader).gmv_fen == 100000
    assert rewards(point.leader, A.TIER_BONUS) == [1000]  # 2 % of ¥500 paid on the 16th
    award = IncentiveAward.objects.get(kind=A.TIER_BONUS)
    assert (award.order_id, award.rate_bp) == (late.id, 200)
    assert "2026年10月破蛋加佣2%" in award.reason


def test_an_order_paid_on_the_16th_does_not_count_towards_the_tier():
    point = leader_point()
    plan(point.shop, tier_target_fen=100000, tier_bonus_rate_bp=200)
    pick_up(paid_order(point, 99999, paid_at=at(2026, 10, 15, 20)))
    pick_up(paid_order(point, 50000, paid_at=at(2026, 10, 16, 0, 0)))

    assert tiers.tier_gmv(leader=point.leader, month=at(2026, 10, 1).date()) == 99999
    assert not TierAchievement.objects.exists()
    assert rewards(point.leader) == []


def test_a_refund_after_the_15th_keeps_the_tier_and_lowers_next_months_count():
    point = leader_point()
    plan(point.shop, tier_target_fen=100000, tier_bonus_rate_bp=200)
    big = pick_up(paid_order(point, 100000, paid_at=at(2026, 10, 10)))
    pick_up(paid_order(point, 30000, paid_at=at(2026, 11, 2)))
    assert tiers.tier_achievement(leader=point.leader, month=at(2026, 10, 1).date()) is not None

    refund(big, 40000, when=at(2026, 10, 17))
    late = pick_up(paid_order(point, 50000, paid_at=at(2026, 10, 20)))

    assert TierAchievement.objects.get(leader=point.leader).gmv_fen == 100000
    assert rewards(point.leader, A.TIER_BONUS) == [1000]
    assert IncentiveAward.objects.get(kind=A.TIER_BONUS).order_id == late.id
    # October's window is judged as it stood on the 15th; November's pays for the 17 Oct refund.
    assert tiers.tier_gmv(leader=point.leader, month=at(2026, 10, 1).date()) == 100000
    assert tiers.tier_gmv(leader=point.leader, month=at(2026, 11, 1).date()) == 30000 - 40000


def test_a_refund_of_a_bonus_order_inside_the_window_claws_the_bonus_back():
    point = leader_point()
    plan(point.shop, tier_target_fen=100000, tier_bonus_rate_bp=200)
    pick_up(paid_order(point, 100000, paid_at=at(2026, 10, 10)))
    late = pick_up(paid_order(point, 50000, paid_at=at(2026, 10, 20)))

    refund(late, 20000)

    award = IncentiveAward.objects.get(kind=A.TIER_BONUS)
    assert award_net(award) == 1000 - 400
    assert E.objects.get(award=award, kind="reversal").amount_fen == -400


def test_tier_progress_says_how_much_is_left():
    point = leader_point()
    plan(point.shop, tier_target_fen=500000, tier_bonus_rate_bp=200)
    now = at(2026, 10, 12)
    pick_up(paid_order(point, 377000, paid_at=at(2026, 10, 5)))

    progress = tiers.tier_progress(leader=point.leader, now=now)

    assert progress["message"] == "还差¥1,230 破蛋"
    assert (progress["gmv_fen"], progress["remaining_fen"], progress["achieved"]) == (377000, 123000, False)


# --- referral ---------------------------------------------------------------------------------


def referred_pair(shop=None):
    referrer = leader_point(shop)
    referred = leader_point(referrer.shop, referred_by=referrer.leader, created_at=timezone.now() - timedelta(days=10))
    return referrer, referred


def test_the_referrer_earns_the_plans_reward_once_the_referred_leader_reaches_the_target():
    referrer, referred = referred_pair()
    RecruitmentPlan.objects.create(
        shop=referrer.shop,
        title="招募",
        benefits="佣金",
        requirements="500户",
        referral_reward_fen=50000,
        referral_gmv_target_fen=500000,
        referral_window_days=60,
    )
    pick_up(paid_order(referred, 300000))
    assert rewards(referrer.leader) == []

    pick_up(paid_order(referred, 200000))
    pick_up(paid_order(referred, 100000))

    assert rewards(referrer.leader, A.REFERRAL) == [50000]
    award = IncentiveAward.objects.get(kind=A.REFERRAL)
    assert (award.source_leader_id, award.leader_id) == (referred.leader_id, referrer.leader_id)
    rows = referrals.referrals_list(shop=referrer.shop)
    assert [(r["leader_name"], r["gmv_fen"], r["status"]) for r in rows] == [(referred.leader.name, 600000, "rewarded")]


def test_gmv_after_the_window_does_not_count_for_the_referral():
    referrer, referred = referred_pair()
    RecruitmentPlan.objects.create(
        shop=referrer.shop,
        title="招募",
        benefits="佣金",
        requirements="500户",
        referral_reward_fen=50000,
        referral_gmv_target_fen=500000,
        referral_window_days=5,
    )
    pick_up(paid_order(referred, 600000))

    assert rewards(referrer.leader) == []
    assert referrals.referrals_list(shop=referrer.shop)[0]["status"] == "expired"


def test_a_refund_inside_the_window_below_the_target_takes_the_referral_reward_back():
    referrer, referred = referred_pair()
    RecruitmentPlan.objects.create(
        shop=referrer.shop,
        title="招募",
        benefits="佣金",
        requirements="500户",
        referral_reward_fen=50000,
        referral_gmv_target_fen=500000,
        referral_window_days=60,
    )
    order = pick_up(paid_order(referred, 500000))
    assert rewards(referrer.leader, A.REFERRAL) == [50000]

    refund(order, 1000)

    assert rewards(referrer.leader, A.REFERRAL) == []
    assert ledger_sum(referrer.leader) == 0


def test_the_incentive_plan_writes_the_referral_terms_the_poster_promises():
    point = leader_point()

    incentives.incentive_plan_update(shop=point.shop, referral_reward_fen=80000, referral_gmv_target_fen=300000)

    recruitment = RecruitmentPlan.objects.get(shop=point.shop)
    assert (recruitment.referral_reward_fen, recruitment.referral_gmv_target_fen) == (80000, 300000)


# --- levels and teams -----------------------------------------------------------------------


def test_levels_are_assessed_on_tasks_and_top_the_line_rate_up_to_the_level_rate():
    point = leader_point()
    shop = point.shop
    LeaderLevel.objects.create(shop=shop, name="银牌", rank=1, commission_rate_bp=1200, min_gmv_fen=100000)
    LeaderLevel.objects.create(shop=shop, name="金牌", rank=2, commission_rate_bp=1500, min_gmv_fen=1000000)
    pick_up(paid_order(point, 200000))

    assert levels.levels_assess(shop=shop) == 1
    pick_up(paid_order(point, 10000, rate_bp=1000))

    assert point.leader.standing.level.name == "银牌"
    assert rewards(point.leader, A.LEVEL_TOPUP) == [200]  # 12 % − 10 % of ¥100


def test_a_childs_rate_never_exceeds_its_parents_and_the_captain_earns_the_difference():
    captain = leader_point()
    shop = captain.shop
    plan(shop, team_override_enabled=True)
    team = Team.objects.create(shop=shop, name="思明一队", captain=captain.leader)
    Leader.objects.filter(pk=captain.leader_id).update(team=team, commission_rate_bp=1200)
    star = leader_point(shop, team=team)
    plain = leader_point(shop, team=team)
    gold = LeaderLevel.objects.create(shop=shop, name="金牌", rank=2, commission_rate_bp=1800, min_gmv_fen=100000)
    pick_up(paid_order(star, 200000))
    levels.levels_assess(shop=shop)

    rates = levels.Rates(shop)
    star_leader = Leader.objects.get(pk=star.leader_id)
    assert star_leader.standing.level == gold
    assert rates.effective(star_leader) == 1200  # 18 % capped at the captain's 12 %
    starred = pick_up(paid_order(star, 10000, rate_bp=1000))
    plain_order = pick_up(paid_order(plain, 10000, rate_bp=1000))

    topups = IncentiveAward.objects.filter(kind=A.LEVEL_TOPUP, order=starred)
    assert [(a.leader_id, a.rate_bp, a.amount_fen) for a in topups] == [(star.leader_id, 200, 200)]
    overrides = IncentiveAward.objects.filter(kind=A.TEAM_OVERRIDE, order__in=[starred, plain_order]).order_by("id")
    # The star already earns the captain's 12 %: nothing above them; the plain member's 10 % leaves 2 %.
    assert [(a.leader_id, a.order_id, a.amount_fen) for a in overrides] == [(captain.leader_id, plain_order.id, 200)]


def test_the_team_leaderboard_ranks_teams_by_net_gmv_and_the_winner_captain_gets_the_prize():
    first = leader_point()
    shop = first.shop
    plan(shop, pk_prize_fen=20000)
    red = Team.objects.create(shop=shop, name="红队", captain=first.leader)
    blue_captain = leader_point(shop)
    blue = Team.objects.create(shop=shop, name="蓝队", captain=blue_captain.leader)
    Leader.objects.filter(pk=first.leader_id).update(team=red)
    Leader.objects.filter(pk=blue_captain.leader_id).update(team=blue)
    pick_up(paid_order(first, 30000, paid_at=at(2026, 10, 5)))
    pick_up(paid_order(blue_captain, 50000, paid_at=at(2026, 10, 6)))

    board = levels.team_leaderboard(shop=shop, month=at(2026, 10, 1).date())
    prize = levels.team_pk_award(shop=shop, month=at(2026, 10, 1).date())
    again = levels.team_pk_award(shop=shop, month=at(2026, 10, 1).date())

    assert [(row["rank"], row["team_name"], row["gmv_fen"]) for row in board] == [
        (1, "蓝队", 50000),
        (2, "红队", 30000),
    ]
    assert (prize.leader_id, prize.amount_fen, again) == (blue_captain.leader_id, 20000, None)


def test_a_loop_between_a_captain_and_a_regional_leader_still_caps_and_ends():
    captain = leader_point()
    shop = captain.shop
    plan(shop, team_override_enabled=True)
    regional = leader_point(shop, commission_rate_bp=1500)
    team = Team.objects.create(shop=shop, name="一队", captain=captain.leader)
    region = Region.objects.create(shop=shop, name="思明区", regional_leader=regional.leader)
    Leader.objects.filter(pk__in=[captain.leader_id, regional.leader_id]).update(team=team, region=region)
    Leader.objects.filter(pk=captain.leader_id).update(commission_rate_bp=1200)

    order = pick_up(paid_order(regional, 10000, rate_bp=1500))

    rates = levels.Rates(shop)
    assert rates.effective(Leader.objects.get(pk=regional.leader_id)) == 1200
    assert IncentiveAward.objects.filter(order=order).count() == 0


def test_once_reached_in_the_window_the_tier_stays_though_a_refund_drops_the_count_later():
    point = leader_point()
    plan(point.shop, tier_target_fen=100000, tier_bonus_rate_bp=200)
    big = pick_up(paid_order(point, 100000, paid_at=at(2026, 10, 5)))

    assert tiers.tiers_evaluate(shop=point.shop, now=at(2026, 10, 6)) == 1
    assert tiers.tiers_evaluate(shop=point.shop, now=at(2026, 10, 7)) == 0
    refund(big, 50000, when=at(2026, 10, 8))
    pick_up(paid_order(point, 10000, paid_at=at(2026, 10, 20)))

    assert tiers.tier_gmv(leader=point.leader, month=at(2026, 10, 1).date()) == 50000
    assert rewards(point.leader, A.TIER_BONUS) == [200]
