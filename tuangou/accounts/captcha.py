"""An image captcha in front of SMS code sending: after SMS_CAPTCHA_AFTER_SENDS sends from one
client IP within an hour, the send-code endpoint asks for one (`captcha_required`, field
`captcha`) until it is solved.

Nothing is stored per captcha: its id is a signed, timestamped token (valid
SMS_CAPTCHA_TTL_SECONDS) carrying a nonce and an HMAC of the answer, never the answer. Each is
single use, right or wrong: checking it claims the nonce's one attempt (tuangou.accounts.limits), so
a guess costs a new picture."""

import base64
import hashlib
import hmac
import io
import json
import secrets

from django.conf import settings
from django.core import signing
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from tuangou.core.errors import ApplicationError

from .limits import attempt_claim

ALPHABET = "ACDEFHJKLMNPRTUVWXY34679"  # no 0/O, 1/I, 2/Z, 5/S, 8/B look-alikes
LENGTH = 4
_SALT = "tuangou.accounts.captcha"


def _answer_hash(nonce: str, answer: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"captcha:{nonce}:{answer.upper()}".encode(), hashlib.sha256
    ).hexdigest()


def _draw(answer: str) -> bytes:
    rng = secrets.SystemRandom()
    width, height = 120, 44
    image = Image.new("RGB", (width, height), (245, 246, 250))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        draw.line(
            [(rng.randint(0, width), rng.randint(0, height)), (rng.randint(0, width), rng.randint(0, height))],
            fill=(rng.randint(150, 210), rng.randint(150, 210), rng.randint(150, 210)),
            width=1,
        )
    font = ImageFont.load_default(size=28)
    for index, char in enumerate(answer):
        glyph = Image.new("RGBA", (34, 40), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text(
            (4, 2), char, font=font, fill=(rng.randint(20, 90), rng.randint(40, 110), rng.randint(90, 170))
        )
        glyph = glyph.rotate(rng.uniform(-25, 25), resample=Image.Resampling.BICUBIC)
        image.paste(glyph, (6 + index * 27, rng.randint(0, 6)), glyph)
    for _ in range(120):
        draw.point((rng.randint(0, width - 1), rng.randint(0, height - 1)), fill=(rng.randint(100, 200),) * 3)
    image = image.filter(ImageFilter.SMOOTH)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def captcha_create() -> dict:
    """A new captcha: {captcha_id, image (a PNG data URL), expires_in}."""
    answer = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    nonce = secrets.token_urlsafe(12)
    captcha_id = signing.dumps({"n": nonce, "h": _answer_hash(nonce, answer)}, salt=_SALT, compress=True)
    if settings.SMS_SHOW_CODES:  # development and tests read it like the SMS codes (never in production)
        path = settings.VAR_DIR / "captcha_answers.jsonl"
        lines = path.read_text().splitlines()[-49:] if path.exists() else []
        lines.append(json.dumps({"captcha_id": captcha_id, "answer": answer}))
        path.write_text("\n".join(lines) + "\n")
    image = base64.b64encode(_draw(answer)).decode()
    return {
        "captcha_id": captcha_id,
        "image": f"data:image/png;base64,{image}",
        "expires_in": settings.SMS_CAPTCHA_TTL_SECONDS,
    }


def captcha_check(*, captcha_id: str, answer: str) -> None:
    """Accept a solved captcha once; raise `captcha_invalid` (field captcha) for a wrong, expired,
    forged or already used one."""
    try:
        data = signing.loads(captcha_id or "", salt=_SALT, max_age=settings.SMS_CAPTCHA_TTL_SECONDS)
        nonce, expected = str(data["n"]), str(data["h"])
    except (signing.BadSignature, KeyError, TypeError):
        raise ApplicationError("captcha_invalid", field="captcha") from None
    # One check per captcha, claimed before comparing: a wrong guess needs a new picture.
    if not attempt_claim(key=f"captcha:{nonce}", limit=1, window_seconds=settings.SMS_CAPTCHA_TTL_SECONDS):
        raise ApplicationError("captcha_invalid", field="captcha")
    if not hmac.compare_digest(expected, _answer_hash(nonce, (answer or "").strip())):
        raise ApplicationError("captcha_invalid", field="captcha")


def captcha_answer_for(captcha_id: str) -> str | None:
    """The answer of a captcha shown in development (SMS_SHOW_CODES), for the demo and tests."""
    path = settings.VAR_DIR / "captcha_answers.jsonl"
    if not path.exists():
        return None
    for line in reversed(path.read_text().splitlines()):
        item = json.loads(line)
        if item["captcha_id"] == captcha_id:
            return item["answer"]
    return None


def last_captcha_answer() -> str | None:
    """The answer of the newest captcha shown in development (SMS_SHOW_CODES)."""
    path = settings.VAR_DIR / "captcha_answers.jsonl"
    lines = path.read_text().splitlines() if path.exists() else []
    return json.loads(lines[-1])["answer"] if lines else None
