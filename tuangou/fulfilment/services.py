"""Shipping to pickup points, the leader's arrival check, the one-click pickup notice, and sheet
files generated in the background (export jobs)."""

import logging
from collections import defaultdict
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone, translation
from django_q.tasks import async_task

from tuangou.campaigns.models import Campaign
from tuangou.core import i18n
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.leaders.models import PickupPoint
from tuangou.notifications.models import Message
from tuangou.notifications.services import notifications_send_many
from tuangou.orders.models import Order, OrderEvent
from tuangou.orders.transitions import orders_bulk_transition

from . import exports
from .models import ExportJob, Shipment
from .selectors import FULFILLABLE, campaign_check_sheets, sheet_build

S = Order.Status
NOTICE_INTERVAL = timedelta(minutes=10)
logger = logging.getLogger("tuangou.fulfilment")


class _SafeFormat(dict):
    """Leaves an unknown {placeholder} of the merchant's text as it is instead of failing."""

    def __missing__(self, key):
        return "{" + key + "}"


@transaction.atomic
def shipments_ship(*, campaign: Campaign, actor, pickup_point_ids: list[int] | None = None) -> dict:
    """Mark the campaign's goods shipped to some points (or all with goods): one Shipment per
    point, and those points' confirmed orders -> shipped. Shipping again changes nothing."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != Campaign.Status.SUCCEEDED:
        raise ApplicationError(
            "campaign_state",
            field="campaign_id",
            status=409,
            status_label=Campaign.Status(campaign.status).label,
            action="ship",
        )
    # Home-delivery orders go out from a front warehouse on their own routes (tuangou/warehouses).
    orders = Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign).exclude(
        delivery_mode=Order.DeliveryMode.DELIVERY
    )
    with_goods = set(orders.filter(status__in=FULFILLABLE).values_list("pickup_point_id", flat=True).distinct())
    if pickup_point_ids is None:
        targets = with_goods
    else:
        wanted = set(pickup_point_ids)
        known = set(PickupPoint.objects.filter(shop_id=campaign.shop_id, pk__in=wanted).values_list("id", flat=True))
        if wanted - known:
            raise NotFound("自提点", "Pickup point", field="pickup_point_ids")
        targets = wanted & with_goods
    now = timezone.now()
    existing = set(
        Shipment.objects.filter(campaign=campaign, pickup_point_id__in=targets).values_list(
            "pickup_point_id", flat=True
        )
    )
    Shipment.objects.bulk_create(
        [
            Shipment(
                shop_id=campaign.shop_id, campaign=campaign, pickup_point_id=point_id, shipped_at=now, shipped_by=actor
            )
            for point_id in sorted(targets - existing)
        ]
    )
    moved = orders_bulk_transition(
        orders.filter(pickup_point_id__in=targets),
        S.CONFIRMED,
        S.SHIPPED,
        actor=actor,
        event_type="shipped",
    )
    return {
        "shipped_point_ids": sorted(targets - existing),
        "already_shipped_point_ids": sorted(existing),
        "skipped_point_ids": sorted(set(pickup_point_ids or []) - targets),
        "moved_orders": len(moved),
    }


def _leader_shipment_locked(*, leader, campaign_id: int) -> Shipment:
    """This leader's shipment of a campaign; a campaign not shipped to their point is a 404."""
    shipment = (
        # Lock only the shipment: the campaign row is shared by every point's leader.
        Shipment.objects.select_for_update(of=("self",))
        .select_related("campaign", "pickup_point")
        .filter(shop_id=leader.shop_id, campaign_id=campaign_id, pickup_point__leader=leader)
        .first()
    )
    if shipment is None:
        raise NotFound("发货记录", "Shipment", field="campaign_id")
    return shipment


@transaction.atomic
def shipment_confirm_arrival(*, leader, campaign_id: int) -> dict:
    """The leader received the goods: the shipment arrives and their point's shipped orders wait
    for pickup. Confirming twice moves nothing the second time."""
    shipment = _leader_shipment_locked(leader=leader, campaign_id=campaign_id)
    if shipment.status != Shipment.Status.ARRIVED:
        shipment.status, shipment.arrived_at = Shipment.Status.ARRIVED, timezone.now()
        shipment.save(update_fields=["status", "arrived_at", "updated_at"])
    moved = orders_bulk_transition(
        Order.objects.filter(
            shop_id=leader.shop_id, campaign_id=campaign_id, pickup_point=shipment.pickup_point
        ).exclude(delivery_mode=Order.DeliveryMode.DELIVERY),
        S.SHIPPED,
        S.ARRIVED,
        actor=leader.user,
        event_type="arrived",
    )
    return {"shipment": shipment, "moved_orders": len(moved)}


@transaction.atomic
def shipment_send_pickup_notice(*, leader, campaign_id: int) -> dict:
    """One-click 提货通知: one message to every member with goods waiting at the leader's point
    (arrived, not picked up), with their pickup code(s). At most once every 10 minutes."""
    shipment = _leader_shipment_locked(leader=leader, campaign_id=campaign_id)
    if shipment.status != Shipment.Status.ARRIVED:
        raise ApplicationError("shipment_not_arrived", field="campaign_id", status=409)
    now = timezone.now()
    if shipment.notice_sent_at and now - shipment.notice_sent_at < NOTICE_INTERVAL:
        wait = NOTICE_INTERVAL - (now - shipment.notice_sent_at)
        raise ApplicationError("rate_limited", status=429, seconds=int(wait.total_seconds()) + 1)
    waiting = list(
        Order.objects.filter(
            shop_id=leader.shop_id, campaign_id=campaign_id, pickup_point=shipment.pickup_point, status=S.ARRIVED
        )
        .select_related("member")
        .order_by("member_id", "id")
    )
    by_member: dict[int, list[Order]] = defaultdict(list)
    for order in waiting:
        by_member[order.member_id].append(order)
    campaign, point, shop = shipment.campaign, shipment.pickup_point, leader.shop
    messages = []
    for orders in by_member.values():
        codes = "、".join(o.pickup_code for o in orders)
        values = {"campaign": campaign.title, "point": point.name, "code": codes}
        messages.append(
            {
                "user": orders[0].member,
                "title": "提货通知",
                "body": shop.pickup_notice_text.format_map(_SafeFormat(values)),
                "data": {
                    **values,
                    "campaign_id": campaign.id,
                    "pickup_point_id": point.id,
                    "order_ids": [o.id for o in orders],
                },
            }
        )
    notifications_send_many(shop=shop, kind=Message.Kind.PICKUP_NOTICE, messages=messages)
    OrderEvent.objects.bulk_create(
        [
            OrderEvent(
                shop_id=o.shop_id, order=o, type="pickup_notice", actor=leader.user, data={"shipment_id": shipment.id}
            )
            for o in waiting
        ]
    )
    if messages:
        shipment.notice_sent_at = now
        shipment.save(update_fields=["notice_sent_at", "updated_at"])
    return {"notified_members": len(messages), "orders": len(waiting), "notice_sent_at": shipment.notice_sent_at}


# --- export jobs ---------------------------------------------------------------------------

J = ExportJob.Status
# A sorting list of 10^5 orders takes minutes: longer than the cluster's default task timeout.
EXPORT_TIMEOUT_SECONDS = 30 * 60
# A running job writes its progress, and so its heartbeat (updated_at), at least this often.
EXPORT_HEARTBEAT = timedelta(seconds=10)
# This long without a heartbeat means its worker died (killed, restarted, out of memory): a
# re-delivered task takes the job over at once, and the recovery schedule runs it again.
EXPORT_STALE_AFTER = timedelta(minutes=3)
# Runs a job may start; one whose worker dies every time (a file too big for it) then fails.
EXPORT_MAX_ATTEMPTS = 3
# A queued job no worker picked up in this long (its task was lost) is failed with a reason.
EXPORT_QUEUED_TOO_LONG = timedelta(minutes=30)
INTERRUPTED_REASON = "后台任务中断（已尝试生成{attempts}次），请重新生成"
QUEUED_TOO_LONG_REASON = "排队超时，后台任务未能开始，请重新生成"


def campaign_orders_fingerprint(campaign: Campaign) -> str:
    """How many orders the campaign has and when one last changed: equal means the sheets are too
    (every status change and refund saves the order's updated_at)."""
    found = Order.objects.filter(shop_id=campaign.shop_id, campaign=campaign).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    return f"{found['n']}:{found['last'].isoformat() if found['last'] else '-'}"


def _export_job_enqueue(job_id: int) -> None:
    async_task("tuangou.fulfilment.tasks.export_job_run", job_id, timeout=EXPORT_TIMEOUT_SECONDS)


@transaction.atomic
def export_job_start(*, campaign: Campaign, kind: str, fmt: str, actor, language: str | None = None) -> ExportJob:
    """Ask for a sheet file, in `language` (by default the active one: the request's). A done job
    of the same sheet in the same language whose campaign's orders have not changed since is
    handed back as it is (and one still being built); otherwise a new job is queued. A job of the
    same sheet whose worker stopped (no heartbeat) is failed, not handed back."""
    language = i18n.normalize(language or i18n.current_language())
    # Locked as a mutex: two clicks at once get one job, not two.
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    campaign_check_sheets(campaign)
    fingerprint = campaign_orders_fingerprint(campaign)
    same = ExportJob.objects.filter(
        shop_id=campaign.shop_id,
        campaign=campaign,
        kind=kind,
        format=fmt,
        language=language,
        orders_fingerprint=fingerprint,
    ).order_by("-id")
    for done in same.filter(status=J.DONE):
        if done.file and done.file.storage.exists(done.file.name):
            return done
    now = timezone.now()
    for stale in same.filter(status=J.RUNNING, updated_at__lt=now - EXPORT_STALE_AFTER):
        _export_job_fail(job_id=stale.id, reason=INTERRUPTED_REASON.format(attempts=stale.attempts))
    in_flight = same.filter(
        Q(status=J.QUEUED, updated_at__gte=now - EXPORT_QUEUED_TOO_LONG)
        | Q(status=J.RUNNING, updated_at__gte=now - EXPORT_STALE_AFTER)
    ).first()
    if in_flight:
        return in_flight
    job = ExportJob.objects.create(
        shop_id=campaign.shop_id,
        campaign=campaign,
        kind=kind,
        format=fmt,
        language=language,
        orders_fingerprint=fingerprint,
        requested_by=actor,
    )
    transaction.on_commit(lambda: _export_job_enqueue(job.id))
    return job


class _ProgressWriter:
    """Writes a run's progress with one UPDATE when the whole percentage moves (not per row), and
    at least every EXPORT_HEARTBEAT while the builder reports, as the job's heartbeat. Only while
    the job is still this run's (its attempts unchanged): a run that was taken over stops there."""

    def __init__(self, job_id: int, attempt: int):
        self.job_id, self.attempt, self.percent = job_id, attempt, 0
        self.written_at = timezone.now()

    def set(self, percent: int) -> None:
        now = timezone.now()
        if percent > self.percent or now - self.written_at >= EXPORT_HEARTBEAT:
            self.percent, self.written_at = max(percent, self.percent), now
            mine = ExportJob.objects.filter(pk=self.job_id, status=J.RUNNING, attempts=self.attempt).update(
                progress=self.percent, updated_at=now
            )
            if not mine:
                raise _TakenOver

    def between(self, low: int, high: int) -> exports.Progress:
        """The builder's (rows done, rows in all) mapped onto low..high percent."""
        return lambda done, total: self.set(low + (high - low) * done // max(total, 1))


class _TakenOver(Exception):
    """This run's job was taken over (its heartbeat had gone stale) or failed meanwhile."""


def _export_job_claim(job_id: int) -> int | None:
    """Start a run of the job: a queued job, or a running one whose worker died (no heartbeat for
    EXPORT_STALE_AFTER; the task re-delivered after a killed worker is the usual caller). One
    conditional UPDATE, so one run at a time gets it. Returns the run's attempt number; None when
    the job is done, failed, or alive in another worker. A dead job out of attempts fails."""
    now = timezone.now()
    stale = Q(status=J.RUNNING, updated_at__lt=now - EXPORT_STALE_AFTER)
    claimable = ExportJob.objects.filter(pk=job_id, attempts__lt=EXPORT_MAX_ATTEMPTS).filter(Q(status=J.QUEUED) | stale)
    if claimable.update(
        status=J.RUNNING, progress=0, error="", started_at=now, updated_at=now, attempts=F("attempts") + 1
    ):
        return ExportJob.objects.values_list("attempts", flat=True).get(pk=job_id)
    worn_out = ExportJob.objects.filter(pk=job_id, attempts__gte=EXPORT_MAX_ATTEMPTS).filter(stale).first()
    if worn_out:
        _export_job_fail(job_id=job_id, reason=INTERRUPTED_REASON.format(attempts=worn_out.attempts))
    return None


def export_job_run(*, job_id: int) -> ExportJob | None:
    """Build the job's file and mark it done, or failed with the reason.

    Not one transaction: the progress must be visible while the file is built. Safe to run twice:
    the claim lets one run at a time in; a done or failed job is left alone; a running job whose
    worker stopped reporting is taken over. None when skipped.
    """
    attempt = _export_job_claim(job_id)
    if attempt is None:
        return None
    job = ExportJob.objects.select_related("campaign__shop").get(pk=job_id)
    writer = _ProgressWriter(job_id, attempt)
    try:
        # Built in the language it was asked in, whatever the worker's own.
        with translation.override(job.language):
            writer.set(5)
            sheet = sheet_build(campaign=job.campaign, kind=job.kind)
            writer.set(15)
            build = exports.sheet_xlsx if job.format == ExportJob.Format.XLSX else exports.sheet_pdf
            content = build(job.kind, sheet, tz=job.campaign.shop.timezone, progress=writer.between(15, 90))
    except _TakenOver:
        logger.warning("export job %s: run %s was taken over, stopping", job_id, attempt)
        return None
    except Exception as exc:  # whatever broke, the job must say so instead of staying "running"
        logger.exception("export job %s failed", job_id)
        reason = exc.message("zh-hans") if isinstance(exc, ApplicationError) else f"{exc.__class__.__name__}: {exc}"
        return _export_job_fail(job_id=job_id, reason=reason[:1000], attempt=attempt)
    return _export_job_finish(job_id=job_id, content=content, attempt=attempt)


def export_jobs_recover() -> dict:
    """The schedule's sweep (every minute) for jobs whose worker died and whose task is not coming
    back: a running job without a heartbeat for EXPORT_STALE_AFTER is queued again (a new task),
    or failed with a reason the merchant reads once it has used its attempts; a job queued for
    EXPORT_QUEUED_TOO_LONG that no worker started is failed."""
    now = timezone.now()
    retried, failed = [], []
    for job in ExportJob.objects.filter(status=J.RUNNING, updated_at__lt=now - EXPORT_STALE_AFTER).order_by("id"):
        if job.attempts >= EXPORT_MAX_ATTEMPTS:
            _export_job_fail(job_id=job.id, reason=INTERRUPTED_REASON.format(attempts=job.attempts))
            failed.append(job.id)
            continue
        requeued = ExportJob.objects.filter(pk=job.pk, status=J.RUNNING, attempts=job.attempts).update(
            status=J.QUEUED, progress=0, updated_at=now
        )
        if requeued:
            logger.warning("export job %s: no heartbeat since %s, queued again", job.id, job.updated_at)
            _export_job_enqueue(job.id)
            retried.append(job.id)
    for job in ExportJob.objects.filter(status=J.QUEUED, updated_at__lt=now - EXPORT_QUEUED_TOO_LONG):
        _export_job_fail(job_id=job.id, reason=QUEUED_TOO_LONG_REASON, statuses=(J.QUEUED,))
        failed.append(job.id)
    return {"retried": retried, "failed": failed}


@transaction.atomic
def _export_job_fail(*, job_id: int, reason: str, attempt: int | None = None, statuses=(J.RUNNING,)) -> ExportJob:
    job = ExportJob.objects.select_for_update().get(pk=job_id)
    if job.status in statuses and (attempt is None or job.attempts == attempt):
        job.status, job.error, job.finished_at = J.FAILED, reason, timezone.now()
        job.save(update_fields=["status", "error", "finished_at", "updated_at"])
    return job


@transaction.atomic
def _export_job_finish(*, job_id: int, content: bytes, attempt: int) -> ExportJob:
    job = ExportJob.objects.select_for_update().get(pk=job_id)
    if job.status != J.RUNNING or job.attempts != attempt:  # taken over (or failed) meanwhile
        return job
    job.file.save(f"{job.kind}.{job.format}", ContentFile(content), save=False)
    job.status, job.progress, job.finished_at = J.DONE, 100, timezone.now()
    job.save(update_fields=["file", "status", "progress", "finished_at", "updated_at"])
    # One file per campaign, sheet, format and language: the ones this job replaces go.
    superseded = ExportJob.objects.filter(
        shop_id=job.shop_id,
        campaign_id=job.campaign_id,
        kind=job.kind,
        format=job.format,
        language=job.language,
        status=J.DONE,
    ).exclude(pk=job.pk)
    names = [name for name in superseded.values_list("file", flat=True) if name]
    superseded.delete()
    storage = job.file.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names])
    return job
