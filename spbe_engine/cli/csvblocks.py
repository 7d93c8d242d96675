"""Blocks of plain CSV lines for ``spbe batch``: parsed by pyarrow, scored in bulk, rendered once per index.

A block of *plain* lines (no quote, no carriage return, no blank line,
every level a whole number) is parsed by ``pyarrow.csv`` and scored with
the vectorised plan; each output line is the input line as read plus the
result cells, rendered once per distinct numerator. A row the plan flags
(a level out of range, an unknown rubric) is scored alone by the row path,
with its exact message; a block pyarrow refuses goes line by line through
the stdlib csv module. See :mod:`spbe_engine.cli.csvstream`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from ..engine import Engine
from ..errors import InputError, SpbeError
from ..inputs import ID_COLUMN, BatchRow, _year, csv_records, row_assessment
from .batch import RESULT_COLUMNS, csv_cells, output_header, row_result

__all__ = ["BlockScorer", "Writer", "row_by_row"]


class Writer:
    """Write output lines and count rows, writing the header before the first row."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.writer = csv.writer(out, lineterminator="\n")
        self.header: list[str] | None = None
        self.total = self.failed = 0

    def start(self, columns: list[str]) -> None:
        if self.header is None:
            self.header = columns
            self.writer.writerow(output_header(columns))

    def slow(self, row: BatchRow, result: dict[str, Any]) -> None:
        self.start(list(row.columns))
        assert self.header is not None
        self.writer.writerow(csv_cells(row, result, self.header))
        self.total += 1
        self.failed += result["status"] == "error"


def row_by_row(
    engine: Engine,
    path: Path,
    records: Iterator[tuple[int, Any]],
    rubric: str | None,
    partial: bool,
    number: int,
) -> Iterator[tuple[BatchRow, dict[str, Any]]]:
    """The row-by-row path, numbered on from ``number`` (as :func:`spbe_engine.inputs.read_batch`)."""
    for line, record in records:
        number += 1
        yield _one(engine, path, number, line, record, rubric, partial)


def _one(
    engine: Engine,
    path: Path,
    number: int,
    line: int,
    record: Any,
    rubric: str | None,
    partial: bool,
) -> tuple[BatchRow, dict[str, Any]]:
    if isinstance(record, InputError):
        row = BatchRow(number, line, {}, None, record.with_file(str(path)))  # type: ignore[arg-type]
    else:
        try:
            row = BatchRow(number, line, record, row_assessment(record, rubric))
        except InputError as exc:
            row = BatchRow(number, line, record, None, exc)
    return row, row_result(engine, row, rubric, partial)


class BlockScorer:
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
            and not ({"levels", "aggregates", "domains"} & set(header))
        )
        self.level_columns = {name.upper(): n for n, name in enumerate(header) if ID_COLUMN.match(name)}
        self.suffixes: dict[tuple[str, int], str] = {}

    def block(self, path: Path, block: str, writer: Writer, number: int, line: int) -> tuple[int, int]:
        """Write the results of one block of whole lines; return the row and line counts after it."""
        lines = block.split("\n")[:-1]
        same_header = writer.header is None or writer.header == self.header
        parsed = None
        if self.plain and same_header and "\n\n" not in "\n" + block:
            parsed = self._parse(block)
        if parsed is None:
            reader = csv.reader(io.StringIO(block, newline=""))
            for row, result in row_by_row(
                self.engine,
                path,
                csv_records(reader, self.header, line),
                self.rubric,
                self.partial,
                number,
            ):
                writer.slow(row, result)
            return number + sum(1 for text in lines if text), line + len(lines)
        writer.start(self.header)
        rendered = self._score(path, lines, parsed, writer, number, line)
        writer.out.write("\n".join(rendered) + "\n")
        writer.total += len(lines)
        return number + len(lines), line + len(lines)

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

    def _score(self, path: Path, lines: list[str], table: Any, writer: Writer, number: int, line: int) -> list[str]:
        import numpy as np

        from .. import vector

        rows = len(lines)
        rendered = list(lines)
        groups = self._rubric_groups(table, rows)
        columns = {n: _numpy(table.column(f"c{n}"), np.int64) for n in self.level_columns.values()}
        for rubric_id, where in groups:
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
                    numerator, bad = vector.numerators(plan, matrix)
                    self._render(plan, rubric_id, rendered, where[~bad], numerator[~bad])
                    bad_rows = where[bad]
            for k in bad_rows.tolist():
                record = dict(zip(self.header, lines[k].split(","), strict=True))
                row, result = _one(
                    self.engine,
                    path,
                    number + k + 1,
                    line + k + 1,
                    record,
                    self.rubric,
                    self.partial,
                )
                cells = io.StringIO()
                csv.writer(cells, lineterminator="").writerow(csv_cells(row, result, self.header))
                rendered[k] = cells.getvalue()
                writer.failed += result["status"] == "error"
        return rendered

    def _rubric_groups(self, table: Any, rows: int) -> list[tuple[str | None, Any]]:
        """Split the block's rows by the rubric each is scored under (``None``: it cannot be resolved)."""
        import numpy as np
        import pyarrow.compute as pc

        from ..models import Assessment

        keys = []
        for name in ("rubric", "year"):
            if name in self.header:
                column = table.column(f"c{self.header.index(name)}").combine_chunks()
                values = pc.unique(column)
                keys.append((_numpy(pc.index_in(column, value_set=values), np.int32), values.to_pylist()))
            else:
                keys.append((np.zeros(rows, dtype=np.int64), [""]))
        (rubric_codes, rubrics), (year_codes, years) = keys
        combined = rubric_codes.astype(np.int64) * len(years) + year_codes
        out: list[tuple[str | None, Any]] = []
        for key in np.unique(combined).tolist():
            raw, year_cell = rubrics[key // len(years)], years[key % len(years)]
            cell = raw.strip() or raw  # as row_assessment reads the rubric cell
            try:
                year = _year(year_cell)  # a bad year fails the row even under --rubric
                rubric_id = self.rubric or self.engine.resolve_rubric_id(Assessment(year=year, rubric=cell or None))
            except SpbeError:
                rubric_id = None
            out.append((rubric_id, np.flatnonzero(combined == key)))
        return out

    def _render(self, plan: Any, rubric_id: str, rendered: list[str], where: Any, numerator: Any) -> None:
        """Append the result cells to each scored line, rendering each distinct numerator once."""
        import numpy as np

        from ..numbers import format_exact

        distinct, inverse = np.unique(numerator, return_inverse=True)
        suffixes = []
        for value in distinct.tolist():
            key = (rubric_id, value)
            suffix = self.suffixes.get(key)
            if suffix is None:
                index = str(plan.published(value))
                predikat = plan.predikat(value)
                cells = io.StringIO()
                csv.writer(cells, lineterminator="").writerow(
                    [
                        index,
                        format_exact(plan.exact(value)),
                        index,
                        predikat,
                        predikat,
                        rubric_id,
                        "ok",
                        "",
                    ]
                )
                suffix = self.suffixes[key] = "," + cells.getvalue()
            suffixes.append(suffix)
        if len(where) == len(rendered):  # every line of the block: one pass, no index look-ups
            rendered[:] = map(str.__add__, rendered, [suffixes[s] for s in inverse.tolist()])
            return
        for k, s in zip(where.tolist(), inverse.tolist(), strict=True):
            rendered[k] += suffixes[s]


def _numpy(column: Any, dtype: Any) -> Any:
    """Return a null-free Arrow integer column as numpy, from its buffer.

    (pyarrow's ``to_numpy`` imports pandas when it is installed, which costs
    more than scoring a block.)
    """
    import numpy as np

    array = column.combine_chunks() if hasattr(column, "combine_chunks") else column
    assert array.null_count == 0
    width = np.dtype(dtype).itemsize
    return np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array), offset=array.offset * width)


assert RESULT_COLUMNS == (
    "index",
    "exact_index",
    "index_candidates",
    "predikat",
    "predikat_candidates",
    "rubric",
    "status",
    "message",
), "the rendered suffix follows this order"
