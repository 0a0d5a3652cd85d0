"""Leader performance over a period (console leaders list) and its Excel export."""

import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tuangou.campaigns.tests.factories import buy
from tuangou.commissions.models import CommissionEntry
from tuangou.core.testing import ok
from tuangou.leaders.models import Leader, PickupPoint
from tuangou.leaders.tests.factories import LeaderFactory, staff_client
from tuangou.orders.models import Order
from tuangou.orders.tests.factories import CampaignItemFactory
from tuangou.shops.tests.factories import MemberUserFactory

pytestmark = pytest.mark.django_db


def _today(shop):
    return timezone.now().astimezone(ZoneInfo(shop.timezone)).date()


def _given_sales(shop):
    """陈丽 sold twice today to two members; 王芳 sold once ten days ago (and has an unpaid order).
    Ordering binds a member to the leader, so 陈丽 keeps two members and 王芳 one."""
    chen = LeaderFactory(shop=shop, name="陈丽", point__community="海韵花园", point__route="思明线")
    wang = LeaderFactory(shop=shop, name="王芳", commission_rate_bp=1500)
    item = CampaignItemFactory(campaign__shop=shop, price_fen=2990, stock_allotted=50)
    first, second, third = MemberUserFactory(), MemberUserFactory(), MemberUserFactory()
    buy(item=item, member=first, leader=chen, quantity=1)
    buy(item=item, member=second, leader=chen, quantity=2)
    old = buy(item=item, member=third, leader=wang, quantity=1)
    buy(item=item, member=second, leader=wang, quantity=3, pay=False)
    ten_days_ago = timezone.now() - timedelta(days=10)
    Order.objects.filter(pk=old.pk).update(created_at=ten_days_ago)
    CommissionEntry.objects.create(shop=shop, leader=chen, kind="reward", bucket="withdrawable", amount_fen=500)
    wang_reward = CommissionEntry.objects.create(
        shop=shop, leader=wang, kind="reward", bucket="withdrawable", amount_fen=300
    )
    CommissionEntry.objects.filter(pk=wang_reward.pk).update(created_at=ten_days_ago)
    return chen, wang


def _row(leader):
    return (
        leader["name"],
        leader["gmv_fen"],
        leader["order_count"],
        leader["buyer_count"],
        leader["member_count"],
        leader["commission_fen"],
    )


def test_performance_over_a_period_counts_only_that_periods_sales_and_commission():
    owner, shop = staff_client()
    _given_sales(shop)
    today = _today(shop)

    recent = ok(
        owner.get(
            f"console/shops/{shop.id}/leaders",
            {
                "date_from": str(today - timedelta(days=2)),
                "date_to": str(today),
                "ordering": "-gmv_fen",
            },
        )
    )

    assert [_row(leader) for leader in recent["items"]] == [("陈丽", 8970, 2, 2, 2, 500), ("王芳", 0, 0, 0, 1, 0)]
    assert recent["items"][0]["last_order_at"] is not None
    assert recent["items"][1]["last_order_at"] is None


def test_all_time_performance_sorts_on_the_server_both_ways():
    owner, shop = staff_client()
    _given_sales(shop)

    ascending = ok(owner.get(f"console/shops/{shop.id}/leaders", {"ordering": "gmv_fen"}))
    by_commission = ok(owner.get(f"console/shops/{shop.id}/leaders", {"ordering": "-commission_fen"}))
    by_last_sale = ok(owner.get(f"console/shops/{shop.id}/leaders", {"ordering": "last_order_at"}))

    assert [_row(leader) for leader in ascending["items"]] == [
        ("王芳", 2990, 1, 1, 1, 300),
        ("陈丽", 8970, 2, 2, 2, 500),
    ]
    assert [leader["name"] for leader in by_commission["items"]] == ["陈丽", "王芳"]
    assert [leader["name"] for leader in by_last_sale["items"]] == ["王芳", "陈丽"]


def test_leaders_without_a_sale_sort_last_in_both_directions():
    owner, shop = staff_client()
    _given_sales(shop)
    LeaderFactory(shop=shop, name="林强")

    newest_first = ok(owner.get(f"console/shops/{shop.id}/leaders", {"ordering": "-last_order_at"}))
    oldest_first = ok(owner.get(f"console/shops/{shop.id}/leaders", {"ordering": "last_order_at"}))

    assert [leader["name"] for leader in newest_first["items"]] == ["陈丽", "王芳", "林强"]
    assert [leader["name"] for leader in oldest_first["items"]] == ["王芳", "陈丽", "林强"]


def test_a_bad_ordering_or_a_reversed_period_is_refused_at_its_field():
    owner, shop = staff_client()
    LeaderFactory(shop=shop)

    bad_ordering = owner.get(f"console/shops/{shop.id}/leaders", {"ordering": "password"})
    reversed_period = owner.get(
        f"console/shops/{shop.id}/leaders", {"date_from": "2025-03-10", "date_to": "2025-03-01"}
    )

    assert bad_ordering.status_code == 422
    assert bad_ordering.json()["code"] == "validation_error"
    assert reversed_period.status_code == 400
    assert (reversed_period.json()["code"], reversed_period.json()["field"]) == ("validation", "date_to")


def test_export_has_the_filtered_rows_with_their_performance():
    owner, shop = staff_client()
    _given_sales(shop)
    LeaderFactory(shop=shop, name="林强", status="suspended")

    response = owner.get(f"console/shops/{shop.id}/leaders/export.xlsx", {"status": "active", "ordering": "-gmv_fen"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"{shop.name} 团长业绩（全部时间）"
    assert rows[1][:4] == ("ID", "团长", "手机号", "状态")
    body = [(row[1], row[3], row[4], row[7], row[10], row[11], row[12], row[13], row[14], row[15]) for row in rows[2:]]
    assert body == [
        ("陈丽", "正常", "海韵花园", "思明线", "10%", 2, 2, 2, 89.7, 5),
        ("王芳", "正常", "王芳小区", None, "15%", 1, 1, 1, 29.9, 3),
    ]


def test_export_needs_leaders_view_and_stays_in_the_shop():
    warehouse, shop = staff_client(role="warehouse")
    LeaderFactory(shop=shop)
    owner_elsewhere, _ = staff_client()

    refused = warehouse.get(f"console/shops/{shop.id}/leaders/export.xlsx")
    other_shop = owner_elsewhere.get(f"console/shops/{shop.id}/leaders/export.xlsx")

    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    assert (other_shop.status_code, other_shop.json()["code"]) == (404, "not_found")


def test_export_writes_formula_like_text_as_text_drops_control_characters_and_sums_money():
    owner, shop = staff_client()
    chen, _ = _given_sales(shop)
    Leader.objects.filter(pk=chen.pk).update(name="=1+1\x07")  # stored before input was checked
    PickupPoint.objects.filter(leader=chen).update(name="@SUM(A1)", address="-2+3", community="\x1b海韵花园")

    response = owner.get(f"console/shops/{shop.id}/leaders/export.xlsx", {"ordering": "-gmv_fen"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    name, community, point, address, gmv = (sheet.cell(row=3, column=c) for c in (2, 5, 6, 7, 15))
    assert [(c.value, c.data_type, c.quotePrefix) for c in (name, point, address)] == [
        ("=1+1", "s", True),
        ("@SUM(A1)", "s", True),
        ("-2+3", "s", True),
    ]
    assert (community.value, community.quotePrefix) == ("海韵花园", False)
    assert (gmv.value, gmv.data_type, gmv.number_format) == (89.7, "n", '"¥"#,##0.00')
