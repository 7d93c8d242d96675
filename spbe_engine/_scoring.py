"""Score assessments against a compiled plan: from indicator levels, or from published aggregates.

From levels the index is exact. From published (rounded) domain values it is
reconstructed: each domain can take only certain exact values under its
rubric (59/2020: D1 and D2 multiples of 0.1, D3 = k/11, ...), so the engine
lists the exact values that round to each published figure and reports every
index and predikat they admit, never a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import TYPE_CHECKING, Any

import attrs

from ._numbers import decimal_places, format_exact, rounding_interval
from ._plan import ScoringPlan
from .errors import IncompleteError, InputError
from .models import Assessment, FrozenDict, Group, PredikatOn, ScoreSource

if TYPE_CHECKING:
    from ._printed import PrintedCheck

__all__ = [
    "GroupScore",
    "IndicatorScore",
    "Provenance",
    "ScoreCard",
    "complete_group",
    "score_aggregates",
    "score_levels",
    "score_mapping",
]

#: At most this many exact index values are enumerated from published aggregates.
MAX_EXACT_CANDIDATES = 100_000
_ONE = Fraction(1)
_NO_METADATA: Mapping[str, Any] = FrozenDict()


def _answered_by(value: Mapping[str, tuple[str, ...]]) -> Mapping[str, tuple[str, ...]]:
    return FrozenDict(value)


@attrs.frozen(kw_only=True)
class Provenance:
    """Which engine, plugin and rubric data produced a score card."""

    engine_version: str
    rubric_id: str
    rubric_sha256: str
    plugin: str
    plugin_distribution: str
    plugin_version: str
    hooks_answered_by: Mapping[str, tuple[str, ...]] = attrs.field(factory=FrozenDict, converter=_answered_by)


@attrs.frozen(kw_only=True)
class IndicatorScore:
    """One indicator's level, value and weighted contribution to the index."""

    id: str
    name: str
    parent: str
    weight: Fraction
    level: int | None
    level_name: str
    value: Fraction | None
    contribution: Fraction | None


@attrs.frozen(kw_only=True)
class GroupScore:
    """One domain's or aspect's value: exact where known, as published, or its candidates."""

    id: str
    kind: str
    name: str
    parent: str | None
    weight: Fraction
    value: Fraction | None
    published: Decimal | None
    candidates: tuple[Fraction, ...] = ()
    completeness: Fraction = Fraction(1)

    @property
    def contribution(self) -> Fraction | None:
        """Return the group's weighted contribution to the index (value × weight / 100), where known."""
        return None if self.value is None else self.value * self.weight / 100


@attrs.frozen(kw_only=True)
class ScoreCard:
    """The result of scoring one assessment under one rubric.

    ``index`` is the index as published (rounded by the rubric's rule) and
    ``exact_index`` the unrounded value; both are ``None`` where the input does
    not determine them, and then ``index_candidates`` and
    ``predikat_candidates`` list every possibility. A partial score
    (``complete`` is false) never has an ``index``: see ``partial_index``,
    ``completeness`` and ``index_range``.
    """

    rubric_id: str
    rubric_sha256: str
    source: ScoreSource
    index: Decimal | None
    exact_index: Fraction | None
    index_candidates: tuple[Decimal, ...]
    exact_candidates: tuple[Fraction, ...]
    predikat: str | None
    predikat_candidates: tuple[str, ...]
    index_range: tuple[Fraction, Fraction]
    complete: bool
    completeness: Fraction
    partial_index: Fraction | None
    provenance: Provenance
    instansi: str | None = None
    year: int | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict)
    predikat_on: PredikatOn = PredikatOn.ROUNDED
    #: How a published table's printed index and predikat fit (``None`` where none were given).
    printed: PrintedCheck | None = None
    _plan: ScoringPlan | None = attrs.field(default=None, repr=False, eq=False)
    # Levels in plan order, or (on the lean path) the validated id → level mapping, ordered on demand.
    _levels: tuple[int | None, ...] | Mapping[str, int] | None = attrs.field(default=None, repr=False, eq=False)
    _group_scores: tuple[GroupScore, ...] | None = attrs.field(default=None, repr=False, eq=False)

    @cached_property
    def _ordered(self) -> tuple[int | None, ...] | None:
        levels = self._levels
        if levels is None or isinstance(levels, tuple) or self._plan is None:
            return levels  # type: ignore[return-value]
        return tuple(levels.get(ind) for ind in self._plan.indicator_ids)

    @cached_property
    def indicators(self) -> tuple[IndicatorScore, ...]:
        """Return every indicator's level, value and contribution (empty for aggregate input)."""
        levels = self._ordered
        if self._plan is None or levels is None:
            return ()
        plan = self._plan
        out = []
        for pos, indicator in enumerate(plan.rubric.indicators):
            level = levels[pos]
            scale = plan.rubric.scales[indicator.scale]
            value = None if level is None else plan.values[pos][level]
            out.append(
                IndicatorScore(
                    id=indicator.id,
                    name=indicator.name,
                    parent=indicator.parent,
                    weight=plan.weights[pos],
                    level=level,
                    level_name="" if level is None else scale.level(level).name,
                    value=value,
                    # weight × value / 100, read off the plan's integer table (one Fraction, not three)
                    contribution=None if level is None else Fraction(plan.contributions[pos][level], plan.denominator),
                )
            )
        return tuple(out)

    @cached_property
    def groups(self) -> tuple[GroupScore, ...]:
        """Return every domain's and aspect's value, in rubric order."""
        if self._group_scores is not None:
            return self._group_scores
        levels = self._ordered
        if self._plan is None or levels is None:
            return ()
        plan = self._plan
        out = []
        for group in plan.rubric.groups:
            positions = plan.group_positions[group.id]
            present = [p for p in positions if levels[p] is not None]
            if positions and len(present) == len(positions):
                # Complete: the group's value from the integer sum of its contributions (as the index is).
                total = sum(plan.contributions[p][level] for p in positions if (level := levels[p]) is not None)
                out.append(complete_group(plan, group, total))
                continue
            weight = sum((plan.weights[p] for p in present), Fraction(0))
            value = None
            if weight:
                value = (
                    sum(
                        (
                            plan.weights[p] * plan.values[p][levels[p]]  # type: ignore[index]
                            for p in present
                        ),
                        Fraction(0),
                    )
                    / weight
                )
            share = weight / plan.group_weights[group.id] if plan.group_weights[group.id] else Fraction(1)
            complete = len(present) == len(positions)
            out.append(
                GroupScore(
                    id=group.id,
                    kind=group.kind,
                    name=group.name,
                    parent=group.parent,
                    weight=plan.group_weights[group.id],
                    value=value if complete else None,
                    published=None if value is None or not complete else _round(plan, value),
                    candidates=() if complete or value is None else (value,),
                    completeness=share,
                )
            )
        return tuple(out)

    def plan_levels(self) -> tuple[ScoringPlan, tuple[int | None, ...]] | None:
        """Return the plan and the levels in plan order of a card scored from levels (else ``None``)."""
        levels = self._ordered
        if self._plan is None or levels is None or self._group_scores is not None:
            return None
        return self._plan, levels

    def group(self, group_id: str) -> GroupScore:
        """Return the score of one domain or aspect."""
        for group in self.groups:
            if group.id == group_id:
                return group
        raise KeyError(group_id)

    @property
    def domains(self) -> tuple[GroupScore, ...]:
        """Return the top-level groups (domains; aspects in a rubric without domains)."""
        return tuple(group for group in self.groups if group.parent is None)


def complete_group(plan: ScoringPlan, group: Group, total: int) -> GroupScore:
    """Return the score of a group all of whose indicators have levels, from the integer sum of their contributions."""
    exact = plan.group_value(group.id, total)
    return GroupScore(
        id=group.id,
        kind=group.kind,
        name=group.name,
        parent=group.parent,
        weight=plan.group_weights[group.id],
        value=exact,
        published=_round(plan, exact),
    )


def _round(plan: ScoringPlan, value: Fraction) -> Decimal:
    from ._numbers import round_fraction

    return round_fraction(value, plan.rounding.places, plan.rounding.mode)


def resolve_levels(plan: ScoringPlan, levels: Mapping[str, Any], partial: bool) -> list[int | None]:
    """Check ids and levels and put them in plan order (``None`` where missing)."""
    ordered: list[int | None] = [None] * len(plan.indicator_ids)
    rubric = plan.rubric
    for key, level in levels.items():
        pos = plan.position.get(key)
        if pos is None and isinstance(key, str):
            pos = plan.position.get(key.strip().upper())
        if pos is None:
            hint = (
                " (that is a domain or aspect; give indicator levels, or only aggregates)"
                if (isinstance(key, str) and rubric.has_group(key.strip().upper()))
                else ""
            )
            raise InputError(
                f"unknown indicator for rubric {rubric.id}{hint}",
                field=str(key),
                allowed=f"{plan.indicator_ids[0]} … {plan.indicator_ids[-1]}",
            )
        table = plan.contributions[pos]
        if isinstance(level, bool) or not isinstance(level, int) or level not in table:
            scale = rubric.scale_of(plan.indicator_ids[pos])
            names = ", ".join(f"{lv.number} {lv.name}" for lv in scale.levels)
            raise InputError(
                "level out of range"
                if isinstance(level, int) and not isinstance(level, bool)
                else "level must be a whole number",
                field=plan.indicator_ids[pos],
                value=level,
                allowed=f"whole levels {names}",
            )
        if ordered[pos] is not None:
            raise InputError("indicator given twice", field=plan.indicator_ids[pos], value=level)
        ordered[pos] = level
    if not partial:
        missing = [plan.indicator_ids[p] for p, lv in enumerate(ordered) if lv is None]
        if missing:
            shown = ", ".join(missing[:12]) + (f" … ({len(missing)} in all)" if len(missing) > 12 else "")
            raise IncompleteError(
                f"missing indicator levels: {shown}",
                field="levels",
                allowed="every indicator of the rubric, or ask for a partial score",
            )
    return ordered


def fast_numerator(plan: ScoringPlan, levels: Mapping[str, Any]) -> int | None:
    """Return ``N`` for a complete set of valid levels keyed by canonical ids; ``None`` for anything else.

    Anything unusual (a missing, unknown or lower-case id, a non-int level, a
    level out of range) returns ``None`` and takes the checking path, which
    raises the precise error.
    """
    lookup = plan.lookup
    if len(levels) != len(lookup):
        return None
    total = 0
    try:
        for key, level in levels.items():
            if level.__class__ is not int:  # bool and other int look-alikes take the checking path
                return None
            total += lookup[key][level]
    except (KeyError, TypeError):
        return None
    return total


def _complete(
    plan: ScoringPlan,
    numerator: int,
    levels: tuple[int | None, ...] | Mapping[str, int],
    provenance: Provenance,
    instansi: str | None = None,
    year: int | None = None,
    metadata: Mapping[str, Any] = _NO_METADATA,
) -> ScoreCard:
    exact = Fraction(numerator, plan.denominator)
    published = plan.published(numerator)
    predikat = plan.bands[plan.band_of(numerator)].predikat
    return ScoreCard(
        rubric_id=plan.rubric.id,
        rubric_sha256=plan.rubric.sha256,
        source=ScoreSource.LEVELS,
        index=published,
        exact_index=exact,
        index_candidates=(published,),
        exact_candidates=(exact,),
        predikat=predikat,
        predikat_candidates=(predikat,),
        index_range=(exact, exact),
        complete=True,
        completeness=_ONE,
        partial_index=None,
        provenance=provenance,
        instansi=instansi,
        year=year,
        metadata=metadata,
        predikat_on=plan.rounding.predikat_on,
        plan=plan,
        levels=levels,
    )


def score_mapping(
    plan: ScoringPlan, levels: Mapping[str, Any], provenance: Provenance, *, partial: bool = False
) -> ScoreCard:
    """Score a plain mapping of indicator id → level (the lean path of :meth:`Engine.score`)."""
    numerator = fast_numerator(plan, levels)
    if numerator is None:
        return score_levels(plan, Assessment(levels=levels), provenance, partial=partial)
    # A copy: the card must not change when the caller reuses its dict.
    return _complete(plan, numerator, dict(levels), provenance)


def score_levels(
    plan: ScoringPlan, assessment: Assessment, provenance: Provenance, *, partial: bool = False
) -> ScoreCard:
    """Score indicator levels; with ``partial``, missing indicators are reported, not guessed."""
    numerator = fast_numerator(plan, assessment.levels)
    if numerator is not None:
        return _complete(
            plan, numerator, assessment.levels, provenance, assessment.instansi, assessment.year, assessment.metadata
        )
    levels = resolve_levels(plan, assessment.levels, partial)
    common = _common(plan, assessment, provenance)
    if all(level is not None for level in levels):
        numerator = sum(table[lv] for table, lv in zip(plan.contributions, levels, strict=True))  # type: ignore[index, misc]
        return _complete(
            plan, numerator, tuple(levels), provenance, assessment.instansi, assessment.year, assessment.metadata
        )
    present = sum(plan.contributions[p][lv] for p, lv in enumerate(levels) if lv is not None)
    low = present + sum(min(plan.contributions[p].values()) for p, lv in enumerate(levels) if lv is None)
    high = present + sum(max(plan.contributions[p].values()) for p, lv in enumerate(levels) if lv is None)
    weight = sum((plan.weights[p] for p, lv in enumerate(levels) if lv is not None), Fraction(0))
    partial_index = None
    if weight:
        partial_index = (
            sum((plan.weights[p] * plan.values[p][lv] for p, lv in enumerate(levels) if lv is not None), Fraction(0))
            / weight
        )
    bands = range(plan.band_of(low), plan.band_of(high) + 1)
    return ScoreCard(
        **common,
        source=ScoreSource.LEVELS,
        index=None,
        exact_index=None,
        index_candidates=(),
        exact_candidates=(),
        predikat=None,
        predikat_candidates=tuple(plan.bands[b].predikat for b in bands),
        index_range=(plan.exact(low), plan.exact(high)),
        complete=False,
        completeness=weight / 100,
        partial_index=partial_index,
        plan=plan,
        levels=tuple(levels),
    )


def _common(plan: ScoringPlan, assessment: Assessment, provenance: Provenance) -> dict[str, Any]:
    return {
        "rubric_id": plan.rubric.id,
        "rubric_sha256": plan.rubric.sha256,
        "provenance": provenance,
        "instansi": assessment.instansi,
        "year": assessment.year,
        "metadata": assessment.metadata,
        "predikat_on": plan.rounding.predikat_on,
    }


def parse_aggregate(value: object, field: str) -> Decimal:
    """Read one published aggregate value (text, int or Decimal; never a float), within the number bounds."""
    from ._numbers import BOUNDS, OutOfBoundsError, parse_decimal

    try:
        return parse_decimal(value)
    except OutOfBoundsError as exc:
        raise InputError(
            str(exc),
            field=field,
            value=str(value) if isinstance(value, Decimal) else value,
            allowed=f"a published value such as 3.45, with {BOUNDS}",
        ) from None
    except ValueError:
        raise InputError(
            "must be a decimal number", field=field, value=value, allowed="a published value such as 3.45"
        ) from None


def resolve_aggregates(plan: ScoringPlan, assessment: Assessment) -> dict[str, tuple[Decimal, tuple[int, ...]]]:
    """Check published top-level group values and find the exact contributions each admits.

    Returns, in rubric order, group id → (the published value, the sorted
    contributions ``N_g`` whose group value rounds to it).
    """
    rubric = plan.rubric
    top = {group.id: group for group in rubric.top_groups}
    kind = rubric.top_groups[0].kind
    given: dict[str, Decimal] = {}
    for key, raw in assessment.aggregates.items():
        group_id = key.strip().upper() if isinstance(key, str) else key
        if group_id not in top:
            raise InputError(f"not a top-level {kind} of rubric {rubric.id}", field=str(key), allowed=", ".join(top))
        if group_id in given:
            raise InputError(f"{kind} given twice", field=str(key))
        given[group_id] = parse_aggregate(raw, str(key))
    missing = [gid for gid in top if gid not in given]
    if missing:
        raise IncompleteError(
            f"missing {kind} values: {', '.join(missing)}", field="aggregates", allowed=f"all of {', '.join(top)}"
        )
    resolved: dict[str, tuple[Decimal, tuple[int, ...]]] = {}
    for group_id in top:  # rubric order, whatever order the input listed them in
        published = given[group_id]
        precision = max(plan.rounding.places, decimal_places(published))
        low, high = rounding_interval(published, precision, plan.rounding.mode)
        found = plan.candidates(group_id, low, high)
        if not found:
            raise InputError(
                f"no combination of indicator levels gives {kind} {group_id} a value "
                f"that rounds to {published} under rubric {rubric.id}",
                field=group_id,
                value=str(published),
                allowed=_nearby(plan, group_id, low),
            )
        resolved[group_id] = (published, found)
    return resolved


def score_aggregates(plan: ScoringPlan, assessment: Assessment, provenance: Provenance) -> ScoreCard:
    """Reconstruct the index from published, rounded top-level group values."""
    per_group: dict[str, tuple[int, ...]] = {}
    scores: list[GroupScore] = []
    for group_id, (published, found) in resolve_aggregates(plan, assessment).items():
        group = plan.rubric.group(group_id)
        per_group[group_id] = found
        values = tuple(plan.group_value(group_id, n) for n in found)
        scores.append(
            GroupScore(
                id=group.id,
                kind=group.kind,
                name=group.name,
                parent=None,
                weight=plan.group_weights[group_id],
                value=values[0] if len(values) == 1 else None,
                published=published,
                candidates=values,
            )
        )

    sums = {0}
    for found in per_group.values():
        sums = {total + n for total in sums for n in found}
        if len(sums) > MAX_EXACT_CANDIDATES:  # pragma: no cover - needs absurdly coarse published values
            raise InputError(
                "the published values admit too many exact indices to list",
                field="aggregates",
                allowed="values published to the rubric's precision",
            )
    return ScoreCard(
        **_common(plan, assessment, provenance),
        source=ScoreSource.AGGREGATES,
        **candidate_fields(plan, sorted(sums)),
        complete=True,
        completeness=Fraction(1),
        partial_index=None,
        group_scores=tuple(scores),
    )


def candidate_fields(plan: ScoringPlan, numerators: list[int]) -> dict[str, Any]:
    """Return a card's index and predikat fields for these possible numerators (sorted): determined where unique."""
    rounded = tuple(sorted({plan.published(n) for n in numerators}))
    bands = sorted({plan.band_of(n) for n in numerators})
    exact = tuple(plan.exact(n) for n in numerators)
    return {
        "index": rounded[0] if len(rounded) == 1 else None,
        "exact_index": exact[0] if len(exact) == 1 else None,
        "index_candidates": rounded,
        "exact_candidates": exact,
        "predikat": plan.bands[bands[0]].predikat if len(bands) == 1 else None,
        "predikat_candidates": tuple(plan.bands[b].predikat for b in bands),
        "index_range": (exact[0], exact[-1]),
    }


def _nearby(plan: ScoringPlan, group_id: str, low: Fraction) -> str:
    """Describe the achievable published values next to a value that is not achievable."""
    sums = plan.achievable(group_id)
    values = sorted({_round(plan, plan.group_value(group_id, n)) for n in sums})
    below = [v for v in values if v < low][-2:]
    above = [v for v in values if v >= low][:2]
    lowest, highest = values[0], values[-1]
    near = ", ".join(str(v) for v in below + above)
    return f"values from {lowest} to {highest} that the indicator weights allow, e.g. {near}"


def describe(value: Fraction | None) -> str | None:
    """Render an exact value for output: a terminating decimal, else ``p/q``."""
    return None if value is None else format_exact(value)
