"""`make run` with no keys: the real server on the embedded default (SQLite, no Redis, eager Celery, the sandbox
gateway) with the demo data: a payment completed on the sandbox checkout page as a browser would, and concurrent
writes answered as on PostgreSQL (no "database is locked" 500s)."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from tests import database
from tests.chat.e2e.test_e2e_server import free_port

BASE_DIR = Path(settings.BASE_DIR)
DEMO_PASSWORD = "BantuDemo!2026"
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "XENDIT_SECRET_KEY", "MIDTRANS_SERVER_KEY",
                     "PAYMENT_GATEWAY", "PAYOUT_GATEWAY", "DJANGO_SETTINGS_MODULE", "BANTU_TEST_REDIS_SPLIT")


@pytest.fixture(scope="module")
def embedded_server(tmp_path_factory, django_db_setup):
    """migrate + seed_demo + uvicorn, as `make run` does, on a SQLite file of this module's own. Where the suite
    runs on SQLite, the migrated file is a copy of its migrated template (tests/database.py: the same `migrate`,
    run once per version of the migrations) instead of a fourth migration of the run."""
    tmp_path = tmp_path_factory.mktemp("embedded")
    port = free_port()
    env = {name: value for name, value in os.environ.items() if name not in SERVICE_VARIABLES}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
            "PYTHONUNBUFFERED": "1"}
    commands = [["migrate", "--noinput"], ["seed_demo"]]
    if (template := database.template_path()).exists():
        shutil.copyfile(template, tmp_path / "db.sqlite3")
        commands = commands[1:]
    for command in commands:
        subprocess.run([sys.executable, "manage.py", *command], cwd=BASE_DIR, env=env, check=True,
                       capture_output=True, timeout=120)
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen([sys.executable, "-m", "uvicorn", "bantu.asgi:application", "--host", "127.0.0.1",
                               "--port", str(port), "--lifespan", "off"],
                              cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1):
                    break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "server.log").read_text()
                time.sleep(0.2)
        yield base
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=10)
        log.close()


def _call(method, url, body=None, token=None, headers=None, form=False):
    data = None
    headers = dict(headers or {})
    if body is not None:
        data = urllib.parse.urlencode(body).encode() if form else json.dumps(body).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded" if form else "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read().decode()


def test_make_run_then_the_sandbox_checkout_page_completes_a_payment(embedded_server):
    api = f"{embedded_server}/api/v1"
    _, _, login = _call("POST", f"{api}/auth/token/", {"email": "owner@demo.bantu.id", "password": DEMO_PASSWORD})
    token = json.loads(login)["access"]
    _, _, contracts = _call("GET", f"{api}/contracts/", token=token)
    milestone = json.loads(contracts)["results"][0]["milestones"][0]

    status, _, funded = _call("POST", f"{api}/milestones/{milestone['id']}/fund/", {}, token=token)
    assert status == 201
    checkout_url = json.loads(funded)["checkout_url"]
    assert checkout_url.startswith(f"{api}/payments/sandbox/")
    status, content_type, page = _call("GET", checkout_url, headers={"Accept": "text/html"})
    assert (status, content_type) == (200, "text/html; charset=utf-8")
    assert "Rp1.000.000" in page
    assert 'value="paid"' in page

    status, _, result = _call("POST", checkout_url, {"outcome": "paid"}, form=True, headers={"Accept": "text/html"})

    assert status == 200
    assert "Status: paid" in result
    _, _, milestones = _call("GET", f"{api}/contracts/{milestone['contract']}/milestones/", token=token)
    assert [item["status"] for item in json.loads(milestones)["results"]] == ["funded", "pending"]


def _outcome(method, url, body) -> tuple[int, str]:
    """(status, problem code or "")."""
    try:
        return _call(method, url, body)[0], ""
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())["code"]


def test_concurrent_registrations_with_one_email_make_one_account(embedded_server):
    body = {"email": "kembar@example.id", "password": "Correct-Horse-42", "full_name": "Kembar Siam",
            "role": "freelancer"}

    with ThreadPoolExecutor(max_workers=5) as pool:
        outcomes = list(pool.map(lambda _: _outcome("POST", f"{embedded_server}/api/v1/auth/register/", body),
                                 range(5)))

    assert Counter(outcomes) == {(201, ""): 1, (400, "email_taken"): 4}
