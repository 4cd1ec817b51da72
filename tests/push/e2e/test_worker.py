"""The service-mode path for real: the request enqueues on Redis, a Celery worker process takes the task, signs
and encrypts the push, and the local push service receives it; retries go through the broker too."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

from notifications.models import Device, Notification
from notifications.services import device_register, notify
from tests.factories import UserFactory

from ..conftest import SUBJECT

WORKER_READY_SECONDS = 60
DELIVERY_SECONDS = 30


def database_url() -> str:
    db = settings.DATABASES["default"]
    credentials = quote(db.get("USER") or "postgres", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


def worker_env(vapid_keys) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_TEST_NAME"}
    env.update({
        "DJANGO_SETTINGS_MODULE": "bantu.settings",
        "DATABASE_URL": database_url(),  # the test database this transactional test commits to
        "DB_CONN_MAX_AGE": "0",
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,  # where this process's .delay() sends
        "SECRET_KEY": settings.SECRET_KEY,
        "VAPID_PUBLIC_KEY": vapid_keys.public_key,
        "VAPID_PRIVATE_KEY": vapid_keys.private_key,
        "VAPID_SUBJECT": SUBJECT,
        "FCM_CREDENTIALS_FILE": "",
        "PUSH_ALLOW_LOOPBACK_ENDPOINTS": "true",  # the tests' push service is on 127.0.0.1
        "PYTHONUNBUFFERED": "1",
    })
    return env


def wait_until(condition, timeout: float, what: str, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-4000:] if log else ""
    pytest.fail(f"timed out after {timeout} s waiting for {what}\n{tail}")
    return None


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_pushes_a_notification_through_the_broker(webpush_settings, service_mode_celery, vapid_keys,
                                                                push_service, tmp_path):
    user = UserFactory()
    devices = {}
    for name, statuses in (("browser", ()), ("flaky", (500,)), ("gone", (410,))):
        body = push_service.subscribe(name, *statuses)
        devices[name], _ = device_register(user=user, kind="webpush", endpoint=body["endpoint"],
                                           p256dh=body["keys"]["p256dh"], auth=body["keys"]["auth"])
    service_mode_celery.control.purge()  # nothing left over from earlier runs on this broker database
    log = tmp_path / "worker.log"
    command = [str(Path(sys.executable).with_name("celery")), "-A", "bantu", "worker", "--pool", "solo",
               "--concurrency", "1", "--loglevel", "INFO", "-n", f"push-test-{os.getpid()}@%h",
               "--without-gossip", "--without-mingle", "--without-heartbeat"]
    with log.open("wb") as output:
        worker = subprocess.Popen(command, cwd=settings.BASE_DIR, env=worker_env(vapid_keys), stdout=output,
                                  stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: worker.poll() is not None or " ready." in log.read_text(errors="replace"),
                   WORKER_READY_SECONDS, "the worker to start", log)
        assert worker.poll() is None, log.read_text(errors="replace")

        [notification] = notify(user_ids=[user.pk], kind=Notification.Kind.PROPOSAL_ACCEPTED,
                                title="Proposal diterima", body="Selamat, kontrak dimulai.", data={"contract": "c1"})

        # browser: once; flaky: 500, retried through the broker (countdown up to 2 s), then 201; gone: 410 once
        push_service.wait_for_requests(4, timeout=DELIVERY_SECONDS)
        expected = {"id": str(notification.pk), "kind": "proposal.accepted", "title": "Proposal diterima",
                    "body": "Selamat, kontrak dimulai.", "data": {"contract": "c1"}, "read_at": None,
                    "created_at": notification.created_at.isoformat().replace("+00:00", "Z")}  # the one shape
        assert push_service.problems() == []
        assert push_service.delivered("browser") == [expected]
        assert [request.status for request in push_service.requests_for("flaky")] == [500, 201]
        assert push_service.delivered("flaky") == [expected]
        assert [request.status for request in push_service.requests_for("gone")] == [410]

        def recorded():
            rows = {device.pk: device for device in Device.objects.all()}
            browser, flaky, gone = (rows[devices[name].pk] for name in ("browser", "flaky", "gone"))
            return (browser.last_success_at is not None and flaky.last_success_at is not None
                    and flaky.last_error == "" and gone.active is False)

        wait_until(recorded, DELIVERY_SECONDS, "the worker to record the outcomes", log)
        assert "410" in Device.objects.get(pk=devices["gone"].pk).last_error
        output = log.read_text(errors="replace")
        assert output.count("notifications.tasks.send_push_task[") >= 4, output  # it ran there, not in this process
        assert "succeeded" in output
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
