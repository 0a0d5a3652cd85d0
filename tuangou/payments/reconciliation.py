"""Reconciliation (对账): a day's trade bill from the gateway, matched with our payments and refunds.

The gateway's bill is its truth about money that moved; ours is what the orders were told. For
one shop and one day (Beijing time, the bill's day) every line is matched by its reference:

  * missing_ours   — the bill has a paid trade (or a refund) we do not hold as succeeded: a lost
    notify, or a trade we never opened. A payment we do hold (open or closed) is asked about at
    once (payment_query_apply, the notify's own path); a refund pending on our side is sent again
    (its reference answers its state). What that settles is recorded resolved, with the note;
  * missing_theirs — we hold a payment paid (or a refund completed) that day the bill lacks;
  * amount         — both have it, for different amounts;
  * state          — a refund the bill says did not succeed and we say did, or the reverse.

A run is one row per shop, provider and day; running it again updates it: a mismatch found again
keeps its status and note, an open one no longer found is resolved ("重新对账已平").

Outside calls (the bill, the queries) run outside any transaction; the rows are written after.
"""

import csv
import io
import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.money import format_fen
from tuangou.core.transactions import outside_transaction

from . import services
from .models import Payment, ReconciliationMismatch, ReconciliationRun, Refund, ShopPaymentSettings
from .providers import ProviderUnavailable, get_provider

logger = logging.getLogger(__name__)
CST = ZoneInfo("Asia/Shanghai")
BILL_READY_HOUR = 10  # WeChat Pay's bill of a day is ready after 10:00 (Beijing) the next day
SHOPS_ACTIVE_WITHIN = timedelta(days=35)
RECONCILED_PROVIDERS = ("wechatpay", "alipay")  # those with a trade bill (provider.trade_bill)
M = ReconciliationMismatch
RUN = ReconciliationRun.Status


def _day(bill_date: date) -> tuple[datetime, datetime]:
    start = datetime.combine(bill_date, time.min, tzinfo=CST)
    return start, start + timedelta(days=1)


def _mismatch(kind, subject, row=None, ours=None, **extra) -> dict:
    found = {
        "kind": kind,
        "subject": subject,
        "out_trade_no": (row or {}).get("out_trade_no") or getattr(ours, "out_trade_no", ""),
        "out_refund_no": (row or {}).get("out_refund_no", ""),
        "transaction_id": (row or {}).get("transaction_id", ""),
        "bill_amount_fen": (row or {}).get("amount_fen"),
        "bill_state": (row or {}).get("state", ""),
        "our_amount_fen": getattr(ours, "amount_fen", None),
        "our_state": getattr(ours, "status", ""),
    }
    if subject == "refund" and ours is not None:
        found["out_refund_no"] = ours.out_refund_no
        found["out_trade_no"] = found["out_trade_no"] or ours.payment.out_trade_no
    return {**found, **extra}


def _compare(*, shop, provider_name: str, bill_date: date, rows: list[dict]) -> tuple[list[dict], dict]:
    """The mismatches of the shop's day, and the day's counts on both sides. Lines of another
    shop of ours (a merchant shared by several shops) are not this shop's business."""
    start, end = _day(bill_date)
    bill_payments = [row for row in rows if row["kind"] == "payment"]
    bill_refunds = [row for row in rows if row["kind"] == "refund"]
    payments = {
        p.out_trade_no: p
        for p in Payment.objects.filter(
            provider=provider_name, out_trade_no__in=[row["out_trade_no"] for row in bill_payments]
        )
    }
    refunds = {
        r.out_refund_no: r
        for r in Refund.objects.select_related("payment").filter(
            payment__provider=provider_name, out_refund_no__in=[row["out_refund_no"] for row in bill_refunds]
        )
    }
    ours_paid = list(
        Payment.objects.filter(
            shop=shop, provider=provider_name, status=Payment.Status.SUCCEEDED, paid_at__gte=start, paid_at__lt=end
        )
    )
    ours_refunded = list(
        Refund.objects.select_related("payment").filter(
            shop=shop,
            payment__provider=provider_name,
            status=Refund.Status.SUCCEEDED,
            completed_at__gte=start,
            completed_at__lt=end,
        )
    )
    found: list[dict] = []
    counted = {"bill_payments": 0, "bill_payments_fen": 0, "bill_refunds": 0, "bill_refunds_fen": 0}
    for row in bill_payments:
        payment = payments.get(row["out_trade_no"])
        if payment is not None and payment.shop_id != shop.pk:
            continue
        counted["bill_payments"] += 1
        counted["bill_payments_fen"] += row["amount_fen"]
        if payment is None or payment.status != Payment.Status.SUCCEEDED:
            found.append(_mismatch(M.Kind.MISSING_OURS, "payment", row, payment))
        elif payment.amount_fen != row["amount_fen"]:
            found.append(_mismatch(M.Kind.AMOUNT, "payment", row, payment))
    for row in bill_refunds:
        refund = refunds.get(row["out_refund_no"])
        if refund is not None and refund.shop_id != shop.pk:
            continue
        counted["bill_refunds"] += 1
        counted["bill_refunds_fen"] += row["amount_fen"]
        succeeded_there = row["state"] == "SUCCESS"
        if refund is None:
            if succeeded_there:
                found.append(_mismatch(M.Kind.MISSING_OURS, "refund", row))
        elif succeeded_there != (refund.status == Refund.Status.SUCCEEDED):
            found.append(_mismatch(M.Kind.STATE, "refund", row, refund))
        elif refund.amount_fen != row["amount_fen"]:
            found.append(_mismatch(M.Kind.AMOUNT, "refund", row, refund))
    billed_trades = {row["out_trade_no"] for row in bill_payments}
    billed_refunds = {row["out_refund_no"] for row in bill_refunds}
    found += [
        _mismatch(M.Kind.MISSING_THEIRS, "payment", ours=p) for p in ours_paid if p.out_trade_no not in billed_trades
    ]
    found += [
        _mismatch(M.Kind.MISSING_THEIRS, "refund", ours=r)
        for r in ours_refunded
        if r.out_refund_no not in billed_refunds
    ]
    counted.update(
        our_payments=len(ours_paid),
        our_payments_fen=sum(p.amount_fen for p in ours_paid),
        our_refunds=len(ours_refunded),
        our_refunds_fen=sum(r.amount_fen for r in ours_refunded),
    )
    return found, counted


def _settle_missing(*, provider_name: str, found: list[dict]) -> None:
    """Money the bill has and we do not: ask the gateway now (a lost notify is applied through the
    notify's own path; a pending refund is sent again with its reference) and note the outcome.
    What that settles is resolved."""
    for mismatch in found:
        if mismatch["kind"] == M.Kind.STATE and mismatch["our_state"] == Refund.Status.PENDING:
            refund = Refund.objects.get(out_refund_no=mismatch["out_refund_no"])
            try:
                outcome = services.refund_send(refund_id=refund.pk)
            except ProviderUnavailable:
                outcome = "unknown"
            if outcome == Refund.Status.SUCCEEDED:
                mismatch.update(status=M.Status.RESOLVED, note="已向渠道查询，退款已完成", our_state=outcome)
            continue
        if mismatch["kind"] != M.Kind.MISSING_OURS or mismatch["subject"] != "payment" or not mismatch["our_state"]:
            continue
        payment = Payment.objects.select_related("order").get(
            provider=provider_name, out_trade_no=mismatch["out_trade_no"]
        )
        outcome = services.payment_query_apply(payment=payment)
        payment.refresh_from_db()
        if payment.status == Payment.Status.SUCCEEDED:
            mismatch.update(status=M.Status.RESOLVED, note=f"已向渠道查询补单（{outcome}）", our_state=payment.status)
        else:
            mismatch["note"] = f"已向渠道查询：{outcome}"


@transaction.atomic
def _run_record(*, shop, provider_name: str, bill_date: date, found: list[dict], counted: dict, error: str = ""):
    now = timezone.now()
    run, _ = ReconciliationRun.objects.select_for_update().get_or_create(
        shop=shop, provider=provider_name, bill_date=bill_date, defaults={"status": RUN.FAILED}
    )
    if error:
        # A bill not fetched changes no mismatch: the last good comparison stands.
        run.status, run.error, run.finished_at = RUN.FAILED, error[:200], now
        run.save(update_fields=["status", "error", "finished_at", "updated_at"])
        return run
    known = {(m.kind, m.out_trade_no, m.out_refund_no): m for m in run.mismatches.all()}
    seen = set()
    for item in found:
        key = (item["kind"], item["out_trade_no"], item["out_refund_no"])
        seen.add(key)
        fields = {name: value for name, value in item.items() if name not in ("status", "note")}
        mismatch = known.get(key)
        if mismatch is None:
            M.objects.create(
                shop=shop,
                run=run,
                status=item.get("status", M.Status.OPEN),
                note=item.get("note", ""),
                resolved_at=now if item.get("status") == M.Status.RESOLVED else None,
                **fields,
            )
            continue
        for name, value in fields.items():
            setattr(mismatch, name, value)
        if mismatch.status == M.Status.OPEN and item.get("status") == M.Status.RESOLVED:
            mismatch.status, mismatch.note, mismatch.resolved_at = M.Status.RESOLVED, item["note"], now
        mismatch.save()
    for key, mismatch in known.items():
        if key not in seen and mismatch.status == M.Status.OPEN:
            mismatch.status, mismatch.note, mismatch.resolved_at = M.Status.RESOLVED, "重新对账已平", now
            mismatch.save(update_fields=["status", "note", "resolved_at", "updated_at"])
    for name, value in counted.items():
        setattr(run, name, value)
    run.status = RUN.MISMATCHED if found else RUN.MATCHED
    run.open_mismatches = run.mismatches.filter(status=M.Status.OPEN).count()
    run.error, run.finished_at = "", now
    run.save()
    return run


@outside_transaction
def reconciliation_run(*, shop, bill_date: date, provider_name: str = "wechatpay") -> ReconciliationRun:
    """Reconcile one shop's day at one provider (see the module's note). A bill that cannot be
    had (the gateway down, a file that does not match its hash) records the run failed; the
    daily job tries again."""
    try:
        # The shop's own merchant or sub-merchant; settings it cannot use (a secret no longer
        # readable, partner mode switched off) fail this run, not the daily job's other shops.
        provider = get_provider(provider_name, shop_id=shop.pk)
        if not hasattr(provider, "trade_bill"):
            raise ApplicationError("reconciliation_unsupported", status=409, field="provider")
        rows = provider.trade_bill(bill_date, shop.pk)
    except (ProviderUnavailable, ApplicationError) as error:
        message = error.message("zh-hans") if isinstance(error, ApplicationError) else str(error)
        logger.warning("bill of %s for shop %s on %s not fetched: %s", provider_name, shop.pk, bill_date, message)
        return _run_record(
            shop=shop, provider_name=provider_name, bill_date=bill_date, found=[], counted={}, error=message
        )
    found, _ = _compare(shop=shop, provider_name=provider_name, bill_date=bill_date, rows=rows)
    if found:
        _settle_missing(provider_name=provider_name, found=found)
    _, counted = _compare(shop=shop, provider_name=provider_name, bill_date=bill_date, rows=rows)
    return _run_record(shop=shop, provider_name=provider_name, bill_date=bill_date, found=found, counted=counted)


def reconciliation_daily(*, now=None) -> dict[str, int]:
    """Schedule (hourly): once yesterday's bills are ready (10:00 Beijing), reconcile every shop
    that took money through a provider with a bill lately and has no good run of yesterday yet
    (a failed one is tried again the next hour)."""
    now = (now or timezone.now()).astimezone(CST)
    counts = {"runs": 0, "failed": 0}
    if now.hour < BILL_READY_HOUR:
        return counts
    bill_date = now.date() - timedelta(days=1)
    from tuangou.shops.models import Shop

    for provider_name in RECONCILED_PROVIDERS:
        shop_ids = set(
            Payment.objects.filter(provider=provider_name, created_at__gte=now - SHOPS_ACTIVE_WITHIN).values_list(
                "shop_id", flat=True
            )
        )
        done = set(
            ReconciliationRun.objects.filter(provider=provider_name, bill_date=bill_date)
            .exclude(status=RUN.FAILED)
            .values_list("shop_id", flat=True)
        )
        for shop in Shop.objects.filter(pk__in=shop_ids - done).order_by("id"):
            counts["runs"] += 1
            try:
                run = reconciliation_run(shop=shop, bill_date=bill_date, provider_name=provider_name)
            except Exception:  # one shop's surprise must not stop the runs of the shops after it
                logger.exception("reconciliation of shop %s at %s on %s failed", shop.pk, provider_name, bill_date)
                counts["failed"] += 1
                continue
            counts["failed"] += run.status == RUN.FAILED
    return counts


@transaction.atomic
def mismatch_resolve(*, shop, mismatch_id: int, actor, note: str) -> ReconciliationMismatch:
    """Finance closes a mismatch with what was done about it (the note is required)."""
    note = (note or "").strip()
    if not note:
        raise ApplicationError("required", field="note", field_label="resolution_note")
    mismatch = M.objects.select_for_update().filter(shop=shop, pk=mismatch_id).first()
    if mismatch is None:
        raise NotFound("对账差异", "Mismatch")
    if mismatch.status == M.Status.RESOLVED:
        raise ApplicationError("mismatch_resolved", status=409)
    mismatch.status, mismatch.note = M.Status.RESOLVED, note[:200]
    mismatch.resolved_by, mismatch.resolved_at = actor, timezone.now()
    mismatch.save(update_fields=["status", "note", "resolved_by", "resolved_at", "updated_at"])
    run = ReconciliationRun.objects.select_for_update().get(pk=mismatch.run_id)
    run.open_mismatches = run.mismatches.filter(status=M.Status.OPEN).count()
    run.save(update_fields=["open_mismatches", "updated_at"])
    return mismatch


def _yuan(fen) -> str:
    return "" if fen is None else format_fen(fen)


def mismatches_csv(*, run: ReconciliationRun) -> bytes:
    """The run's mismatches as a CSV file finance opens in a spreadsheet (UTF-8 with BOM)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "账单日期",
            "差异类型",
            "对象",
            "商户订单号",
            "退款单号",
            "渠道交易号",
            "账单金额",
            "我方金额",
            "账单状态",
            "我方状态",
            "处理状态",
            "处理说明",
        ]
    )
    for m in run.mismatches.order_by("id"):
        writer.writerow(
            [
                run.bill_date.isoformat(),
                m.get_kind_display(),
                "退款" if m.subject == "refund" else "支付",
                m.out_trade_no,
                m.out_refund_no,
                m.transaction_id,
                _yuan(m.bill_amount_fen),
                _yuan(m.our_amount_fen),
                m.bill_state,
                m.our_state,
                m.get_status_display(),
                m.note,
            ]
        )
    return ("\ufeff" + out.getvalue()).encode()


def wechatpay_certificates_refresh() -> int:
    """Schedule: download WeChat Pay's platform certificates ahead of need (a rotation is then
    known before its first signature): the platform's merchant's, then each direct-merchant shop's
    with its own keys (a sub-merchant shares the platform's). Returns how many are held."""
    held = 0
    if settings.WECHATPAY.get("MCHID") and settings.WECHATPAY.get("APIV3_KEY"):
        held += len(get_provider("wechatpay").certificates_refresh())
    direct_shops = ShopPaymentSettings.objects.filter(
        provider__in=[ShopPaymentSettings.Provider.WECHATPAY, ShopPaymentSettings.Provider.WECHATPAY_ALIPAY],
        wechatpay_mode=ShopPaymentSettings.WechatpayMode.DIRECT,
    ).values_list("shop_id", flat=True)
    for shop_id in direct_shops:
        try:
            held += len(get_provider("wechatpay", shop_id=shop_id).certificates_refresh())
        except Exception:  # one shop's keys or outage must not keep the others' certificates stale
            logger.warning("WeChat Pay certificates of shop %s not refreshed", shop_id, exc_info=True)
    return held
