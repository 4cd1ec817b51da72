"""The app's URLs plus `bench/ceiling/`: a bare DRF view (no authentication, permission check, throttle, database
or cache) that shows what the stack costs before the app does any work."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from bantu.urls import handler400, handler403, handler404, handler500
from bantu.urls import urlpatterns as app_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


class CeilingApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = []

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [path("bench/ceiling/", CeilingApi.as_view(), name="bench-ceiling"), *app_urlpatterns]
