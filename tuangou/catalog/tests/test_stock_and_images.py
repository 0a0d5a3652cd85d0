from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tuangou.catalog.models import ProductImage, StockMovement
from tuangou.catalog.tests.factories import ProductFactory, SkuFactory
from tuangou.core.testing import ok

pytestmark = pytest.mark.django_db


def png(name="egg.png", size=(64, 48), color=(240, 200, 80)) -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_should_adjust_stock_with_a_reason_and_list_the_movements(staff_client):
    client, staff = staff_client("warehouse")
    sku = SkuFactory(product=ProductFactory(shop=staff.shop), stock=10)
    url = f"console/shops/{staff.shop_id}/skus/{sku.id}"

    purchase = ok(client.post(f"{url}/stock-adjustments", {"delta": 50, "reason": "purchase", "note": "到货"}), 201)
    damage = ok(client.post(f"{url}/stock-adjustments", {"delta": -3, "reason": "damage", "note": "破损"}), 201)
    movements = ok(client.get(f"{url}/stock-movements"))

    assert (purchase["stock_after"], damage["stock_after"]) == (60, 57)
    assert movements["count"] == 2
    assert [(m["delta"], m["stock_after"], m["reason"], m["reason_label"], m["note"]) for m in movements["items"]] == [
        (-3, 57, "damage", "损耗", "破损"),
        (50, 60, "purchase", "采购入库", "到货"),
    ]
    assert ok(client.get(url))["stock"] == 57


def test_should_never_let_stock_go_below_zero(staff_client):
    client, staff = staff_client()
    sku = SkuFactory(product=ProductFactory(shop=staff.shop), stock=5)

    response = client.post(
        f"console/shops/{staff.shop_id}/skus/{sku.id}/stock-adjustments", {"delta": -6, "reason": "adjustment"}
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("stock_negative", "delta")
    sku.refresh_from_db()
    assert sku.stock == 5
    assert not StockMovement.objects.filter(sku=sku).exists()


def test_should_refuse_a_zero_adjustment_or_a_reason_reserved_for_campaigns(staff_client):
    client, staff = staff_client()
    sku = SkuFactory(product=ProductFactory(shop=staff.shop), stock=5)
    url = f"console/shops/{staff.shop_id}/skus/{sku.id}/stock-adjustments"

    zero = client.post(url, {"delta": 0, "reason": "adjustment"})
    reserved = client.post(url, {"delta": 5, "reason": "campaign_return"})

    assert (zero.status_code, zero.json()["field"]) == (400, "delta")
    assert (reserved.status_code, reserved.json()["field"]) == (422, "reason")
    sku.refresh_from_db()
    assert sku.stock == 5


def test_should_upload_reorder_and_delete_product_images(staff_client, settings, django_capture_on_commit_callbacks):
    client, staff = staff_client()
    product = SkuFactory(product=ProductFactory(shop=staff.shop)).product
    url = f"console/shops/{staff.shop_id}/products/{product.id}/images"

    first = ok(client.post(url, files={"file": png("a.png")}), 201)
    second = ok(client.post(url, files={"file": png("b.png", color=(10, 10, 10))}), 201)
    reordered = ok(client.put(f"{url}/order", {"image_ids": [second["id"], first["id"]]}))
    detail = ok(client.get(f"console/shops/{staff.shop_id}/products/{product.id}"))

    assert first["url"].startswith("/media/products/") and first["url"].endswith(".png")
    assert [i["id"] for i in reordered] == [second["id"], first["id"]]
    assert [i["id"] for i in detail["images"]] == [second["id"], first["id"]]
    stored = ProductImage.objects.get(pk=first["id"]).image
    assert (settings.MEDIA_ROOT / stored.name).exists()

    with django_capture_on_commit_callbacks(execute=True):
        ok(client.delete(f"{url}/{first['id']}"), 204)

    assert list(ProductImage.objects.filter(product=product).values_list("id", flat=True)) == [second["id"]]
    assert not (settings.MEDIA_ROOT / stored.name).exists()


def test_should_reject_a_file_that_is_not_an_image(staff_client):
    client, staff = staff_client()
    product = SkuFactory(product=ProductFactory(shop=staff.shop)).product
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00 not a picture", content_type="image/png")

    response = client.post(f"console/shops/{staff.shop_id}/products/{product.id}/images", files={"file": fake})

    assert (response.status_code, response.json()["code"], response.json()["field"]) == (400, "image_invalid", "file")
    assert not ProductImage.objects.exists()


def test_should_reject_an_image_over_five_megabytes(staff_client):
    client, staff = staff_client()
    product = SkuFactory(product=ProductFactory(shop=staff.shop)).product
    buffer = BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    huge = SimpleUploadedFile("big.png", buffer.getvalue() + b"\0" * (5 * 1024 * 1024), content_type="image/png")

    response = client.post(f"console/shops/{staff.shop_id}/products/{product.id}/images", files={"file": huge})

    assert (response.json()["code"], response.json()["field"]) == ("image_too_large", "file")
    assert response.json()["message"] == "图片不能超过5MB"
    assert not ProductImage.objects.exists()
