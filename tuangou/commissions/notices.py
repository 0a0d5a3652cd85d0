"""What a leader is told about their withdrawals (sent through notifications, once each)."""

from tuangou.core.money import format_fen
from tuangou.notifications.models import Message
from tuangou.notifications.services import notice_send

from .models import Withdrawal


def withdrawal_paid_notify(withdrawal_id: int) -> Message | None:
    """The leader hears their withdrawal was paid out."""
    withdrawal = Withdrawal.objects.select_related("shop", "leader__user").filter(pk=withdrawal_id).first()
    if withdrawal is None or withdrawal.status != Withdrawal.Status.PAID:
        return None
    shop = withdrawal.shop
    account = f"至{withdrawal.account}" if withdrawal.account else ""
    return notice_send(
        shop=shop,
        user=withdrawal.leader.user,
        kind=Message.Kind.LEADER,
        key=f"withdrawal:{withdrawal.id}:paid",
        title="提现已到账",
        body=f"您的提现申请#{withdrawal.id}（{format_fen(withdrawal.amount_fen)}）已打款{account}，请注意查收。",
        data={
            "withdrawal_id": withdrawal.id,
            "amount_fen": withdrawal.amount_fen,
            "link": f"/h5/s/{shop.id}/leader/commission",
        },
    )


def withdrawal_failed_notify(withdrawal_id: int) -> Message | None:
    """The leader hears the WeChat transfer failed, why, and that the money is back."""
    withdrawal = Withdrawal.objects.select_related("shop", "leader__user").filter(pk=withdrawal_id).first()
    if withdrawal is None or withdrawal.status != Withdrawal.Status.FAILED:
        return None
    shop = withdrawal.shop
    return notice_send(
        shop=shop,
        user=withdrawal.leader.user,
        kind=Message.Kind.LEADER,
        key=f"withdrawal:{withdrawal.id}:failed",
        title="提现转账失败",
        body=(
            f"您的提现申请#{withdrawal.id}（{format_fen(withdrawal.amount_fen)}）微信转账未成功："
            f"{withdrawal.reason}。金额已退回可提现余额。"
        ),
        data={
            "withdrawal_id": withdrawal.id,
            "amount_fen": withdrawal.amount_fen,
            "link": f"/h5/s/{shop.id}/leader/commission",
        },
    )
