"""`Idempotency-Key` for requests that create something or move money.

`idempotent` writes the record of the first response in the same transaction as the work itself:
- a retry after success finds the record and gets the first response back, and nothing runs again;
- a concurrent duplicate blocks on the unique (user, key) index until the first commits, then replays;
- a failure rolls both back, so a retry simply runs again;
- the same key with another body is refused with 422.

`idempotent_outside_transaction` is for views whose service must commit before it calls a payment gateway (no
transaction may stay open across the call): the key is claimed in its own short transaction, the view runs,
and the response is recorded afterwards. A concurrent duplicate waits for the first to finish and replays
(or gets 409 `idempotency_key_in_progress` if it takes longer than a few seconds); a failed request releases
the key so that a retry runs again.
"""

import datetime
import functools
import hashlib
import json
import time

from django.db import IntegrityError, transaction
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from .exceptions import ApplicationError
from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    HEADER, {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH}, OpenApiParameter.HEADER,
    required=False,
    description="A unique key (e.g. a UUID) per intended operation. A retry with the same key and body returns "
                "the first response and does nothing again; the same key with another body answers 422.",
)


class IdempotencyKeyReused(ApplicationError):
    status_code = 422
    default_code = "idempotency_key_reused"


class IdempotencyKeyInProgress(ApplicationError):
    status_code = 409
    default_code = "idempotency_key_in_progress"
    retry_after = 2


IN_PROGRESS = 0  # status_code of a claimed key whose request has not finished
# A claim older than this was left by a process that died mid-request: it is released for a retry.
ABANDONED_AFTER = datetime.timedelta(minutes=2)
DUPLICATE_WAIT_SECONDS = 10.0


def _fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = repr(request.data)
    return hashlib.sha256(f"{request.method} {request.path}\n{body}".encode()).hexdigest()


class _Replay(Exception):
    """Control flow: leave the transaction, then replay the first response."""


def _key(request) -> str | None:
    key = request.headers.get(HEADER)
    if key is not None and (not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isprintable()):
        raise ApplicationError(f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable characters.",
                               code="invalid_idempotency_key")
    return key


def _replay(previous: IdempotencyRecord, fingerprint: str) -> Response:
    if previous.fingerprint != fingerprint:
        raise IdempotencyKeyReused(f"This {HEADER} was used for a different request.")
    return Response(previous.response_body, status=previous.status_code, headers={"Idempotent-Replayed": "true"})


def idempotent(view_method):
    """Decorate an APIView method of an authenticated endpoint."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = _key(request)
        if key is None:
            return view_method(self, request, *args, **kwargs)
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
        return _replay(IdempotencyRecord.objects.get(user=request.user, key=key), fingerprint)

    return wrapper


def _claim(request, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """Claim `key` in its own committed transaction; None when somebody holds it. Releases an abandoned claim."""
    IdempotencyRecord.objects.filter(user=request.user, key=key, status_code=IN_PROGRESS,
                                     created_at__lt=timezone.now() - ABANDONED_AFTER).delete()
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(user=request.user, key=key, fingerprint=fingerprint,
                                                    status_code=IN_PROGRESS)
    except IntegrityError:
        return None


def idempotent_outside_transaction(view_method):
    """Decorate an APIView method whose service commits before calling out (fund, payouts). See the module."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = _key(request)
        if key is None:
            return view_method(self, request, *args, **kwargs)
        fingerprint = _fingerprint(request)
        record = _claim(request, key, fingerprint)
        if record is None:
            deadline = time.monotonic() + DUPLICATE_WAIT_SECONDS
            while True:
                previous = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
                if previous is None:  # the first request failed and released the key: run as the first
                    record = _claim(request, key, fingerprint)
                    if record is not None:
                        break
                elif previous.fingerprint != fingerprint or previous.status_code != IN_PROGRESS:
                    return _replay(previous, fingerprint)
                if time.monotonic() > deadline:
                    raise IdempotencyKeyInProgress(f"A request with this {HEADER} is still in progress.")
                time.sleep(0.1)
        try:
            response = view_method(self, request, *args, **kwargs)
        except BaseException:
            record.delete()
            raise
        if 200 <= response.status_code < 300:
            record.status_code = response.status_code
            record.response_body = response.data
            record.save(update_fields=["status_code", "response_body"])
        else:
            record.delete()
        return response

    return wrapper
