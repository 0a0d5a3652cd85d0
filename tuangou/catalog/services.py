"""Catalog writes: categories, products with their SKUs and images, and every stock change."""

import uuid
from io import BytesIO

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from tuangou.audit.services import audit_record
from tuangou.audit.services import changes as audit_changes
from tuangou.core.api import get_in_shop
from tuangou.core.bounds import MAX_STOCK
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.i18n import bilingual

from .hooks import product_kind_changing, stock_adjusting
from .models import Category, Product, ProductImage, Sku, StockMovement

IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_MAX_PER_PRODUCT = 9
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "GIF": "gif", "WEBP": "webp"}
MANUAL_REASONS = {StockMovement.Reason.PURCHASE, StockMovement.Reason.ADJUSTMENT, StockMovement.Reason.DAMAGE}


# --- categories ---------------------------------------------------------------------------


def _check_category_name(shop, name: str, *, exclude_id: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError("required", field="name", field_label="category_name")
    taken = Category.objects.filter(shop=shop, name=name).exclude(pk=exclude_id)
    if taken.exists():
        raise ApplicationError("category_exists", field="name", status=409, name=name)
    return name


@transaction.atomic
def category_create(*, shop, name: str, sort: int = 0) -> Category:
    name = _check_category_name(shop, name)
    try:
        with transaction.atomic():
            return Category.objects.create(shop=shop, name=name, sort=sort)
    except IntegrityError:  # a concurrent create of the same name
        raise ApplicationError("category_exists", field="name", status=409, name=name) from None


@transaction.atomic
def category_update(*, shop, category_id: int, name: str | None = None, sort: int | None = None) -> Category:
    category = get_in_shop(
        Category.objects.select_for_update(), shop, category_id, thing_zh="分类", thing_en="Category"
    )
    if name is not None:
        category.name = _check_category_name(shop, name, exclude_id=category.pk)
    if sort is not None:
        category.sort = sort
    category.save()
    return category


@transaction.atomic
def category_delete(*, shop, category_id: int) -> None:
    """Its products stay, without a category."""
    category = get_in_shop(
        Category.objects.select_for_update(), shop, category_id, thing_zh="分类", thing_en="Category"
    )
    category.delete()


# --- products and SKUs ----------------------------------------------------------------------


def _category_or_none(shop, category_id):
    if category_id is None:
        return None
    return get_in_shop(Category, shop, category_id, thing_zh="分类", thing_en="Category", field="category_id")


def _check_purchase_limit(value: int | None, field: str = "purchase_limit") -> None:
    if value is not None and value < 0:
        raise ApplicationError("validation", field=field, reason="not_negative")


def _check_sku_values(sku: dict, prefix: str) -> None:
    """Money and stock rules of one SKU entry; `prefix` is its place in the request (skus.0)."""
    for name in ("price_fen", "cost_fen"):
        if sku.get(name) is not None and sku[name] < 0:
            raise ApplicationError("price_negative", field=f"{prefix}.{name}")
    if sku.get("stock") is not None and sku["stock"] < 0:
        raise ApplicationError("stock_negative", field=f"{prefix}.stock")


def _check_sku_codes(shop, codes: list[tuple[str, str]], *, exclude_ids=()) -> None:
    """SKU codes (barcodes) are unique among a shop's active SKUs; blank codes are allowed."""
    seen = set()
    for field, code in codes:
        if not code:
            continue
        taken = Sku.objects.filter(shop=shop, code=code, is_active=True).exclude(pk__in=exclude_ids).exists()
        if code in seen or taken:
            raise ApplicationError("sku_code_taken", field=field, status=409, code=code)
        seen.add(code)


def _sku_create(*, product: Product, actor, spec: str, code: str, price_fen: int, cost_fen: int, stock: int) -> Sku:
    sku = Sku.objects.create(
        shop_id=product.shop_id,
        product=product,
        spec=spec.strip(),
        code=code.strip(),
        price_fen=price_fen,
        cost_fen=cost_fen,
        stock=stock,
    )
    if stock:
        StockMovement.objects.create(
            shop_id=product.shop_id,
            sku=sku,
            delta=stock,
            stock_after=stock,
            reason=StockMovement.Reason.INITIAL,
            actor=actor,
        )
    return sku


@transaction.atomic
def product_create(
    *,
    shop,
    actor,
    name: str,
    skus: list[dict],
    category_id: int | None = None,
    description: str = "",
    unit: str = "份",
    purchase_limit: int = 0,
    status: str = Product.Status.ON_SHELF,
    **service,
) -> Product:
    """A product and all its SKUs (with their opening stock) in one go, or nothing; `service`
    holds the SERVICE_FIELDS of a voucher, service or top-up, or of a 0.01元 deal."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError("required", field="name", field_label="product_name")
    category = _category_or_none(shop, category_id)
    _check_purchase_limit(purchase_limit)
    if not skus:
        raise ApplicationError("product_no_sku", field="skus")
    specs = set()
    for index, sku in enumerate(skus):
        _check_sku_values(sku, f"skus.{index}")
        spec = (sku.get("spec") or "").strip()
        if spec in specs:
            raise ApplicationError(
                "sku_spec_duplicate", field=f"skus.{index}.spec", spec=spec or bilingual("默认", "default")
            )
        specs.add(spec)
    _check_sku_codes(shop, [(f"skus.{i}.code", (s.get("code") or "").strip()) for i, s in enumerate(skus)])

    product = Product.objects.create(
        shop=shop,
        category=category,
        name=name,
        description=description,
        unit=(unit or "份").strip(),
        purchase_limit=purchase_limit,
        status=status,
    )
    _service_set(product, service)
    product.save()
    for sku in skus:
        _sku_create(
            product=product,
            actor=actor,
            spec=sku.get("spec") or "",
            code=sku.get("code") or "",
            price_fen=sku["price_fen"],
            cost_fen=sku.get("cost_fen") or 0,
            stock=sku.get("stock") or 0,
        )
    return product


PRODUCT_FIELDS = ("name", "description", "unit", "purchase_limit", "status")
SERVICE_FIELDS = (
    "kind",
    "uses_per_unit",
    "valid_days",
    "valid_from",
    "valid_until",
    "face_value_fen",
    "deal",
    "deal_limit",
)


def _service_set(product: Product, values: dict) -> None:
    """Set the service fields given (None: unchanged, except the two dates, which a patch may clear)
    and check them together: a top-up needs its face value, fixed dates run forwards, and only a
    voucher or a service has more than one use."""
    for field, value in values.items():
        if field not in SERVICE_FIELDS or (value is None and field not in ("valid_from", "valid_until")):
            continue
        setattr(product, field, value)
    K = Product.Kind
    if product.kind == K.TOPUP and not product.face_value_fen:
        raise ApplicationError("required", field="face_value_fen")
    if product.valid_from and product.valid_until and product.valid_from > product.valid_until:
        raise ApplicationError("validation", field="valid_until", reason="not_before_start")
    if product.kind not in (K.VOUCHER, K.SERVICE):
        product.uses_per_unit = 1
    if product.kind == K.VOUCHER:
        product.uses_per_unit = 1


def _audit_state(product: Product) -> dict:
    """The product's fields and each SKU's, flat (skus.<id>.price_fen), for the 操作日志's before -> after."""
    state = {field: getattr(product, field) for field in ("name", "status", "purchase_limit", "category_id")}
    state.update({field: str(getattr(product, field) or "") for field in SERVICE_FIELDS})
    for sku in Sku.objects.filter(product=product).order_by("id"):
        for field in ("spec", "code", "price_fen", "cost_fen", "stock", "is_active"):
            state[f"skus.{sku.pk}.{field}"] = getattr(sku, field)
    return state


@transaction.atomic
def product_update(*, shop, actor, product_id: int, skus: list[dict] | None = None, **changes) -> Product:
    """Edit a product; `skus` entries with an id edit (or deactivate) that SKU, without one add a SKU.

    The stock of an existing SKU changes only through stock adjustments, so every change leaves a movement.
    """
    product = get_in_shop(Product.objects.select_for_update(), shop, product_id, thing_zh="商品", thing_en="Product")
    before = _audit_state(product)
    if "category_id" in changes:
        product.category = _category_or_none(shop, changes.pop("category_id"))
    if changes.get("kind") is not None and changes["kind"] != product.kind:
        product_kind_changing(shop=shop, product=product, kind=changes["kind"])
    for field, value in changes.items():
        if field not in PRODUCT_FIELDS or value is None:
            continue
        if field == "name":
            value = value.strip()
            if not value:
                raise ApplicationError("required", field="name", field_label="product_name")
        if field == "purchase_limit":
            _check_purchase_limit(value)
        setattr(product, field, value)
    _service_set(product, {field: value for field, value in changes.items() if field in SERVICE_FIELDS})
    product.save()

    if skus:
        existing = {s.pk: s for s in Sku.objects.select_for_update().filter(product=product)}
        for index, entry in enumerate(skus):
            prefix = f"skus.{index}"
            _check_sku_values(entry, prefix)
            if entry.get("id") is not None and entry["id"] not in existing:
                raise NotFound("规格", "SKU", field=f"{prefix}.id")
            if entry.get("id") is None and entry.get("price_fen") is None:
                raise ApplicationError("required", field=f"{prefix}.price_fen")
        _check_sku_codes(
            shop,
            [(f"skus.{i}.code", (e.get("code") or "").strip()) for i, e in enumerate(skus) if e.get("code")],
            exclude_ids=[e["id"] for e in skus if e.get("id")],
        )
        for entry in skus:
            if entry.get("id") is None:
                _sku_create(
                    product=product,
                    actor=actor,
                    spec=entry.get("spec") or "",
                    code=entry.get("code") or "",
                    price_fen=entry["price_fen"],
                    cost_fen=entry.get("cost_fen") or 0,
                    stock=entry.get("stock") or 0,
                )
                continue
            sku = existing[entry["id"]]
            for field in ("spec", "code", "price_fen", "cost_fen", "is_active"):
                if entry.get(field) is not None:
                    value = entry[field].strip() if isinstance(entry[field], str) else entry[field]
                    setattr(sku, field, value)
            sku.save()
        active_specs = list(Sku.objects.filter(product=product, is_active=True).values_list("spec", flat=True))
        for spec in active_specs:
            if active_specs.count(spec) > 1:
                index = next(i for i, e in enumerate(skus) if (e.get("spec") or "").strip() == spec)
                raise ApplicationError(
                    "sku_spec_duplicate", field=f"skus.{index}.spec", spec=spec or bilingual("默认", "default")
                )
        if not active_specs:
            raise ApplicationError("product_no_sku", field="skus")
    old, new = audit_changes(before, _audit_state(product))
    if old or new:
        audit_record(shop=shop, actor=actor, action="product.update", target=product, before=old, after=new)
    return product


@transaction.atomic
def product_set_status(*, shop, product_id: int, status: str) -> Product:
    """On or off the shelf. Campaigns already published keep selling what they were allotted."""
    product = get_in_shop(Product.objects.select_for_update(), shop, product_id, thing_zh="商品", thing_en="Product")
    product.status = status
    product.save(update_fields=["status", "updated_at"])
    return product


# --- images ---------------------------------------------------------------------------------


def _read_image(upload) -> tuple[bytes, str]:
    """The upload's bytes and file extension, if Pillow recognises it as an image we accept."""
    if upload.size > IMAGE_MAX_BYTES:
        raise ApplicationError("image_too_large", field="file", max_mb=IMAGE_MAX_BYTES // (1024 * 1024))
    data = upload.read()
    try:
        with Image.open(BytesIO(data)) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ApplicationError("image_invalid", field="file") from None
    if image_format not in IMAGE_FORMATS:
        raise ApplicationError("image_invalid", field="file")
    return data, IMAGE_FORMATS[image_format]


def image_read(upload) -> tuple[bytes, str]:
    """For other apps' pictures (a poll candidate's): the same checks as a product image."""
    return _read_image(upload)


@transaction.atomic
def product_image_add(*, shop, product_id: int, upload) -> ProductImage:
    product = get_in_shop(Product.objects.select_for_update(), shop, product_id, thing_zh="商品", thing_en="Product")
    data, extension = _read_image(upload)
    images = ProductImage.objects.filter(product=product)
    if images.count() >= IMAGE_MAX_PER_PRODUCT:
        raise ApplicationError("images_too_many", field="file", maximum=IMAGE_MAX_PER_PRODUCT)
    next_sort = (images.aggregate(top=Max("sort"))["top"] or 0) + 1
    image = ProductImage(shop=shop, product=product, sort=next_sort)
    # Our own file name: the uploaded one is the client's and may be anything.
    image.image.save(f"{uuid.uuid4().hex}.{extension}", ContentFile(data), save=False)
    image.save()
    return image


@transaction.atomic
def product_image_delete(*, shop, product_id: int, image_id: int) -> None:
    product = get_in_shop(Product, shop, product_id, thing_zh="商品", thing_en="Product")
    image = ProductImage.objects.select_for_update().filter(shop=shop, product=product, pk=image_id).first()
    if image is None:
        raise NotFound("图片", "Image")
    stored = image.image
    image.delete()
    # A marketplace seller's picture names its supplier's file (shared, not copied): the file goes
    # with the last row that names it, never from under another shop.
    if not ProductImage.objects.filter(image=stored.name).exists():
        transaction.on_commit(lambda: stored.storage.delete(stored.name))


@transaction.atomic
def product_images_reorder(*, shop, product_id: int, image_ids: list[int]) -> list[ProductImage]:
    """`image_ids` is the new order of all the product's images."""
    product = get_in_shop(Product.objects.select_for_update(), shop, product_id, thing_zh="商品", thing_en="Product")
    images = {i.pk: i for i in ProductImage.objects.filter(product=product)}
    if sorted(image_ids) != sorted(images):
        raise ApplicationError("invalid", field="image_ids", reason="every_image_once")
    for position, image_id in enumerate(image_ids):
        images[image_id].sort = position
    ProductImage.objects.bulk_update(images.values(), ["sort"])
    return [images[i] for i in image_ids]


# --- stock ----------------------------------------------------------------------------------


def sku_stock_move(
    *,
    shop,
    sku_id: int,
    delta: int,
    reason: str,
    actor=None,
    note: str = "",
    field: str = "delta",
    short_code: str = "stock_negative",
    cap: int | None = None,
    full_code: str = "stock_too_large",
) -> StockMovement:
    """Change a SKU's stock by `delta` and record why. One conditional UPDATE, so stock never
    goes below zero even with concurrent writers; a shortfall raises `short_code` on `field`, and
    going past `cap` raises `full_code`.

    Runs inside the caller's transaction (campaign allot/return) or stock_adjust's.
    """
    queryset = Sku.objects.filter(shop=shop, pk=sku_id)
    if delta < 0:
        updated = queryset.filter(stock__gte=-delta).update(stock=F("stock") + delta, updated_at=timezone.now())
    elif cap is not None:  # never past the cap (the column holds 32 bits; adjustments add up)
        updated = queryset.filter(stock__lte=cap - delta).update(stock=F("stock") + delta, updated_at=timezone.now())
    else:
        updated = queryset.update(stock=F("stock") + delta, updated_at=timezone.now())
    if not updated:
        available = queryset.values_list("stock", flat=True).first()
        if available is None:
            raise NotFound("规格", "SKU", field=field)
        if delta > 0:
            raise ApplicationError(full_code, field=field, maximum=cap)
        raise ApplicationError(short_code, field=field, available=available)
    # The UPDATE holds the row lock until commit, so this read is our own write.
    stock_after = queryset.values_list("stock", flat=True).get()
    return StockMovement.objects.create(
        shop=shop,
        sku_id=sku_id,
        delta=delta,
        stock_after=stock_after,
        reason=reason,
        note=note,
        actor=actor,
    )


@transaction.atomic
def stock_adjust(*, shop, actor, sku_id: int, delta: int, reason: str, note: str = "") -> StockMovement:
    """A merchant's stock change: goods in (purchase), a stock-take correction, or damage."""
    sku = get_in_shop(Sku, shop, sku_id, thing_zh="规格", thing_en="SKU")
    stock_adjusting(shop=shop, sku=sku)
    if reason not in MANUAL_REASONS:
        raise ApplicationError("invalid", field="reason", reason="one_of", choices="purchase | adjustment | damage")
    if delta == 0:
        raise ApplicationError("validation", field="delta", reason="not_zero")
    move = sku_stock_move(shop=shop, sku_id=sku_id, delta=delta, reason=reason, actor=actor, note=note, cap=MAX_STOCK)
    target = ("sku", sku_id, f"{move.sku.product.name} {move.sku.spec}".strip())
    before, after = {"stock": move.stock_after - delta}, {"stock": move.stock_after, "reason": reason, "note": note}
    audit_record(shop=shop, actor=actor, action="stock.adjust", target=target, before=before, after=after)
    return move
