"""Schema fuzzing: schemathesis generates requests from the OpenAPI schema (`/api/schema/`) for every operation
and sends each one, in process (WSGI, the test database), as three callers: anonymous, a freelancer and a company
owner. Every schemathesis check is on, plus ours: every 4xx/5xx is RFC 9457 problem details.

- Phases: explicit examples, coverage (boundary values, each parameter made invalid in turn) and fuzzing, in
  positive (schema-valid) and negative (schema-violating) modes; derandomized, so a run is reproducible.
- `FUZZ_EXAMPLES` is Hypothesis's budget per operation and phase (`make fuzz`, and so `.ci/run`, use 5: 13,821
  requests, most of them from the coverage phase, whose size does not depend on it); without it the fuzz tests
  are skipped (tests/conftest.py). They run in one process: the
  operations are items that share one node id, which pytest-xdist cannot tell apart. The number of requests
  sent is printed at the end of the run. No example database is kept: every run generates the same cases.
- Object routes get real ids: the world of tests/world.py (a company, its jobs, a proposal, contracts, milestones
  in each money state, a payment, a payout, a conversation, ...) is built once, each operation starts from it as
  built (a savepoint), and a schema-valid path id is replaced by one of the ids of its kind (or kept, so unknown
  ids are tried too).
- Rules JSON Schema cannot state (`RULES`: a range whose minimum is above its maximum, a date in the past or a
  deadline more than three years away, a date filter outside the years 1900 to 9998, an onsite job without a
  province, an account number of another length than its bank's, a common password; and a text too short once
  trimmed of surrounding whitespace) are taught to the generator below, for schema-valid cases only: the server
  refuses those with a 400, correctly, and `positive_data_acceptance` must not count that against it. So are those
  that depend on the object a path names: an edit of the freelancer's review leaves out the sub-ratings only a
  company gives (`_within_the_authors_ratings`), and an edit of a job keeps its budget range and an onsite job's
  province (`_within_the_jobs_rules`).
- Values that name data (`REFERENCES`: a category or skill slug, a company, a message of the conversation; and a Web
  Push key that is a point on the curve, a Web Push endpoint on a public push service, the caller's current password,
  a milestone plan that adds up to the proposal's agreed amount) are, in schema-valid cases, made real, as path ids
  are; a `cursor`, which only the server issues, is left out of them. Such a value that names nothing is a documented
  400 (`validation_error`, `unknown_message`, `wrong_password`), but no schema can tell a generator which values
  exist, and positive_data_acceptance counts any 400 against the server (documenting it changes nothing there: 400 is
  not among the statuses that check accepts). Made real, the check asks the right question: is a well-formed request
  about real data accepted? The 400s for unknown values are plain tests (tests/core/test_fuzz_findings.py).
"""

import datetime
import hashlib
import itertools
import json
import os
import uuid

import pytest
import schemathesis
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode, checks
from schemathesis.specs.openapi.adapter.parameters import ParameterLocation

from accounts.models import User
from accounts.services import tokens_issue
from bantu.core import indonesia
from bantu.core.filters import BoundedIsoDateTimeFilter
from bantu.core.serializers import WEB_URL_PATTERN
from jobs.api.filters import JobSearchFilter
from jobs.api.serializers import DEADLINE_HORIZON_DAYS
from jobs.models import Job
from payments.banks import BANKS
from proposals.models import Proposal
from reviews.models import SUB_RATINGS
from taxonomy.models import Category, Skill
from tests import database
from tests.factories import PASSWORD
from tests.problems import PROBLEM_KEYS
from tests.push.pushservice import browser_keys
from tests.world import money as build_money
from tests.world import reviews as build_reviews
from tests.world import world as build_world

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES") or 5)
ROLES = ("anonymous", "freelancer", "owner")

# Path ids by the first segment after /api/v1/ and the parameter name → the world's ids of that kind.
IDS = {
    ("companies", "id"): ["company"],
    ("companies", "membership_id"): ["recruiter_membership"],
    ("contracts", "id"): ["paid_contract", "contract"],
    ("conversations", "id"): ["conversation"],
    ("devices", "id"): ["device"],
    ("freelancers", "id"): ["profile"],
    ("jobs", "id"): ["job", "draft", "removed", "job2"],
    ("me", "id"): ["session"],
    ("messages", "id"): ["message"],
    ("milestones", "id"): ["to_fund", "funded"],
    ("notifications", "id"): ["notification"],
    ("payments", "id"): ["payment"],
    ("payouts", "id"): ["payout"],
    ("proposals", "id"): ["proposal"],
    ("reviews", "id"): ["review", "pending_review", "hidden_review"],
}

IDEMPOTENCY_KEYS = itertools.count(1)

# Fields (by name, in query strings and bodies) whose schema-valid values must name data → the world's values.
REFERENCES = {"category": "categories", "skills": "skills", "after": "messages", "message": "messages",
              "company": "companies"}

# Open gaps between the schema and the server that the fuzzing found and that are not fixed yet: for these
# operations alone, the named check is off ((method, path) → (check, why)). The 18 listed here until December
# 2026 are closed in the schema and server (tests/core/test_fuzz_findings.py). What is left is the nature of the
# input, not a disagreement between schema and server: a generated token is never one the server signed, nor a
# generated ID token one Google signed.
OPEN_GAPS: dict[tuple[str, str], tuple[str, str]] = {
    ("POST", "/api/v1/auth/email/verify/"): (
        "positive_data_acceptance", "a generated token is never a signed link token (400 link_invalid)"),
    ("POST", "/api/v1/auth/password/reset/confirm/"): (
        "positive_data_acceptance", "a generated token is never a signed link token (400 link_invalid)"),
    ("POST", "/api/v1/auth/oauth/google/"): (
        "positive_data_acceptance", "a generated ID token is never signed by Google (no client configured: 503)"),
    ("POST", "/api/v1/auth/email/resend/"): (
        "positive_data_acceptance", "the world's users are verified: there is nothing to resend (409)"),
}

SCHEMA_PATH = "/api/schema/?format=json"


def fuzzer_view(node):
    """The published schema (a dict, changed in place) as the fuzzer reads it: the web addresses' `format: uri`
    is left out where their `pattern` (WEB_URL_PATTERN) is. That pattern admits only valid uris
    (tests/core/test_fuzz_findings.py proves it), so the format changes neither which values are valid nor which
    are not; but for each of them schemathesis searched for a value that breaks the format alone, about 9 s per
    field length (300, 500, 1000), and could find none. Returns `node`."""
    if isinstance(node, dict):
        if node.get("pattern") == WEB_URL_PATTERN and node.get("format") == "uri":
            del node["format"]
        for value in node.values():
            fuzzer_view(value)
    elif isinstance(node, list):
        for value in node:
            fuzzer_view(value)
    return node


# What schemathesis.openapi.from_wsgi does, with fuzzer_view between the download and the loading.
DOCUMENT = fuzzer_view(json.loads(Client().get(SCHEMA_PATH).content))
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app, schema.location = get_wsgi_application(), SCHEMA_PATH
# The API reads UTF-8 JSON: lone surrogates cannot be encoded, and NUL is refused in every text
# (tests/core/test_hostile_input.py proves both are 400s, never 500s).
schema.config.generation.update(max_examples=EXAMPLES, deterministic=True, database="none", codec="utf-8",
                                allow_x00=False,
                                with_security_parameters=False,
                                modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
# Collecting an operation builds its coverage cases (Hypothesis runs then, not when the test runs): about 5 s of
# CPU for the whole schema (100 s before fuzzer_view and the pattern's present shape). Where the fuzz tests are
# skipped (tests/conftest.py: no FUZZ_EXAMPLES, or under pytest-xdist, as in `make test`) that would be wasted, so
# they are collected with the explicit examples alone.
FUZZING = bool(os.environ.get("FUZZ_EXAMPLES")) and not os.environ.get("PYTEST_XDIST_WORKER")
schema.config.phases.update(phases=["examples", "coverage", "fuzzing"] if FUZZING else ["examples"])


def _positive(case, location) -> bool:
    """Whether the case's value at `location` is schema-valid (the case's own mode when the phase records no
    mode for that part, as positive_data_acceptance reads it)."""
    if case.meta is None:
        return False
    component = case.meta.components.get(location)
    mode = component.mode if component is not None else case.meta.generation.mode
    return mode == GenerationMode.POSITIVE


def _ranges(values: dict):
    for name in values:
        for low_prefix, high_prefix in (("min_", "max_"),):
            if name.startswith(low_prefix) and f"{high_prefix}{name[4:]}" in values:
                yield name, f"{high_prefix}{name[4:]}"
        if name.endswith("_min") and f"{name[:-4]}_max" in values:
            yield name, f"{name[:-4]}_max"


def _inverted_range(values: dict) -> bool:
    for low, high in _ranges(values):
        try:
            if int(values[low]) > int(values[high]):
                return True
        except (TypeError, ValueError):
            continue
    return False


def _date_out_of_range(values: dict) -> bool:
    """A job's deadline or a milestone's due date before today, or a deadline past the horizon (dates in
    Asia/Jakarta, as the server counts them)."""
    today = indonesia.today()
    dates = [values.get("deadline")] + [milestone.get("due_date") for milestone in values.get("milestones") or []
                                        if isinstance(milestone, dict)]
    if any(isinstance(date, str) and date < today.isoformat() for date in dates):
        return True
    horizon = today + datetime.timedelta(days=DEADLINE_HORIZON_DAYS)
    return isinstance(values.get("deadline"), str) and values["deadline"] > horizon.isoformat()


# The query's date filters (bantu.core.filters.BoundedIsoDateTimeFilter): the years 1900 to 9998 in UTC, which
# their descriptions state and a `format: date-time` cannot.
DATE_FILTERS = {name: filter_.field_class() for name, filter_ in JobSearchFilter.base_filters.items()
                if isinstance(filter_, BoundedIsoDateTimeFilter)}


def _date_beyond_the_calendar(values: dict) -> bool:
    for name, field in DATE_FILTERS.items():
        if isinstance(values.get(name), str):
            try:
                field.clean(values[name])
            except DjangoValidationError:
                return True
    return False


def _onsite_without_a_province(values: dict) -> bool:
    return values.get("location_type") in ("onsite", "hybrid") and not values.get("province")


def _account_number_of_another_length(values: dict) -> bool:
    """Each bank's account numbers have their own length."""
    bank = BANKS.get(values.get("bank_code")) if isinstance(values.get("bank_code"), str) else None
    number = values.get("account_number")
    return bank is not None and isinstance(number, str) and not bank.min_digits <= len(number) <= bank.max_digits


# The world's callers (`built_world`): a case is sent as each, and a new password must not be like any one's name.
CALLERS: list = []


def _weak_password(values: dict) -> bool:
    """A new password passes Django's validators: the common-password list and no likeness to the user's email or
    name (at registration, the body's; on a change, the caller's, and a case is sent as every caller). The schema
    states the length and "not only digits". Found by `.ci/run`'s `make fuzz`: a new password like a caller's
    random full name."""
    for name in ("password", "new_password"):
        if isinstance(values.get(name), str):
            users = ([User(email=str(values.get("email", "")), full_name=str(values.get("full_name", "")))]
                     if name == "password" else CALLERS or [None])
            try:
                for user in users:
                    password_validation.validate_password(values[name], user=user)
            except DjangoValidationError:
                return True
    return False


RULES = (_inverted_range, _date_out_of_range, _date_beyond_the_calendar, _onsite_without_a_province,
         _account_number_of_another_length, _weak_password)


def _breaks_a_rule(values) -> bool:
    """A rule the schema cannot state (`RULES`)."""
    return isinstance(values, dict) and any(rule(values) for rule in RULES)


def _resolved(node):
    while isinstance(node, dict) and "$ref" in node:
        node = DOCUMENT["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node if isinstance(node, dict) else {}


def _body_properties(case) -> dict:
    """The properties of the operation's JSON request body: its schema's, and its variants' (oneOf, anyOf,
    allOf)."""
    content = case.operation.definition.raw.get("requestBody", {}).get("content", {})
    node = _resolved(content.get("application/json", {}).get("schema"))
    properties = dict(node.get("properties", {}))
    for key in ("oneOf", "anyOf", "allOf"):
        for variant in node.get(key, []):
            properties.update(_resolved(variant).get("properties", {}))
    return properties


def _too_short_once_trimmed(case) -> bool:
    """Text fields are trimmed of surrounding whitespace before their `minLength` is checked (DRF's CharField,
    docs/api.md): a value of the schema's length with whitespace at an end is a 400 the schema cannot state.
    Found by `make fuzz` (FUZZ_EXAMPLES=100): a dispute's `reason` of 10 characters beginning with a form feed."""
    if not isinstance(case.body, dict):
        return False
    properties = _body_properties(case)
    return any(isinstance(value, str) and len(value.strip()) < _resolved(properties.get(name)).get("minLength", 0)
               for name, value in case.body.items())


@schema.hook("filter_case")
def schema_valid_cases_obey_the_rules(context, case):
    if _positive(case, ParameterLocation.QUERY) and _breaks_a_rule(case.query):
        return False
    return not (_positive(case, ParameterLocation.BODY) and (_breaks_a_rule(case.body)
                                                              or _too_short_once_trimmed(case)))


def _pick(candidates: list, generated) -> object | None:
    """One of `candidates` or None (keep the generated id), chosen by the generated value: deterministic."""
    index = int(hashlib.sha256(str(generated).encode()).hexdigest(), 16) % (len(candidates) + 1)
    return candidates[index] if index < len(candidates) else None


def _with_real_ids(case, ids: dict) -> None:
    if _positive(case, ParameterLocation.HEADER) and "Idempotency-Key" in (case.headers or {}):
        # A key names one request: the generator repeats keys with other bodies, which is a 422 by design.
        case.headers["Idempotency-Key"] = f"fuzz-{next(IDEMPOTENCY_KEYS)}"
    if not case.path_parameters or not _positive(case, ParameterLocation.PATH):
        return
    segment = case.operation.path.removeprefix("/api/v1/").split("/", 1)[0]
    for name, generated in list(case.path_parameters.items()):
        key = _pick(IDS.get((segment, name), []), generated)
        if key is not None:
            case.path_parameters[name] = str(ids[key])


# The world's reviews written by its freelancer (tests/world.py). A freelancer's review of a company rates no
# sub-ratings, the company's review of a freelancer rates all three (reviews/services.py): a rule that depends on
# who wrote the review a path names, which no schema can state. An edit that breaks it is a documented 400
# (tests/reviews/api/test_api.py, test_an_edit_keeps_the_sub_rating_rule).
FREELANCERS_REVIEWS = ("review", "pending_review")


def _within_the_authors_ratings(case, ids: dict) -> None:
    """A schema-valid edit of the freelancer's review leaves the company's sub-ratings out."""
    if (case.operation.path == "/api/v1/reviews/{id}/" and _positive(case, ParameterLocation.BODY)
            and isinstance(case.body, dict)
            and (case.path_parameters or {}).get("id") in {str(ids[key]) for key in FREELANCERS_REVIEWS}):
        for name in SUB_RATINGS:
            case.body.pop(name, None)


def _within_the_jobs_rules(case) -> None:
    """A schema-valid edit of a job keeps `RULES` for the job as the edit would leave it (jobs/services.py): a
    budget bound that would pass the job's other bound, or an emptied province of an onsite job, is left out of
    the body. Those 400s depend on the job the path names (tests/jobs/api/test_api_validation.py's
    test_patch_breaking_the_budget_range_is_400_budget_range and
    test_patch_emptying_the_province_of_an_onsite_job_is_400)."""
    body = case.body
    if (case.operation.path != "/api/v1/jobs/{id}/" or not _positive(case, ParameterLocation.BODY)
            or not isinstance(body, dict)):
        return
    try:
        job_id = uuid.UUID(str((case.path_parameters or {}).get("id")))
    except ValueError:
        return
    job = Job.objects.filter(pk=job_id).values("budget_min", "budget_max", "location_type", "province").first()
    if job is None:
        return
    if _inverted_range(job | body):
        body.pop("budget_min", None)
        body.pop("budget_max", None)
    if _onsite_without_a_province(job | body):
        body.pop("province", None)
        body.pop("location_type", None)


def _real(values: list, generated) -> object:
    """One of `values`, chosen by the generated value: deterministic."""
    return values[int(hashlib.sha256(str(generated).encode()).hexdigest(), 16) % len(values)]


def _with_real_references(case, world: dict) -> None:
    if _positive(case, ParameterLocation.QUERY) and case.query:
        # A cursor is a value the server issued in `next`; a made-up one is a 400 (invalid_cursor).
        case.query.pop("cursor", None)
        for name, kind in REFERENCES.items():
            if isinstance(case.query.get(name), str):
                # A query names several skills as one comma-separated value.
                case.query[name] = ",".join(str(_real(world["references"][kind], part))
                                            for part in case.query[name].split(","))
    if not _positive(case, ParameterLocation.BODY) or not isinstance(case.body, dict):
        return
    for name, kind in REFERENCES.items():
        value = case.body.get(name)
        if isinstance(value, list):
            case.body[name] = [_real(world["references"][kind], item) for item in value]
        elif isinstance(value, str):
            case.body[name] = str(_real(world["references"][kind], value))
    if isinstance(case.body.get("keys"), dict):
        case.body["keys"] = dict(world["push_keys"])
    if isinstance(case.body.get("endpoint"), str):
        # A Web Push endpoint must be on a public push service, over https: which addresses are public, no
        # pattern says (the refusals are plain tests: tests/push/api/test_devices_api.py).
        digest = hashlib.sha256(case.body["endpoint"].encode()).hexdigest()[:32]
        case.body["endpoint"] = f"https://fcm.googleapis.com/fcm/send/{digest}"
    if case.operation.path == "/api/v1/proposals/{id}/accept/" and isinstance(case.body.get("milestones"), list):
        # A plan's amounts add up to the agreed amount (the world's proposal's).
        plan = case.body["milestones"][:world["agreed_amount"]]
        for position, milestone in enumerate(plan):
            if isinstance(milestone, dict):
                milestone["amount"] = world["agreed_amount"] // len(plan) + (
                    world["agreed_amount"] % len(plan) if position == 0 else 0)
        case.body["milestones"] = plan


def _as_caller(case, world: dict, role: str) -> None:
    """The caller's own values: their current password, in a schema-valid body that names one."""
    if _positive(case, ParameterLocation.BODY) and isinstance(case.body, dict) and "old_password" in case.body:
        case.body["old_password"] = world["passwords"].get(role, PASSWORD)


def _after_call(case, response, world: dict, role: str) -> None:
    """A password changed by the case is the caller's password from now on, and the new tokens their tokens."""
    changed = (case.method.upper(), case.operation.path, response.status_code)
    if changed == ("POST", "/api/v1/auth/password/change/", 200):
        world["passwords"][role] = case.body["new_password"]
        world["headers"][role] = {"Authorization": f"Bearer {response.json()['access']}"}


def problem_details(ctx, response, case):
    """Every error answer is RFC 9457 problem details (PRODUCT.md §3)."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type == "application/problem+json", f"{response.status_code} as {content_type!r}"
    body = response.json()
    assert isinstance(body, dict), body
    assert PROBLEM_KEYS <= set(body) <= PROBLEM_KEYS | {"errors"}, body
    assert body["status"] == response.status_code, body
    return None


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker):
    """The world every operation starts from, built once: each operation's test runs in a savepoint of the
    transaction it was built in, rolled back after the test (tests/database.py), so every operation finds it
    exactly as built, whatever the one before changed. (Built for each operation, it had taken a fifth of the
    run.)"""
    with database.rolled_back_at_the_end(django_db_blocker):
        world = build_world()
        CALLERS[:] = list(world["users"].values())
        world["ids"] |= build_money(world)
        world["ids"] |= build_reviews(world)
        world["references"] = {
            "categories": sorted(Category.objects.values_list("slug", flat=True))[:20],
            "skills": sorted(Skill.objects.values_list("slug", flat=True))[:20],
            "messages": [world["ids"]["message"]],
            "companies": [world["ids"]["company"]],
        }
        world["agreed_amount"] = Proposal.objects.get(pk=world["ids"]["proposal"]).amount
        world["push_keys"] = browser_keys()
        yield world


@pytest.fixture
def fuzz_world(built_world, db, keep_the_test_connection):
    """The built world, with what an operation's cases change outside the database made new: the callers'
    tokens (a session each, issued now, so none expires during a long run) and their passwords."""
    return built_world | {
        "headers": {"anonymous": {}} | {
            role: {"Authorization": f"Bearer {tokens_issue(user=built_world['users'][role])['access']}"}
            for role in ROLES[1:]
        },
        "passwords": {},
    }


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much])
def test_every_operation_as_every_caller(case, fuzz_world, fuzz_requests):
    """Each operation starts from the world as built (its objects change as the cases go); each case is sent as
    each caller."""
    _with_real_ids(case, fuzz_world["ids"])
    _within_the_authors_ratings(case, fuzz_world["ids"])
    _within_the_jobs_rules(case)
    _with_real_references(case, fuzz_world)
    gap = OPEN_GAPS.get((case.method.upper(), case.operation.path))
    excluded = [getattr(checks, gap[0])] if gap else []
    for role in ROLES:
        _as_caller(case, fuzz_world, role)
        response = case.call_and_validate(headers=fuzz_world["headers"][role], additional_checks=[problem_details],
                                          excluded_checks=excluded)
        _after_call(case, response, fuzz_world, role)
        fuzz_requests[0] += 1
