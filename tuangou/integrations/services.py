"""Open platform: API keys (created, revoked) and signed webhooks (endpoints, the deliveries of
each event, their attempts with backoff). Deliveries are an outbox: the row is written in the
transaction of what happened, the HTTP request is made by a job after commit."""

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import urllib.error
import urllib.request
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from tuangou.audit.services import audit_record
from tuangou.core.api import get_in_shop
from tuangou.core.errors import ApplicationError
from tuangou.core.transactions import after_commit, outside_transaction
from tuangou.payments.secret_box import SecretUnreadable, decrypt, encrypt

from .choices import EVENTS, MAX_SECRET_GRACE_HOURS, SCOPES, SECRET_GRACE_HOURS, TEST_EVENT
from .models import ApiKey, WebhookAttempt, WebhookDelivery, WebhookEndpoint

MAX_ENDPOINTS = 10
# The wait after the 1st, 2nd, … failed attempt; after the last one the delivery has failed.
BACKOFF = [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=8)]
MAX_ATTEMPTS = len(BACKOFF) + 1
TIMEOUT_SECONDS = 10
# A claimed attempt holds its delivery this long: a worker that died mid-request is retried after it.
CLAIM_LEASE = timedelta(minutes=2)
EXCERPT_CHARS = 500
USER_AGENT = "Tuangou-Webhooks/1.0"

D = WebhookDelivery.Status


# --- API keys -------------------------------------------------------------------------------


def _scopes_checked(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown or not scopes:
        raise ApplicationError("invalid", field="scopes", reason="one_of", choices=", ".join(SCOPES))
    return [scope for scope in SCOPES if scope in scopes]


@transaction.atomic
def api_key_create(*, shop, actor, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """A new key and its secret, which is shown this once (only its hash is kept)."""
    secret = ApiKey.new_key()
    key = ApiKey.objects.create(
        shop=shop,
        name=name.strip()[:50],
        prefix=secret[:10],
        key_hash=ApiKey.hash_key(secret),
        scopes=_scopes_checked(scopes),
        created_by=getattr(actor, "user", actor),
    )
    audit_record(shop=shop, actor=actor, action="api_key.create", target=key, after={"scopes": key.scopes})
    return key, secret


@transaction.atomic
def api_key_revoke(*, shop, actor, key_id: int) -> ApiKey:
    key = get_in_shop(ApiKey.objects.select_for_update(), shop, key_id, thing_zh="API 密钥", thing_en="API key")
    if key.revoked_at is not None:
        raise ApplicationError("api_key_revoked", status=409)
    key.revoked_at = timezone.now()
    key.revoked_by = getattr(actor, "user", actor)
    key.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
    audit_record(shop=shop, actor=actor, action="api_key.revoke", target=key, before={"prefix": key.prefix})
    return key


# --- webhook endpoints ----------------------------------------------------------------------


def _private_allowed() -> bool:
    return bool(settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False))


def _address_refused(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


def webhook_url_check(url: str, *, resolve: bool = True) -> str:
    """An http(s) address whose host resolves only to public addresses (SSRF: no 127.0.0.1, 10/8,
    169.254.169.254 …), unless private ones are allowed (DEBUG, WEBHOOKS_ALLOW_PRIVATE)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ApplicationError("webhook_url_invalid", field="url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username or parts.password:
        raise ApplicationError("webhook_url_invalid", field="url")
    if _private_allowed() or not resolve:
        return url
    host = parts.hostname
    try:
        infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise ApplicationError("webhook_url_invalid", field="url") from None
    if not infos or any(_address_refused(info[4][0]) for info in infos):
        raise ApplicationError("webhook_url_private", field="url", host=host[:100])
    return url


def _events_checked(events: list[str]) -> list[str]:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown:
        raise ApplicationError("webhook_events_unknown", field="events", events=", ".join(unknown)[:200])
    if not events:
        raise ApplicationError("required", field="events")
    return [event for event in EVENTS if event in events]


@transaction.atomic
def webhook_endpoint_create(*, shop, actor, url: str, events: list[str], description: str = "") -> tuple:
    """A new endpoint and its signing secret (whsec_…, shown in the console, kept encrypted)."""
    url = webhook_url_check(url)
    if WebhookEndpoint.objects.filter(shop=shop).count() >= MAX_ENDPOINTS:
        raise ApplicationError("webhook_endpoints_too_many", status=409, maximum=MAX_ENDPOINTS)
    secret = _new_webhook_secret()
    endpoint = WebhookEndpoint.objects.create(
        shop=shop,
        url=url,
        description=description.strip()[:100],
        events=_events_checked(events),
        secret_encrypted=encrypt(secret),
    )
    audit_record(
        shop=shop,
        actor=actor,
        action="webhook.create",
        target=(("webhook", endpoint.pk, url)),
        after={
            "url": url,
            "events": endpoint.events,
        },
    )
    return endpoint, secret


@transaction.atomic
def webhook_endpoint_update(*, shop, actor, endpoint_id: int, **changes) -> WebhookEndpoint:
    endpoint = get_in_shop(WebhookEndpoint.objects.select_for_update(), shop, endpoint_id, thing_en="Webhook")
    before = {"url": endpoint.url, "events": endpoint.events, "is_active": endpoint.is_active}
    if changes.get("url") is not None:
        endpoint.url = webhook_url_check(changes["url"])
    if changes.get("events") is not None:
        endpoint.events = _events_checked(changes["events"])
    if changes.get("description") is not None:
        endpoint.description = changes["description"].strip()[:100]
    if changes.get("is_active") is not None:
        endpoint.is_active = changes["is_active"]
    endpoint.save()
    after = {"url": endpoint.url, "events": endpoint.events, "is_active": endpoint.is_active}
    target = ("webhook", endpoint.pk, endpoint.url)
    audit_record(shop=shop, actor=actor, action="webhook.update", target=target, before=before, after=after)
    return endpoint


@transaction.atomic
def webhook_endpoint_delete(*, shop, actor, endpoint_id: int) -> None:
    endpoint = get_in_shop(WebhookEndpoint.objects.select_for_update(), shop, endpoint_id, thing_en="Webhook")
    target = ("webhook", endpoint.pk, endpoint.url)
    audit_record(shop=shop, actor=actor, action="webhook.delete", target=target, before={"url": endpoint.url})
    endpoint.delete()


def _new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


@transaction.atomic
def webhook_secret_rotate(
    *, shop, actor, endpoint_id: int, grace_hours: int = SECRET_GRACE_HOURS
) -> tuple[WebhookEndpoint, str]:
    """A new signing secret (shown once, as the answer). For `grace_hours` the old one signs each
    delivery too (a second v1), so the receiver can switch without refusing anything; 0 drops it
    now. A rotation inside a grace period drops the older secret: only the last two ever sign."""
    if not 0 <= grace_hours <= MAX_SECRET_GRACE_HOURS:
        raise ApplicationError("validation", field="grace_hours", reason="at_most", maximum=MAX_SECRET_GRACE_HOURS)
    endpoint = get_in_shop(WebhookEndpoint.objects.select_for_update(), shop, endpoint_id, thing_en="Webhook")
    webhook_secret(endpoint)  # the current one must be readable to keep signing with it
    secret = _new_webhook_secret()
    if grace_hours:
        endpoint.previous_secret_encrypted = endpoint.secret_encrypted
        endpoint.previous_secret_expires_at = timezone.now() + timedelta(hours=grace_hours)
    else:
        endpoint.previous_secret_encrypted, endpoint.previous_secret_expires_at = "", None
    endpoint.secret_encrypted = encrypt(secret)
    endpoint.save(
        update_fields=["secret_encrypted", "previous_secret_encrypted", "previous_secret_expires_at", "updated_at"]
    )
    audit_record(
        shop=shop,
        actor=actor,
        action="webhook.rotate_secret",
        target=("webhook", endpoint.pk, endpoint.url),
        after={"grace_hours": grace_hours},  # never the secret itself
    )
    return endpoint, secret


def webhook_secret(endpoint: WebhookEndpoint) -> str:
    """The signing secret; a 409 when no configured key decrypts it (a key dropped too early)."""
    try:
        return decrypt(endpoint.secret_encrypted)
    except SecretUnreadable:
        raise ApplicationError("webhook_secret_unreadable", status=409) from None


def webhook_signing_secrets(endpoint: WebhookEndpoint, now=None) -> list[str]:
    """The secrets a delivery is signed with now: the current one, then the previous one while its
    grace period runs (an unreadable previous secret is skipped: the current one still signs)."""
    secrets_now = [webhook_secret(endpoint)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret_encrypted and expires and (now or timezone.now()) < expires:
        try:
            secrets_now.append(decrypt(endpoint.previous_secret_encrypted))
        except SecretUnreadable:
            pass
    return secrets_now


def signature_header(secrets_now: list[str], timestamp: int, body: bytes) -> str:
    """`t=<timestamp>,v1=<new>[,v1=<old>]`: Stripe's convention, one v1 per secret, the newest first."""
    return ",".join([f"t={timestamp}", *(f"v1={sign(secret, timestamp, body)}" for secret in secrets_now)])


# --- events and deliveries ------------------------------------------------------------------


def _body(*, event_id: str, event_type: str, shop_id: int, data: dict) -> str:
    payload = {
        "id": event_id,
        "type": event_type,
        "created": int(time.time()),
        "shop_id": shop_id,
        "data": data,
    }
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _queue(delivery_ids: list[int]) -> None:
    for delivery_id in delivery_ids:
        async_task("tuangou.integrations.tasks.webhook_deliver", delivery_id)


def webhook_event_emit(*, shop_id: int, event_type: str, data: dict, endpoints=None) -> list[WebhookDelivery]:
    """One delivery per active endpoint of the shop that takes `event_type` (or per endpoint of
    `endpoints`), all with the same event id: a receiver that sees an id twice has seen it."""
    if endpoints is None:
        endpoints = [
            endpoint
            for endpoint in WebhookEndpoint.objects.filter(shop_id=shop_id, is_active=True)
            if event_type in endpoint.events
        ]
    if not endpoints:
        return []
    event_id = "evt_" + uuid.uuid4().hex
    body = _body(event_id=event_id, event_type=event_type, shop_id=shop_id, data=data)
    deliveries = WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                shop_id=shop_id,
                endpoint=endpoint,
                event_id=event_id,
                event_type=event_type,
                body=body,
                next_attempt_at=timezone.now(),
            )
            for endpoint in endpoints
        ]
    )
    ids = [delivery.pk for delivery in deliveries]
    after_commit(lambda: _queue(ids))
    return deliveries


@transaction.atomic
def webhook_test_send(*, shop, endpoint_id: int) -> WebhookDelivery:
    """The console's 发送测试事件: a `webhook.test` event to this endpoint only (even if paused)."""
    endpoint = get_in_shop(WebhookEndpoint, shop, endpoint_id, thing_en="Webhook")
    data = {"message": "Tuangou webhook test 测试事件", "endpoint_id": endpoint.pk}
    return webhook_event_emit(shop_id=shop.pk, event_type=TEST_EVENT, data=data, endpoints=[endpoint])[0]


@transaction.atomic
def webhook_redeliver(*, shop, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again now (same event id and body), whatever it came to; its attempts so
    far stay in the log and it gets the full series of retries again."""
    delivery = get_in_shop(WebhookDelivery.objects.select_for_update(), shop, delivery_id, thing_en="Delivery")
    delivery.status = D.PENDING
    delivery.attempts = 0
    delivery.next_attempt_at = timezone.now()
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    after_commit(lambda: _queue([delivery.pk]))
    return delivery


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The v1 signature: hex HMAC-SHA256 of `<timestamp>.<raw body>` under the endpoint's secret."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take the delivery for one attempt if it is pending and due; pushes its next attempt past a
    lease so another worker (or the retry job) leaves it alone meanwhile."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("endpoint")
            .filter(pk=delivery_id, status=D.PENDING)
            .first()
        )
        now = timezone.now()
        if delivery is None or (delivery.next_attempt_at and delivery.next_attempt_at > now):
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + CLAIM_LEASE
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
        return delivery


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx is the answer (a redirect could lead to a private address)


_opener = urllib.request.build_opener(_NoRedirect)


def _post(url: str, body: bytes, headers: dict) -> tuple[int | None, str, str]:
    """(status, body excerpt, error) of one POST."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, response.read(EXCERPT_CHARS * 4).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(EXCERPT_CHARS * 4).decode("utf-8", "replace"), ""
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, "", f"{type(reason).__name__}: {reason}"[:200]


@outside_transaction
def webhook_deliver(delivery_id: int) -> str:
    """One attempt (the job): signs the body with the time now and POSTs it; 2xx → delivered,
    anything else → the next attempt after the backoff, or failed after MAX_ATTEMPTS. Runs the
    request outside any transaction. Answers the delivery's status (or "" if not due)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return ""
    endpoint = delivery.endpoint
    body = delivery.body.encode()
    timestamp = int(time.time())
    try:
        signing = webhook_signing_secrets(endpoint)
    except ApplicationError as unreadable:
        return _record(delivery, {}, None, "", unreadable.message()[:200], 0)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Tuangou-Event": delivery.event_type,
        "X-Tuangou-Event-Id": delivery.event_id,
        "X-Tuangou-Delivery": str(delivery.pk),
        "X-Tuangou-Signature": signature_header(signing, timestamp, body),
    }
    started = time.monotonic()
    try:
        webhook_url_check(endpoint.url)  # again at send time: DNS may have changed since
        status, excerpt, error = _post(endpoint.url, body, headers)
    except ApplicationError as refused:
        status, excerpt, error = None, "", refused.message()[:200]
    duration_ms = int((time.monotonic() - started) * 1000)
    return _record(delivery, headers, status, excerpt, error, duration_ms)


@transaction.atomic
def _record(delivery, headers, status, excerpt, error, duration_ms) -> str:
    WebhookAttempt.objects.create(
        shop_id=delivery.shop_id,
        delivery=delivery,
        number=delivery.attempts,
        request_headers=headers,
        response_status=status,
        response_excerpt=excerpt[:EXCERPT_CHARS],
        error=error,
        duration_ms=duration_ms,
    )
    now = timezone.now()
    changes = {"response_status": status}
    if status is not None and 200 <= status < 300:
        changes.update(status=D.SUCCEEDED, delivered_at=now, next_attempt_at=None)
    elif delivery.attempts >= MAX_ATTEMPTS:
        changes.update(status=D.FAILED, next_attempt_at=None)
    else:
        changes.update(next_attempt_at=now + BACKOFF[delivery.attempts - 1])
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**changes, updated_at=now)
    return changes.get("status", D.PENDING)


def webhook_deliveries_retry_due(*, now=None, limit: int = 500) -> int:
    """Scheduled every minute: queue each pending delivery whose next attempt is due (a retry, or
    one whose job was lost)."""
    now = now or timezone.now()
    ids = list(
        WebhookDelivery.objects.filter(status=D.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:limit]
    )
    _queue(ids)
    return len(ids)
