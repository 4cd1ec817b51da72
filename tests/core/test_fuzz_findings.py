"""What the schema fuzzing (tests/fuzz/) found, each kept as a plain test of the shared mechanism it fixed."""

import uuid

import jsonschema_rs
import pytest
from rest_framework.test import APIClient

from tests.problems import assert_problem


def test_options_on_a_page_with_an_html_renderer_answers_json_metadata(db):
    # Found: OPTIONS .../sandbox/{id}/pay/?format=html was a 500 (the checkout page's HTML renderer was handed
    # DRF's metadata instead of a payment).
    response = APIClient().options(f"/api/v1/payments/sandbox/{uuid.uuid4()}/pay/?format=html")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["name"] == "Sandbox Checkout Api"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _query_parameter(schema, path, name) -> dict:
    return next(p["schema"] for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_page_and_page_size_are_documented_as_positive_integers(schema):
    # Found: ?page=0&page_size=0 is a 400, while the schema allowed any integer.
    lists = [path for path, item in schema["paths"].items()
             if any(p["name"] == "page_size" for p in item.get("get", {}).get("parameters", []))]

    assert len(lists) > 10
    for path in lists:
        for name in ("page", "page_size"):
            parameter = next((p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name), None)
            if parameter is not None:
                assert parameter["schema"] == {"type": "integer", "minimum": 1, "maximum": 999_999_999}, path


def test_a_page_past_the_last_is_a_documented_404(schema, as_user, freelancer):
    # Found: GET contracts/?page=999999998&page_size=1 answered an undocumented 404.
    response = as_user(freelancer).get("/api/v1/contracts/?page=999999998&page_size=1")

    assert_problem(response, 404, "not_found")
    assert "application/problem+json" in schema["paths"]["/api/v1/contracts/"]["get"]["responses"]["404"]["content"]


def test_a_blank_read_only_url_matches_its_schema(schema, as_user, user):
    # Found: a company created without a website answers "website": "", which `format: uri` refused.
    response = as_user(user).post("/api/v1/companies/", {"name": "PT Tanpa Situs", "website": ""}, format="json")

    assert response.status_code == 201
    website = schema["components"]["schemas"]["Company"]["properties"]["website"]
    validator = jsonschema_rs.validator_for(website, validate_formats=True)  # as schemathesis validates
    assert validator.is_valid(response.json()["website"])
    assert validator.is_valid("https://kopi.example.id/")
    assert not validator.is_valid("not a url")


def test_strict_filters_are_documented_as_they_read(schema):
    # Found: ?skills= and ?ordering= (empty) are 400s, `verified` was a boolean with string values, and
    # `min_rate` an integer without its bounds.
    assert _query_parameter(schema, "/api/v1/jobs/", "skills") == {"type": "string", "minLength": 1}
    assert _query_parameter(schema, "/api/v1/companies/", "verified") == {
        "type": "string", "enum": ["true", "false", "1", "0"]}
    assert _query_parameter(schema, "/api/v1/freelancers/", "ordering")["minItems"] == 1
    assert _query_parameter(schema, "/api/v1/freelancers/", "min_rate") == {
        "type": "integer", "minimum": 0, "maximum": 100_000_000}


def test_a_number_filter_refuses_a_fraction(api, db):
    # Found: GET freelancers/?min_rate=0.5 was accepted although the parameter is an integer.
    assert_problem(api.get("/api/v1/freelancers/?min_rate=0.5"), 400, "validation_error",
                   {"min_rate": ["A whole number is required."]})


def test_a_uuid_field_refuses_a_json_boolean(as_user, freelancer, owner, company):
    # Found: {"client_id": false} was stored as the UUID 00000000-0000-0000-0000-000000000000.
    from chat.services import conversation_open_direct

    conversation, _ = conversation_open_direct(user=owner, company=company, freelancer=freelancer)

    response = as_user(freelancer).post(f"/api/v1/conversations/{conversation.pk}/messages/",
                                        {"body": "Halo", "client_id": False}, format="json")

    assert_problem(response, 400, "validation_error", {"client_id": ["Must be a UUID string."]})


def test_a_list_field_refuses_a_json_object(as_user, user):
    # Found: {"skills": {}} was taken as an empty list when becoming a freelancer.
    response = as_user(user).post("/api/v1/me/freelancer-profile/", {"headline": "Desainer", "skills": {}},
                                  format="json")

    assert_problem(response, 400, "validation_error", {"skills": ['Expected a list of items but got type "dict".']})


def test_opening_a_conversation_with_an_unknown_company_is_a_documented_404(schema, as_user, owner, freelancer):
    # Found: POST conversations/ naming a company that does not exist answered an undocumented 404.
    response = as_user(owner).post("/api/v1/conversations/", {"company": str(uuid.uuid4()),
                                                              "freelancer": str(freelancer.pk)}, format="json")

    assert_problem(response, 404, "not_found")
    responses = schema["paths"]["/api/v1/conversations/"]
    assert "application/problem+json" in responses["post"]["responses"]["404"]["content"]
    assert responses["get"]["responses"]["404"]["description"] == "A page past the last one."


@pytest.mark.parametrize("value", ["", "yes", "2"])
def test_notifications_unread_filter_refuses_what_it_cannot_read(db, value):
    # Found: `?unread=` (empty) was taken as no filter. The list now reads it through StrictFilterSet, as every
    # other list does: an empty or unknown boolean is a 400.
    from tests.conftest import client_for
    from tests.factories import UserFactory

    response = client_for(UserFactory()).get("/api/v1/notifications/", {"unread": value})

    assert_problem(response, 400, "validation_error")
    assert list(response.json()["errors"]) == ["unread"]
