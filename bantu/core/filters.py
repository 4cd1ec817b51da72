import django_filters
from django import forms


class StableOrderingFilter(django_filters.OrderingFilter):
    """OrderingFilter that always ends on the primary key, so pages never shuffle rows with equal sort keys."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        ordering = list(qs.query.order_by) or list(qs.model._meta.ordering)
        if "pk" not in ordering and "-pk" not in ordering:
            qs = qs.order_by(*ordering, "pk")
        return qs


class StrictBooleanFilter(django_filters.Filter):
    """`true`/`false` (or 1/0); anything else is a 400, not silently ignored."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false"), ("1", "1"), ("0", "0")])
        kwargs.setdefault("coerce", lambda value: value in ("true", "1"))
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("", None):
            return qs
        return super().filter(qs, value)
