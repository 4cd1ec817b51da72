import copy
import datetime
import re

import django_filters
import django_filters.rest_framework
from django import forms
from django.utils import timezone
from django_filters.filters import QuerySetRequestMixin

from . import indonesia

_WHOLE_NUMBER = re.compile(r"-?[0-9]+")


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
        kwargs.setdefault("error_messages", {"invalid_choice": "Must be true or false."})
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in ("", None):
            return qs
        return super().filter(qs, value)


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO date or date-time between the years 1900 and 9998 in UTC: the calendar's edges (0001-01-01,
    9999-12-31T23:59:59-12:00) overflow when converted for the database, which must be a 400, not a 500. A date, or
    a date-time without an offset, is in the marketplace's time (WIB, bantu.core.indonesia), not UTC."""

    def to_python(self, value):
        with timezone.override(indonesia.MARKET_TIME_ZONE):
            value = super().to_python(value)
        if value is None:
            return None
        try:
            in_utc = value.astimezone(datetime.UTC) if timezone.is_aware(value) else value
        except OverflowError:
            in_utc = None
        if in_utc is None or not 1900 <= in_utc.year <= 9998:
            raise forms.ValidationError("Use a date between 1900 and 9998.", code="invalid")
        return value


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField


class _CopiedFilterByFilter(dict):
    """A FilterSet's filters whose deep copy (django-filter makes one for every FilterSet instance, so that each
    request's filters have their own `parent`) is a shallow copy of each filter: the copy gets its own `parent`,
    `model`, label and form field; the arguments (`extra`: choices, help texts), which nothing changes after
    construction, are shared. A filter with a `method` is bound to its copy again (its `FilterMethod` holds the
    filter it was made for)."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, original in self.items():
            filter_ = copy.copy(original)
            if filter_.method is not None:
                filter_.method = filter_.method
            copies[name] = filter_
        return copies


class _CopiedFieldByField(dict):
    """A filter form's fields whose deep copy (Django makes one for every form) is a shallow copy of each field:
    parsing query parameters reads the fields (`clean`) and never changes them, their widgets or their choices,
    which Django deep-copies one by one (the province filter's 38 choices, twice)."""

    def __deepcopy__(self, memo):
        return {name: copy.copy(field) for name, field in self.items()}


class StrictFilterSet(django_filters.rest_framework.FilterSet):
    """A FilterSet that does not quietly ignore what it cannot use (PRODUCT.md §3: bad input is a 400):

    - a typed parameter (number, date, id, choice, boolean) given with an empty value (`?posted_since=`) is a 400;
    - a number is a whole number (amounts and rates are integer rupiah): `?min_rate=0.5` is a 400;
    - a `min_*`/`max_*` (or `*_min`/`*_max`) pair given the wrong way round is a 400;
    - an `ordering` with an empty item (`?ordering=,`, `?ordering=amount,`) is a 400.
    Free-text parameters may be empty (no filter).

    Cheaper per request than django-filter's own: it deep-copies every filter, choices and help texts included,
    and builds a new form class on each request, 0.7 of the 1.2 ms that parsing the job search's parameters took
    on a 2-core machine (docs/benchmarks.md, "Eighth round"). Here the filters are copied one by one
    (`_CopiedFilterByFilter`), the form class is built once per FilterSet class, like any Django form class (not
    when a filter's choices depend on the request: a model choice filter's queryset), and each form copies its
    fields one by one (`_CopiedFieldByField`)."""

    @classmethod
    def get_filters(cls):
        return _CopiedFilterByFilter(super().get_filters())

    def get_form_class(self):
        form_class = type(self).__dict__.get("_form_class_built_once")
        if form_class is None:
            form_class = super().get_form_class()
            form_class.base_fields = _CopiedFieldByField(form_class.base_fields)
            if not any(isinstance(filter_, QuerySetRequestMixin) for filter_ in self.filters.values()):
                type(self)._form_class_built_once = form_class
        return form_class

    def is_valid(self):
        valid = super().is_valid()
        for name, value in self.data.items():
            field = self.filters.get(name)
            if field is not None and value == "" and not isinstance(field, django_filters.CharFilter):
                self.form.add_error(name, "This parameter needs a value; leave it out for no filter.")
            elif isinstance(field, django_filters.OrderingFilter) and "" in str(value).split(","):
                # django-filter drops the empty items of the list (`?ordering=,` was no ordering), whose schema
                # items are an enum. (Lists of slugs, such as `skills`, allow a stray comma.)
                self.form.add_error(name, "An empty item in the list.")
            elif (isinstance(field, django_filters.NumberFilter) and name not in self.form.errors
                  and not _WHOLE_NUMBER.fullmatch(str(value))):
                self.form.add_error(name, "A whole number is required.")
        if valid:
            data = self.form.cleaned_data
            for low, high in self._ranges():
                if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                    self.form.add_error(high, f"Must be greater than or equal to {low}.")
        return valid and not self.form.errors

    def _ranges(self):
        for name in self.filters:
            if name.startswith("min_") and f"max_{name[4:]}" in self.filters:
                yield name, f"max_{name[4:]}"
            elif name.endswith("_min") and f"{name[:-4]}_max" in self.filters:
                yield name, f"{name[:-4]}_max"
