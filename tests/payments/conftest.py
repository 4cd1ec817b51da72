import pytest

from . import fakegateways
from .fakegateways import MIDTRANS_SERVER_KEY, XENDIT_CALLBACK_TOKEN, XENDIT_SECRET_KEY, FakeMidtrans, FakeXendit
from .helpers import make_contract

fake_xendit = fakegateways.fake_xendit
fake_midtrans = fakegateways.fake_midtrans


@pytest.fixture(autouse=True)
def _tasks_run_in_the_test(eager_celery):
    """Refund and payout tasks run where they are sent, on the embedded default and with REDIS_URL alike."""


@pytest.fixture
def contract(company, owner, freelancer):
    return make_contract(company, owner, freelancer, amounts=(1_000_000, 1_500_000))


@pytest.fixture
def milestone(contract):
    return contract.milestones.order_by("position").first()


@pytest.fixture
def xendit(settings):
    """Bantu configured for Xendit, whose API is a FakeXendit on 127.0.0.1 (the real SDK talks to it)."""
    with FakeXendit() as server:
        settings.BANTU = {**settings.BANTU, "XENDIT_SECRET_KEY": XENDIT_SECRET_KEY,
                          "XENDIT_CALLBACK_TOKEN": XENDIT_CALLBACK_TOKEN, "XENDIT_API_URL": server.url,
                          "GATEWAY_READ_TIMEOUT_SECONDS": 2.0}
        yield server


@pytest.fixture
def midtrans(settings):
    """Bantu configured for Midtrans (funding) with its API and Snap on a FakeMidtrans; payouts stay sandbox."""
    with FakeMidtrans() as server:
        settings.BANTU = {**settings.BANTU, "MIDTRANS_SERVER_KEY": MIDTRANS_SERVER_KEY,
                          "MIDTRANS_API_URL": server.api_url, "MIDTRANS_SNAP_URL": server.snap_url,
                          "GATEWAY_READ_TIMEOUT_SECONDS": 2.0}
        yield server


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit(): ...` runs what the block scheduled on commit (tasks, notifications) when it ends, as a
    real commit would; tests run inside a transaction that never commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
