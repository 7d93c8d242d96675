"""Write row results: CSV (the input columns as given, then the result columns) or JSON Lines.

The one serializer of batch results, used by ``spbe batch``, ``spbe rescore``,
:meth:`Engine.score_file <spbe_engine.Engine.score_file>` callers and the
HTTP service. Candidates in a CSV cell are joined with ``;``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import IO, Any

from ._results import SCORE_COLUMNS, RowResult, RowStatus

__all__ = ["Counts", "csv_cells", "jsonl_line", "output_header", "write_csv", "write_jsonl"]

#: ``(rows written, rows with status error)``.
Counts = tuple[int, int]
#: Receives a note for the person running the batch (a renamed column).
Note = Callable[[str], None]


def join(values: Sequence[object]) -> str:
    """Join candidates for a CSV cell."""
    return ";".join(str(v) for v in values)


def output_header(
    columns: Sequence[str], results: Sequence[str] = SCORE_COLUMNS, note: Note | None = None
) -> list[str]:
    """Return the output header: the input columns (one named like a result column as ``input_…``), then ``results``."""
    carried = [(f"input_{name}" if name in results else name) for name in columns]
    renamed = [name for name in columns if name in results]
    if renamed and note is not None:
        note(
            f"input columns {', '.join(renamed)} are carried as "
            f"{', '.join('input_' + n for n in renamed)} (the result uses those names)"
        )
    return [*carried, *results]


def result_cells(values: Mapping[str, Any], results: Sequence[str] = SCORE_COLUMNS) -> list[Any]:
    """Return the result cells of one row, in column order."""
    return [_cell(values[name]) for name in results]


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return join(value)
    return "" if value is None else value


def csv_cells(result: RowResult, header: Sequence[str], results: Sequence[str] = SCORE_COLUMNS) -> list[Any]:
    """Return one output CSV record: the input cells as given, then the result cells."""
    columns = result.row.columns
    return [*(columns.get(name, "") for name in header), *result_cells(result.values, results)]


class CsvWriter:
    """Write results as CSV, the header before the first row, counting rows and errors."""

    def __init__(self, out: IO[str], results: Sequence[str] = SCORE_COLUMNS, note: Note | None = None) -> None:
        self.out = out
        self.results = tuple(results)
        self.note = note
        self.writer = csv.writer(out, lineterminator="\n")
        self.header: list[str] | None = None
        self.input_header: list[str] | None = None
        self.total = self.failed = 0

    def known(self, header: Sequence[str]) -> None:
        """Take the input file's header (a CSV file's), so every row is written under it."""
        self.input_header = list(header)

    def start(self, columns: Sequence[str] = ()) -> None:
        """Write the header once: the input file's, else the first row's columns."""
        if self.header is None:
            self.header = self.input_header if self.input_header is not None else list(columns)
            self.writer.writerow(output_header(self.header, self.results, self.note))

    def write(self, result: RowResult) -> None:
        """Write one row."""
        self.start(list(result.row.columns))
        assert self.header is not None
        self.writer.writerow(csv_cells(result, self.header, self.results))
        self.total += 1
        self.failed += result.status is RowStatus.ERROR

    @property
    def counts(self) -> Counts:
        """Return ``(rows, rows with errors)`` written so far."""
        return self.total, self.failed


def write_csv(
    out: IO[str], results: Iterable[RowResult], columns: Sequence[str] = SCORE_COLUMNS, note: Note | None = None
) -> Counts:
    """Write results as CSV; return ``(rows, rows with errors)``."""
    writer = CsvWriter(out, columns, note)
    for result in results:
        writer.write(result)
    return writer.counts


def jsonl_line(result: RowResult) -> str:
    """Return one row as a line of JSON Lines (with its line end)."""
    return json.dumps(result.record(), ensure_ascii=False, default=str) + "\n"


def write_jsonl(out: IO[str], results: Iterable[RowResult]) -> Counts:
    """Write results as JSON Lines, one object per row; return ``(rows, rows with errors)``."""
    total = failed = 0
    for result in results:
        out.write(jsonl_line(result))
        total += 1
        failed += result.status is RowStatus.ERROR
    return total, failed
