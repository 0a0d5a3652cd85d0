"""Writing the audit log (操作日志). Services call audit_record(...) once per high-risk action; the
actor and IP come from the request in context (tuangou.audit.context) unless passed."""

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms.models import model_to_dict

from tuangou.core.logging import get_request_id
from tuangou.core.net import client_ip

from .actions import ACTIONS
from .context import current_request
from .models import AuditRecord


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def snapshot(instance: models.Model | None, fields: list[str] | tuple[str, ...] | None = None) -> dict:
    """A row's fields as JSON values (foreign keys as ids), for a before/after pair."""
    if instance is None:
        return {}
    return _jsonable(model_to_dict(instance, fields=fields))


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that differ, on both sides (a field on one side only counts as changed)."""
    before, after = _jsonable(before or {}), _jsonable(after or {})
    keys = [key for key in {**before, **after} if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys if key in before}, {
        key: after.get(key) for key in keys if key in after
    }


LABEL_FIELDS = ("number", "title", "name", "username")  # what a row is called, when it has one


def _user_of(actor):
    """A User, a Staff row (its user), or None."""
    if actor is None:
        return None
    user = getattr(actor, "user", actor)
    return user if getattr(user, "is_authenticated", False) else None


def _target(target) -> tuple[str, str, str]:
    """A model row, a (type, id, label) tuple, or None."""
    if target is None:
        return "", "", ""
    if isinstance(target, tuple):
        kind, pk, label = (*target, "")[:3]
        return str(kind)[:30], str(pk or "")[:40], str(label)[:200]
    label = next((getattr(target, name) for name in LABEL_FIELDS if getattr(target, name, "")), None)
    return target._meta.model_name[:30], str(target.pk or "")[:40], str(label or target)[:200]


def audit_record(
    *,
    shop,
    actor,
    action: str,
    target=None,
    before: dict | None = None,
    after: dict | None = None,
    request=None,
    actor_name: str = "",
    **_,
) -> AuditRecord:
    """Append one record. `before`/`after` are field dicts (diff them with `changes` for an edit,
    or pass what matters: an amount, a count). Written in the caller's transaction, so an action
    that rolls back leaves no record of having happened. `actor_name`: who, when no account acted
    (a failed login: the name or phone tried)."""
    assert action in ACTIONS, action
    request = request if request is not None else current_request()
    user = _user_of(actor)
    if user is None and request is not None:
        user = _user_of(getattr(request, "auth", None)) or _user_of(getattr(request, "user", None))
    kind, pk, label = _target(target)
    return AuditRecord.objects.create(
        shop_id=getattr(shop, "pk", shop),
        actor=user,
        actor_name=(user.name if user else actor_name)[:150],
        ip=client_ip(request) if request is not None else None,
        request_id=(getattr(request, "id", None) or get_request_id() or "")[:64],
        action=action,
        target_type=kind,
        target_id=pk,
        target_label=label,
        before=_jsonable(before or {}),
        after=_jsonable(after or {}),
    )
