"""Read rubric TOML files into validated :class:`~spbe_engine.models.Rubric` objects.

This is the parsing edge: no TOML library's types leave this module. Decimal
facts stay exact: a TOML float such as ``weight = 1.30`` is read from its
source text (``tomllib`` with an exact ``parse_float``, within the bounds of
:mod:`spbe_engine._bounded`), never through a binary float, and quoted
decimals (``"1.30"``) work the same. Reading uses the standard library's
``tomllib`` because it parses several times faster than tomlkit, which stays
the tool for editing rubric files.
The file format is documented in ``docs/rubric-format.md``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from ._bounded import loads_toml
from ._numbers import BOUNDS, ROUNDING_MODES, OutOfBoundsError, format_exact, parse_exact
from .errors import RubricError, SpbeError, UnknownRubricError
from .models import Band, Group, Indicator, IndicatorCriteria, LegalBasis, Level, LevelScale, Rounding, Rubric

__all__ = ["SCHEMA_VERSION", "load_criteria", "load_rubric", "read_toml"]

#: The rubric file format version this engine reads.
SCHEMA_VERSION = 1

RawRubric = dict[str, Any]
#: Returns the resolved raw data of a base rubric named by ``extends``.
BaseResolver = Callable[[str], RawRubric]

_TOP_KEYS = {
    "schema",
    "id",
    "title",
    "years",
    "extends",
    "notes",
    "criteria",
    "legal_basis",
    "rounding",
    "scales",
    "bands",
    "groups",
    "indicators",
    "remove",
    "meta",
    "golden",
}
# ``golden`` names this rubric's own golden-case file (spbe_engine.testing): never inherited.
_OWN_KEYS = {"years", "title", "legal_basis", "notes", "extends", "golden"}
_GROUP_KEYS = {"kind", "name", "weight", "parent", "note"}
_INDICATOR_KEYS = {"name", "parent", "weight", "scale", "code", "note"}
_LEGAL_KEYS = {"regulation", "title", "enacted", "promulgated", "gazette", "source", "notes"}
_ROUNDING_KEYS = {"places", "mode", "predikat_on", "note"}
_BAND_KEYS = {"predikat", "lower", "upper", "note"}
_LEVEL_KEYS = {"name", "description", "english", "value"}
#: A level key: a whole number of at most four ASCII digits (``str.isdigit`` also takes "²", which int() refuses).
_LEVEL_KEY = re.compile(r"[0-9]{1,4}")


def read_toml(source: Traversable | Path, *, error: type[SpbeError] = RubricError) -> dict[str, Any]:
    """Read a TOML file into plain Python data, reporting any problem as one clear ``error`` naming the file.

    A UTF-8 byte order mark is allowed; numbers, nesting and text are bounded
    as :mod:`spbe_engine._bounded` describes.
    """
    name = str(source)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error("file not found", file=name) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:  # ValueError: a NUL in the path
        raise error(f"cannot read the file: {exc}", file=name) from None
    try:
        return loads_toml(text, error)
    except SpbeError as exc:
        raise exc.with_file(name) from None


def _merge(base: Any, override: Any) -> Any:
    """Deep-merge tables; anything else (arrays included) is replaced whole."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return override


class _Reader:
    """Typed access to raw rubric data with errors that name file and field."""

    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, field: str, problem: str, value: Any = None, allowed: str | None = None) -> RubricError:
        return RubricError(problem, file=self.file, field=field, value=value, allowed=allowed)

    def table(self, data: Any, field: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(field, "must be a table", data)
        return data

    def keys(self, data: dict[str, Any], field: str, allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                raise self.fail(f"{field}.{key}" if field else key, "unknown field", allowed=", ".join(sorted(allowed)))

    def text(self, data: dict[str, Any], key: str, field: str, *, default: str | None = None) -> str:
        value = data.get(key, default)
        if value is None:
            raise self.fail(f"{field}.{key}" if field else key, "missing", allowed="a string")
        if not isinstance(value, str):
            raise self.fail(f"{field}.{key}" if field else key, "must be a string", value)
        return value

    def number(self, data: dict[str, Any], key: str, field: str) -> Fraction:
        where = f"{field}.{key}"
        if key not in data:
            raise self.fail(where, "missing", allowed='a decimal number such as 2.75 or "2.75"')
        value = data[key]
        try:
            return parse_exact(value)  # a ratio where no finite decimal exists (20 % over six rows: "10/3")
        except OutOfBoundsError as exc:
            raise self.fail(where, str(exc), str(value), f"a decimal number with {BOUNDS}") from None
        except ValueError:
            raise self.fail(
                where,
                "must be a decimal number",
                value,
                'a decimal number such as 2.75 or "2.75", or a ratio such as "10/3"',
            ) from None


def _hash(raw: RawRubric) -> str:
    def default(value: Any) -> str:
        if isinstance(value, Decimal):
            return format_exact(Fraction(value))
        raise TypeError(type(value).__name__)

    # Criteria texts and golden cases document a rubric; they do not change its arithmetic.
    canonical = {key: value for key, value in raw.items() if key not in ("criteria", "_criteria_source", "golden")}
    text = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=default)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def resolve_raw(source: Traversable | Path, expected_id: str, resolve_base: BaseResolver | None) -> RawRubric:
    """Read a rubric file and fold in the rubric it ``extends``, if any."""
    reader = _Reader(str(source))
    raw = read_toml(source)
    schema = raw.get("schema")
    if schema != SCHEMA_VERSION:
        raise reader.fail("schema", "unsupported rubric file format version", schema, str(SCHEMA_VERSION))
    file_id = reader.text(raw, "id", "")
    if file_id != expected_id:
        raise reader.fail("id", f"does not match the id it was registered under ({expected_id!r})", file_id)
    if "criteria" in raw:
        criteria_name = reader.text(raw, "criteria", "")
        raw["_criteria_source"] = (
            source.parent / criteria_name if isinstance(source, Path) else (_sibling(source, criteria_name))
        )
    base_id = raw.get("extends")
    if base_id is None:
        return raw
    if not isinstance(base_id, str):
        raise reader.fail("extends", "must be a rubric id", base_id)
    if resolve_base is None:
        raise reader.fail("extends", "no registry to resolve the base rubric from", base_id)
    base = _base(reader, base_id, resolve_base)
    for key in ("years", "title", "legal_basis"):
        if key not in raw:
            raise reader.fail(key, "a derived rubric must state its own value", allowed=f"set {key} explicitly")
    # What a derived rubric states about itself replaces the base's whole.
    own = {key: value for key, value in raw.items() if key != "remove"}
    merged: dict[str, Any] = _merge({key: value for key, value in base.items() if key not in _OWN_KEYS}, own)
    for kind, ids in reader.table(raw.get("remove", {}), "remove").items():
        if kind not in ("groups", "indicators") or not isinstance(ids, list):
            raise reader.fail(f"remove.{kind}", "unknown removal", allowed="groups = [...], indicators = [...]")
        for item_id in ids:
            if not isinstance(item_id, str) or item_id not in merged.get(kind, {}):
                raise reader.fail(f"remove.{kind}", f"{base_id!r} has no such {kind[:-1]}", item_id)
            del merged[kind][item_id]
    merged["extends"] = base_id
    return merged


def _base(reader: _Reader, base_id: str, resolve_base: BaseResolver) -> RawRubric:
    """Resolve the rubric named by ``extends``; a fault in the chain names the file whose ``extends`` it is."""
    try:
        return resolve_base(base_id)
    except UnknownRubricError as exc:
        if exc.file is not None:  # raised further down the chain, by the file at fault
            raise
        # The fault is this file's ``extends``, not whatever (an assessment, say) asked for this rubric.
        raise reader.fail("extends", "unknown rubric", base_id, exc.allowed) from None
    except RubricError as exc:  # a cycle is found on reaching a rubric again: this file closes it
        raise exc.with_file(reader.file) from None


def _sibling(source: Traversable, name: str) -> Traversable:
    parent = getattr(source, "parent", None)
    if parent is not None:
        return parent / name  # type: ignore[no-any-return]
    raise RubricError("cannot locate the criteria file next to this rubric", file=str(source), field="criteria")


def load_rubric(source: Traversable | Path, expected_id: str, resolve_base: BaseResolver | None = None) -> Rubric:
    """Load, resolve and validate one rubric file registered as ``expected_id``."""
    return build_rubric(resolve_raw(source, expected_id, resolve_base), str(source))


def build_rubric(raw: RawRubric, file: str) -> Rubric:
    """Validate resolved raw rubric data and build the :class:`Rubric`."""
    rd = _Reader(file)
    rd.keys(raw, "", _TOP_KEYS | {"_criteria_source"})
    rubric_id = rd.text(raw, "id", "")
    years = raw.get("years", [])
    if not isinstance(years, list) or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise rd.fail("years", "must be a list of evaluation years", years, "e.g. [2021, 2022]")
    if len(set(years)) != len(years):
        raise rd.fail("years", "lists a year twice", years)
    legal = rd.table(raw.get("legal_basis", {}), "legal_basis")
    rd.keys(legal, "legal_basis", _LEGAL_KEYS)
    legal_basis = LegalBasis(**{key: rd.text(legal, key, "legal_basis", default="") for key in _LEGAL_KEYS - {"notes"}})
    if not legal_basis.regulation:
        raise rd.fail("legal_basis.regulation", "missing", allowed="the regulation's number and year")

    scales = _scales(rd, raw)
    groups = _groups(rd, raw)
    indicators = _indicators(rd, raw, groups, scales)
    groups = _link(rd, groups, indicators)
    _check_weights(rd, groups, indicators)
    rounding = _rounding(rd, raw)
    used = {ind.scale for ind in indicators}
    # The index range runs from every indicator at its lowest-scoring level to every one at its highest.
    low = sum((ind.weight * _lowest_value(scales[ind.scale]) for ind in indicators), Fraction(0)) / 100
    high = sum((ind.weight * _highest_value(scales[ind.scale]) for ind in indicators), Fraction(0)) / 100
    bands = _bands(rd, raw, low, high)
    notes = raw.get("notes", [])
    if isinstance(notes, str):
        notes = [notes]
    if not isinstance(notes, list):
        raise rd.fail("notes", "must be a string or a list of strings", notes)
    return Rubric(
        id=rubric_id,
        title=rd.text(raw, "title", ""),
        years=tuple(years),
        legal_basis=legal_basis,
        scales={key: scales[key] for key in scales if key in used},
        groups=tuple(groups.values()),
        indicators=tuple(indicators),
        bands=bands,
        rounding=rounding,
        sha256=_hash(raw),
        extends=raw.get("extends"),
        notes=tuple(str(note) for note in notes),
        source=file,
        criteria_source=raw.get("_criteria_source"),
    )


def _scales(rd: _Reader, raw: RawRubric) -> dict[str, LevelScale]:
    scales: dict[str, LevelScale] = {}
    for scale_id, spec in rd.table(raw.get("scales", {}), "scales").items():
        field = f"scales.{scale_id}"
        spec = rd.table(spec, field)
        rd.keys(spec, field, {"name", "levels", "note"})
        levels: list[Level] = []
        for number, level in rd.table(spec.get("levels", {}), f"{field}.levels").items():
            where = f"{field}.levels.{number}"
            if not _LEVEL_KEY.fullmatch(number):
                raise rd.fail(where, "level keys must be whole numbers", number)
            if isinstance(level, str):
                level = {"name": level}
            level = rd.table(level, where)
            rd.keys(level, where, _LEVEL_KEYS)
            name = rd.text(level, "name", where)
            description = rd.text(level, "description", where, default="")
            english = rd.text(level, "english", where, default="")
            if "value" in level:  # scored at another value than its number
                value = rd.number(level, "value", where)
                levels.append(
                    Level(number=int(number), name=name, description=description, english=english, value=value)
                )
            else:
                levels.append(Level(number=int(number), name=name, description=description, english=english))
        levels.sort(key=lambda level: level.number)
        try:
            scales[scale_id] = LevelScale(scale_id, rd.text(spec, "name", field), tuple(levels))
        except ValueError:
            raise rd.fail(
                f"{field}.levels",
                "levels must be consecutive whole numbers",
                [level.number for level in levels],
                "e.g. 1, 2, 3, 4, 5",
            ) from None
        _check_values(rd, field, scales[scale_id])
    if not scales:
        raise rd.fail("scales", "a rubric needs at least one level scale")
    return scales


def _check_values(rd: _Reader, field: str, scale: LevelScale) -> None:
    """Check level values lie within the scale and never fall as the level rises."""
    first, last = scale.numbers[0], scale.numbers[-1]
    previous: Level | None = None
    for level in scale.levels:
        value = level.worth
        if not first <= value <= last:
            raise rd.fail(
                f"{field}.levels.{level.number}.value",
                "a level's value must lie within the scale",
                format_exact(value),
                f"{first} to {last}",
            )
        if previous is not None and value < previous.worth:
            raise rd.fail(
                f"{field}.levels.{level.number}.value",
                f"scores below level {previous.number} ({format_exact(previous.worth)}): "
                "a higher level may not score less",
                format_exact(value),
            )
        previous = level


def _lowest_value(scale: LevelScale) -> Fraction:
    return min(level.worth for level in scale.levels)


def _highest_value(scale: LevelScale) -> Fraction:
    return max(level.worth for level in scale.levels)


def _groups(rd: _Reader, raw: RawRubric) -> dict[str, Group]:
    groups: dict[str, Group] = {}
    for group_id, spec in rd.table(raw.get("groups", {}), "groups").items():
        field = f"groups.{group_id}"
        spec = rd.table(spec, field)
        rd.keys(spec, field, _GROUP_KEYS)
        parent = spec.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise rd.fail(f"{field}.parent", "must be a group id", parent)
        groups[group_id] = Group(
            group_id,
            rd.text(spec, "kind", field),
            rd.text(spec, "name", field),
            rd.number(spec, "weight", field),
            parent,
        )
    if not groups:
        raise rd.fail("groups", "a rubric needs at least one domain or aspect")
    for group in groups.values():
        seen = {group.id}
        parent_id = group.parent
        while parent_id is not None:
            if parent_id not in groups:
                raise rd.fail(f"groups.{group.id}.parent", "no such group", parent_id, ", ".join(groups))
            if parent_id in seen:
                raise rd.fail(f"groups.{group.id}.parent", "groups form a cycle", parent_id)
            seen.add(parent_id)
            parent_id = groups[parent_id].parent
    return groups


def _indicators(
    rd: _Reader, raw: RawRubric, groups: dict[str, Group], scales: dict[str, LevelScale]
) -> list[Indicator]:
    indicators: list[Indicator] = []
    for indicator_id, spec in rd.table(raw.get("indicators", {}), "indicators").items():
        field = f"indicators.{indicator_id}"
        spec = rd.table(spec, field)
        rd.keys(spec, field, _INDICATOR_KEYS)
        if indicator_id in groups:
            raise rd.fail(field, "an indicator id may not repeat a group id", indicator_id)
        parent = rd.text(spec, "parent", field)
        if parent not in groups:
            raise rd.fail(f"{field}.parent", "no such group", parent, ", ".join(groups))
        scale = rd.text(spec, "scale", field)
        if scale not in scales:
            raise rd.fail(f"{field}.scale", "no such level scale", scale, ", ".join(scales))
        indicators.append(
            Indicator(
                indicator_id,
                rd.text(spec, "name", field),
                parent,
                rd.number(spec, "weight", field),
                scale,
                rd.text(spec, "code", field, default=""),
                rd.text(spec, "note", field, default=""),
            )
        )
    if not indicators:
        raise rd.fail("indicators", "a rubric needs at least one indicator")
    return indicators


def _link(rd: _Reader, groups: dict[str, Group], indicators: list[Indicator]) -> dict[str, Group]:
    linked: dict[str, Group] = {}
    for group in groups.values():
        children = tuple(g.id for g in groups.values() if g.parent == group.id)
        members = tuple(ind.id for ind in indicators if ind.parent == group.id)
        if not children and not members:
            raise rd.fail(f"groups.{group.id}", "has no indicators below it")
        linked[group.id] = Group(group.id, group.kind, group.name, group.weight, group.parent, children, members)
    return linked


def _check_weights(rd: _Reader, groups: dict[str, Group], indicators: list[Indicator]) -> None:
    weights = {ind.id: ind.weight for ind in indicators} | {g.id: g.weight for g in groups.values()}
    for item_id, weight in weights.items():
        if weight < 0:
            kind = "groups" if item_id in groups else "indicators"
            raise rd.fail(f"{kind}.{item_id}.weight", "must not be negative", format_exact(weight))
    top = [g for g in groups.values() if g.parent is None]
    total = sum((g.weight for g in top), Fraction(0))
    if total != 100:
        parts = ", ".join(f"{g.id} {format_exact(g.weight)}" for g in top)
        raise rd.fail(
            "groups",
            f"top-level weights sum to {format_exact(total)}, not 100 ({parts})",
            allowed="weights in percent of the index that sum to 100",
        )
    for group in groups.values():
        members = list(group.children) + list(group.indicators)
        below = sum((weights[m] for m in members), Fraction(0))
        if below != group.weight:
            parts = ", ".join(f"{m} {format_exact(weights[m])}" for m in members)
            raise rd.fail(
                f"groups.{group.id}.weight",
                f"its members' weights sum to {format_exact(below)}, not the group's "
                f"{format_exact(group.weight)} ({parts})",
                allowed="member weights (in % of the index) that add up to the group's weight",
            )


def _rounding(rd: _Reader, raw: RawRubric) -> Rounding:
    spec = rd.table(raw.get("rounding", {}), "rounding")
    rd.keys(spec, "rounding", _ROUNDING_KEYS)
    places = spec.get("places", 2)
    if not isinstance(places, int) or isinstance(places, bool) or not 0 <= places <= 6:
        raise rd.fail("rounding.places", "must be a whole number of decimals", places, "0 to 6")
    mode = spec.get("mode", "half_up")
    if not isinstance(mode, str) or mode not in ROUNDING_MODES:
        raise rd.fail("rounding.mode", "unknown rounding mode", mode, ", ".join(ROUNDING_MODES))
    predikat_on = spec.get("predikat_on", "rounded")
    if predikat_on not in ("rounded", "exact"):
        raise rd.fail("rounding.predikat_on", "unknown rule", predikat_on, "rounded, exact")
    return Rounding(places, mode, predikat_on)


def _bands(rd: _Reader, raw: RawRubric, low: Fraction, high: Fraction) -> tuple[Band, ...]:
    specs = raw.get("bands")
    if not isinstance(specs, list) or not specs:
        raise rd.fail("bands", "a rubric needs its predikat bands", allowed="an array of [[bands]] tables")
    bands: list[Band] = []
    for n, spec in enumerate(specs):
        field = f"bands[{n}]"
        spec = rd.table(spec, field)
        rd.keys(spec, field, _BAND_KEYS)
        band = Band(rd.text(spec, "predikat", field), rd.number(spec, "lower", field), rd.number(spec, "upper", field))
        if band.lower >= band.upper:
            raise rd.fail(field, "lower must be below upper", f"{format_exact(band.lower)}..{format_exact(band.upper)}")
        bands.append(band)
    check_bands(bands, low, high, rd.fail)
    return tuple(bands)


def check_bands(bands: list[Band], low: Fraction, high: Fraction, fail: Callable[[str, str], Exception]) -> None:
    """Check bands are distinct, ordered, contiguous and cover ``[low, high]`` exactly."""
    names = [band.predikat for band in bands]
    if len(set(names)) != len(names):
        raise fail("bands", f"a predikat appears twice: {names}")
    for n, (below, above) in enumerate(itertools.pairwise(bands)):
        if above.lower < below.upper:
            raise fail(
                f"bands[{n + 1}]",
                f"overlaps the band below: {below.predikat} reaches "
                f"{format_exact(below.upper)} but {above.predikat} starts at {format_exact(above.lower)}",
            )
        if above.lower > below.upper:
            raise fail(
                f"bands[{n + 1}]",
                f"leaves a gap: {below.predikat} ends at "
                f"{format_exact(below.upper)} but {above.predikat} starts at {format_exact(above.lower)}",
            )
    if bands[0].lower != low or bands[-1].upper != high:
        raise fail(
            "bands",
            f"must cover the index range {format_exact(low)}..{format_exact(high)} "
            f"exactly, but cover {format_exact(bands[0].lower)}..{format_exact(bands[-1].upper)}",
        )


def load_criteria(source: Traversable | Path) -> dict[str, IndicatorCriteria]:
    """Read a level-criteria file: indicator id → its explanation and level texts."""
    rd = _Reader(str(source))
    raw = read_toml(source)
    out: dict[str, IndicatorCriteria] = {}
    for indicator_id, spec in rd.table(raw.get("indicators", {}), "indicators").items():
        field = f"indicators.{indicator_id}"
        spec = rd.table(spec, field)
        levels = rd.table(spec.get("levels", {}), f"{field}.levels")
        for key in levels:
            if not _LEVEL_KEY.fullmatch(key):
                raise rd.fail(f"{field}.levels.{key}", "level keys must be whole numbers", key)
        out[indicator_id] = IndicatorCriteria(
            explanation=str(spec.get("explanation", "")),
            levels={int(key): str(text) for key, text in levels.items()},
        )
    return out
