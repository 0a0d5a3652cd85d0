"""`Authorization: Bearer tk_…`: a shop's API key (registered with tuangou.core.api in ready()).

A key reads its own shop's console endpoints (GET /api/console/shops/<its shop>/…) and nothing else:
no member or leader endpoint, no write. It acts as the staff member who created it, so the usual
staff check still runs (tuangou.shops.access), narrowed to the key's scopes."""

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone

from tuangou.core.errors import ApplicationError

from .models import ApiKey

API_KEY_PREFIX = "tk_"
_CONSOLE_PATH = re.compile(r"^/api/console/shops/(\d+)/")
_READ_METHODS = ("GET", "HEAD")


@dataclass(frozen=True)
class ApiKeyCaller:
    id: int
    shop_id: int
    scopes: tuple[str, ...]


def user_for_api_key(request, token: str):
    key = (
        ApiKey.objects.filter(key_hash=ApiKey.hash_key(token), revoked_at__isnull=True)
        .only("id", "shop_id", "scopes", "created_by_id", "last_used_at")
        .first()
    )
    if key is None:
        raise ApplicationError("api_key_invalid", status=401)
    match = _CONSOLE_PATH.match(request.path)
    if request.method not in _READ_METHODS or match is None:
        raise ApplicationError("api_key_read_only", status=403, shop_id=key.shop_id)
    user = get_user_model().objects.filter(pk=key.created_by_id, is_active=True).first()
    if user is None:
        raise ApplicationError("api_key_invalid", status=401)
    # Touch at most once a minute: a write per request would cost more than the request.
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    request.api_key = ApiKeyCaller(id=key.pk, shop_id=key.shop_id, scopes=tuple(key.scopes))
    return user
