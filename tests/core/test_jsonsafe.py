"""bantu.core.jsonsafe.loads_strict: deep nesting is refused before the recursive parser runs.

CI once failed on `b"[" * 5000`: the stdlib parser recursed to the interpreter's limit, a finalizer ran at that
depth, and pytest's unraisable-exception hook failed with RecursionError too. Nesting is now counted first."""

import json
import sys
from types import SimpleNamespace

import pytest

from bantu.core import jsonsafe
from bantu.core.jsonsafe import MAX_DEPTH, JSONInputError, loads_strict


def _parser_must_not_run(*args, **kwargs):
    pytest.fail("the recursive parser ran on input nested too deeply")


def _arrays(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("text", [
    "[" * 5000,
    _arrays(5000),
    '{"a": ' * 3000 + "1" + "}" * 3000,
    '{"ok": "' + "[" * 5000 + '", "deep": ' + _arrays(MAX_DEPTH + 1) + "}",
    "[" * 200_000,
], ids=["unclosed", "arrays", "objects", "after-a-bracket-string", "huge"])
def test_nesting_too_deep_is_refused_without_parsing(monkeypatch, text):
    monkeypatch.setattr(jsonsafe, "json", SimpleNamespace(loads=_parser_must_not_run))

    with pytest.raises(JSONInputError, match="nested too deeply"):
        loads_strict(text)


def test_the_deepest_allowed_nesting_parses_well_inside_the_recursion_limit():
    # Room for the allowed depth plus this call's own frames, and no more: a parser that recursed further fails.
    frames_here = _stack_depth()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(frames_here + MAX_DEPTH + 50)
    try:
        assert loads_strict(_arrays(MAX_DEPTH)) == json.loads(_arrays(MAX_DEPTH))
        with pytest.raises(JSONInputError, match="nested too deeply"):
            loads_strict(_arrays(MAX_DEPTH + 1))
    finally:
        sys.setrecursionlimit(limit)


def _stack_depth() -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


@pytest.mark.parametrize("text", [
    '{"brackets": "' + "[{" * 500 + '"}',
    '{"escaped": "\\"' + "[" * 500 + '\\\\"}',
    '[' * 10 + '"]]]]]]]]]]]]]' + "[" * 100 + '"' + ']' * 10,
    '"' + "[" * 100 + '"',
    '["' + "{" * 100 + '\u00e9 é 日本 🙂"]',
], ids=["in-a-string", "after-escapes", "closing-in-a-string", "only-a-string", "multibyte"])
def test_brackets_inside_strings_do_not_count(text):
    assert loads_strict(text) == json.loads(text)


def test_the_depth_limit_is_the_callers():
    assert loads_strict(_arrays(3), max_depth=3) == [[[]]]
    with pytest.raises(JSONInputError, match="nested too deeply"):
        loads_strict(_arrays(4), max_depth=3)
