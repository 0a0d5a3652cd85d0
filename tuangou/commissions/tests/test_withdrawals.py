import threading

import pytest
from django.db import connection

from tuangou.commissions import selectors, services, tasks
from tuangou.commissions.models import CommissionEntry, Withdrawal, WithdrawalEvent
from tuangou.commissions.tests.test_ledger import make_due, picked_up_order
from tuangou.core.testing import ok
from tuangou.fulfilment.tests.factories import PickupPointFactory, phone_client, staff_client

E = CommissionEntry


def leader_with_withdrawable(fen_per_line=1000, lines=1):
    """A leader whose settled commission is `fen_per_line × lines` withdrawable (10 % of ¥50 × 2)."""
    order = picked_up_order(lines=[(fen_per_line // 500, 0)] * lines)
    services.commission_accrue_for_order(order=order)
    make_due(order)
    tasks.commissions_settle_due()
    return order.leader


@pytest.mark.django_db
def test_a_withdrawal_above_the_balance_is_refused_and_writes_nothing():
    leader = leader_with_withdrawable()
    client = phone_client(leader.user)
    entries = E.objects.count()

    response = client.post(f"shops/{leader.shop_id}/leader/withdrawals", {"amount_fen": 1001, "account": "微信 chenli"})

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("balance_insufficient", "amount_fen")
    assert response.json()["message"] == "可提现余额不足（可提现¥10.00）"
    assert not Withdrawal.objects.exists()
    assert E.objects.count() == entries


@pytest.mark.django_db
def test_a_request_takes_the_amount_out_of_withdrawable_at_once():
    leader = leader_with_withdrawable()
    client = phone_client(leader.user)

    created = ok(
        client.post(f"shops/{leader.shop_id}/leader/withdrawals", {"amount_fen": 600, "account": "微信 chenli"}), 201
    )
    second = client.post(f"shops/{leader.shop_id}/leader/withdrawals", {"amount_fen": 600, "account": "微信 chenli"})

    assert (created["status"], created["amount_fen"]) == ("requested", 600)
    assert second.json()["code"] == "balance_insufficient"
    assert selectors.commission_balances(leader=leader)["withdrawable_fen"] == 400
    assert selectors.commission_balances(leader=leader)["withdrawn_fen"] == 600
    assert ok(client.get(f"shops/{leader.shop_id}/leader/withdrawals"))["count"] == 1


@pytest.mark.django_db
def test_finance_approves_then_marks_paid_and_each_step_checks_the_status():
    leader = leader_with_withdrawable()
    withdrawal = services.withdrawal_request(leader=leader, amount_fen=1000, account="招商银行 6225****8888")
    finance = staff_client(leader.shop, role="finance")
    base = f"console/shops/{leader.shop_id}/withdrawals/{withdrawal.id}"

    too_early = finance.post(f"{base}/paid")
    approved = ok(finance.post(f"{base}/approve"))
    paid = ok(finance.post(f"{base}/paid"))
    late_reject = finance.post(f"{base}/reject", {"reason": "账户错误"})

    assert (too_early.status_code, too_early.json()["code"]) == (409, "withdrawal_state")
    assert too_early.json()["message"] == "提现申请当前状态为「待审核」，不能标记已打款"
    assert approved["status"] == "approved" and approved["reviewed_by"] is not None and approved["reviewed_at"]
    assert paid["status"] == "paid" and paid["paid_by"] is not None and paid["paid_at"]
    assert late_reject.json()["code"] == "withdrawal_state"
    assert list(WithdrawalEvent.objects.filter(withdrawal=withdrawal).values_list("from_status", "to_status")) == [
        ("", "requested"),
        ("requested", "approved"),
        ("approved", "paid"),
    ]
    assert selectors.commission_balances(leader=leader)["withdrawable_fen"] == 0
    listed = ok(finance.get(f"console/shops/{leader.shop_id}/withdrawals", {"status": "paid"}))
    assert [w["id"] for w in listed["items"]] == [withdrawal.id]


@pytest.mark.django_db
def test_a_rejected_withdrawal_returns_the_amount():
    leader = leader_with_withdrawable()
    withdrawal = services.withdrawal_request(leader=leader, amount_fen=700, account="微信 chenli")
    finance = staff_client(leader.shop, role="finance")

    no_reason = finance.post(f"console/shops/{leader.shop_id}/withdrawals/{withdrawal.id}/reject", {"reason": ""})
    rejected = ok(
        finance.post(
            f"console/shops/{leader.shop_id}/withdrawals/{withdrawal.id}/reject", {"reason": "收款账户姓名不符"}
        )
    )

    assert no_reason.status_code == 422
    assert (rejected["status"], rejected["reason"]) == ("rejected", "收款账户姓名不符")
    assert list(E.objects.filter(withdrawal=withdrawal).values_list("kind", "amount_fen")) == [
        ("withdrawal", -700),
        ("withdrawal_return", 700),
    ]
    assert selectors.commission_balances(leader=leader)["withdrawable_fen"] == 1000
    assert selectors.commission_balances(leader=leader)["withdrawn_fen"] == 0


@pytest.mark.django_db
def test_warehouse_staff_get_403_on_withdrawals_and_commissions():
    leader = leader_with_withdrawable()
    withdrawal = services.withdrawal_request(leader=leader, amount_fen=500, account="微信 chenli")
    warehouse = staff_client(leader.shop, role="warehouse")

    listing = warehouse.get(f"console/shops/{leader.shop_id}/withdrawals")
    approve = warehouse.post(f"console/shops/{leader.shop_id}/withdrawals/{withdrawal.id}/approve")
    totals = warehouse.get(f"console/shops/{leader.shop_id}/commissions/leaders")

    assert listing.status_code == approve.status_code == totals.status_code == 403
    assert Withdrawal.objects.get().status == "requested"


@pytest.mark.django_db
def test_another_shops_withdrawal_is_404_and_untouched():
    leader = leader_with_withdrawable()
    foreign = services.withdrawal_request(leader=leader, amount_fen=500, account="微信 chenli")
    other_leader = PickupPointFactory().leader
    finance = staff_client(other_leader.shop, role="finance")

    response = finance.post(f"console/shops/{other_leader.shop_id}/withdrawals/{foreign.id}/approve")
    not_staff = finance.get(f"console/shops/{leader.shop_id}/withdrawals")
    not_leader = phone_client(other_leader.user).post(
        f"shops/{leader.shop_id}/leader/withdrawals", {"amount_fen": 100, "account": "x"}
    )

    assert response.status_code == not_staff.status_code == not_leader.status_code == 404
    assert Withdrawal.objects.get().status == "requested"


@pytest.mark.django_db
def test_a_suspended_leader_may_look_but_not_withdraw():
    leader = leader_with_withdrawable()
    leader.status = "suspended"
    leader.save()
    client = phone_client(leader.user)

    assert ok(client.get(f"shops/{leader.shop_id}/leader/commission"))["withdrawable_fen"] == 1000
    assert (
        client.post(f"shops/{leader.shop_id}/leader/withdrawals", {"amount_fen": 100, "account": "x"}).status_code
        == 403
    )
    assert not Withdrawal.objects.exists()


def _in_threads(target, count):
    errors = []

    def run():
        try:
            target()
        except Exception as exc:  # collected, asserted by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_cannot_spend_the_same_balance(require_postgres):
    leader = leader_with_withdrawable()

    errors = _in_threads(lambda: services.withdrawal_request(leader=leader, amount_fen=800, account="微信"), 6)

    assert Withdrawal.objects.count() == 1
    assert [e.code for e in errors] == ["balance_insufficient"] * 5
    assert selectors.commission_balances(leader=leader)["withdrawable_fen"] == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_settle_jobs_running_at_once_settle_each_line_once(require_postgres):
    order = picked_up_order(lines=[(2, 0)] * 30)
    services.commission_accrue_for_order(order=order)
    make_due(order)

    errors = _in_threads(lambda: services.commissions_settle_due(batch_size=7), 4)

    assert errors == []
    assert E.objects.filter(kind=E.Kind.SETTLEMENT).count() == 30
    assert E.objects.filter(kind=E.Kind.SETTLEMENT_OUT).count() == 30
    assert selectors.commission_balances(leader=order.leader)["withdrawable_fen"] == 30000
