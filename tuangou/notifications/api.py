import hmac
from typing import Any, Literal

from django.conf import settings
from ninja import Path, Router, Schema
from ninja.pagination import paginate

from tuangou.accounts.sms import RECEIPT_ANSWERS
from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.pagination import PageNumberPagination
from tuangou.shops.access import access_shop

from . import selectors, services, subscriptions
from .schemas import MessageOut, ReadAllOut, SubscribeAcceptancesIn, SubscribeAcceptancesOut, SubscribeTemplatesOut
from .subscriptions import ASKED_AT

member_router = Router(tags=["member: messages 消息中心"], auth=AUTH)
receipts_router = Router(tags=["sms 短信回执"])


class MessagePagination(PageNumberPagination):
    """A page of messages plus how many of all of them are unread (the badge)."""

    class Output(Schema):
        items: list[Any]
        count: int
        unread_count: int

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["unread_count"] = queryset.filter(read_at__isnull=True).count()
        return page


@member_router.get("/messages", response=list[MessageOut], summary="My messages in this shop (with unread count)")
@paginate(MessagePagination, page_size=20)
def list_messages(request, shop_id: Path[Id]):
    shop = access_shop(shop_id)
    return selectors.messages_for(shop=shop, user=request.auth)


@member_router.post("/messages/read-all", response=ReadAllOut, summary="Mark all my messages read")
def read_all_messages(request, shop_id: Path[Id]):
    shop = access_shop(shop_id)
    return {"marked_read": services.messages_mark_all_read(shop=shop, user=request.auth)}


@member_router.post("/messages/{message_id}/read", response=MessageOut, summary="Mark one message read")
def read_message(request, shop_id: Path[Id], message_id: Id):
    shop = access_shop(shop_id)
    return services.message_mark_read(shop=shop, user=request.auth, message_id=message_id)


@member_router.get(
    "/wechat/subscribe-templates",
    response=SubscribeTemplatesOut,
    summary="The WeChat subscribe templates offered at checkout or with a leader application (wx-open-subscribe)",
)
def list_subscribe_templates(
    request, shop_id: Path[Id], moment: Literal["checkout", "leader_application"] = "checkout"
):
    access_shop(shop_id)
    app_id = settings.WECHAT_APP_ID
    templates = subscriptions.subscribe_templates(app_id=app_id) if app_id else {}
    return {
        "app_id": app_id if templates else "",
        "templates": [{"purpose": p, "template_id": templates[p]} for p in ASKED_AT[moment] if p in templates],
    }


@member_router.post(
    "/wechat/subscribe-acceptances",
    response=SubscribeAcceptancesOut,
    summary="Count the subscribe templates I accepted in WeChat (one message each)",
)
def record_subscribe_acceptances(request, shop_id: Path[Id], payload: SubscribeAcceptancesIn):
    access_shop(shop_id)
    remaining = subscriptions.subscribe_acceptances_record(
        user=request.auth, app_id=settings.WECHAT_APP_ID, template_ids=payload.template_ids
    )
    return {"remaining": remaining}


@receipts_router.post(
    "/receipts/{vendor}/{token}",
    auth=None,
    url_name="sms_receipts",
    summary="An SMS vendor pushes delivery receipts (Aliyun SmsReport, Tencent Cloud status report)",
)
def sms_receipts(request, vendor: str, token: str):
    # Neither vendor signs its receipt push: the callback URL configured with it carries a secret.
    if vendor not in RECEIPT_ANSWERS or not hmac.compare_digest(token.encode(), settings.SMS_RECEIPT_TOKEN.encode()):
        raise NotFound("回执地址", "Receipt URL")
    try:
        services.sms_receipts_record(vendor=vendor, body=request.body)
    except ValueError:
        raise ApplicationError("invalid", field="body", reason="receipt_push_invalid") from None
    return RECEIPT_ANSWERS[vendor]
