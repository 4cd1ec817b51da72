import re

from rest_framework import pagination
from rest_framework.exceptions import ValidationError

_POSITIVE_INTEGER = re.compile(r"[1-9][0-9]{0,8}")


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (default 20, at most 100); answers `count`, `next`, `previous`, `results`.

    A malformed `page` or `page_size` (not a positive integer) is a 400 like any bad input (PRODUCT.md §3), not
    DRF's 404 or a silently ignored parameter; a `page_size` above 100 is served as 100; a page past the end is
    a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        errors = {}
        for name in (self.page_query_param, self.page_size_query_param):
            values = request.query_params.getlist(name)
            if values and (len(values) > 1 or not _POSITIVE_INTEGER.fullmatch(values[0])):
                errors[name] = ["A positive integer is required."]
        if errors:
            raise ValidationError(errors)
        return super().paginate_queryset(queryset, request, view)
