"""Plausible request bodies generated from the OpenAPI document, for tests that call every operation."""

from django.utils import timezone


def resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].split("/")[-1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return resolve(schema["allOf"][0], components)
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return resolve(options[0], components) if options else {"type": "null"}
    return schema


def example(schema: dict, components: dict, depth: int = 0):
    schema = resolve(schema, components)
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 4:
            return {}
        props = schema.get("properties", {})
        return {name: example(props[name], components, depth + 1) for name in schema.get("required", [])}
    if kind == "array":
        count = schema.get("minItems", 0)
        return [example(schema.get("items", {}), components, depth + 1) for _ in range(count)]
    if kind == "integer":
        return max(schema.get("minimum", 1), 1)
    if kind == "number":
        return 24.44 if depth else 1
    if kind == "boolean":
        return False
    if kind == "string":
        if schema.get("format") == "date-time":
            return (timezone.now() + timezone.timedelta(days=1)).isoformat()
        if schema.get("format") == "date":
            return timezone.now().date().isoformat()
        return "探针测试" * max(1, (schema.get("minLength", 1) + 3) // 4)
    return None


def request_body(operation: dict, components: dict):
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return "json", example(content["application/json"]["schema"], components)
    if "multipart/form-data" in content:
        return "multipart", {}
    return None, None
