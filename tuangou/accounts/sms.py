"""Outbound SMS behind one interface. Development uses the console backend: the code goes to
the log and to a small outbox file that /dev/sms shows (every web worker sees the same file)."""

import json
import logging
from datetime import datetime
from typing import Protocol

from django.conf import settings

logger = logging.getLogger("tuangou.sms")
_OUTBOX_KEEP = 50


class SmsBackend(Protocol):
    name: str

    def send(self, *, phone: str, text: str, code: str | None = None) -> str:
        """Send one SMS; returns the provider's message id."""


class ConsoleSmsBackend:
    name = "console"

    def send(self, *, phone, text, code=None):
        logger.info("sms", extra={"data": {"phone": phone, "text": text}})
        path = settings.VAR_DIR / "sms_outbox.jsonl"
        lines = path.read_text().splitlines()[-(_OUTBOX_KEEP - 1) :] if path.exists() else []
        lines.append(
            json.dumps(
                {
                    "phone": phone,
                    "code": code or "",
                    "text": text,
                    "sent_at": datetime.now().isoformat(timespec="seconds"),
                },
                ensure_ascii=False,
            )
        )
        path.write_text("\n".join(lines) + "\n")
        return f"console-{len(lines)}"


_BACKENDS = {"console": ConsoleSmsBackend}


def get_backend() -> SmsBackend:
    return _BACKENDS[settings.SMS_BACKEND]()


def recent_outbox() -> list[dict]:
    path = settings.VAR_DIR / "sms_outbox.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in reversed(path.read_text().splitlines()) if line.strip()]


def last_code_for(phone: str) -> str | None:
    """The newest code sent to a phone by the console backend (demo and tests)."""
    for message in recent_outbox():
        if message["phone"] == phone and message["code"]:
            return message["code"]
    return None
