"""Tenant access: every staff, leader and member endpoint gets its shop through these."""

from tuangou.core import rawsql
from tuangou.core.errors import ApplicationError, NotFound

from .models import Shop, Staff
from .permissions import API_KEY_SCOPES, role_has

_SHOP = rawsql.Columns(Shop, "s")


def access_shop(shop_id: int) -> Shop:
    """A shop open to the public (members, leaders); a suspended or missing one is a 404."""
    # Hand-written (every member request comes through here): the whole row, fresh from the
    # database on each call, so a suspension or a settings change applies at once.
    row = rawsql.fetchone(
        f"SELECT {_SHOP.sql} FROM {_SHOP.table} WHERE s.id = %s AND s.status = %s",
        [shop_id, Shop.Status.ACTIVE.value],
    )
    if row is None:
        raise NotFound("店铺", "Shop")
    return _SHOP.instance(row)


def access_shop_as_staff(request, shop_id: int, permission: str) -> Staff:
    """The caller's staff row in this shop, if their role holds `permission`.

    Someone who is not staff of the shop gets the same 404 as for a missing shop, so shop ids
    cannot be probed; staff whose role lacks the permission get a 403.
    """
    staff = _staff_of(request, shop_id)
    if not role_has(staff.role, permission):
        raise ApplicationError("permission_denied", status=403)
    _check_api_key(request, shop_id, frozenset({permission}))
    return staff


def staff_precheck(request, shop_id: int, permissions: frozenset[str]) -> None:
    """Before Ninja validates the request (config/api.py runs this right after login): a caller
    who is not staff of the shop gets its 404, and a role holding none of the operation's
    `permissions` gets its 403, whatever the body says. An empty set checks staff only.
    The view's own access_shop_as_staff call still decides, reusing the row read here."""
    staff = _staff_of(request, shop_id)
    if permissions and not any(role_has(staff.role, permission) for permission in permissions):
        raise ApplicationError("permission_denied", status=403)
    _check_api_key(request, shop_id, permissions)


def _check_api_key(request, shop_id: int, permissions: frozenset[str]) -> None:
    """A call made with a shop's API key (tuangou.integrations sets request.api_key): its own shop
    only (another shop's id is the same 404 as a stranger's), and only what its scopes grant."""
    key = getattr(request, "api_key", None)
    if key is None:
        return
    if key.shop_id != shop_id:
        raise NotFound("店铺", "Shop")
    granted = frozenset().union(*(API_KEY_SCOPES.get(scope, frozenset()) for scope in key.scopes))
    if not permissions or not permissions & granted:
        raise ApplicationError("api_key_scope", status=403, scopes=", ".join(sorted(key.scopes)) or "-")


def _staff_of(request, shop_id: int) -> Staff:
    staff = getattr(request, "staff", None)
    if staff is not None and staff.shop_id == shop_id and staff.user_id == request.auth.pk:
        return staff  # read by staff_precheck earlier in this request
    staff = (
        Staff.objects.select_related("shop")
        .filter(shop_id=shop_id, user=request.auth, is_active=True, shop__status=Shop.Status.ACTIVE)
        .first()
    )
    if staff is None:
        raise NotFound("店铺", "Shop")
    request.shop = staff.shop
    request.staff = staff
    return staff
