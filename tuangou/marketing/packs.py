"""定向发放 (targeted packs): pick members by a filter, then a job grants each of them the pack's
coupons, all or nothing per member, one delivery row per (pack, member) so a re-run (or a second
worker) issues nothing twice. Each member who got coupons is told once."""

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from tuangou.accounts.models import User
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.phones import normalize_phone
from tuangou.core.transactions import after_commit
from tuangou.leaders.models import Leader, Membership
from tuangou.notifications.models import Message
from tuangou.notifications.services import notice_send

from .hooks import members_by_orders
from .models import Channel, CouponPack, CouponPackDelivery, CouponTemplate
from .services import coupons_grant

logger = logging.getLogger(__name__)
A = CouponPack.Audience
D = CouponPackDelivery.Status
MAX_PHONES = 5000


def _audience_check(*, shop, audience: str, params: dict) -> dict:
    if audience in (A.NEW, A.IDLE):
        days = params.get("days")
        if not isinstance(days, int) or not 1 <= days <= 3650:
            raise ApplicationError("validation", field="days", reason="between", low=1, high=3650)
        return {"days": days}
    if audience == A.CATEGORY:
        from tuangou.catalog.models import Category

        if not Category.objects.filter(shop=shop, pk=params.get("category_id") or 0).exists():
            raise NotFound("商品分类", "Category", field="category_id")
        return {"category_id": params["category_id"]}
    if audience == A.LEADERS:
        ids = sorted(set(params.get("leader_ids") or []))
        if not ids or Leader.objects.filter(shop=shop, pk__in=ids).count() != len(ids):
            raise ApplicationError("invalid", field="leader_ids", reason="not_in_shop")
        return {"leader_ids": ids}
    phones = [normalize_phone(phone, field="phones") for phone in (params.get("phones") or [])]
    if not phones:
        raise ApplicationError("required", field="phones")
    if len(phones) > MAX_PHONES:
        raise ApplicationError("validation", field="phones", reason="at_most_per_request", maximum=MAX_PHONES)
    return {"phones": sorted(set(phones))}


@transaction.atomic
def coupon_pack_create(
    *, shop, actor, name: str, template_id: int, quantity: int, audience: str, params: dict
) -> CouponPack:
    """Write the pack and queue its delivery after COMMIT."""
    template = CouponTemplate.objects.filter(shop=shop, pk=template_id).first()
    if template is None:
        raise NotFound("优惠券", "Coupon", field="template_id")
    if Channel.TARGETED not in template.channels:
        raise ApplicationError("coupon_channel_closed", field="template_id", status=409)
    pack = CouponPack.objects.create(
        shop=shop,
        template=template,
        name=name,
        quantity=quantity,
        audience=audience,
        audience_params=_audience_check(shop=shop, audience=audience, params=params),
        created_by=actor,
    )
    after_commit(lambda: async_task("tuangou.marketing.tasks.coupon_pack_deliver", pack.pk))
    return pack


def pack_members(pack: CouponPack, *, now=None) -> list[int]:
    """The ids of the members the pack's filter picks right now, ascending."""
    now = now or timezone.now()
    params = pack.audience_params
    memberships = Membership.objects.filter(shop_id=pack.shop_id)
    if pack.audience == A.NEW:
        ids = memberships.filter(created_at__gte=now - timedelta(days=params["days"])).values_list("user_id", flat=True)
    elif pack.audience == A.LEADERS:
        ids = memberships.filter(leader_id__in=params["leader_ids"]).values_list("user_id", flat=True)
    elif pack.audience == A.PHONES:
        users = User.objects.filter(phone__in=params["phones"]).values("id")
        ids = memberships.filter(user_id__in=users).values_list("user_id", flat=True)
    else:
        key = {"idle_days": params["days"]} if pack.audience == A.IDLE else {"category_id": params["category_id"]}
        ids = set()
        for answer in members_by_orders(shop=pack.shop, **key):
            ids |= set(answer)
    return sorted(set(ids))


def _deliver_one(pack: CouponPack, template: CouponTemplate, member_id: int) -> bool | None:
    """Grant one member the pack (all or nothing) and write its delivery row in one transaction.
    None when a row exists already (delivered by an earlier run)."""
    member = User(pk=member_id)
    try:
        with transaction.atomic():
            delivery = CouponPackDelivery.objects.create(
                shop_id=pack.shop_id, pack=pack, member=member, status=D.DELIVERED
            )
            try:
                with transaction.atomic():
                    coupons_grant(template=template, member=member, channel=Channel.TARGETED, n=pack.quantity)
            except ApplicationError as error:
                delivery.status, delivery.reason = D.REFUSED, error.code
                delivery.save(update_fields=["status", "reason", "updated_at"])
            CouponPack.objects.filter(pk=pack.pk).update(
                **(
                    {"delivered": F("delivered") + 1}
                    if delivery.status == D.DELIVERED
                    else {"refused": F("refused") + 1}
                )
            )
            return delivery.status == D.DELIVERED
    except IntegrityError:
        return None


def _notify(pack: CouponPack, template: CouponTemplate) -> None:
    """Tell each member who got coupons, once (the notice key and the delivery's flag)."""
    for delivery in CouponPackDelivery.objects.filter(pack=pack, status=D.DELIVERED, notified=False).select_related(
        "member"
    ):
        notice_send(
            shop=pack.shop,
            user=delivery.member,
            kind=Message.Kind.SYSTEM,
            key=f"coupon_pack:{pack.pk}",
            title="您收到了优惠券",
            body=f"{pack.shop.name}送您{pack.quantity}张「{template.name}」，已放入「我的优惠券」，下单时可用。",
            data={"pack_id": pack.pk, "template_id": template.pk},
        )
        CouponPackDelivery.objects.filter(pk=delivery.pk).update(notified=True)


def coupon_pack_deliver(*, pack_id: int, now=None) -> CouponPack:
    """The job: every picked member without a delivery row gets one (and the coupons). Safe to
    run twice; progress (delivered / refused of members_total) moves as it goes."""
    pack = CouponPack.objects.select_related("shop", "template").get(pk=pack_id)
    if pack.status == CouponPack.Status.DONE:
        return pack
    members = pack_members(pack, now=now)
    CouponPack.objects.filter(pk=pack.pk).update(status=CouponPack.Status.RUNNING, members_total=len(members))
    for member_id in members:
        _deliver_one(pack, pack.template, member_id)
    _notify(pack, pack.template)
    CouponPack.objects.filter(pk=pack.pk).update(status=CouponPack.Status.DONE, finished_at=timezone.now())
    pack.refresh_from_db()
    return pack


def coupon_packs_redrive(*, now=None) -> int:
    """Packs whose job was lost or died part-way — not done 10 minutes after they were made, and no
    member served in the last 5 — run again; members already served are skipped. Returns how many."""
    now = now or timezone.now()
    stale = list(
        CouponPack.objects.exclude(status=CouponPack.Status.DONE)
        .filter(created_at__lt=now - timedelta(minutes=10))
        .exclude(deliveries__created_at__gte=now - timedelta(minutes=5))
        .values_list("pk", flat=True)
    )
    for pack_id in stale:
        coupon_pack_deliver(pack_id=pack_id, now=now)
    return len(stale)
