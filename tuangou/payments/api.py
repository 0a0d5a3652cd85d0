from datetime import datetime, timedelta

from django.core.cache import cache
from django.http import HttpResponse
from ninja import Path, Router
from ninja.pagination import paginate

from tuangou.core.api import AUTH, get_in_shop
from tuangou.core.bounds import Id
from tuangou.core.errors import ApplicationError
from tuangou.core.net import client_ip
from tuangou.core.openapi import file_response
from tuangou.core.pagination import PageNumberPagination
from tuangou.orders import selectors as order_selectors
from tuangou.orders.schemas import PaymentStartIn, PaymentStartOut
from tuangou.shops.access import access_shop, access_shop_as_staff

from . import reconciliation, services
from .connection_check import payment_settings_check
from .credentials import providers_of
from .gateway_settings import payment_settings_show, payment_settings_update
from .models import ReconciliationMismatch, ReconciliationRun
from .schemas import (
    MismatchResolveIn,
    MismatchStatus,
    PaymentSettingsCheckOut,
    PaymentSettingsIn,
    PaymentSettingsOut,
    PaymentSyncOut,
    ReconciliationMismatchOut,
    ReconciliationRunIn,
    ReconciliationRunOut,
    ReconciliationStatus,
)

SYNC_EVERY_SECONDS = 1
CHECK_EVERY_SECONDS = 3

router = Router(tags=["payments 支付"])
member_router = Router(tags=["member: orders"], auth=AUTH)
console_router = Router(tags=["console: payments 支付设置与对账"], auth=AUTH)
BILLS_KEPT_DAYS = 90  # WeChat Pay hands out bills of the last three months


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
    summary="Start paying: a pay URL (h5), pay sheet parameters (jsapi, miniprogram) or a QR code (native)",
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
        "pay_url": payment.pay_url if channel == "h5" else "",
        "jsapi": payment.jsapi,
        "code_url": payment.code_url,
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


# --- console: reconciliation (对账) -------------------------------------------------------


@console_router.get(
    "/reconciliation/runs", response=list[ReconciliationRunOut], summary="Reconciliation runs, newest day first"
)
@paginate(PageNumberPagination, page_size=20)
def list_reconciliation_runs(request, shop_id: Path[Id], status: ReconciliationStatus | None = None):
    staff = access_shop_as_staff(request, shop_id, "payments.reconcile")
    runs = ReconciliationRun.objects.filter(shop=staff.shop)
    return runs.filter(status=status) if status else runs


@console_router.post(
    "/reconciliation/runs",
    response=ReconciliationRunOut,
    summary="Reconcile one day now (the gateway's bill of that day against our payments and refunds)",
)
def create_reconciliation_run(request, shop_id: Path[Id], payload: ReconciliationRunIn):
    staff = access_shop_as_staff(request, shop_id, "payments.reconcile")
    today = datetime.now(reconciliation.CST).date()
    if not today - timedelta(days=BILLS_KEPT_DAYS) <= payload.bill_date < today:
        raise ApplicationError("bill_date_invalid", field="bill_date")
    # The gateways the shop takes money through, by its own payment settings.
    reconciled = [name for name in providers_of(staff.shop.pk) if name in reconciliation.RECONCILED_PROVIDERS]
    provider_name = payload.provider or (reconciled[0] if reconciled else None)
    if provider_name not in reconciled:
        raise ApplicationError("reconciliation_unsupported", status=409, field="provider")
    return reconciliation.reconciliation_run(shop=staff.shop, bill_date=payload.bill_date, provider_name=provider_name)


def _run_of_shop(shop, run_id: int) -> ReconciliationRun:
    return get_in_shop(ReconciliationRun, shop, run_id, thing_zh="对账", thing_en="Reconciliation")


@console_router.get(
    "/reconciliation/runs/{run_id}/mismatches",
    response=list[ReconciliationMismatchOut],
    summary="A run's mismatches",
)
@paginate(PageNumberPagination, page_size=50)
def list_reconciliation_mismatches(request, shop_id: Path[Id], run_id: Id, status: MismatchStatus | None = None):
    staff = access_shop_as_staff(request, shop_id, "payments.reconcile")
    run = _run_of_shop(staff.shop, run_id)
    mismatches = ReconciliationMismatch.objects.filter(shop=staff.shop, run=run).select_related("resolved_by")
    return mismatches.filter(status=status) if status else mismatches


@console_router.get(
    "/reconciliation/runs/{run_id}/export.csv",
    summary="A run's mismatches as a CSV file",
    openapi_extra=file_response("text/csv"),
)
def export_reconciliation_mismatches(request, shop_id: Path[Id], run_id: Id):
    staff = access_shop_as_staff(request, shop_id, "payments.reconcile")
    run = _run_of_shop(staff.shop, run_id)
    response = HttpResponse(reconciliation.mismatches_csv(run=run), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reconciliation-{run.provider}-{run.bill_date}.csv"'
    return response


@console_router.post(
    "/reconciliation/mismatches/{mismatch_id}/resolve",
    response=ReconciliationMismatchOut,
    summary="Finance resolves a mismatch with a note",
)
def resolve_reconciliation_mismatch(request, shop_id: Path[Id], mismatch_id: Id, payload: MismatchResolveIn):
    staff = access_shop_as_staff(request, shop_id, "payments.reconcile")
    return reconciliation.mismatch_resolve(
        shop=staff.shop, mismatch_id=mismatch_id, actor=request.auth, note=payload.note
    )
