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


@pytest.fixture
def schema(openapi_schema):
    return openapi_schema


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


# --- The gaps between the schema and the server that were open in tests/fuzz/ (OPEN_GAPS), each closed at the
# shared mechanism; the example is the one schemathesis sent.


def _request_schema(schema, path, method="post") -> dict:
    body = schema["paths"][path][method]["requestBody"]
    content = body["content"]["application/json"]["schema"]
    resolved = schema["components"]["schemas"][content["$ref"].rsplit("/", 1)[1]] if "$ref" in content else content
    return {**resolved, "components": schema["components"]}


def _accepts(schema, path, body, method="post") -> bool:
    """Whether `body` is valid for the operation's request schema, formats included (as schemathesis checks)."""
    request = _request_schema(schema, path, method)
    return jsonschema_rs.validator_for(request, validate_formats=True).is_valid(body)


# A host of 63 + 3 x 63 + 35 characters (plus dots): 258, over RFC 1034's 253. `format: uri` took it; Django's
# URLValidator does not.
LONG_HOST_URL = "https://" + "0" * 63 + "." + ("a" * 63 + ".") * 3 + "a" * 35


def test_a_web_url_pattern_matches_only_what_the_server_accepts():
    from django.core.validators import URLValidator
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from bantu.core.serializers import WEB_URL_PATTERN

    django_validator = URLValidator(schemes=["http", "https"])
    uri = jsonschema_rs.validator_for({"type": "string", "format": "uri", "pattern": WEB_URL_PATTERN},
                                      validate_formats=True)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.from_regex(WEB_URL_PATTERN, fullmatch=True))
    def every_match_is_a_url_for_django_and_for_format_uri(url):
        django_validator(url)
        assert uri.is_valid(url)

    every_match_is_a_url_for_django_and_for_format_uri()
    assert not uri.is_valid(LONG_HOST_URL)


@pytest.mark.parametrize(("website", "accepted"), [
    ("https://kopi.example.co.id/menu?hari=senin#harga", True),
    ("http://127.0.0.1:8000/", True),
    ("https://xn--mnchen-3ya.de/", True),
    (LONG_HOST_URL, False),
    (" https://kopi.id", False),  # not trimmed any more: the schema does not allow it
    ("https://budi:rahasia@kopi.id/", False),
    ("ftp://kopi.id/", False),
    ("https://kopi.id/a b", False),
    ("https://münchen.de/", False),
    # Percent-escapes anywhere in the path, query and fragment; a `%` without two hex digits nowhere.
    ("https://kopi.id/menu%20hari/%41?q=%7e%7E&r=/?#%2F%2f", True),
    ("https://kopi.id/%", False),
    ("https://kopi.id/%4", False),
    ("https://kopi.id/%4G", False),
    ("https://kopi.id/a?q=%", False),
    ("https://kopi.id/a#b%2", False),
])
def test_company_website_is_accepted_exactly_when_the_schema_allows_it(schema, as_user, user, website, accepted):
    # Found: POST companies/ with LONG_HOST_URL (schema-valid) was a 400.
    response = as_user(user).post("/api/v1/companies/", {"name": "PT Kopi", "website": website}, format="json")

    assert _accepts(schema, "/api/v1/companies/", {"name": "PT Kopi", "website": website}) is accepted
    if accepted:
        assert response.status_code == 201, response.content
        assert response.json()["website"] == website
    else:
        assert_problem(response, 400, "validation_error", {"website": ["Enter a valid URL."]})


def test_portfolio_links_and_attachments_use_the_same_url_pattern(schema):
    from bantu.core.serializers import WEB_URL_PATTERN

    schemas = schema["components"]["schemas"]
    for component, name in (("FreelancerProfileWriteRequest", "portfolio_links"), ("ApplyRequest", "attachments")):
        assert schemas[component]["properties"][name]["items"]["pattern"] == WEB_URL_PATTERN


def test_a_member_patch_documents_role_as_required(schema, as_user, owner, company):
    # Found: PATCH companies/{id}/members/{membership_id}/ with {} (the schema made every field optional) was a 400.
    from tests.factories import MembershipFactory

    membership = MembershipFactory(company=company)
    path = "/api/v1/companies/{id}/members/{membership_id}/"

    response = as_user(owner).patch(f"/api/v1/companies/{company.pk}/members/{membership.pk}/", {}, format="json")

    assert_problem(response, 400, "validation_error", {"role": ["This field is required."]})
    assert not _accepts(schema, path, {}, method="patch")
    assert schema["paths"][path]["patch"]["requestBody"]["required"] is True


def test_a_partial_update_still_documents_its_fields_as_optional(schema):
    assert "required" not in schema["components"]["schemas"]["PatchedCompanyWriteRequest"]


def test_accept_documents_that_a_milestone_plan_is_not_empty(schema, as_user, owner, company):
    # Found: POST proposals/{id}/accept/ with {"milestones": []} was schema-valid and a 400.
    from tests.factories import JobFactory, ProposalFactory

    job = JobFactory(company=company, posted_by=owner, title="Logo kopi", description="Logo untuk kedai kopi kami.",
                     budget_min=1, budget_max=2)
    proposal = ProposalFactory(job=job, cover_letter="Saya siap.", amount=2, duration_days=3)

    response = as_user(owner).post(f"/api/v1/proposals/{proposal.pk}/accept/", {"milestones": []}, format="json")

    assert_problem(response, 400, "validation_error", {"milestones": ["This list may not be empty."]})
    milestones = schema["components"]["schemas"]["AcceptRequest"]["properties"]["milestones"]
    assert (milestones["minItems"], milestones["maxItems"]) == (1, 20)


@pytest.mark.parametrize("body", [
    {}, {"proposal": str(uuid.uuid4())}, {"company": str(uuid.uuid4())}, {"freelancer": str(uuid.uuid4())},
    {"company": str(uuid.uuid4()), "freelancer": str(uuid.uuid4())},
    {"proposal": str(uuid.uuid4()), "company": str(uuid.uuid4())},
    {"proposal": str(uuid.uuid4()), "company": str(uuid.uuid4()), "freelancer": str(uuid.uuid4())},
])
def test_opening_a_conversation_is_one_of_two_shapes_in_the_schema_as_on_the_server(schema, body):
    # Found: {"company", "freelancer", "proposal"} together was schema-valid and a 400.
    from chat.api.serializers import ConversationOpenSerializer

    assert _accepts(schema, "/api/v1/conversations/", body) is ConversationOpenSerializer(data=body).is_valid()
    assert schema["paths"]["/api/v1/conversations/"]["post"]["requestBody"]["required"] is True


def _device_bodies():
    from tests.push.pushservice import browser_keys

    keys, endpoint = browser_keys(), "https://push.example.id/send/abc"
    return [
        {"kind": "webpush", "endpoint": endpoint, "keys": keys},
        {"kind": "fcm", "token": "fcm-token"},
        {"kind": "fcm", "endpoint": endpoint, "keys": keys, "token": "fcm-token"},  # the one fuzzing sent
        {"kind": "webpush", "token": "fcm-token"},
        {"kind": "fcm", "endpoint": endpoint, "keys": keys},
        {"kind": "webpush", "endpoint": endpoint},
        {"kind": "webpush", "endpoint": endpoint, "keys": {**keys, "p256dh": keys["p256dh"].replace("-", "+")}},
        {"kind": "webpush", "endpoint": endpoint, "keys": {**keys, "auth": f" {keys['auth']}"}},
        {"kind": "fcm"},
    ]


@pytest.mark.parametrize("index", range(9))
def test_registering_a_device_is_one_of_two_shapes_in_the_schema_as_on_the_server(schema, index):
    from notifications.api.devices import DeviceRegisterSerializer

    body = _device_bodies()[index]
    assert _accepts(schema, "/api/v1/devices/", body) is DeviceRegisterSerializer(data=body).is_valid()


def test_a_p256dh_of_the_right_form_that_is_not_a_curve_point_is_still_400(schema, as_user, user):
    # No schema can say which 65 bytes are a point on P-256: the fuzzing sends real keys (tests/fuzz/).
    from tests.push.pushservice import browser_keys

    body = {"kind": "webpush", "endpoint": "https://push.example.id/send/abc",
            "keys": {**browser_keys(), "p256dh": "B" + "A" * 86}}

    response = as_user(user).post("/api/v1/devices/", body, format="json")

    assert _accepts(schema, "/api/v1/devices/", body)
    assert_problem(response, 400, "validation_error", {"keys.p256dh": ["Not an uncompressed P-256 public key."]})


def test_the_fund_gateway_enum_lists_only_the_configured_gateways(settings, db):
    # Found: POST milestones/{id}/fund/ with {"gateway": "xendit"} (in the enum) was a 400 without Xendit keys.
    from drf_spectacular.generators import SchemaGenerator

    def enum():
        generated = SchemaGenerator().get_schema(request=None, public=True)
        gateway = generated["components"]["schemas"]["FundRequest"]["properties"]["gateway"]
        gateway = gateway.get("allOf", [gateway])[0]
        return generated["components"]["schemas"][gateway["$ref"].rsplit("/", 1)[1]]["enum"]

    assert enum() == ["sandbox"]
    settings.BANTU = {**settings.BANTU, "XENDIT_SECRET_KEY": "xnd_development_key"}
    assert enum() == ["xendit"]


@pytest.mark.parametrize(("body", "errors"), [
    ({"account_holder_name": "000"}, {"account_holder_name": ["Letters, spaces and . , ' - only."]}),  # fuzzing's
    ({"account_holder_name": " Budi"}, {"account_holder_name": ["Letters, spaces and . , ' - only."]}),
    ({"account_number": " 123456789"}, {"account_number": ["Digits only."]}),
])
def test_payout_fields_are_refused_exactly_where_the_schema_refuses_them(schema, as_user, freelancer, body, errors):
    valid = {"amount": 100_000, "bank_code": "BCA", "account_number": "1234567890", "account_holder_name": "Budi"}

    response = as_user(freelancer).post("/api/v1/payouts/", valid | body, format="json")

    assert_problem(response, 400, "validation_error", errors)
    assert not _accepts(schema, "/api/v1/payouts/", valid | body)
    assert _accepts(schema, "/api/v1/payouts/", valid | {"account_holder_name": "Đặng Thị Hà"})


def test_payout_amount_bounds_are_the_configured_ones(schema):
    # Found: {"amount": 1} was schema-valid and a 400 (payout_amount_out_of_range).
    amount = schema["components"]["schemas"]["PayoutCreateRequest"]["properties"]["amount"]

    assert (amount["minimum"], amount["maximum"]) == (50_000, 100_000_000)


def test_a_midtrans_notification_documents_the_fields_read_before_the_signature(schema, api, db):
    # Found: {} was schema-valid (any object) and a 400 malformed_callback.
    path = "/api/v1/webhooks/midtrans/"
    signed_wrong = {"order_id": "pay-1", "status_code": "200", "gross_amount": "150000.00", "signature_key": "x"}

    assert_problem(api.post(path, {}, format="json"), 400, "malformed_callback")
    assert not _accepts(schema, path, {})
    assert not _accepts(schema, path, signed_wrong | {"gross_amount": "150000.50"})
    assert _accepts(schema, path, signed_wrong | {"transaction_status": "settlement"})
    assert_problem(api.post(path, signed_wrong, format="json"), 401, "invalid_signature")


def test_a_job_patch_documents_that_it_cannot_name_a_company(schema):
    # Found: PATCH jobs/{id}/ with the job's own `company` was schema-valid and a 400 (a job never moves).
    assert "company" not in schema["components"]["schemas"]["PatchedJobWriteRequest"]["properties"]
    assert "company" in schema["components"]["schemas"]["JobWriteRequest"]["properties"]


def test_the_message_cursor_is_documented_as_not_empty(schema, as_user, freelancer, owner, company):
    # Found: GET conversations/{id}/messages/?cursor= was schema-valid and a 400.
    from chat.services import conversation_open_direct

    conversation, _ = conversation_open_direct(user=owner, company=company, freelancer=freelancer)

    response = as_user(freelancer).get(f"/api/v1/conversations/{conversation.pk}/messages/?cursor=")

    assert_problem(response, 400, "validation_error", {"cursor": ["Invalid cursor."]})
    assert _query_parameter(schema, "/api/v1/conversations/{id}/messages/", "cursor")["minLength"] == 1


@pytest.mark.parametrize("new_password", ["00000000", "kopi"])
def test_a_new_password_documents_its_length_and_that_it_is_not_only_digits(schema, as_user, user, password,
                                                                              new_password):
    # Found (once a real old password was sent): "00000000" was schema-valid and a 400 weak_password.
    body = {"old_password": password, "new_password": new_password}

    response = as_user(user).post("/api/v1/auth/password/change/", body, format="json")

    assert_problem(response, 400, "weak_password")
    assert not _accepts(schema, "/api/v1/auth/password/change/", body)
    assert _accepts(schema, "/api/v1/auth/password/change/", body | {"new_password": "kopi-susu-gula-aren"})


# Values that name data: schema-valid, and a documented 400 when they name nothing. No schema states which exist;
# tests/fuzz/ sends real ones (REFERENCES), and these keep the answers for unknown ones.
@pytest.mark.parametrize(("method", "path", "body", "code", "errors"), [
    ("get", "/api/v1/jobs/?skills=0", None, "validation_error", {"skills": ["Unknown skills: 0."]}),
    ("post", "/api/v1/me/freelancer-profile/", {"skills": ["00"]}, "validation_error",
     {"skills": ["Object with slug=00 does not exist."]}),
    ("post", "/api/v1/auth/password/change/", {"old_password": "salah", "new_password": "kopi-susu-gula-aren"},
     "wrong_password", {"old_password": ["The current password is incorrect."]}),
])
def test_a_value_naming_nothing_is_a_documented_400(schema, as_user, user, method, path, body, code, errors):
    response = getattr(as_user(user), method)(path, body, format="json")

    assert_problem(response, 400, code, errors)
    documented = schema["paths"][path.split("?")[0]][method]["responses"]["400"]
    assert documented["content"]["application/problem+json"]["schema"]["$ref"].endswith("/ValidationProblem")
    assert documented["description"] != "Invalid input (problem details).", documented  # names the cause


def test_a_message_of_another_conversation_is_a_documented_400(schema, as_user, freelancer, owner, company):
    from chat.services import conversation_open_direct, message_send
    from tests.factories import FreelancerProfileFactory

    mine, _ = conversation_open_direct(user=owner, company=company, freelancer=freelancer)
    other, _ = conversation_open_direct(user=owner, company=company, freelancer=FreelancerProfileFactory().user)
    elsewhere, _ = message_send(conversation_id=other.pk, sender=owner, body="Halo", client_id=uuid.uuid4())

    read = as_user(freelancer).post(f"/api/v1/conversations/{mine.pk}/read/", {"message": str(elsewhere.pk)},
                                    format="json")
    after = as_user(freelancer).get(f"/api/v1/conversations/{mine.pk}/messages/?after={elsewhere.pk}")

    assert_problem(read, 400, "unknown_message", {"message": ["Unknown message."]})
    assert_problem(after, 400, "validation_error", {"after": ["Not a message of this conversation."]})
    read_400 = schema["paths"]["/api/v1/conversations/{id}/read/"]["post"]["responses"]["400"]
    after_400 = schema["paths"]["/api/v1/conversations/{id}/messages/"]["get"]["responses"]["400"]
    assert "`unknown_message`" in read_400["description"]
    assert "`after`" in after_400["description"]
