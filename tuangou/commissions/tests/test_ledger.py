from datetime import timedelta

import pytest
from django.utils import timezone

from tuangou.commissions import selectors, services, tasks
from tuangou.commissions.models import CommissionEntry
from tuangou.core.testing import ok
from tuangou.fulfilment.tests.factories import (
    CampaignFactory,
    CampaignItemFactory,
    PickupPointFactory,
    order_with_lines,
    phone_client,
    staff_client,
)
from tuangou.orders.models import Order

pytestmark = pytest.mark.django_db
E = CommissionEntry


def picked_up_order(*, point=None, lines=((2, 0),), rate_bp=1000):
    """A picked-up order of a ¥50.00 item; its leader earns rate_bp on each line."""
    point = point or PickupPointFactory()
    campaign = CampaignFactory(shop=point.shop)
    item = CampaignItemFactory(campaign=campaign, price_fen=5000)
    return order_with_lines(
        campaign=campaign,
        point=point,
        lines=[(item, q, r) for q, r in lines],
        status=Order.Status.PICKED_UP,
        rate_bp=rate_bp,
    )


def make_due(order):
    E.objects.filter(order=order, kind=E.Kind.ACCRUAL).update(settle_after=timezone.now() - timedelta(minutes=1))


def balances(leader):
    """The ledger's own sums (提现中 / 待抵扣 are shown in test_leader_money.py)."""
    figures = selectors.commission_balances(leader=leader)
    return {
        key: figures[key] for key in ("pending_fen", "withdrawable_fen", "earned_fen", "settled_fen", "withdrawn_fen")
    }


def test_accrual_waits_in_pending_for_the_after_sales_window():
    order = picked_up_order(lines=[(2, 0), (3, 1)])

    entries = services.commission_accrue_for_order(order=order)
    again = services.commission_accrue_for_order(order=order)

    assert [e.amount_fen for e in entries] == [1000, 1000]  # 10 % of ¥100 and of ¥150 − ¥50 refunded
    assert again == []
    assert entries[0].settle_after > timezone.now() + timedelta(days=6)
    assert balances(order.leader) == {
        "pending_fen": 2000,
        "withdrawable_fen": 0,
        "earned_fen": 2000,
        "settled_fen": 0,
        "withdrawn_fen": 0,
    }


def test_settle_job_moves_due_accruals_to_withdrawable_once():
    order = picked_up_order()
    not_due = picked_up_order(point=order.pickup_point)
    services.commission_accrue_for_order(order=order)
    services.commission_accrue_for_order(order=not_due)
    make_due(order)

    first = tasks.commissions_settle_due()
    second = tasks.commissions_settle_due()

    assert (first, second) == (1, 0)
    assert list(
        E.objects.filter(order=order).exclude(kind=E.Kind.ACCRUAL).values_list("kind", "bucket", "amount_fen")
    ) == [
        ("settlement_out", "pending", -1000),
        ("settlement", "withdrawable", 1000),
    ]
    assert balances(order.leader) == {
        "pending_fen": 1000,
        "withdrawable_fen": 1000,
        "earned_fen": 2000,
        "settled_fen": 1000,
        "withdrawn_fen": 0,
    }


def test_a_refund_before_settlement_settles_only_the_rest():
    order = picked_up_order(lines=[(2, 0)])
    services.commission_accrue_for_order(order=order)
    line = order.lines.get()

    services.commission_reverse_for_refund(order=order, refunded_fen_by_line={line.id: 5000})
    make_due(order)
    tasks.commissions_settle_due()

    assert balances(order.leader) == {
        "pending_fen": 0,
        "withdrawable_fen": 500,
        "earned_fen": 500,
        "settled_fen": 500,
        "withdrawn_fen": 0,
    }


def test_a_refund_after_settlement_takes_from_withdrawable():
    order = picked_up_order(lines=[(2, 0)])
    services.commission_accrue_for_order(order=order)
    make_due(order)
    tasks.commissions_settle_due()

    reversed_ = services.commission_reverse_for_refund(order=order, refunded_fen_by_line={order.lines.get().id: 5000})

    assert [(e.kind, e.bucket, e.amount_fen) for e in reversed_] == [("reversal", "withdrawable", -500)]
    assert balances(order.leader) == {
        "pending_fen": 0,
        "withdrawable_fen": 500,
        "earned_fen": 500,
        "settled_fen": 1000,
        "withdrawn_fen": 0,
    }


def test_a_refund_never_takes_back_more_than_was_earned():
    order = picked_up_order(lines=[(2, 0)])
    services.commission_accrue_for_order(order=order)
    line_id = order.lines.get().id

    services.commission_reverse_for_refund(order=order, refunded_fen_by_line={line_id: 8000})
    services.commission_reverse_for_refund(order=order, refunded_fen_by_line={line_id: 8000})

    assert balances(order.leader)["pending_fen"] == 0


def test_a_fully_refunded_line_settles_to_zero_and_is_not_looked_at_again():
    order = picked_up_order(lines=[(2, 0)])
    services.commission_accrue_for_order(order=order)
    services.commission_reverse_for_refund(order=order, refunded_fen_by_line={order.lines.get().id: 10000})
    make_due(order)

    assert tasks.commissions_settle_due() == 1
    assert tasks.commissions_settle_due() == 0
    assert balances(order.leader)["withdrawable_fen"] == 0


def test_leader_sees_balances_and_history_in_the_leader_center():
    order = picked_up_order(lines=[(2, 0)])
    services.commission_accrue_for_order(order=order)
    make_due(order)
    tasks.commissions_settle_due()
    client = phone_client(order.leader.user)

    center = ok(client.get(f"shops/{order.shop_id}/leader/commission", {"page_size": 2}))

    assert (center["pending_fen"], center["withdrawable_fen"], center["settled_fen"], center["withdrawn_fen"]) == (
        0,
        1000,
        1000,
        0,
    )
    assert center["history"]["count"] == 3
    assert [e["kind"] for e in center["history"]["items"]] == ["settlement", "settlement_out"]
    assert center["history"]["items"][0]["kind_label"] == "佣金结算"


def test_console_lists_totals_per_leader_and_a_leaders_entries():
    order = picked_up_order(lines=[(2, 0)])
    other_leader = PickupPointFactory(leader__shop=order.shop).leader
    services.commission_accrue_for_order(order=order)
    client = staff_client(order.shop, role="finance")

    leaders = ok(client.get(f"console/shops/{order.shop_id}/commissions/leaders"))
    entries = ok(client.get(f"console/shops/{order.shop_id}/commissions/leaders/{order.leader_id}/entries"))

    assert leaders["count"] == 2
    rows = {row["leader_id"]: row for row in leaders["items"]}
    assert (rows[order.leader_id]["pending_fen"], rows[order.leader_id]["phone"]) == (1000, order.leader.phone)
    assert rows[other_leader.id]["pending_fen"] == 0
    assert [(e["kind"], e["amount_fen"]) for e in entries["items"]] == [("accrual", 1000)]


def test_another_shops_leader_is_the_same_404_as_a_missing_one():
    order = picked_up_order()
    foreign = PickupPointFactory().leader
    client = staff_client(order.shop, role="finance")

    response = client.get(f"console/shops/{order.shop_id}/commissions/leaders/{foreign.id}/entries")
    missing = client.get(f"console/shops/{order.shop_id}/commissions/leaders/999999/entries")

    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()
