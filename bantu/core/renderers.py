"""JSON out: one encoder for REST answers and socket frames, DRF's output byte for byte, written by orjson.

DRF's JSONRenderer spends ~0.3-0.5 ms on a search page (20 jobs) in Python's json module; orjson writes the
same bytes in ~0.03 ms (measured: docs/benchmarks.md, "Serving HTTP"). Anything orjson does not write the way
DRF does (datetimes, which DRF writes with `Z` for UTC; Decimal, lazy strings and the rest that DRF's encoder
knows) goes through DRF's own encoder, and anything orjson refuses (an int beyond 64 bits, a lone surrogate) is
rendered by DRF itself. `tests/core/test_renderers.py` compares the two on the awkward cases. The one
difference: a float below 1e-4 or from 1e16 is written `1e-7` rather than Python's `1e-07` (the same number; the
API's numbers are integer rupiah, counts and ratings, never in that range).
"""

import orjson
from django.http import HttpResponse, HttpResponseBase
from rest_framework import renderers
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

_drf_encoder = JSONEncoder()
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME  # DRF's format: isoformat, `+00:00` written `Z`
# DRF escapes these two so that the JSON is also valid JavaScript; orjson does not.
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


def dumps(data) -> bytes:
    """`data` as compact UTF-8 JSON, exactly as DRF's JSONRenderer (UNICODE_JSON, COMPACT_JSON) writes it.
    Raises orjson.JSONEncodeError (a TypeError) for what orjson cannot write; `JSONRenderer` falls back to DRF."""
    out = orjson.dumps(data, default=_drf_encoder.default, option=_OPTIONS)
    if _LINE_SEPARATOR in out or _PARAGRAPH_SEPARATOR in out:
        out = out.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
    return out


class JSONRenderer(renderers.JSONRenderer):
    """DRF's renderer with `dumps` for the common case: no indentation asked for (`Accept: application/json;
    indent=2` keeps DRF's path, as does anything orjson refuses)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}) is None:
            try:
                return dumps(data)
            except TypeError:
                pass
        return super().render(data, accepted_media_type, renderer_context)


def render_json(data) -> bytes:
    """The body `JSONRenderer` writes for `data` when no indentation is asked for: what a cache may keep, so that
    a hit is served by `json_response` without unpickling the data and rendering it again."""
    return JSONRenderer().render(data)


def json_response(request, body: bytes, *, headers: dict | None = None) -> HttpResponseBase:
    """A 200 answer to a DRF `request` (content already negotiated: JSON) with `body`, bytes from `render_json`:
    the same body and Content-Type as `Response(data)`. When the client asked for indented JSON (`Accept:
    application/json; indent=2`) the data is read back and rendered by DRF, as `Response(data)` would be."""
    renderer = request.accepted_renderer
    if renderer.get_indent(request.accepted_media_type, {}) is not None:
        return Response(orjson.loads(body), headers=headers)
    return HttpResponse(body, content_type=renderer.media_type, headers=headers)
