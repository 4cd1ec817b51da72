import re

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from openapi_spec_validator import validate


@pytest.fixture(scope="module")
def schema(django_db_blocker, tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yml"
    with django_db_blocker.unblock():
        # --fail-on-warn: any warning (unresolvable serializer, enum collision, ...) fails the test.
        call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_schema_is_valid_openapi(schema):
    validate(schema)


# Routes of bantu/urls.py that are not part of the REST API, each with the place that documents it instead.
NOT_IN_THE_SCHEMA = {
    "admin/": "the operators' console (Django admin, HTML; docs/backoffice.md)",
    "api/schema/": "the schema itself",
    "api/docs/": "Swagger UI, a page over the schema",
    "api/redoc/": "ReDoc, a page over the schema",
    "healthz": "liveness probe (docs/deploy.md)",
    "readyz": "readiness probe (docs/deploy.md)",
}


def http_routes(patterns=None, prefix: str = ""):
    """Every route of the URL resolver as (route, view), written as in bantu/urls.py ("api/v1/jobs/<uuid:pk>/")."""
    from django.urls import URLResolver, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from http_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def operation_key(method: str, route: str) -> tuple[str, str]:
    """("get", "/api/v1/jobs/{}/") for a Django route ("api/v1/jobs/<uuid:pk>/") or an OpenAPI path
    ("/api/v1/jobs/{id}/"): parameters' names and converters do not matter."""
    route = re.sub(r"<[^>]*>|\{[^}]*\}", "{}", route)
    return method.lower(), route if route.startswith("/") else f"/{route}"


def view_methods(view) -> set[str]:
    """The HTTP methods a DRF view answers, less OPTIONS and HEAD (DRF answers those for every view)."""
    view_class = view.cls
    return {method for method in view_class.http_method_names
            if method not in ("options", "head") and hasattr(view_class, method)}


def test_every_api_route_is_documented(schema):
    """Every route the resolver knows, with every method its view answers, is an operation of the schema; the
    routes that are not (the admin, the documentation pages, the probes) are listed in NOT_IN_THE_SCHEMA. The
    WebSocket route (bantu/routing.py) is documented in docs/asyncapi.yaml
    (tests/chat/consumers/test_asyncapi_contract.py)."""
    documented = {operation_key(method, path) for path, item in schema["paths"].items() for method in item
                  if method in ("get", "post", "put", "patch", "delete")}
    routes = list(http_routes())
    excluded = {route for route, _ in routes if route.startswith(tuple(NOT_IN_THE_SCHEMA))}
    api = [(route, view) for route, view in routes if route not in excluded]

    # Each exclusion still names a route (a stale entry would hide nothing but mislead).
    assert {prefix for prefix in NOT_IN_THE_SCHEMA if any(route.startswith(prefix) for route in excluded)} == set(
        NOT_IN_THE_SCHEMA)
    assert all(route.startswith("api/v1/") for route, _ in api), [route for route, _ in api]
    operations = {operation_key(method, route) for route, view in api for method in view_methods(view)}
    assert len(operations) >= 80
    missing = sorted(operations - documented)
    assert not missing, "Routes missing from the schema:\n" + "\n".join(f"{m.upper()} {p}" for m, p in missing)
    # and the schema documents nothing the resolver does not route
    assert sorted(documented - operations) == []


def test_the_websocket_route_is_documented_in_the_asyncapi_document():
    from bantu.routing import websocket_urlpatterns

    document = yaml.safe_load((settings.BASE_DIR / "docs" / "asyncapi.yaml").read_text())
    addresses = {channel["address"] for channel in document["channels"].values()}

    assert {f"/{pattern.pattern}" for pattern in websocket_urlpatterns} == addresses == {"/ws/"}


def test_errors_are_documented_as_problem_details(schema):
    operation = schema["paths"]["/api/v1/companies/{id}/"]["patch"]

    for code in ("400", "401", "403", "404"):
        assert "application/problem+json" in operation["responses"][code]["content"]
    assert schema["components"]["securitySchemes"]["jwtAuth"]["scheme"] == "bearer"


def test_login_documents_401_and_429(schema):
    responses = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]

    assert {"200", "400", "401", "403", "429"} <= set(responses)


def test_generating_the_schema_reads_no_database(db, django_assert_num_queries):
    # Found when the test database's connection pool was bound to the wrong database: the category and skill
    # lists read the database (their cached lists, cold here: tests/conftest.py clears the cache) while the
    # schema was generated, so `manage.py spectacular` and a schema fetched at import needed a database.
    from drf_spectacular.generators import SchemaGenerator

    with django_assert_num_queries(0):
        schema = SchemaGenerator().get_schema(request=None, public=True)

    assert "/api/v1/categories/" in schema["paths"]


def test_every_paged_list_documents_the_404_of_a_page_past_the_end(schema):
    """A `?page=` past the last page is a 404 on every list (the fuzzer found the job search's undocumented)."""
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method == "get" and any(parameter.get("name") == "page" for parameter in operation.get("parameters", []))
        and "404" not in operation["responses"]
    ]
    assert undocumented == []


def test_no_component_is_described_by_the_docstring_of_one_of_our_base_classes(schema):
    """Swagger and ReDoc show a component's description: StrictSerializer's and FieldsBuiltOnceMixin's docstrings
    (how the mechanism works, for maintainers) described 41 components, inherited (bantu.core.schema.
    lib_doc_excludes)."""
    from bantu.core.serializers import FieldsBuiltOnceMixin, StrictSerializer

    base_docs = {" ".join(cls.__doc__.split()) for cls in (StrictSerializer, FieldsBuiltOnceMixin)}
    described = {name: " ".join(component.get("description", "").split())
                 for name, component in schema["components"]["schemas"].items()}

    assert [name for name, description in described.items() if description in base_docs] == []
    assert described["Review"].startswith("One review.")  # a serializer's own docstring still describes it


def test_every_query_parameter_says_what_it_does(schema):
    """A filter's help text reaches Swagger and ReDoc even when its schema is annotated or rebuilt (`?skills=` of
    jobs and `?unread=` had none), and the `format` of a page with several renderers is described."""
    undescribed = [f"{method.upper()} {path} ?{parameter['name']}"
                   for path, operations in schema["paths"].items() for method, operation in operations.items()
                   if isinstance(operation, dict)
                   for parameter in operation.get("parameters", [])
                   if parameter["in"] == "query" and not parameter.get("description")]

    assert undescribed == []


def test_no_two_routes_share_a_path():
    """bantu/urls.py puts the job search first for speed: that is safe only while no route shadows another, which
    would make the order decide which view answers."""
    routes = [operation_key("get", route)[1] for route, _ in http_routes()]
    assert sorted(route for route in set(routes) if routes.count(route) > 1) == []
