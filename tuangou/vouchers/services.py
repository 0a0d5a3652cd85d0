"""Service goods: voucher codes issued on payment, redeemed (核销) a few uses at a time by the shop
or a partner store, refunded only while unused; phone top-ups sent to a vendor after commit and
refunded when the vendor says they failed; partner stores.

Redemption is a conditional UPDATE (uses_left >= k), so two redeems of the last use cannot both
win, whatever the database. The codes are 12 random digits: a verifier who keeps missing is
guessing, and runs out of attempts as at pickup (tuangou.accounts.limits).
"""

import re
import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Value, When
from django.utils import timezone

from tuangou.accounts.limits import attempt_claim, attempt_release, attempt_retry_after
from tuangou.audit.services import audit_record
from tuangou.catalog.models import Product
from tuangou.core.api import get_in_shop
from tuangou.core.errors import ApplicationError
from tuangou.core.locks import lock_objects
from tuangou.core.transactions import after_commit
from tuangou.orders.models import Order, OrderLine
from tuangou.orders.money import refund_request

from .models import Redemption, RedemptionStore, TopUp, VoucherCode

K = Product.Kind
V = VoucherCode.Status
T = TopUp.Status
CODE_DIGITS = 12
MAX_CODE_ATTEMPTS = 8
MISSES_ALLOWED = 20
MISSES_WINDOW = 600  # seconds
REDEEMABLE_ORDER_STATUSES = (
    Order.Status.PAID,
    Order.Status.CONFIRMED,
    Order.Status.SHIPPED,
    Order.Status.ARRIVED,
    Order.Status.PICKED_UP,
    Order.Status.COMPLETED,
)


def normalize_code(code: str) -> str:
    """What people type: spaces and dashes between groups are dropped."""
    return "".join(ch for ch in (code or "") if ch not in " -\t")


def _validity(product: Product, shop, paid_at: datetime) -> tuple[datetime | None, datetime | None]:
    """N days from payment, or the product's fixed dates (whole days in the shop's time zone)."""
    if product.valid_days:
        return paid_at, paid_at + timedelta(days=product.valid_days)
    zone = ZoneInfo(shop.timezone or "Asia/Shanghai")
    start = datetime.combine(product.valid_from, time.min, zone) if product.valid_from else None
    end = datetime.combine(product.valid_until + timedelta(days=1), time.min, zone) if product.valid_until else None
    return start, end


def _issue(*, order: Order, line: OrderLine, product: Product, quantity: int) -> list[VoucherCode]:
    valid_from, valid_until = _validity(product, order.shop, order.paid_at or timezone.now())
    issued = []
    for _ in range(quantity):
        for _attempt in range(MAX_CODE_ATTEMPTS):
            voucher = VoucherCode(
                shop_id=order.shop_id,
                order=order,
                line=line,
                member_id=order.member_id,
                product_name=line.product_name,
                code=f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}",
                uses_total=product.uses_per_unit,
                uses_left=product.uses_per_unit,
                valid_from=valid_from,
                valid_until=valid_until,
            )
            try:
                with transaction.atomic():
                    voucher.save()
                break
            except IntegrityError:  # the code was taken in this shop: draw again
                continue
        else:
            raise ApplicationError("conflict", status=503, reason="order_number_failed")
        issued.append(voucher)
    return issued


def vouchers_on_paid(*, order: Order) -> None:
    """Hook order_paid: a code per unit of its voucher and service lines; a top-up per top-up line,
    queued to the vendor after commit. Runs once per order (paid happens once)."""
    lines = list(
        OrderLine.objects.filter(order=order)
        .exclude(campaign_item__sku__product__kind=K.PHYSICAL)
        .select_related("campaign_item__sku__product")
    )
    for line in lines:
        product = line.campaign_item.sku.product
        if product.kind in (K.VOUCHER, K.SERVICE):
            _issue(order=order, line=line, product=product, quantity=line.quantity)
        elif product.kind == K.TOPUP:
            topup = TopUp.objects.create(
                shop_id=order.shop_id,
                order=order,
                line=line,
                phone=order.contact_phone,
                face_value_fen=product.face_value_fen * line.quantity,
                quantity=line.quantity,
                reference=f"TU{order.number}{line.pk}",
            )
            after_commit(lambda pk=topup.pk: _topup_queue(pk))


def _topup_queue(topup_id: int) -> None:
    from django_q.tasks import async_task

    async_task("tuangou.vouchers.tasks.topup_send", topup_id)


def _untouched(line_id: int) -> int:
    return VoucherCode.objects.filter(line_id=line_id, status=V.ACTIVE, uses_left=F("uses_total")).count()


def vouchers_refund_check(*, order: Order, lines: list[OrderLine], plan: list[dict]) -> None:
    """Hook order_refund_planned: a voucher or service line gives back only units whose code is
    unused (a used unit was served). `lines` count refunds still pending as refunded already."""
    by_id = {line.id: line for line in lines}
    asked = {entry["line_id"]: entry["quantity"] for entry in plan if entry["quantity"]}
    if not asked:
        return
    issued = {}
    for line_id, status in VoucherCode.objects.filter(line_id__in=list(asked)).values_list("line_id", "status"):
        issued.setdefault(line_id, []).append(status)
    for index, line_id in enumerate(sorted(asked)):
        if line_id not in issued:
            continue
        line = by_id[line_id]
        voided = issued[line_id].count(V.VOID)
        pending = line.refunded_quantity - voided  # asked for, not yet confirmed by the provider
        refundable = max(_untouched(line_id) - pending, 0)
        if asked[line_id] > refundable:
            raise ApplicationError(
                "voucher_refund_used",
                field=f"lines.{index}.quantity",
                status=409,
                maximum=refundable,
                product=line.product_name,
            )


def vouchers_on_refunded(*, order: Order, refunded_fen_by_line: dict[int, int]) -> None:
    """Hook order_refunded: void unused codes until the void ones match the line's refunded units."""
    for line in OrderLine.objects.filter(order=order, pk__in=list(refunded_fen_by_line)):
        voided = VoucherCode.objects.filter(line=line, status=V.VOID).count()
        missing = line.refunded_quantity - voided
        if missing <= 0:
            continue
        codes = list(
            VoucherCode.objects.select_for_update()
            .filter(line=line, status=V.ACTIVE, uses_left=F("uses_total"))
            .order_by("-id")
            .values_list("id", flat=True)[:missing]
        )
        VoucherCode.objects.filter(pk__in=codes, uses_left=F("uses_total")).update(
            status=V.VOID, updated_at=timezone.now()
        )


# --- redemption ---------------------------------------------------------------------------


def voucher_lookup(*, shop, code: str) -> VoucherCode:
    """The code as the redeem page shows it before redeeming (product, uses left, validity)."""
    voucher = VoucherCode.objects.filter(shop=shop, code=normalize_code(code)).select_related("order", "member").first()
    if voucher is None:
        raise ApplicationError("voucher_code_invalid", field="code", status=404)
    return voucher


def _counted(*, shop, store, actor, find):
    """Run `find` against the verifier's attempts: each try takes one of MISSES_ALLOWED per
    verifier (the store, else the staff account), claimed outside the transaction; a try that found
    the code gives it back, so only guessing (lookups or redeems of unknown codes) runs out."""
    who = f"store{store.pk}" if store is not None else f"user{actor.pk if actor is not None else 0}"
    misses_key = f"voucher-misses:{shop.id}:{who}"
    if not attempt_claim(key=misses_key, limit=MISSES_ALLOWED, window_seconds=MISSES_WINDOW):
        raise ApplicationError("rate_limited", field="code", status=429, seconds=attempt_retry_after(key=misses_key))
    try:
        answer = find()
    except ApplicationError as error:
        if error.code != "voucher_code_invalid":
            attempt_release(key=misses_key)
        raise
    attempt_release(key=misses_key)
    return answer


def voucher_find(*, shop, code: str, store: RedemptionStore | None = None, actor=None) -> VoucherCode:
    """A lookup before redeeming, counted like a redeem (a store must not enumerate codes)."""
    return _counted(shop=shop, store=store, actor=actor, find=lambda: voucher_lookup(shop=shop, code=code))


def voucher_redeem(*, shop, code: str, uses: int = 1, store: RedemptionStore | None = None, actor=None) -> Redemption:
    """Redeem `uses` of a code (counted: see _counted)."""
    return _counted(
        shop=shop,
        store=store,
        actor=actor,
        find=lambda: _voucher_redeem(shop=shop, code=code, uses=uses, store=store, actor=actor),
    )


@transaction.atomic
def _voucher_redeem(*, shop, code: str, uses: int, store, actor) -> Redemption:
    if uses < 1:
        raise ApplicationError("validation", field="uses", reason="at_least_1")
    voucher = voucher_lookup(shop=shop, code=code)
    now = timezone.now()
    if voucher.status == V.VOID or voucher.order.status not in REDEEMABLE_ORDER_STATUSES:
        raise ApplicationError("voucher_void", field="code", status=409)
    if voucher.status == V.USED_UP:
        raise ApplicationError("voucher_used_up", field="code", status=409)
    if voucher.valid_from and now < voucher.valid_from:
        raise ApplicationError("voucher_not_yet_valid", field="code", status=409)
    if voucher.valid_until and now >= voucher.valid_until:
        raise ApplicationError("voucher_expired", field="code", status=409)
    # The guard: only a row that still has the uses changes; of two redeems of the last use, one wins.
    taken = VoucherCode.objects.filter(pk=voucher.pk, status=V.ACTIVE, uses_left__gte=uses).update(
        uses_left=F("uses_left") - uses,
        status=Case(When(uses_left=uses, then=Value(V.USED_UP)), default=Value(V.ACTIVE)),
        updated_at=now,
    )
    if not taken:
        voucher.refresh_from_db(fields=["uses_left", "status"])
        if voucher.status == V.USED_UP or voucher.uses_left == 0:
            raise ApplicationError("voucher_used_up", field="code", status=409)
        raise ApplicationError("voucher_uses_too_many", field="uses", status=409, left=voucher.uses_left)
    voucher.refresh_from_db(fields=["uses_left", "status"])
    redemption = Redemption.objects.create(
        shop=shop, voucher=voucher, uses=uses, store=store, actor=actor, uses_left_after=voucher.uses_left
    )
    audit_record(
        shop=shop,
        actor=actor,
        action="voucher.redeem",
        target=voucher,
        before={"uses_left": voucher.uses_left + uses},
        after={"uses_left": voucher.uses_left, "store": store.name if store else ""},
    )
    return redemption


# --- partner stores ---------------------------------------------------------------------------


def _check_pin(pin: str) -> str:
    if not re.fullmatch(r"[0-9]{4,8}", pin or ""):  # ASCII digits: isdigit() takes １２３４ too
        raise ApplicationError("validation", field="pin", reason="pin_digits")
    return make_password(pin)


@transaction.atomic
def store_create(*, shop, actor, name: str, pin: str, address: str = "", contact_phone: str = "") -> RedemptionStore:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("required", field="name")
    if RedemptionStore.objects.filter(shop=shop, name=name).exists():
        raise ApplicationError("store_name_taken", field="name", status=409, name=name)
    store = RedemptionStore.objects.create(
        shop=shop,
        name=name,
        address=address.strip(),
        contact_phone=contact_phone.strip(),
        pin_hash=_check_pin(pin),
        link_token=secrets.token_urlsafe(24),
    )
    audit_record(shop=shop, actor=actor, action="voucher_store.create", target=store, after={"name": name})
    return store


@transaction.atomic
def store_update(*, shop, actor, store_id: int, **changes) -> RedemptionStore:
    """Rename, re-address, switch off, set a new PIN or draw a new link (the old one stops working)."""
    store = get_in_shop(
        RedemptionStore.objects.select_for_update(), shop, store_id, thing_zh="核销门店", thing_en="Store"
    )
    if changes.get("name") is not None:
        name = changes["name"].strip()
        if not name:
            raise ApplicationError("required", field="name")
        if RedemptionStore.objects.filter(shop=shop, name=name).exclude(pk=store.pk).exists():
            raise ApplicationError("store_name_taken", field="name", status=409, name=name)
        store.name = name
    for field in ("address", "contact_phone"):
        if changes.get(field) is not None:
            setattr(store, field, changes[field].strip())
    if changes.get("is_active") is not None:
        store.is_active = changes["is_active"]
    if changes.get("pin"):
        store.pin_hash = _check_pin(changes["pin"])
    if changes.get("new_link"):
        store.link_token = secrets.token_urlsafe(24)
    store.save()
    audit_record(
        shop=shop,
        actor=actor,
        action="voucher_store.update",
        target=store,
        after={key: value for key, value in changes.items() if key != "pin" and value is not None},
    )
    return store


def store_by_link(*, token: str, pin: str) -> RedemptionStore:
    """The store behind a redeem link, once its PIN is right. Wrong PINs count per link (a link
    that keeps failing is being guessed) and answer like a wrong link."""
    key = f"store-pin:{token[:40]}"
    if not attempt_claim(key=key, limit=MISSES_ALLOWED, window_seconds=MISSES_WINDOW):
        raise ApplicationError("rate_limited", field="pin", status=429, seconds=attempt_retry_after(key=key))
    store = RedemptionStore.objects.select_related("shop").filter(link_token=token, is_active=True).first()
    if store is None or not check_password(pin or "", store.pin_hash):
        raise ApplicationError("store_pin_invalid", field="pin", status=403)
    attempt_release(key=key)
    return store


# --- phone top-ups --------------------------------------------------------------------------


def topup_finish(*, reference: str, status: str, vendor_order_no: str = "", error: str = "") -> TopUp | None:
    """The vendor's answer (a callback or a query): processing, succeeded or failed. Idempotent:
    a duplicate callback, or one after a query already finished it, changes nothing. A failure
    asks for the line's refund in the same transaction (the refund is sent after commit)."""
    with transaction.atomic():
        topup = TopUp.objects.select_related("order").filter(reference=reference).first()
        if topup is None:
            return None
        order = topup.order
        lock_objects(campaigns=order.campaign_id, orders=order.pk)
        topup = TopUp.objects.select_for_update().get(pk=topup.pk)
        if topup.status in (T.SUCCEEDED, T.FAILED):
            return topup
        if vendor_order_no:
            topup.vendor_order_no = vendor_order_no
        if status == "processing":
            topup.status = T.PROCESSING
        elif status in ("succeeded", "failed"):
            topup.status = status
            topup.finished_at = timezone.now()
            topup.last_error = error[:200]
        topup.save()
        if topup.status == T.FAILED:
            refund_request(
                order=order,
                actor=None,
                reason="topup_failed",
                lines=[{"line_id": topup.line_id, "quantity": topup.quantity}],
            )
        return topup


def topup_sent(*, topup_id: int, error: str = "") -> None:
    """Count a send attempt (and its error, when the vendor did not answer)."""
    TopUp.objects.filter(pk=topup_id).update(
        attempts=F("attempts") + 1, last_error=error[:200], updated_at=timezone.now()
    )
