"""`make demo` (demo/story.py): the whole marketplace story against the embedded server the script starts itself,
and what it does when a step is refused (against a small fake server on 127.0.0.1)."""

import contextlib
import importlib.util
import json
import os
import pty
import re
import socket
import subprocess
import sys
import tempfile
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from django.conf import settings

from tests.chat.e2e.test_e2e_server import free_port, server_log, start_server, stop_server, wait_healthy
from tests.localserver import LocalHTTPServer

BASE_DIR = Path(settings.BASE_DIR)
SCRIPT = BASE_DIR / "demo" / "story.py"
STORY_BUDGET = 120  # seconds: the bound for the whole story, the server's start included
STORY_STEPS = [
    "A company registers",
    "The company posts a job",
    "A freelancer registers",
    "The freelancer fills in a profile",
    "The freelancer searches jobs (full text + filters)",
    "The freelancer applies",
    "The company reads the proposal and counters",
    "The freelancer accepts the counter offer: a contract starts",
    "They chat over the WebSocket",
    "The company funds the milestone (sandbox gateway)",
    "The company pays on the checkout page",
    "The freelancer submits the work",
    "The company approves: escrow is released",
    "The wallet holds the amount minus the platform fee",
    "The freelancer withdraws to the bank (payout)",
    "The freelancer's notifications",
]
REVIEW_STEPS = ["The company reviews the freelancer", "The freelancer reviews the company"]


def load_story_module():
    """demo/story.py as a module (it is a script, outside any package). Registered in sys.modules, as its
    dataclasses need."""
    if "demo_story" not in sys.modules:
        spec = importlib.util.spec_from_file_location("demo_story", SCRIPT)
        module = importlib.util.module_from_spec(spec)
        sys.modules["demo_story"] = module
        spec.loader.exec_module(module)
    return sys.modules["demo_story"]


def run_story(*args: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    result = subprocess.run([sys.executable, str(SCRIPT), *args], cwd=BASE_DIR, capture_output=True, text=True,
                            env=dict(os.environ, **(env or {})), timeout=STORY_BUDGET + 30, check=False)
    return result, time.monotonic() - started


def developer_database_state():
    path = BASE_DIR / "db.sqlite3"
    return path.stat().st_mtime_ns if path.exists() else None


def test_the_whole_story_plays_against_its_own_embedded_server():
    before = developer_database_state()

    result, elapsed = run_story("--color", "auto", env={"BANTU_URL": ""})

    output = result.stdout
    assert result.returncode == 0, output + result.stderr
    assert elapsed < STORY_BUDGET, output
    steps = STORY_STEPS + REVIEW_STEPS  # this server has reviews/: the fake servers below show the story without
    width = len(str(len(steps)))
    progress = [line for line in output.splitlines() if re.match(r"\[ *\d+/\d+\] ", line)]
    assert progress == [f"[{number:>{width}}/{len(steps)}] {title}" for number, title in enumerate(steps, 1)]
    # The answers that tell the story: the negotiated amount, both sides of the chat, the money.
    assert "offers=[\"freelancer: Rp 2.500.000\", \"company: Rp 2.000.000\"]" in output
    assert "amount=Rp 2.000.000  status=active  fee_percent=10.00  job_status=in_progress  milestones=1" in output
    for event in ("freelancer ← message.created  #1 Halo Dewi", "company ← typing", "company ← message.created  #2",
                  "freelancer ← message.read"):
        assert event in output
    assert "stored_messages=2" in output
    assert 'buttons=["Pay", "Fail"]' in output
    assert "page_status=Status: paid" in output
    assert "milestone=funded" in output
    assert "available=Rp 1.800.000  pending=Rp 0  fee=Rp 200.000 (10.00%)  contract=completed" in output
    assert "amount=Rp 1.800.000  bank=BCA  account=••••7890  status=completed" in output
    assert "available=Rp 0  in_payout=Rp 0" in output
    # Double-blind: the first review waits for the second, then both are published and counted on the profile.
    assert re.search(r"\[17/18\] The company reviews the freelancer\n.*201 Created.*\n.*rating=5  status=pending  "
                     r"published_at=null\n", output)
    assert re.search(r"\[18/18\] The freelancer reviews the company\n.*201 Created.*\n.*rating=5  status=published",
                     output)
    assert "rating_average=5.00  rating_count=1" in output
    assert "published_reviews=1  comment=Cepat, rapi dan komunikatif." in output
    assert output.rstrip().endswith("The embedded server is stopped.")
    assert "\x1b[" not in output  # not a terminal: plain text
    # It ran on a SQLite file of its own, and stopped its server.
    assert developer_database_state() == before
    port = int(re.search(r"embedded server on http://127\.0\.0\.1:(\d+)", output).group(1))
    with pytest.raises(ConnectionRefusedError), socket.create_connection(("127.0.0.1", port), timeout=2):
        pass


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_story_plays_against_a_running_server_on_postgresql_and_redis():
    """BANTU_URL: the story against a server of two worker processes on PostgreSQL (full-text search) and the
    Redis channel layer (chat events cross processes), as `make demo` against `make run` in service mode."""
    port = free_port()
    with tempfile.NamedTemporaryFile("w+", prefix="bantu-uvicorn-", suffix=".log") as log:
        process = start_server(port, log, env={"EMAIL_VERIFICATION": "optional",
                                               "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"})
        try:
            wait_healthy(process, port, log)
            result, elapsed = run_story("--color", "never", env={"BANTU_URL": f"http://127.0.0.1:{port}"})
        finally:
            stop_server(process)
        output = server_log(log)

    assert result.returncode == 0, result.stdout + result.stderr + output
    assert elapsed < STORY_BUDGET
    assert "count=1  first=Desain logo kedai kopi" in result.stdout
    assert "freelancer ← message.read" in result.stdout
    assert "available=Rp 1.800.000  pending=Rp 0  fee=Rp 200.000 (10.00%)  contract=completed" in result.stdout
    assert "Traceback" not in output, output


class UnverifiedServer(BaseHTTPRequestHandler):
    """A server that registers anyone and then refuses the unverified company's job, as email verification
    (issue 12) does: enough of the API for the story's first two steps."""

    requests: list[str]
    user = {"id": "u1", "roles": ["company"], "freelancer_profile": None,
            "companies": [{"id": "c1", "name": "Kopi Kita", "slug": "kopi-kita", "role": "owner"}]}

    def _answer(self, status: int, body: dict, content_type: str = "application/json") -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.requests.append(f"GET {self.path}")
        if self.path == "/healthz":
            self._answer(200, {"status": "ok"})
        elif self.path.startswith("/api/schema/"):
            self._answer(200, {"openapi": "3.0.3", "paths": {"/api/v1/jobs/": {}}})
        elif self.path.startswith("/api/v1/categories/"):
            self._answer(200, {"count": 1, "next": None, "previous": None,
                               "results": [{"slug": "design-creative", "children": []}]})
        else:
            self._answer(404, {"code": "not_found"}, "application/problem+json")

    def do_POST(self):
        self.requests.append(f"POST {self.path}")
        self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/api/v1/auth/register/":
            self._answer(201, {"access": "a", "refresh": "r", "user": self.user})
        else:
            self._answer(403, {"type": "https://docs.bantu.id/problems/email_not_verified", "title": "Forbidden",
                               "status": 403, "detail": "Verify your email address first.",
                               "code": "email_not_verified"}, "application/problem+json")

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def fake_server(**attributes):
    handler = type("Handler", (UnverifiedServer,), {"requests": [], **attributes})
    with LocalHTTPServer(handler, name="demo-server") as server:
        yield server.origin, handler.requests


def run_story_on_a_terminal(*args: str, env: dict) -> tuple[int, str]:
    """The story with its stdout on a pseudo-terminal, as `make demo` in a shell: (exit code, output)."""
    primary, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, str(SCRIPT), *args], cwd=BASE_DIR, stdout=secondary,
                               stderr=subprocess.PIPE, env=dict(os.environ, **env))
    os.close(secondary)
    chunks = []
    with contextlib.suppress(OSError):  # EIO once the script has exited and closed the terminal
        while chunk := os.read(primary, 65536):
            chunks.append(chunk)
    os.close(primary)
    returncode = process.wait(timeout=60)
    process.stderr.close()
    return returncode, b"".join(chunks).decode().replace("\r\n", "\n")


def test_a_refused_step_stops_the_story_with_its_body_and_a_verification_hint():
    with fake_server() as (url, requests):
        returncode, output = run_story_on_a_terminal(env={"BANTU_URL": url, "NO_COLOR": "", "TERM": "xterm"})

    assert returncode == 1, output
    assert f"Playing the story against \x1b[1m{url}\x1b[0m" in output
    assert "\x1b[31mFAILED at step 2/16: The company posts a job\x1b[0m" in output
    assert "POST /api/v1/jobs/ answered 403 Forbidden (application/problem+json):" in output
    assert '"code": "email_not_verified"' in output
    assert "Hint: The server refused an unverified account" in output
    assert "EMAIL_VERIFICATION=optional" in output
    assert "[ 3/16]" not in output
    assert "this server has no POST /api/v1/reviews/ yet: the two review steps are left out" in output
    assert requests == ["GET /healthz", "GET /api/schema/?format=json", "POST /api/v1/auth/register/",
                        "GET /api/v1/categories/?page_size=100", "POST /api/v1/jobs/"]


def test_an_answer_without_what_the_next_steps_need_fails_the_step_with_that_answer():
    user = {"id": "u1", "roles": ["company"], "freelancer_profile": None}  # no `companies`
    with fake_server(user=user) as (url, requests):
        result, _ = run_story("--color", "never", env={"BANTU_URL": url})

    output = result.stdout
    assert result.returncode == 1, output + result.stderr
    assert "FAILED at step 1/16: A company registers" in output
    assert "the answer lacks what the story needs (KeyError: 'companies')" in output
    assert "POST /api/v1/auth/register/ answered 201 Created (application/json):" in output
    assert "Traceback" not in output + result.stderr
    assert requests == ["GET /healthz", "GET /api/schema/?format=json", "POST /api/v1/auth/register/"]


def test_no_server_at_the_url_exits_2_before_any_step():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result, _ = run_story("--url", f"http://127.0.0.1:{port}", "--color", "never")

    assert result.returncode == 2
    assert result.stdout == f"No Bantu server answers http://127.0.0.1:{port}/healthz.\n"


REVIEW_SCHEMA = {
    "paths": {"/api/v1/reviews/": {"post": {"requestBody": {"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ReviewCreateRequest"}}}}}}},
    "components": {"schemas": {"ReviewCreateRequest": {
        "type": "object", "required": ["contract", "rating"],
        "properties": {
            "contract": {"type": "string", "format": "uuid"},
            "rating": {"type": "integer", "minimum": 1, "maximum": 5},
            "comment": {"type": "string", "maxLength": 5000},
            "communication": {"type": "integer", "minimum": 1, "maximum": 5},
            "quality": {"type": "integer", "minimum": 1, "maximum": 5},
            "timeliness": {"type": "integer", "minimum": 1, "maximum": 5},
            "id": {"type": "string", "readOnly": True}}}}},
}


class SchemaClient:
    def __init__(self, schema):
        self.schema = schema

    def call(self, method, path, **kwargs):
        schema = self.schema

        class Answer:
            def json(self):
                return schema

        return Answer()


def test_review_bodies_follow_the_published_request_schema():
    story_module = load_story_module()
    story = story_module.new_story(story_module.Client("http://127.0.0.1:1"))
    story.contract_id = "0193-contract"
    story.reviews_schema = story_module.reviews_request_schema(SchemaClient(REVIEW_SCHEMA))

    company, freelancer = (story_module.review_body(story, side) for side in ("company", "freelancer"))

    assert company == {"contract": "0193-contract", "rating": 5, "comment": "Cepat, rapi dan komunikatif.",
                       "communication": 5, "quality": 5, "timeliness": 5}
    assert freelancer == {"contract": "0193-contract", "rating": 5,
                          "comment": "Brief yang jelas dan pembayaran tepat waktu."}


def test_without_the_reviews_route_the_review_steps_are_left_out():
    story_module = load_story_module()

    assert story_module.reviews_request_schema(SchemaClient({"paths": {"/api/v1/jobs/": {}}})) is None


def test_a_review_schema_with_a_field_the_story_cannot_fill_fails_clearly():
    story_module = load_story_module()
    story = story_module.new_story(story_module.Client("http://127.0.0.1:1"))
    story.reviews_schema = {"required": ["contract", "tags"], "properties": {
        "contract": {"type": "string"}, "tags": {"type": "array"}}}

    with pytest.raises(story_module.StepFailed, match=r"cannot fill: \['tags'\]"):
        story_module.review_body(story, "company")
