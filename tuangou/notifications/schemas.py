from datetime import datetime
from typing import Any

from ninja import Schema

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
