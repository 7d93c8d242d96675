"""Read assessments from files: one assessment (TOML or JSON) or a batch (CSV or JSON Lines).

The parsing edge for user input. Every problem becomes an
:class:`~spbe_engine.errors.InputError` naming the file, the field (or row and
column) and the value; a bad batch row is yielded as an error and the rows
after it are still read. JSON and TOML are parsed within the bounds of
:mod:`spbe_engine._bounded` (numbers, nesting, text), so no file can hang or
exhaust the reader.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from ._bounded import loads_json
from ._numbers import BOUNDS, OutOfBoundsError, check_bounds
from ._rubric_file import read_toml
from .errors import InputError
from .models import Assessment

__all__ = ["ID_COLUMN", "assessment_from_mapping", "read_assessment", "row_assessment"]

_FILE_KEYS = {"instansi", "year", "rubric", "levels", "aggregates", "domains", "metadata", "published"}
#: Column names that look like rubric ids: indicators (I12, I35-1), domains (D3), aspects (A7).
ID_COLUMN = re.compile(r"^[IDAida]\d+(-\d+)?$")


#: A level written as text: a whole number of at most 18 digits (longer ones cannot be a level
#: and, past 4,300 digits, cannot even be turned into an int).
_LEVEL_TEXT = re.compile(r"[+-]?\d{1,18}")
#: An evaluation year written as text: ASCII digits, at most four.
_YEAR_TEXT = re.compile(r"[0-9]{1,4}")


def _json(text: str) -> Any:
    """Parse one JSON document or JSON Lines row within the bounds (see :mod:`spbe_engine._bounded`)."""
    return loads_json(text, InputError)


def _level(value: Any, field: str) -> Any:
    """Normalise one level from text input; leave anything odd for the scorer to refuse by name.

    A number is never expanded beyond the bounds: a digit string of more than
    18 digits or a Decimal outside :data:`~spbe_engine._numbers.BOUNDS` is
    refused here, since ``int()`` of ``1E+999999999`` would never finish.
    """
    if isinstance(value, str):
        text = value.strip()
        if _LEVEL_TEXT.fullmatch(text):
            return int(text)
        if re.fullmatch(r"[+-]?\d+", text):
            raise InputError("level out of range", field=field, value=value, allowed="a whole level such as 3")
        return text
    if isinstance(value, Decimal):
        try:
            check_bounds(value)
        except OutOfBoundsError as exc:
            raise InputError(
                f"level {exc}", field=field, value=str(value), allowed=f"a whole level such as 3 ({BOUNDS})"
            ) from None
        if value == value.to_integral_value() and "." not in str(value):
            return int(value)
    return value


def parse_year(value: Any, field: str = "year") -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10_000:
        return value
    if isinstance(value, str) and _YEAR_TEXT.fullmatch(value.strip()):
        return int(value.strip())
    raise InputError("must be an evaluation year", field=field, value=value, allowed="e.g. 2023")


def assessment_from_mapping(data: Mapping[str, Any]) -> Assessment:
    """Build an assessment from the structured form used by assessment files."""
    unknown = [key for key in data if key not in _FILE_KEYS]
    if unknown:
        raise InputError("unknown field", field=unknown[0], allowed=", ".join(sorted(_FILE_KEYS)))
    if "aggregates" in data and "domains" in data:
        raise InputError("give either 'aggregates' or 'domains', not both", field="domains")
    levels = data.get("levels", {})
    aggregates = data.get("aggregates", data.get("domains", {}))
    for name, table in (("levels", levels), ("aggregates", aggregates), ("metadata", data.get("metadata", {}))):
        if not isinstance(table, Mapping):
            raise InputError("must be a table of id = value", field=name, value=table)
    if levels and aggregates:
        raise InputError(
            "an assessment has either indicator levels or aggregate (domain) values, not both", field="levels"
        )
    if not levels and not aggregates:
        raise InputError(
            "no scores given",
            field="levels",
            allowed="a [levels] table (I1 = 3, ...) or a [domains] table (D1 = 2.90, ...)",
        )
    rubric = data.get("rubric")
    if rubric is not None and not isinstance(rubric, str):
        raise InputError("must be a rubric id", field="rubric", value=rubric)
    instansi = data.get("instansi")
    published = data.get("published", {})
    if not isinstance(published, Mapping) or set(published) - {"index", "predikat"}:
        raise InputError(
            "must be a table of what the source printed", field="published", value=published, allowed="index, predikat"
        )
    return Assessment(
        levels={str(key): _level(value, str(key)) for key, value in levels.items()},
        aggregates=dict(aggregates),
        instansi=None if instansi is None else str(instansi),
        year=parse_year(data.get("year")),
        rubric=rubric,
        metadata=dict(data.get("metadata", {})),
        printed_index=printed_index(published.get("index"), "published.index"),
        printed_predikat=printed_predikat(published.get("predikat"), "published.predikat"),
    )


def read_assessment(path: str | Path) -> Assessment:
    """Read one assessment from a ``.toml`` or ``.json`` file."""
    path = Path(path)
    try:
        if path.suffix.lower() == ".json":
            data = _json(_read_text(path))
            if not isinstance(data, dict):
                raise InputError("the file must hold one JSON object", value=type(data).__name__)
        elif path.suffix.lower() == ".toml":
            data = read_toml(path, error=InputError)
        else:
            raise InputError(
                "unknown assessment file type",
                value=path.suffix or path.name,
                allowed=".toml or .json (batches: .csv or .jsonl)",
            )
        return assessment_from_mapping(data)
    except InputError as exc:
        raise exc.with_file(str(path)) from None


def _read_text(path: Path) -> str:
    """Read a whole UTF-8 file (a byte order mark is dropped); any failure is one InputError."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except (OSError, ValueError) as exc:  # ValueError: not UTF-8, or a NUL in the path
        raise InputError(f"cannot read the file: {exc}", file=str(path)) from None


def row_assessment(columns: Mapping[str, Any], default_rubric: str | None = None) -> Assessment:
    """Turn one flat batch row (``instansi``, ``year``, ``rubric``, ``I1``…/``D1``…) into an assessment.

    Columns named like rubric ids become levels (``I…``) or aggregate values
    (``D…``, ``A…``), case-insensitively; every other column is carried
    through in ``metadata`` untouched. Empty cells are missing values.
    """
    if any(key in columns for key in ("levels", "aggregates", "domains")):
        return assessment_from_mapping(columns)
    levels: dict[str, Any] = {}
    aggregates: dict[str, Any] = {}
    metadata: dict[str, Any] = {}
    for key, value in columns.items():
        if key in ("instansi", "year", "rubric"):
            continue
        if isinstance(key, str) and ID_COLUMN.match(key.strip()):
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            ident = key.strip().upper()
            if ident.startswith("I"):
                levels[ident] = _level(value, ident)
            else:
                aggregates[ident] = value.strip() if isinstance(value, str) else value
        else:
            metadata[key] = value
    if levels and aggregates:
        raise InputError(
            "a row has either indicator levels or aggregate (domain) values, not both",
            field=", ".join(sorted(aggregates)),
            allowed="rename columns that are only carried along",
        )
    if not levels and not aggregates:
        raise InputError(
            "no scores in this row",
            field="columns",
            allowed="indicator columns I1, I2, ... or domain columns D1, D2, ...",
        )
    rubric = columns.get("rubric")
    if rubric is not None and not isinstance(rubric, str):  # a JSON Lines row can hold any JSON value
        raise InputError("must be a rubric id", field="rubric", value=rubric, allowed='text such as "spbe-2024"')
    rubric = rubric.strip() if isinstance(rubric, str) and rubric.strip() else default_rubric
    instansi = columns.get("instansi")
    return Assessment(
        levels=levels,
        aggregates=aggregates,
        instansi=None if instansi in (None, "") else str(instansi),
        year=parse_year(columns.get("year")),
        rubric=rubric if rubric else None,
        metadata=metadata,
        printed_index=printed_index(columns.get("index"), "index"),
        printed_predikat=printed_predikat(columns.get("predikat"), "predikat"),
    )


def printed_index(value: Any, field: str) -> Decimal | None:
    """Read the index a source printed (``None`` for an empty cell); never a float."""
    from ._numbers import parse_decimal

    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return parse_decimal(value)
    except ValueError:
        raise InputError(
            "the printed index must be a decimal number", field=field, value=value, allowed="e.g. 3.45, or empty"
        ) from None


def printed_predikat(value: Any, field: str) -> str | None:
    """Read the predikat a source printed (``None`` for an empty cell)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InputError("the printed predikat must be text", field=field, value=value, allowed="e.g. Baik, or empty")
    return " ".join(value.split())


def jsonl_records(handle: io.TextIOBase, lines_before: int = 0) -> Iterator[tuple[int, dict[str, Any] | InputError]]:
    """Yield ``(line, object or error)`` for each non-blank line; ``lines_before`` offsets the line numbers."""
    for line, text in enumerate(handle, start=lines_before + 1):
        if not text.strip():
            continue
        try:
            data = loads_json(text, InputError, first_line=line)
        except InputError as exc:
            if exc.field is None:
                exc.field = f"line {line}"
            yield line, exc
            continue
        if not isinstance(data, dict):
            yield line, InputError("each line must be one JSON object", field=f"line {line}")
            continue
        yield line, data
