"""A Python client generated from the schema by openapi-python-client (as an integrator would) reads every list
and detail of the contract, in process (WSGI), without a parse error: each answer is a 200 that the client turns
into its model, and that model turns back into exactly the JSON that was sent."""

import datetime
import importlib
import json
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

from accounts.services import tokens_issue
from reviews.models import Review
from reviews.services import review_unhide
from tests.world import money as build_money
from tests.world import reviews as build_reviews
from tests.world import world as build_world

pytestmark = pytest.mark.fuzz

# Every GET of the schema: the caller who may read it, and the world's id for each path parameter.
READS = {
    "/api/v1/categories/": ("anonymous", {}),
    "/api/v1/skills/": ("anonymous", {}),
    "/api/v1/companies/": ("anonymous", {}),
    "/api/v1/companies/{id}/": ("anonymous", {"id": "company"}),
    "/api/v1/companies/{id}/members/": ("owner", {"id": "company"}),
    "/api/v1/freelancers/": ("anonymous", {}),
    "/api/v1/freelancers/{id}/": ("anonymous", {"id": "profile"}),
    "/api/v1/jobs/": ("anonymous", {}),
    "/api/v1/jobs/{id}/": ("anonymous", {"id": "job"}),
    "/api/v1/jobs/{id}/proposals/": ("owner", {"id": "job"}),
    "/api/v1/me/": ("freelancer", {}),
    "/api/v1/me/freelancer-profile/": ("freelancer", {}),
    "/api/v1/me/sessions/": ("freelancer", {}),
    "/api/v1/proposals/": ("freelancer", {}),
    "/api/v1/proposals/{id}/": ("freelancer", {"id": "proposal"}),
    "/api/v1/proposals/{id}/offers/": ("freelancer", {"id": "proposal"}),
    "/api/v1/contracts/": ("owner", {}),
    "/api/v1/contracts/{id}/": ("owner", {"id": "paid_contract"}),
    "/api/v1/contracts/{id}/milestones/": ("owner", {"id": "paid_contract"}),
    "/api/v1/contracts/{id}/statement/": ("freelancer", {"id": "paid_contract"}),
    "/api/v1/payments/": ("owner", {}),
    "/api/v1/payments/{id}/": ("owner", {"id": "payment"}),
    "/api/v1/payments/sandbox/{id}/pay/": ("anonymous", {"id": "payment"}),
    "/api/v1/wallet/": ("freelancer", {}),
    "/api/v1/wallet/transactions/": ("freelancer", {}),
    "/api/v1/payouts/": ("freelancer", {}),
    "/api/v1/payouts/{id}/": ("freelancer", {"id": "payout"}),
    "/api/v1/conversations/": ("owner", {}),
    "/api/v1/conversations/{id}/": ("owner", {"id": "conversation"}),
    "/api/v1/conversations/{id}/messages/": ("owner", {"id": "conversation"}),
    "/api/v1/notifications/": ("owner", {}),
    "/api/v1/devices/": ("owner", {}),
    "/api/v1/devices/webpush-key/": ("anonymous", {}),
    "/api/v1/reviews/": ("freelancer", {}),
    "/api/v1/reviews/{id}/": ("freelancer", {"id": "review"}),
    "/api/v1/companies/{id}/reviews/": ("anonymous", {"id": "company"}),
    "/api/v1/freelancers/{id}/reviews/": ("anonymous", {"id": "profile"}),
}


def _instants(value):
    """`value` with every date-time string as the instant it names: the API writes UTC as `Z`, the generated
    client's models write it back as `+00:00`, the same time."""
    if isinstance(value, dict):
        return {key: _instants(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_instants(item) for item in value]
    if isinstance(value, str) and len(value) >= 20 and value[10:11] == "T":
        try:
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


@pytest.fixture(scope="module")
def openapi(django_db_blocker, tmp_path_factory) -> dict:
    path = tmp_path_factory.mktemp("openapi") / "schema.json"
    with django_db_blocker.unblock():
        call_command("spectacular", "--format", "openapi-json", "--file", str(path))
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def generated(openapi, tmp_path_factory):
    """The generated package, importable as `bantu_client_<random>` (one name per run: no stale module)."""
    directory = tmp_path_factory.mktemp("client")
    name = f"bantu_client_{uuid.uuid4().hex[:8]}"
    (directory / "schema.json").write_text(json.dumps(openapi))
    (directory / "config.yml").write_text(f"post_hooks: []\npackage_name_override: {name}\n")
    generator = Path(sys.executable).with_name("openapi-python-client")
    result = subprocess.run(
        [str(generator), "generate", "--path", "schema.json", "--config", "config.yml", "--meta", "none",
         "--output-path", name, "--fail-on-warning"],
        cwd=directory, capture_output=True, text=True, timeout=300, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    sys.path.insert(0, str(directory))
    yield name
    sys.path.remove(str(directory))


def test_every_get_of_the_schema_has_a_row(openapi):
    gets = {path for path, item in openapi["paths"].items() if "get" in item}

    assert gets == set(READS)


def test_the_generated_client_reads_every_list_and_detail(db, keep_the_test_connection, openapi, generated):
    world = build_world()
    world["ids"] |= build_money(world)
    world["ids"] |= build_reviews(world)
    # The company's review of the freelancer is hidden in the world; shown again, the freelancer's public list
    # has a row to read.
    review_unhide(Review.objects.get(pk=world["ids"]["hidden_review"]), by=world["users"]["operator"])
    transport = httpx.WSGITransport(app=get_wsgi_application())
    package = importlib.import_module(generated)
    clients = {"anonymous": package.Client(base_url="http://testserver", httpx_args={"transport": transport},
                                           raise_on_unexpected_status=True)}
    for role in ("freelancer", "owner"):
        clients[role] = package.AuthenticatedClient(
            base_url="http://testserver", token=tokens_issue(user=world["users"][role])["access"],
            httpx_args={"transport": transport}, raise_on_unexpected_status=True)

    for path, (role, ids) in READS.items():
        operation = openapi["paths"][path]["get"]
        module_name = operation["operationId"]
        tag = operation["tags"][0].replace("-", "_")
        module = importlib.import_module(f"{generated}.api.{tag}.{module_name}")
        arguments = {name: world["ids"][key] for name, key in ids.items()}

        response = module.sync_detailed(client=clients[role], **arguments)

        assert response.status_code == 200, (path, response.content)
        parsed = response.parsed
        assert type(parsed).__name__ != "Problem", path
        as_json = [item.to_dict() for item in parsed] if isinstance(parsed, list) else parsed.to_dict()
        assert _instants(as_json) == _instants(json.loads(response.content)), path
        items = as_json if isinstance(as_json, list) else as_json.get("results")
        assert items != [], f"{path}: an empty list proves nothing"
