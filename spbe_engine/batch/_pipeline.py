"""Score or rescore a whole batch file, streaming: the pipeline behind ``spbe batch``, ``spbe rescore`` and the service.

A file is read by one of the readers (:mod:`~spbe_engine.batch._read` row by
row, or in bulk when the ``fast`` extra is installed: :mod:`~spbe_engine.batch._blocks`
for CSV, :mod:`~spbe_engine.batch._lines` for JSON Lines), each row becomes a
:class:`~spbe_engine.batch.RowResult`, and :mod:`~spbe_engine.batch._write`
writes them (:func:`render_scores` hands the output out a piece at a time). Both readers give the same
results; memory stays bounded by one block, whatever the file's size. What
can be known before the first row (an unknown rubric, a file type, a missing
file, a crosswalk without a missing-data policy) is raised at once as a
:class:`~spbe_engine.errors.SpbeError`; everything about a row stays on its
row.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs

from .._extras import install_hint
from ..errors import InputError
from ._read import BatchRow, check_batch_file, open_text, read_batch
from ._results import RESCORE_COLUMNS, SCORE_COLUMNS, RowResult, RowStatus, rescore_row, score_row
from ._write import Counts, CsvWriter, Note, jsonl_line, write_jsonl

if TYPE_CHECKING:
    from .._engine import Engine
    from ..rescore import MissingPolicy, Rescored

__all__ = ["Progress", "Rendered", "render_scores", "rescore_file", "score_file", "write_rescores", "write_scores"]

#: Receives how many characters of the input were read since the last call.
Progress = Callable[[int], None]


def _ignore(_: int) -> None:
    return None


def _bulk_wanted(path: Path, fast: bool | None) -> bool:
    if path.suffix.lower() not in (".csv", ".jsonl", ".ndjson") or fast is False:
        return False
    from ._blocks import available

    if fast and not available():
        raise InputError("the bulk readers need numpy and pyarrow", field="fast", allowed=install_hint("fast"))
    return available()


def score_file(
    engine: Engine,
    path: str | Path,
    rubric: str | None = None,
    *,
    partial: bool = False,
    fast: bool | None = None,
    progress: Progress | None = None,
    header_seen: Callable[[list[str]], None] | None = None,
) -> Iterator[RowResult]:
    """Score every row of a CSV or JSON Lines file; return an iterator of row results, in input order.

    ``rubric`` scores every row under one rubric (else each row's own, else
    its year's). ``fast`` chooses the bulk CSV reader (``None``: when
    installed). The file type, the file and the rubric are checked before
    this returns.
    """
    path = Path(path)
    check_batch_file(path)
    if rubric is not None:
        engine.rubric(rubric)  # an unknown rubric is one error up front, not one per row
    report = progress or _ignore
    if _bulk_wanted(path, fast):
        return _bulk(engine, path, rubric, partial, report, header_seen)
    rows = read_batch(path, rubric, header_seen=header_seen)
    return (_advanced(score_row(engine, row, rubric, partial), report) for row in rows)


def _advanced(result: RowResult, progress: Progress) -> RowResult:
    """Advance the progress by the row's size, roughly (the row path has no byte offsets)."""
    progress(sum(len(str(v)) + 1 for v in result.row.columns.values()))
    return result


def _bulk(
    engine: Engine,
    path: Path,
    rubric: str | None,
    partial: bool,
    progress: Progress,
    header_seen: Callable[[list[str]], None] | None,
) -> Iterator[RowResult]:
    with open_text(path) as handle:
        for item in _bulk_items(engine, path, handle, rubric, partial, progress, header_seen):
            if isinstance(item, RowResult):
                yield item
            else:
                yield from item.results()


def _bulk_items(
    engine: Engine,
    path: Path,
    handle: IO[str],
    rubric: str | None,
    partial: bool,
    progress: Progress,
    header_seen: Callable[[list[str]], None] | None,
) -> Iterator[Any]:
    """The bulk reader of the file's type: blocks scored in bulk, and single row results, in input order."""
    if path.suffix.lower() == ".csv":
        from ._blocks import blocks

        items: Iterator[Any] = blocks(engine, path, handle, rubric, partial, progress, header_seen or _no_header)
    else:
        from ._lines import blocks as line_blocks

        items = line_blocks(engine, path, handle, rubric, partial, progress)
    return _decoded(path, items)


def _no_header(_: list[str]) -> None:
    return None


def _decoded(path: Path, items: Iterator[object]) -> Iterator[object]:
    try:
        yield from items
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc.reason} at byte {exc.start}", file=str(path)) from None


@attrs.frozen(kw_only=True)
class Rendered:
    """A piece of a batch's output: its text, the rows in it, and how they came out by rubric."""

    text: str
    rows: int
    failed: int
    #: ``(rubric, status)`` → rows (rubric ``""`` for a row that failed before one was known).
    counts: Mapping[tuple[str, str], int]


class _Tally:
    """The rows rendered since the last piece was handed out."""

    def __init__(self) -> None:
        self.rows = self.failed = 0
        self.counts: Counter[tuple[str, str]] = Counter()

    def row(self, result: RowResult) -> None:
        self.rows += 1
        self.failed += result.status is RowStatus.ERROR
        self.counts[str(result.values.get("rubric") or ""), result.status.value] += 1

    def block(self, item: Any) -> None:
        for part in item.scored:
            self.rows += len(part.where)
            self.counts[part.plan.rubric.id, RowStatus.OK.value] += len(part.where)
        for result in item.single.values():
            self.row(result)

    def take(self, buffer: io.StringIO) -> Rendered:
        piece = Rendered(text=buffer.getvalue(), rows=self.rows, failed=self.failed, counts=dict(self.counts))
        buffer.seek(0)
        buffer.truncate()
        self.__init__()  # type: ignore[misc]
        return piece


#: Rows rendered per piece on the row-by-row path (the bulk paths hand out a block at a time).
ROWS_PER_PIECE = 512


def render_scores(
    engine: Engine,
    path: str | Path,
    rubric: str | None = None,
    *,
    partial: bool = False,
    as_json: bool = False,
    fast: bool | None = None,
    progress: Progress | None = None,
    note: Note | None = None,
) -> Iterator[Rendered]:
    """Score a batch file and hand out its output a piece at a time: CSV (input columns, then results) or JSON Lines.

    The output :func:`write_scores` writes, for a caller that forwards it as
    it comes (the HTTP service). The file type, the file and the rubric are
    checked before this returns. With the bulk readers, CSV to CSV and JSON
    Lines to JSON Lines render each bulk-scored line straight from its input
    line, byte for byte what the row path writes.
    """
    path = Path(path)
    check_batch_file(path)
    if rubric is not None:
        engine.rubric(rubric)  # an unknown rubric is one error up front, not one per row
    return _render(engine, path, rubric, partial, as_json, fast, progress or _ignore, note)


def _render(
    engine: Engine,
    path: Path,
    rubric: str | None,
    partial: bool,
    as_json: bool,
    fast: bool | None,
    progress: Progress,
    note: Note | None,
) -> Iterator[Rendered]:
    buffer = io.StringIO()
    tally = _Tally()
    writer = None if as_json else CsvWriter(buffer, SCORE_COLUMNS, note)

    def one(result: RowResult) -> None:
        if writer is None:
            buffer.write(jsonl_line(result))
        else:
            writer.write(result)
        tally.row(result)

    if not _bulk_wanted(path, fast):
        header_seen = None if writer is None else writer.known
        for result in score_file(
            engine, path, rubric, partial=partial, fast=False, progress=progress, header_seen=header_seen
        ):
            one(result)
            if tally.rows >= ROWS_PER_PIECE:
                yield tally.take(buffer)
        yield tally.take(buffer)
        return
    lines = path.suffix.lower() != ".csv"
    memo: dict[tuple[str, int], str] = {}
    with open_text(path) as handle:
        header_seen = None if writer is None else writer.known
        for item in _bulk_items(engine, path, handle, rubric, partial, progress, header_seen):
            if isinstance(item, RowResult):
                one(item)
                if tally.rows >= ROWS_PER_PIECE:
                    yield tally.take(buffer)
                continue
            if writer is not None and not lines:  # CSV to CSV: each line from its input line
                from ._blocks import render_csv

                writer.start()
                assert writer.header is not None
                render_csv(item, buffer, writer.header, memo)
                tally.block(item)
            elif writer is None and lines:  # JSON Lines to JSON Lines: the same, handed out as it is
                from ._lines import render_lines

                if buffer.tell():
                    yield tally.take(buffer)
                text = render_lines(item, memo)
                tally.block(item)
                yield attrs.evolve(tally.take(buffer), text=text)
                continue
            else:
                for result in item.results():
                    one(result)
            yield tally.take(buffer)
    yield tally.take(buffer)


def write_scores(
    engine: Engine,
    path: str | Path,
    out: IO[str],
    rubric: str | None = None,
    *,
    partial: bool = False,
    as_json: bool = False,
    fast: bool | None = None,
    progress: Progress | None = None,
    note: Note | None = None,
) -> Counts:
    """Score a batch file into ``out`` as CSV (input columns, then the result columns) or JSON Lines.

    Returns ``(rows, rows with errors)``; the output is :func:`render_scores`'s.
    """
    total = failed = 0
    pieces = render_scores(
        engine, path, rubric, partial=partial, as_json=as_json, fast=fast, progress=progress, note=note
    )
    for piece in pieces:
        if piece.text:
            out.write(piece.text)
        total += piece.rows
        failed += piece.failed
    return total, failed


def rescore_file(
    engine: Engine,
    path: str | Path,
    to: str,
    *,
    source: str | None = None,
    missing: str | MissingPolicy | None = None,
    progress: Progress | None = None,
    header_seen: Callable[[list[str]], None] | None = None,
) -> Iterator[tuple[RowResult, Rescored | None]]:
    """Rescore every row of a batch file under rubric ``to``; yield each row result with its rescoring.

    ``source`` is the rubric of every row (else each row's own, else its
    year's). A crosswalk that leaves target indicators without a source needs
    a ``missing`` policy; when ``source`` is known that is checked up front.
    """
    from ..rescore import MissingPolicy, check_policy

    path = Path(path)
    check_batch_file(path)
    policy = None if missing is None else MissingPolicy.parse(missing)
    check_policy(engine, source, to, policy)
    report = progress or _ignore
    rows = read_batch(path, source, header_seen=header_seen)
    return (_rescored(engine, row, to, source, policy, report) for row in rows)


def _rescored(
    engine: Engine, row: BatchRow, to: str, source: str | None, policy: MissingPolicy | None, progress: Progress
) -> tuple[RowResult, Rescored | None]:
    result, done = rescore_row(engine, row, to, source, policy)
    _advanced(result, progress)
    return result, done


def write_rescores(
    engine: Engine,
    path: str | Path,
    out: IO[str],
    to: str,
    *,
    source: str | None = None,
    missing: str | MissingPolicy | None = None,
    as_json: bool = False,
    progress: Progress | None = None,
    note: Note | None = None,
) -> Counts:
    """Rescore a batch file into ``out`` as CSV or JSON Lines; return ``(rows, rows with errors)``."""
    if as_json:
        results = rescore_file(engine, path, to, source=source, missing=missing, progress=progress)
        return write_jsonl(out, (result for result, _ in results))
    writer = CsvWriter(out, RESCORE_COLUMNS, note)
    for result, _ in rescore_file(
        engine, path, to, source=source, missing=missing, progress=progress, header_seen=writer.known
    ):
        writer.write(result)
    return writer.counts
