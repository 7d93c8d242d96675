"""The bulk JSON Lines reader: blocks of canonical lines, parsed by pyarrow, scored as level matrices.

A block of whole lines is scored in bulk when every line is *canonical*: one
flat object written as ``json.dumps`` writes it (``{"k": v, "k2": v2}``),
with the keys of the block's first line in the same order, indicator levels
as whole numbers, other values whole numbers or strings without escapes.
Such a line reads the same to every JSON parser, has no duplicate key, and
is its own ``json.dumps``; so pyarrow parses the block into a level matrix,
the vectorised plan scores it, and :func:`render_lines` writes each result
line from the input line as it is, byte for byte what the row path writes.
Any other block goes row by row through the same reader and scorer as every
other batch (a row the plan flags is scored alone with its exact message).
Needs the ``fast`` extra (numpy, pyarrow).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import attrs

from ..errors import SpbeError
from ..inputs import ID_COLUMN, jsonl_records, parse_year
from ..models import Assessment
from ._blocks import Scored, block_results, int_column, score_record
from ._read import whole_lines
from ._results import RowResult
from ._write import jsonl_line

if TYPE_CHECKING:
    from .._engine import Engine

__all__ = ["BLOCK_CHARS", "LineBlock", "blocks", "render_lines"]

#: Characters per block (as the CSV reader's): bounds memory, amortises the parser.
BLOCK_CHARS = 4 * 1024 * 1024

_INT = r"(?:-?[1-9][0-9]*|0)"
_STR = r'"[^"\\\x00-\x1f]*"'
_PLAIN_KEY = re.compile(r'[^"\\\x00-\x1f]*')
#: Keys the row path reads as more than a column: structured assessments and printed figures.
_STRUCTURED = {"levels", "aggregates", "domains", "index", "predikat"}


@attrs.frozen(kw_only=True)
class _Template:
    """The keys and value kinds of a block's first line, and the pattern every canonical line of it matches."""

    keys: tuple[str, ...]
    kinds: tuple[type, ...]
    levels: dict[str, str]  # indicator id (upper case) → key
    pattern: re.Pattern[str]

    @classmethod
    def of(cls, line: str) -> _Template | None:
        """Read the template of a line; ``None`` when the line is not one the bulk path can take."""
        pairs = _flat_pairs(line)
        if pairs is None:
            return None
        keys = tuple(key for key, _ in pairs)
        kinds = tuple(type(value) for _, value in pairs)
        levels = _level_keys(keys, kinds)
        if not levels or dict(zip(keys, kinds, strict=True)).get("rubric", str) is not str:
            return None
        parts = []
        for key, kind in zip(keys, kinds, strict=True):
            value = _INT if kind is int else _STR
            if key in ("instansi", "year"):
                value = f"(?P<{key}>{value})"
            parts.append(f'"{re.escape(key)}": {value}')
        return cls(keys=keys, kinds=kinds, levels=levels, pattern=re.compile("\\{" + ", ".join(parts) + "\\}"))

    def schema(self) -> Any:
        import pyarrow as pa

        return pa.schema(
            [(k, pa.int64() if kind is int else pa.string()) for k, kind in zip(self.keys, self.kinds, strict=True)]
        )


def _flat_pairs(line: str) -> list[tuple[str, Any]] | None:
    """Return a line's key-value pairs if it is one flat object of distinct plain keys, whole numbers and strings."""
    if not line.startswith("{"):
        return None
    try:
        pairs = json.loads(line, object_pairs_hook=list)
    except (ValueError, RecursionError):  # not JSON, or nested past the parser: the row path says which
        return None
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys) or _STRUCTURED & set(keys):
        return None
    if not all(type(value) in (int, str) and _PLAIN_KEY.fullmatch(key) for key, value in pairs):
        return None
    return pairs  # type: ignore[no-any-return]


def _level_keys(keys: tuple[str, ...], kinds: tuple[type, ...]) -> dict[str, str] | None:
    """Return indicator id → key for the level keys; ``None`` for domain values, spaced or repeated ids."""
    levels: dict[str, str] = {}
    for key, kind in zip(keys, kinds, strict=True):
        if ID_COLUMN.match(key.strip()):
            ident = key.strip().upper()
            if key != key.strip() or kind is not int or ident[0] != "I" or ident in levels:
                return None  # the row path says what these mean
            levels[ident] = key
    return levels


@attrs.frozen(kw_only=True)
class LineBlock:
    """A block of canonical lines: bulk-scored rows by rubric, the rows scored one by one, and the lines."""

    lines: list[str]
    tokens: list[tuple[str, str]]  # each line's instansi and year as JSON text ("null" where absent)
    number: int
    line: int
    scored: list[Scored]
    single: dict[int, RowResult]

    def results(self) -> Iterator[RowResult]:
        """Yield every row of the block as a row result, in input order."""
        lines = self.lines
        return block_results(
            self.scored,
            self.single,
            len(lines),
            number=self.number,
            line=self.line,
            columns=lambda k: json.loads(lines[k]),
        )


def blocks(
    engine: Engine,
    path: Path,
    handle: IO[str],
    rubric: str | None,
    partial: bool,
    progress: Callable[[int], None],
) -> Iterator[LineBlock | RowResult]:
    """Read and score a JSON Lines batch; yield bulk-scored blocks and single row results, in input order."""
    number, line = 0, 0
    for block, _ in whole_lines(handle, BLOCK_CHARS, progress):
        lines = block.split("\n")
        if lines[-1] == "":
            lines.pop()
        scored = None if "\r" in block or "" in lines else _bulk(engine, path, lines, rubric, partial, number, line)
        if scored is not None:
            yield scored
            number += len(lines)
            line += len(lines)
            continue
        for at, record in jsonl_records(io.StringIO(block, newline=""), line):
            number += 1
            yield score_record(engine, path, number, at, record, rubric, partial)
        line += block.count("\n") + block.count("\r") - block.count("\r\n") + (not block.endswith(("\n", "\r")))


def _bulk(
    engine: Engine, path: Path, lines: list[str], rubric: str | None, partial: bool, number: int, line: int
) -> LineBlock | None:
    """Score a block of canonical lines in bulk; ``None`` when one of them is not canonical."""
    template = _Template.of(lines[0])
    if template is None:
        return None
    found = [match for match in map(template.pattern.fullmatch, lines) if match is not None]
    if len(found) != len(lines):
        return None
    table = _parse("\n".join(lines), template)
    if table is None:
        return None
    import numpy as np

    from ._vector import numerators

    rows = len(lines)
    scored: list[Scored] = []
    single: dict[int, RowResult] = {}
    for rubric_id, where in _rubric_groups(engine, table, template, rubric, rows):
        bad_rows = where
        if rubric_id is not None:
            plan = engine.plan(rubric_id)
            keys = [template.levels.get(ind) for ind in plan.indicator_ids]
            if len(template.levels) == len(keys) and None not in keys:
                matrix = np.empty((len(where), len(keys)), dtype=np.int64)
                for j, key in enumerate(keys):
                    column = int_column(table.column(key), np.int64)
                    matrix[:, j] = column if len(where) == rows else column[where]
                numerator, bad = numerators(plan, matrix)
                scored.append(Scored(plan=plan, where=where[~bad], numerator=numerator[~bad]))
                bad_rows = where[bad]
        for k in bad_rows.tolist():
            record = json.loads(lines[k])
            single[k] = score_record(engine, path, number + k + 1, line + k + 1, record, rubric, partial)
    has = ("instansi" in template.keys, "year" in template.keys)
    tokens = [(m["instansi"] if has[0] else "null", m["year"] if has[1] else "null") for m in found]
    return LineBlock(lines=lines, tokens=tokens, number=number, line=line, scored=scored, single=single)


def _parse(text: str, template: _Template) -> Any:
    """Parse canonical lines with pyarrow into columns of the template's types; ``None`` if refused."""
    import pyarrow as pa
    import pyarrow.json as pajson

    try:
        return pajson.read_json(
            io.BytesIO(text.encode("utf-8")),
            read_options=pajson.ReadOptions(block_size=1 << 20),
            parse_options=pajson.ParseOptions(explicit_schema=template.schema(), unexpected_field_behavior="error"),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # a whole number beyond int64, say
        return None


def _rubric_groups(
    engine: Engine, table: Any, template: _Template, rubric: str | None, rows: int
) -> list[tuple[str | None, Any]]:
    """Split the block's rows by the rubric each is scored under (``None``: it cannot be resolved)."""
    import numpy as np
    import pyarrow.compute as pc

    keys = []
    for name in ("rubric", "year"):
        if name in template.keys:
            column = table.column(name).combine_chunks()
            values = pc.unique(column)
            keys.append((int_column(pc.index_in(column, value_set=values), np.int32), values.to_pylist()))
        else:
            keys.append((np.zeros(rows, dtype=np.int64), [None]))
    (rubric_codes, rubrics), (year_codes, years) = keys
    combined = rubric_codes.astype(np.int64) * len(years) + year_codes
    out: list[tuple[str | None, Any]] = []
    for key in np.unique(combined).tolist():
        raw, year_value = rubrics[key // len(years)], years[key % len(years)]
        cell = (raw.strip() or raw) if raw is not None else None  # as row_assessment reads the rubric
        try:
            year = parse_year(year_value)  # a bad year fails the row even under a named rubric
            rubric_id = rubric or engine.resolve_rubric_id(Assessment(year=year, rubric=cell or None))
        except SpbeError:
            rubric_id = None
        out.append((rubric_id, np.flatnonzero(combined == key)))
    return out


def render_lines(block: LineBlock, memo: dict[tuple[str, int], str]) -> str:
    """Return a scored block as JSON Lines, each result line built around its input line.

    ``memo`` keeps the rendered result members of each ``(rubric, numerator)`` across blocks.
    """
    import numpy as np

    middle: list[str | None] = [None] * len(block.lines)
    for part in block.scored:
        rubric_id = part.plan.rubric.id
        distinct, inverse = np.unique(part.numerator, return_inverse=True)
        texts = []
        for value in distinct.tolist():
            text = memo.get((rubric_id, value))
            if text is None:
                text = memo[rubric_id, value] = json.dumps(part.values(value), ensure_ascii=False)[1:-1]
            texts.append(text)
        for k, s in zip(part.where.tolist(), inverse.tolist(), strict=True):
            middle[k] = texts[s]
    rendered = []
    first = block.number + 1
    for k, (text, (instansi, year)) in enumerate(zip(block.lines, block.tokens, strict=True)):
        single = block.single.get(k)
        if single is not None:
            rendered.append(jsonl_line(single))
            continue
        rendered.append(
            f'{{"row": {first + k}, "line": {block.line + k + 1}, "instansi": {instansi}, "year": {year}, '
            f'{middle[k]}, "input": {text}}}\n'
        )
    return "".join(rendered)
