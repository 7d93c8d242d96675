"""Read batch files: CSV, JSON Lines and workbooks, row by row, each row with its assessment or its error.

The row readers of :mod:`spbe_engine.batch`. A bad row is yielded with its
error and the rows after it are still read; a file that cannot be read at all
(missing, not UTF-8, an unreadable header) is one
:class:`~spbe_engine.errors.InputError` naming the file.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import attrs

from ..errors import InputError
from ..inputs import ID_COLUMN, jsonl_records, row_assessment
from ..models import Assessment
from ..worksheet import WORKBOOK_SUFFIXES

__all__ = [
    "BATCH_SUFFIXES",
    "BatchRow",
    "check_batch_file",
    "csv_header",
    "csv_records",
    "delimiter_of",
    "open_text",
    "read_batch",
    "whole_lines",
]

#: The file types a batch is read from.
BATCH_SUFFIXES = (".csv", ".jsonl", ".ndjson")


@attrs.frozen(kw_only=True)
class BatchRow:
    """One row of a batch: its number, the columns as given, and its assessment or the error it raised.

    Two rows are equal when they read the same (number, line, columns): the
    assessment is what the columns say, and the bulk CSV reader, which
    scores a row without building one, leaves it ``None``.
    """

    number: int
    line: int
    columns: Mapping[str, Any]
    assessment: Assessment | None = attrs.field(eq=False)
    error: InputError | None = attrs.field(default=None, eq=False)


def delimiter_of(header_line: str) -> str:
    """Return the delimiter a CSV header line uses: ``,`` unless it has none and has ``;`` or tabs.

    Excel in an Indonesian (or any comma-decimal) locale saves CSV with ``;``
    between fields; such a file is read as it was meant.
    """
    if "," in header_line:
        return ","
    for candidate in (";", "\t"):
        if candidate in header_line:
            return candidate
    return ","


def _csv_rows(
    path: Path, handle: io.TextIOBase, header_seen: Callable[[list[str]], None] | None
) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    first = handle.readline()
    reader = csv.reader(itertools.chain([first] if first else [], handle), delimiter=delimiter_of(first))
    header = csv_header(path, reader)
    if header_seen is not None:
        header_seen(header)
    yield from csv_records(reader, header)


def csv_header(path: Path, reader: Any) -> list[str]:
    """Read and check the header row of a batch CSV (names stripped, distinct, non-empty)."""
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(
            "the file is empty", file=str(path), allowed="a header row, then one row per assessment"
        ) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV header: {exc}", file=str(path)) from None
    header = [name.strip() for name in header]
    seen: dict[str, str] = {}
    for name in header:
        key = name.upper() if ID_COLUMN.match(name) else name
        if key in seen or not name:
            raise InputError(
                "duplicate or empty column name",
                file=str(path),
                field=name or "(empty)",
                allowed="distinct column names",
            )
        seen[key] = name
    return header


def csv_records(
    reader: Any, header: list[str], lines_before: int = 0
) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """Yield ``(line, columns or error)`` for the data rows of a csv reader; ``lines_before`` offsets line numbers."""
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            line = lines_before + reader.line_num
            yield line, InputError(f"malformed CSV: {exc}", field=f"line {line}")
            continue
        line = lines_before + reader.line_num
        if not fields:
            continue
        if len(fields) != len(header):
            yield line, InputError(f"has {len(fields)} fields but the header has {len(header)}", field=f"line {line}")
            continue
        yield line, dict(zip(header, fields, strict=True))


def open_text(path: Path) -> io.TextIOWrapper:
    """Open a batch file as UTF-8 text (a BOM is dropped); a missing or unreadable file is one InputError."""
    try:
        return open(path, encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc}", file=str(path)) from None


def check_batch_file(path: Path) -> None:
    """Refuse, before any row is read, a batch file of an unknown type or one that is not there."""
    suffix = path.suffix.lower()
    if suffix not in BATCH_SUFFIXES + WORKBOOK_SUFFIXES:
        raise InputError(
            "unknown batch file type", file=str(path), value=suffix or path.name, allowed=".csv, .jsonl or .xlsx"
        )
    if not path.is_file():
        raise InputError("file not found" if not path.exists() else "not a file", file=str(path))
    if suffix in WORKBOOK_SUFFIXES:
        from ..worksheet import require_openpyxl

        require_openpyxl()  # a missing extra is one line up front, not an error on the first row


def read_batch(
    path: str | Path,
    default_rubric: str | None = None,
    *,
    header_seen: Callable[[list[str]], None] | None = None,
) -> Iterator[BatchRow]:
    """Read a CSV, JSON Lines or workbook (.xlsx) batch, yielding every row with its assessment or its error.

        The file's type and presence are checked at once; its rows are read as
        they are asked for. ``header_seen`` receives a CSV file's (or the
    workbook's first sheet's) header.
    """
    path = Path(path)
    check_batch_file(path)
    return _read_rows(path, default_rubric, header_seen)


def _read_rows(
    path: Path, default_rubric: str | None, header_seen: Callable[[list[str]], None] | None
) -> Iterator[BatchRow]:
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        yield from _numbered(path, _workbook_rows(path, header_seen), default_rubric)
        return
    with open_text(path) as handle:
        rows = _csv_rows(path, handle, header_seen) if path.suffix.lower() == ".csv" else jsonl_records(handle)
        yield from _numbered(path, rows, default_rubric)


def _numbered(path: Path, rows: Iterator[tuple[int, Any]], default_rubric: str | None) -> Iterator[BatchRow]:
    number = 0
    for line, row in _guard(path, rows):
        number += 1
        if isinstance(row, InputError):
            yield BatchRow(number=number, line=line, columns={}, assessment=None, error=row.with_file(str(path)))  # type: ignore[arg-type]
            continue
        try:
            yield BatchRow(number=number, line=line, columns=row, assessment=row_assessment(row, default_rubric))
        except InputError as exc:
            yield BatchRow(number=number, line=line, columns=row, assessment=None, error=exc)


def _workbook_rows(
    path: Path, header_seen: Callable[[list[str]], None] | None
) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """The rows of a workbook's first sheet, read as a CSV file's: a header row, then one row per assessment."""
    from ..worksheet import table_rows

    rows = table_rows(path)
    header = csv_header(path, (cells for _, cells in rows))
    if header_seen is not None:
        header_seen(header)
    for line, cells in rows:
        if len(cells) > len(header):
            yield (
                line,
                InputError(f"has {len(cells)} cells but the header has {len(header)}", field=f"sheet row {line}"),
            )
            continue
        yield line, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))


def _guard(path: Path, rows: Iterator[tuple[int, Any]]) -> Iterator[tuple[int, Any]]:
    try:
        yield from rows
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc.reason} at byte {exc.start}", file=str(path)) from None


def whole_lines(handle: IO[str], size: int, progress: Callable[[int], None]) -> Iterator[tuple[str, str]]:
    """Read ``handle`` in blocks of about ``size`` characters cut at line ends; yield each with the text read past it.

    Every block but the last ends with a line end; the last one is the file's
    final line when that has none. The partial line is what was read past the
    block, for a caller that stops here and reads on by itself.
    """
    carry = ""
    while True:
        text = handle.read(size)
        progress(len(text))
        if text:
            block = carry + text
            cut = block.rfind("\n") + 1
            block, carry = block[:cut], block[cut:]
            if not block:
                continue  # no whole line yet
        else:
            block, carry = carry, ""
            if not block:
                return
        yield block, carry
