from ninja import Path, Router

from tuangou.core.api import AUTH
from tuangou.core.bounds import Id

from . import services
from .access import access_shop, access_shop_as_staff
from .models import Shop, Staff
from .permissions import PERMISSIONS, ROLE_PERMISSIONS
from .schemas import RoleOut, ShopIn, ShopPublicOut, ShopSettingsIn, ShopSettingsOut, StaffIn, StaffOut, StaffPatch

router = Router(tags=["shops 店铺"])
console_router = Router(tags=["console: shop & staff 店铺与员工"], auth=AUTH)


def _staff_out(staff: Staff) -> dict:
    return {
        "id": staff.id,
        "user_id": staff.user_id,
        "username": staff.user.username,
        "display_name": staff.user.name,
        "role": staff.role,
        "role_label": staff.get_role_display(),
        "is_active": staff.is_active,
    }


@router.post("", response={201: ShopSettingsOut}, auth=AUTH, summary="Merchant creates a shop (becomes its owner)")
def create_shop(request, payload: ShopIn):
    return 201, services.shop_create(owner=request.auth, **payload.dict())


@router.get("/{shop_id}", response=ShopPublicOut, summary="A shop's public card")
def get_shop(request, shop_id: Id):
    return access_shop(shop_id)


@console_router.get("/settings", response=ShopSettingsOut)
def get_settings(request, shop_id: Path[Id]):
    return access_shop_as_staff(request, shop_id, "settings.view").shop


@console_router.patch("/settings", response=ShopSettingsOut)
def update_settings(request, shop_id: Path[Id], payload: ShopSettingsIn):
    staff = access_shop_as_staff(request, shop_id, "shop.settings")
    return services.shop_update_settings(shop=staff.shop, **payload.dict(exclude_unset=True))


@console_router.get("/roles", response=list[RoleOut], summary="Roles and the permissions each holds")
def list_roles(request, shop_id: Path[Id]):
    access_shop_as_staff(request, shop_id, "staff.view")
    return [
        {"role": r.value, "label": str(r.label), "permissions": sorted(ROLE_PERMISSIONS[r.value])} for r in Staff.Role
    ]


@console_router.get("/permissions", response=dict[str, str])
def list_permissions(request, shop_id: Path[Id]):
    access_shop_as_staff(request, shop_id, "staff.view")
    return PERMISSIONS


@console_router.get("/staff", response=list[StaffOut])
def list_staff(request, shop_id: Path[Id]):
    staff = access_shop_as_staff(request, shop_id, "staff.manage")
    return [_staff_out(s) for s in Staff.objects.filter(shop=staff.shop).select_related("user").order_by("id")]


@console_router.post("/staff", response={201: StaffOut})
def add_staff(request, shop_id: Path[Id], payload: StaffIn):
    actor = access_shop_as_staff(request, shop_id, "staff.manage")
    return 201, _staff_out(services.staff_add(actor=actor, **payload.dict()))


@console_router.patch("/staff/{staff_id}", response=StaffOut)
def update_staff(request, shop_id: Path[Id], staff_id: Id, payload: StaffPatch):
    actor = access_shop_as_staff(request, shop_id, "staff.manage")
    return _staff_out(services.staff_update(actor=actor, staff_id=staff_id, **payload.dict(exclude_unset=True)))


__all__ = ["router", "console_router", "Shop"]
