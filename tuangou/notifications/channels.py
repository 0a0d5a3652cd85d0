"""Outbound channels behind one interface. The in-app message center is the Message row itself;
these carry a copy of it to the person's phone (SMS) or WeChat (template message)."""

import json
import logging
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from tuangou.accounts.limits import attempt_claim, attempt_release
from tuangou.accounts.sms import SmsMessage, sms_send
from tuangou.core.money import format_fen

from .models import Delivery, Message

logger = logging.getLogger("tuangou.notifications")


class Channel(Protocol):
    name: str

    def address_for(self, user) -> str | None:
        """Where this person is reached on the channel, or None (no delivery is made)."""

    def send(self, delivery: Delivery, message: Message) -> str:
        """Send one message; returns the provider's id. Raises on failure."""


def sms_message_for(message: Message) -> SmsMessage:
    """The vendor template that carries a message: SMS vendors send approved templates only, so
    each kind of notice has its own, filled from the message's data; anything else goes as the
    generic "notice" template naming the message's title."""
    data, notice = message.data or {}, str((message.data or {}).get("notice", ""))
    if message.kind == Message.Kind.PICKUP_NOTICE:
        params = {"campaign": data.get("campaign", ""), "point": data.get("point", ""), "code": data.get("code", "")}
        return SmsMessage("pickup_notice", params)
    if notice.startswith("refund:"):
        return SmsMessage(
            "refund", {"order": data.get("order_number", ""), "amount": format_fen(data.get("amount_fen", 0))}
        )
    if notice.startswith("withdrawal:"):
        return SmsMessage("withdrawal_paid", {"amount": format_fen(data.get("amount_fen", 0))})
    if notice.startswith("application:"):
        result = "已通过" if data.get("status") == "approved" else "未通过"
        return SmsMessage("application_result", {"shop": message.shop.name, "result": result})
    return SmsMessage("notice", {"title": message.title})


class SmsBudgetExhausted(Exception):
    """The shop has sent its SMS for today; the delivery is not retried."""

    retryable = False


class SmsChannel:
    name = "sms"

    def address_for(self, user):
        return user.phone or None

    def send(self, delivery, message):
        """One templated SMS, within the shop's daily budget (Shop.sms_daily_budget, else
        SMS_DAILY_BUDGET_PER_SHOP; 0 is no limit): a send is
        claimed from the shop's counter for the day before the vendor is asked (atomic, as login
        limits are), and given back when the vendor did not take it."""
        budget = message.shop.sms_daily_budget
        if budget is None:
            budget = settings.SMS_DAILY_BUDGET_PER_SHOP
        key = f"sms-budget:{message.shop_id}:{timezone.localdate().isoformat()}"
        if budget and not attempt_claim(key=key, limit=budget, window_seconds=86400):
            raise SmsBudgetExhausted(f"daily SMS budget of {budget} reached")
        try:
            return sms_send(phone=delivery.to, message=sms_message_for(message))
        except Exception:
            if budget:
                attempt_release(key=key)
            raise


def _thing(value) -> dict:
    # WeChat "thing" fields take at most 20 characters.
    return {"value": str(value)[:20]}


# Per message kind: (setting naming the template id, builder of the template's data fields).
WECHAT_TEMPLATES = {
    Message.Kind.PICKUP_NOTICE: (
        "WECHAT_TEMPLATE_PICKUP_NOTICE",
        lambda m: {
            "thing1": _thing(m.data.get("campaign", m.title)),
            "thing2": _thing(m.data.get("point", "")),
            "character_string3": {"value": str(m.data.get("code", ""))[:32]},
            "thing4": _thing(m.shop.name),
        },
    ),
}
_DEFAULT_TEMPLATE = ("WECHAT_TEMPLATE_GENERIC", lambda m: {"thing1": _thing(m.title), "thing2": _thing(m.body)})


class LoggingWechatTransport:
    """Development transport: logs the request it would POST to the WeChat API."""

    def post(self, payload: dict) -> str:
        logger.info("wechat template message", extra={"data": {"payload": json.dumps(payload, ensure_ascii=False)}})
        return f"wx-dev-{payload['touser']}-{payload['data'].get('thing1', {}).get('value', '')[:8]}"


class WechatChannel:
    """Template messages (订阅/模板消息) to the person's openid."""

    name = "wechat"

    def __init__(self, transport=None):
        self.transport = transport or LoggingWechatTransport()

    def address_for(self, user):
        # Set when the person logs in through the mini-program; none yet on web logins.
        return getattr(user, "wechat_openid", None) or None

    def payload(self, delivery: Delivery, message: Message) -> dict:
        setting, build = WECHAT_TEMPLATES.get(message.kind, _DEFAULT_TEMPLATE)
        return {
            "touser": delivery.to,
            "template_id": getattr(settings, setting, f"dev-{message.kind}"),
            "page": f"pages/messages/index?shop={message.shop_id}&id={message.id}",
            "data": build(message),
        }

    def send(self, delivery, message):
        return self.transport.post(self.payload(delivery, message))


CHANNELS: dict[str, type] = {"sms": SmsChannel, "wechat": WechatChannel}


def outbound_channels() -> list[Channel]:
    """The configured channels besides in-app (settings.NOTIFICATION_CHANNELS)."""
    return [CHANNELS[name]() for name in settings.NOTIFICATION_CHANNELS if name in CHANNELS]


def get_channel(name: str) -> Channel:
    return CHANNELS[name]()
