"""Givens for sharing tests: a campaign of one shop, its leader with a pickup point, members'
orders at that point in chosen statuses and payment times (built directly, see fulfilment's
factories), and a QR decoder that reads the PNGs the API answers."""

from datetime import UTC, datetime, timedelta
from io import BytesIO
from types import SimpleNamespace

import cv2
import numpy
from django.core.files.base import ContentFile
from PIL import Image

from tuangou.catalog.models import ProductImage
from tuangou.fulfilment.tests.factories import (  # noqa: F401 (re-exported for the tests)
    CampaignFactory,
    CampaignItemFactory,
    OrderFactory,
    PickupPointFactory,
    order_with_lines,
    phone_client,
    staff_client,
)
from tuangou.shops.tests.factories import MemberUserFactory, ShopFactory

# 2026-11-29 12:00 UTC is 20:00 in Asia/Shanghai, the shops' default timezone.
CUTOFF = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
PICKUP = datetime(2026, 11, 30, 2, 30, tzinfo=UTC)  # 10:30 local


def given_campaign(**campaign_fields) -> SimpleNamespace:
    """鹭岛鲜生 with a succeeded campaign of two eggs and a milk, and 黄美玲's pickup point."""
    shop = ShopFactory(name="鹭岛鲜生")
    fields = {
        "title": "周末鲜蛋团",
        "cutoff_at": CUTOFF,
        "pickup_at": PICKUP,
        "starts_at": CUTOFF - timedelta(days=2),
        **campaign_fields,
    }
    campaign = CampaignFactory(shop=shop, **fields)
    eggs = CampaignItemFactory(
        campaign=campaign, price_fen=3290, sku__price_fen=3990, sku__spec="30枚", sku__product__name="土鸡蛋"
    )
    milk = CampaignItemFactory(
        campaign=campaign, price_fen=1890, sku__price_fen=2190, sku__spec="", sku__product__name="鲜牛奶", sort=1
    )
    point = PickupPointFactory(
        shop=shop,
        leader__shop=shop,
        leader__name="黄美玲",
        name="西村快递驿站",
        address="思明区大学路168号",
    )
    return SimpleNamespace(shop=shop, campaign=campaign, eggs=eggs, milk=milk, point=point, leader=point.leader)


def member(name: str):
    return MemberUserFactory(display_name=name)


def paid_at(minutes: int) -> datetime:
    return CUTOFF - timedelta(hours=5) + timedelta(minutes=minutes)


def product_photo(shop, product, colour=(200, 30, 30)) -> ProductImage:
    """A one-colour photo, so the poster's picture area can be checked by its pixels."""
    buffer = BytesIO()
    Image.new("RGB", (400, 300), colour).save(buffer, format="PNG")
    return ProductImage.objects.create(
        shop=shop, product=product, image=ContentFile(buffer.getvalue(), name="photo.png")
    )


def decode_qr(png: bytes) -> str:
    """The text of the one QR code in a PNG, read by OpenCV's detector (a real decoder)."""
    image = cv2.imdecode(numpy.frombuffer(png, dtype=numpy.uint8), cv2.IMREAD_GRAYSCALE)
    # The classic detector misses some module patterns at some sizes; a phone camera would just
    # try again, so try a few scales, then OpenCV's other (ArUco-based) detector.
    for scale in (1.0, 2.0, 0.5, 1.5):
        resized = (
            image if scale == 1.0 else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
        )
        padded = cv2.copyMakeBorder(resized, 40, 40, 40, 40, cv2.BORDER_CONSTANT, value=255)
        for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
            text, _points, _straight = detector.detectAndDecode(padded)
            if text:
                return text
    return ""


def png_size(png: bytes) -> tuple[int, int]:
    return Image.open(BytesIO(png)).size
