"""Refusals every request gets before any app code runs, whether it is signed in or not."""

import zoneinfo

from django.conf import settings
from django.utils import timezone

from .exceptions import _django_problem, payload_too_large


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
        with_nul = sorted({key.replace("\x00", "") or "non_field_errors" for key, values in request.GET.lists()
                           if "\x00" in key or any("\x00" in value for value in values)})
        if with_nul or "\x00" in request.META.get("QUERY_STRING", ""):
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
        if request.path.startswith("/admin/"):
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
