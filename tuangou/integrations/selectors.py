"""Reads of the open platform, each scoped to its shop."""

from tuangou.core.api import get_in_shop

from .choices import EVENTS, SCOPES
from .models import ApiKey, WebhookDelivery, WebhookEndpoint


def open_platform_options() -> dict:
    return {
        "scopes": [{"value": value, "label": str(label)} for value, label in SCOPES.items()],
        "events": [{"value": value, "label": str(label)} for value, label in EVENTS.items()],
    }


def api_keys_list(*, shop):
    return ApiKey.objects.filter(shop=shop).select_related("created_by")


def webhook_endpoints_list(*, shop):
    return WebhookEndpoint.objects.filter(shop=shop)


def webhook_endpoint_get(*, shop, endpoint_id: int) -> WebhookEndpoint:
    return get_in_shop(WebhookEndpoint, shop, endpoint_id, thing_en="Webhook")


def webhook_deliveries_list(*, shop, endpoint_id: int | None = None, status: str | None = None, event_type=None):
    deliveries = WebhookDelivery.objects.filter(shop=shop).select_related("endpoint")
    if endpoint_id is not None:
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    if status:
        deliveries = deliveries.filter(status=status)
    if event_type:
        deliveries = deliveries.filter(event_type=event_type)
    return deliveries.order_by("-id")


def webhook_delivery_get(*, shop, delivery_id: int) -> WebhookDelivery:
    return get_in_shop(WebhookDelivery.objects.select_related("endpoint"), shop, delivery_id, thing_en="Delivery")
