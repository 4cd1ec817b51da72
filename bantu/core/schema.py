"""OpenAPI: every operation documents its problem-details errors and the Bearer scheme, and has a summary."""

import inspect
import re

import django_filters
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance, get_doc, get_lib_doc_excludes, is_serializer
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


SUMMARY_MAX_LENGTH = 72


def docstring_title(doc: str | None) -> str | None:
    """The title a docstring opens with, or None: a first paragraph of one line, or else the first sentence without
    its (asides) and final full stop, when that is at most SUMMARY_MAX_LENGTH characters."""
    if not doc or not doc.strip():
        return None
    paragraph = doc.strip().split("\n\n")[0]
    if "\n" not in paragraph.strip() and len(paragraph.strip().rstrip(".")) <= SUMMARY_MAX_LENGTH:
        title = paragraph.strip()
        return title[:-1] if title.endswith(".") and not title.endswith("..") else title
    sentence = re.split(r"(?<=[.;!?])\s", " ".join(paragraph.split()))[0]
    depth, kept = 0, []
    for char in sentence:  # a title drops (asides), nested or not; the description keeps them
        depth += char == "("
        if depth == 0:
            kept.append(char)
        depth -= char == ")" and depth > 0
    title = re.sub(r"\s+([,.;:])", r"\1", " ".join("".join(kept).split())).rstrip(".;:, ")
    return title if len(title) <= SUMMARY_MAX_LENGTH else None


_VERBS = {"GET": "Get", "POST": "Create", "PUT": "Replace", "PATCH": "Update", "DELETE": "Delete"}


class BantuAutoSchema(AutoSchema):
    def get_summary(self) -> str:
        """A short title for every operation, so that Swagger UI, ReDoc and Postman never show a bare operation id.

        In order: `extend_schema(summary=...)` (drf-spectacular applies it before this runs); the first sentence of
        the handler's own docstring (`def post(self, ...): \"\"\"Counter the latest offer.\"\"\"`); the first
        sentence of the view class's own docstring when the view has this one operation; else a verb and the
        model's name ("List companies", "Create a company")."""
        title = docstring_title(getattr(self._own_handler(), "__doc__", None))
        if title:
            return title
        operations = set(self.view.allowed_methods) - {"HEAD", "OPTIONS"}
        if len(operations) == 1:
            title = docstring_title(type(self.view).__dict__.get("__doc__"))
            if title:
                return title
        return self._generated_summary()

    def get_description(self) -> str:
        """The handler's own docstring past its title, then the view's docstring (which drf-spectacular would drop
        as soon as the handler has a docstring of its own)."""
        handler = self._own_handler()
        view_doc = get_doc(type(self.view))
        if handler is None or not (handler.__doc__ or "").strip():
            return view_doc
        rest = inspect.cleandoc(handler.__doc__).split("\n\n", 1)[1:]
        return "\n\n".join(part for part in (*rest, view_doc) if part)

    def _own_handler(self):
        """The method or action that serves this operation, if the project wrote it (not inherited from DRF)."""
        handler = getattr(self.view, getattr(self.view, "action", None) or self.method.lower(), None)
        if handler is None or getattr(handler, "__module__", "").startswith(("rest_framework", "django")):
            return None
        return handler

    def _generated_summary(self) -> str:
        model = self._summary_model()
        if model is not None:
            singular, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
        else:  # no model to name: the path's last word, as it is
            singular = plural = (
                next(part for part in reversed(self.path.strip("/").split("/")) if "{" not in part)
                .replace("-", " ")
                .replace("_", " ")
            )
        if self.method == "GET" and self._is_list_view():
            return f"List {plural}"
        if self.method == "GET" and "{" not in self.path:
            return f"Get your {singular}"
        article = "an" if singular[:1].lower() in "aeio" else "a"
        return f"{_VERBS[self.method]} {article} {singular}"

    def _summary_model(self):
        serializer = self.get_response_serializers() if self.method != "DELETE" else None
        if isinstance(serializer, dict):
            serializer = next((value for code, value in serializer.items() if str(code).startswith("2")), None)
        model = getattr(getattr(serializer, "Meta", None), "model", None)
        if model is None and getattr(self.view, "queryset", None) is not None:
            model = self.view.queryset.model
        return model

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        # DRF drops `allow_blank` from read-only fields, so a model field that may be blank was documented
        # without "" although answers hold "": a choice (a company's province, an open dispute's resolution) had
        # no "" in its enum, and a URL (a company without a website) demanded `format: uri`.
        if self._may_be_blank(field):
            field.allow_blank = True
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if schema is None or direction != "request":
            return schema
        if schema.get("type") == "array":
            self._insert_list_bounds(field, schema)
        constraint = getattr(field.parent, "schema_constraints", {}).get(field.field_name)
        if constraint is not None:
            constraint = constraint()
            if "enum" in constraint:  # named by its own values, without the choices it no longer lists
                schema.pop("x-spec-enum-id", None)
                schema.pop("description", None)
            schema.update(constraint)
        return schema

    @staticmethod
    def _insert_list_bounds(field, schema) -> None:
        """A list's bounds as the serializer checks them: `allow_empty=False` and `min_length` are `minItems`,
        `max_length` is `maxItems` (drf-spectacular leaves out all three for a nested serializer with many=True
        and `allow_empty` for every list, so `{"milestones": []}` was schema-valid and a 400)."""
        minimum = getattr(field, "min_length", None) or 0
        if getattr(field, "allow_empty", True) is False:
            minimum = max(minimum, 1)
        if minimum:
            schema["minItems"] = max(schema.get("minItems", 0), minimum)
        maximum = getattr(field, "max_length", None)
        if maximum is not None:
            schema["maxItems"] = min(schema.get("maxItems", maximum), maximum)

    def _get_request_for_media_type(self, serializer, direction="request"):
        # drf-spectacular documents every PATCH body as partial (no field required), as if each view validated
        # with partial=True. Ours say so where they do (`CompanyWriteSerializer(partial=True)`); a PATCH whose
        # view validates the full serializer (a member's `role`) documents its required fields.
        serializer = force_instance(serializer)
        if getattr(serializer, "variants", ()):  # every shape has required fields, so the body is required
            schema, _ = super()._get_request_for_media_type(serializer, direction)
            return schema, True
        if self.method != "PATCH" or not is_serializer(serializer) or getattr(serializer, "partial", False):
            return super()._get_request_for_media_type(serializer, direction)
        self.method = "POST"
        try:
            return super()._get_request_for_media_type(serializer, direction)
        finally:
            self.method = "PATCH"

    @staticmethod
    def _may_be_blank(field) -> bool:
        if not field.read_only or not isinstance(field, serializers.CharField | serializers.ChoiceField):
            return False
        model = getattr(getattr(field.parent, "Meta", None), "model", None)
        try:
            model_field = model._meta.get_field(field.source) if model is not None else None
        except Exception:  # not a model field (a method, a related path)
            model_field = None
        return model_field is not None and getattr(model_field, "blank", False)

    def _allows_anonymous(self) -> bool:
        return any(
            isinstance(permission, permissions.AllowAny) for permission in self.view.get_permissions()
        )

    def _get_format_parameters(self):
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            parameter["description"] = ("The answer's format, instead of the one `Accept` asks for; with no value, "
                                        "a 400.")
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = {}
        # A view with several renderers has a `format` query parameter, and `?format=` is a 400
        # (bantu.core.negotiation).
        if (self.method in ("POST", "PUT", "PATCH") or self.get_filter_backends() or self._is_list_view()
                or len(self.view.renderer_classes) > 1):
            errors["400"] = _problem(ValidationProblemSerializer, "Invalid input (problem details).")
        if not self._allows_anonymous():
            errors["401"] = _problem(ProblemSerializer, "Missing, invalid or expired access token.")
            errors["403"] = _problem(ProblemSerializer, "Your role does not allow this.")
        if "{" in self.path:
            errors["404"] = _problem(ProblemSerializer, "No such object, or it is not visible to you.")
        elif self._is_list_view() and getattr(self._get_paginator(), "page_past_the_end_is_404", False):
            errors["404"] = _problem(ProblemSerializer, "A page past the last one.")
        # `extra_error_responses`: {409: "why"} for every method of the view, {"POST": {404: "why"}} for one.
        extras = getattr(self.view, "extra_error_responses", {})
        for code, extra in {**{code: extra for code, extra in extras.items() if isinstance(code, int)},
                            **extras.get(self.method, {})}.items():
            # A 400 is documented with its `errors`; a view names the data-dependent causes no schema can state.
            errors[str(code)] = _problem(ValidationProblemSerializer if str(code) == "400" else ProblemSerializer,
                                         extra)
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
            if getattr(self.target, "partial", False):
                for name in self.target.create_only:
                    schema["properties"].pop(name, None)
            if self.target.variants:
                schema[VARIANTS_KEY] = [{"fields": list(variant.fields), "values": variant.values}
                                        for variant in self.target.variants]
        return schema


VARIANTS_KEY = "x-bantu-variants"


def postprocess_variants(result, generator, request, public):
    """A StrictSerializer's `variants` as `oneOf`: one closed object per shape, its fixed values as one-value
    enums. Runs after drf-spectacular's enum hook, which would otherwise name each one-value enum as a shared
    component (and collide)."""
    for component in result.get("components", {}).get("schemas", {}).values():
        variants = component.pop(VARIANTS_KEY, None)
        if not variants:
            continue
        properties = component.pop("properties")
        component.pop("required", None)
        component.pop("additionalProperties", None)
        component["oneOf"] = [{
            "type": "object",
            "properties": {name: ({"type": "string", "enum": [variant["values"][name]]}
                                  if name in variant["values"] else properties[name])
                           for name in variant["fields"]},
            "required": variant["fields"],
            "additionalProperties": False,
        } for variant in variants]
    return result


class WebURLFieldSchema(OpenApiSerializerFieldExtension):
    """A WebURLField is `format: uri` with the `pattern` its validator enforces, so that every URL generated from
    the schema is accepted and every other string is refused (bantu/core/serializers.py)."""

    target_class = "bantu.core.serializers.WebURLField"

    def map_serializer_field(self, auto_schema, direction):
        from .serializers import WEB_URL_PATTERN

        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        schema["pattern"] = WEB_URL_PATTERN
        return schema


class StrictFilterSetSchema(DjangoFilterExtension):
    """The query parameters of a StrictFilterSet as it reads them: an empty value is refused for every filter
    that is not free text (`?skills=` is a 400), so those say `minLength: 1` (arrays `minItems: 1`); numbers are
    whole numbers within the filter's bounds; a boolean is one of its four spellings."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        parameters = super().resolve_filter_field(auto_schema, model, filterset_class, field_name, filter_field)
        from .filters import StrictBooleanFilter, StrictFilterSet

        for parameter in parameters:
            # drf-spectacular leaves out the help text of a filter whose schema is annotated (`?skills=` of jobs) or
            # rebuilt (a boolean): every parameter says what it does.
            if not parameter.get("description") and filter_field.extra.get("help_text"):
                parameter["description"] = str(filter_field.extra["help_text"])
        if not issubclass(filterset_class, StrictFilterSet) or isinstance(filter_field, django_filters.CharFilter):
            return parameters
        for parameter in parameters:
            schema = parameter["schema"]
            if isinstance(filter_field, StrictBooleanFilter):
                schema.clear()
                schema.update(type="string", enum=[value for value, _ in filter_field.extra["choices"]])
            elif isinstance(filter_field, django_filters.NumberFilter):
                schema.clear()
                schema["type"] = "integer"
                for key, bound in (("min_value", "minimum"), ("max_value", "maximum")):
                    if filter_field.extra.get(key) is not None:
                        schema[bound] = filter_field.extra[key]
            elif schema.get("type") == "array":
                schema["minItems"] = 1
                if "enum" not in schema["items"]:
                    schema["items"].setdefault("minLength", 1)
            elif schema.get("type") == "string" and "enum" not in schema:
                schema.setdefault("minLength", 1)
        return parameters


def lib_doc_excludes() -> list[type]:
    """SPECTACULAR_SETTINGS["GET_LIB_DOC_EXCLUDES"]: drf-spectacular's list, and our serializer bases, whose
    docstrings explain the mechanism to maintainers. Without them, 37 request bodies were described as "Input
    serializer that refuses what it does not know: … DRF would quietly turn 123 or 1.5 into …" in Swagger and
    ReDoc (StrictSerializer's docstring, inherited), and four responses by FieldsBuiltOnceMixin's."""
    from .serializers import FieldsBuiltOnceMixin, StrictSerializer

    return [*get_lib_doc_excludes(), StrictSerializer, FieldsBuiltOnceMixin]
