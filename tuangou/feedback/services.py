"""Leader feedback: leaders send it and follow up; the shop replies and moves its status. Each
reply from the shop tells the leader (an in-app message, and SMS/WeChat after commit)."""

import uuid
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from tuangou.catalog.models import Product
from tuangou.core.api import get_in_shop
from tuangou.core.errors import ApplicationError
from tuangou.notifications.models import Message
from tuangou.notifications.services import notification_send

from .models import Feedback, FeedbackPhoto, FeedbackReply

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PER_FEEDBACK = 6
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
S = Feedback.Status


def _photo_checked(upload) -> tuple[bytes, str]:
    """The upload's bytes and extension, if it is a JPEG, PNG or WebP of at most 5 MB."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ApplicationError("image_too_large", field="file", max_mb=PHOTO_MAX_BYTES // (1024 * 1024))
    data = upload.read()
    try:
        with Image.open(BytesIO(data)) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ApplicationError("image_invalid", field="file") from None
    if image_format not in PHOTO_FORMATS:
        raise ApplicationError("image_invalid", field="file")
    return data, PHOTO_FORMATS[image_format]


@transaction.atomic
def feedback_create(*, leader, kind: str, title: str, content: str, product_id: int | None = None) -> Feedback:
    product = None
    if product_id is not None:
        product = get_in_shop(Product, leader.shop, product_id, thing_zh="商品", thing_en="Product", field="product_id")
    return Feedback.objects.create(
        shop=leader.shop, leader=leader, kind=kind, title=title.strip(), content=content.strip(), product=product
    )


def _leader_feedback(leader, feedback_id: int, *, lock: bool = False) -> Feedback:
    rows = Feedback.objects.select_for_update() if lock else Feedback.objects
    return get_in_shop(rows.filter(leader=leader), leader.shop, feedback_id, thing_zh="反馈", thing_en="Feedback")


@transaction.atomic
def feedback_photo_add(*, leader, feedback_id: int, upload) -> FeedbackPhoto:
    feedback = _leader_feedback(leader, feedback_id, lock=True)
    if feedback.status == S.RESOLVED:
        raise ApplicationError("feedback_resolved", status=409)
    data, extension = _photo_checked(upload)
    if feedback.photos.count() >= PHOTO_MAX_PER_FEEDBACK:
        raise ApplicationError("feedback_photos_too_many", field="file", maximum=PHOTO_MAX_PER_FEEDBACK)
    photo = FeedbackPhoto(shop_id=feedback.shop_id, feedback=feedback)
    photo.image.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    photo.save()
    return photo


@transaction.atomic
def feedback_leader_reply(*, leader, feedback_id: int, body: str) -> Feedback:
    """The leader follows up; on resolved feedback that reopens it (in progress)."""
    feedback = _leader_feedback(leader, feedback_id, lock=True)
    FeedbackReply.objects.create(shop_id=feedback.shop_id, feedback=feedback, author=leader.user, body=body.strip())
    feedback.last_reply_at = timezone.now()
    if feedback.status == S.RESOLVED:
        feedback.status, feedback.resolved_at = S.IN_PROGRESS, None
    feedback.save(update_fields=["last_reply_at", "status", "resolved_at", "updated_at"])
    return feedback


def _shop_feedback(shop, feedback_id: int) -> Feedback:
    rows = Feedback.objects.select_for_update(of=("self",)).select_related("leader__user")
    return get_in_shop(rows, shop, feedback_id, thing_zh="反馈", thing_en="Feedback")


def _set_status(feedback: Feedback, status: str, actor) -> None:
    feedback.status = status
    feedback.handled_by = getattr(actor, "user", actor)
    feedback.resolved_at = timezone.now() if status == S.RESOLVED else None


@transaction.atomic
def feedback_reply(*, shop, actor, feedback_id: int, body: str, status: str | None = None) -> Feedback:
    """The shop answers (and may move the status at once: 回复并标记已解决). New feedback that
    gets an answer is in progress. The leader is told."""
    feedback = _shop_feedback(shop, feedback_id)
    user = getattr(actor, "user", actor)
    FeedbackReply.objects.create(shop=shop, feedback=feedback, author=user, from_shop=True, body=body.strip())
    feedback.last_reply_at = timezone.now()
    _set_status(feedback, status or (S.IN_PROGRESS if feedback.status == S.NEW else feedback.status), actor)
    feedback.save()
    notification_send(
        shop=shop,
        user=feedback.leader.user,
        kind=Message.Kind.LEADER,
        title=f"商家回复了你的反馈：{feedback.title}"[:60],
        body=body.strip()[:500],
        data={"feedback_id": feedback.pk, "link": f"/h5/s/{shop.pk}/leader/feedback/{feedback.pk}"},
    )
    return feedback


@transaction.atomic
def feedback_set_status(*, shop, actor, feedback_id: int, status: str) -> Feedback:
    feedback = _shop_feedback(shop, feedback_id)
    if feedback.status != status:
        _set_status(feedback, status, actor)
        feedback.save()
        if status == S.RESOLVED:
            notification_send(
                shop=shop,
                user=feedback.leader.user,
                kind=Message.Kind.LEADER,
                title=f"你的反馈已解决：{feedback.title}"[:60],
                body=feedback.title,
                data={"feedback_id": feedback.pk, "link": f"/h5/s/{shop.pk}/leader/feedback/{feedback.pk}"},
            )
    return feedback
