"""The demo shop shows an incentive plan with progress: rewards earned by its pickups, levels
assessed, a referral under way, the team leaderboard and a leader's 破蛋 card."""

import pytest

from tuangou.commissions import incentive_selectors, referrals
from tuangou.commissions.models import IncentiveAward, LeaderStanding
from tuangou.demo.loader import load_demo
from tuangou.leaders.models import Leader, RecruitmentPlan

pytestmark = pytest.mark.django_db


def test_the_demo_shop_has_an_incentive_plan_with_progress_to_show():
    shop = load_demo(out=lambda *_: None)

    assert IncentiveAward.objects.filter(shop=shop, kind="first_order").count() >= 5
    assert LeaderStanding.objects.filter(shop=shop, level__isnull=False).exists()
    rows = referrals.referrals_list(shop=shop)
    assert [(row["status"], row["target_fen"], row["reward_fen"]) for row in rows] == [("in_progress", 500000, 50000)]
    assert RecruitmentPlan.objects.get(shop=shop).referral_reward_fen == 50000  # what the poster promises
    board = incentive_selectors.leaderboard(shop=shop)
    assert board["teams"][0]["team_name"] == "思明一队"
    mine = incentive_selectors.my_incentives(leader=Leader.objects.filter(shop=shop).order_by("id").first())
    assert mine["tier"]["enabled"] is True and mine["tier"]["target_fen"] == 200000
