"""A response schema filled from a model instance without validating it again.

Ninja validates what a view returns against its response schema: for a model instance that means a
getter wrapped around the object, and pydantic checking every field, each nested line too — about
a tenth of a checkout's CPU for values our own service has just typed and written. A view that
returns `construct(Schema, obj)` hands Ninja a model of the response type, which it only dumps.
The values are read exactly as Ninja reads them (the schema's static `resolve_<field>`, else the
attribute; a related manager's rows; nested schemas the same way).
"""

import functools
import types
import typing

from django.db.models import Manager, QuerySet
from ninja import Schema

_NESTED, _LIST, _PLAIN = "nested", "list", "plain"
_MISSING = object()


def _shape(annotation) -> tuple[str, type | None]:
    """How a field's value is built: a nested schema (maybe None), a list of them, or as it is."""
    args = typing.get_args(annotation)
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        schemas = [arg for arg in args if isinstance(arg, type) and issubclass(arg, Schema)]
        return (_NESTED, schemas[0]) if len(schemas) == 1 and len(args) == 2 and type(None) in args else (_PLAIN, None)
    if origin is list and args and isinstance(args[0], type) and issubclass(args[0], Schema):
        return _LIST, args[0]
    if isinstance(annotation, type) and issubclass(annotation, Schema):
        return _NESTED, annotation
    return _PLAIN, None


@functools.cache
def _plan(schema: type[Schema]) -> list[tuple]:
    """(field, its resolver or None, its default or _MISSING, shape, nested schema) per field."""
    plan = []
    for name, field in schema.model_fields.items():
        resolver = schema._ninja_resolvers.get(name)
        if resolver is not None and (not resolver._static or resolver._takes_context):
            raise TypeError(f"{schema.__name__}.resolve_{name}: only a staticmethod of the object is constructed")
        default = field.default if not field.is_required() and field.default_factory is None else _MISSING
        plan.append((name, resolver._func if resolver is not None else None, default, *_shape(field.annotation)))
    return plan


def construct(schema: type[Schema], obj) -> Schema:
    """`schema` of `obj`, as Ninja would validate it, built without validation."""
    values = {}
    for name, resolve, default, shape, nested in _plan(schema):
        if resolve is not None:
            value = resolve(obj)
        elif default is _MISSING:
            value = getattr(obj, name)
        else:  # an attribute the object may lack: the field's default, as validation gives
            value = getattr(obj, name, default)
        if isinstance(value, Manager):
            value = value.all()
        if isinstance(value, QuerySet):
            value = list(value)
        elif callable(value):  # a method named as a field: its result, as Ninja's getter does
            value = value()
        if shape == _LIST:
            value = [construct(nested, item) for item in value]
        elif shape == _NESTED and value is not None:
            value = construct(nested, value)
        values[name] = value
    return schema.model_construct(**values)
