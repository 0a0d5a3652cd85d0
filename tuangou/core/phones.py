import re

from .errors import ApplicationError

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(raw: str, *, field: str = "phone") -> str:
    """Mainland mobile numbers only: 11 digits starting 13–19; spaces, dashes and +86 are dropped."""
    phone = re.sub(r"[\s-]", "", raw or "")
    if phone.startswith("+86"):
        phone = phone[3:]
    if not _MOBILE.match(phone):
        raise ApplicationError("phone_invalid", field=field)
    return phone


def mask_phone(phone: str) -> str:
    """13812341234 -> 138****1234, as anyone else sees it."""
    if not phone or len(phone) < 7:
        return phone or ""
    return f"{phone[:3]}****{phone[-4:]}"


def mask_name(name: str) -> str:
    """张三丰 -> 张**; a lone character stays."""
    if not name:
        return "匿名"
    return name[0] + "*" * max(len(name) - 1, 1) if len(name) > 1 else name + "*"
