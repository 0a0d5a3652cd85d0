"""API plumbing shared by every app: authentication, tenant access, the error shape."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from ninja.security import HttpBearer, django_auth

from . import rawsql
from .errors import ApplicationError, NotFound


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer tg_...` for API clients that keep no cookies."""

    def authenticate(self, request, token):
        from tuangou.accounts.models import ApiToken

        found = _token_with_user(ApiToken.hash_key(token))
        if found is None:
            return None
        token_id, last_used_at, user = found
        # Touch at most once a minute: a write per request would cost more than the request.
        now = timezone.now()
        if last_used_at is None or (now - last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        request.user = user
        return user


_TOKEN = rawsql.Columns("accounts.ApiToken", "t", ["id", "last_used_at"])
_USER = rawsql.Columns(settings.AUTH_USER_MODEL, "u")


def _token_with_user(key_hash: str):
    """(token id, last_used_at, the active User with every field) or None.

    Hand-written: it runs on every API request, and the ORM's select_related SELECT cost more
    CPU to build than the rest of a simple request.
    """
    row = rawsql.fetchone(
        f"SELECT {_TOKEN.sql}, {_USER.sql} FROM {_TOKEN.table} JOIN {_USER.table} ON u.id = t.user_id "
        "WHERE t.key_hash = %s AND u.is_active = %s",
        [key_hash, True],
    )
    if row is None:
        return None
    token_id, last_used_at = _TOKEN.values(row)
    return token_id, last_used_at, _USER.instance(row, len(_TOKEN))


# Bearer first (no CSRF: no cookie involved), then the session cookie (CSRF checked on writes).
AUTH = [BearerTokenAuth(), django_auth]


def current_user(request):
    """The logged-in person for endpoints where login is optional, or None."""
    user = getattr(request, "auth", None) or getattr(request, "user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return BearerTokenAuth().authenticate(request, header[7:].strip())
    return None


def get_in_shop(
    queryset_or_model, shop, pk, *, thing_zh: str = "对象", thing_en: str = "Object", field: str | None = None
):
    """Fetch a row of this shop by id; a missing id and another shop's id get the same 404."""
    queryset = getattr(queryset_or_model, "objects", queryset_or_model)
    found = queryset.filter(shop=shop, pk=pk).first()
    if found is None:
        raise NotFound(thing_zh, thing_en, field=field)
    return found


User = get_user_model
__all__ = ["AUTH", "ApplicationError", "BearerTokenAuth", "current_user", "get_in_shop"]
