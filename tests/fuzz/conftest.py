import pytest


@pytest.fixture
def fuzz_requests(record_property):
    """A counter of the requests a fuzz test sent; reported as `fuzz_requests` so that the summary can add the
    counts of every xdist worker."""
    sent = [0]
    yield sent
    record_property("fuzz_requests", sent[0])


def pytest_terminal_summary(terminalreporter):
    total = sum(value for reports in terminalreporter.stats.values() for report in reports
                if getattr(report, "when", None) == "teardown"
                for name, value in getattr(report, "user_properties", ()) if name == "fuzz_requests")
    if total:
        terminalreporter.write_line(f"schema fuzzing: {total} requests")


@pytest.fixture
def keep_the_test_connection():
    """The WSGI handler closes the database connection at the end of each request (CONN_MAX_AGE 0), which on
    PostgreSQL ends the test's transaction. Django's own test client disconnects that handler for the duration
    of a request; requests sent to the WSGI application in process get the same treatment here."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
