"""Commission ledger: entries only, never an edited balance (see CommissionEntry)."""
from datetime import timedelta

from django.db.models import Sum
from django.utils import timezone

from tuangou.core.money import apply_rate_bp

from .models import CommissionEntry

E = CommissionEntry


def commission_accrue_for_order(*, order) -> list[CommissionEntry]:
    """At pickup: the leader earns each line's rate on what was paid and not refunded.

    Held in `pending` until the shop's after-sales window closes. Safe to call twice: a line
    that already accrued is skipped (and a unique constraint backs that up).
    """
    already = set(E.objects.filter(order=order, kind=E.Kind.ACCRUAL).values_list("order_line_id", flat=True))
    settle_after = timezone.now() + timedelta(days=order.shop.after_sales_days)
    entries = []
    for line in order.lines.all():
        if line.id in already:
            continue
        amount = apply_rate_bp(line.amount_fen - line.refunded_fen, line.commission_rate_bp)
        if amount <= 0:
            continue
        entries.append(E(
            shop_id=order.shop_id, leader_id=order.leader_id, kind=E.Kind.ACCRUAL, bucket=E.Bucket.PENDING,
            amount_fen=amount, order=order, order_line=line, settle_after=settle_after,
            note=f"订单{order.number} {line.product_name}×{line.quantity - line.refunded_quantity}",
        ))
    return E.objects.bulk_create(entries)


def commission_reverse_for_refund(*, order, refunded_fen_by_line: dict[int, int]) -> list[CommissionEntry]:
    """A refund takes back the commission earned on the refunded money, from whichever bucket
    holds it now (pending before settlement, withdrawable after). Lines that never accrued
    (refunded before pickup) have nothing to take back."""
    entries = []
    for line_id, refunded_fen in refunded_fen_by_line.items():
        line_entries = E.objects.filter(order_line_id=line_id)
        accrued = line_entries.filter(kind=E.Kind.ACCRUAL).first()
        if accrued is None or refunded_fen <= 0:
            continue
        settled = line_entries.filter(kind=E.Kind.SETTLEMENT).exists()
        bucket = E.Bucket.WITHDRAWABLE if settled else E.Bucket.PENDING
        already_reversed = -(line_entries.filter(kind=E.Kind.REVERSAL).aggregate(total=Sum("amount_fen"))["total"] or 0)
        rate = accrued.order_line.commission_rate_bp
        amount = min(apply_rate_bp(refunded_fen, rate), accrued.amount_fen - already_reversed)
        if amount <= 0:
            continue
        entries.append(E(
            shop_id=order.shop_id, leader_id=accrued.leader_id, kind=E.Kind.REVERSAL, bucket=bucket,
            amount_fen=-amount, order=order, order_line_id=line_id, note=f"订单{order.number}退款冲回",
        ))
    return E.objects.bulk_create(entries)
