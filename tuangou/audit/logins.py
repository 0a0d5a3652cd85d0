"""Logins and failed logins of staff, recorded in the log of every shop they work in (Django's
login signals: accounts sits below this app). A failed login for an unknown name is kept with no
shop, for the platform's eyes only."""

from django.contrib.auth import get_user_model

from tuangou.shops.models import Staff

from .services import audit_record


def _shop_ids(user) -> list[int]:
    return list(Staff.objects.filter(user=user, is_active=True).values_list("shop_id", flat=True))


def login_recorded(sender, request, user, **kwargs):
    for shop_id in _shop_ids(user):
        audit_record(shop=shop_id, actor=user, action="login", target=user, request=request)


def login_failure_recorded(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or "")[:150]
    user = get_user_model().objects.filter(username__iexact=username).first() if username else None
    target = ("user", user.pk if user else "", username)
    for shop_id in (_shop_ids(user) if user else []) or [None]:  # no staff role: the platform's eyes
        audit_record(
            shop=shop_id,
            actor=None,
            actor_name=username,  # who tried: the name typed, an account or not
            action="login_failed",
            target=target,
            after={"username": username, "locked_out": bool(getattr(request, "axes_locked_out", False))},
            request=request,
        )


def sms_login_failure_recorded(*, phone: str, user, reason: str):
    """A wrong (or spent, expired, missing) SMS code: the phone is who tried; the IP comes from the
    request being served. An unknown phone is kept with no shop, for the platform's eyes only."""
    for shop_id in (_shop_ids(user) if user else []) or [None]:  # no staff role: the platform's eyes
        audit_record(
            shop=shop_id,
            actor=None,
            actor_name=phone,
            action="login_failed",
            target=("user", user.pk if user else "", phone),
            after={"phone": phone, "reason": reason},
        )
