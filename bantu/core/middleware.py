"""Refusals every request gets before any app code runs, whether it is signed in or not; the admin's own
middleware; the sync-only chain."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone

from .exceptions import _django_problem, payload_too_large

ADMIN_PATH = "/admin/"  # where bantu/urls.py mounts the admin (a test checks that they agree)


def is_admin_request(request) -> bool:
    return request.path_info.startswith(ADMIN_PATH)


class RequestSanityMiddleware:
    """- A body announced larger than DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 at once, on every route (a body sent
      without Content-Length is refused the same way when it is read: see the exception handlers).
    - A query string holding NUL is a 400: PostgreSQL text cannot hold NUL, so it would fail deep in a query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _django_problem(400, "bad_request", "Content-Length is not a number.")
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return payload_too_large()
        query = request.META.get("QUERY_STRING", "")
        if "\x00" not in query and "%00" not in query:  # the only ways a query string holds NUL: then parse it
            return self.get_response(request)
        with_nul = sorted({key.replace("\x00", "") or "non_field_errors" for key, values in request.GET.lists()
                           if "\x00" in key or any("\x00" in value for value in values)})
        if with_nul or "\x00" in query:
            return _django_problem(400, "validation_error", "The request contains invalid fields.",
                                   errors={key: ["Null characters are not allowed."]
                                           for key in with_nul or ["non_field_errors"]})
        return self.get_response(request)


class OperatorTimeZoneMiddleware:
    """The admin shows and reads times in OPERATOR_TIME_ZONE (Asia/Jakarta by default); everything else, the API
    first, speaks UTC (TIME_ZONE)."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response
        self.zone = zoneinfo.ZoneInfo(settings.OPERATOR_TIME_ZONE)

    def __call__(self, request):
        if is_admin_request(request):
            with timezone.override(self.zone):
                return self.get_response(request)
        return self.get_response(request)


class SyncChainMiddleware:
    """Last in MIDDLEWARE, sync only, does nothing itself: it makes Django build the whole middleware chain in sync
    mode under ASGI. Django adapts each middleware to the mode of the one inside it, so without this the chain
    switched between the event loop and the request's thread about a dozen times per request (every
    MiddlewareMixin in async mode inside WhiteNoise, which is sync only); with it, a request enters its thread
    once and the view runs in that same thread. Measured: docs/benchmarks.md (escrow, "CPU per request")."""

    sync_capable = True
    async_capable = False

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)


class _AdminOnly:
    """For middleware only the admin needs: on any other path it steps aside. The REST API authenticates with JWTs
    and its views are CSRF exempt (DRF), so sessions, Django's `request.user`, the CSRF check and messages serve the
    admin alone; the four cost about 30 µs of CPU on every other request (`/healthz` 130 against 100 µs in
    process, docs/benchmarks.md, "The admin's middleware on admin paths only"). The classes stay subclasses of
    Django's, so the admin's system checks (admin.E408-E410) still find them."""

    def __call__(self, request):
        if is_admin_request(request):
            return super().__call__(request)
        return self.get_response(request)


class AdminSessionMiddleware(_AdminOnly, SessionMiddleware):
    pass


class AdminCsrfViewMiddleware(_AdminOnly, CsrfViewMiddleware):
    def process_view(self, request, callback, callback_args, callback_kwargs):
        # The handler calls process_view itself, outside __call__: the check is skipped on the same paths.
        if is_admin_request(request):
            return super().process_view(request, callback, callback_args, callback_kwargs)
        return None


class AdminAuthenticationMiddleware(_AdminOnly, AuthenticationMiddleware):
    pass


class AdminMessageMiddleware(_AdminOnly, MessageMiddleware):
    pass
