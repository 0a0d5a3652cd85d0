"""Real concurrency, on PostgreSQL: two pickups crossing the referral target at the same moment."""

from datetime import timedelta
from functools import partial

import pytest
from django.utils import timezone

from tuangou.campaigns.tests.test_concurrency import run_together
from tuangou.commissions.models import CommissionEntry, IncentiveAward
from tuangou.leaders.models import RecruitmentPlan

from .incentive_world import leader_point, paid_order, pick_up

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_orders_crossing_the_referral_target_at_once_pay_the_referrer_exactly_once(require_postgres):
    for _ in range(3):
        referrer = leader_point()
        referred = leader_point(
            referrer.shop, referred_by=referrer.leader, created_at=timezone.now() - timedelta(days=3)
        )
        RecruitmentPlan.objects.create(
            shop=referrer.shop,
            title="招募",
            benefits="佣金",
            requirements="500户",
            referral_reward_fen=50000,
            referral_gmv_target_fen=500000,
            referral_window_days=60,
        )
        first = paid_order(referred, 250000)
        second = paid_order(referred, 250000)

        results = run_together(partial(pick_up, first), partial(pick_up, second))

        assert [type(result).__name__ for result in results] == ["Order", "Order"]
        awards = IncentiveAward.objects.filter(leader=referrer.leader, kind="referral")
        assert [(a.amount_fen, a.source_leader_id, a.is_revoked) for a in awards] == [
            (50000, referred.leader_id, False)
        ]
        entries = CommissionEntry.objects.filter(leader=referrer.leader)
        assert [(e.kind, e.bucket, e.amount_fen) for e in entries] == [("reward", "pending", 50000)]
