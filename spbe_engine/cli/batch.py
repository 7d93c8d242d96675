"""``spbe batch``: score a CSV or JSON Lines file of assessments, row by row, streaming."""

from __future__ import annotations

import contextlib
import csv
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import click

from ..engine import Engine
from ..errors import InputError, UnknownRubricError
from ..inputs import BatchRow, read_batch
from ..numbers import format_exact
from ..report import join
from ..scoring import ScoreCard
from . import EXIT_ROW_ERRORS
from .common import engine_of

#: The columns ``spbe batch`` adds to every row.
RESULT_COLUMNS = (
    "index",
    "exact_index",
    "index_candidates",
    "predikat",
    "predikat_candidates",
    "rubric",
    "status",
    "message",
)


def row_result(engine: Engine, row: BatchRow, default_rubric: str | None, partial: bool) -> dict[str, Any]:
    """Score one batch row; a bad row gets status ``error`` and a message, never an exception."""
    card: ScoreCard | None = None
    error: InputError | UnknownRubricError | None = row.error
    if error is None and row.assessment is not None:
        try:
            card = engine.score(row.assessment, default_rubric, partial=partial)
        except (InputError, UnknownRubricError) as exc:
            error = exc
    if card is None:
        return error_result(row, error, RESULT_COLUMNS)
    status = "ok" if card.index is not None and card.predikat is not None else "ambiguous"
    if not card.complete:
        status = "partial"
    return {
        "index": None if card.index is None else str(card.index),
        "exact_index": None if card.exact_index is None else format_exact(card.exact_index),
        "index_candidates": [str(c) for c in card.index_candidates],
        "predikat": card.predikat,
        "predikat_candidates": list(card.predikat_candidates),
        "rubric": card.rubric_id,
        "status": status,
        "message": ""
        if status != "partial"
        else (f"covers {format_exact(card.completeness * 100)}% of the weight; not an index"),
    }


def error_result(row: BatchRow, error: object, columns: tuple[str, ...]) -> dict[str, Any]:
    """Return the result of a row that could not be scored: empty columns, status ``error``, the message."""
    result: dict[str, Any] = dict.fromkeys(columns)
    result.update({name: [] for name in columns if name.endswith("_candidates")})
    result.update(status="error", message=f"row {row.number} (line {row.line}): {error}")
    return result


@contextlib.contextmanager
def progress_bar(path: Path, *, shown: bool) -> Iterator[Callable[[int], None]]:
    """Yield a function advancing a progress bar by characters read; a bar only on a terminal."""
    if not shown:
        yield lambda _: None
        return
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )

    try:
        size = path.stat().st_size
    except OSError:
        size = None
    columns = (TextColumn("scoring {task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    from rich.console import Console

    # On stderr: stdout may carry the CSV.
    with Progress(*columns, transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(path.name, total=size)
        yield lambda chars: bar.advance(task, chars)


def bar_wanted(out_file: Path | None) -> bool:
    """Tell whether to show a progress bar: only on a terminal, and never over CSV written to it."""
    return sys.stderr.isatty() and (out_file is not None or sys.stdout.isatty())


def advancing(
    rows: Iterator[tuple[BatchRow, dict[str, Any]]], advance: Callable[[int], None]
) -> Iterator[tuple[BatchRow, dict[str, Any]]]:
    """Advance the bar by each row's size, roughly (the row path has no byte offsets)."""
    for row, result in rows:
        advance(sum(len(str(v)) + 1 for v in row.columns.values()))
        yield row, result


def results(engine: Engine, path: Path, rubric: str | None, partial: bool) -> Iterator[tuple[BatchRow, dict[str, Any]]]:
    """Yield every row of a batch file with its result."""
    for row in read_batch(path, rubric):
        yield row, row_result(engine, row, rubric, partial)


def output_header(columns: list[str], results: tuple[str, ...] = RESULT_COLUMNS) -> list[str]:
    """Return the output header for these input columns, noting on stderr any that are renamed."""
    carried = [(f"input_{name}" if name in results else name) for name in columns]
    renamed = [name for name in columns if name in results]
    if renamed:
        click.echo(
            f"spbe: note: input columns {', '.join(renamed)} are carried as "
            f"{', '.join('input_' + n for n in renamed)} (the result uses those names)",
            err=True,
        )
    return [*carried, *results]


def csv_cells(
    row: BatchRow, result: dict[str, Any], header: list[str], results: tuple[str, ...] = RESULT_COLUMNS
) -> list[Any]:
    """Return one output CSV record: the input cells as given, then the result cells."""
    values = [row.columns.get(name, "") for name in header]
    cells = {
        key: join(value) if isinstance(value, list) else ("" if value is None else value)
        for key, value in result.items()
    }
    return [*values, *(cells[c] for c in results)]


def _write_csv(
    out: IO[str], rows: Iterator[tuple[BatchRow, dict[str, Any]]], columns: tuple[str, ...] = RESULT_COLUMNS
) -> tuple[int, int]:
    writer: Any = None
    total = failed = 0
    for row, result in rows:
        if writer is None:
            header = list(row.columns)
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(output_header(header, columns))
        writer.writerow(csv_cells(row, result, header, columns))
        total += 1
        failed += result["status"] == "error"
    return total, failed


def _write_jsonl(out: IO[str], rows: Iterator[tuple[BatchRow, dict[str, Any]]]) -> tuple[int, int]:
    total = failed = 0
    for row, result in rows:
        record = {
            "row": row.number,
            "line": row.line,
            "instansi": row.columns.get("instansi"),
            "year": row.columns.get("year"),
            **result,
            "input": dict(row.columns),
        }
        out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        total += 1
        failed += result["status"] == "error"
    return total, failed


def write_results(
    out_file: Path | None,
    rows: Iterator[tuple[BatchRow, dict[str, Any]]],
    *,
    as_json: bool,
    columns: tuple[str, ...] = RESULT_COLUMNS,
) -> tuple[int, int]:
    """Stream row results as CSV (input columns, then ``columns``) or JSON Lines; return (rows, errors)."""
    handle = open(out_file, "w", encoding="utf-8", newline="") if out_file else sys.stdout  # noqa: SIM115
    try:
        return _write_jsonl(handle, rows) if as_json else _write_csv(handle, rows, columns)
    finally:
        if out_file:
            handle.close()


@click.command("batch")
@click.argument("input_file", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--rubric", "rubric_id", metavar="ID", help="Rubric id for every row (default: the row's, else its year's)."
)
@click.option(
    "--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout."
)
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object per row (JSON Lines).")
@click.option("--partial", is_flag=True, help="Allow missing indicators (status 'partial', no index).")
@click.pass_context
def batch_command(
    ctx: click.Context, input_file: Path, rubric_id: str | None, out_file: Path | None, as_json: bool, partial: bool
) -> int:
    """Score every row of a CSV or JSON Lines INPUT.

    Columns: `instansi`, `year`, optional `rubric`, and indicator ids (I1, ...)
    or domain ids (D1, ..., case-insensitive); other columns are carried
    through. Adds index, exact_index, index_candidates, predikat,
    predikat_candidates, rubric, status and message. A bad row gets status
    `error` and the other rows are still scored; the exit code is then 1.
    """
    from . import csvstream

    engine = engine_of(ctx)
    if rubric_id is not None:
        engine.rubric(rubric_id)  # an unknown --rubric is a usage error, not a per-row one
    handle = open(out_file, "w", encoding="utf-8", newline="") if out_file else sys.stdout  # noqa: SIM115
    shown = bar_wanted(out_file)
    try:
        with progress_bar(input_file, shown=shown) as advance:
            if not as_json and input_file.suffix.lower() == ".csv" and csvstream.available():
                total, failed = csvstream.stream_csv(engine, input_file, handle, rubric_id, partial, advance)
            else:
                rows = results(engine, input_file, rubric_id, partial)
                rows = advancing(rows, advance) if shown else rows
                total, failed = (_write_jsonl if as_json else _write_csv)(handle, rows)
    finally:
        if out_file:
            handle.close()
    if failed:
        click.echo(f"spbe: {failed} of {total} rows had errors (status 'error'; see message)", err=True)
        return EXIT_ROW_ERRORS
    return 0
