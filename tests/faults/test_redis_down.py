"""Redis killed and restarted under a running server (PRODUCT.md §5: "Redis down leaves the API answering and
brute-force protection on").

A real uvicorn server runs on the test database with a throwaway redis-server of its own (cache, throttles,
channel layer and Celery broker). The test SIGKILLs that Redis with a socket open, checks what clients see while it
is down, starts it again on the same port, and checks that everything comes back without restarting the server.
"""

import asyncio
import uuid

import pytest
from django.test import override_settings
from websockets.asyncio.client import connect

from accounts.services import tokens_issue
from tests.chat.e2e.test_e2e_server import (
    free_port,
    open_socket,
    receive,
    server_log,
    start_server,
    stop_server,
    wait_healthy,
)
from tests.factories import PASSWORD, ConversationFactory, JobFactory, ProposalFactory

from .helpers import WAIT, ThrowawayRedis, assert_problem_answer, call, close_code, eventually

pytestmark = [pytest.mark.postgres, pytest.mark.redis,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LOGIN_LIMIT = 3  # THROTTLE_LOGIN_EMAIL of the server under test: attempts per email and IP a minute


async def code_of_a_new_socket(port: int, token: str) -> int | None:
    async with connect(f"ws://127.0.0.1:{port}/ws/?token={token}", open_timeout=WAIT, close_timeout=2) as ws:
        return await close_code(ws)


async def sockets_see_redis_die(port: int, token: str, redis: ThrowawayRedis) -> list:
    sockets = [await open_socket(port, token) for _ in range(2)]  # subscribed through Redis
    await asyncio.to_thread(redis.kill)
    return list(await asyncio.gather(*(close_code(ws) for ws in sockets)))


async def socket_receives_a_message(port: int, token: str, post) -> dict:
    ws = await open_socket(port, token)
    try:
        await asyncio.to_thread(post)
        return await receive(ws, "message.created")
    finally:
        await ws.close()


def readyz(base: str):
    answer = call("GET", f"{base}/readyz")
    return answer.status, answer.json()


def readyz_body_when(base: str, status: int) -> dict | None:
    answered, body = readyz(base)
    return body if answered == status else None


@pytest.fixture
def conversation(company, owner, freelancer):
    job = JobFactory(company=company, posted_by=owner, title="Logo kedai kopi", description="Logo dan panduan.",
                     budget_min=1, budget_max=2)
    proposal = ProposalFactory(job=job, freelancer=freelancer, cover_letter="Saya siap mengerjakan logo ini.",
                               amount=2, duration_days=7)
    return ConversationFactory(proposal=proposal, user=owner)


def test_redis_killed_and_restarted_under_a_running_server(conversation, owner, freelancer, user, tmp_path):
    owner_token, freelancer_token = tokens_issue(user=owner)["access"], tokens_issue(user=freelancer)["access"]
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        owner.set_password(PASSWORD)  # a hash the server knows (the suite's own is MD5, for speed)
        owner.save(update_fields=["password"])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    messages = f"{base}/api/v1/conversations/{conversation.pk}/messages/"

    def post_message(body: str):
        return call("POST", messages, {"body": body, "client_id": str(uuid.uuid4())}, token=owner_token)

    def login(email: str, password: str):
        return call("POST", f"{base}/api/v1/auth/token/", {"email": email, "password": password})

    with ThrowawayRedis() as redis, (tmp_path / "server.log").open("w+") as log:
        # One worker process: while Redis is down the login throttle counts per process, so one process counts all.
        process = start_server(port, log, workers=1, env={
            "REDIS_URL": redis.url, "THROTTLE_LOGIN_EMAIL": f"{LOGIN_LIMIT}/min"})
        try:
            wait_healthy(process, port, log)
            assert eventually(lambda: readyz(base)[0] == 200, what="/readyz 200 with Redis up")

            # Redis dies under open sockets: they are closed with 1011 (reconnect later).
            dying_socket_codes = asyncio.run(sockets_see_redis_die(port, freelancer_token, redis))

            down = eventually(lambda: readyz_body_when(base, 503), what="/readyz 503 with Redis down")
            jobs = call("GET", f"{base}/api/v1/jobs/")
            me = call("GET", f"{base}/api/v1/me/", token=owner_token)
            posted_while_down = post_message("Redis sedang mati")
            good_login = login(owner.email, PASSWORD)
            bad_logins = [login(user.email, "not-the-password") for _ in range(LOGIN_LIMIT + 1)]
            new_socket_code = asyncio.run(code_of_a_new_socket(port, freelancer_token))

            redis.start()  # the same port: the server reconnects on its own
            assert eventually(lambda: readyz(base)[0] == 200, what="/readyz 200 after Redis is back")
            delivered = asyncio.run(socket_receives_a_message(
                port, freelancer_token, lambda: post_message("Redis hidup lagi")))
        finally:
            stop_server(process)
        output = server_log(log)

    assert dying_socket_codes == [1011, 1011], output
    assert down == {"status": "unavailable",
                    "checks": {"database": "ok", "cache": "unavailable", "channel_layer": "unavailable"}}
    assert (jobs.status, jobs.headers["X-Cache"]) == (200, "MISS"), jobs.body
    assert (me.status, me.json()["id"]) == (200, str(owner.pk)), me.body
    assert posted_while_down.status == 201, posted_while_down.body
    assert good_login.status == 200, good_login.body
    assert [answer.status for answer in bad_logins[:LOGIN_LIMIT]] == [401] * LOGIN_LIMIT
    assert_problem_answer(bad_logins[LOGIN_LIMIT], 429, "throttled")
    assert 0 < int(bad_logins[LOGIN_LIMIT].headers["Retry-After"]) <= 60
    assert new_socket_code == 1011, output
    assert (delivered["message"]["body"], delivered["message"]["seq"]) == ("Redis hidup lagi", 2), delivered
    assert conversation.messages.count() == 2
    assert "Exception in ASGI application" not in output, output
    assert owner_token not in output and freelancer_token not in output  # masked in the handshake lines too
    assert "Internal Server Error" not in output, output
