"""Errors, checks and gateway-call helpers shared by the payments services."""

import logging
from collections.abc import Callable

from bantu.core.exceptions import ApplicationError

from .. import errors
from ..gateways.base import GatewayError, GatewayEvent, TransferResult, TransferStatus

logger = logging.getLogger(__name__)


class GatewayUnavailable(ApplicationError):
    """The gateway could not be reached or failed (timeout, 5xx, 429): retry later."""

    status_code = 503
    default_code = errors.GATEWAY_UNAVAILABLE
    retry_after = 30


class GatewayRefused(ApplicationError):
    """The gateway refused the request (4xx): retrying the same request will not help."""

    status_code = 502
    default_code = errors.GATEWAY_REFUSED


def gateway_failure(error: GatewayError, what: str) -> ApplicationError:
    """The API error for a failed gateway call."""
    if error.transient:
        return GatewayUnavailable(f"The payment gateway is unavailable ({what}). Try again shortly.")
    return GatewayRefused(f"The payment gateway refused the {what} ({error.code or error.status}).")


class CallbackMismatch(ApplicationError):
    """An authentic, well-formed callback whose money does not match ours: 422, and nothing moves."""

    status_code = 422


def require_same_money(event: GatewayEvent, amount: int, currency: str, *, required: bool) -> None:
    """Raise CallbackMismatch unless the event's amount and currency (when given; the amount must be given when
    `required`) equal ours (integer rupiah, "IDR")."""
    if event.amount is None:
        if required:
            raise CallbackMismatch("The callback carries no amount.", code=errors.AMOUNT_MISMATCH)
    elif event.amount != amount:
        raise CallbackMismatch(f"The callback's amount {event.amount} is not the expected {amount}.",
                               code=errors.AMOUNT_MISMATCH)
    if event.currency is not None and event.currency != currency:
        raise CallbackMismatch(f"The callback's currency {event.currency} is not {currency}.",
                               code=errors.CURRENCY_MISMATCH)


def transfer_send(send: Callable[[], TransferResult], *, what: str) -> TransferResult:
    """Call `send` (an adapter's create_payout or create_refund). A refusal (non-transient GatewayError) comes
    back as a FAILED result with the gateway's code as the reason; a transient GatewayError is raised for the
    caller's task to retry with the same idempotency key."""
    try:
        return send()
    except GatewayError as error:
        if error.transient:
            raise
        logger.warning("%s refused by the gateway: %s", what, error.detail)
        return TransferResult(gateway_reference="", status=TransferStatus.FAILED,
                              failure_reason=error.code or error.detail)


def transfer_event(*, gateway: str, kind: str, reference: str, result: TransferResult, amount: int,
                   currency: str) -> GatewayEvent:
    """A terminal call result as the event a callback would carry, so that one function settles both."""
    return GatewayEvent(gateway=gateway, event_id=f"{kind}:{reference}:{result.status}", kind=kind,
                        reference=reference, status=result.status, amount=amount, currency=currency,
                        gateway_reference=result.gateway_reference, failure_reason=result.failure_reason)
