"""Receive a batch body onto disk, bounded: CSV, JSON Lines or a JSON array, checked before any row is scored.

The body is written to a temporary file as it arrives (never held whole),
checked to be UTF-8, its rows counted against the limit and, for JSON,
its nesting bounded. A JSON array is rewritten as JSON Lines, one element
per line, from its own text (numbers keep every digit). The engine's batch
pipeline then reads the file like any ``spbe batch`` input.
"""

from __future__ import annotations

import codecs
import json
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import IO

import anyio
import attrs

from ..errors import InputError
from .exact_json import check_depth
from .problems import ServiceProblem

__all__ = ["BODY_TYPES", "Spooled", "body_suffix", "spool"]

#: Request content types a batch is read from, and the file type the engine reads each as.
BODY_TYPES = {
    "text/csv": ".csv",
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "application/x-jsonlines": ".jsonl",
    "application/json": ".json",
}
_CHUNK = 1024 * 1024


@attrs.frozen(kw_only=True)
class Spooled:
    """A received batch: the file the engine reads, and the folder to remove afterwards."""

    path: Path
    folder: Path

    def remove(self) -> None:
        """Delete the spooled body."""
        shutil.rmtree(self.folder, ignore_errors=True)


def body_suffix(content_type: str | None) -> str:
    """Return the file type of a batch body from its content type; 415 for any other."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    suffix = BODY_TYPES.get(media)
    if suffix is None:
        raise ServiceProblem(
            415,
            f"unsupported batch body type {media or '(none)'}",
            kind="UnsupportedMediaType",
            field="content-type",
            value=media or None,
            allowed=", ".join(BODY_TYPES),
        )
    return suffix


def _too_many(rows: int, limit: int) -> ServiceProblem:
    return ServiceProblem(
        413, f"the batch has more than {limit} rows", kind="TooManyRows", field="rows", allowed=f"at most {limit} rows"
    )


async def spool(
    chunks: AsyncIterator[bytes], suffix: str, *, max_rows: int, max_depth: int, timeout: float, folder: str | None
) -> Spooled:
    """Write a batch body to a temporary file and check it; return where it is (remove it when done)."""
    where = Path(tempfile.mkdtemp(prefix="spbe-batch-", dir=folder))
    raw = where / f"body{suffix}"
    try:
        with anyio.fail_after(timeout):
            lines = await _receive(chunks, raw, max_depth if suffix == ".jsonl" else None)
        if suffix == ".json":
            target = where / "body.jsonl"
            await anyio.to_thread.run_sync(_array_to_lines, raw, target, max_rows, max_depth)
            raw.unlink()
            return Spooled(path=target, folder=where)
        rows = lines - (1 if suffix == ".csv" else 0)
        if rows > max_rows:
            raise _too_many(rows, max_rows)
        return Spooled(path=raw, folder=where)
    except TimeoutError:
        shutil.rmtree(where, ignore_errors=True)
        raise ServiceProblem(
            408, f"the body did not arrive within {timeout:g} s", kind="Timeout", field="body"
        ) from None
    except BaseException:
        shutil.rmtree(where, ignore_errors=True)
        raise


#: Every byte but the brackets and the line end, deleted to count each line's opening brackets in C.
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}\n")


async def _receive(chunks: AsyncIterator[bytes], path: Path, depth_limit: int | None) -> int:
    """Write the chunks to ``path`` checking UTF-8 (and, for JSON Lines, each line's nesting); return the lines."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    offset = 0
    carry = b""
    checked = 0  # lines whose nesting was checked
    last = b"\n"
    with open(path, "wb") as out:
        async for chunk in chunks:
            if not chunk:
                continue
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                raise InputError(f"not UTF-8 text: {exc.reason} near byte {offset + exc.start}", field="body") from None
            offset += len(chunk)
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            if depth_limit is not None:
                head, newline, carry = (carry + chunk).rpartition(b"\n")
                if newline:
                    _check_lines(head, depth_limit, checked)
                    checked += head.count(b"\n") + 1
            out.write(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text: the body ends inside a character", field="body") from None
    if depth_limit is not None:
        _check_lines(carry, depth_limit, checked)
    return lines + (last != b"\n")


def _check_lines(text: bytes, limit: int, before: int) -> None:
    """Refuse a line of JSON Lines nested deeper than ``limit`` (only a line with that many brackets can be)."""
    counts = text.translate(None, _NOT_BRACKETS).split(b"\n")
    if max(map(len, counts), default=0) <= limit:  # brackets per line, closing ones too: an upper bound
        return
    lines = text.split(b"\n")
    for number, brackets in enumerate(counts):
        if len(brackets) > limit:
            check_depth(lines[number], limit, field=f"line {before + number + 1}")


_SPACE = re.compile(r"\s*")


class _ArrayText:
    """A JSON array's text, read from a file a chunk at a time, with a position in it."""

    def __init__(self, handle: IO[str]) -> None:
        self.handle = handle
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.more(_CHUNK)

    def more(self, size: int) -> None:
        """Drop what was read and read ``size`` more characters."""
        text = self.handle.read(size)
        self.eof = len(text) < size
        self.buffer = self.buffer[self.pos :] + text
        self.pos = 0

    def skip_space(self) -> str:
        """Skip white space (reading on where it ends the buffer); return the next character, "" at the end."""
        while True:
            self.pos = _SPACE.match(self.buffer, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buffer) - 1 or self.eof:  # one character past each token: a number may go on
                return self.buffer[self.pos : self.pos + 1]
            self.more(_CHUNK)

    def element(self, decoder: json.JSONDecoder, number: int, max_depth: int) -> str:
        """Return the text of the element at the position (reading on until it is whole) and move past it."""
        while True:
            try:
                _, end = decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if self.eof:
                    raise InputError(f"malformed JSON in element {number}: {exc.msg}", field="body") from None
                self.more(max(_CHUNK, len(self.buffer)))  # grow: an element longer than the buffer
                continue
            except RecursionError:
                raise InputError(
                    "JSON nested too deeply", field=f"element {number}", allowed=f"at most {max_depth} levels"
                ) from None
            if end >= len(self.buffer) and not self.eof:
                self.more(_CHUNK)
                continue
            text = self.buffer[self.pos : end]
            self.pos = end
            return text

    def rest_is_blank(self) -> bool:
        """Tell whether nothing but white space follows the position."""
        return not self.buffer[self.pos :].strip() and not self.handle.read().strip()


def _array_to_lines(source: Path, target: Path, max_rows: int, max_depth: int) -> None:
    """Rewrite a JSON array as JSON Lines, one element per line, from each element's own text."""
    decoder = json.JSONDecoder()
    with open(source, encoding="utf-8-sig") as handle, open(target, "w", encoding="utf-8") as out:
        text = _ArrayText(handle)
        if text.skip_space() != "[":
            raise InputError(
                "a JSON batch body must be an array of objects", field="body", allowed="[{...}, {...}] or JSON Lines"
            )
        text.pos += 1
        rows = 0
        while True:
            char = text.skip_space()
            if char == "]" and rows == 0:
                break
            element = text.element(decoder, rows + 1, max_depth)
            check_depth(element.encode(), max_depth, field=f"element {rows + 1}")
            rows += 1
            if rows > max_rows:
                raise _too_many(rows, max_rows)
            out.write(element.replace("\r", " ").replace("\n", " ") + "\n")
            char = text.skip_space()
            text.pos += 1
            if char == "]":
                break
            if char != ",":
                raise InputError(f"malformed JSON: expected ',' or ']' after element {rows}", field="body")
        if not text.rest_is_blank():
            raise InputError("malformed JSON: text after the array", field="body")
