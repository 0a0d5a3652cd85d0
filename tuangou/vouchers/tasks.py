"""Top-up jobs: send one to the vendor (outside any transaction), and a sweep that asks the vendor
about top-ups left pending or processing (a lost callback, a timed-out send)."""

from datetime import timedelta

from django.utils import timezone

from tuangou.core.transactions import outside_transaction

from . import services, topup
from .models import TopUp

T = TopUp.Status
SWEEP_AFTER = timedelta(minutes=2)
SWEEP_BATCH = 200


@outside_transaction
def topup_send(topup_id: int) -> str:
    row = TopUp.objects.filter(pk=topup_id).first()
    if row is None or row.status != T.PENDING:
        return "skipped"
    try:
        answer = topup.vendor().recharge(
            reference=row.reference, phone=row.phone, face_value_fen=row.face_value_fen, notify_url=topup.notify_url()
        )
    except topup.VendorUnavailable as error:
        services.topup_sent(topup_id=row.pk, error=str(error))
        return "unavailable"
    services.topup_sent(topup_id=row.pk, error=answer.message if answer.status == "failed" else "")
    services.topup_finish(
        reference=row.reference, status=answer.status, vendor_order_no=answer.vendor_order_no, error=answer.message
    )
    return answer.status


@outside_transaction
def topups_sync(*, now=None) -> dict:
    """Pending or processing for a while: ask the vendor. Unknown to it: send again (same reference)."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    stale = TopUp.objects.filter(status__in=(T.PENDING, T.PROCESSING), updated_at__lt=now - SWEEP_AFTER)
    for row in stale.order_by("id")[:SWEEP_BATCH]:
        try:
            answer = topup.vendor().query(reference=row.reference)
        except topup.VendorUnavailable:
            outcome = "unavailable"
        else:
            if answer.status == "not_found":
                outcome = topup_send(row.pk) if row.status == T.PENDING else "not_found"
            else:
                services.topup_finish(
                    reference=row.reference, status=answer.status, vendor_order_no=answer.vendor_order_no
                )
                outcome = answer.status
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
