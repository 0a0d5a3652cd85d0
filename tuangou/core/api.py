"""API plumbing shared by every app: authentication, tenant access, the error shape."""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from ninja.security import HttpBearer, django_auth

from .errors import ApplicationError, NotFound

# How a bearer token becomes a person: the accounts app registers it (AccountsConfig.ready), so this
# plumbing, below every app, does not import accounts. Other kinds of token (a shop's API key, tk_...)
# register under their prefix (tuangou.integrations).
_token_user: Callable[[str], object | None] | None = None
_token_kinds: dict[str, Callable[[object, str], object | None]] = {}


def register_token_authenticator(authenticate: Callable[[str], object | None]) -> None:
    """`authenticate(token)` answers the active user the token belongs to, or None."""
    global _token_user
    _token_user = authenticate


def register_token_kind(prefix: str, authenticate: Callable[[object, str], object | None]) -> None:
    """Tokens starting with `prefix` go to `authenticate(request, token)`, which answers the user
    acting (or None) and may refuse the request outright by raising ApplicationError."""
    _token_kinds[prefix] = authenticate


class BearerTokenAuth(HttpBearer):
    """`Authorization: Bearer tg_...` for API clients that keep no cookies."""

    def authenticate(self, request, token):
        kind = next((check for prefix, check in _token_kinds.items() if token.startswith(prefix)), None)
        if kind is not None:
            user = kind(request, token)
        else:
            user = _token_user(token) if _token_user is not None else None
        if user is None:
            return None
        request.user = user
        return user


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
