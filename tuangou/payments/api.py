from django.core.cache import cache
from django.http import HttpResponse
from ninja import Path, Router

from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.core.errors import ApplicationError
from tuangou.core.net import client_ip
from tuangou.orders import selectors as order_selectors
from tuangou.orders.schemas import PaymentStartIn, PaymentStartOut
from tuangou.shops.access import access_shop, access_shop_as_staff

from . import services
from .connection_check import payment_settings_check
from .gateway_settings import payment_settings_show, payment_settings_update
from .schemas import PaymentSettingsCheckOut, PaymentSettingsIn, PaymentSettingsOut, PaymentSyncOut

SYNC_EVERY_SECONDS = 1
CHECK_EVERY_SECONDS = 3

router = Router(tags=["payments 支付"])
member_router = Router(tags=["member: orders"], auth=AUTH)
console_router = Router(tags=["console: payment settings 支付设置"], auth=AUTH)


@router.post(
    "/notify/sandbox",
    auth=None,
    url_name="payments_notify_sandbox",
    summary="Sandbox gateway's signed payment notify (HMAC-SHA256)",
)
def sandbox_notify(request):
    # The raw body is read (not a schema): the signature covers the exact bytes sent.
    _, error = services.payment_notify_receive(provider_name="sandbox", headers=request.headers, body=request.body)
    if error is not None:
        raise error
    return {"code": "SUCCESS", "message": "OK"}


@router.post(
    "/notify/wechatpay/{shop_id}",
    auth=None,
    url_name="payments_notify_wechatpay",
    summary="WeChat Pay API v3 notify (payment or refund); the shop is in the path (no query string allowed)",
)
def wechatpay_notify(request, shop_id: Path[Id]):
    # The raw body is read (not a schema): the platform's signature covers the exact bytes sent.
    _, error = services.payment_notify_receive(
        provider_name="wechatpay", headers=request.headers, body=request.body, shop_id=shop_id
    )
    if error is not None:
        raise error
    return {"code": "SUCCESS", "message": "OK"}


@router.post(
    "/notify/alipay/{shop_id}",
    auth=None,
    url_name="payments_notify_alipay",
    summary="Alipay asynchronous notify (form POST, RSA2); answered with the plain text `success`",
)
def alipay_notify(request, shop_id: Path[Id]):
    # The raw form body is read (not a schema): the signature covers its URL-decoded fields.
    _, error = services.payment_notify_receive(
        provider_name="alipay", headers=request.headers, body=request.body, shop_id=shop_id
    )
    if error is not None:
        raise error
    return HttpResponse("success", content_type="text/plain; charset=utf-8")


@member_router.post(
    "/orders/{order_id}/pay",
    response=PaymentStartOut,
    summary="Start paying: the provider's pay URL (h5), or WeChat's JSAPI parameters inside WeChat (jsapi)",
)
def pay_order(request, shop_id: Path[Id], order_id: Id, data: PaymentStartIn | None = None):
    order = order_selectors.order_of_member(shop=access_shop(shop_id), member=request.auth, order_id=order_id)
    wanted = data.channel if data is not None and data.channel else None
    if wanted is None:  # not said: WeChat's browser says so in its User-Agent
        wanted = "jsapi" if "MicroMessenger" in request.headers.get("User-Agent", "") else "h5"
    channel, openid = services.payment_channel_choose(member=request.auth, channel=wanted, shop_id=order.shop_id)
    payment = services.payment_create(order=order, channel=channel, openid=openid, client_ip=client_ip(request))
    return {
        "payment_id": payment.id,
        "out_trade_no": payment.out_trade_no,
        "amount_fen": payment.amount_fen,
        "provider": payment.provider,
        "channel": channel,
        "pay_url": "" if channel == "jsapi" else payment.pay_url,
        "jsapi": payment.jsapi,
    }


@member_router.post(
    "/orders/{order_id}/payment-sync",
    response=PaymentSyncOut,
    summary="Ask the provider about my order's open payment (back from the pay page); the order after it",
)
def sync_payment(request, shop_id: Path[Id], order_id: Id):
    shop = access_shop(shop_id)
    order = order_selectors.order_of_member(shop=shop, member=request.auth, order_id=order_id)
    # One question to the provider per order per second at most, however often the page asks.
    if cache.add(f"payment-sync:{order.pk}", 1, timeout=SYNC_EVERY_SECONDS):
        state = services.payment_sync(order=order)
    else:
        state = "unknown"
    order = order_selectors.order_of_member(shop=shop, member=request.auth, order_id=order_id)
    order.payment_state = state
    return order


# --- 支付设置 (console): only roles that manage the shop's settings see or change them ----------


@console_router.get("/payment-settings", response=PaymentSettingsOut, summary="The shop's payment settings (no secret)")
def get_payment_settings(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "shop.settings")
    return payment_settings_show(shop=staff.shop)


@console_router.patch(
    "/payment-settings",
    response=PaymentSettingsOut,
    summary="Change the shop's payment settings; secrets are write-only and stored encrypted",
)
def update_payment_settings(request, shop_id: Path[Id], payload: PaymentSettingsIn):
    staff = access_shop_as_staff(request, shop_id, "shop.settings")
    payment_settings_update(shop=staff.shop, **payload.dict(exclude_unset=True))
    return payment_settings_show(shop=staff.shop)


@console_router.post(
    "/payment-settings/check",
    response=PaymentSettingsCheckOut,
    summary="测试连接: ask each gateway about a trade that cannot exist, with the shop's saved credentials",
)
def check_payment_settings(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "shop.settings")
    # Each test calls the gateways: one per shop every few seconds, however often it is clicked.
    if not cache.add(f"payment-settings-check:{shop_id}", 1, timeout=CHECK_EVERY_SECONDS):
        raise ApplicationError("rate_limited", status=429, seconds=CHECK_EVERY_SECONDS)
    results = payment_settings_check(shop=staff.shop)
    return {"results": results, "settings": payment_settings_show(shop=staff.shop)}
