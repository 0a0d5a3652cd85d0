import re

from .errors import ApplicationError
from .text import printable

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


# The username a phone login makes for a member who gave no name: "p" + the phone.
_PHONE_USERNAME = re.compile(r"^p(1\d{10})$")


def public_name(name: str, phone: str = "") -> str:
    """How a member is shown to others (jielong, feed, buyer list, sorting sheet, the leader's
    orders): 张** when they gave a name; otherwise their masked phone, 138****1234 (never the
    generated username as p***********); 匿名 when there is neither."""
    name = printable(name or "", one_line=True).strip()  # a control character is no initial
    generated = _PHONE_USERNAME.match(name)
    if name and not generated:
        return mask_name(name)
    if phone or generated:
        return mask_phone(phone or generated.group(1))
    return mask_name("")
