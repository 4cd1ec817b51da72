"""bantu.core.renderers: the bytes DRF's JSONRenderer writes, from orjson, on the awkward cases too."""

import datetime
import decimal
import uuid
import zoneinfo

import pytest
from django.utils.functional import lazy
from rest_framework import renderers as drf_renderers
from rest_framework.exceptions import ErrorDetail

from bantu.core.renderers import JSONRenderer, dumps

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")
lazy_text = lazy(lambda: "teks malas", str)

CASES = {
    "plain": {"a": 1, "b": [1, 2.5, None, True, False], "c": {"d": "e"}},
    "unicode": {"body": "Halo 👋 — ñ 漢字 \u00e9", "emoji_only": "🙂"},
    "control characters": {"s": "tab\tnl\ncr\rbs\bff\f nul\x00 esc\x1b del\x7f quote\" backslash\\ slash/"},
    "javascript separators": {"s": "line\u2028paragraph\u2029end"},
    "aware utc datetime": {"t": datetime.datetime(2026, 12, 4, 10, 0, 0, 123456, tzinfo=datetime.UTC)},
    "aware non-utc datetime": {"t": datetime.datetime(2026, 12, 4, 17, 0, tzinfo=JAKARTA)},
    "naive datetime": {"t": datetime.datetime(2026, 12, 4, 10, 0)},
    "date and time": {"d": datetime.date(2026, 12, 4), "t": datetime.time(10, 30, 15)},
    "timedelta": {"d": datetime.timedelta(hours=25, seconds=3)},
    "uuid": {"id": uuid.UUID("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")},
    "decimal": {"x": decimal.Decimal("12.50")},
    "lazy string": {"x": lazy_text()},
    "error detail": {"errors": {"f": [ErrorDetail("Wajib diisi.", code="required")]}},
    "tuple and set": {"t": (1, 2), "s": {3}},
    "bytes": {"b": b"raw"},
    "big int beyond 64 bits": {"n": 2**70},
    "int and float edges": {"n": -(2**63), "m": 2**64 - 1, "g": 1.0, "h": 123456789.125, "r": 4.67, "z": -0.0},
    "empty": {},
    "list at the top": [1, "two", {"three": 3}],
    "string at the top": "just a string",
}


@pytest.mark.parametrize("data", CASES.values(), ids=CASES.keys())
def test_same_bytes_as_drf(data):
    assert JSONRenderer().render(data) == drf_renderers.JSONRenderer().render(data)


def test_indentation_asked_for_is_drf_s():
    data = {"a": [1, 2]}
    ours = JSONRenderer().render(data, "application/json; indent=2")
    assert ours == drf_renderers.JSONRenderer().render(data, "application/json; indent=2")
    assert ours == b'{\n  "a": [\n    1,\n    2\n  ]\n}'


def test_no_content_is_empty():
    assert JSONRenderer().render(None) == b""


def test_dumps_refuses_what_orjson_cannot_write():
    with pytest.raises(TypeError):
        dumps({"n": 2**70})


def test_the_one_difference_exponent_floats_are_the_same_number_written_shorter():
    """Python writes 1e-07 where orjson writes 1e-7 (floats below 1e-4 or from 1e16): valid JSON, the same value.
    The API's numbers are integers (rupiah, counts) and ratings (one decimal place), never in that range."""
    data = {"tiny": 1e-7, "huge": 1e17}
    assert JSONRenderer().render(data) == b'{"tiny":1e-7,"huge":1e+17}'
    assert drf_renderers.JSONRenderer().render(data) == b'{"tiny":1e-07,"huge":1e+17}'
