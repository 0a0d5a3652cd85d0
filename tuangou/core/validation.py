"""Turns pydantic's validation errors into our one error shape, with a zh-CN or English reason;
and the text types every input schema uses (Name, Text), which refuse what a database or a
spreadsheet cannot hold.
"""

import re
from datetime import UTC, datetime
from typing import Annotated

from ninja.parser import Parser
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

from .errors import MESSAGES, ApplicationError, field_label
from .i18n import is_english
from .money import format_fen

# NUL (PostgreSQL refuses it in text: a 500), the other C0 controls and DEL (openpyxl refuses them:
# the export of the order breaks), and lone surrogates (not encodable as UTF-8).
_NOT_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# A one-line name also refuses tab, line feed and carriage return.
_NOT_IN_NAME = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
SEARCH_MAX = 60


def _refusing(pattern: re.Pattern):
    def check(value: str) -> str:
        if pattern.search(value):
            raise PydanticCustomError("control_character", "must not contain control characters")
        return value

    return AfterValidator(check)


# Every str of an input schema or query is one of these (the fuzz test sends NUL and friends).
Name = Annotated[str, _refusing(_NOT_IN_NAME)]  # one line: names, titles, codes, phones, reasons
Text = Annotated[str, _refusing(_NOT_IN_TEXT)]  # several lines: descriptions, notes (\n, \t and \r allowed)
# What a list is searched for: a name, bounded (a 10,000-character search was read and matched).
Search = Annotated[str, StringConstraints(max_length=SEARCH_MAX), _refusing(_NOT_IN_NAME)]


def _in_utc(value: datetime) -> datetime:
    """Aware times are kept in UTC: PostgreSQL refuses offsets past ±15:59 (pydantic takes ±23:59)."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-05:00 is past datetime's last day in UTC
        raise PydanticCustomError("datetime_range", "is out of range") from None


Moment = Annotated[datetime, AfterValidator(_in_utc)]  # every date-time a request carries

_REASONS = {
    "missing": ("必填", "is required"),
    "greater_than_equal": ("不能小于{ge}", "must be at least {ge}"),
    "greater_than": ("必须大于{gt}", "must be greater than {gt}"),
    "less_than_equal": ("不能大于{le}", "must be at most {le}"),
    "less_than": ("必须小于{lt}", "must be less than {lt}"),
    "string_too_short": ("至少{min_length}个字符", "must have at least {min_length} characters"),
    "string_too_long": ("最多{max_length}个字符", "must have at most {max_length} characters"),
    "int_parsing": ("必须是整数", "must be an integer"),
    "int_type": ("必须是整数", "must be an integer"),
    "int_from_float": ("必须是整数（金额以分为单位）", "must be a whole number (money is in fen)"),
    "datetime_parsing": ("时间格式不正确", "is not a valid date-time"),
    "datetime_from_date_parsing": ("时间格式不正确", "is not a valid date-time"),
    "enum": ("可选值为：{expected}", "must be one of: {expected}"),
    "literal_error": ("可选值为：{expected}", "must be one of: {expected}"),
    "too_short": ("至少需要{min_length}项", "needs at least {min_length} entries"),
    "too_long": ("最多{max_length}项", "takes at most {max_length} entries"),
    "json_invalid": ("请求体不是有效的 JSON", "the body is not valid JSON"),
    "value_error": ("{error}", "{error}"),
    "datetime_range": ("时间超出范围", "is out of range"),
    "control_character": ("不能包含控制字符（如 NUL）", "must not contain control characters (such as NUL)"),
    "string_unicode": ("不是有效的文本", "is not valid text"),
}


_LOCATIONS = ("body", "query", "path", "form", "payload", "data", "file", "files")


def validation_error_body(errors: list[dict]) -> dict:
    first = errors[0] if errors else {"type": "value_error", "loc": [], "msg": "invalid"}
    field = _field(first) or None
    if first.get("type") in MESSAGES:  # a business rule checked by the schema (core/bounds.py)
        error = ApplicationError(first["type"], field=field)
        return {"code": error.code, "message": error.message(), "field": field}
    english = is_english()
    zh, en = _REASONS.get(first.get("type"), (None, None))
    context = dict(first.get("ctx") or {})
    context.setdefault("error", first.get("msg", ""))
    if (field or "").endswith("_fen"):  # people read money in 元 (¥1,000,000.00), never in 分
        context.update({k: format_fen(v) for k, v in context.items() if k in ("le", "ge", "lt", "gt")})
    if zh is None:
        reason = first.get("msg", "invalid")
    else:
        try:
            reason = (en if english else zh).format(**context)
        except (KeyError, IndexError):
            reason = first.get("msg", "")
    label = field_label(field) or ("request" if english else "请求")
    message = f"{label}: {reason}" if english else f"{label}：{reason}"
    return {
        "code": "validation_error",
        "message": message,
        "field": field,
        "errors": [{"field": _field(e) or None, "type": e.get("type"), "msg": e.get("msg")} for e in errors],
    }


def _field(error: dict) -> str:
    return ".".join(str(part) for part in error.get("loc", []) if part not in _LOCATIONS)


class JsonObjectParser(Parser):
    """Every request body of the API is a JSON object. Ninja's schemas read attributes, so a list
    or a string was taken for an object with no fields (a PATCH of nothing answered 200)."""

    def parse_body(self, request):
        data = super().parse_body(request)
        if not isinstance(data, dict) and request.META:  # (Ninja parses multipart fields with a bare request)
            raise ValueError("the body must be a JSON object")  # Ninja answers 400 (json_invalid)
        return data
