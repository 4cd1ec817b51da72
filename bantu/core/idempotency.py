"""`Idempotency-Key` for requests that create something or move money.

The record of the first response is written in the same transaction as the work itself:
- a retry after success finds the record and gets the first response back, and nothing runs again;
- a concurrent duplicate blocks on the unique (user, key) index until the first commits, then replays;
- a failure rolls both back, so a retry simply runs again;
- the same key with another body is refused with 422.
"""

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from .exceptions import ApplicationError
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER, str, OpenApiParameter.HEADER, required=False,
    description="A unique key (e.g. a UUID) per intended operation. A retry with the same key and body returns "
                "the first response and does nothing again; the same key with another body answers 422.",
)


class IdempotencyKeyReused(ApplicationError):
    status_code = 422
    default_code = "idempotency_key_reused"


def _fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = repr(request.data)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


class _Replay(Exception):
    """Control flow: leave the transaction, then replay the first response."""


def idempotent(view_method):
    """Decorate an APIView method of an authenticated endpoint."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view_method(self, request, *args, **kwargs)
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            raise ApplicationError(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} characters.",
                                   code="invalid_idempotency_key")
        fingerprint = _fingerprint(request)
        try:
            with transaction.atomic():
                try:
                    # Claim the key first: a concurrent request with the same key waits here until we commit.
                    with transaction.atomic():
                        record = IdempotencyRecord.objects.create(user=request.user, key=key,
                                                                  fingerprint=fingerprint, status_code=0)
                except IntegrityError:
                    raise _Replay from None
                response = view_method(self, request, *args, **kwargs)
                if 200 <= response.status_code < 300:
                    record.status_code = response.status_code
                    record.response_body = response.data
                    record.save(update_fields=["status_code", "response_body"])
                else:
                    transaction.set_rollback(True)  # not remembered: a retry may run again
                return response
        except _Replay:
            pass
        previous = IdempotencyRecord.objects.get(user=request.user, key=key)
        if previous.fingerprint != fingerprint:
            raise IdempotencyKeyReused(f"This {HEADER} was used for a different request.")
        return Response(previous.response_body, status=previous.status_code, headers={"Idempotent-Replayed": "true"})

    return wrapper
