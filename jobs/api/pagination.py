"""Pages of the job search: page numbers over a capped count, or keyset cursors for newest-first browsing.

One envelope for both: `count` (at most 1,000), `count_capped`, `next`, `previous`, `results`."""

import base64
import binascii
import datetime
import math
import re
import uuid

from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.utils.urls import remove_query_param, replace_query_param

from bantu.core.pagination import _positive_integer_schemas, _require_positive_integers
from jobs.search import JobSearch, Position

FIRST = "first"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,200}")
_POSITION = re.compile(r"([ab])\|([0-9T:.+-]*)\|([0-9a-f-]{36})")


def encode_position(position: Position) -> str:
    published = position.published_at.isoformat() if position.published_at is not None else ""
    raw = f"{'b' if position.backwards else 'a'}|{published}|{position.job_id}"
    return base64.urlsafe_b64encode(raw.encode("ascii")).decode("ascii").rstrip("=")


def decode_position(token: str) -> Position:
    """Raises ValueError for anything `encode_position` did not write."""
    if not _TOKEN.fullmatch(token):
        raise ValueError(token)
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        raise ValueError(token) from None
    match = _POSITION.fullmatch(raw)
    if match is None:
        raise ValueError(token)
    direction, published, job_id = match.groups()
    published_at = datetime.datetime.fromisoformat(published) if published else None
    if published_at is not None and published_at.tzinfo is None:
        raise ValueError(token)
    return Position(published_at=published_at, job_id=uuid.UUID(job_id), backwards=direction == "b")


class JobSearchPagination(pagination.BasePagination):
    """`?page=` (from 1) and `?page_size=` (default 20, at most 100; more is served as 100) over the capped
    count: pages reach the first BANTU["SEARCH_COUNT_CAP"] (1,000) results, a page past the end is a 404.

    `?cursor=first`, then the `next`/`previous` links: keyset pages in newest-first order (no `q`, or
    `ordering=newest`), as deep as the data goes, at the same cost on every page; jobs published at the same
    moment are neither skipped nor repeated (the position is the publication time and the id). A cursor with
    another ordering, together with `page`, or one this API did not write is a 400."""

    page_past_the_end_is_404 = True  # documented by the schema (bantu.core.schema)

    page_size = 20
    max_page_size = 100
    page_query_param = "page"
    page_size_query_param = "page_size"
    cursor_query_param = "cursor"

    def paginate_search(self, search: JobSearch, request) -> list:
        """The page's jobs; afterwards `get_paginated_data` builds the envelope. Raises ValidationError (400)
        and NotFound (404)."""
        _require_positive_integers(request, self.page_query_param, self.page_size_query_param)
        self.request = request
        self.search = search
        size = request.query_params.get(self.page_size_query_param)
        self.size = min(int(size), self.max_page_size) if size else self.page_size
        self.next_url = self.previous_url = None
        cursors = request.query_params.getlist(self.cursor_query_param)
        if cursors:
            return self._by_cursor(search, cursors)
        return self._by_page(search)

    def _by_page(self, search: JobSearch) -> list:
        number = int(self.request.query_params.get(self.page_query_param, 1))
        count = search.count
        last = max(1, math.ceil(count / self.size))
        if number > last:
            detail = "Invalid page."
            if search.count_capped:
                detail += (f" Page numbers reach the first {count:,} results; narrow the search, or browse newest "
                           f"first with `cursor`.")
            raise NotFound(detail)
        url = self.request.build_absolute_uri()
        if number < last:
            self.next_url = replace_query_param(url, self.page_query_param, number + 1)
        if number == 2:
            self.previous_url = remove_query_param(url, self.page_query_param)
        elif number > 2:
            self.previous_url = replace_query_param(url, self.page_query_param, number - 1)
        return search.page((number - 1) * self.size, self.size) if count else []

    def _by_cursor(self, search: JobSearch, cursors: list[str]) -> list:
        def invalid(message):
            return ValidationError({self.cursor_query_param: [message]})

        if len(cursors) > 1:
            raise invalid("Give one cursor.")
        if self.page_query_param in self.request.query_params:
            raise invalid("Use either `page` or `cursor`, not both.")
        if search.ordering != "newest":
            raise invalid("Cursor pages are newest first: use `ordering=newest` (or leave out `q` and `ordering`).")
        position = None
        if cursors[0] != FIRST:
            try:
                position = decode_position(cursors[0])
            except ValueError:
                raise invalid("Invalid cursor.") from None
        search.count  # noqa: B018  (the envelope's count; a query that finds nothing is corrected for typos first)
        rows = search.after(position, self.size + 1)
        url = self.request.build_absolute_uri()

        def link(at, backwards):
            token = encode_position(Position(at.published_at, at.pk, backwards))
            return replace_query_param(url, self.cursor_query_param, token)

        if position is None or not position.backwards:
            more, rows = len(rows) > self.size, rows[:self.size]
            if more:
                self.next_url = link(rows[-1], backwards=False)
            if position is not None:
                self.previous_url = (link(rows[0], backwards=True) if rows else replace_query_param(
                    url, self.cursor_query_param, encode_position(Position(position.published_at, position.job_id,
                                                                           backwards=True))))
        else:
            more, rows = len(rows) > self.size, rows[-self.size:]
            if more:
                self.previous_url = link(rows[0], backwards=True)
            self.next_url = (link(rows[-1], backwards=False) if rows
                             else replace_query_param(url, self.cursor_query_param, FIRST))
        return rows

    def get_paginated_data(self, results) -> dict:
        return {"count": self.search.count, "count_capped": self.search.count_capped, "next": self.next_url,
                "previous": self.previous_url, "results": results}

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "count_capped", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "minimum": 0, "maximum": 1000, "example": 123,
                          "description": "Matching jobs, counted up to 1,000."},
                "count_capped": {"type": "boolean", "example": False,
                                 "description": "True when more than 1,000 jobs match (`count` is then 1000)."},
                "next": {"type": "string", "nullable": True, "format": "uri",
                         "example": "http://api.example.org/api/v1/jobs/?page=4"},
                "previous": {"type": "string", "nullable": True, "format": "uri",
                             "example": "http://api.example.org/api/v1/jobs/?page=2"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        parameters = _positive_integer_schemas([
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": "A page number within the first 1,000 results (from 1).",
             "schema": {"type": "integer"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": "Results per page (default 20, at most 100).", "schema": {"type": "integer"}},
        ])
        parameters.append({
            "name": self.cursor_query_param, "required": False, "in": "query",
            "description": "Keyset pages, newest first, as deep as the data goes: `first`, then the value in the "
                           "`next` or `previous` link. Not with `page`, nor with an ordering other than newest.",
            "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[A-Za-z0-9_-]+$"},
        })
        return parameters
