"""The one way to change a status: check the from-state, save, and write the event row, in the
caller's transaction (Saleor's shape). Each app declares only its table of moves:

    ORDER = StateMachine({"cancel": ({S.PENDING_PAYMENT}, S.CANCELLED), ...})
    ORDER.apply(order, "cancel", actor=user, reason="...")

A row's events live in its app's own table: a subclass of tuangou.core.models.Event with a foreign
key to the row, related_name="events". Callers lock the row (select_for_update) before a move.
"""

from collections.abc import Iterable

from django.db import models
from django.utils import timezone

from .errors import ApplicationError
from .models import Event


def _events_of(model: type[models.Model]) -> tuple[type[Event], str]:
    """The event model of `model` and the name of its foreign key to it."""
    relation = model._meta.get_field("events")
    return relation.related_model, relation.field.name


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def event_record(
    obj: models.Model, *, type: str, actor=None, from_status: str = "", to_status: str = "", data: dict | None = None
):
    """Write an event of `obj` that is not a status change (created, updated, a note, a partial refund)."""
    event_model, key = _events_of(obj.__class__)
    return event_model.objects.create(
        shop_id=obj.shop_id,
        **{key: obj},
        type=type,
        from_status=from_status,
        to_status=to_status,
        actor=_actor(actor),
        data=data or {},
    )


def state_error(obj: models.Model, action: str) -> ApplicationError:
    """409 `<model>_state`: "the order is Paid; cannot cancel". `action` is a code of
    tuangou.core.errors.ACTIONS, translated when the message is written."""
    return ApplicationError(
        f"{obj._meta.model_name}_state",
        field="status",
        status=409,
        status_label=obj.__class__.Status(obj.status).label,
        action=action,
    )


def transition(
    obj: models.Model,
    *,
    to: str,
    allowed_from: Iterable[str],
    event_type: str,
    actor=None,
    data: dict | None = None,
    action: str | None = None,
    changes: dict | None = None,
):
    """Move one (locked) row to `to` if its status is in `allowed_from`, else raise state_error.
    `changes` are other fields saved with the status (reviewed_by, a timestamp). Returns the event."""
    if obj.status not in allowed_from:
        raise state_error(obj, action or event_type)
    from_status = obj.status
    obj.status = to
    fields = ["status"]
    for name, value in (changes or {}).items():
        setattr(obj, name, value)
        fields.append(name)
    if any(field.name == "updated_at" for field in obj._meta.concrete_fields):
        fields.append("updated_at")
    obj.save(update_fields=fields)
    return event_record(obj, type=event_type, actor=actor, from_status=from_status, to_status=to, data=data)


def bulk_transition(
    queryset: models.QuerySet,
    *,
    to: str,
    from_status: str,
    event_type: str,
    actor=None,
    data: dict | None = None,
    changes: dict | None = None,
) -> list[int]:
    """Move every row of `queryset` that is in `from_status` to `to`, one event each. Runs as one
    conditional UPDATE ... WHERE status = from_status, so a row changed meanwhile (say a refund) is
    left out instead of overwritten. Returns the ids moved."""
    model = queryset.model
    candidates = list(queryset.filter(status=from_status).values_list("id", "shop_id"))
    if not candidates:
        return []
    ids = [pk for pk, _ in candidates]
    update = {"status": to, **(changes or {})}
    if any(field.name == "updated_at" for field in model._meta.concrete_fields):
        update["updated_at"] = timezone.now()
    model.objects.filter(id__in=ids, status=from_status).update(**update)
    moved = set(model.objects.filter(id__in=ids, status=to).values_list("id", flat=True))
    event_model, key = _events_of(model)
    event_model.objects.bulk_create(
        [
            event_model(
                shop_id=shop_id,
                **{f"{key}_id": pk},
                type=event_type,
                from_status=from_status,
                to_status=to,
                actor=_actor(actor),
                data=data or {},
            )
            for pk, shop_id in candidates
            if pk in moved
        ]
    )
    return sorted(moved)


class StateMachine:
    """An app's table of moves: action -> (the statuses it may start from, the status it ends in).
    `stamps` names a timestamp field set when a row enters a status (paid -> paid_at)."""

    def __init__(self, moves: dict[str, tuple[Iterable[str], str]], *, stamps: dict[str, str] | None = None):
        self.moves = {action: (frozenset(allowed), to) for action, (allowed, to) in moves.items()}
        self.stamps = stamps or {}

    def allowed_from(self, action: str) -> frozenset[str]:
        return self.moves[action][0]

    def target(self, action: str) -> str:
        return self.moves[action][1]

    def action_to(self, to: str) -> str:
        """The action that ends in `to` (tables where each target has one action)."""
        return next(action for action, (_, target) in self.moves.items() if target == to)

    def can(self, obj, action: str) -> bool:
        return obj.status in self.allowed_from(action)

    def check(self, obj, action: str) -> None:
        """Raise the state error now (before other checks and writes), if `action` cannot start here."""
        if not self.can(obj, action):
            raise state_error(obj, action)

    def _changes(self, to: str, changes: dict | None) -> dict:
        stamped = {self.stamps[to]: timezone.now()} if to in self.stamps else {}
        return {**stamped, **(changes or {})}

    def apply(
        self, obj, action: str, *, actor=None, event_type: str | None = None, changes: dict | None = None, **data
    ):
        allowed, to = self.moves[action]
        return transition(
            obj,
            to=to,
            allowed_from=allowed,
            event_type=event_type or to,
            actor=actor,
            data=data,
            action=action,
            changes=self._changes(to, changes),
        )

    def apply_bulk(
        self, queryset, action: str, *, from_status: str, actor=None, event_type: str | None = None, **data
    ) -> list[int]:
        allowed, to = self.moves[action]
        assert from_status in allowed, (action, from_status)
        return bulk_transition(
            queryset,
            to=to,
            from_status=from_status,
            event_type=event_type or to,
            actor=actor,
            data=data,
            changes=self._changes(to, None),
        )
