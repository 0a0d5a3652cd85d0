import json
import logging
import threading

from django.conf import settings

_local = threading.local()


def set_request_id(value: str | None) -> None:
    _local.request_id = value
    if value and settings.SENTRY_DSN:  # an error in Sentry names the request (or the job) it came from
        import sentry_sdk

        sentry_sdk.set_tag("request_id", value)


def get_request_id() -> str | None:
    return getattr(_local, "request_id", None)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = get_request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        payload = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if getattr(record, "request_id", None):
            payload["request_id"] = record.request_id
        extra = getattr(record, "data", None)
        if isinstance(extra, dict):
            payload.update(extra)
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False, default=str)
