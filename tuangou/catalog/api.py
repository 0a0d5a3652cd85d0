from ninja import File, Path, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate

from tuangou.core.api import AUTH
from tuangou.core.bounds import Id
from tuangou.core.pagination import PageNumberPagination
from tuangou.core.validation import Search
from tuangou.shops.access import access_shop_as_staff

from . import selectors, services
from .schemas import (
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    ImageOrderIn,
    ImageOut,
    ProductIn,
    ProductListOut,
    ProductOut,
    ProductPatch,
    ProductStatus,
    SkuOut,
    StockAdjustIn,
    StockMovementOut,
)

console_router = Router(tags=["console: catalog"], auth=AUTH)


# --- categories ---------------------------------------------------------------------------


@console_router.get("/categories", response=list[CategoryOut], summary="Categories with their product counts")
def list_categories(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "catalog.view")
    return selectors.category_list(shop=staff.shop)


@console_router.post("/categories", response={201: CategoryOut}, summary="Create a category")
def create_category(request, shop_id: Path[Id], payload: CategoryIn):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    return 201, services.category_create(shop=staff.shop, **payload.dict())


@console_router.patch("/categories/{category_id}", response=CategoryOut, summary="Rename or re-sort a category")
def update_category(request, shop_id: Path[Id], category_id: Id, payload: CategoryPatch):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    return services.category_update(shop=staff.shop, category_id=category_id, **payload.dict(exclude_unset=True))


@console_router.delete(
    "/categories/{category_id}", response={204: None}, summary="Delete a category (its products stay, uncategorised)"
)
def delete_category(request, shop_id: Path[Id], category_id: Id):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    services.category_delete(shop=staff.shop, category_id=category_id)
    return 204, None


# --- products -----------------------------------------------------------------------------


@console_router.get("/products", response=list[ProductListOut], summary="Products, searched by name and filtered")
@paginate(PageNumberPagination, page_size=20)
def list_products(
    request, shop_id: Path[Id], q: Search = "", category_id: Id | None = None, status: ProductStatus | None = None
):
    staff = access_shop_as_staff(request, shop_id, "catalog.view")
    return selectors.product_list(shop=staff.shop, search=q, category_id=category_id, status=status)


@console_router.post("/products", response={201: ProductOut}, summary="Create a product with its SKUs")
def create_product(request, shop_id: Path[Id], payload: ProductIn):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    product = services.product_create(shop=staff.shop, actor=request.auth, **payload.dict())
    return 201, selectors.product_get(shop=staff.shop, product_id=product.pk)


@console_router.get("/products/{product_id}", response=ProductOut, summary="Product detail with SKUs and images")
def get_product(request, shop_id: Path[Id], product_id: Id):
    staff = access_shop_as_staff(request, shop_id, "catalog.view")
    return selectors.product_get(shop=staff.shop, product_id=product_id)


@console_router.patch(
    "/products/{product_id}", response=ProductOut, summary="Edit a product; add, edit or deactivate SKUs"
)
def update_product(request, shop_id: Path[Id], product_id: Id, payload: ProductPatch):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    changes = payload.dict(exclude_unset=True)
    services.product_update(shop=staff.shop, actor=request.auth, product_id=product_id, **changes)
    return selectors.product_get(shop=staff.shop, product_id=product_id)


@console_router.post("/products/{product_id}/on-shelf", response=ProductOut, summary="Put a product on the shelf")
def shelve_product(request, shop_id: Path[Id], product_id: Id):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    services.product_set_status(shop=staff.shop, product_id=product_id, status="on_shelf")
    return selectors.product_get(shop=staff.shop, product_id=product_id)


@console_router.post("/products/{product_id}/off-shelf", response=ProductOut, summary="Take a product off the shelf")
def unshelve_product(request, shop_id: Path[Id], product_id: Id):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    services.product_set_status(shop=staff.shop, product_id=product_id, status="off_shelf")
    return selectors.product_get(shop=staff.shop, product_id=product_id)


# --- images -------------------------------------------------------------------------------


@console_router.post(
    "/products/{product_id}/images",
    response={201: ImageOut},
    summary="Upload a product image (JPG/PNG/GIF/WebP, ≤ 5 MB)",
)
def upload_product_image(request, shop_id: Path[Id], product_id: Id, file: File[UploadedFile]):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    return 201, services.product_image_add(shop=staff.shop, product_id=product_id, upload=file)


@console_router.put(
    "/products/{product_id}/images/order", response=list[ImageOut], summary="Reorder a product's images"
)
def reorder_product_images(request, shop_id: Path[Id], product_id: Id, payload: ImageOrderIn):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    return services.product_images_reorder(shop=staff.shop, product_id=product_id, image_ids=payload.image_ids)


@console_router.delete(
    "/products/{product_id}/images/{image_id}", response={204: None}, summary="Delete a product image"
)
def delete_product_image(request, shop_id: Path[Id], product_id: Id, image_id: Id):
    staff = access_shop_as_staff(request, shop_id, "catalog.manage")
    services.product_image_delete(shop=staff.shop, product_id=product_id, image_id=image_id)
    return 204, None


# --- stock --------------------------------------------------------------------------------


@console_router.post(
    "/skus/{sku_id}/stock-adjustments", response={201: StockMovementOut}, summary="Adjust a SKU's stock with a reason"
)
def adjust_stock(request, shop_id: Path[Id], sku_id: Id, payload: StockAdjustIn):
    staff = access_shop_as_staff(request, shop_id, "catalog.stock")
    return 201, services.stock_adjust(shop=staff.shop, actor=request.auth, sku_id=sku_id, **payload.dict())


@console_router.get("/skus/{sku_id}", response=SkuOut, summary="One SKU with its current stock")
def get_sku(request, shop_id: Path[Id], sku_id: Id):
    staff = access_shop_as_staff(request, shop_id, "catalog.view")
    return selectors.sku_get(shop=staff.shop, sku_id=sku_id)


@console_router.get(
    "/skus/{sku_id}/stock-movements", response=list[StockMovementOut], summary="Stock movements of a SKU, newest first"
)
@paginate(PageNumberPagination, page_size=20)
def list_stock_movements(request, shop_id: Path[Id], sku_id: Id):
    staff = access_shop_as_staff(request, shop_id, "catalog.view")
    return selectors.stock_movement_list(shop=staff.shop, sku_id=sku_id)
