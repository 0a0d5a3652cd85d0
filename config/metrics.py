"""/metrics for Prometheus: the request counters of every web process, plus figures read from the
database at scrape time (so any process answers the same): orders and payments by state, the job
queue's length and age, failed jobs, refused payment notifies, failed SMS / WeChat deliveries, and
the worker heartbeat and schedule lag /healthz judges by. Alerts on them: docs/runbook.md."""

import ipaddress
import os
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from tuangou.core.health import heartbeat_age_seconds, schedule_lag_seconds
from tuangou.core.net import client_ip
from tuangou.notifications.models import Delivery
from tuangou.orders.models import Order
from tuangou.payments.models import Payment, PaymentNotification

WINDOW = timedelta(hours=24)
NOTIFY_OK = ("applied", "duplicate")


def _by(queryset, field: str) -> dict[str, int]:
    return {row[field]: row["n"] for row in queryset.values(field).annotate(n=Count("id")).order_by()}


def job_queue() -> tuple[int, float]:
    """Jobs waiting for a worker, and how long the oldest has waited (seconds)."""
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    broker = get_broker()
    length = broker.queue_size() or 0
    oldest = None
    if settings.Q_CLUSTER.get("orm"):
        from django_q.models import OrmQ

        oldest = OrmQ.objects.using(settings.Q_CLUSTER["orm"]).order_by("id").values_list("payload", flat=True).first()
    elif settings.Q_CLUSTER.get("redis"):
        oldest = broker.connection.lindex(broker.list_key, 0)
    if not oldest:
        return length, 0.0
    if isinstance(oldest, bytes):  # Redis answers bytes
        oldest = oldest.decode()
    try:
        started = SignedPackage.loads(oldest)["started"]
    except Exception:  # a payload of another cluster or key: its length still counts
        return length, 0.0
    return length, max(0.0, (timezone.now() - started).total_seconds())


class DatabaseCollector:
    def collect(self):
        since = timezone.now() - WINDOW
        orders = GaugeMetricFamily(
            "tuangou_orders_24h", "Orders created in the last 24 h, by status", labels=["status"]
        )
        for status, n in _by(Order.objects.filter(created_at__gte=since), "status").items():
            orders.add_metric([status], n)
        yield orders
        payments = GaugeMetricFamily(
            "tuangou_payments_24h", "Payments opened in the last 24 h, by status", labels=["status"]
        )
        for status, n in _by(Payment.objects.filter(created_at__gte=since), "status").items():
            payments.add_metric([status], n)
        yield payments
        notifies = GaugeMetricFamily(
            "tuangou_payment_notify_refused_24h",
            "Provider payment/refund notifies refused in the last 24 h (bad signature, amount or merchant mismatch, ...)",
            labels=["provider", "outcome"],
        )
        refused = (
            PaymentNotification.objects.filter(created_at__gte=since)
            .exclude(outcome__in=NOTIFY_OK)
            .values("provider", "outcome")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in refused:
            notifies.add_metric([row["provider"], row["outcome"]], row["n"])
        yield notifies
        deliveries = GaugeMetricFamily(
            "tuangou_deliveries_failed_24h", "SMS / WeChat deliveries failed in the last 24 h", labels=["channel"]
        )
        failed = Delivery.objects.filter(updated_at__gte=since, status=Delivery.Status.FAILED)
        for channel, n in _by(failed, "channel").items():
            deliveries.add_metric([channel], n)
        yield deliveries

        from django_q.models import Failure

        jobs_failed = GaugeMetricFamily(
            "tuangou_jobs_failed_24h", "Jobs that failed in the last 24 h, by function", labels=["func"]
        )
        for func, n in _by(Failure.objects.filter(stopped__gte=since), "func").items():
            jobs_failed.add_metric([func], n)
        yield jobs_failed
        length, age = job_queue()
        yield GaugeMetricFamily("tuangou_job_queue_length", "Jobs queued, not yet taken by a worker", value=length)
        yield GaugeMetricFamily("tuangou_job_queue_oldest_seconds", "Age of the oldest queued job", value=age)
        beat = heartbeat_age_seconds()
        yield GaugeMetricFamily(
            "tuangou_worker_heartbeat_age_seconds",
            "Seconds since the worker last ran its heartbeat job (-1: never)",
            value=-1 if beat is None else beat,
        )
        yield GaugeMetricFamily(
            "tuangou_schedule_lag_seconds",
            "How late the most overdue recurring schedule is",
            value=schedule_lag_seconds(),
        )


def _allowed(request) -> bool:
    ip = client_ip(request)
    if not ip:
        return False
    address = ipaddress.ip_address(ip)
    return any(address in ipaddress.ip_network(net, strict=False) for net in settings.METRICS_ALLOWED_IPS)


def metrics(request):
    # Not for the public: order volumes are business figures. Prometheus scrapes over the loopback
    # or a private network named in METRICS_ALLOWED_IPS; nginx does not route /metrics at all.
    if not _allowed(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        multiprocess.MultiProcessCollector(processes)
    else:
        processes = REGISTRY
    database = CollectorRegistry()
    database.register(DatabaseCollector())
    return HttpResponse(generate_latest(processes) + generate_latest(database), content_type=CONTENT_TYPE_LATEST)
