"""Push providers behind one interface: `send(device, payload) -> Outcome`.

Web Push uses pywebpush with VAPID keys from the environment; FCM uses firebase-admin when
`FCM_CREDENTIALS_FILE` is set and the package is installed (requirements-fcm.txt). A provider with no
configuration is skipped (and says so in the log), never an error.
"""

import enum
import ipaddress
import json
import logging
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)


class Outcome(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # the subscription/token no longer exists: deactivate the device
    TRANSIENT = "transient"  # try again later
    FAILED = "failed"  # a permanent error other than "gone": record it, do not retry
    SKIPPED = "skipped"  # provider not configured


# RFC 8291 §4: a push message body carries at most 4096 bytes, 3993 of them plaintext after aes128gcm framing.
MAX_PLAINTEXT_BYTES = 3993


def encode_payload(payload: dict) -> bytes:
    """Compact UTF-8 JSON, shortening the body (then the title) until it fits one push message."""
    payload = dict(payload)
    for field in ("body", "title"):
        encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        while len(encoded) > MAX_PLAINTEXT_BYTES and payload.get(field):
            excess = len(encoded) - MAX_PLAINTEXT_BYTES
            text = payload[field]
            # Characters take 1 to 4 bytes: cut at least a quarter of the excess, keep an ellipsis.
            payload[field] = text[: max(0, len(text) - max(1, excess // 4) - 1)] + "…"
            if payload[field] == "…":
                payload[field] = ""
            encoded = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return encoded


class PushResult:
    def __init__(self, outcome: Outcome, detail: str = ""):
        self.outcome, self.detail = outcome, detail[:500]


def webpush_configured() -> bool:
    return bool(settings.BANTU["VAPID_PRIVATE_KEY"] and settings.BANTU["VAPID_SUBJECT"])


def fcm_configured() -> bool:
    return bool(settings.BANTU["FCM_CREDENTIALS_FILE"])


def _by_status(status: int | None, detail: str) -> PushResult:
    """What a push service's HTTP status means for the device (RFC 8030 §5/§6)."""
    if status is not None and status < 300:
        return PushResult(Outcome.SENT)
    if status in (404, 410):
        return PushResult(Outcome.GONE, f"push service answered {status}")
    if status is None or status == 429 or status >= 500:
        return PushResult(Outcome.TRANSIENT, f"push service answered {status}: {detail}")
    return PushResult(Outcome.FAILED, f"push service answered {status}: {detail}")


def endpoint_refusal(endpoint: str) -> str | None:
    """Why Bantu will not send to the Web Push `endpoint` (a URL a client registered), or None.

    The server POSTs to whatever endpoint a client registers, so an endpoint inside the network would let anyone
    reach it (server-side request forgery). Push services are reached over HTTPS (RFC 8030 §8): refused here are
    other schemes, `localhost` and IP addresses that are not public. A name that resolves to such an address is
    refused when connecting (`send_webpush`). With BANTU["PUSH_ALLOW_LOOPBACK_ENDPOINTS"] (development, tests)
    an endpoint on this machine, over http too, is allowed."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").rstrip(".").lower()
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if host == "localhost" or host.endswith(".localhost") or (address is not None and address.is_loopback):
        if settings.BANTU["PUSH_ALLOW_LOOPBACK_ENDPOINTS"]:
            return None
        return "Web Push endpoints are on a public push service, not on this machine."
    if parts.scheme != "https":
        return "Web Push endpoints are https URLs."
    if address is not None and not address.is_global:
        return "Web Push endpoints are on a public push service, not on a private address."
    return None


def _push_session():
    """A requests session that connects only to public addresses (each name resolved, checked and connected to
    as checked: no second lookup to race), or loopback ones with PUSH_ALLOW_LOOPBACK_ENDPOINTS, and never
    follows a redirect (its 3xx is the push service's answer). requests-hardened, from Saleor."""
    from requests_hardened import Config, Manager

    return Manager(Config(ip_filter_enable=True,
                          ip_filter_allow_loopback_ips=settings.BANTU["PUSH_ALLOW_LOOPBACK_ENDPOINTS"],
                          never_redirect=True, default_timeout=None)).get_session()


def send_webpush(device, payload: dict) -> PushResult:
    """Send `payload` to a Web Push device; the outcome decides what becomes of the device. Never raises."""
    if not webpush_configured():
        return PushResult(Outcome.SKIPPED, "VAPID keys are not configured")
    refusal = endpoint_refusal(device.endpoint)
    if refusal:
        return PushResult(Outcome.FAILED, refusal)
    import requests
    from pywebpush import WebPushException, webpush

    try:
        with _push_session() as session:
            response = webpush(
                subscription_info={"endpoint": device.endpoint,
                                   "keys": {"p256dh": device.p256dh, "auth": device.auth}},
                data=encode_payload(payload),
                vapid_private_key=settings.BANTU["VAPID_PRIVATE_KEY"],
                vapid_claims={"sub": settings.BANTU["VAPID_SUBJECT"]},  # a fresh dict: pywebpush writes into it
                ttl=settings.BANTU["PUSH_TTL_SECONDS"],
                timeout=settings.BANTU["PUSH_TIMEOUT_SECONDS"],
                requests_session=session,
            )
    except WebPushException as exc:
        return _by_status(getattr(exc.response, "status_code", None), str(exc))
    except (requests.ConnectionError, requests.Timeout) as exc:
        return PushResult(Outcome.TRANSIENT, f"push service unreachable: {exc}")
    # Unusable subscription keys, a bad VAPID key, an endpoint whose name resolves to an address inside the
    # network (requests-hardened's InvalidIPAddress): retrying cannot help.
    except Exception as exc:
        return PushResult(Outcome.FAILED, f"{type(exc).__name__}: {exc}")
    return _by_status(getattr(response, "status_code", 201), "")


_fcm_app = None


def send_fcm(device, payload: dict) -> PushResult:
    if not fcm_configured():
        return PushResult(Outcome.SKIPPED, "FCM_CREDENTIALS_FILE is not set")
    try:
        import firebase_admin
        from firebase_admin import credentials, exceptions, messaging
    except ImportError:
        return PushResult(Outcome.SKIPPED, "firebase-admin is not installed (requirements-fcm.txt)")
    global _fcm_app  # noqa: PLW0603  (one SDK app per process, created on first use)
    if _fcm_app is None:
        _fcm_app = firebase_admin.initialize_app(credentials.Certificate(settings.BANTU["FCM_CREDENTIALS_FILE"]),
                                                 name="bantu")
    message = messaging.Message(
        token=device.token,
        notification=messaging.Notification(title=payload["title"], body=payload.get("body") or None),
        data={key: str(value) for key, value in payload.get("data", {}).items()},
    )
    try:
        messaging.send(message, app=_fcm_app)
    except (messaging.UnregisteredError, messaging.SenderIdMismatchError) as exc:
        return PushResult(Outcome.GONE, str(exc))
    except (exceptions.UnavailableError, exceptions.InternalError, exceptions.DeadlineExceededError) as exc:
        return PushResult(Outcome.TRANSIENT, str(exc))
    except exceptions.FirebaseError as exc:
        return PushResult(Outcome.FAILED, str(exc))
    return PushResult(Outcome.SENT)


PROVIDERS = {"webpush": send_webpush, "fcm": send_fcm}


def send(device, payload: dict) -> PushResult:
    return PROVIDERS[device.kind](device, payload)
