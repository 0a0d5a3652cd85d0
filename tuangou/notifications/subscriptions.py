"""WeChat subscribe messages (订阅通知 / 订阅消息): which template carries which notice, and the count
of messages each person allowed. WeChat lets an app send one message per acceptance (a tap of 允许
in the subscribe dialog of the wx-open-subscribe open tag at checkout); we keep the same count, so a
message with no acceptance left goes by SMS without asking WeChat, and two sends racing for the last
acceptance cannot both take it (a conditional UPDATE, not read-then-write)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from tuangou.core.errors import ApplicationError

from .models import Message, SubscribeAcceptance

PURPOSES = ("pickup_notice", "refund", "campaign_result", "application_result")
CHECKOUT_PURPOSES = ("pickup_notice", "refund", "campaign_result")  # what a member is asked at checkout
# Where the H5 asks (the wx-open-subscribe tag): at checkout, and when applying to be a leader.
ASKED_AT = {"checkout": CHECKOUT_PURPOSES, "leader_application": ("application_result",)}
MAX_REMAINING = 50  # WeChat keeps no such cap; ours keeps a scripted client from inflating the count


def subscribe_templates(*, app_id: str) -> dict[str, str]:
    """purpose -> template id configured for the app (settings.WECHAT_SUBSCRIBE_TEMPLATES)."""
    configured = (settings.WECHAT_SUBSCRIBE_TEMPLATES or {}).get(app_id) or {}
    return {purpose: str(configured[purpose]) for purpose in PURPOSES if configured.get(purpose)}


def purpose_for(message: Message) -> str | None:
    """Which subscribe template carries a message, from its kind or its notice key."""
    if message.kind == Message.Kind.PICKUP_NOTICE:
        return "pickup_notice"
    notice = str((message.data or {}).get("notice", ""))
    for prefix, purpose in (
        ("refund:", "refund"),
        ("campaign:", "campaign_result"),
        ("application:", "application_result"),
    ):
        if notice.startswith(prefix):
            return purpose
    return None


def subscribe_acceptances_record(*, user, app_id: str, template_ids: list[str]) -> dict[str, int]:
    """Count one acceptance per template id the person accepted; returns template id -> messages now
    allowed. Every id must be one of the app's templates (else nothing is counted)."""
    known = set(subscribe_templates(app_id=app_id).values())
    unknown = [t for t in template_ids if t not in known]
    if not app_id or unknown or not template_ids:
        raise ApplicationError("invalid", field="template_ids", reason="subscribe_template_unknown")
    result = {}
    with transaction.atomic():
        for template_id in sorted(set(template_ids)):
            try:
                with transaction.atomic():
                    SubscribeAcceptance.objects.get_or_create(user=user, app_id=app_id, template_id=template_id)
            except IntegrityError:  # made by a concurrent request: it is there now
                pass
            rows = SubscribeAcceptance.objects.filter(user=user, app_id=app_id, template_id=template_id)
            rows.filter(remaining__lt=MAX_REMAINING).update(
                remaining=F("remaining") + 1, accepted_total=F("accepted_total") + 1
            )
            result[template_id] = rows.values_list("remaining", flat=True).get()
    return result


def subscribe_acceptance_consume(*, user_id: int, app_id: str, template_id: str) -> bool:
    """Take one acceptance for a message about to be sent; False when none is left."""
    return (
        SubscribeAcceptance.objects.filter(
            user_id=user_id, app_id=app_id, template_id=template_id, remaining__gt=0
        ).update(remaining=F("remaining") - 1)
        == 1
    )


def subscribe_acceptance_give_back(*, user_id: int, app_id: str, template_id: str) -> None:
    """WeChat did not send the message (an error other than a refusal): the acceptance is still WeChat's."""
    SubscribeAcceptance.objects.filter(
        user_id=user_id, app_id=app_id, template_id=template_id, remaining__lt=MAX_REMAINING
    ).update(remaining=F("remaining") + 1)


def subscribe_acceptance_clear(*, user_id: int, app_id: str, template_id: str) -> None:
    """WeChat answered 43101 (no acceptance on its side: refused, or turned off in the chat settings)."""
    SubscribeAcceptance.objects.filter(user_id=user_id, app_id=app_id, template_id=template_id).update(remaining=0)
