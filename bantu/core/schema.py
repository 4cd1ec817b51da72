"""OpenAPI: every operation documents its problem-details errors and the Bearer scheme."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import permissions, serializers

from .exceptions import PROBLEM_CONTENT_TYPE


class ProblemSerializer(serializers.Serializer):
    type = serializers.URLField(help_text="URI naming the kind of problem; its last segment equals `code`.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Stable machine-readable error code.")


class ValidationProblemSerializer(ProblemSerializer):
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Field name (dotted for nested fields) → messages. Present for `validation_error`; absent for "
                  "other 400s such as `parse_error` (a body that is not JSON) or `invalid_idempotency_key`.",
    )


def _problem(serializer, description):
    return OpenApiResponse(response=serializer, description=description)


class BantuAutoSchema(AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # DRF drops `allow_blank` from read-only fields, so a model choice field that may be blank (a company's
        # province, an open dispute's resolution) was documented without "" although answers hold "".
        if isinstance(field, serializers.ChoiceField) and field.read_only and not field.allow_blank:
            model = getattr(getattr(field.parent, "Meta", None), "model", None)
            try:
                model_field = model._meta.get_field(field.source) if model is not None else None
            except Exception:  # not a model field (a method, a related path)
                model_field = None
            if model_field is not None and getattr(model_field, "blank", False):
                field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _allows_anonymous(self) -> bool:
        return any(
            isinstance(permission, permissions.AllowAny) for permission in self.view.get_permissions()
        )

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = {}
        if self.method in ("POST", "PUT", "PATCH") or self.get_filter_backends() or self._is_list_view():
            errors["400"] = _problem(ValidationProblemSerializer, "Invalid input (problem details).")
        if not self._allows_anonymous():
            errors["401"] = _problem(ProblemSerializer, "Missing, invalid or expired access token.")
            errors["403"] = _problem(ProblemSerializer, "Your role does not allow this.")
        if "{" in self.path:
            errors["404"] = _problem(ProblemSerializer, "No such object, or it is not visible to you.")
        for code, extra in getattr(self.view, "extra_error_responses", {}).items():
            errors[str(code)] = _problem(ProblemSerializer, extra)
        if self.view.get_throttles():
            errors["429"] = _problem(ProblemSerializer, "Throttled; retry after `Retry-After` seconds.")
        for code, response in errors.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, [PROBLEM_CONTENT_TYPE])
        return responses


class BantuJWTScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BantuJWTAuthentication"
    name = "jwtAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "Access token from `POST /api/v1/auth/token/`; it carries the user's `roles`.",
        }


MessageSerializer = inline_serializer("Message", {"detail": serializers.CharField()})


class StrictSerializerSchema(OpenApiSerializerExtension):
    """Request bodies of StrictSerializers refuse unknown fields (a 400), so their schema says so:
    `additionalProperties: false`, for generated clients and fuzzers alike."""

    target_class = "bantu.core.serializers.StrictSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema
