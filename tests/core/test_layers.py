"""The layers of docs/architecture.md hold: the import-linter contracts in pyproject.toml (`lint-imports`, which
`make check` and .ci/run also run) are kept, function-level imports included, and each contract does catch the
import it forbids."""

import copy
from pathlib import Path

import grimp
import pytest
from django.conf import settings
from importlinter.api import read_configuration
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.layers import LayersContract

CONTRACT_TYPES = {"layers": LayersContract, "forbidden": ForbiddenContract, "acyclic_siblings": AcyclicSiblingsContract}


@pytest.fixture(scope="module")
def options():
    return read_configuration(str(Path(settings.BASE_DIR) / "pyproject.toml"))


@pytest.fixture(scope="module")
def graph(options):
    return grimp.build_graph(*options["session_options"]["root_packages"], cache_dir=None)


def check(options, graph, contract_id: str):
    """Check one contract against `graph`, which the check may change (pass a copy)."""
    [contract_options] = [each for each in options["contracts_options"] if each["id"] == contract_id]
    contract = CONTRACT_TYPES[contract_options["type"]](
        name=contract_options["name"], session_options=options["session_options"], contract_options=contract_options
    )
    return contract.check(graph, verbose=False)


def test_every_contract_is_kept(options, graph):
    broken = [each["name"] for each in options["contracts_options"]
              if not check(options, copy.deepcopy(graph), each["id"]).kept]

    assert broken == [], "run `lint-imports` for the imports that break them"


@pytest.mark.parametrize(("contract_id", "importer", "imported"), [
    ("layers", "bantu.core.permissions", "accounts.roles"),  # the shared core imports no app
    ("layers", "accounts.services.users", "companies.services"),  # accounts is below the apps it serves
    ("layers", "notifications.services", "accounts.models"),
    ("layers", "jobs.selectors", "proposals.selectors"),
    ("layers", "companies.services", "freelancers.services"),  # one layer, independent of each other
    ("layers", "payments.services.escrow", "chat.services"),
    ("layers", "chat.services", "backoffice.dashboard"),
    ("domain-below-interfaces", "jobs.services", "jobs.api.views"),
    ("domain-below-interfaces", "chat.models", "chat.consumers"),
    ("domain-below-interfaces", "payments.services.escrow", "payments.admin"),
    ("domain-below-interfaces", "notifications.tasks", "notifications.api.views"),
    ("domain-below-interfaces", "reviews.selectors", "bantu.core.admin"),
    ("acyclic-within-apps", "notifications.delivery", "notifications.tasks"),  # tasks → services → delivery
    ("acyclic-within-apps", "accounts.services.mail", "accounts.tasks"),
])
def test_the_contract_catches_an_import_against_it(options, graph, contract_id, importer, imported):
    changed = copy.deepcopy(graph)
    changed.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")

    assert not check(options, changed, contract_id).kept  # and test_every_contract_is_kept: kept without it
