"""Read JSON bodies as the engine reads assessment files: exact decimals, no duplicate keys, bounded nesting.

A JSON number with a fraction or an exponent becomes a :class:`~decimal.Decimal`
(never a float: published values such as ``2.90`` keep every digit), a key
given twice is an :class:`~spbe_engine.errors.InputError` naming it, and
nesting deeper than the service allows is refused before it is parsed.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from litestar import Request
from litestar.types import Empty

from ..errors import InputError
from .problems import ServiceProblem

__all__ = ["ExactRequest", "check_depth", "decode", "nesting_depth"]

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def nesting_depth(text: bytes) -> int:
    """Return how deeply arrays and objects nest in JSON text (brackets inside strings do not count)."""
    brackets = _STRING.sub(b"", text).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        depth += 1 if byte in b"[{" else -1
        deepest = max(deepest, depth)
    return deepest


def check_depth(text: bytes, limit: int, field: str = "body") -> None:
    """Refuse JSON text nested deeper than ``limit`` (counted only where it could be: cheap for flat text)."""
    if text.count(b"[") + text.count(b"{") > limit and nesting_depth(text) > limit:
        raise InputError("JSON nested too deeply", field=field, allowed=f"at most {limit} levels of arrays and objects")


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError("duplicate key", field=key)
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise InputError("not a JSON number", field="body", value=name, allowed="decimal numbers such as 2.90")


def decode(body: bytes, max_depth: int) -> Any:
    """Parse a JSON body exactly; malformed, duplicate-keyed or too deeply nested JSON is an InputError."""
    check_depth(body, max_depth)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc.reason} at byte {exc.start}", field="body") from None
    try:
        value = json.loads(text, parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", field="body") from None
    if b"\\u" in body:  # an escape may stand for half a surrogate pair, which is not text
        try:
            json.dumps(value, ensure_ascii=False, default=str).encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(
                "a lone surrogate escape is not text", field="body", allowed="whole characters (pairs as pairs)"
            ) from None
    return value


class ExactRequest(Request[Any, Any, Any]):
    """A Litestar request whose JSON body is read exactly (see :func:`decode`); bad JSON answers 400."""

    async def json(self) -> Any:
        """Return the body parsed exactly, once; malformed JSON is a 400 problem naming what is wrong."""
        cached = self._connection_state.json
        if cached is not Empty:
            return cached
        depth = self.app.state.spbe.settings.max_json_depth
        body = await self.body()
        try:
            value = decode(body or b"null", depth)
        except InputError as exc:
            raise ServiceProblem(
                400, str(exc), kind="MalformedJSON", field=exc.field, value=exc.value, allowed=exc.allowed
            ) from None
        self._json = self._connection_state.json = value
        return value
