"""What a leader applicant is told (sent through notifications, once per decision)."""

from tuangou.notifications.models import Message
from tuangou.notifications.services import notice_send

from .models import LeaderApplication


def application_reviewed_notify(application_id: int) -> Message | None:
    """The applicant hears the decision on their leader application (approved or rejected, with the reason)."""
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
    return notice_send(
        shop=shop,
        user=application.user,
        kind=Message.Kind.LEADER,
        key=f"application:{application.id}:{application.status}",
        title=title,
        body=body,
        data={"application_id": application.id, "status": application.status, "link": link},
    )
