"""Fixtures of the chat tests: a proposal, its conversation, and cleanup of the connections of worker threads."""

import threading

import pytest
from django.db.backends.signals import connection_created

from tests.factories import ConversationFactory, JobFactory, ProposalFactory, UserFactory


@pytest.fixture
def job(company, owner):
    return JobFactory(company=company, posted_by=owner, title="Logo kedai kopi", description="Logo dan panduan merek.",
                      budget_min=1, budget_max=2)


@pytest.fixture
def proposal(job, freelancer):
    return ProposalFactory(job=job, freelancer=freelancer, cover_letter="Saya siap mengerjakan logo ini.", amount=2,
                           duration_days=7)


@pytest.fixture
def conversation(proposal, owner):
    """Opened from the proposal by the company's owner: the owner and the freelancer take part."""
    return ConversationFactory(proposal=proposal, user=owner)


@pytest.fixture
def stranger(db):
    return UserFactory()


@pytest.fixture
def _close_thread_connections():
    """Socket tests touch the database from worker threads (`database_sync_to_async`, `sync_to_async`) whose
    connections outlive the test, and would keep PostgreSQL from dropping the test database: close them."""
    opened = []

    def track(sender, connection, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            opened.append(connection)

    connection_created.connect(track, weak=False)
    yield
    connection_created.disconnect(track)
    for connection in opened:
        if connection.connection is not None:
            connection.inc_thread_sharing()
            try:
                connection.close()
            finally:
                connection.dec_thread_sharing()
