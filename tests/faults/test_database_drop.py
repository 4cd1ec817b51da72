"""PostgreSQL drops a request's connection while the request is inside its transaction (PRODUCT.md §3: 503 when a
dependency is down, with Retry-After; §5: no half-written money movement).

Real PostgreSQL, nothing mocked: the test holds a row lock on the freelancer's wallet, so a payout request blocks
inside its transaction after it has inserted the payout row; the test then terminates that request's backend with
`pg_terminate_backend` from its own connection, as a failover or an operator would."""

import threading

import pytest
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from accounts.services import tokens_issue
from payments import ledger
from payments.models import Account, Payout, Transaction
from tests.payments.helpers import ledger_balanced, make_contract, release
from tests.problems import assert_problem

from .helpers import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PAYOUTS = "/api/v1/payouts/"
PAYOUT = {"amount": 100_000, "bank_code": "BCA", "account_number": "1234567890", "account_holder_name": "Budi Santoso"}


def request_in_a_thread(token: str) -> tuple[threading.Thread, dict]:
    """POST a payout from a thread of its own, on a database connection of its own (as a server thread would)."""
    outcome = {}

    def run():
        client = APIClient()
        client.raise_request_exception = False  # a 500 is an answer to assert on, not an exception
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        try:
            outcome["response"] = client.post(PAYOUTS, PAYOUT, format="json")
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name="payout-request")
    thread.start()
    return thread, outcome


def backends_waiting_for_a_lock(outcome: dict) -> list[int]:
    if "response" in outcome:
        pytest.fail(f"the request answered without waiting: {outcome['response'].status_code} "
                    f"{outcome['response'].content!r}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the view is read once per transaction
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()")
        return [row[0] for row in cursor.fetchall()]


def test_a_connection_dropped_mid_request_is_503_with_retry_after_and_writes_nothing(owner, freelancer, company,
                                                                                    eager_celery):
    milestone = make_contract(company, owner, freelancer, amounts=(1_000_000,)).milestones.get()
    release(owner, milestone.pk)  # 900,000 in the freelancer's wallet
    wallet = ledger.wallet_account(freelancer.pk)
    token = tokens_issue(user=freelancer)["access"]
    transactions_before = Transaction.objects.count()

    with transaction.atomic():
        Account.objects.select_for_update().get(pk=wallet.pk)  # the payout will wait here, inside its transaction
        thread, outcome = request_in_a_thread(token)
        waiting = eventually(lambda: backends_waiting_for_a_lock(outcome), what="the payout waiting on the lock")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [waiting[0]])
    thread.join(timeout=15)

    assert not thread.is_alive()
    assert len(waiting) == 1
    response = outcome["response"]
    body = assert_problem(response, 503, "database_unavailable")
    assert body["detail"] == "The database is unavailable. Nothing was saved; retry in a moment."
    assert response["Retry-After"] == "1"
    assert Payout.objects.count() == 0  # inserted before the lock wait, rolled back with the connection
    assert Transaction.objects.count() == transactions_before
    assert Account.objects.get(pk=wallet.pk).balance == 900_000
    ledger_balanced()

    retry_thread, retried = request_in_a_thread(token)  # the client retries: a new connection serves it
    retry_thread.join(timeout=15)
    assert retried["response"].status_code == 201, retried["response"].content
    assert Payout.objects.get().amount == 100_000
    assert Account.objects.get(pk=wallet.pk).balance == 800_000
    ledger_balanced()
