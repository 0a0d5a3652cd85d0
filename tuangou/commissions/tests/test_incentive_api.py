"""团长激励 over HTTP: the console's plan, levels, referrals, leaderboard and exports; the
leader center's progress."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.commissions.models import IncentivePlan, LeaderLevel
from tuangou.core.testing import ok
from tuangou.fulfilment.tests.factories import phone_client, staff_client
from tuangou.leaders.models import RecruitmentPlan, Team

from .incentive_world import leader_point, paid_order, pick_up

pytestmark = pytest.mark.django_db


def console(shop, role="owner"):
    client = staff_client(shop, role)
    return client, f"console/shops/{shop.id}/incentives"


def test_the_merchant_sets_the_plan_and_the_poster_promise_follows_the_referral_reward():
    point = leader_point()
    client, base = console(point.shop)

    plan = ok(
        client.patch(
            f"{base}/plan",
            {
                "tier_target_fen": 500000,
                "tier_bonus_rate_bp": 200,
                "referral_reward_fen": 60000,
                "pk_rule": "月度第一名队长奖励",
            },
        )
    )

    assert (plan["tier_target_fen"], plan["referral_reward_fen"], plan["pk_rule"]) == (
        500000,
        60000,
        "月度第一名队长奖励",
    )
    assert RecruitmentPlan.objects.get(shop=point.shop).referral_reward_fen == 60000


@pytest.mark.parametrize(
    "body,field",
    [
        ({"tier_bonus_rate_bp": 5001}, "tier_bonus_rate_bp"),
        ({"first_order_reward_fen": 10**12}, "first_order_reward_fen"),
        ({"first_order_count": 0}, "first_order_count"),
        ({"pk_rule": "a\x00b"}, "pk_rule"),
        ({"referral_window_days": -1}, "referral_window_days"),
    ],
)
def test_bad_plan_input_is_refused_naming_the_field_and_changes_nothing(body, field):
    point = leader_point()
    client, base = console(point.shop)

    response = client.patch(f"{base}/plan", body)

    assert response.status_code in (400, 422)
    assert response.json()["field"].endswith(field)
    assert IncentivePlan.objects.filter(shop=point.shop, tier_bonus_rate_bp__gt=0).count() == 0


def test_a_role_without_leaders_manage_cannot_change_the_plan():
    point = leader_point()
    client, base = console(point.shop, role="finance")

    assert client.patch(f"{base}/plan", {"tier_target_fen": 1}).status_code == 403
    assert not IncentivePlan.objects.filter(shop=point.shop, tier_target_fen=1).exists()


def test_levels_are_created_assessed_listed_and_exported():
    point = leader_point()
    client, base = console(point.shop)
    pick_up(paid_order(point, 200000))

    silver = ok(
        client.post(
            f"{base}/levels", {"name": "银牌团长𠮷", "rank": 1, "commission_rate_bp": 1200, "min_gmv_fen": 100000}
        ),
        201,
    )
    same_rank = client.post(f"{base}/levels", {"name": "重复", "rank": 1, "commission_rate_bp": 1300})
    assessed = ok(client.post(f"{base}/level-assessments"))
    listed = ok(client.get(f"{base}/levels"))
    export = client.get(f"{base}/levels/export.xlsx")

    assert (same_rank.status_code, same_rank.json()["code"]) == (409, "level_rank_taken")
    assert assessed == {"leaders_with_level": 1}
    assert [(row["id"], row["name"], row["leader_count"]) for row in listed] == [(silver["id"], "银牌团长𠮷", 1)]
    assert export.status_code == 200 and export.content[:2] == b"PK"
    assert LeaderLevel.objects.count() == 1


def test_the_console_lists_referrals_and_the_leader_center_shows_every_progress():
    referrer = leader_point()
    shop = referrer.shop
    referred = leader_point(shop, referred_by=referrer.leader, created_at=timezone.now() - timedelta(days=3))
    RecruitmentPlan.objects.create(
        shop=shop,
        title="招募",
        benefits="佣金",
        requirements="500户",
        referral_reward_fen=50000,
        referral_gmv_target_fen=500000,
        referral_window_days=60,
    )
    team = Team.objects.create(shop=shop, name="思明一队", captain=referrer.leader)
    referrer.leader.team = team
    referrer.leader.save()
    client, base = console(shop)
    ok(client.patch(f"{base}/plan", {"tier_target_fen": 500000, "tier_bonus_rate_bp": 200, "pk_prize_fen": 20000}))
    pick_up(paid_order(referred, 120000))

    rows = ok(client.get(f"{base}/referrals"))["items"]
    board = ok(client.get(f"{base}/leaderboard"))
    export = client.get(f"{base}/referrals/export.xlsx")
    mine = ok(phone_client(referrer.leader.user).get(f"shops/{shop.id}/leader/incentives"))

    assert [(r["leader_name"], r["gmv_fen"], r["remaining_fen"], r["status"]) for r in rows] == [
        (referred.leader.name, 120000, 380000, "in_progress")
    ]
    assert export.status_code == 200
    assert [(t["team_name"], t["rank"]) for t in board["teams"]] == [("思明一队", 1)]
    assert mine["referrals"]["referrals"][0]["remaining_fen"] == 380000
    assert mine["referrals"]["reward_fen"] == 50000
    assert mine["tier"]["target_fen"] == 500000
    assert mine["my_team_id"] == team.id
    assert ok(client.get(f"{base}/awards"))["items"] == []
