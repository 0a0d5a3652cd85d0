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
    read_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_kind_label(obj: Message) -> str:
        return obj.get_kind_display()


class ReadAllOut(Schema):
    marked_read: int
