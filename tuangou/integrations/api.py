"""Console: 开放平台 — API keys and webhooks (owner and admin: integrations.manage)."""

from typing import Literal

from ninja import Path, Query, Router, Schema
from ninja.pagination import paginate

from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.core.pagination import PageNumberPagination
from tuangou.shops.access import access_shop_as_staff

from . import selectors, services
from .models import WebhookDelivery
from .schemas import (
    ApiKeyCreatedOut,
    ApiKeyIn,
    ApiKeyOut,
    EventType,
    OpenPlatformOptionsOut,
    WebhookDeliveryDetailOut,
    WebhookDeliveryOut,
    WebhookEndpointCreatedOut,
    WebhookEndpointIn,
    WebhookEndpointOut,
    WebhookEndpointPatchIn,
    WebhookSecretOut,
    WebhookSecretRotatedOut,
    WebhookSecretRotateIn,
)

console_router = Router(tags=["console: open platform 开放平台"], auth=AUTH)


class DeliveryQuery(Schema):
    endpoint_id: Id | None = None
    status: Literal[tuple(WebhookDelivery.Status.values)] | None = None  # type: ignore[valid-type]
    event_type: EventType | None = None


@console_router.get("/open-platform/options", response=OpenPlatformOptionsOut, summary="Key scopes and webhook events")
def get_open_platform_options(request, shop_id: Path[Id]):
    access_shop_as_staff(request, shop_id, "integrations.manage")
    return selectors.open_platform_options()


@console_router.get("/api-keys", response=list[ApiKeyOut], summary="The shop's API keys (revoked ones too)")
def list_api_keys(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    return selectors.api_keys_list(shop=staff.shop)


@console_router.post(
    "/api-keys", response={201: ApiKeyCreatedOut}, summary="Create an API key (its secret is shown this once)"
)
def create_api_key(request, shop_id: Path[Id], payload: ApiKeyIn):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    key, secret = services.api_key_create(shop=staff.shop, actor=staff, name=payload.name, scopes=payload.scopes)
    key.key = secret
    return 201, key


@console_router.post("/api-keys/{key_id}/revoke", response=ApiKeyOut, summary="Revoke an API key (at once)")
def revoke_api_key(request, shop_id: Path[Id], key_id: Id):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    return services.api_key_revoke(shop=staff.shop, actor=staff, key_id=key_id)


@console_router.get("/webhooks", response=list[WebhookEndpointOut], summary="The shop's webhook endpoints")
def list_webhooks(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    return selectors.webhook_endpoints_list(shop=staff.shop)


@console_router.post("/webhooks", response={201: WebhookEndpointCreatedOut}, summary="Add a webhook endpoint")
def create_webhook(request, shop_id: Path[Id], payload: WebhookEndpointIn):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    endpoint, secret = services.webhook_endpoint_create(
        shop=staff.shop, actor=staff, url=payload.url, events=payload.events, description=payload.description
    )
    endpoint.secret = secret
    return 201, endpoint


@console_router.patch("/webhooks/{endpoint_id}", response=WebhookEndpointOut, summary="Change or pause a webhook")
def update_webhook(request, shop_id: Path[Id], endpoint_id: Id, payload: WebhookEndpointPatchIn):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    return services.webhook_endpoint_update(
        shop=staff.shop, actor=staff, endpoint_id=endpoint_id, **payload.dict(exclude_unset=True)
    )


@console_router.delete("/webhooks/{endpoint_id}", response={204: None}, summary="Delete a webhook and its log")
def delete_webhook(request, shop_id: Path[Id], endpoint_id: Id):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    services.webhook_endpoint_delete(shop=staff.shop, actor=staff, endpoint_id=endpoint_id)
    return 204, None


@console_router.get("/webhooks/{endpoint_id}/secret", response=WebhookSecretOut, summary="A webhook's signing secret")
def get_webhook_secret(request, shop_id: Path[Id], endpoint_id: Id):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    endpoint = selectors.webhook_endpoint_get(shop=staff.shop, endpoint_id=endpoint_id)
    return {"secret": services.webhook_secret(endpoint)}


@console_router.post(
    "/webhooks/{endpoint_id}/rotate-secret",
    response=WebhookSecretRotatedOut,
    summary="A new signing secret (shown once); the old one signs too for grace_hours",
)
def rotate_webhook_secret(request, shop_id: Path[Id], endpoint_id: Id, payload: WebhookSecretRotateIn):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    endpoint, secret = services.webhook_secret_rotate(
        shop=staff.shop, actor=staff, endpoint_id=endpoint_id, grace_hours=payload.grace_hours
    )
    endpoint.secret = secret
    return endpoint


@console_router.post(
    "/webhooks/{endpoint_id}/test", response={201: WebhookDeliveryOut}, summary="Send a test event (webhook.test)"
)
def send_webhook_test(request, shop_id: Path[Id], endpoint_id: Id):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    delivery = services.webhook_test_send(shop=staff.shop, endpoint_id=endpoint_id)
    return 201, selectors.webhook_delivery_get(shop=staff.shop, delivery_id=delivery.pk)


@console_router.get(
    "/webhook-deliveries", response=list[WebhookDeliveryOut], summary="The delivery log, newest first, filtered"
)
@paginate(PageNumberPagination, page_size=20)
def list_webhook_deliveries(request, shop_id: Path[Id], filters: Query[DeliveryQuery]):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    return selectors.webhook_deliveries_list(shop=staff.shop, **filters.dict())


@console_router.get(
    "/webhook-deliveries/{delivery_id}", response=WebhookDeliveryDetailOut, summary="A delivery with its attempts"
)
def get_webhook_delivery(request, shop_id: Path[Id], delivery_id: Id):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    return selectors.webhook_delivery_get(shop=staff.shop, delivery_id=delivery_id)


@console_router.post(
    "/webhook-deliveries/{delivery_id}/redeliver", response=WebhookDeliveryOut, summary="Send a delivery again now"
)
def redeliver_webhook(request, shop_id: Path[Id], delivery_id: Id):
    staff = access_shop_as_staff(request, shop_id, "integrations.manage")
    services.webhook_redeliver(shop=staff.shop, delivery_id=delivery_id)
    return selectors.webhook_delivery_get(shop=staff.shop, delivery_id=delivery_id)
