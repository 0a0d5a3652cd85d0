"""What the OpenAPI document says beyond what Ninja derives from the endpoints' signatures.

- Every operation documents its error answers with the one error shape ({code, message, field}):
  Ninja only knows the success codes. The schemathesis fuzz test (tests/test_fuzz.py) holds every
  answer to this document, so an undocumented status fails CI.
- Integers we only send (response schemas) get the range of the widest column (64-bit): Ninja
  has no bound on them, and a client's code generator and the fuzz test want one. Request
  integers carry their own, narrower bounds (core/bounds.py); this never touches them.
"""

import copy

from .bounds import INT64_MAX, INT64_MIN

ERROR_SCHEMA = {
    "title": "ErrorOut",
    "type": "object",
    "description": "The one error shape: a stable code, a message in the request's language, the field at fault.",
    "properties": {
        "code": {"type": "string", "title": "Code"},
        "message": {"type": "string", "title": "Message"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}], "title": "Field"},
        "errors": {
            "type": "array",
            "title": "Errors",
            "description": "Validation errors only: every field at fault.",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "type": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "msg": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                },
            },
        },
    },
    "required": ["code", "message", "field"],
}

ERROR_DESCRIPTIONS = {
    400: "A business rule said no (nothing changed)",
    401: "Not logged in",
    403: "Logged in, but this role may not do it",
    404: "No such object in this shop (or not yours: the same answer)",
    409: "Conflicts with the current state (sold out, already handled, …)",
    413: "The request body is too large",
    422: "The request does not match this document (the field is named)",
    429: "Too many attempts; try again later",
    503: "The database is briefly unreachable (a failover): send it again after Retry-After seconds, with the "
    "same Idempotency-Key (an order that went through is answered, not placed again)",
}
# Every operation may answer these (public ones too: logging in answers 401, a suspended shop 403;
# any, 503 while the database fails over); those with a body also 413.
_ALWAYS = (400, 401, 403, 404, 409, 422, 429, 503)
_RESPONSE_NAMES = {
    400: "BadRequest",
    401: "NotAuthenticated",
    403: "PermissionDenied",
    404: "NotFound",
    409: "Conflict",
    413: "BodyTooLarge",
    422: "ValidationFailed",
    429: "TooManyAttempts",
    503: "ServiceUnavailable",
}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


def file_response(*content_types: str, description: str = "A file to download") -> dict:
    """`openapi_extra=` of an endpoint answering a file (not JSON): its content type(s)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description, "content": dict.fromkeys(content_types, binary)}}}


BEARER_DESCRIPTION = (
    "`Authorization: Bearer tg_…`: a person's token (a login with issue_token). "
    "`Authorization: Bearer tk_…`: a shop's API key (console → 开放平台, docs/open-platform.md): it reads "
    "(GET) the console operations of its own shop, /api/console/shops/{shop_id}/…, that its scopes cover — "
    "orders:read (orders.view), campaigns:read, fulfilment:read, catalog:read, leaders:read, commissions:read — "
    "and answers 403 api_key_scope / api_key_read_only elsewhere."
)


def document_errors_and_bounds(schema: dict) -> dict:
    schema = copy.deepcopy(schema)
    bearer = schema.get("components", {}).get("securitySchemes", {}).get("BearerTokenAuth")
    if bearer is not None:
        bearer["description"] = BEARER_DESCRIPTION
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorOut"] = ERROR_SCHEMA
    schema["components"]["responses"] = {
        _RESPONSE_NAMES[status]: {
            "description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for status, description in ERROR_DESCRIPTIONS.items()
    }
    request_refs, response_refs = set(), set()
    for methods in schema.get("paths", {}).values():
        for operation in methods.values():
            _collect_refs(operation.get("requestBody", {}), components, request_refs)
            for parameter in operation.get("parameters", []):
                _collect_refs(parameter, components, request_refs)
            for response in operation.get("responses", {}).values():  # (ours are added below)
                _collect_refs(response, components, response_refs)
                for content in response.get("content", {}).values():
                    if "schema" in content:
                        _bound_integers(content["schema"])
            _document_errors(operation)
    _bound_integer_enums(schema)
    for name in response_refs - request_refs:
        _bound_integers(components[name])
    return schema


def _document_errors(operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    statuses = list(_ALWAYS)
    if "requestBody" in operation:
        statuses.append(413)
    for status in sorted(statuses):
        responses.setdefault(status, {"$ref": f"#/components/responses/{_RESPONSE_NAMES[status]}"})


def _collect_refs(node, components: dict, found: set) -> None:
    """Names of the component schemas reachable from `node` (through nested references too)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            name = ref.rsplit("/", 1)[-1]
            if name not in found and name in components:
                found.add(name)
                _collect_refs(components[name], components, found)
        for value in node.values():
            _collect_refs(value, components, found)
    elif isinstance(node, list):
        for value in node:
            _collect_refs(value, components, found)


def _bound_integers(node) -> None:
    """Give every integer without a range the 64-bit one."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            node.setdefault("minimum", INT64_MIN)
            node.setdefault("maximum", INT64_MAX)
        for key, value in node.items():
            if key != "$ref":
                _bound_integers(value)
    elif isinstance(node, list):
        for value in node:
            _bound_integers(value)


def _bound_integer_enums(node) -> None:
    """An integer enum (a request's too) is bounded by its values: say so as minimum/maximum."""
    if isinstance(node, dict):
        if node.get("type") == "integer" and node.get("enum"):
            node.setdefault("minimum", min(node["enum"]))
            node.setdefault("maximum", max(node["enum"]))
        for value in node.values():
            _bound_integer_enums(value)
    elif isinstance(node, list):
        for value in node:
            _bound_integer_enums(value)
