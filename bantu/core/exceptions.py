"""Domain errors and the one place that turns every API error into RFC 9457 problem details."""

import logging
import sys

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.http import Http404, JsonResponse
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error
from rest_framework.views import set_rollback

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
}


class ApplicationError(Exception):
    """A rule of the domain was broken. Services raise these; the API layer renders them.

    `code` is stable (snake_case) and documented per app in its `errors.py`.
    """

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "bad_request"
    retry_after: int | None = None  # seconds; sent as Retry-After (503s)

    def __init__(self, detail: str, *, code: str | None = None, errors: dict | None = None):
        super().__init__(detail)
        self.detail = detail
        self.code = code or self.default_code
        self.errors = errors


class NotFound(ApplicationError):
    status_code = status.HTTP_404_NOT_FOUND
    default_code = "not_found"


class Forbidden(ApplicationError):
    status_code = status.HTTP_403_FORBIDDEN
    default_code = "forbidden"


class Conflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class PayloadTooLarge(ApplicationError):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "payload_too_large"


class Throttled(ApplicationError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "rate_limited"


def problem_type(code: str) -> str:
    return f"{settings.BANTU['PROBLEM_TYPE_BASE']}{code}"


def problem_body(*, status_code: int, code: str, detail: str, errors: dict | None = None) -> dict:
    body = {
        "type": problem_type(code),
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
        "code": code,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def _flatten_validation(detail) -> dict:
    """DRF validation detail → {field: [messages]}; nested serializers become dotted paths."""
    if not isinstance(detail, dict):
        detail = {"non_field_errors": detail if isinstance(detail, list) else [detail]}
    flat: dict[str, list[str]] = {}

    def walk(prefix: str, value):
        if isinstance(value, dict):
            for key, child in value.items():
                # A nested serializer's own errors (DRF: "non_field_errors") belong to the field that holds it.
                nested_own = key == "non_field_errors" and prefix
                walk(prefix if nested_own else (f"{prefix}.{key}" if prefix else str(key)), child)
        elif isinstance(value, list) and value and not all(isinstance(v, str) for v in value):
            for index, child in enumerate(value):
                if child:
                    walk(f"{prefix}.{index}", child)
        else:
            items = value if isinstance(value, list) else [value]
            flat.setdefault(prefix or "non_field_errors", []).extend(str(item) for item in items)

    walk("", detail)
    return flat


DATABASE_RETRY_AFTER = "1"  # seconds: a dropped connection is replaced by the next request


def database_unavailable(exc) -> dict | None:
    """The `code` and `detail` of a 503 when `exc` says the database could not serve the request, else None.

    A connection that drops mid-request (PostgreSQL restarted or failed over, the backend terminated, the network
    cut) raises OperationalError, or InterfaceError once the connection is closed; the transaction it was in is
    rolled back by the server, so nothing of the request was written and the client may simply retry. SQLite (the
    embedded default) still locked after its timeout is the same: a dependency is unavailable, not a bug."""
    if not isinstance(exc, DatabaseOperationalError | DatabaseInterfaceError):
        return None
    logger.warning("Database unavailable: %s", str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
    if isinstance(exc, DatabaseOperationalError) and "locked" in str(exc):
        return {"code": "database_busy", "detail": "The database is busy. Retry in a moment."}
    return {"code": "database_unavailable",
            "detail": "The database is unavailable. Nothing was saved; retry in a moment."}


VALIDATION_DETAIL = "The request contains invalid fields."
SERVER_ERROR = {"status_code": 500, "code": "server_error",
                "detail": "An unexpected error occurred. It has been logged."}


def problem_for(exc: Exception) -> tuple[dict, dict] | None:
    """`(body, headers)`: the problem details of `exc` (`problem_body`, and `Retry-After` or `WWW-Authenticate`
    where they apply), or None for an exception that is a bug (the caller logs it and answers SERVER_ERROR). The
    one translation from exceptions to problems: the REST API's exception handler and the socket consumer
    (chat.consumers: the same body as an `error` event) both use it."""
    if isinstance(exc, ApplicationError):
        headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
        return problem_body(status_code=exc.status_code, code=exc.code, detail=exc.detail, errors=exc.errors), headers
    if isinstance(exc, RequestDataTooBig):
        return problem_body(**_payload_too_large()), {}
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))

    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None):
            headers["Retry-After"] = str(int(exc.wait) + (0 if float(exc.wait).is_integer() else 1))
        if isinstance(exc, exceptions.ValidationError):
            return problem_body(status_code=exc.status_code, code="validation_error", detail=VALIDATION_DETAIL,
                                errors=_flatten_validation(exc.detail)), headers
        detail, code = exc.detail, getattr(exc.detail, "code", None)
        if isinstance(detail, dict):  # a library's nested detail: its sentence and code, never its repr
            code = str(detail.get("code") or code or "")
            detail = detail.get("detail") or exc.default_detail
        elif isinstance(detail, list):
            detail = detail[0] if detail else exc.default_detail
        code = code or exc.default_code
        return problem_body(status_code=exc.status_code, code=str(code), detail=str(detail)), headers

    unavailable = database_unavailable(exc)
    if unavailable is not None:
        return problem_body(status_code=503, **unavailable), {"Retry-After": DATABASE_RETRY_AFTER}
    return None


def problem_exception_handler(exc, context):
    """DRF `EXCEPTION_HANDLER`: every error leaves as problem details (`problem_for`); a 500 leaks nothing."""
    set_rollback()
    problem = problem_for(exc)
    if problem is None:
        logger.exception("Unhandled error in %s", context.get("view").__class__.__name__ if context else "?")
        problem = problem_body(**SERVER_ERROR), {}
    body, headers = problem
    return Response(body, status=body["status"], headers=headers or None, content_type=PROBLEM_CONTENT_TYPE)


def _django_problem(status_code: int, code: str, detail: str, errors: dict | None = None) -> JsonResponse:
    return JsonResponse(
        problem_body(status_code=status_code, code=code, detail=detail, errors=errors),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
    )


def _payload_too_large() -> dict:
    """The 413's `status_code`, `code` and `detail` (as SERVER_ERROR; a function, since the limit is a setting)."""
    return {"status_code": 413, "code": "payload_too_large",
            "detail": f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."}


def payload_too_large() -> JsonResponse:
    """The one 413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE, whoever notices it (the request middleware, DRF's
    parsing, a plain Django view)."""
    return _django_problem(**_payload_too_large())


def handler404(request, exception=None):
    return _django_problem(404, "not_found", "No such resource.")


def handler500(request):
    unavailable = database_unavailable(sys.exc_info()[1])  # raised where no view ran: a middleware, say
    if unavailable is not None:
        return _database_unavailable_response(unavailable)
    return _django_problem(**SERVER_ERROR)


class DatabaseUnavailableMiddleware:
    """The 503 of `problem_exception_handler` for a dropped database connection, for views outside DRF (the
    admin, the sandbox checkout page, the schema and docs pages): never a 500 for a dependency that is down."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        unavailable = database_unavailable(exception)
        return _database_unavailable_response(unavailable) if unavailable is not None else None


def _database_unavailable_response(unavailable: dict) -> JsonResponse:
    response = _django_problem(503, **unavailable)
    response["Retry-After"] = DATABASE_RETRY_AFTER
    return response


def handler400(request, exception=None):
    if isinstance(exception, RequestDataTooBig):  # a body without Content-Length, read by a plain Django view
        return payload_too_large()
    return _django_problem(400, "bad_request", "The request could not be understood.")


def handler403(request, exception=None):
    return _django_problem(403, "forbidden", "You do not have permission to perform this action.")
