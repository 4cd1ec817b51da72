import pytest
import yaml
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


def test_every_api_route_is_documented(schema):
    documented = set(schema["paths"])
    for route in ("/api/v1/auth/register/", "/api/v1/auth/token/", "/api/v1/auth/token/refresh/",
                  "/api/v1/auth/logout/", "/api/v1/auth/password/change/", "/api/v1/me/",
                  "/api/v1/me/freelancer-profile/", "/api/v1/companies/", "/api/v1/companies/{id}/",
                  "/api/v1/companies/{id}/members/", "/api/v1/freelancers/", "/api/v1/freelancers/{id}/",
                  "/api/v1/categories/", "/api/v1/skills/"):
        assert route in documented



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
