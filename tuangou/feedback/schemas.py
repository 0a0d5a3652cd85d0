from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from tuangou.core.bounds import Id
from tuangou.core.validation import Name, Text

from .models import Feedback

# Literals, not the models' TextChoices: enums are named by class in the OpenAPI document, and
# another app's `Status` would take this one's place.
FeedbackKind = Literal[tuple(Feedback.Kind.values)]  # type: ignore[valid-type]
FeedbackStatus = Literal[tuple(Feedback.Status.values)]  # type: ignore[valid-type]


class FeedbackIn(Schema):
    kind: FeedbackKind
    title: Name = Field(min_length=1, max_length=60)
    content: Text = Field(min_length=1, max_length=2000)
    product_id: Id | None = None


class FeedbackReplyIn(Schema):
    body: Text = Field(min_length=1, max_length=2000)


class FeedbackShopReplyIn(FeedbackReplyIn):
    status: FeedbackStatus | None = None


class FeedbackStatusIn(Schema):
    status: FeedbackStatus


class FeedbackQuery(Schema):
    status: FeedbackStatus | None = None
    kind: FeedbackKind | None = None
    leader_id: Id | None = None


class FeedbackPhotoOut(Schema):
    id: int
    url: str

    @staticmethod
    def resolve_url(photo) -> str:
        return photo.image.url


class FeedbackReplyOut(Schema):
    id: int
    from_shop: bool
    author: str
    body: str
    created_at: datetime

    @staticmethod
    def resolve_author(reply) -> str:
        return reply.author.name if reply.author_id and reply.author else ""


class FeedbackOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    content: str
    status: str
    status_label: str
    leader_id: int
    leader_name: str
    product_id: int | None
    product_name: str | None
    photo_count: int
    reply_count: int
    created_at: datetime
    last_reply_at: datetime | None
    resolved_at: datetime | None

    @staticmethod
    def resolve_kind_label(feedback) -> str:
        return str(feedback.get_kind_display())

    @staticmethod
    def resolve_status_label(feedback) -> str:
        return str(feedback.get_status_display())

    @staticmethod
    def resolve_leader_name(feedback) -> str:
        return feedback.leader.name

    @staticmethod
    def resolve_product_name(feedback) -> str | None:
        return feedback.product.name if feedback.product_id else None

    @staticmethod
    def resolve_photo_count(feedback) -> int:
        return getattr(feedback, "photo_count", None) or feedback.photos.count()

    @staticmethod
    def resolve_reply_count(feedback) -> int:
        return getattr(feedback, "reply_count", None) or feedback.replies.count()


class FeedbackDetailOut(FeedbackOut):
    photos: list[FeedbackPhotoOut]
    replies: list[FeedbackReplyOut]

    @staticmethod
    def resolve_photos(feedback) -> list:
        return list(feedback.photos.all())

    @staticmethod
    def resolve_replies(feedback) -> list:
        return list(feedback.replies.select_related("author"))
