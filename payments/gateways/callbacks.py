"""Reading gateway callbacks: strict JSON, whole-rupiah amounts, headers and secrets (used by every adapter)."""

import hmac
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from bantu.core.jsonsafe import JSONInputError, loads_strict

MAX_CALLBACK_BYTES = 64 * 1024  # real callbacks are a few KB; anything near this is not a gateway talking
MAX_JSON_DEPTH = 16  # Xendit and Midtrans nest three levels at most
MAX_RUPIAH = 10**15  # far above any real payment; bounds int() of an attacker's "1e999999999"

MalformedJSON = JSONInputError


def load_callback_json(body: bytes) -> dict:
    """Parse a callback body strictly (`bantu.core.jsonsafe.loads_strict`, at most MAX_CALLBACK_BYTES and
    MAX_JSON_DEPTH) into a dict. Raises MalformedJSON (= JSONInputError), also for anything but an object."""
    if not isinstance(body, bytes | bytearray):
        raise MalformedJSON("body missing")
    data = loads_strict(body, max_bytes=MAX_CALLBACK_BYTES, max_depth=MAX_JSON_DEPTH, decimals=True)
    if not isinstance(data, dict):
        raise MalformedJSON("not a JSON object")
    return data


def plain_json(value: Any) -> Any:
    """A copy of `load_callback_json` output with its Decimals turned back into JSON-native numbers (int when
    whole, else float), so `GatewayEvent.raw` can go into a JSONField as is. Money never comes from `raw`."""
    if isinstance(value, dict):
        return {key: plain_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_json(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.adjusted() < 16 else float(value)
    return value


def whole_rupiah(value: Any) -> int:
    """A JSON amount (int, or Decimal from `load_callback_json`) as integer rupiah: 150000 and 150000.0 give
    150000. Raises MalformedJSON for fractions (150000.5), negatives, booleans, non-numbers and amounts of
    MAX_RUPIAH or more."""
    if isinstance(value, Decimal):
        if not value.is_finite() or value.adjusted() >= 16 or value != value.to_integral_value():
            raise MalformedJSON("amount is not a whole number of rupiah")
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < MAX_RUPIAH:
        raise MalformedJSON("amount is not a whole number of rupiah")
    return value


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The value of header `name` in `headers`, whatever the case of its name; None when absent."""
    wanted = name.lower()
    return next((value for key, value in headers.items() if str(key).lower() == wanted), None)


def same_secret(given: Any, expected: str) -> bool:
    """Constant-time equality of a received secret with the configured one; False when either is empty."""
    if not expected or not isinstance(given, str) or not given:
        return False
    try:
        return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate smuggled into a header
        return False
