"""Outbound channels behind one interface. The in-app message center is the Message row itself;
these carry a copy of it to the person's phone (SMS) or WeChat (template message)."""

import json
import logging
from typing import Protocol

from django.conf import settings

from .models import Delivery, Message

logger = logging.getLogger("tuangou.notifications")


class Channel(Protocol):
    name: str

    def address_for(self, user) -> str | None:
        """Where this person is reached on the channel, or None (no delivery is made)."""

    def send(self, delivery: Delivery, message: Message) -> str:
        """Send one message; returns the provider's id. Raises on failure."""


class SmsChannel:
    name = "sms"

    def address_for(self, user):
        return user.phone or None

    def send(self, delivery, message):
        from tuangou.accounts.sms import get_backend

        return get_backend().send(phone=delivery.to, text=f"【{message.shop.name}】{message.body}")


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
