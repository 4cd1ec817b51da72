"""Every admin page loads: each changelist, change form and the dashboard, as a superuser and as each operator group,
answering 200 where the group's permissions allow it and 403 where they do not, with a number of queries per
changelist that does not grow with the data."""

import uuid

import pytest
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ExternalIdentity
from accounts.services import tokens_issue, user_logout
from bantu.core.models import IdempotencyRecord
from chat.models import Conversation
from chat.services import message_report
from companies.models import Company
from jobs.models import Job
from jobs.search import search_words_refresh
from jobs.services import job_remove
from payments.services import escrow
from tests.database import rolled_back_at_the_end
from tests.factories import JobFactory, MessageFactory, UserFactory, operator_in
from tests.world import money as build_money
from tests.world import reviews
from tests.world import world as build_world

from ..conftest import GROUPS, admin_client

# Django's own bookkeeping that the console does not show (permissions are managed through groups and users).
NOT_IN_CONSOLE = {"auth.permission", "contenttypes.contenttype", "sessions.session"}


def registered() -> list:
    return sorted(admin.site._registry, key=lambda model: model._meta.label_lower)


def build_marketplace() -> dict:
    """A world with a row of every model the console shows: tests/world.py with its money, plus `grow`."""
    world = build_world()
    world["ids"].update(reviews(world))
    grow(world)
    return world


def grow(world: dict) -> None:
    """More of everything in `world`: a paid contract with a payout, a dispute resolved by a refund, a message
    report, a removed job (an audit row), an idempotency record and the job search's vocabulary."""
    users, ids = world["users"], world["ids"]
    money = build_money(world)
    dispute = escrow.milestone_dispute(milestone_id=money["funded"], actor=users["owner"], reason="Belum sesuai brief.")
    escrow.dispute_resolve(
        dispute_id=dispute.pk, operator=users["operator"], resolution="refund", note="Pekerjaan tidak dikirim."
    )
    message = MessageFactory(
        conversation=Conversation.objects.get(pk=ids["conversation"]),
        sender=users["owner"],
        body="Transfer saja ke rekening pribadi saya.",
    )
    message_report(message=message, reporter=users["freelancer"], reason="Meminta bayar di luar platform.")
    job = JobFactory(
        company=Company.objects.get(pk=ids["company"]),
        posted_by=users["owner"],
        title="Logo tambahan",
        description="Logo kedua.",
        budget_min=1,
        budget_max=2,
    )
    job_remove(job=job, operator=users["operator"], reason="Iklan palsu")
    user_logout(user=users["owner"], refresh=tokens_issue(user=users["owner"])["refresh"])  # tokens
    LogEntry.objects.create(
        user=users["operator"],
        content_type=ContentType.objects.get_for_model(Job),
        object_id=str(job.pk),
        object_repr=str(job),
        action_flag=CHANGE,
        change_message="[]",
    )
    ExternalIdentity.objects.create(
        user=users["freelancer"], provider="google", subject=str(uuid.uuid4()), email="f@gmail.com"
    )
    IdempotencyRecord.objects.create(
        user=users["owner"], key=str(uuid.uuid4()), fingerprint="0" * 64, status_code=201, response_body={"id": "x"}
    )
    search_words_refresh()  # the job search's vocabulary, from the open jobs' titles and the skills


def test_every_model_of_the_project_is_in_the_console(db):
    from django.apps import apps

    shown = {model._meta.label_lower for model in admin.site._registry}
    missing = {model._meta.label_lower for model in apps.get_models()} - shown - NOT_IN_CONSOLE
    assert missing == set()


def _pages(model) -> list[tuple[str, str]]:
    opts = model._meta
    pages = [("changelist", reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))]
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        pages.append(("change", reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])))
    return pages


def _expected(user, model) -> int:
    opts = model._meta
    may_see = any(user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}") for action in ("view", "change"))
    return 200 if may_see else 403


@pytest.fixture(scope="module")
def marketplace(django_db_setup, django_db_blocker):
    """build_marketplace() once for the module; each test runs in a savepoint rolled back after it."""
    with rolled_back_at_the_end(django_db_blocker):
        yield build_marketplace()


@pytest.mark.parametrize("role", ["superuser", *GROUPS, "no_group"])
def test_every_changelist_and_change_form_loads_as_designed(marketplace, db, role):
    # Given a marketplace with a row of every kind, and an operator of the role
    user = (
        UserFactory(is_staff=True, is_superuser=True)
        if role == "superuser"
        else operator_in(None if role == "no_group" else role)
    )
    client = admin_client(user)

    # When they open every page of the console, Then each answers as their permissions say
    assert client.get(reverse("admin:index")).status_code == 200
    without_rows = []
    for model in registered():
        pages = _pages(model)
        if len(pages) == 1:
            without_rows.append(model._meta.label_lower)
        for kind, url in pages:
            response = client.get(url)
            assert response.status_code == _expected(user, model), (kind, url)
    # and every model had a row, so every change form was opened too
    assert without_rows == []


def _changelist_queries(client) -> dict[str, int]:
    counts = {}
    for model in registered():
        url = _pages(model)[0][1]
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[model._meta.label_lower] = len(queries)
    return counts


def test_changelist_queries_do_not_grow_with_the_data(marketplace, db):
    # Given a superuser and one marketplace
    client = admin_client(UserFactory(is_staff=True, is_superuser=True))
    one = _changelist_queries(client)

    # When it grows by another contract, payout, dispute, refund, report, removed job...
    grow(marketplace)
    two = _changelist_queries(client)

    # Then every changelist runs as many queries as before, and never many
    assert two == one
    assert max(one.values()) <= 12, one
