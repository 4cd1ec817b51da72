import base64
import re
from urllib.parse import parse_qsl

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError

_POSITIVE_INTEGER = re.compile(r"[1-9][0-9]{0,8}")


def _positive_integer_schemas(parameters: list) -> list:
    """What `_require_positive_integers` accepts, in the schema: generated clients and fuzzers then know that 0,
    -1 or ten digits are refused."""
    for parameter in parameters:
        if parameter["schema"].get("type") == "integer":
            parameter["schema"] |= {"minimum": 1, "maximum": 999_999_999}
    return parameters


def _require_positive_integers(request, *names) -> None:
    errors = {}
    for name in names:
        values = request.query_params.getlist(name)
        if values and (len(values) > 1 or not _POSITIVE_INTEGER.fullmatch(values[0])):
            errors[name] = ["A positive integer is required."]
    if errors:
        raise ValidationError(errors)


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=` and `?page_size=` (default 20, at most 100); answers `count`, `next`, `previous`, `results`.

    A malformed `page` or `page_size` (not a positive integer) is a 400 like any bad input (PRODUCT.md §3), not
    DRF's 404 or a silently ignored parameter; a `page_size` above 100 is served as 100; a page past the end is
    a 404."""

    page_size = 20
    page_size_query_param = "page_size"
    # The schema documents a 404 for every list whose paginator says so (bantu.core.schema).
    page_past_the_end_is_404 = True
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        _require_positive_integers(request, self.page_query_param, self.page_size_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        return _positive_integer_schemas(super().get_schema_operation_parameters(view))


class CursorPagination(pagination.CursorPagination):
    """Cursor pagination whose malformed `cursor` or `page_size` is a 400: DRF answers 404 for a cursor it
    cannot decode, and a well-encoded cursor with a position its ordering column cannot hold (base64 of `p=abc`
    for an integer column) raised ValueError, a 500."""

    def paginate_queryset(self, queryset, request, view=None):
        _require_positive_integers(request, self.page_size_query_param)
        cursors = request.query_params.getlist(self.cursor_query_param)
        if not cursors:
            return super().paginate_queryset(queryset, request, view)
        if len(cursors) > 1 or not _well_formed_cursor(cursors[0]):
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]})
        try:
            return super().paginate_queryset(queryset, request, view)
        except (NotFound, ValueError, TypeError, OverflowError, DjangoValidationError):
            raise ValidationError({self.cursor_query_param: ["Invalid cursor."]}) from None

    def get_schema_operation_parameters(self, view):
        parameters = _positive_integer_schemas(super().get_schema_operation_parameters(view))
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                # An opaque value from `next`/`previous`: never empty. Which values exist, no schema can say.
                parameter["schema"] = {"type": "string", "minLength": 1, "pattern": "^[A-Za-z0-9+/]+={0,2}$"}
        return parameters


def _well_formed_cursor(encoded: str) -> bool:
    """What DRF itself writes: base64 of a query string with only its keys (o offset, r reverse, p position).
    DRF's decoder skips characters that are not base64, so `%%%` would pass as the first page."""
    try:
        decoded = base64.b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
    except (ValueError, UnicodeError):
        return False
    keys = {key for key, _ in parse_qsl(decoded, keep_blank_values=True)}
    return bool(keys) and keys <= {"o", "r", "p"}
