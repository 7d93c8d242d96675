"""Parse JSON and TOML text within bounds, so that no file can hang the engine or exhaust it.

Every reader of text a user or a rubric author wrote parses here: assessment
files, JSON Lines batch rows, rubric, criteria, crosswalk and golden-case
files. Anything outside the bounds is one :class:`~spbe_engine.errors.SpbeError`
(of the type the caller names) with the field path, the value as written and
what is allowed; the reasons are in ``docs/decisions.md``:

- a decimal number has :data:`~spbe_engine._numbers.BOUNDS`, however it is
  written: ``1e999999999`` is refused as written, never expanded;
- NaN and Infinity are refused (JSON has neither; no figure is either);
- tables and arrays nest at most :data:`MAX_DEPTH` levels deep;
- a whole number has at most Python's 4,300 digits (longer ones are refused
  here rather than raising a bare ``ValueError``); a level, weight or
  published value is then bounded where it is read;
- JSON text is Unicode: a lone surrogate escape (``"\\ud800"``) is refused.
"""

from __future__ import annotations

import json
import re
import tomllib
from decimal import Decimal, InvalidOperation
from typing import Any, Final

import attrs

from ._numbers import BOUNDS, OutOfBoundsError, check_bounds
from .errors import SpbeError

__all__ = ["MAX_DEPTH", "loads_json", "loads_toml"]

#: Tables and arrays nest at most this deep (the document itself is level 1). A rubric file
#: needs five levels, an assessment three; the parsers recurse per level, so a bound well
#: below Python's recursion limit keeps every later walk safe too.
MAX_DEPTH: Final = 32
_DEPTH_ALLOWED: Final = f"at most {MAX_DEPTH} levels of nested tables and arrays"
_LONE_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_DIGITS = re.compile(r"[0-9_]+")
_STRUCTURE = re.compile(r'[\[\]{}"\\\n]')
#: A TOML key (bare or quoted) followed by a dot, MAX_DEPTH times in a row: a dotted key or table
#: name nested deeper than the bound. Possessive and anchored, so one pass is linear.
_TOML_KEY_PART = r"""(?:[A-Za-z0-9_-]++|"(?:[^"\\\n]|\\.)*+"|'[^'\n]*+')"""
_DEEP_TOML_KEY = re.compile(rf"""(?<![\w"'.-])(?:{_TOML_KEY_PART}[ \t]*+\.[ \t]*+){{{MAX_DEPTH}}}""")


@attrs.frozen
class _Refused:
    """Stands in, during parsing only, for a number outside the bounds; the walk reports it by path."""

    text: str
    problem: str
    allowed: str


class _Found(Exception):
    """Carries a refusal up the walk, collecting the field path on the way."""

    def __init__(self, problem: str, value: Any, allowed: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.value = value
        self.allowed = allowed
        self.path: list[str | int] = []


def _decimal(text: str) -> Decimal | _Refused:
    """Parse one float literal to an exact Decimal, or stand in for it if it is out of bounds."""
    try:
        return check_bounds(Decimal(text))
    except InvalidOperation:  # an exponent beyond even Decimal's range
        return _Refused(text, "number out of range", f"a decimal number with {BOUNDS}")
    except OutOfBoundsError as exc:
        return _Refused(text, str(exc), f"a decimal number with {BOUNDS}")


def _constant(text: str) -> _Refused:
    return _Refused(text, "not a JSON number", "a decimal number such as 2.75 (JSON has no NaN or Infinity)")


def _walk(item: Any, depth: int, *, strings: bool) -> Any:
    """Return ``item`` as plain Python (TOML dates become ISO text), refusing what is out of bounds.

    Raises :class:`_Found` for a container nested deeper than :data:`MAX_DEPTH`,
    a refused number, or (with ``strings``) text holding a lone surrogate.
    """
    if isinstance(item, dict | list):
        if depth > MAX_DEPTH:
            raise _Found("nested too deeply", None, _DEPTH_ALLOWED)
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        out: list[tuple[Any, Any]] = []
        for key, value in pairs:
            try:
                if strings and isinstance(key, str) and _SURROGATE.search(key):
                    raise _Found("a key holds a lone surrogate, which is not text", None, "Unicode text")
                out.append((key, _walk(value, depth + 1, strings=strings)))
            except _Found as found:
                found.path.append(key)
                raise
        return dict(out) if isinstance(item, dict) else [value for _, value in out]
    if isinstance(item, _Refused):
        raise _Found(item.problem, item.text, item.allowed)
    if isinstance(item, str):
        if strings and _SURROGATE.search(item):
            raise _Found("holds a lone surrogate, which is not text", None, "Unicode text")
        return item
    if hasattr(item, "isoformat"):
        return item.isoformat()
    return item


def _checked(data: Any, error: type[SpbeError], *, strings: bool = False) -> Any:
    try:
        return _walk(data, 1, strings=strings)
    except _Found as found:
        path = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in reversed(found.path))
        raise error(found.problem, field=path.lstrip(".") or None, value=found.value, allowed=found.allowed) from None


def _deep_line(text: str, first_line: int = 1) -> str | None:
    """Name the line where brackets outside double-quoted strings first nest deeper than MAX_DEPTH.

    One linear pass over the brackets, quotes and newlines, only on the error path. Exact
    for JSON; for TOML a hint (a literal string or a comment holding brackets can mislead it).
    """
    depth, line, in_string, skip = 0, first_line, False, -1
    for match in _STRUCTURE.finditer(text):
        char, at = match.group(), match.start()
        if at == skip:
            continue
        if char == "\n":
            line += 1
        elif in_string:
            if char == "\\":
                skip = at + 1  # the escaped character
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return f"line {line}"
        elif char in "]}":
            depth -= 1
    return None


def _long_number_line(text: str, first_line: int = 1) -> str | None:
    """Name the line of the first run of over 4,000 digits (one linear pass; only on the error path)."""
    for match in _DIGITS.finditer(text):
        if match.end() - match.start() > 4000:
            return f"line {text.count(chr(10), 0, match.start()) + first_line}"
    return None  # pragma: no cover - the parser refused some whole number


def loads_toml(text: str, error: type[SpbeError]) -> dict[str, Any]:
    """Parse TOML text into plain Python data (floats as exact Decimals, dates as ISO text) within the bounds.

    Every problem, a syntax error or a duplicate key included, is one ``error``
    without a file (the caller adds it).
    """
    _check_toml_keys(text, error)
    try:
        # parse_float hands over each float's source text: exact, never a binary float.
        document = tomllib.loads(text, parse_float=_decimal)
    except tomllib.TOMLDecodeError as exc:  # syntax errors and duplicate keys alike
        raise error(f"malformed TOML: {exc}") from None
    except RecursionError:
        raise error("malformed TOML: nested too deeply", field=_deep_line(text), allowed=_DEPTH_ALLOWED) from None
    except ValueError:  # tomllib reads whole numbers with int(), which refuses over 4,300 digits
        raise error(
            "malformed TOML: a whole number too long to read",
            field=_long_number_line(text),
            allowed=f"a number with {BOUNDS}",
        ) from None
    plain = _checked(document, error)
    assert isinstance(plain, dict)
    return plain


def _check_toml_keys(text: str, error: type[SpbeError]) -> None:
    """Refuse a dotted key or table name of more than MAX_DEPTH parts before tomllib sees it.

    tomllib takes time quadratic in the parts of one key (8,000 parts: 2 s;
    80,000: minutes), so such a key must not reach it. A key lies on one line;
    only a line with MAX_DEPTH dots or more is searched.
    """
    if text.count(".") < MAX_DEPTH:
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if line.count(".") >= MAX_DEPTH and _DEEP_TOML_KEY.search(line):
            raise error("malformed TOML: a key nested too deeply", field=f"line {number}", allowed=_DEPTH_ALLOWED)


def loads_json(text: str, error: type[SpbeError], *, first_line: int = 1) -> Any:
    """Parse JSON text (floats as exact Decimals) within the bounds; refuse duplicate keys.

    Every problem is one ``error`` without a file (the caller adds it); a
    syntax error names ``line L column C``, counting ``text``'s lines from
    ``first_line`` (a JSON Lines reader passes the row's line).
    """
    refused = False

    def decimal(literal: str) -> Decimal | _Refused:
        nonlocal refused
        value = _decimal(literal)
        refused = refused or isinstance(value, _Refused)
        return value

    def constant(literal: str) -> _Refused:
        nonlocal refused
        refused = True
        return _constant(literal)

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise error("duplicate key", field=key)
            out[key] = value
        return out

    try:
        data = json.loads(text, parse_float=decimal, parse_constant=constant, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as exc:
        where = f"line {first_line + exc.lineno - 1} column {exc.colno}"
        raise error(f"malformed JSON: {exc.msg}", field=where) from None
    except RecursionError:
        deep = _deep_line(text, first_line)
        raise error("malformed JSON: nested too deeply", field=deep, allowed=_DEPTH_ALLOWED) from None
    except ValueError:  # int() refuses a whole number of over 4,300 digits
        raise error(
            "malformed JSON: a whole number too long to read",
            field=_long_number_line(text, first_line),
            allowed=f"a number with {BOUNDS}",
        ) from None
    # Walk the parsed data only when something may be wrong: counting brackets is C-fast, and a
    # text with no more than MAX_DEPTH of them cannot nest deeper.
    strings = _LONE_SURROGATE_ESCAPE.search(text) is not None
    if refused or strings or text.count("[") + text.count("{") > MAX_DEPTH:
        _checked(data, error, strings=strings)
    return data
