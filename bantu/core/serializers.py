import copy
import dataclasses
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.utils.deconstruct import deconstructible
from rest_framework import serializers

# Bidirectional overrides and isolates (U+202A to U+202E, U+2066 to U+2069) make text display in another order than it
# is stored ("invoice.exe" shown as "exe.eciovni"): a spoofing tool, never needed in Bantu's text.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


# The web addresses Bantu stores (a company's website, portfolio links, attachments, Web Push endpoints), as one
# regular expression that reads the same in Python and in ECMA-262 (the OpenAPI `pattern`): http or https; a
# domain name (one to five labels of at most 40 characters, then a top-level domain), an IPv4 address or
# localhost; an optional port; then a path, query and fragment in RFC 3986 characters (anything else
# percent-encoded). Every string it matches is also a valid URL for Django's URLValidator (the host stays under
# RFC 1034's 253 characters: 5 x 41 + 24) and a valid `format: uri`: tests/core/test_fuzz_findings.py proves both.
# A path, query or fragment, "any run of these characters or %XX", is written `[…]*(?:%XX[…]*)*` rather than
# `(?:[…]|%XX)*`: the same strings, in a shape schema fuzzers can fit to an exact length (schemathesis drew and
# discarded for 12 s per boundary length of the first shape, and found none).
_IPV4_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"


def _run_of(extra: str) -> str:
    """Any run of RFC 3986's path characters, `extra` and %XX escapes."""
    characters = rf"[{extra}A-Za-z0-9._~!$&'()*+,;=:@-]"
    return rf"{characters}*(?:%[0-9A-Fa-f]{{2}}{characters}*)*"


WEB_URL_PATTERN = (
    r"^https?://"
    r"(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}[A-Za-z0-9])?\.){1,5}(?:[A-Za-z]{2,24}|xn--[A-Za-z0-9]{1,20})"
    rf"|{_IPV4_OCTET}(?:\.{_IPV4_OCTET}){{3}}|localhost)"
    r"(?::[0-9]{1,5})?"
    rf"(?:/{_run_of('/')})?(?:\?{_run_of('/?')})?(?:#{_run_of('/?')})?$"
)
_WEB_URL = re.compile(WEB_URL_PATTERN)


@deconstructible
class WebURLValidator(URLValidator):
    """Django's URLValidator for http(s), narrowed to `WEB_URL_PATTERN` so that the server accepts exactly what the
    schema declares (Django also takes user:password@, IPv6, Unicode hosts and whitespace-free junk in paths, which
    `format: uri` does not; `format: uri` takes schemes and hosts Django refuses)."""

    def __init__(self, **kwargs):
        super().__init__(schemes=["http", "https"], **kwargs)

    def __call__(self, value):
        if not isinstance(value, str) or not _WEB_URL.fullmatch(value):
            raise DjangoValidationError(self.message, code=self.code, params={"value": value})
        super().__call__(value)


class WebURLField(serializers.URLField):
    """A web address as `WEB_URL_PATTERN` describes it; documented with that `pattern` (bantu/core/schema.py).
    Whitespace is not trimmed: " https://a.id" does not match the pattern, so it is refused like any other
    string the schema does not allow."""

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, URLValidator)]
        self.validators.append(WebURLValidator(message=self.error_messages["invalid"]))


@dataclasses.dataclass(frozen=True)
class Variant:
    """One shape a request body may take (`StrictSerializer.variants`): exactly `fields`, all present, with the
    fixed `values` some of them must have (`{"kind": "fcm"}`)."""

    fields: tuple[str, ...]
    values: dict = dataclasses.field(default_factory=dict)


class StrictSerializer(serializers.Serializer):
    """Input serializer that refuses what it does not know: unknown fields, non-strings for text fields (DRF
    would quietly turn 123 or 1.5 into "123" and "1.5"), non-integers for integer fields, and for UUIDs, lists
    and booleans anything but a JSON string, array or boolean."""

    # The only shapes a body may take, when set: the serializer's `validate` enforces them (with messages per
    # field) and the schema documents them as `oneOf` (bantu/core/schema.py), so that a generated body is one the
    # server accepts. tests/core/test_fuzz_findings.py checks that both agree.
    variants: tuple[Variant, ...] = ()
    # Fields a partial update refuses (the serializer's `validate` says why): a partial body's schema has none.
    create_only: tuple[str, ...] = ()
    # Field name → a function returning schema keywords for a rule a service enforces with its own error code
    # from settings (a payout's range, the configured gateways): stated as they are when the schema is generated.
    schema_constraints: dict = {}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {"non_field_errors": ["Expected a JSON object."]}, code="invalid"
            )
        errors = {}
        unknown = set(data) - {name for name, field in self.fields.items() if not field.read_only}
        for name in sorted(unknown):
            errors[name] = ["Unknown field."]
        for name, field in self.fields.items():
            value = data.get(name)
            if (
                isinstance(field, serializers.CharField)
                and not isinstance(field, serializers.ChoiceField)
                and value is not None
                and not isinstance(value, str)
            ):
                errors[name] = ["Must be a string."]
            elif isinstance(value, str) and _BIDI_CONTROLS.search(value):
                errors[name] = ["Bidirectional control characters are not allowed."]
            elif (
                isinstance(field, serializers.IntegerField)
                and value is not None
                and (isinstance(value, bool) or not isinstance(value, int))
            ):
                # DRF would take "100000" and 100000.0 as 100000: amounts are JSON integers, nothing else.
                errors[name] = ["A valid integer is required."]
            elif isinstance(field, serializers.UUIDField) and value is not None and not isinstance(value, str):
                # DRF turns an integer (and so `false`) into a UUID: 0 became 00000000-0000-0000-0000-000000000000.
                errors[name] = ["Must be a UUID string."]
            elif (
                isinstance(field, serializers.ListField | serializers.ManyRelatedField)
                and value is not None
                and not isinstance(value, list)
            ):
                # DRF iterates any iterable: an object `{}` was taken as an empty list (its keys as items).
                errors[name] = [f'Expected a list of items but got type "{type(value).__name__}".']
            elif isinstance(field, serializers.BooleanField) and value is not None and not isinstance(value, bool):
                errors[name] = ["Must be true or false."]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictModelSerializer(StrictSerializer, serializers.ModelSerializer):
    pass


class FieldsBuiltOnceMixin:
    """For serializers whose fields depend on the class alone (never on the instance, the context or the request):
    a ModelSerializer introspects its model and builds every field at each instantiation, about half the Python
    of rendering one milestone (docs/benchmarks.md, escrow). This builds them once per class and hands each
    instance its own copies to bind: a shallow copy of a plain field (binding sets only the copy's own name and
    parent; its arguments and validators are never changed after construction), a deep one of a nested
    serializer (it holds fields of its own). Put it first among the bases."""

    def get_fields(self):
        built = type(self).__dict__.get("_fields_built_once")
        if built is None:
            built = super().get_fields()
            type(self)._fields_built_once = built
        return {name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else copy.copy(field)
                for name, field in built.items()}
