"""Score or rescore a whole batch file, streaming: the pipeline behind ``spbe batch``, ``spbe rescore`` and the service.

A file is read by one of the readers (:mod:`~spbe_engine.batch._read` row by
row, or :mod:`~spbe_engine.batch._blocks` in bulk for CSV when the ``fast``
extra is installed), each row becomes a :class:`~spbe_engine.batch.RowResult`,
and :mod:`~spbe_engine.batch._write` writes them. Both readers give the same
results; memory stays bounded by one block, whatever the file's size. What
can be known before the first row (an unknown rubric, a file type, a missing
file, a crosswalk without a missing-data policy) is raised at once as a
:class:`~spbe_engine.errors.SpbeError`; everything about a row stays on its
row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from .._extras import install_hint
from ..errors import InputError
from ._read import BatchRow, check_batch_file, open_text, read_batch
from ._results import RESCORE_COLUMNS, SCORE_COLUMNS, RowResult, rescore_row, score_row
from ._write import Counts, CsvWriter, Note, write_jsonl

if TYPE_CHECKING:
    from .._engine import Engine
    from ..rescore import MissingPolicy, Rescored

__all__ = ["Progress", "rescore_file", "score_file", "write_rescores", "write_scores"]

#: Receives how many characters of the input were read since the last call.
Progress = Callable[[int], None]


def _ignore(_: int) -> None:
    return None


def _bulk_wanted(path: Path, fast: bool | None) -> bool:
    if path.suffix.lower() != ".csv" or fast is False:
        return False
    from ._blocks import available

    if fast and not available():
        raise InputError("the bulk CSV reader needs numpy and pyarrow", field="fast", allowed=install_hint("fast"))
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
    from ._blocks import ScoredBlock, blocks

    with open_text(path) as handle:
        for item in _decoded(path, blocks(engine, path, handle, rubric, partial, progress, header_seen or _no_header)):
            if isinstance(item, ScoredBlock):
                yield from item.results()
            else:
                assert isinstance(item, RowResult)
                yield item


def _no_header(_: list[str]) -> None:
    return None


def _decoded(path: Path, items: Iterator[object]) -> Iterator[object]:
    try:
        yield from items
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc.reason} at byte {exc.start}", file=str(path)) from None


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

    Returns ``(rows, rows with errors)``. CSV to CSV with the bulk reader
    renders each bulk-scored line straight from the input line, byte for byte
    what the row path writes.
    """
    path = Path(path)
    if as_json:
        return write_jsonl(out, score_file(engine, path, rubric, partial=partial, fast=fast, progress=progress))
    writer = CsvWriter(out, SCORE_COLUMNS, note)
    if not _bulk_wanted(path, fast):
        for result in score_file(
            engine, path, rubric, partial=partial, fast=False, progress=progress, header_seen=writer.known
        ):
            writer.write(result)
        return writer.counts
    check_batch_file(path)
    if rubric is not None:
        engine.rubric(rubric)
    from ._blocks import ScoredBlock, blocks, render_csv

    memo: dict[tuple[str, int], str] = {}
    with open_text(path) as handle:
        items = blocks(engine, path, handle, rubric, partial, progress or _ignore, writer.known)
        for item in _decoded(path, items):
            if isinstance(item, ScoredBlock):
                writer.start()
                assert writer.header is not None
                writer.failed += render_csv(item, out, writer.header, memo)
                writer.total += len(item.lines)
            else:
                assert isinstance(item, RowResult)
                writer.write(item)
    return writer.counts


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
