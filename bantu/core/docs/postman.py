"""docs/postman/: a Postman collection (v2.1) generated from the OpenAPI schema, and its environment.

The JWT flow is wired in: the collection authenticates with `Bearer {{access_token}}`; logging in and registering
store `access_token` and `refresh_token` in the environment, refreshing and changing the password replace both (the
refresh token rotates; a password change revokes every earlier token), and logging out clears them. Path parameters
are `:id` variables; query parameters are listed, disabled; request bodies are examples built from the schema (each
field's example, default, first choice or a value of its type)."""

import json
import uuid

from drf_spectacular.generators import SchemaGenerator

COLLECTION_SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
_NAMESPACE = uuid.UUID("5a1d3b0e-6f1c-4c55-9a57-0d1f0c7b2a10")  # fixed, so that ids are the same on each run

_STORE_TOKENS = [
    "// Keep the token pair for the requests that follow (the refresh token rotates on every refresh).",
    "if (pm.response.code === 200 || pm.response.code === 201) {",
    "    const body = pm.response.json();",
    '    pm.environment.set("access_token", body.access);',
    '    pm.environment.set("refresh_token", body.refresh);',
    "}",
]
_CHECK_TOKENS = [
    'pm.test("a token pair is stored", function () {',
    "    pm.response.to.have.status(200);",
    '    pm.expect(pm.environment.get("access_token")).to.be.a("string").and.not.empty;',
    "});",
]
_CLEAR_TOKENS = [
    "if (pm.response.code === 204 || pm.response.code === 200) {",
    '    pm.environment.unset("access_token");',
    '    pm.environment.unset("refresh_token");',
    "}",
]
# Bodies that name the environment's values, so that the JWT flow runs as it is.
_BODY_OVERRIDES = {
    ("post", "/api/v1/auth/token/"): {"email": "{{email}}", "password": "{{password}}"},
    ("post", "/api/v1/auth/token/refresh/"): {"refresh": "{{refresh_token}}"},
    ("post", "/api/v1/auth/logout/"): {"refresh": "{{refresh_token}}"},
}
_SCRIPTS = {
    ("post", "/api/v1/auth/token/"): _STORE_TOKENS + _CHECK_TOKENS,
    ("post", "/api/v1/auth/register/"): _STORE_TOKENS,
    ("post", "/api/v1/auth/token/refresh/"): _STORE_TOKENS + _CHECK_TOKENS,
    ("post", "/api/v1/auth/password/change/"): _STORE_TOKENS,
    ("post", "/api/v1/auth/logout/"): _CLEAR_TOKENS,
    ("post", "/api/v1/auth/logout/all/"): _CLEAR_TOKENS,
}


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    return schema


def example_value(schema: dict, components: dict, depth: int = 0):
    """A JSON value that fits `schema` (an OpenAPI 3.0 schema object): its example, default or first enum value,
    else a value of its type and format. Objects list their writable properties; arrays hold one item."""
    schema = _resolve(schema, components)
    given = next((schema[key] for key in ("example", "default") if key in schema), _MISSING)
    if given is not _MISSING:
        return given
    if schema.get("enum"):
        return next((value for value in schema["enum"] if value not in ("", None)), schema["enum"][0])
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        return example_value(alternatives[0], components, depth)
    return _typed_example(schema, components, depth)


def _typed_example(schema: dict, components: dict, depth: int):
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {}).items() if depth <= 4 else ()
        return {
            name: example_value(field, components, depth + 1) for name, field in properties if not field.get("readOnly")
        }
    if kind == "array":
        return [example_value(schema.get("items", {}), components, depth + 1)]
    if kind in ("integer", "number"):  # the smallest positive value allowed
        return max(schema.get("minimum", 1), 1 if schema.get("maximum", 1) >= 1 else 0)
    return _SCALARS.get(kind) if kind != "string" else _STRINGS.get(schema.get("format"), "string")


_MISSING = object()
_SCALARS = {"boolean": True}
_STRINGS = {
    "uuid": "00000000-0000-0000-0000-000000000000",
    "email": "user@example.test",
    "uri": "https://example.test/",
    "date": "2027-01-31",
    "date-time": "2027-01-31T09:00:00Z",
    "decimal": "10.00",
}


def _item(method: str, path: str, operation: dict, components: dict) -> dict:
    parameters = operation.get("parameters", [])
    segments = [f":{part[1:-1]}" if part.startswith("{") else part for part in path.strip("/").split("/")]
    query = [
        {
            "key": p["name"],
            "value": str(example_value(p.get("schema", {}), components)),
            "description": p.get("description", ""),
            "disabled": True,
        }
        for p in parameters
        if p["in"] == "query"
    ]
    url = {
        "raw": "{{baseUrl}}/" + "/".join(segments) + "/",
        "host": ["{{baseUrl}}"],
        "path": [*segments, ""],
    }
    if query:
        url["query"] = query
    variables = [
        {"key": p["name"], "value": "", "description": p.get("description", "")}
        for p in parameters
        if p["in"] == "path"
    ]
    if variables:
        url["variable"] = variables
    headers = [{"key": "Accept", "value": "application/json"}]
    for parameter in parameters:
        if parameter["in"] == "header" and parameter["name"] == "Idempotency-Key":
            headers.append(
                {"key": "Idempotency-Key", "value": "{{$guid}}", "description": parameter.get("description", "")}
            )
    request = {"method": method.upper(), "header": headers, "url": url, "description": operation.get("description", "")}
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body = _BODY_OVERRIDES.get((method, path))
        if body is None:
            body = example_value(content["application/json"]["schema"], components)
        headers.append({"key": "Content-Type", "value": "application/json"})
        request["body"] = {
            "mode": "raw",
            "raw": json.dumps(body, indent=2, ensure_ascii=False),
            "options": {"raw": {"language": "json"}},
        }
    if {} in operation.get("security", [{}]) and not any(operation.get("security", [{}])[:-1]):
        request["auth"] = {"type": "noauth"}  # anonymous only: send no stale token
    item = {
        "name": operation.get("summary") or operation["operationId"],
        "id": str(uuid.uuid5(_NAMESPACE, f"{method} {path}")),
        "request": request,
    }
    if (method, path) in _SCRIPTS:
        item["event"] = [{"listen": "test", "script": {"type": "text/javascript", "exec": _SCRIPTS[method, path]}}]
    return item


def build_collection(schema: dict | None = None) -> dict:
    """The Postman v2.1 collection of every operation of the OpenAPI schema, in one folder per tag (in the order
    the tags first appear), with collection-level Bearer auth from `{{access_token}}`."""
    schema = schema or SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    folders: dict[str, list] = {}
    for path, path_item in schema["paths"].items():
        for method, operation in path_item.items():
            tag = (operation.get("tags") or ["other"])[0]
            folders.setdefault(tag, []).append(_item(method, path, operation, components))
    info = schema["info"]
    return {
        "info": {
            "_postman_id": str(uuid.uuid5(_NAMESPACE, "collection")),
            "name": info["title"],
            "description": (
                f"{info.get('description', '')}\n\nGenerated from the OpenAPI schema by `manage.py docs_postman` "
                "(`make docs`). Import it with `bantu.postman_environment.json`, run **auth → Log in** (or "
                "register): the access and refresh tokens are stored in the environment and used by every "
                "request; **Rotate a refresh token** replaces both."
            ),
            "schema": COLLECTION_SCHEMA,
        },
        "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{access_token}}", "type": "string"}]},
        "variable": [{"key": "baseUrl", "value": "http://127.0.0.1:8000", "type": "string"}],
        "item": [{"name": tag, "item": items} for tag, items in folders.items()],
    }


def build_environment() -> dict:
    """The environment for the embedded server's demo data (`make run`): base URL, a demo login, token slots."""
    return {
        "id": str(uuid.uuid5(_NAMESPACE, "environment")),
        "name": "Bantu (local)",
        "values": [
            {"key": "baseUrl", "value": "http://127.0.0.1:8000", "type": "default", "enabled": True},
            {"key": "email", "value": "owner@demo.bantu.id", "type": "default", "enabled": True},
            {"key": "password", "value": "BantuDemo!2026", "type": "secret", "enabled": True},
            {"key": "access_token", "value": "", "type": "secret", "enabled": True},
            {"key": "refresh_token", "value": "", "type": "secret", "enabled": True},
        ],
        "_postman_variable_scope": "environment",
    }


def dumps(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
