"""A local Web Push service for tests, checking what a real one checks.

It listens on 127.0.0.1 (a free port) in a background thread and accepts `POST /push/<name>` for the
subscriptions made with `subscribe()`. Every request is recorded. Like a real push service it
- requires `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292): the JWT is ES256, signed by the key `k`, `k` is the
  application server key the subscription was made with, `aud` is this service's origin, `exp` is in the future and
  at most 24 h away, `sub` is the configured contact;
- requires a `TTL` header (RFC 8030 §5.2) and `Content-Encoding: aes128gcm`, and refuses bodies over 4096 bytes
  (RFC 8030 §7.2, RFC 8291 §4);
- decrypts the body (RFC 8291) with the "browser's" private key and auth secret, and keeps the JSON it carries.
A verified request is then answered with the status configured for its subscription: 201 by default, or the next
of a list of statuses (e.g. 500, 500 then 201 for a flaky one, 410 for a gone one).
"""

import base64
import binascii
import json
import os
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from tests.localserver import LocalHTTPServer

MAX_BODY = 4096
MAX_EXP_SECONDS = 24 * 60 * 60


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def raw_public(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    public = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return public.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


@dataclass(frozen=True)
class VapidKeys:
    """An application server key pair in the form Bantu's settings take: VAPID_PRIVATE_KEY is the raw 32-byte
    private value in URL-safe base64 (what py_vapid's `Vapid.from_string`, used by `pywebpush.webpush`, reads);
    VAPID_PUBLIC_KEY is the uncompressed P-256 point in URL-safe base64 (the browser's `applicationServerKey`)."""

    private_key: str
    public_key: str


def generate_vapid_keys() -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    return VapidKeys(private_key=b64url(key.private_numbers().private_value.to_bytes(32, "big")),
                     public_key=b64url(raw_public(key)))


def browser_keys() -> dict:
    """`PushSubscription.toJSON().keys` of a new browser subscription (its private half is thrown away)."""
    return {"p256dh": b64url(raw_public(ec.generate_private_key(ec.SECP256R1()))), "auth": b64url(os.urandom(16))}


def closed_port_url(path: str = "/push/nobody") -> str:
    """An endpoint on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


@dataclass
class Subscription:
    name: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey  # the "browser's" key (RFC 8291 ua_private)
    auth_secret: bytes
    statuses: list[int] = field(default_factory=list)  # answered in turn to verified requests ...
    then: int = 201  # ... and this once the list is used up

    def as_api_body(self) -> dict:
        """What a browser's `PushSubscription.toJSON()` gives, plus the kind Bantu's devices/ API wants."""
        return {"kind": "webpush", "endpoint": self.endpoint,
                "keys": {"p256dh": b64url(raw_public(self.private_key)), "auth": b64url(self.auth_secret)}}


@dataclass
class PushRequest:
    name: str
    path: str
    headers: dict
    body: bytes
    status: int = 0
    problem: str = ""  # why it was refused by verification; "" when it verified
    claims: dict | None = None
    payload: dict | None = None
    received_at: float = field(default_factory=time.monotonic)

    @property
    def verified(self) -> bool:
        return not self.problem


class Refused(Exception):
    """A request the service refuses: the HTTP status to answer and why."""

    def __init__(self, status: int, problem: str):
        super().__init__(problem)
        self.status, self.problem = status, problem


class PushService:
    def __init__(self, *, application_server_key: str, subject: str):
        self.application_server_key = application_server_key
        self.subject = subject
        self.subscriptions: dict[str, Subscription] = {}
        self.requests: list[PushRequest] = []
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._server = LocalHTTPServer(self._handler_class(), name="push-service")
        self.port = self._server.port
        self.origin = self._server.origin

    # --- set up ---------------------------------------------------------------------------------------------
    def subscribe(self, name: str, *statuses: int, then: int = 201) -> dict:
        """A browser subscription named `name`; returns the devices/ API body. `statuses` are answered in turn to
        verified requests, then `then` forever: `subscribe("gone", then=410)`, `subscribe("flaky", 500, 500)`."""
        sub = Subscription(name=name, endpoint=f"{self.origin}/push/{name}",
                           private_key=ec.generate_private_key(ec.SECP256R1()), auth_secret=os.urandom(16),
                           statuses=list(statuses), then=then)
        with self._lock:
            self.subscriptions[name] = sub
        return sub.as_api_body()

    def close(self) -> None:
        self._server.close()

    # --- read what happened ---------------------------------------------------------------------------------
    def requests_for(self, name: str) -> list[PushRequest]:
        with self._lock:
            return [request for request in self.requests if request.name == name]

    def delivered(self, name: str | None = None) -> list[dict]:
        """Decrypted payloads the service accepted (2xx), in arrival order."""
        with self._lock:
            return [request.payload for request in self.requests
                    if (name is None or request.name == name) and 200 <= request.status < 300]

    def problems(self) -> list[str]:
        with self._lock:
            return [f"{request.path}: {request.problem}" for request in self.requests if request.problem]

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> list[PushRequest]:
        """Block until at least `count` requests arrived (bounded by `timeout`); returns all of them."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.requests) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return list(self.requests)

    # --- the verification a real push service does ----------------------------------------------------------
    @staticmethod
    def _parse_authorization(authorization: str) -> tuple[str, str]:
        """`vapid t=<JWT>, k=<key>` → (JWT, key)."""
        scheme, _, params = authorization.strip().partition(" ")
        if scheme.lower() != "vapid":
            raise Refused(401, f"Authorization scheme is {scheme!r}, not 'vapid'")
        values = {}
        for part in params.split(","):
            key, sep, value = part.strip().partition("=")
            if sep:
                values[key.strip()] = value.strip()
        if "t" not in values or "k" not in values:
            raise Refused(401, f"Authorization lacks t= or k=: {authorization!r}")
        return values["t"], values["k"]

    def _verify_vapid(self, authorization: str) -> dict:
        token, key = self._parse_authorization(authorization)
        try:
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        except (ValueError, binascii.Error) as exc:
            raise Refused(401, f"k is not a P-256 point: {exc}") from None
        if key.rstrip("=") != self.application_server_key.rstrip("="):
            raise Refused(403, "k is not the application server key the subscription was made with")
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header = json.loads(unb64url(header_b64))
            claims = json.loads(unb64url(claims_b64))
            signature = unb64url(signature_b64)
        except (ValueError, binascii.Error) as exc:
            raise Refused(401, f"malformed JWT: {exc}") from None
        if header.get("alg") != "ES256":
            raise Refused(401, f"JWT alg is {header.get('alg')!r}, not ES256")
        if len(signature) != 64:
            raise Refused(401, f"JWS signature is {len(signature)} bytes, not r||s (64)")
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            public_key.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise Refused(401, "JWT signature does not verify with k") from None
        self._check_claims(claims)
        return claims

    def _check_claims(self, claims: dict) -> None:
        now = time.time()
        if claims.get("aud") != self.origin:
            raise Refused(401, f"aud is {claims.get('aud')!r}, not {self.origin!r}")
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= now or exp > now + MAX_EXP_SECONDS:
            raise Refused(401, f"exp {exp!r} is not within the next 24 hours")
        if claims.get("sub") != self.subject:
            raise Refused(401, f"sub is {claims.get('sub')!r}, not {self.subject!r}")

    def _handle(self, path: str, headers: dict, body: bytes) -> PushRequest:
        name = path.removeprefix("/push/") if path.startswith("/push/") else ""
        request = PushRequest(name=name, path=path, headers=headers, body=body)
        try:
            with self._lock:
                sub = self.subscriptions.get(name)
            if sub is None:
                raise Refused(404, "no such subscription")
            request.claims = self._verify_vapid(headers.get("authorization", ""))
            if not headers.get("ttl", "").isdigit():
                raise Refused(400, f"TTL header missing or not a number: {headers.get('ttl')!r}")
            if headers.get("content-encoding") != "aes128gcm":
                raise Refused(400, f"Content-Encoding is {headers.get('content-encoding')!r}, not aes128gcm")
            if len(body) > MAX_BODY:
                raise Refused(413, f"body is {len(body)} bytes, more than {MAX_BODY}")
            try:
                plaintext = http_ece.decrypt(body, private_key=sub.private_key, auth_secret=sub.auth_secret,
                                             version="aes128gcm")
                request.payload = json.loads(plaintext)
            except (http_ece.ECEException, ValueError) as exc:
                raise Refused(400, f"cannot decrypt the aes128gcm body: {exc!r}") from None
            with self._lock:
                request.status = sub.statuses.pop(0) if sub.statuses else sub.then
        except Refused as refused:
            request.status, request.problem = refused.status, refused.problem
        return request

    def _record(self, request: PushRequest) -> None:
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()

    def _handler_class(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {key.lower(): value for key, value in self.headers.items()}
                request = service._handle(self.path, headers, body)
                service._record(request)  # before answering: once the sender has its answer, the log shows it
                reply = request.problem.encode() if request.problem else b""
                self.send_response(request.status)
                if 200 <= request.status < 300:
                    self.send_header("Location", f"/message/{uuid.uuid4()}")
                elif 300 <= request.status < 400:  # a redirect to itself: followed, it would arrive again
                    self.send_header("Location", self.path)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format, *args):  # quiet test output
                pass

        return Handler
