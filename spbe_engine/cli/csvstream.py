"""The fast path of ``spbe batch`` from CSV to CSV: blocks of lines, parsed by pyarrow, scored in bulk.

Output is byte for byte what the row-by-row path writes. The file is read in
blocks of whole lines. A block of *plain* lines (no quote, no carriage
return, no blank line, every level a whole number) is parsed by
``pyarrow.csv`` and scored with the vectorised plan; each output line is the
input line as read plus the result cells, which are rendered once per
distinct numerator. Everything else goes through the row-by-row path: a row
the plan flags (a level out of range, an unknown rubric) is scored alone
with its exact message; a block pyarrow refuses is read with the stdlib csv
module line by line; a quote (which may open a field spanning lines) hands
the rest of the file to the stdlib csv reader. Memory stays bounded by the
block size. Needs the ``fast`` extra (numpy, pyarrow).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from ..engine import Engine
from ..errors import InputError
from ..inputs import BatchRow, csv_header, csv_records, open_text
from .csvblocks import BlockScorer, Writer, row_by_row

__all__ = ["available", "stream_csv"]

#: Characters per block: about 40,000 rows of 47 indicators; bounds memory, amortises the parser.
BLOCK_CHARS = 4 * 1024 * 1024


def available() -> bool:
    """Tell whether the fast path can run (numpy and pyarrow are installed)."""
    try:
        import numpy  # noqa: F401
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return False
    return True


def stream_csv(
    engine: Engine,
    path: Path,
    out: IO[str],
    rubric: str | None,
    partial: bool,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Score a CSV batch into ``out``; return ``(rows, rows with errors)``."""
    handle = open_text(path)
    try:
        return _stream(engine, path, handle, out, rubric, partial, progress or (lambda _: None))
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc.reason} at byte {exc.start}", file=str(path)) from None
    finally:
        handle.close()


def _stream(
    engine: Engine,
    path: Path,
    handle: IO[str],
    out: IO[str],
    rubric: str | None,
    partial: bool,
    progress: Callable[[int], None],
) -> tuple[int, int]:
    first = handle.readline()
    if '"' in first or "\r" in first:
        # A quoted header (or old Mac line ends): leave the whole file to the csv module.
        return _slow_rest(engine, path, io.StringIO(first, newline=""), handle, out, rubric, partial, 0, 0)
    header = csv_header(path, csv.reader([first] if first else []))
    writer = Writer(out)
    scorer = BlockScorer(engine, header, rubric, partial)
    number, line = 0, 1
    carry = ""
    while True:
        text = handle.read(BLOCK_CHARS)
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
                break
            block += "\n"  # the last line had no line end; the output gets one either way
        if '"' in block or "\r" in block:
            # A quote may open a field that spans lines: the csv module reads the rest.
            head = block + carry + (handle.readline() if carry else "")  # end on a whole line
            for row, result in _slow_lines(
                engine,
                path,
                io.StringIO(head, newline=""),
                handle,
                header,
                rubric,
                partial,
                number,
                line,
            ):
                writer.slow(row, result)
            break
        number, line = scorer.block(path, block, writer, number, line)
    return writer.total, writer.failed


def _slow_rest(
    engine: Engine,
    path: Path,
    head: IO[str],
    handle: IO[str],
    out: IO[str],
    rubric: str | None,
    partial: bool,
    number: int,
    line: int,
) -> tuple[int, int]:
    writer = Writer(out)
    reader = csv.reader(itertools.chain(head, handle))
    header = csv_header(path, reader)
    for row, result in row_by_row(engine, path, csv_records(reader, header), rubric, partial, number):
        writer.slow(row, result)
    return writer.total, writer.failed


def _slow_lines(
    engine: Engine,
    path: Path,
    head: IO[str],
    handle: IO[str],
    header: list[str],
    rubric: str | None,
    partial: bool,
    number: int,
    line: int,
) -> Iterator[tuple[BatchRow, dict[str, Any]]]:
    reader = csv.reader(itertools.chain(head, handle))
    return row_by_row(engine, path, csv_records(reader, header, line), rubric, partial, number)
