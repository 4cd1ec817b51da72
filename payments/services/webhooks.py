"""Gateway callbacks: one path for Xendit, Midtrans and the sandbox checkout page.

A delivery is authenticated and parsed by its gateway's adapter, then each event is applied in one database
transaction together with a `WebhookEvent` row whose unique constraint (gateway, event id) admits each event
once: a replay — sequential or concurrent — finds the row and changes nothing (answered 200, so the gateway
stops retrying). A delivery that must not move money (forged, malformed, unknown reference, wrong amount or
currency) changes nothing, is answered with a 4xx and is logged and recorded.
"""

import dataclasses
import logging
from collections.abc import Mapping

from django.db import IntegrityError, transaction

from bantu.core.exceptions import ApplicationError

from ..gateways import get_gateway
from ..gateways.base import CallbackRejected, EventKind, GatewayEvent
from ..models import WebhookEvent
from .escrow import payment_event_apply
from .payouts import payout_event_apply
from .refunds import refund_event_apply

logger = logging.getLogger(__name__)

REJECTED_PAYLOAD_LIMIT = 4_096  # keep a forged flood from filling the table

_APPLY = {EventKind.PAYMENT: payment_event_apply, EventKind.PAYOUT: payout_event_apply,
          EventKind.REFUND: refund_event_apply}


@dataclasses.dataclass(frozen=True)
class WebhookResult:
    status: int  # the HTTP status to answer
    outcome: str  # "applied", "duplicate", "ignored", or "rejected"
    code: str = ""  # the error code when rejected
    detail: str = ""


def _text(body: bytes, limit: int | None = None) -> str:
    """The body as storable text (PostgreSQL text holds no NUL, and it must be valid UTF-8)."""
    return body[:limit].decode("utf-8", errors="replace").replace("\x00", "\ufffd")


def _record_rejection(gateway: str, body: bytes, *, status: int, code: str, detail: str,
                      event: GatewayEvent | None = None) -> WebhookResult:
    logger.warning("Rejected %s callback (%s %s): %s", gateway, status, code, detail)
    WebhookEvent.objects.create(
        gateway=gateway, event_id=(event.event_id if event else "")[:255], kind=event.kind if event else "",
        reference=(event.reference if event else "")[:255], outcome=WebhookEvent.Outcome.REJECTED,
        http_status=status, detail=f"{code}: {detail}"[:500],
        payload=_text(body, REJECTED_PAYLOAD_LIMIT))
    return WebhookResult(status=status, outcome="rejected", code=code, detail=detail)


def _apply(event: GatewayEvent, body: bytes) -> str:
    """Apply one event exactly once; "applied", "duplicate" or "ignored". Raises ApplicationError (rolled
    back: nothing recorded as applied)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                # Claimed first: a concurrent delivery of the same event waits on this row until we commit.
                record = WebhookEvent.objects.create(
                    gateway=event.gateway, event_id=event.event_id[:255], kind=event.kind,
                    reference=event.reference[:255], outcome=WebhookEvent.Outcome.APPLIED, http_status=200,
                    payload=_text(body))
        except IntegrityError:
            return "duplicate"
        outcome = _APPLY[event.kind](event)
        if outcome != "applied":
            # An authentic event with nothing to do stays re-deliverable (a later identical event id is rare,
            # but a pending status may be followed by the same id once it settles).
            record.outcome = WebhookEvent.Outcome.IGNORED
            record.save(update_fields=["outcome"])
        return outcome


def webhook_receive(*, gateway: str, headers: Mapping[str, str], body: bytes) -> WebhookResult:
    """Authenticate, parse and apply one callback delivery of `gateway` ("xendit", "midtrans", "sandbox").

    Returns the status to answer: 200 (applied, duplicate or ignored), 401 (forged), 400 (malformed),
    404 (unknown reference: the gateway retries, in case our row is not committed yet), 422 (amount or currency
    mismatch), 503 (the gateway could not confirm it: it retries). Takes the locks of the apply functions.
    """
    try:
        events = get_gateway(gateway).parse_callback(headers=headers, body=body)
    except CallbackRejected as rejected:
        return _record_rejection(gateway, body, status=rejected.status, code=rejected.code,
                                     detail=rejected.detail)
    outcomes = []
    for event in events:
        try:
            outcomes.append(_apply(event, body))
        except ApplicationError as error:
            return _record_rejection(gateway, body, status=error.status_code, code=error.code,
                                     detail=error.detail, event=event)
    if not outcomes:
        outcomes.append("ignored")
        WebhookEvent.objects.create(gateway=gateway, outcome=WebhookEvent.Outcome.IGNORED, http_status=200,
                                    detail="no event to apply", payload=_text(body))
    outcome = "applied" if "applied" in outcomes else outcomes[0]
    return WebhookResult(status=200, outcome=outcome)
