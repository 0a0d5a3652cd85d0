"""The demo shop's open platform and leader feedback: an ERP's API key, a webhook with a delivery
log (delivered, retried then delivered, still failing), and feedback threads from leaders.

The delivery log is written as rows, not sent: the demo's endpoint is an example address."""

import json
import secrets
from datetime import timedelta

from tuangou.demo.pictures import product_picture
from tuangou.feedback import services as feedback_services
from tuangou.integrations import services as integration_services
from tuangou.integrations.choices import EVENTS
from tuangou.integrations.events import campaign_data, order_data
from tuangou.integrations.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tuangou.orders.models import Order
from tuangou.payments.secret_box import encrypt

DEMO_WEBHOOK_URL = "https://erp.demo-fruit.example.com/tuangou/webhook"


def demo_open_platform(*, shop, owner_staff, now) -> None:
    integration_services.api_key_create(
        shop=shop, actor=owner_staff, name="金蝶云星空 ERP 同步", scopes=["orders:read", "fulfilment:read"]
    )
    # Written directly: the service would look the example host up in DNS (and find nothing).
    secret = "whsec_demo_" + secrets.token_urlsafe(18)
    endpoint = WebhookEndpoint.objects.create(
        shop=shop,
        url=DEMO_WEBHOOK_URL,
        description="ERP 订单与结算同步",
        events=list(EVENTS),
        secret_encrypted=encrypt(secret),
    )
    paid = list(Order.objects.filter(shop=shop, paid_at__isnull=False).select_related("campaign").order_by("-id")[:3])
    stories = [("order.paid", order_data(order), [(200, 86)]) for order in paid[:2]]
    if paid:
        stories.append(
            ("campaign.succeeded", campaign_data(paid[-1].campaign), [(503, 10021), (502, 10013), (200, 143)])
        )
        stories.append(("order.picked_up", order_data(paid[-1]), [(500, 95), (None, 10000)]))
    for minutes_ago, (event_type, data, attempts) in zip((300, 240, 180, 20), stories):
        _logged_delivery(endpoint, secret, event_type, data, attempts, at=now - timedelta(minutes=minutes_ago))


def _logged_delivery(endpoint, secret, event_type, data, attempts, *, at) -> None:
    event_id = f"evt_demo{int(at.timestamp())}{event_type.replace('.', '')}"
    body = json.dumps(
        {"id": event_id, "type": event_type, "created": int(at.timestamp()), "shop_id": endpoint.shop_id, "data": data},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    last_status = attempts[-1][0]
    succeeded = last_status is not None and last_status < 300
    delivery = WebhookDelivery.objects.create(
        shop_id=endpoint.shop_id,
        endpoint=endpoint,
        event_id=event_id,
        event_type=event_type,
        body=body,
        status=WebhookDelivery.Status.SUCCEEDED if succeeded else WebhookDelivery.Status.PENDING,
        attempts=len(attempts),
        response_status=last_status,
        delivered_at=at if succeeded else None,
        next_attempt_at=None if succeeded else at + integration_services.BACKOFF[len(attempts) - 1],
    )
    for number, (status, duration_ms) in enumerate(attempts, start=1):
        timestamp = int((at + timedelta(minutes=sum(2**n for n in range(number - 1)))).timestamp())
        signature = integration_services.sign(secret, timestamp, body.encode())
        WebhookAttempt.objects.create(
            shop_id=endpoint.shop_id,
            delivery=delivery,
            number=number,
            request_headers={
                "Content-Type": "application/json; charset=utf-8",
                "X-Tuangou-Event": event_type,
                "X-Tuangou-Event-Id": event_id,
                "X-Tuangou-Signature": f"t={timestamp},v1={signature}",
            },
            response_status=status,
            response_excerpt='{"ok":true}' if status == 200 else ("Bad Gateway" if status else ""),
            error="" if status else "TimeoutError: timed out",
            duration_ms=duration_ms,
        )


def demo_feedback(*, shop, owner_staff, leaders, products) -> None:
    """Three leaders' feedback: a quality problem with a photo answered and resolved, a product
    request in progress, and a new pickup-point problem."""
    first, second, third = leaders[:3]
    quality = feedback_services.feedback_create(
        leader=first,
        kind="quality",
        title="今天的芒果有几箱压伤",
        content="早上到货的5斤装贵妃芒，有3箱底层压伤出水，团员已经在群里问了。照片在下面。",
        product_id=products[0].pk if products else None,
    )
    feedback_services.feedback_photo_add(
        leader=first, feedback_id=quality.pk, upload=product_picture(products[0].name if products else "芒果", "水果")
    )
    feedback_services.feedback_reply(
        shop=shop, actor=owner_staff, feedback_id=quality.pk, body="收到，压伤的3箱按售后全额退款，明天补发时加泡沫垫。"
    )
    feedback_services.feedback_leader_reply(leader=first, feedback_id=quality.pk, body="好的，我跟团员说一下，谢谢！")
    feedback_services.feedback_set_status(shop=shop, actor=owner_staff, feedback_id=quality.pk, status="resolved")

    request = feedback_services.feedback_create(
        leader=second,
        kind="product_request",
        title="想团潮汕牛肉丸",
        content="小区里好几位宝妈问有没有手打牛肉丸，冷冻的也可以，一次大概能走50袋。",
    )
    feedback_services.feedback_reply(
        shop=shop, actor=owner_staff, feedback_id=request.pk, body="在联系汕头的供应商了，下周给报价。"
    )
    feedback_services.feedback_create(
        leader=third,
        kind="pickup_point",
        title="自提点货架不够放",
        content="周末两个团同时到货，店里货架放不下，能不能分两批送？",
    )
