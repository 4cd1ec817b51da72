"""A Celery worker killed mid-task (PRODUCT.md §5: "a worker killed mid-task leaves no half-written money
movement"): the task runs again and nothing is done twice.

A real worker (prefork, one child) on a throwaway redis-server runs `payments.payout_submit` against a fake Xendit
on 127.0.0.1. The fake creates the payout and then holds its answer, so the worker is inside the task, past the
gateway call, when the test SIGKILLs it: either the pool process that runs the task (the OOM killer's choice) or
the whole worker (a machine or container dying), in which case a new worker picks the message up after the
visibility timeout. The retry calls Xendit with the same idempotency key and records the one payout once."""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest
from celery.exceptions import AlwaysEagerIgnored
from kombu import Connection

from bantu.celery import app as celery_app
from payments import ledger
from payments.models import Payout, Transaction
from payments.services.payouts import SUBMIT_TASK, _payout_hold
from tests.chat.e2e.test_e2e_server import BASE_DIR, server_database_url
from tests.payments.fakegateways import XENDIT_CALLBACK_TOKEN, XENDIT_SECRET_KEY, FakeXendit
from tests.payments.helpers import ledger_balanced, make_contract, release

from .helpers import WAIT, ThrowawayRedis, eventually

pytestmark = [pytest.mark.postgres, pytest.mark.redis,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WORKER_START = 45  # seconds: a worker imports Django and every app before it takes a task (slow on a loaded CI box)


class HoldingXendit(FakeXendit):
    """Creates the first payout, then never answers that request: the worker that sent it is mid-task."""

    def __init__(self) -> None:
        super().__init__()
        self.holding = threading.Event()

    def _send(self, handler, answer) -> None:
        if not self.holding.is_set() and handler.path.startswith("/v2/payouts"):
            self.holding.set()
            self._stopping.wait(WORKER_START)  # until the worker is gone (its socket with it) or the fake stops
            return
        super()._send(handler, answer)


def start_worker(redis: ThrowawayRedis, xendit: FakeXendit, log) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=server_database_url(), REDIS_URL=redis.url, CELERY_BROKER_URL=redis.url,
               CELERY_VISIBILITY_TIMEOUT="1", CELERY_UNACKED_RESTORE_INTERVAL="1", CELERY_UNACKED_RESTORE_THROTTLE="1",
               XENDIT_SECRET_KEY=XENDIT_SECRET_KEY, XENDIT_API_URL=xendit.url,
               XENDIT_CALLBACK_TOKEN=XENDIT_CALLBACK_TOKEN, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "bantu", "worker", "--pool", "prefork", "--concurrency", "1",
         "--loglevel", "INFO", "--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop_worker(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=WAIT)


def pool_processes(worker: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def payout_requests(xendit: FakeXendit) -> list:
    return xendit.requests_to("POST", "/v2/payouts")


@pytest.mark.parametrize("victim", ["pool process", "whole worker"])
def test_a_worker_killed_mid_payout_runs_it_again_and_pays_once(victim, company, owner, freelancer, eager_celery,
                                                               tmp_path, settings):
    release(owner, make_contract(company, owner, freelancer, amounts=(1_000_000,)).milestones.get().pk)
    with HoldingXendit() as xendit, ThrowawayRedis() as redis, (tmp_path / "worker.log").open("w+") as log:
        # pytest-django's `settings`: restored after the test (django.conf.settings kept Xendit on for the rest of
        # the worker's tests, whose payments then went to this test's stopped fake)
        settings.BANTU = {**settings.BANTU, "XENDIT_SECRET_KEY": XENDIT_SECRET_KEY, "XENDIT_API_URL": xendit.url}
        payout = _payout_hold(user=freelancer, amount=100_000, bank_code="BCA", account_number="1234567890",
                              account_holder_name="Budi Santoso")  # held in the wallet, committed, not yet sent
        with Connection(redis.url) as broker, warnings.catch_warnings():
            warnings.simplefilter("ignore", AlwaysEagerIgnored)  # the setup ran eager; send_task always sends
            celery_app.send_task(SUBMIT_TASK, args=[str(payout.pk)], connection=broker)

        worker = start_worker(redis, xendit, log)
        try:
            eventually(xendit.holding.is_set, what="the worker calling Xendit", timeout=WORKER_START)
            if victim == "pool process":
                os.kill(eventually(lambda: pool_processes(worker), what="the pool process")[0], signal.SIGKILL)
            else:
                stop_worker(worker)  # SIGKILL to every process of the worker
                worker = start_worker(redis, xendit, log)
            eventually(lambda: Payout.objects.get(pk=payout.pk).status != Payout.Status.PENDING,
                       what="the payout submitted again", timeout=WORKER_START)
        finally:
            stop_worker(worker)
        output = Path(log.name).read_text(errors="replace")

    payout.refresh_from_db()
    sent = payout_requests(xendit)
    assert [request.headers["idempotency-key"] for request in sent] == [str(payout.pk)] * 2, output
    assert len(xendit.payouts) == 1  # the gateway paid once
    assert (payout.status, payout.gateway_reference, payout.submit_attempts) == (
        Payout.Status.PROCESSING, next(iter(xendit.payouts)), 2)
    assert Transaction.objects.filter(payout=payout).count() == 1  # the hold; settlement waits for the callback
    assert ledger.wallet_account(freelancer.pk).balance == 800_000
    ledger_balanced()
