"""Leader money said plainly (issue 7, item 10): a withdrawal waiting for the shop is 提现中, not
已提现; each ledger line says what moved where in 元 (a settlement is a move, not a deduction); a
clawback that leaves withdrawable below zero is 待抵扣 with its reason, and withdrawals wait."""

import pytest

from tuangou.commissions import services, tasks
from tuangou.commissions.models import CommissionEntry, Withdrawal
from tuangou.commissions.tests.test_ledger import make_due, picked_up_order
from tuangou.core.testing import ok
from tuangou.fulfilment.tests.factories import phone_client, staff_client

pytestmark = pytest.mark.django_db
E = CommissionEntry


def settled_order():
    """A leader with ¥10.00 settled (10 % of 2 × ¥50.00)."""
    order = picked_up_order(lines=[(2, 0)])
    services.commission_accrue_for_order(order=order)
    make_due(order)
    tasks.commissions_settle_due()
    return order


def client_of(leader):
    """One login per leader per test (a second SMS code within a minute is rate-limited)."""
    if not hasattr(leader, "client"):
        leader.client = phone_client(leader.user)
    return leader.client


def center(leader, **params):
    return ok(client_of(leader).get(f"shops/{leader.shop_id}/leader/commission", params))


def console_row(leader):
    rows = ok(staff_client(leader.shop, role="finance").get(f"console/shops/{leader.shop_id}/commissions/leaders"))
    return next(row for row in rows["items"] if row["leader_id"] == leader.id)


def test_a_withdrawal_waiting_for_the_shop_is_in_withdrawal_and_only_a_paid_one_is_withdrawn():
    leader = settled_order().leader
    waiting = services.withdrawal_request(leader=leader, amount_fen=600, account="微信 chenli")
    paid = services.withdrawal_request(leader=leader, amount_fen=300, account="微信 chenli")
    services.withdrawal_approve(shop=leader.shop, withdrawal_id=paid.id, actor=None)
    services.withdrawal_mark_paid(shop=leader.shop, withdrawal_id=paid.id, actor=None)

    figures = center(leader)
    row = console_row(leader)

    assert Withdrawal.objects.get(pk=waiting.pk).status == "requested"
    assert (figures["withdrawable_fen"], figures["in_withdrawal_fen"], figures["withdrawn_fen"]) == (100, 600, 300)
    assert (figures["offset_pending_fen"], figures["offset_reason"]) == (0, "")
    assert (row["withdrawable_fen"], row["in_withdrawal_fen"], row["withdrawn_fen"]) == (100, 600, 300)


def test_each_ledger_line_says_what_moved_where_in_yuan():
    order = settled_order()
    withdrawal = services.withdrawal_request(leader=order.leader, amount_fen=400, account="微信 chenli")
    services.withdrawal_reject(shop=order.shop, withdrawal_id=withdrawal.id, actor=None, reason="账户错误")

    lines = center(order.leader)["history"]["items"]

    assert [(e["kind"], e["label"], e["explanation"], e["is_transfer"]) for e in lines] == [
        ("withdrawal_return", "提现退回", f"提现申请#{withdrawal.id}未通过，¥4.00退回可提现（账户错误）", False),
        ("withdrawal", "申请提现", f"提现申请#{withdrawal.id}：¥4.00离开可提现，未通过，已退回可提现", False),
        (
            "settlement",
            "结算转入可提现",
            f"订单{order.number}售后期结束，佣金¥10.00转入可提现（与“待结算转出”是同一笔）",
            True,
        ),
        ("settlement_out", "待结算转出至可提现", f"订单{order.number}的佣金¥10.00从待结算转到可提现，不是扣款", True),
        (
            "accrual",
            "佣金入账（待结算）",
            f"订单{order.number}已提货，佣金¥10.00先进入待结算，售后期结束后转入可提现",
            False,
        ),
    ]


def test_a_clawback_after_a_payout_is_owed_with_its_reason_and_withdrawals_wait():
    order = settled_order()
    leader = order.leader
    withdrawal = services.withdrawal_request(leader=leader, amount_fen=1000, account="微信 chenli")
    services.withdrawal_approve(shop=leader.shop, withdrawal_id=withdrawal.id, actor=None)
    services.withdrawal_mark_paid(shop=leader.shop, withdrawal_id=withdrawal.id, actor=None)
    services.commission_reverse_for_refund(order=order, refunded_fen_by_line={order.lines.get().id: 10000})
    entries_before = E.objects.count()

    figures = center(leader)
    refused = client_of(leader).post(
        f"shops/{leader.shop_id}/leader/withdrawals", {"amount_fen": 1, "account": "微信 chenli"}
    )

    assert (figures["withdrawable_fen"], figures["offset_pending_fen"], figures["withdrawn_fen"]) == (-1000, 1000, 1000)
    assert figures["offset_reason"] == (
        f"订单{order.number}退款，已结算的佣金被冲回，可提现余额不足以扣回，还差¥10.00。"
        "将从之后结算的佣金中抵扣，抵扣完成前暂不能提现。"
    )
    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (
        400,
        "balance_offset_pending",
        "amount_fen",
    )
    assert refused.json()["message"] == "有¥10.00待抵扣（退款冲回了已结算的佣金），抵扣完成前暂不能提现"
    assert E.objects.count() == entries_before
    assert Withdrawal.objects.filter(leader=leader).count() == 1
    assert (
        figures["history"]["items"][0]["explanation"] == f"订单{order.number}退款，扣回对应佣金¥10.00（从可提现中扣除）"
    )
