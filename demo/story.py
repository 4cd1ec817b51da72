"""`make demo`: the marketplace story, end to end, with real HTTP and WebSocket calls.

A company registers and posts a job; a freelancer registers, fills in a profile, searches and applies; they
negotiate and accept; they chat over the WebSocket; the company funds the milestone on the sandbox gateway's
checkout page (as a browser would); the freelancer submits, the company approves, the wallet holds the amount minus
the platform fee, the freelancer withdraws; when the server has the reviews route, both sides review each other.

    python demo/story.py                         # starts the embedded server itself, then stops it
    python demo/story.py --url http://127.0.0.1:8000   # or BANTU_URL=...: against a running server

Without a URL, the server is uvicorn on a free port of 127.0.0.1 with the embedded default (SQLite in a temporary
directory, no Redis, eager Celery, the sandbox gateways, EMAIL_VERIFICATION=optional), so the developer's
db.sqlite3 is never touched. Exits 0 when every step answered as expected; 1 with the failing answer's body
otherwise; 2 when the server could not be started or reached.

Only the standard library and `websockets` (a dependency of uvicorn[standard]) are used.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

BASE_DIR = Path(__file__).resolve().parent.parent
API = "/api/v1"
HTTP_TIMEOUT = 30  # seconds: the bound of one request
SOCKET_TIMEOUT = 10  # seconds: the bound of one wait for a socket event
SERVER_START_TIMEOUT = 60  # seconds: migrations plus uvicorn's start, on a loaded 2-core machine
# Variables that would switch the embedded server to real services or to a developer's settings.
SERVICE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "XENDIT_SECRET_KEY", "XENDIT_CALLBACK_TOKEN",
                     "MIDTRANS_SERVER_KEY", "PAYMENT_GATEWAY", "PAYOUT_GATEWAY", "DJANGO_SETTINGS_MODULE",
                     "ALLOWED_HOSTS", "PUBLIC_BASE_URL", "EMAIL_VERIFICATION", "EMAIL_URL", "EMAIL_HOST",
                     "BANTU_TEST_REDIS_SPLIT")
JOB_AMOUNT_BID = 2_500_000  # rupiah: the freelancer's bid
JOB_AMOUNT_AGREED = 2_000_000  # rupiah: the company's counter offer, accepted by the freelancer


# --------------------------------------------------------------------------------------------------- output


class Style:
    """ANSI colours when enabled (a terminal, and NO_COLOR unset), plain text otherwise."""

    def __init__(self, enabled: bool):
        self.enabled = enabled

    def _paint(self, code: str, text: str) -> str:
        return f"\033[{code}m{text}\033[0m" if self.enabled else text

    def bold(self, text: str) -> str:
        return self._paint("1", text)

    def dim(self, text: str) -> str:
        return self._paint("2", text)

    def green(self, text: str) -> str:
        return self._paint("32", text)

    def red(self, text: str) -> str:
        return self._paint("31", text)

    def yellow(self, text: str) -> str:
        return self._paint("33", text)

    def cyan(self, text: str) -> str:
        return self._paint("36", text)

    def magenta(self, text: str) -> str:
        return self._paint("35", text)


style = Style(enabled=False)


def say(text: str = "") -> None:
    print(text, flush=True)


def show(**fields: Any) -> None:
    """The few fields of an answer that matter, on one indented line."""
    say("      " + "  ".join(f"{style.dim(name + '=')}{_brief(value)}" for name, value in fields.items()))


def _brief(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 120 else text[:117] + "..."


def rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


# --------------------------------------------------------------------------------------------------- HTTP


class StepFailed(Exception):
    """A step got an answer it did not expect; `answer` (if any) is printed with its body."""

    def __init__(self, message: str, answer: Answer | None = None):
        super().__init__(message)
        self.answer = answer


@dataclass
class Answer:
    method: str
    path: str
    status: int
    reason: str
    content_type: str
    text: str

    def json(self) -> Any:
        try:
            return json.loads(self.text)
        except ValueError:
            raise StepFailed(f"{self.method} {self.path} did not answer JSON", self) from None

    def problem_code(self) -> str:
        with contextlib.suppress(ValueError, AttributeError):
            return str(json.loads(self.text).get("code", ""))
        return ""


class Client:
    """HTTP calls to one server; each call prints its request line and its status."""

    def __init__(self, base_url: str):
        self.base_url = base_url.rstrip("/")
        self.last: Answer | None = None  # the latest answer, shown when a step cannot read what it needs in it

    def call(self, method: str, path: str, *, token: str | None = None, body: Any = None,
             form: dict | None = None, accept: str = "application/json", idempotent: bool = False,
             expect: tuple[int, ...] = (200,), quiet: bool = False) -> Answer:
        """One request. `path` is relative to the server, or a full URL (a checkout page). `idempotent` sends a
        fresh Idempotency-Key. Raises StepFailed when the status is not in `expect`."""
        url = path if path.startswith(("http://", "https://")) else self.base_url + path
        headers = {"Accept": accept, "User-Agent": "bantu-demo-story/1"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data, headers["Content-Type"] = urllib.parse.urlencode(form).encode(), "application/x-www-form-urlencoded"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if idempotent:
            headers["Idempotency-Key"] = str(uuid.uuid4())
        shown = urllib.parse.urlsplit(url)
        shown_path = shown.path + (f"?{shown.query}" if shown.query else "")
        request = urllib.request.Request(url, data=data, headers=headers, method=method)  # noqa: S310 (http only)
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310 (http only)
                answer = Answer(method, shown_path, response.status, response.reason,
                                response.headers.get("Content-Type", ""), response.read().decode(errors="replace"))
        except urllib.error.HTTPError as error:
            answer = Answer(method, shown_path, error.code, error.reason, error.headers.get("Content-Type", ""),
                            error.read().decode(errors="replace"))
        except (urllib.error.URLError, OSError) as error:
            raise StepFailed(f"{method} {shown_path}: no answer ({error})") from None
        elapsed = (time.monotonic() - started) * 1000
        self.last = answer
        if not quiet:
            status = f"{answer.status} {answer.reason}"
            painted = style.green(status) if answer.status in expect else style.red(status)
            say(f"    {style.cyan(method):>6} {shown_path}  {painted}  {style.dim(f'{elapsed:.0f} ms')}")
        if answer.status not in expect:
            raise StepFailed(f"{method} {shown_path} answered {answer.status}, expected "
                             f"{' or '.join(map(str, expect))}", answer)
        return answer


def check(condition: bool, message: str, answer: Answer | None = None) -> None:
    if not condition:
        raise StepFailed(message, answer)


# --------------------------------------------------------------------------------------------------- the story


@dataclass
class Person:
    role: str
    email: str
    password: str
    full_name: str
    access: str = ""
    user_id: str = ""


@dataclass
class Story:
    """What the steps learn and hand on to the next ones."""

    client: Client
    run: str
    company: Person
    freelancer: Person
    reviews_schema: dict | None = None  # the POST reviews/ request schema, when the server has the route
    company_id: str = ""
    freelancer_profile_id: str = ""
    job_id: str = ""
    proposal_id: str = ""
    contract_id: str = ""
    contract_amount: int = 0
    fee_percent: str = ""
    milestone_id: str = ""
    conversation_id: str = ""
    checkout_url: str = ""
    net_amount: int = 0  # rupiah: what the approval put in the freelancer's wallet
    paid_out: int = 0

    @property
    def ws_url(self) -> str:
        return re.sub(r"^http", "ws", self.client.base_url) + "/ws/"


def new_story(client: Client) -> Story:
    """Two fresh people: unique emails per run, so the story can run again against the same server."""
    run = time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(2)

    def person(role: str, name: str) -> Person:
        return Person(role, f"{role}-{run}@story.demo.bantu.id", "Cerita-" + secrets.token_urlsafe(12), name)

    return Story(client=client, run=run, company=person("company", "Sari Wijaya"),
                 freelancer=person("freelancer", "Dewi Lestari"))


def step_company_registers(story: Story) -> None:
    company = story.company
    answer = story.client.call("POST", f"{API}/auth/register/", expect=(201,), body={
        "email": company.email, "password": company.password, "full_name": company.full_name, "role": "company",
        "company_name": f"Kopi Kita {story.run}"})
    data = answer.json()
    company.access, company.user_id = data["access"], data["user"]["id"]
    story.company_id = data["user"]["companies"][0]["id"]
    show(email=company.email, roles=data["user"]["roles"], company=data["user"]["companies"][0]["name"])


def step_company_posts_a_job(story: Story) -> None:
    client = story.client
    categories = client.call("GET", f"{API}/categories/?page_size=100").json()["results"]
    design = next((item for item in categories if item["slug"] == "design-creative"), None)
    check(design is not None, "the taxonomy has no `design-creative` category")
    answer = client.call("POST", f"{API}/jobs/", token=story.company.access, expect=(201,), body={
        "company": story.company_id, "title": f"Desain logo kedai kopi {story.run}",
        "description": "Logo, palet warna dan panduan merek untuk kedai kopi kami di Bandung.",
        "category": "logo-brand-identity", "skills": ["logo-design", "adobe-illustrator"], "job_type": "fixed",
        "budget_min": 1_500_000, "budget_max": 3_000_000, "location_type": "remote", "province": "Jawa Barat",
        "city": "Bandung", "experience_level": "intermediate", "status": "open"})
    job = answer.json()
    story.job_id = job["id"]
    show(id=job["id"], status=job["status"], category=job["category"]["slug"],
         budget=f"{rupiah(job['budget_min'])} to {rupiah(job['budget_max'])}")


def step_freelancer_registers(story: Story) -> None:
    freelancer = story.freelancer
    answer = story.client.call("POST", f"{API}/auth/register/", expect=(201,), body={
        "email": freelancer.email, "password": freelancer.password, "full_name": freelancer.full_name,
        "role": "freelancer"})
    data = answer.json()
    freelancer.access, freelancer.user_id = data["access"], data["user"]["id"]
    story.freelancer_profile_id = data["user"]["freelancer_profile"]
    show(email=freelancer.email, roles=data["user"]["roles"], profile=data["user"]["freelancer_profile"])


def step_freelancer_fills_in_the_profile(story: Story) -> None:
    answer = story.client.call("PATCH", f"{API}/me/freelancer-profile/", token=story.freelancer.access, body={
        "headline": "Desainer logo dan identitas merek", "bio": "Delapan tahun membuat logo untuk UMKM.",
        "skills": ["logo-design", "adobe-illustrator", "figma"], "hourly_rate": 150_000, "city": "Bandung",
        "province": "Jawa Barat", "portfolio_links": ["https://dewi.example.id/portfolio"],
        "availability": "available"})
    profile = answer.json()
    show(headline=profile["headline"], skills=[skill["slug"] for skill in profile["skills"]],
         hourly_rate=rupiah(profile["hourly_rate"]))


def step_freelancer_searches(story: Story) -> None:
    query = urllib.parse.urlencode({
        "q": "logo kopi", "category": "design-creative", "skills": "logo-design", "location_type": "remote",
        "province": "Jawa Barat", "budget_min": 2_000_000, "budget_max": 5_000_000, "ordering": "newest"})
    answer = story.client.call("GET", f"{API}/jobs/?{query}", token=story.freelancer.access)
    results = answer.json()["results"]
    ours = [index for index, job in enumerate(results, 1) if job["id"] == story.job_id]
    show(count=answer.json()["count"], first=results[0]["title"] if results else None,
         ours_at=ours[0] if ours else None)
    check(bool(ours), "the search did not find the job just posted", answer)
    detail = story.client.call("GET", f"{API}/jobs/{story.job_id}/", token=story.freelancer.access).json()
    show(title=detail["title"], company=detail["company"]["name"], skills=[s["slug"] for s in detail["skills"]])


def step_freelancer_applies(story: Story) -> None:
    body = {"cover_letter": "Saya sudah membuat 40 logo untuk kedai kopi dan UMKM di Jawa Barat.",
            "amount": JOB_AMOUNT_BID, "duration_days": 10}
    answer = story.client.call("POST", f"{API}/jobs/{story.job_id}/apply/", token=story.freelancer.access,
                               idempotent=True, expect=(201,), body=body)
    proposal = answer.json()
    story.proposal_id = proposal["id"]
    show(id=proposal["id"], status=proposal["status"], amount=rupiah(proposal["amount"]),
         last_offer_side=proposal["last_offer_side"])


def step_company_counters(story: Story) -> None:
    client, token = story.client, story.company.access
    listing = client.call("GET", f"{API}/jobs/{story.job_id}/proposals/", token=token).json()
    show(proposals=listing["count"], by=listing["results"][0]["freelancer"]["full_name"]
         if listing["results"] else None)
    answer = client.call("POST", f"{API}/proposals/{story.proposal_id}/offers/", token=token, idempotent=True,
                         expect=(201,), body={"amount": JOB_AMOUNT_AGREED, "duration_days": 12,
                                              "message": "Bisa 2 juta dalam 12 hari?"})
    offer = answer.json()
    show(side=offer["side"], amount=rupiah(offer["amount"]), duration_days=offer["duration_days"])


def step_freelancer_accepts(story: Story) -> None:
    client = story.client
    offers = client.call("GET", f"{API}/proposals/{story.proposal_id}/offers/", token=story.freelancer.access).json()
    show(offers=[f"{offer['side']}: {rupiah(offer['amount'])}" for offer in offers["results"]])
    answer = client.call("POST", f"{API}/proposals/{story.proposal_id}/accept/", token=story.freelancer.access,
                         idempotent=True, expect=(201,),
                         body={"milestones": [{"title": "Logo, palet dan panduan merek", "amount": JOB_AMOUNT_AGREED}]})
    contract = answer.json()
    story.contract_id, story.contract_amount = contract["id"], contract["amount"]
    story.fee_percent = contract["platform_fee_percent"]
    story.milestone_id = contract["milestones"][0]["id"]
    check(contract["amount"] == JOB_AMOUNT_AGREED, "the contract is not for the agreed amount", answer)
    show(contract=contract["id"], amount=rupiah(contract["amount"]), status=contract["status"],
         fee_percent=contract["platform_fee_percent"], job_status=contract["job"]["status"],
         milestones=len(contract["milestones"]))


def step_both_chat(story: Story) -> None:
    client = story.client
    answer = client.call("POST", f"{API}/conversations/", token=story.company.access, expect=(200, 201),
                         body={"proposal": story.proposal_id})
    story.conversation_id = answer.json()["id"]
    show(conversation=story.conversation_id)
    tickets = {}
    for person in (story.company, story.freelancer):
        tickets[person.role] = client.call("POST", f"{API}/auth/ws-ticket/", token=person.access).json()["ticket"]
    asyncio.run(chat(story, tickets))
    history = client.call("GET", f"{API}/conversations/{story.conversation_id}/messages/",
                          token=story.freelancer.access).json()["results"]
    show(stored_messages=len(history), newest=history[0]["body"] if history else None)
    check(len(history) == 2, f"the conversation holds {len(history)} messages, expected 2")


async def chat(story: Story, tickets: dict[str, str]) -> None:
    """Both sides on their own socket: the company writes, the freelancer types and answers, the company reads."""
    sockets = Sockets(story)
    try:
        await sockets.open("company", tickets["company"])
        await sockets.open("freelancer", tickets["freelancer"])
        hello = await sockets.send_message("company", "Halo Dewi, selamat bergabung!")
        created = await sockets.receive("freelancer", "message.created")
        check(created["message"]["id"] == hello["id"], "the freelancer got another message than the one sent")
        await sockets.send("freelancer", {"type": "typing"})
        await sockets.receive("company", "typing")
        reply = await sockets.send_message("freelancer", "Terima kasih! Saya mulai hari ini.")
        await sockets.receive("company", "message.created")
        await sockets.send("company", {"type": "message.read", "message": reply["id"]})
        read = await sockets.receive("freelancer", "message.read")
        check(read["message"] == reply["id"], "the read receipt names another message")
    finally:
        await sockets.close()


class Sockets:
    """One socket per side in the story's conversation; every frame sent and every event received is shown."""

    def __init__(self, story: Story):
        self.story = story
        self.open_sockets: dict = {}
        self.names = {story.company.user_id: story.company.full_name,
                      story.freelancer.user_id: story.freelancer.full_name}

    async def open(self, who: str, ticket: str) -> None:
        url = self.story.ws_url
        ws = await connect(f"{url}?ticket={ticket}", open_timeout=SOCKET_TIMEOUT, close_timeout=2)
        self.open_sockets[who] = ws
        say(f"    {style.magenta('WS')} {urllib.parse.urlsplit(url).path}?ticket=…  {style.green('open')}  "
            f"{style.dim(who)}")
        # The consumer handles frames once it has joined the user's group; its answer to an unknown command proves
        # that, so no event sent to this user from now on can be missed.
        await ws.send(json.dumps({"type": "sync"}))
        async with asyncio.timeout(SOCKET_TIMEOUT):
            while json.loads(await ws.recv()).get("type") != "error":
                pass

    async def send(self, who: str, command: dict) -> None:
        command = {**command, "conversation": self.story.conversation_id}
        say(f"      {style.dim(who.rjust(10))} {style.magenta('→')} {command['type']}"
            + (f"  {_brief(command['body'])}" if "body" in command else ""))
        await self.open_sockets[who].send(json.dumps(command))

    async def send_message(self, who: str, body: str) -> dict:
        """`message.send`, then its `message.ack`; answers the stored message."""
        client_id = str(uuid.uuid4())
        await self.send(who, {"type": "message.send", "body": body, "client_id": client_id})
        ack = await self.receive(who, "message.ack")
        check(ack["client_id"] == client_id, "the acknowledgement names another client_id")
        return ack["message"]

    async def receive(self, who: str, wanted: str) -> dict:
        """Events until one of type `wanted`; the others that arrive first are shown too (e.g. the echo of one's
        own message). An `error` event, or nothing within SOCKET_TIMEOUT, fails the step."""
        try:
            async with asyncio.timeout(SOCKET_TIMEOUT):
                while True:
                    event = json.loads(await self.open_sockets[who].recv())
                    say(f"      {style.dim(who.rjust(10))} {style.magenta('←')} {self.describe(event)}")
                    if event["type"] == "error":
                        raise StepFailed(f"the {who}'s socket answered an error: {json.dumps(event)}")
                    if event["type"] == wanted:
                        return event
        except TimeoutError:
            raise StepFailed(f"the {who}'s socket got no {wanted} within {SOCKET_TIMEOUT} s") from None

    def describe(self, event: dict) -> str:
        kind = event.get("type", "?")
        if kind in ("message.created", "message.ack"):
            message = event["message"]
            return f"{kind}  #{message['seq']} {_brief(message['body'])}  from {self.names.get(message['sender'])}"
        if kind == "notification.created":
            return f"{kind}  {event['notification'].get('kind', '')}"
        if kind in ("typing", "message.read"):
            return f"{kind}  by {self.names.get(event.get('user'), event.get('user'))}"
        return f"{kind}  {_brief(event)}"

    async def close(self) -> None:
        for ws in self.open_sockets.values():
            await ws.close()


def step_company_funds(story: Story) -> None:
    answer = story.client.call("POST", f"{API}/milestones/{story.milestone_id}/fund/", token=story.company.access,
                               idempotent=True, expect=(201,), body={})
    payment = answer.json()
    story.checkout_url = payment["checkout_url"]
    show(payment=payment["id"], gateway=payment["gateway"], amount=rupiah(payment["amount"]),
         status=payment["status"], checkout_url=payment["checkout_url"])
    check(payment["gateway"] == "sandbox", f"the server funds through {payment['gateway']}, not the sandbox: "
                                           "this story pays on the sandbox checkout page", answer)


class CheckoutPage(HTMLParser):
    """The sandbox checkout page: its form and the submit buttons in it, its amount and status texts."""

    def __init__(self):
        super().__init__()
        self.form: dict | None = None
        self.buttons: list[dict] = []
        self.texts: dict[str, str] = {}
        self._capture: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.form is None:
            self.form = {"method": (attrs.get("method") or "get").upper(), "action": attrs.get("action") or ""}
        elif tag == "button" and self.form is not None and attrs.get("name"):
            self.buttons.append({"name": attrs["name"], "value": attrs.get("value", ""), "label": ""})
            self._capture = "button"
        elif attrs.get("class") in ("amount", "status"):
            self._capture = attrs["class"]

    def handle_endtag(self, tag):
        if tag in ("button", "div", "p"):
            self._capture = None

    def handle_data(self, data):
        if self._capture == "button":
            self.buttons[-1]["label"] += data.strip()
        elif self._capture:
            self.texts[self._capture] = (self.texts.get(self._capture, "") + " " + data.strip()).strip()


def step_company_pays_on_the_checkout_page(story: Story) -> None:
    client = story.client
    page = client.call("GET", story.checkout_url, accept="text/html")
    check(page.content_type.startswith("text/html"), "the checkout page is not HTML", page)
    checkout = CheckoutPage()
    checkout.feed(page.text)
    pay = next((button for button in checkout.buttons if button["label"].lower() == "pay"), None)
    show(amount=checkout.texts.get("amount"), page_status=checkout.texts.get("status"),
         buttons=[button["label"] for button in checkout.buttons])
    check(checkout.form is not None and pay is not None, "the checkout page has no Pay button in a form", page)
    # As a browser: the form's method, to its action (empty: the page itself), the clicked button's name=value.
    target = urllib.parse.urljoin(story.checkout_url, checkout.form["action"])
    result = client.call(checkout.form["method"], target, form={pay["name"]: pay["value"]}, accept="text/html")
    after = CheckoutPage()
    after.feed(result.text)
    show(page_status=after.texts.get("status"))
    milestones = client.call("GET", f"{API}/contracts/{story.contract_id}/milestones/",
                             token=story.company.access).json()["results"]
    show(milestone=milestones[0]["status"], funded_at=milestones[0]["funded_at"])
    check(milestones[0]["status"] == "funded", "the milestone is not funded after the payment")


def step_freelancer_submits(story: Story) -> None:
    answer = story.client.call("POST", f"{API}/milestones/{story.milestone_id}/submit/",
                               token=story.freelancer.access,
                               body={"note": "Logo final, palet warna dan panduan merek ada di tautan ini."})
    milestone = answer.json()
    show(status=milestone["status"], auto_approve_at=milestone["auto_approve_at"])


def step_company_approves(story: Story) -> None:
    answer = story.client.call("POST", f"{API}/milestones/{story.milestone_id}/approve/",
                               token=story.company.access, idempotent=True, body={})
    milestone = answer.json()
    show(status=milestone["status"], settled_at=milestone["settled_at"])
    check(milestone["status"] == "released", "the approved milestone is not released", answer)


def step_wallet_shows_the_net(story: Story) -> None:
    client = story.client
    wallet = client.call("GET", f"{API}/wallet/", token=story.freelancer.access).json()
    statement = client.call("GET", f"{API}/contracts/{story.contract_id}/statement/",
                            token=story.freelancer.access).json()["totals"]
    contract = client.call("GET", f"{API}/contracts/{story.contract_id}/", token=story.freelancer.access).json()
    # The fee is the contract's percentage of the released amount, rounded down to the rupiah.
    expected_fee = int(Decimal(story.contract_amount) * Decimal(story.fee_percent) / 100)
    show(available=rupiah(wallet["available"]), pending=rupiah(wallet["pending"]),
         fee=f"{rupiah(statement['fee'])} ({story.fee_percent}%)", contract=contract["status"])
    check(statement["fee"] == expected_fee, f"the fee is {statement['fee']}, expected {expected_fee}")
    check(wallet["available"] == story.contract_amount - expected_fee,
          f"the wallet holds {wallet['available']}, expected {story.contract_amount - expected_fee}")
    check(contract["status"] == "completed", "the contract is not completed after its only milestone")
    story.net_amount = wallet["available"]


def step_freelancer_withdraws(story: Story) -> None:
    client, token = story.client, story.freelancer.access
    amount = story.net_amount
    answer = client.call("POST", f"{API}/payouts/", token=token, idempotent=True, expect=(201,), body={
        "amount": amount, "bank_code": "BCA", "account_number": "1234567890",
        "account_holder_name": story.freelancer.full_name})
    payout = answer.json()
    show(payout=payout["id"], amount=rupiah(payout["amount"]), bank=payout["bank_code"],
         account=payout["account_number"], status=payout["status"])
    wallet = client.call("GET", f"{API}/wallet/", token=token).json()
    show(available=rupiah(wallet["available"]), in_payout=rupiah(wallet["in_payout"]))
    check(wallet["available"] == 0, "the wallet still holds money after withdrawing all of it")
    story.paid_out = payout["amount"]


def step_freelancer_reads_notifications(story: Story) -> None:
    answer = story.client.call("GET", f"{API}/notifications/", token=story.freelancer.access)
    notes = answer.json()
    kinds = [note.get("kind") for note in notes["results"]]
    show(count=notes["count"], kinds=sorted(set(kinds)))
    check(notes["count"] > 0, "the freelancer got no notification along the story", answer)


def review_body(story: Story, side: str) -> dict:
    """The POST reviews/ body, from the server's published request schema: the contract, 5 stars on every 1-5
    rating a side gives (the company's extra ones: communication, quality, timeliness) and a comment."""
    schema = story.reviews_schema or {}
    properties, required = schema.get("properties", {}), set(schema.get("required", []))
    body: dict[str, Any] = {}
    for name, spec in properties.items():
        if spec.get("readOnly"):
            continue
        if name in ("contract", "contract_id"):
            body[name] = story.contract_id
        elif spec.get("type") == "integer" and spec.get("maximum") == 5 and (side == "company" or name in required
                                                                              or name == "rating"):
            body[name] = 5
        elif spec.get("type") == "string" and name in ("comment", "body", "text"):
            body[name] = ("Cepat, rapi dan komunikatif." if side == "company"
                          else "Brief yang jelas dan pembayaran tepat waktu.")
    missing = required - body.keys()
    check(not missing, f"the reviews/ request schema requires fields this story cannot fill: {sorted(missing)}")
    return body


def step_company_reviews(story: Story) -> None:
    review = story.client.call("POST", f"{API}/reviews/", token=story.company.access, idempotent=True,
                               expect=(201,), body=review_body(story, "company")).json()
    show(**{key: review[key] for key in ("id", "rating", "status", "published_at") if key in review})


def step_freelancer_reviews(story: Story) -> None:
    client = story.client
    review = client.call("POST", f"{API}/reviews/", token=story.freelancer.access, idempotent=True,
                         expect=(201,), body=review_body(story, "freelancer")).json()
    show(**{key: review[key] for key in ("id", "rating", "status", "published_at") if key in review})
    # Both are in: the reviews are published (double-blind until then) and the freelancer's profile counts it.
    profile = client.call("GET", f"{API}/freelancers/{story.freelancer_profile_id}/").json()
    show(**{key: profile[key] for key in ("rating_average", "rating_count") if key in profile})
    received = client.call("GET", f"{API}/freelancers/{story.freelancer_profile_id}/reviews/").json()
    show(published_reviews=received["count"],
         comment=received["results"][0]["comment"] if received["results"] else None)
    check(received["count"] == 1, "the company's review of the freelancer is not published once both are in")


Step = tuple[str, Callable[[Story], None]]

STEPS: list[Step] = [
    ("A company registers", step_company_registers),
    ("The company posts a job", step_company_posts_a_job),
    ("A freelancer registers", step_freelancer_registers),
    ("The freelancer fills in a profile", step_freelancer_fills_in_the_profile),
    ("The freelancer searches jobs (full text + filters)", step_freelancer_searches),
    ("The freelancer applies", step_freelancer_applies),
    ("The company reads the proposal and counters", step_company_counters),
    ("The freelancer accepts the counter offer: a contract starts", step_freelancer_accepts),
    ("They chat over the WebSocket", step_both_chat),
    ("The company funds the milestone (sandbox gateway)", step_company_funds),
    ("The company pays on the checkout page", step_company_pays_on_the_checkout_page),
    ("The freelancer submits the work", step_freelancer_submits),
    ("The company approves: escrow is released", step_company_approves),
    ("The wallet holds the amount minus the platform fee", step_wallet_shows_the_net),
    ("The freelancer withdraws to the bank (payout)", step_freelancer_withdraws),
    ("The freelancer's notifications", step_freelancer_reads_notifications),
]
REVIEW_STEPS: list[Step] = [
    ("The company reviews the freelancer", step_company_reviews),
    ("The freelancer reviews the company", step_freelancer_reviews),
]


def reviews_request_schema(client: Client) -> dict | None:
    """The request schema of POST reviews/ from the server's OpenAPI document, or None when the server has no
    such route (before the reviews app is deployed)."""
    schema = client.call("GET", "/api/schema/?format=json", accept="application/vnd.oai.openapi+json",
                         quiet=True).json()
    operation = schema.get("paths", {}).get(f"{API}/reviews/", {}).get("post")
    if operation is None:
        return None
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    return resolve(schema, content.get("schema", {}))


def resolve(document: dict, node: dict) -> dict:
    """`node` with its local `$ref`s (`#/components/schemas/...`) followed."""
    while "$ref" in node:
        target: Any = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


# --------------------------------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EmbeddedServer:
    """uvicorn with the flags of `make run` on the embedded default, on a free port, with a fresh SQLite file in
    `workdir`: migrated first, stopped (its process group) by `stop()`."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.log_path = workdir / "server.log"
        env = {name: value for name, value in os.environ.items() if name not in SERVICE_VARIABLES}
        # Empty values rather than absent ones: a developer's .env must not fill them in (it never overrides).
        self.env = env | {
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}", "REDIS_URL": "", "CELERY_BROKER_URL": "",
            "XENDIT_SECRET_KEY": "", "MIDTRANS_SERVER_KEY": "", "EMAIL_URL": "", "EMAIL_HOST": "",
            "PAYMENT_GATEWAY": "sandbox",
            "PAYOUT_GATEWAY": "sandbox", "PUBLIC_BASE_URL": self.url, "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SETTINGS_MODULE": "bantu.settings", "EMAIL_VERIFICATION": "optional", "PYTHONUNBUFFERED": "1"}

    def start(self) -> None:
        """Migrate, start, wait for /healthz. Raises RuntimeError with the log's tail if any of it fails."""
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        with self.log_path.open("w") as log:
            migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=BASE_DIR,
                                     env=self.env, stdout=log, stderr=subprocess.STDOUT, timeout=SERVER_START_TIMEOUT,
                                     check=False)
        if migrate.returncode:
            raise RuntimeError(f"migrate exited with {migrate.returncode}:\n{self.log_tail()}")
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "uvicorn", "bantu.asgi:application", "--host", "127.0.0.1", "--port",
             str(self.port), "--workers", "1", "--lifespan", "off", "--no-proxy-headers",
             "--timeout-graceful-shutdown", "5"],
            cwd=BASE_DIR, env=self.env, stdout=self.log_path.open("a"), stderr=subprocess.STDOUT,
            start_new_session=True)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{self.log_tail()}")
            if healthy(self.url):
                return
            time.sleep(0.2)
        raise RuntimeError(f"the server did not answer /healthz within {SERVER_START_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if self.process.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, sig)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        self.process = None

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def healthy(base_url: str) -> bool:
    with (contextlib.suppress(urllib.error.URLError, OSError, ValueError),
          urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response):  # noqa: S310 (http only)
        return response.status == 200
    return False


# --------------------------------------------------------------------------------------------------- main


VERIFICATION_HINT = (
    "The server refused an unverified account. The story registers new users and does not read their mail: run "
    "the server with EMAIL_VERIFICATION=optional (or let `make demo` start its own server, which does).")


def report_failure(error: StepFailed) -> None:
    say(style.red(f"  ✗ {error}"))
    answer = error.answer
    if answer is not None:
        say(style.dim(f"    {answer.method} {answer.path} answered {answer.status} {answer.reason} "
                      f"({answer.content_type}):"))
        body = answer.text
        with contextlib.suppress(ValueError):
            body = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
        say("\n".join("    " + line for line in body.splitlines()[:60]))
        if answer.status == 403 and "verif" in answer.problem_code():
            say(style.yellow(f"  Hint: {VERIFICATION_HINT}"))


def play(client: Client) -> int:
    """Every step in order; 0 when all answered as expected, 1 at the first that did not."""
    started = time.monotonic()
    try:
        reviews_schema = reviews_request_schema(client)
    except StepFailed as error:
        report_failure(error)
        return 1
    story = new_story(client)
    story.reviews_schema = reviews_schema
    steps = STEPS + (REVIEW_STEPS if reviews_schema is not None else [])
    if reviews_schema is None:
        say(style.dim("  (this server has no POST /api/v1/reviews/ yet: the two review steps are left out)"))
    width = len(str(len(steps)))
    for number, (title, run) in enumerate(steps, 1):
        say(f"{style.bold(f'[{number:>{width}}/{len(steps)}]')} {style.bold(title)}")
        try:
            run(story)
        except StepFailed as error:
            failure = error
        except (KeyError, IndexError, TypeError) as error:  # a 2xx answer without what the next steps need
            failure = StepFailed(f"the answer lacks what the story needs ({type(error).__name__}: {error})",
                                 client.last)
        except (WebSocketException, OSError) as error:
            failure = StepFailed(f"the socket failed: {error!r}")
        else:
            continue
        say(style.red(f"FAILED at step {number}/{len(steps)}: {title}"))
        report_failure(failure)
        return 1
    elapsed = time.monotonic() - started
    say(style.green(f"✓ The whole story in {elapsed:.1f} s: {len(steps)} steps, "
                    f"{rupiah(story.contract_amount)} agreed, {rupiah(story.paid_out)} paid out to the freelancer."))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Play the Bantu marketplace story against a server.")
    parser.add_argument("--url", default=os.environ.get("BANTU_URL", ""),
                        help="a running server (default: $BANTU_URL; none: start the embedded server)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    args = parser.parse_args(argv)
    style.enabled = args.color == "always" or (
        args.color == "auto" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")
        and os.environ.get("TERM") != "dumb")

    if args.url:
        client = Client(args.url)
        if not healthy(client.base_url):
            say(style.red(f"No Bantu server answers {client.base_url}/healthz."))
            return 2
        say(f"Playing the story against {style.bold(client.base_url)}")
        return play(client)

    with tempfile.TemporaryDirectory(prefix="bantu-demo-") as workdir:
        server = EmbeddedServer(Path(workdir))
        say(f"Starting the embedded server on {style.bold(server.url)} (SQLite in {workdir}) ...")
        started = time.monotonic()
        try:
            try:
                server.start()
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                say(style.red(f"The embedded server did not start: {error}"))
                return 2
            say(style.dim(f"  migrated and answering in {time.monotonic() - started:.1f} s"))
            code = play(Client(server.url))
            if code:
                say(style.dim("  The server's log, last lines:"))
                say("\n".join("    " + line for line in server.log_tail(20).splitlines()))
            return code
        finally:
            server.stop()
            say(style.dim("  The embedded server is stopped."))


if __name__ == "__main__":
    sys.exit(main())
