"""Each ledger line said for people: a label and one sentence of what moved where, in 元.

A settlement is a pair of lines (−net out of 待结算, +net into 可提现); read alone, the first
looked like a deduction ("结算转出 −¥3.90"), so both halves say they are one move."""

from tuangou.core.labels import bilingual
from tuangou.core.money import format_fen

from .models import CommissionEntry, Withdrawal

K = CommissionEntry.Kind
# A WeChat transfer the leader still has to accept in WeChat (商家转账 WAIT_USER_CONFIRM).
WAIT_USER_CONFIRM_LABEL = bilingual("待确认收款", "Confirm receipt in WeChat")

LABELS = {
    K.ACCRUAL: bilingual("佣金入账（待结算）", "Commission earned (pending)"),
    K.SETTLEMENT: bilingual("结算转入可提现", "Settled into withdrawable"),
    K.SETTLEMENT_OUT: bilingual("待结算转出至可提现", "Moved out of pending"),
    K.REVERSAL: bilingual("退款冲回佣金", "Taken back for a refund"),
    K.WITHDRAWAL: bilingual("申请提现", "Withdrawal requested"),
    K.WITHDRAWAL_RETURN: bilingual("提现退回", "Withdrawal returned"),
    K.REWARD: bilingual("奖励", "Reward"),
}

EXPLANATIONS = {
    K.ACCRUAL: bilingual(
        "订单{order}已提货，佣金{amount}先进入待结算，售后期结束后转入可提现",
        "Order {order} was picked up: {amount} waits in pending until the after-sales window closes",
    ),
    K.SETTLEMENT: bilingual(
        "订单{order}售后期结束，佣金{amount}转入可提现（与“待结算转出”是同一笔）",
        "Order {order}: after-sales window closed, {amount} is now withdrawable (same move as the pending line)",
    ),
    K.SETTLEMENT_OUT: bilingual(
        "订单{order}的佣金{amount}从待结算转到可提现，不是扣款",
        "Order {order}: {amount} moved from pending to withdrawable; nothing was deducted",
    ),
    K.REVERSAL: bilingual(
        "订单{order}退款，扣回对应佣金{amount}（从{bucket}中扣除）",
        "Order {order} was refunded: {amount} of its commission is taken back (from {bucket})",
    ),
    K.WITHDRAWAL: bilingual(
        "提现申请#{withdrawal}：{amount}离开可提现，{progress}",
        "Withdrawal #{withdrawal}: {amount} left withdrawable; {progress}",
    ),
    K.WITHDRAWAL_RETURN: bilingual(
        "提现申请#{withdrawal}未通过，{amount}退回可提现",
        "Withdrawal #{withdrawal} was declined: {amount} is back in withdrawable",
    ),
    K.REWARD: bilingual("奖励{amount}", "Reward {amount}"),
}


# Where a withdrawal stands, said on its ledger line.
WITHDRAWAL_PROGRESS = {
    Withdrawal.Status.REQUESTED: bilingual("等待商家审核打款", "waiting for the shop"),
    Withdrawal.Status.APPROVED: bilingual("商家已批准，等待打款", "approved, waiting to be paid"),
    Withdrawal.Status.PAID: bilingual("商家已打款", "paid out"),
    Withdrawal.Status.REJECTED: bilingual("未通过，已退回可提现", "declined and returned"),
    Withdrawal.Status.TRANSFERRING: bilingual("微信转账中", "being transferred by WeChat Pay"),
    Withdrawal.Status.FAILED: bilingual("微信转账失败，已退回可提现", "the transfer failed and was returned"),
}
TRANSFER_RETURN = bilingual(
    "提现申请#{withdrawal}微信转账失败，{amount}退回可提现",
    "Withdrawal #{withdrawal}: the WeChat transfer failed, {amount} is back in withdrawable",
)


def entry_label(entry: CommissionEntry) -> str:
    return str(LABELS.get(entry.kind, entry.get_kind_display()))


def entry_explanation(entry: CommissionEntry) -> str:
    if entry.award_id and entry.kind != K.REWARD:  # a 团长激励 reward's own move: its note says which
        return f"{entry.note}（{entry.get_bucket_display()} {format_fen(entry.amount_fen)}）"
    template = EXPLANATIONS.get(entry.kind)
    if (
        entry.kind == K.WITHDRAWAL_RETURN
        and entry.withdrawal_id
        and entry.withdrawal.status == Withdrawal.Status.FAILED
    ):
        template = TRANSFER_RETURN
    if template is None:
        return entry.note
    text = str(template).format(
        order=entry.order.number if entry.order_id else "",
        withdrawal=entry.withdrawal_id or "",
        amount=format_fen(abs(entry.amount_fen)),
        bucket=entry.get_bucket_display(),
        progress=str(WITHDRAWAL_PROGRESS.get(entry.withdrawal.status, "")) if entry.withdrawal_id else "",
    )
    if entry.kind == K.WITHDRAWAL_RETURN and "：" in entry.note:
        text += "（" + entry.note.split("：", 1)[1] + "）"
    if entry.kind == K.REWARD and entry.note:
        text += f"：{entry.note}"
    return text
