"""The demo shop's 团长激励: a plan with every part switched on, three levels, a referred leader,
set up before the demo's orders so its pickups earn rewards through the real hooks."""

from tuangou.commissions import incentives, levels
from tuangou.commissions.models import LeaderLevel
from tuangou.leaders.models import Leader

LEVELS = [
    # name, rank, rate bp, GMV fen, members, pickup rate bp
    ("铜牌团长", 1, 1000, 0, 0, 0),
    ("银牌团长", 2, 1200, 30000, 15, 6000),
    ("金牌团长", 3, 1500, 300000, 30, 9000),
]


def demo_incentives_plan(*, shop, leaders: list[Leader]) -> None:
    incentives.incentive_plan_update(
        shop=shop,
        first_order_reward_fen=3000,
        first_order_count=1,
        first_order_days=30,
        tier_target_fen=200000,
        tier_bonus_rate_bp=200,
        level_period_days=30,
        team_override_enabled=True,
        pk_prize_fen=20000,
        pk_rule="每月团队交易额第一名，队长奖励¥200",
        referral_reward_fen=50000,
        referral_gmv_target_fen=500000,
        referral_window_days=60,
    )
    for name, rank, rate, gmv, members, pickup in LEVELS:
        LeaderLevel.objects.create(
            shop=shop,
            name=name,
            rank=rank,
            commission_rate_bp=rate,
            min_gmv_fen=gmv,
            min_members=members,
            min_pickup_rate_bp=pickup,
        )
    # The fifth leader joined through the first one's recruitment link (as her code on the application records it).
    Leader.objects.filter(pk=leaders[4].id).update(referred_by=leaders[0])


def demo_incentives_assess(*, shop) -> None:
    levels.levels_assess(shop=shop)
