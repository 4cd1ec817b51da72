"""Parsing JSON from outside (webhooks, socket frames) so that bad bytes are bad input, never a crash.

Python's `json` accepts what our storage and renderers cannot: nesting deep enough to exhaust the stack (it
raises RecursionError, not ValueError), lone UTF-16 surrogates ("\\ud800", which fail later when encoded as
UTF-8) and NUL characters (which PostgreSQL text refuses). `loads_strict` refuses all of them up front.
"""

import json

MAX_DEPTH = 64


class JSONInputError(ValueError):
    """The input is not JSON we accept; the message says why (safe to show to the sender)."""


def _check(value, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise JSONInputError(f"JSON nested deeper than {MAX_DEPTH} levels.")
    if isinstance(value, str):
        _check_text(value)
    elif isinstance(value, dict):
        for key, child in value.items():
            _check_text(key)
            _check(child, depth + 1)
    elif isinstance(value, list):
        for child in value:
            _check(child, depth + 1)


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise JSONInputError("Text must not contain NUL characters.")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise JSONInputError("Text is not valid Unicode (lone surrogate).") from None


def loads_strict(data: bytes | str):
    """Decode JSON text (bytes must be UTF-8) and check it. Raises JSONInputError for anything refused."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes | bytearray) else data
        value = json.loads(text, parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise JSONInputError(f"Malformed JSON: {type(exc).__name__}.") from None
    _check(value, 0)
    return value


def _refuse_constant(name: str):
    raise JSONInputError(f"{name} is not JSON.")
