"""Outbound channels behind one interface. The in-app message center is the Message row itself;
these carry a copy of it to the person's phone (SMS) or WeChat (subscribe message, SMS as fallback)."""

import logging
from typing import Protocol

from django.conf import settings
from django.utils import timezone

from tuangou.accounts import wechat
from tuangou.accounts.limits import attempt_claim, attempt_release
from tuangou.accounts.models import WechatIdentity
from tuangou.accounts.sms import SmsMessage, sms_send
from tuangou.core.money import format_fen

from . import subscriptions
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
    if notice.startswith("refund:") or "refund_id" in data:  # a failed campaign's refund too
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
    return {"value": str(value)[:20] or "-"}


def _code(value) -> dict:
    # "character_string": at most 32 letters, digits and symbols.
    return {"value": "".join(c for c in str(value) if "!" <= c <= "~")[:32] or "-"}


def _amount(fen) -> dict:
    return {"value": f"{int(fen or 0) / 100:.2f}元"}


# Per purpose, the data of the template a shop picks from WeChat's library for it (the keyword keys
# are the template's own; README lists which template to add for each).
WECHAT_TEMPLATE_DATA = {
    "pickup_notice": lambda m: {
        "thing1": _thing(m.data.get("campaign", m.title)),
        "thing2": _thing(m.data.get("point", "")),
        "character_string3": _code(m.data.get("code", "")),
        "thing4": _thing(m.shop.name),
    },
    "refund": lambda m: {
        "character_string1": _code(m.data.get("order_number", "")),
        "amount2": _amount(m.data.get("amount_fen", 0)),
        "thing3": _thing(m.title),
    },
    "campaign_result": lambda m: {"thing1": _thing(m.data.get("campaign", m.title)), "thing2": _thing(m.title)},
    "application_result": lambda m: {
        "thing1": _thing(m.shop.name),
        "phrase2": {"value": "已通过" if m.data.get("status") == "approved" else "未通过"},
        "thing3": _thing(m.title),
    },
}


class WechatFallback(Exception):
    """WeChat cannot carry this message (no template for it, no acceptance left, refused with 43101,
    or another error): the delivery is closed and the message goes by SMS instead."""

    retryable = False
    fallback = "sms"


class WechatChannel:
    """Subscribe messages (订阅通知) of the official account to the person's openid under it, one per
    acceptance they gave; SMS is the fallback (and is not sent besides when WeChat reaches them)."""

    name = "wechat"
    fallback = "sms"

    def address_for(self, user):
        if not settings.WECHAT_APP_ID:
            return None
        return (
            WechatIdentity.objects.filter(app_id=settings.WECHAT_APP_ID, user_id=user.pk)
            .order_by("-last_login_at", "-id")
            .values_list("openid", flat=True)
            .first()
        )

    def payload(self, delivery: Delivery, message: Message) -> dict | None:
        """The message as the app's template for its purpose, or None when no template carries it."""
        purpose = subscriptions.purpose_for(message)
        template_id = subscriptions.subscribe_templates(app_id=settings.WECHAT_APP_ID).get(purpose or "")
        if not template_id:
            return None
        return {
            "touser": delivery.to,
            "template_id": template_id,
            "page": f"{settings.SITE_URL.rstrip('/')}/h5/s/{message.shop_id}/messages",
            "data": WECHAT_TEMPLATE_DATA[purpose](message),
        }

    def send(self, delivery, message):
        payload = self.payload(delivery, message)
        if payload is None:
            raise WechatFallback("no subscribe template for this message")
        app_id, template_id = settings.WECHAT_APP_ID, payload["template_id"]
        who = {"user_id": message.user_id, "app_id": app_id, "template_id": template_id}
        if not subscriptions.subscribe_acceptance_consume(**who):
            raise WechatFallback("no subscribe acceptance left")
        try:
            return wechat.subscribe_message_send(
                app_id=app_id, secret=settings.WECHAT_APP_SECRET, kind="official", openid=payload["touser"],
                template_id=template_id, data=payload["data"], page=payload["page"],
            )  # fmt: skip
        except wechat.WechatError as exc:
            if exc.errcode == 43101:  # WeChat holds no acceptance for it: ours was stale
                subscriptions.subscribe_acceptance_clear(**who)
            else:
                subscriptions.subscribe_acceptance_give_back(**who)
            raise WechatFallback(f"wechat {exc.errcode}: {exc.errmsg}") from None


CHANNELS: dict[str, type] = {"sms": SmsChannel, "wechat": WechatChannel}


def outbound_channels() -> list[Channel]:
    """The configured channels besides in-app (settings.NOTIFICATION_CHANNELS)."""
    return [CHANNELS[name]() for name in settings.NOTIFICATION_CHANNELS if name in CHANNELS]


def get_channel(name: str) -> Channel:
    return CHANNELS[name]()
