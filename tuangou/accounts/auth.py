"""Bearer tokens (`Authorization: Bearer tg_...`): the person a token belongs to. Registered with
tuangou.core.api in AccountsConfig.ready(), which every app's endpoints authenticate through."""

from django.conf import settings
from django.utils import timezone

from tuangou.core import rawsql

from .models import ApiToken

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


def user_for_token(token: str):
    """The active user of a bearer token, or None."""
    found = _token_with_user(ApiToken.hash_key(token))
    if found is None:
        return None
    token_id, last_used_at, user = found
    # Touch at most once a minute: a write per request would cost more than the request.
    now = timezone.now()
    if last_used_at is None or (now - last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return user
