from datetime import datetime
from typing import Annotated, Any

from ninja import Field, Schema

from tuangou.core.validation import Name

from .models import Message


class MessageOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    body: str
    data: dict[str, Any]
    link: str | None  # the H5 page the message opens (its order, the leader center ...), or None
    read_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_link(obj: Message) -> str | None:
        data = obj.data or {}
        if isinstance(data.get("link"), str):
            return data["link"]
        order_ids = data.get("order_ids") or []
        order_id = data.get("order_id") or (order_ids[0] if len(order_ids) == 1 else None)
        if isinstance(order_id, int):
            return f"/h5/s/{obj.shop_id}/orders/{order_id}"
        if order_ids:
            return f"/h5/s/{obj.shop_id}/orders?status=arrived"
        return None

    @staticmethod
    def resolve_kind_label(obj: Message) -> str:
        return obj.get_kind_display()


class ReadAllOut(Schema):
    marked_read: int


class SubscribeTemplateOut(Schema):
    purpose: str  # pickup_notice, refund, campaign_result (checkout); application_result
    template_id: str


class SubscribeTemplatesOut(Schema):
    app_id: str  # empty: WeChat is not set up, the checkout offers nothing
    templates: list[SubscribeTemplateOut]


class SubscribeAcceptancesIn(Schema):
    # What the wx-open-subscribe tag's success event reported as accepted (WeChat template ids).
    template_ids: list[Annotated[Name, Field(min_length=1, max_length=64)]] = Field(..., min_length=1, max_length=10)


class SubscribeAcceptancesOut(Schema):
    remaining: dict[str, int]  # template id -> messages now allowed
