import re
import unicodedata

from .errors import ApplicationError
from .text import printable

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Spaces of any kind (incl. the ideographic space NFKC leaves as U+0020), dashes and dots
# people type or paste between digit groups, and brackets around an area prefix.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−.()（）]")


def normalize_phone(raw: str, *, field: str = "phone") -> str:
    """Mainland mobile numbers only: 11 digits starting 13–19, as one canonical string.

    Every phone that enters the system goes through here first, so `13９００１３９０００`,
    `139 0013 9000`, `+86 139-0013-9000`, `0086 13900139000` and `8613900139000` are one
    account: NFKC folds full-width digits and plus signs, separators are dropped, and the
    country code (+86, 0086, or a bare 86 before 11 digits) is removed before validating."""
    phone = _SEPARATORS.sub("", unicodedata.normalize("NFKC", str(raw or "")))
    if phone.startswith("+86"):
        phone = phone[3:]
    elif phone.startswith("0086"):
        phone = phone[4:]
    elif phone.startswith("86") and len(phone) == 13:
        phone = phone[2:]
    if not phone.isascii() or not _MOBILE.match(phone):
        raise ApplicationError("phone_invalid", field=field, status=422)
    return phone


def normalize_phone_search(raw: str) -> str:
    """A phone (or a fragment of one) typed into a search box, as stored: a whole number in any
    form normalises like normalize_phone; otherwise its ASCII digits (full-width folded)."""
    try:
        return normalize_phone(raw)
    except ApplicationError:
        return "".join(ch for ch in unicodedata.normalize("NFKC", raw or "") if ch.isascii() and ch.isdigit())


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
    generated = _PHONE_USERNAME.match(name) if name[:1] == "p" else None
    if name and not generated:
        return mask_name(name)
    if phone or generated:
        return mask_phone(phone or generated.group(1))
    return mask_name("")
