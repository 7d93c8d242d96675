"""Golden cases: published results a rubric must reproduce, kept as data beside the rubric.

A golden file is ``<rubric id>.golden.toml`` next to the rubric's TOML (or the
file the rubric's ``golden`` key names). Each ``[[cases]]`` entry holds an
input (indicator ``levels`` or published ``domains``/``aggregates``) and the
results a source published for it, with that source named. Expected values
are only ever compared with what the engine computes from the input, never
fed into a computation. This module needs neither hypothesis nor pytest.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from .._engine import Engine
from .._numbers import format_exact, parse_decimal
from .._rubric_file import read_toml
from .._scoring import ScoreCard
from ..errors import RubricError, SpbeError
from ..models import Assessment

__all__ = ["GoldenCase", "check_case", "golden_cases", "golden_file", "load_golden"]

GOLDEN_SCHEMA = 1
_FILE_KEYS = {"schema", "rubric", "source", "cases"}
_CASE_KEYS = {"name", "source", "instansi", "year", "levels", "domains", "aggregates", "expect", "note"}
_EXPECT_KEYS = {"index", "predikat", "exact_index", "exact_candidates", "groups"}


@attrs.frozen
class GoldenCase:
    """One published result: the input, what the source published for it, and the source."""

    name: str
    source: str
    assessment: Assessment
    expect: Mapping[str, Any]
    file: str = ""

    @property
    def id(self) -> str:
        """Return a short identifier for test ids and reports."""
        return self.name


def _fail(file: str, field: str, problem: str, value: Any = None) -> RubricError:
    return RubricError(problem, file=file, field=field, value=value)


def _exact_text(value: Any, file: str, field: str) -> Fraction:
    """Read an exact value written as a decimal or a ratio (``"46/11"``)."""
    try:
        if isinstance(value, str) and "/" in value:
            num, den = value.split("/", 1)
            return Fraction(parse_decimal(num)) / Fraction(parse_decimal(den))
        return Fraction(parse_decimal(value))
    except (ValueError, ZeroDivisionError):
        raise _fail(file, field, 'must be an exact number such as 4.765 or "46/11"', value) from None


def load_golden(path: Path) -> tuple[GoldenCase, ...]:  # noqa: PLR0912 - one branch per golden-case field
    """Read and validate a golden-case file; every problem names the file and the field."""
    file = str(path)
    raw = read_toml(path)
    for key in raw:
        if key not in _FILE_KEYS:
            raise _fail(file, key, "unknown field")
    if raw.get("schema") != GOLDEN_SCHEMA:
        raise _fail(
            file, "schema", f"unsupported golden file version (this kit reads {GOLDEN_SCHEMA})", raw.get("schema")
        )
    cases = raw.get("cases", [])
    if not isinstance(cases, list) or not cases:
        raise _fail(file, "cases", "a golden file needs at least one [[cases]] entry")
    out = []
    for n, spec in enumerate(cases):
        where = f"cases[{n}]"
        if not isinstance(spec, dict):
            raise _fail(file, where, "must be a table")
        for key in spec:
            if key not in _CASE_KEYS:
                raise _fail(file, f"{where}.{key}", "unknown field")
        for key in ("name", "source", "expect"):
            if key not in spec:
                raise _fail(file, f"{where}.{key}", "missing (every case names its source)")
        expect = spec["expect"]
        if not isinstance(expect, dict) or not expect:
            raise _fail(file, f"{where}.expect", "must be a non-empty table")
        for key in expect:
            if key not in _EXPECT_KEYS:
                raise _fail(file, f"{where}.expect.{key}", "unknown expectation")
        levels = spec.get("levels", {})
        aggregates = spec.get("aggregates", spec.get("domains", {}))
        if bool(levels) == bool(aggregates):
            raise _fail(file, where, "give either levels or domains (published aggregates)")
        try:
            assessment = Assessment(
                levels=levels or {},
                aggregates={k: str(v) for k, v in (aggregates or {}).items()},
                instansi=spec.get("instansi"),
                year=spec.get("year"),
            )
        except (TypeError, ValueError) as exc:
            raise _fail(file, where, f"not an assessment: {exc}") from None
        out.append(GoldenCase(str(spec["name"]), str(spec["source"]), assessment, expect, file))
    return tuple(out)


def golden_file(engine: Engine, rubric_id: str) -> Path | None:
    """Locate a rubric's golden file: its ``golden`` key, else ``<id>.golden.toml`` beside it."""
    rubric_path = Path(engine.rubric(rubric_id).source)
    if not rubric_path.is_file():
        return None
    named = read_toml(rubric_path).get("golden")
    if named is not None:
        path = rubric_path.parent / str(named)
        if not path.is_file():
            raise _fail(str(rubric_path), "golden", "names a golden file that does not exist", str(named))
        return path
    path = rubric_path.with_name(f"{rubric_id}.golden.toml")
    return path if path.is_file() else None


def golden_cases(engine: Engine, rubric_id: str) -> tuple[GoldenCase, ...]:
    """Return the golden cases a rubric ships (empty if it ships none)."""
    path = golden_file(engine, rubric_id)
    if path is None:
        return ()
    cases = load_golden(path)
    declared = read_toml(path).get("rubric")
    if declared is not None and declared != rubric_id:
        raise _fail(str(path), "rubric", f"this golden file is for another rubric, not {rubric_id!r}", declared)
    return cases


def _decimal(value: Any) -> Decimal:
    return parse_decimal(value if not isinstance(value, float) else str(value))


def check_case(engine: Engine, rubric_id: str, case: GoldenCase) -> list[str]:
    """Score one golden case and return every way the result differs from what was published."""
    try:
        card = engine.score(case.assessment, rubric=rubric_id)
    except SpbeError as exc:
        return [f"the engine refuses the input: {exc}"]
    return _compare(card, case)


def _compare(card: ScoreCard, case: GoldenCase) -> list[str]:  # noqa: PLR0912 - one branch per golden-case field
    problems: list[str] = []
    expect = case.expect
    from_levels = card.source == "levels"
    if "index" in expect:
        want = _decimal(expect["index"])
        got = [str(c) for c in card.index_candidates]
        if from_levels and card.index != want:
            problems.append(f"index {card.index}, published {want}")
        elif want not in card.index_candidates:
            problems.append(f"published index {want} is not among the engine's candidates {got}")
    if "predikat" in expect:
        want_p = str(expect["predikat"])
        if from_levels and card.predikat != want_p:
            problems.append(f"predikat {card.predikat}, published {want_p}")
        elif want_p not in card.predikat_candidates:
            problems.append(
                f"published predikat {want_p} is not among the engine's candidates {list(card.predikat_candidates)}"
            )
    shown = [format_exact(c) for c in card.exact_candidates]
    if "exact_index" in expect:
        exact = _exact_text(expect["exact_index"], case.file, "expect.exact_index")
        if exact not in card.exact_candidates:
            problems.append(f"exact index {format_exact(exact)} is not among the engine's {shown}")
    if "exact_candidates" in expect:
        listed = {_exact_text(v, case.file, "expect.exact_candidates") for v in expect["exact_candidates"]}
        if listed != set(card.exact_candidates):
            problems.append(f"exact candidates {shown}, the source lists {sorted(format_exact(v) for v in listed)}")
    for group_id, value in dict(expect.get("groups") or {}).items():
        try:
            group = card.group(group_id)
        except KeyError:
            problems.append(f"no group {group_id} in the result")
            continue
        if group.published != _decimal(value):
            problems.append(f"{group_id} {group.published}, published {_decimal(value)}")
    return problems
