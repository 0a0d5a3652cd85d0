"""The console's per-leader commission totals: searchable by name or phone."""

import pytest

from tuangou.commissions.models import CommissionEntry
from tuangou.core.testing import ok
from tuangou.leaders.tests.factories import LeaderFactory, staff_client

pytestmark = pytest.mark.django_db


def test_commission_totals_search_by_name_or_phone():
    finance, shop = staff_client(role="finance")
    chen = LeaderFactory(shop=shop, name="陈丽")
    LeaderFactory(shop=shop, name="王芳")
    CommissionEntry.objects.create(shop=shop, leader=chen, kind="reward", bucket="withdrawable", amount_fen=50000)

    by_name = ok(finance.get(f"console/shops/{shop.id}/commissions/leaders", {"search": "陈"}))
    by_phone = ok(finance.get(f"console/shops/{shop.id}/commissions/leaders", {"search": chen.phone[-4:]}))
    everyone = ok(finance.get(f"console/shops/{shop.id}/commissions/leaders"))

    assert [(row["name"], row["withdrawable_fen"], row["pending_fen"]) for row in by_name["items"]] == [
        ("陈丽", 50000, 0)
    ]
    assert [row["leader_id"] for row in by_phone["items"]] == [chen.id]
    assert everyone["count"] == 2
