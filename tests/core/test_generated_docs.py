"""The files in docs/ that are generated from the code are current: each is regenerated here and compared with
the committed file (`make docs` rewrites them all). The AsyncAPI document is also validated against the AsyncAPI
3.0.0 JSON schema (vendored in tests/schemas/, so no network is needed)."""

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from drf_spectacular.generators import SchemaGenerator

from bantu.core.docs import erd, postman
from chat import asyncapi

DOCS = Path(settings.BASE_DIR) / "docs"


@pytest.fixture(scope="module")
def openapi():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_er_diagram_is_current():
    assert (DOCS / "schema.md").read_text() == erd.render_markdown(), "docs/schema.md is stale: run `make docs`"


def test_er_diagram_draws_every_model_and_its_keys():
    text = erd.render_markdown()

    for model in erd.project_models():
        assert f"    {model._meta.app_label}_{model.__name__} {{" in text
    assert '    proposals_Contract ||--o{ proposals_Milestone : "contract"' in text
    assert "        bigint amount" in text  # money is integer rupiah


def test_postman_collection_and_environment_are_current(openapi):
    folder = DOCS / "postman"

    assert (folder / "bantu.postman_collection.json").read_text() == postman.dumps(postman.build_collection(openapi))
    assert (folder / "bantu.postman_environment.json").read_text() == postman.dumps(postman.build_environment())


def test_generating_twice_gives_the_same_bytes():
    assert erd.render_markdown() == erd.render_markdown()
    assert postman.dumps(postman.build_collection()) == postman.dumps(postman.build_collection())


def test_postman_collection_has_every_operation_once_by_its_summary(openapi):
    collection = postman.build_collection(openapi)
    items = [item for folder in collection["item"] for item in folder["item"]]
    operations = [
        (method.upper(), path, operation)
        for path, path_item in openapi["paths"].items()
        for method, operation in path_item.items()
    ]

    assert collection["info"]["schema"].endswith("/v2.1.0/collection.json")
    assert len(items) == len(operations) == len({item["id"] for item in items})
    assert sorted(item["name"] for item in items) == sorted(operation["summary"] for *_, operation in operations)
    fund = next(item for item in items if item["request"]["url"]["raw"] == "{{baseUrl}}/api/v1/milestones/:id/fund/")
    assert fund["request"]["method"] == "POST"
    assert {"key": "Idempotency-Key", "value": "{{$guid}}"}.items() <= fund["request"]["header"][1].items()
    assert fund["request"]["url"]["variable"][0]["key"] == "id"


def test_postman_jwt_flow_is_wired(openapi):
    collection = postman.build_collection(openapi)
    items = {
        item["request"]["url"]["raw"].removeprefix("{{baseUrl}}"): item
        for folder in collection["item"]
        for item in folder["item"]
    }

    assert collection["auth"]["bearer"][0]["value"] == "{{access_token}}"
    login = items["/api/v1/auth/token/"]
    assert json.loads(login["request"]["body"]["raw"]) == {"email": "{{email}}", "password": "{{password}}"}
    assert login["request"]["auth"] == {"type": "noauth"}
    assert '    pm.environment.set("access_token", body.access);' in login["event"][0]["script"]["exec"]
    refresh = items["/api/v1/auth/token/refresh/"]
    assert json.loads(refresh["request"]["body"]["raw"]) == {"refresh": "{{refresh_token}}"}
    assert '    pm.environment.set("refresh_token", body.refresh);' in refresh["event"][0]["script"]["exec"]
    password = items["/api/v1/auth/password/change/"]  # answers a new pair: every earlier token is revoked
    assert '    pm.environment.set("access_token", body.access);' in password["event"][0]["script"]["exec"]
    logout = items["/api/v1/auth/logout/"]
    assert '    pm.environment.unset("access_token");' in logout["event"][0]["script"]["exec"]
    assert "auth" not in items["/api/v1/me/"]["request"]  # inherits the collection's Bearer auth
    keys = {value["key"] for value in postman.build_environment()["values"]}
    assert {"baseUrl", "email", "password", "access_token", "refresh_token"} == keys


def test_example_bodies_follow_the_schema():
    components = {"Amount": {"type": "integer", "minimum": 50000}}
    schema = {
        "type": "object",
        "properties": {
            "amount": {"$ref": "#/components/schemas/Amount"},
            "id": {"type": "string", "readOnly": True},
            "bank": {"type": "string", "enum": ["", "bca", "bni"]},
            "due": {"type": "string", "format": "date"},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
    }

    assert postman.example_value(schema, components) == {
        "amount": 50000,
        "bank": "bca",
        "due": "2027-01-31",
        "tags": ["string"],
    }


def test_check_mode_fails_on_a_stale_file(tmp_path):
    stale = tmp_path / "schema.md"
    stale.write_text("old\n")

    with pytest.raises(CommandError, match="out of date"):
        call_command("docs_schema", "--check", "--file", str(stale))
    call_command("docs_schema", "--file", str(stale))
    call_command("docs_schema", "--check", "--file", str(stale))
    assert stale.read_text() == erd.render_markdown()


# --- AsyncAPI ----------------------------------------------------------------------------------------------------

ASYNCAPI_SCHEMA = Path(settings.BASE_DIR) / "tests" / "schemas" / "asyncapi-3.0.0.json"


@pytest.fixture(scope="module")
def asyncapi_validator():
    return jsonschema.Draft7Validator(json.loads(ASYNCAPI_SCHEMA.read_text()))


def test_asyncapi_document_is_current():
    assert (DOCS / "asyncapi.yaml").read_text() == asyncapi.render_yaml(), "docs/asyncapi.yaml is stale: make docs"


def test_asyncapi_document_is_valid_asyncapi_3(asyncapi_validator):
    document = yaml.safe_load((DOCS / "asyncapi.yaml").read_text())

    assert document["asyncapi"] == "3.0.0"
    assert [error.message for error in asyncapi_validator.iter_errors(document)] == []


@pytest.mark.parametrize(
    "spoil",
    [
        lambda doc: doc["operations"]["sendEvents"].update(action="publish"),  # AsyncAPI 2's word
        lambda doc: doc["channels"]["userSocket"].update(address=5),
        lambda doc: doc["components"]["securitySchemes"]["token"].update(type="bearerToken"),
        lambda doc: doc.update(asyncapi="2.6.0"),
    ],
)
def test_the_validator_refuses_a_spoiled_document(asyncapi_validator, spoil):
    document = asyncapi.build_document()
    spoil(document)

    assert list(asyncapi_validator.iter_errors(json.loads(json.dumps(document)))) != []


def test_asyncapi_examples_fit_their_payloads():
    document = asyncapi.build_document()

    for name, message in document["components"]["messages"].items():
        for example in message["examples"]:
            asyncapi.validate_payload(document, name, example["payload"])


def test_asyncapi_takes_its_facts_from_the_code():
    document = asyncapi.build_document()
    from notifications.models import Notification

    kinds = document["components"]["schemas"]["Notification"]["properties"]["kind"]["enum"]
    assert kinds == list(Notification.Kind.values)
    assert set(document["channels"]["userSocket"]["x-close-codes"]) == {"4401", "1011", "1001"}
    assert {message["name"] for message in document["components"]["messages"].values()} == {
        "message.send",
        "typing",
        "message.read",
        "message.ack",
        "message.created",
        "notification.created",
        "error",
    }
