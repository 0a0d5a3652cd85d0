"""What we tell people when something happens to them: one function per event, each reading the
rows by id and sending through notification_send (in-app now, SMS/WeChat by jobs).

Other apps never import this module: they queue its job after their transaction commits, so a
rolled-back action tells nobody and the lower apps do not depend on notifications:

    transaction.on_commit(lambda: async_task("tuangou.notifications.tasks.refund_notify", refund.pk))

Every notice is sent at most once (the event's key is kept in Message.data["notice"]), so a job
that runs twice sends one message.
"""

from tuangou.core.money import format_fen

from .models import Message
from .services import notification_send


def _sent(shop_id: int, user_id: int, key: str) -> bool:
    return Message.objects.filter(shop_id=shop_id, user_id=user_id, data__notice=key).exists()


def _send(*, shop, user, kind: str, key: str, title: str, body: str, data: dict) -> Message | None:
    if _sent(shop.id, user.id, key):
        return None
    return notification_send(shop=shop, user=user, kind=kind, title=title, body=body, data={**data, "notice": key})


def application_reviewed_notify(application_id: int) -> Message | None:
    """The applicant hears the decision on their leader application (approved or rejected, with the reason)."""
    from tuangou.leaders.models import LeaderApplication

    application = LeaderApplication.objects.select_related("shop", "user").filter(pk=application_id).first()
    if application is None or application.status == LeaderApplication.Status.PENDING:
        return None
    shop = application.shop
    approved = application.status == LeaderApplication.Status.APPROVED
    if approved:
        title = "团长申请已通过"
        body = f"恭喜！您在{shop.name}的团长申请已通过，{application.community}自提点已开通，快去团长中心看看吧。"
        link = f"/h5/s/{shop.id}/leader"
    else:
        title = "团长申请未通过"
        body = f"很抱歉，您在{shop.name}的团长申请未通过。原因：{application.reject_reason}"
        link = f"/h5/s/{shop.id}/leader-application"
    return _send(
        shop=shop,
        user=application.user,
        kind=Message.Kind.LEADER,
        key=f"application:{application.id}:{application.status}",
        title=title,
        body=body,
        data={"application_id": application.id, "status": application.status, "link": link},
    )


def refund_notify(refund_id: int) -> Message | None:
    """The member hears that money came back: a refund of their order, or the whole order refunded
    because its campaign did not reach its threshold (reason campaign_failed). Sent once the refund
    has succeeded — the one place every refund completion calls."""
    from tuangou.payments.models import Refund

    refund = Refund.objects.select_related("shop", "order__member", "order__campaign").filter(pk=refund_id).first()
    if refund is None or refund.status != Refund.Status.SUCCEEDED:
        return None
    order, shop = refund.order, refund.shop
    amount = format_fen(refund.amount_fen)
    if refund.reason == "campaign_failed":
        campaign = order.campaign
        unit = "人" if campaign.threshold_type == "members" else "件"
        title = "团购未成团，已全额退款"
        body = (
            f"「{campaign.title}」未达到成团条件（{campaign.threshold_value}{unit}成团），"
            f"您的订单{order.number}已全额退款{amount}，将原路退回。"
        )
    elif refund.reason == "late_payment" and order.status == "cancelled":
        title = "订单已取消，款项已退回"
        body = f"您的订单{order.number}在付款到账前已取消（超时未付或已截单），支付的{amount}将原路退回。"
    elif refund.reason == "late_payment":
        title = "重复支付已退回"
        body = f"您的订单{order.number}已付款，重复支付的{amount}将原路退回。"
    else:
        title = "退款成功"
        body = f"您的订单{order.number}（{order.campaign.title}）已退款{amount}，将原路退回。"
    return _send(
        shop=shop,
        user=order.member,
        kind=Message.Kind.ORDER,
        key=f"refund:{refund.id}",
        title=title,
        body=body,
        data={"order_id": order.id, "refund_id": refund.id, "amount_fen": refund.amount_fen},
    )


def withdrawal_paid_notify(withdrawal_id: int) -> Message | None:
    """The leader hears their withdrawal was paid out."""
    from tuangou.commissions.models import Withdrawal

    withdrawal = Withdrawal.objects.select_related("shop", "leader__user").filter(pk=withdrawal_id).first()
    if withdrawal is None or withdrawal.status != Withdrawal.Status.PAID:
        return None
    shop = withdrawal.shop
    account = f"至{withdrawal.account}" if withdrawal.account else ""
    return _send(
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
