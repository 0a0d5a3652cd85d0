"""支付有礼 (payment gifts): coupons for a paid order.

Orders call payment_gifts_on_paid inside the transaction that marks an order paid: it records
one pending grant per matching activity (unique per (activity, order), so a second paid notify
adds nothing) and queues the delivery job after commit. The job issues the coupons under the
grant's row lock and only from pending, so two runs deliver once. A full refund
(payment_gifts_revoke) takes back gifted coupons still unused; used ones stay with the member.
Points are not offered: the product has no points ledger yet.
"""

import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from tuangou.core.errors import ApplicationError
from tuangou.core.transactions import after_commit

from .checkout import Line, in_scope
from .models import Channel, Coupon, CouponTemplate, PaymentGift, PaymentGiftGrant
from .services import MAX_GRANT, _scope_ids_check

logger = logging.getLogger(__name__)
MAX_GIFTS = 5  # coupon templates in one activity
G = PaymentGiftGrant.Status


@transaction.atomic
def payment_gift_create(
    *, shop, actor, name: str, starts_at, ends_at, min_paid_fen: int, scope: str, scope_ids: list[int], gifts
) -> PaymentGift:
    """A new activity, active at once inside its period. Each gift is a coupon template open to
    the payment-gift channel with a count of coupons per paid order."""
    if ends_at <= starts_at:
        raise ApplicationError("validation", field="ends_at", reason="after_start")
    if not gifts:
        raise ApplicationError("required", field="gifts")
    if len(gifts) > MAX_GIFTS:
        raise ApplicationError("validation", field="gifts", reason="between", low=1, high=MAX_GIFTS)
    ids = [gift["template_id"] for gift in gifts]
    if len(set(ids)) != len(ids):
        raise ApplicationError("invalid", field="gifts", reason="duplicate")
    templates = {t.pk: t for t in CouponTemplate.objects.filter(shop=shop, pk__in=ids)}
    for index, gift in enumerate(gifts):
        template = templates.get(gift["template_id"])
        if template is None:
            raise ApplicationError("invalid", field=f"gifts.{index}.template_id", reason="not_in_shop")
        if Channel.PAYMENT_GIFT not in template.channels:
            raise ApplicationError("coupon_channel_closed", field=f"gifts.{index}.template_id", status=409)
        if not 1 <= gift["count"] <= MAX_GRANT:
            raise ApplicationError("validation", field=f"gifts.{index}.count", reason="between", low=1, high=MAX_GRANT)
    return PaymentGift.objects.create(
        shop=shop,
        created_by=actor,
        name=name,
        starts_at=starts_at,
        ends_at=ends_at,
        min_paid_fen=min_paid_fen,
        scope=scope,
        scope_ids=_scope_ids_check(shop=shop, scope=scope, scope_ids=scope_ids or []),
        gifts=[{"template_id": gift["template_id"], "count": gift["count"]} for gift in gifts],
    )


def payment_gift_set_status(*, activity: PaymentGift, status: str) -> PaymentGift:
    """Pause (paid orders from now on get nothing; grants already made stand) or resume."""
    PaymentGift.objects.filter(pk=activity.pk).update(status=status, updated_at=timezone.now())
    activity.refresh_from_db()
    return activity


def payment_gifts_on_paid(*, shop_id: int, order_id: int, member_id: int, lines: list[Line], now=None) -> int:
    """The order was paid (inside orders' transaction): record a pending grant for every active
    activity whose period holds `now` and whose in-scope lines paid at least its minimum, and
    queue their delivery once this commits. Answers how many grants were recorded."""
    now = now or timezone.now()
    activities = PaymentGift.objects.filter(
        shop_id=shop_id, status=PaymentGift.Status.ACTIVE, starts_at__lte=now, ends_at__gt=now
    )
    grants = []
    for activity in activities:
        paid = sum(line.amount_fen for line in lines if in_scope(activity, line))
        if paid > 0 and paid >= activity.min_paid_fen:
            grants.append(PaymentGiftGrant(shop_id=shop_id, activity=activity, order_id=order_id, member_id=member_id))
    if not grants:
        return 0
    created = PaymentGiftGrant.objects.bulk_create(grants, ignore_conflicts=True)
    after_commit(lambda: _queue_delivery(order_id))
    return len(created)


def _queue_delivery(order_id: int) -> None:
    from django_q.tasks import async_task

    async_task("tuangou.marketing.tasks.payment_gifts_deliver", order_id)


def payment_gifts_deliver(*, order_id: int, now=None) -> int:
    """The job: deliver the order's pending grants, each all or nothing (a template out of stock,
    paused or over the member's limit fails the grant, with the reason). Safe to run twice or at
    once: each grant is taken under its row lock and only from pending. Answers how many were
    delivered by this run."""
    now = now or timezone.now()
    delivered = 0
    pending = PaymentGiftGrant.objects.filter(order_id=order_id, status=G.PENDING).values_list("pk", flat=True)
    for grant_id in list(pending):
        with transaction.atomic():
            grant = PaymentGiftGrant.objects.select_for_update().select_related("activity").get(pk=grant_id)
            if grant.status != G.PENDING:
                continue  # another run delivered it, or a refund revoked it first
            try:
                with transaction.atomic():
                    coupons = _issue(grant, now)
            except ApplicationError as error:
                logger.info("payment gift %s for order %s not delivered: %s", grant.activity_id, order_id, error.code)
                grant.status, grant.reason = G.FAILED, error.code
                grant.save(update_fields=["status", "reason", "updated_at"])
                continue
            grant.status, grant.coupon_ids, grant.delivered_at = G.DELIVERED, [c.pk for c in coupons], now
            grant.save(update_fields=["status", "coupon_ids", "delivered_at", "updated_at"])
            delivered += 1
    return delivered


def payment_gifts_redrive(*, older_than_minutes: int = 5, now=None) -> int:
    """The schedule: deliver grants still pending a few minutes after payment (their queued job was
    lost with a killed worker). Delivery is idempotent, so a job that was only slow costs nothing."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=older_than_minutes)
    orders = PaymentGiftGrant.objects.filter(status=G.PENDING, created_at__lt=cutoff).values_list("order_id", flat=True)
    return sum(payment_gifts_deliver(order_id=order_id, now=now) for order_id in sorted(set(orders))[:500])


def _issue(grant: PaymentGiftGrant, now) -> list[Coupon]:
    from .services import coupons_grant

    coupons = []
    for gift in grant.activity.gifts:
        template = CouponTemplate.objects.filter(shop_id=grant.shop_id, pk=gift["template_id"]).first()
        if template is None:
            raise ApplicationError("coupon_paused", field="template_id", status=409)
        coupons += coupons_grant(
            template=template, member=grant.member, channel=Channel.PAYMENT_GIFT, n=gift["count"], now=now
        )
    return coupons


def payment_gifts_revoke(*, order_id: int, now=None) -> int:
    """The order was fully refunded (inside orders' transaction): its grants are revoked; the
    gifted coupons still unused are taken back, used (or locked by an order) ones stay.
    Answers how many coupons were taken back."""
    now = now or timezone.now()
    grants = list(
        PaymentGiftGrant.objects.select_for_update()
        .filter(order_id=order_id, status__in=(G.PENDING, G.DELIVERED))
        .order_by("pk")
    )
    coupon_ids = [pk for grant in grants for pk in grant.coupon_ids]
    taken = 0
    if coupon_ids:
        taken = Coupon.objects.filter(pk__in=coupon_ids, status=Coupon.Status.UNUSED).update(
            status=Coupon.Status.REVOKED, updated_at=now
        )
    PaymentGiftGrant.objects.filter(pk__in=[grant.pk for grant in grants]).update(status=G.REVOKED, updated_at=now)
    return taken
