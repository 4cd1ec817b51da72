import copy
import re

from rest_framework import serializers

# Bidirectional overrides and isolates (U+202A to U+202E, U+2066 to U+2069) make text display in another order than it
# is stored ("invoice.exe" shown as "exe.eciovni"): a spoofing tool, never needed in Bantu's text.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


class StrictSerializer(serializers.Serializer):
    """Input serializer that refuses what it does not know: unknown fields, non-strings for text fields (DRF
    would quietly turn 123 or 1.5 into "123" and "1.5"), non-integers for integer fields, and for UUIDs, lists
    and booleans anything but a JSON string, array or boolean."""

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
