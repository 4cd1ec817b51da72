import functools

from rest_framework.response import Response

from .renderers import JSONRenderer
from .serializers import StrictSerializer


class _NoInput(StrictSerializer):
    pass


def no_body(view_method):
    """For actions that take no input: a body with any field is a 400 (`Unknown field.`), never silently ignored
    (an `{"amount": 1}` sent to approve must not look accepted). An empty body or `{}` is fine."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        _NoInput(data=request.data).is_valid(raise_exception=True)
        return view_method(self, request, *args, **kwargs)

    return wrapper


class MethodPermissionsMixin:
    """Declare who may call each method: `method_permissions = {"GET": [AllowAny], "PATCH": [IsCompanyAdmin]}`.

    Methods not listed fall back to `permission_classes` (authenticated users by default)."""

    method_permissions: dict = {}

    def get_permissions(self):
        classes = self.method_permissions.get(self.request.method if self.request else "GET")
        if classes is None:
            return super().get_permissions()
        return [permission() for permission in classes]


class ProblemsAsJSONMixin:
    """For views that render something other than JSON (the OpenAPI schema in YAML, HTML pages): their errors
    are still problem details in JSON, so that the body matches its `application/problem+json` type, and the
    answer to OPTIONS (DRF's metadata, not the representation the page renderer expects) is JSON too."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and (response.status_code >= 400 or request.method == "OPTIONS"):
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response
