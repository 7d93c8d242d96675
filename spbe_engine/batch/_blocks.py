"""The bulk CSV reader: blocks of plain lines, parsed by pyarrow, scored as level matrices.

The file is read in blocks of whole lines. A block of *plain* lines (no
quote, no carriage return, no blank line, every level a whole number) is
parsed by ``pyarrow.csv`` into a level matrix per rubric and scored with the
vectorised plan (:mod:`spbe_engine.batch._vector`). Everything else goes row
by row, through the same reader and scorer as every other batch
(:func:`~spbe_engine.batch._read.csv_records`,
:func:`~spbe_engine.batch._results.score_row`): a row the plan flags (a level
out of range, an unknown rubric) is scored alone with its exact message; a
block pyarrow refuses is read with the stdlib csv module line by line; a
quote (which may open a field spanning lines) hands the rest of the file to
the stdlib csv reader. Memory stays bounded by the block size. Needs the
``fast`` extra (numpy, pyarrow).

:func:`blocks` yields :class:`ScoredBlock` objects and single
:class:`~spbe_engine.batch.RowResult` objects in input order; the pipeline
either renders blocks straight to CSV text (``spbe batch``: each output line
is the input line as read plus the result cells, rendered once per distinct
numerator) or expands them into row results (:meth:`Engine.score_file`).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs

from .._numbers import format_exact
from ..errors import InputError, SpbeError
from ..inputs import ID_COLUMN, parse_year, row_assessment
from ..models import Assessment
from ._read import BatchRow, csv_header, csv_records, delimiter_of, whole_lines
from ._results import RowResult, RowStatus, score_row, scored_values
from ._write import csv_cells, result_cells

if TYPE_CHECKING:
    import numpy as np

    from .._engine import Engine
    from .._plan import ScoringPlan

__all__ = ["BLOCK_CHARS", "ScoredBlock", "available", "blocks", "int_column", "render_csv", "score_record"]

#: Characters per block: about 40,000 rows of 47 indicators; bounds memory, amortises the parser.
BLOCK_CHARS = 4 * 1024 * 1024


def available() -> bool:
    """Tell whether the bulk reader can run (numpy and pyarrow are installed)."""
    try:
        import numpy  # noqa: F401
        import pyarrow.csv  # noqa: F401
    except ImportError:
        return False
    return True


@attrs.frozen(kw_only=True)
class Scored:
    """The rows of a block scored in bulk under one rubric: their positions in the block and numerators."""

    plan: ScoringPlan
    where: np.ndarray
    numerator: np.ndarray

    def values(self, numerator: int) -> dict[str, Any]:
        """Return the result values of a row of this part scored to ``numerator``."""
        plan = self.plan
        index = str(plan.published(numerator))
        predikat = plan.predikat(numerator)
        exact = format_exact(plan.exact(numerator))
        return scored_values(index, exact, [index], predikat, [predikat], plan.rubric.id, RowStatus.OK)


def block_results(
    scored: list[Scored],
    single: dict[int, RowResult],
    count: int,
    *,
    number: int,
    line: int,
    columns: Callable[[int], dict[str, Any]],
) -> Iterator[RowResult]:
    """Yield every row of a block as a row result, in input order: bulk-scored rows and the ones scored singly.

    ``columns(k)`` gives the input columns of the block's ``k``-th line; ``number`` and ``line`` are those of the
    row before the block. A row's values are made once per distinct numerator of its part.
    """
    by_row: list[Any] = [None] * count
    for part in scored:
        memo: dict[int, dict[str, Any]] = {}
        for k, value in zip(part.where.tolist(), part.numerator.tolist(), strict=True):
            values = memo.get(value)
            if values is None:
                values = memo[value] = part.values(value)
            by_row[k] = values
    for k in range(count):
        done = single.get(k)
        if done is not None:
            yield done
            continue
        row = BatchRow(number=number + k + 1, line=line + k + 1, columns=columns(k), assessment=None)
        yield RowResult(row=row, status=RowStatus.OK, values=dict(by_row[k]))


@attrs.frozen(kw_only=True)
class ScoredBlock:
    """A block of plain lines: bulk-scored rows by rubric, and the rows scored one by one."""

    header: list[str]
    lines: list[str]
    number: int
    line: int
    scored: list[Scored]
    single: dict[int, RowResult]

    def results(self) -> Iterator[RowResult]:
        """Yield every row of the block as a row result, in input order."""
        header, lines = self.header, self.lines
        return block_results(
            self.scored,
            self.single,
            len(lines),
            number=self.number,
            line=self.line,
            columns=lambda k: dict(zip(header, lines[k].split(","), strict=True)),
        )


def blocks(
    engine: Engine,
    path: Path,
    handle: IO[str],
    rubric: str | None,
    partial: bool,
    progress: Callable[[int], None],
    header_seen: Callable[[list[str]], None],
) -> Iterator[ScoredBlock | RowResult]:
    """Read and score a CSV batch; yield bulk-scored blocks and single row results, in input order.

    ``header_seen`` receives the file's header once it is read.
    """
    first = handle.readline()
    delimiter = delimiter_of(first)
    if '"' in first or "\r" in first or delimiter != ",":
        # A quoted header, old Mac line ends or another delimiter: leave the whole file to the csv module.
        reader = csv.reader(itertools.chain(io.StringIO(first, newline=""), handle), delimiter=delimiter)
        header = csv_header(path, reader)
        header_seen(header)
        yield from _row_by_row(engine, path, csv_records(reader, header), rubric, partial, 0)
        return
    header = csv_header(path, csv.reader([first] if first else []))
    header_seen(header)
    scorer = _BlockScorer(engine, header, rubric, partial)
    number, line = 0, 1
    for block, carry in whole_lines(handle, BLOCK_CHARS, progress):
        if not block.endswith("\n"):
            block += "\n"  # the last line had no line end; the output gets one either way
        if '"' in block or "\r" in block:
            # A quote may open a field that spans lines: the csv module reads the rest.
            head = block + carry + (handle.readline() if carry else "")  # end on a whole line
            reader = csv.reader(itertools.chain(io.StringIO(head, newline=""), handle))
            yield from _row_by_row(engine, path, csv_records(reader, header, line), rubric, partial, number)
            return
        lines = block.split("\n")[:-1]
        scored = scorer.block(path, lines, block, number, line)
        if scored is None:
            reader = csv.reader(io.StringIO(block, newline=""))
            yield from _row_by_row(engine, path, csv_records(reader, header, line), rubric, partial, number)
            number += sum(1 for text in lines if text)
        else:
            yield scored
            number += len(lines)
        line += len(lines)


def _row_by_row(
    engine: Engine,
    path: Path,
    records: Iterator[tuple[int, Any]],
    rubric: str | None,
    partial: bool,
    number: int,
) -> Iterator[RowResult]:
    """The row-by-row path, numbered on from ``number`` (as :func:`~spbe_engine.batch._read.read_batch`)."""
    for line, record in records:
        number += 1
        yield score_record(engine, path, number, line, record, rubric, partial)


def score_record(
    engine: Engine, path: Path, number: int, line: int, record: Any, rubric: str | None, partial: bool
) -> RowResult:
    if isinstance(record, InputError):
        row = BatchRow(number=number, line=line, columns={}, assessment=None, error=record.with_file(str(path)))  # type: ignore[arg-type]
    else:
        try:
            row = BatchRow(number=number, line=line, columns=record, assessment=row_assessment(record, rubric))
        except InputError as exc:
            row = BatchRow(number=number, line=line, columns=record, assessment=None, error=exc)
    return score_row(engine, row, rubric, partial)


class _BlockScorer:
    """Score blocks of plain lines in bulk; anything unusual goes row by row."""

    def __init__(self, engine: Engine, header: list[str], rubric: str | None, partial: bool) -> None:
        self.engine = engine
        self.header = header
        self.rubric = rubric
        self.partial = partial
        ids = [name for name in header if ID_COLUMN.match(name)]
        # Only indicator columns and no structured columns: else every row goes row by row.
        self.plain = (
            bool(ids)
            and all(name[0] in "Ii" for name in ids)
            and not ({"levels", "aggregates", "domains", "index", "predikat"} & set(header))
        )  # printed figures (index, predikat) are checked row by row
        self.level_columns = {name.upper(): n for n, name in enumerate(header) if ID_COLUMN.match(name)}

    def block(self, path: Path, lines: list[str], block: str, number: int, line: int) -> ScoredBlock | None:
        """Score one block of whole lines in bulk; ``None`` if it must go row by row."""
        if not self.plain or "\n\n" in "\n" + block:
            return None
        table = self._parse(block)
        if table is None:
            return None
        return self._score(path, lines, table, number, line)

    def _parse(self, block: str) -> Any:
        """Parse a block with pyarrow: level columns as int64, rubric and year as text; ``None`` if refused."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        names = [f"c{n}" for n in range(len(self.header))]
        types = {f"c{n}": pa.int64() for n in self.level_columns.values()}
        extra = [f"c{self.header.index(name)}" for name in ("rubric", "year") if name in self.header]
        types.update({name: pa.string() for name in extra})
        try:
            table = pacsv.read_csv(
                io.BytesIO(block.encode("utf-8")),
                read_options=pacsv.ReadOptions(column_names=names),
                parse_options=pacsv.ParseOptions(quote_char=False, ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types=types,
                    include_columns=list(types),
                    null_values=[],
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            return None
        if ("x" in block or "X" in block) and self._hex(block, names):
            return None
        return table

    def _hex(self, block: str, names: list[str]) -> bool:
        """Tell whether a level is written in hex (pyarrow reads ``0x3`` as 3; the row path refuses it)."""
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv

        columns = [f"c{n}" for n in self.level_columns.values()]
        table = pacsv.read_csv(
            io.BytesIO(block.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names),
            parse_options=pacsv.ParseOptions(quote_char=False),
            convert_options=pacsv.ConvertOptions(
                include_columns=columns, column_types=dict.fromkeys(columns, "string")
            ),
        )
        return any(pc.any(pc.match_substring(table[c], "x", ignore_case=True)).as_py() for c in columns)

    def _score(self, path: Path, lines: list[str], table: Any, number: int, line: int) -> ScoredBlock:
        import numpy as np

        from ._vector import numerators

        rows = len(lines)
        scored: list[Scored] = []
        single: dict[int, RowResult] = {}
        columns = {n: int_column(table.column(f"c{n}"), np.int64) for n in self.level_columns.values()}
        for rubric_id, where in self._rubric_groups(table, rows):
            if rubric_id is None:
                bad_rows = where
            else:
                plan = self.engine.plan(rubric_id)
                found = [self.level_columns.get(ind) for ind in plan.indicator_ids]
                positions = [n for n in found if n is not None]
                if len(self.level_columns) != len(found) or len(positions) != len(found):
                    bad_rows = where  # unknown or missing indicator columns: each row says which
                else:
                    matrix = np.empty((len(where), len(positions)), dtype=np.int64)
                    whole = len(where) == rows
                    for j, n in enumerate(positions):
                        matrix[:, j] = columns[n] if whole else columns[n][where]
                    numerator, bad = numerators(plan, matrix)
                    scored.append(Scored(plan=plan, where=where[~bad], numerator=numerator[~bad]))
                    bad_rows = where[bad]
            for k in bad_rows.tolist():
                record = dict(zip(self.header, lines[k].split(","), strict=True))
                single[k] = score_record(
                    self.engine, path, number + k + 1, line + k + 1, record, self.rubric, self.partial
                )
        return ScoredBlock(header=self.header, lines=lines, number=number, line=line, scored=scored, single=single)

    def _rubric_groups(self, table: Any, rows: int) -> list[tuple[str | None, Any]]:
        """Split the block's rows by the rubric each is scored under (``None``: it cannot be resolved)."""
        import numpy as np
        import pyarrow.compute as pc

        keys = []
        for name in ("rubric", "year"):
            if name in self.header:
                column = table.column(f"c{self.header.index(name)}").combine_chunks()
                values = pc.unique(column)
                keys.append((int_column(pc.index_in(column, value_set=values), np.int32), values.to_pylist()))
            else:
                keys.append((np.zeros(rows, dtype=np.int64), [""]))
        (rubric_codes, rubrics), (year_codes, years) = keys
        combined = rubric_codes.astype(np.int64) * len(years) + year_codes
        out: list[tuple[str | None, Any]] = []
        for key in np.unique(combined).tolist():
            raw, year_cell = rubrics[key // len(years)], years[key % len(years)]
            cell = raw.strip() or raw  # as row_assessment reads the rubric cell
            try:
                year = parse_year(year_cell)  # a bad year fails the row even under --rubric
                rubric_id = self.rubric or self.engine.resolve_rubric_id(Assessment(year=year, rubric=cell or None))
            except SpbeError:
                rubric_id = None
            out.append((rubric_id, np.flatnonzero(combined == key)))
        return out


def render_csv(block: ScoredBlock, out: IO[str], header: list[str], memo: dict[tuple[str, int], str]) -> int:
    """Write a scored block as CSV lines (each input line plus its result cells); return its error rows.

    ``memo`` keeps the rendered result cells of each ``(rubric, numerator)`` across blocks.
    """
    import numpy as np

    rendered = list(block.lines)
    for part in block.scored:
        rubric_id = part.plan.rubric.id
        distinct, inverse = np.unique(part.numerator, return_inverse=True)
        suffixes = []
        for value in distinct.tolist():
            suffix = memo.get((rubric_id, value))
            if suffix is None:
                cells = io.StringIO()
                values = part.values(value)
                csv.writer(cells, lineterminator="").writerow(result_cells(values))
                suffix = memo[rubric_id, value] = "," + cells.getvalue()
            suffixes.append(suffix)
        if len(part.where) == len(rendered):  # every line of the block: one pass, no index look-ups
            rendered[:] = map(str.__add__, rendered, [suffixes[s] for s in inverse.tolist()])
        else:
            for k, s in zip(part.where.tolist(), inverse.tolist(), strict=True):
                rendered[k] += suffixes[s]
    failed = 0
    if block.single:
        for k, result in block.single.items():
            cells = io.StringIO()
            csv.writer(cells, lineterminator="").writerow(csv_cells(result, header))
            rendered[k] = cells.getvalue()
            failed += result.status is RowStatus.ERROR
    out.write("\n".join(rendered) + "\n")
    return failed


def int_column(column: Any, dtype: Any) -> Any:
    """Return a null-free Arrow integer column as numpy, from its buffer.

    (pyarrow's ``to_numpy`` imports pandas when it is installed, which costs
    more than scoring a block.)
    """
    import numpy as np

    array = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    assert array.null_count == 0
    width = np.dtype(dtype).itemsize
    return np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * width)
