"""The app's URLs plus two bench-only endpoints:

- `bench/ceiling/`: a bare DRF view (no authentication, permission check, throttle, database or cache): what the
  stack costs before the app does any work;
- `bench/throttled/`: the ceiling plus what a cached search cannot skip: the default authentication, the search
  throttle's one Redis call, and one cached entry read along in that call and sent as it is. What a cached search
  costs beyond this is its own view's work."""

from django.core.cache import cache
from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from bantu.core.renderers import json_response, render_json
from bantu.core.throttling import SearchThrottle
from bantu.urls import handler400, handler403, handler404, handler500
from bantu.urls import urlpatterns as app_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class CeilingApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    def get(self, request):
        return Response({"ok": True})


class ThrottledApi(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [SearchThrottle]
    key = "bench:throttled"

    def throttle_read_keys(self, request) -> list[str]:
        return [self.key]

    def get(self, request):
        body = getattr(request, "throttle_reads", {}).get(self.key)
        if body is None:  # the first request, or no Redis (the throttle then reads nothing along)
            body = cache.get(self.key)
            if body is None:
                body = render_json({"ok": True})
                cache.set(self.key, body, None)
        return json_response(request, body)


urlpatterns = [path("bench/ceiling/", CeilingApi.as_view(), name="bench-ceiling"),
               path("bench/throttled/", ThrottledApi.as_view(), name="bench-throttled"), *app_urlpatterns]
