from datetime import datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Field, Schema

from tuangou.core.bounds import Int
from tuangou.core.validation import Name

from .choices import EVENTS, MAX_SECRET_GRACE_HOURS, SCOPES, SECRET_GRACE_HOURS

Scope = Literal[tuple(SCOPES)]  # type: ignore[valid-type]
EventType = Literal[tuple(EVENTS)]  # type: ignore[valid-type]


class ChoiceOut(Schema):
    value: str
    label: str


class OpenPlatformOptionsOut(Schema):
    scopes: list[ChoiceOut]
    events: list[ChoiceOut]


class ApiKeyIn(Schema):
    name: Name = Field(min_length=1, max_length=50)
    scopes: list[Scope] = Field(min_length=1, max_length=len(SCOPES))


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    created_by: str
    last_used_at: datetime | None
    revoked_at: datetime | None

    @staticmethod
    def resolve_created_by(key) -> str:
        return key.created_by.name if key.created_by_id else ""


class ApiKeyCreatedOut(ApiKeyOut):
    key: str = Field(description="The secret (tk_…): shown this once, only its hash is kept")


class WebhookEndpointIn(Schema):
    url: Name = Field(min_length=1, max_length=500)
    events: list[EventType] = Field(min_length=1, max_length=len(EVENTS))
    description: Name = Field("", max_length=100)


class WebhookEndpointPatchIn(Schema):
    url: Name | None = Field(None, min_length=1, max_length=500)
    events: list[EventType] | None = Field(None, min_length=1, max_length=len(EVENTS))
    description: Name | None = Field(None, max_length=100)
    is_active: bool | None = None


class WebhookEndpointOut(Schema):
    id: int
    url: str
    description: str
    events: list[str]
    is_active: bool
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation: until when the old secret signs too (None: only the current one)"
    )
    created_at: datetime

    @staticmethod
    def resolve_previous_secret_expires_at(endpoint):
        expires = endpoint.previous_secret_expires_at
        return expires if endpoint.previous_secret_encrypted and expires and expires > timezone.now() else None


class WebhookEndpointCreatedOut(WebhookEndpointOut):
    secret: str = Field(description="The signing secret (whsec_…)")


class WebhookSecretOut(Schema):
    secret: str


class WebhookSecretRotateIn(Schema):
    grace_hours: Int = Field(
        SECRET_GRACE_HOURS, ge=0, le=MAX_SECRET_GRACE_HOURS, description="How long the old secret signs too (0: not)"
    )


class WebhookSecretRotatedOut(WebhookEndpointOut):
    secret: str = Field(description="The new signing secret (whsec_…)")


class WebhookAttemptOut(Schema):
    id: int
    number: int
    created_at: datetime
    request_headers: dict[str, Any]
    response_status: int | None
    response_excerpt: str
    error: str
    duration_ms: int


class WebhookDeliveryOut(Schema):
    id: int
    endpoint_id: int
    endpoint_url: str
    event_id: str
    event_type: str
    status: str
    status_label: str
    attempts: int
    next_attempt_at: datetime | None
    response_status: int | None
    delivered_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_endpoint_url(delivery) -> str:
        return delivery.endpoint.url

    @staticmethod
    def resolve_status_label(delivery) -> str:
        return str(delivery.get_status_display())


class WebhookDeliveryDetailOut(WebhookDeliveryOut):
    body: str
    attempt_log: list[WebhookAttemptOut]

    @staticmethod
    def resolve_attempt_log(delivery) -> list:
        return list(delivery.attempt_log.all())
