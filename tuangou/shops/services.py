from django.db import transaction

from tuangou.accounts.models import User
from tuangou.core.errors import ApplicationError, NotFound
from tuangou.core.phones import normalize_phone

from .hooks import role_granting, shop_changed, shop_created
from .models import Shop, Staff
from .permissions import ROLE_GRANTORS

SETTINGS_FIELDS = (
    "name",
    "category",
    "city",
    "contact_name",
    "contact_phone",
    "min_households",
    "one_leader_per_community",
    "min_distance_between_points_m",
    "payment_timeout_minutes",
    "after_sales_days",
    "default_commission_rate_bp",
    "pickup_notice_text",
)


@transaction.atomic
def shop_create(
    *, owner: User, name: str, category: str = "", city: str = "", contact_name: str = "", contact_phone: str = ""
) -> Shop:
    """A merchant opens their own shop and becomes its owner."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError("required", field="name", field_label="shop_name")
    if contact_phone:
        contact_phone = normalize_phone(contact_phone, field="contact_phone")
    shop = Shop.objects.create(
        name=name, category=category, city=city, contact_name=contact_name, contact_phone=contact_phone
    )
    Staff.objects.create(shop=shop, user=owner, role=Staff.Role.OWNER)
    shop_created(shop=shop)  # leaders: the default recruitment plan
    return shop


@transaction.atomic
def shop_update_settings(*, shop: Shop, **changes) -> Shop:
    shop = Shop.objects.select_for_update().get(pk=shop.pk)
    before = {field: getattr(shop, field) for field in SETTINGS_FIELDS}
    for field, value in changes.items():
        if field not in SETTINGS_FIELDS or value is None:
            continue
        if field == "contact_phone" and value:
            value = normalize_phone(value, field="contact_phone")
        if field == "default_commission_rate_bp" and value > 5000:
            raise ApplicationError("validation", field=field, reason="at_most_50_percent")
        if field == "pickup_notice_text" and "{code}" not in value:
            raise ApplicationError("validation", field=field, reason="needs_code_placeholder")
        if field == "name" and not value.strip():
            raise ApplicationError("required", field="name", field_label="shop_name")
        setattr(shop, field, value)
    shop.save()
    changed = {field: getattr(shop, field) for field in SETTINGS_FIELDS if getattr(shop, field) != before[field]}
    if changed:
        old = {field: before[field] for field in changed}
        shop_changed(shop=shop, actor=None, action="shop.settings", target=shop, before=old, after=changed)
    return shop


def _check_grant(actor: Staff, role: str) -> None:
    if role not in Staff.Role.values:
        raise ApplicationError("role_invalid", field="role")
    if role not in ROLE_GRANTORS.get(actor.role, set()):
        raise ApplicationError("permission_denied", field="role", status=403)


def _target(staff: Staff) -> tuple:
    return ("staff", staff.pk, f"{staff.user.name}（{staff.user.username}）")


def _gate_grant(actor: Staff, role: str, payload: dict, username: str) -> None:
    if role in (Staff.Role.OWNER, Staff.Role.ADMIN):
        summary = f"授予 {username} {Staff.Role(role).label}"
        role_granting(shop=actor.shop, actor=actor, role=role, payload=payload, summary=summary)


@transaction.atomic
def staff_add(*, actor: Staff, username: str, role: str, password: str = "", display_name: str = "") -> Staff:
    """Invite a person as staff: an existing account by username, or a new one with a first password."""
    _check_grant(actor, role)
    # A grant waiting for approval keeps no password: only an existing account can be approved in.
    _gate_grant(actor, role, {"op": "add", "username": username, "role": role}, username)
    user = User.objects.filter(username__iexact=username.strip()).first()
    if user is None:
        from tuangou.accounts.services import user_signup

        if not password:
            raise ApplicationError("required", field="password", field_label="initial_password")
        user = user_signup(username=username, password=password, display_name=display_name)
    staff, created = Staff.objects.get_or_create(shop=actor.shop, user=user, defaults={"role": role})
    if not created:
        if staff.is_active:
            raise ApplicationError("conflict", field="username", reason="already_staff")
        staff.role, staff.is_active = role, True
        staff.save()
    shop_changed(
        shop=actor.shop, actor=actor, action="staff.add", target=_target(staff), before={}, after={"role": role}
    )
    return staff


@transaction.atomic
def staff_update(*, actor: Staff, staff_id: int, role: str | None = None, is_active: bool | None = None) -> Staff:
    staff = Staff.objects.select_for_update().filter(shop=actor.shop, pk=staff_id).first()
    if staff is None:
        raise NotFound("员工", "Staff member")
    # Changing an owner needs an owner; the last active owner cannot be demoted or removed.
    if staff.role == Staff.Role.OWNER and actor.role != Staff.Role.OWNER:
        raise ApplicationError("permission_denied", status=403)
    if role is not None:
        _check_grant(actor, role)
        if role != staff.role:
            _gate_grant(actor, role, {"op": "update", "staff_id": staff.pk, "role": role}, staff.user.username)
    before = {"role": staff.role, "is_active": staff.is_active}
    losing_owner = staff.role == Staff.Role.OWNER and ((role and role != Staff.Role.OWNER) or is_active is False)
    if (
        losing_owner
        and not Staff.objects.filter(shop=actor.shop, role=Staff.Role.OWNER, is_active=True)
        .exclude(pk=staff.pk)
        .exists()
    ):
        raise ApplicationError("last_owner", field="role")
    if role is not None:
        staff.role = role
    if is_active is not None:
        staff.is_active = is_active
    staff.save()
    after = {"role": staff.role, "is_active": staff.is_active}
    old, new = {k: v for k, v in before.items() if after[k] != v}, {k: v for k, v in after.items() if before[k] != v}
    shop_changed(shop=actor.shop, actor=actor, action="staff.update", target=_target(staff), before=old, after=new)
    return staff
