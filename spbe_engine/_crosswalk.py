"""Crosswalks between rubric versions: how each target indicator's level is derived from source levels.

A :class:`Crosswalk` maps every indicator of the target rubric either to
source indicator(s) of the source rubric, combined by a named rule and turned
into a whole level by a named rounding, or to nothing. Each mapping carries a
comparability mark (``exact``, ``approximate`` with its reason, ``none``) and
its basis. Crosswalks are data (``crosswalks/<from>__<to>.toml``, read by
:mod:`spbe_engine._crosswalk_file`); identity crosswalks between rubrics that
share indicator ids and level scales are generated, not written.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Literal

import attrs

from ._numbers import round_fraction
from .models import Rubric

__all__ = [
    "BASES",
    "COMBINE_RULES",
    "LEVEL_ROUNDINGS",
    "MARKS",
    "Crosswalk",
    "IndicatorMapping",
    "identity_crosswalk",
    "same_groups",
    "same_indicators",
]

Mark = Literal["exact", "approximate", "none"]
#: The comparability marks of a mapping.
MARKS: tuple[str, ...] = ("exact", "approximate", "none")
#: How several source levels combine into one value.
COMBINE_RULES: tuple[str, ...] = ("single", "mean", "min", "max", "weighted")
#: How a non-integer combined value becomes a whole level: ``half_up`` (2.5 → 3), ``half_even``
#: (2.5 → 2, 3.5 → 4), ``down`` (2.9 → 2).
LEVEL_ROUNDINGS: tuple[str, ...] = ("half_up", "half_even", "down")
#: What a mapping rests on; ``project judgement`` is said as such.
BASES: tuple[str, ...] = (
    "regulation",
    "official mapping",
    "third-party mapping",
    "project judgement",
    "identical rubric data",
)


@attrs.frozen
class IndicatorMapping:
    """How one target indicator gets its level: sources, rule, rounding, mark, basis.

    ``floor``: the target scale's lowest level, where the file says a level
    below the target scale becomes it (``below_scale = "lowest"``); else ``None``.
    """

    target: str
    sources: tuple[str, ...]
    combine: str
    weights: tuple[Fraction, ...]
    level_rounding: str
    mark: Mark
    basis: str
    reason: str = ""
    reference: str = ""
    floor: int | None = None

    def combine_levels(self, levels: tuple[int, ...]) -> Fraction:
        """Return the exact combined value of the source levels (in ``sources`` order)."""
        values = [Fraction(level) for level in levels]
        if self.combine == "single":
            return values[0]
        if self.combine == "mean":
            return sum(values, Fraction(0)) / len(values)
        if self.combine == "min":
            return min(values)
        if self.combine == "max":
            return max(values)
        return sum((w * v for w, v in zip(self.weights, values, strict=True)), Fraction(0))

    def level(self, levels: tuple[int, ...]) -> int:
        """Return the whole target level: the combined value rounded by ``level_rounding`` (raised to ``floor``)."""
        level = int(round_fraction(self.combine_levels(levels), 0, self.level_rounding))
        return level if self.floor is None else max(level, self.floor)


@attrs.frozen
class Crosswalk:
    """A validated crosswalk from rubric ``source`` to rubric ``target``."""

    source: str
    target: str
    title: str
    mappings: tuple[IndicatorMapping, ...]
    notes: tuple[str, ...] = ()
    origin: str = ""
    generated: bool = False
    _index: Mapping[str, IndicatorMapping] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", {m.target: m for m in self.mappings})

    @property
    def id(self) -> str:
        """Return ``<source>__<to>``, the name of the crosswalk file."""
        return f"{self.source}__{self.target}"

    def mapping(self, target_indicator: str) -> IndicatorMapping:
        """Return the mapping of one target indicator."""
        return self._index[target_indicator]

    @property
    def unmapped(self) -> tuple[str, ...]:
        """Return the target indicators with no source (mark ``none``)."""
        return tuple(m.target for m in self.mappings if m.mark == "none")

    def retarget(self, source: str, target: str, why: str) -> Crosswalk:
        """Return this crosswalk relabelled for rubrics with identical indicators (a composed identity)."""
        if (source, target) == (self.source, self.target):
            return self
        return attrs.evolve(self, source=source, target=target, notes=(*self.notes, why), origin=self.origin)


def same_indicators(a: Rubric, b: Rubric) -> bool:
    """Tell whether two rubrics have the same indicator ids, each on a scale with the same levels."""
    if [i.id for i in a.indicators] != [i.id for i in b.indicators]:
        return False
    return all(a.scale_of(i.id).numbers == b.scale_of(i.id).numbers for i in a.indicators)


def same_groups(a: Rubric, b: Rubric) -> bool:
    """Tell whether two rubrics have identical top-level groups: ids, weights, indicators and their weights.

    Published group values then mean the same under both, so they can be
    rescored at group level (only bands, rounding or the band rule differ).
    """
    if not same_indicators(a, b):
        return False
    if [(g.id, g.weight) for g in a.top_groups] != [(g.id, g.weight) for g in b.top_groups]:
        return False
    return all(
        [(i, a.indicator(i).weight) for i in a.indicators_under(g.id)]
        == [(i, b.indicator(i).weight) for i in b.indicators_under(g.id)]
        for g in a.top_groups
    )


def identity_crosswalk(a: Rubric, b: Rubric) -> Crosswalk | None:
    """Generate the identity crosswalk between rubrics that share indicator ids and scales, else ``None``."""
    if not same_indicators(a, b):
        return None
    mappings = tuple(
        IndicatorMapping(
            i.id,
            (i.id,),
            "single",
            (),
            "half_up",
            "exact",
            "identical rubric data",
            reason="",
            reference=f"{a.id} and {b.id} share indicator {i.id} and its level scale",
        )
        for i in b.indicators
    )
    return Crosswalk(
        a.id,
        b.id,
        f"Identity: {a.id} → {b.id} (generated)",
        mappings,
        notes=("Generated: both rubrics have the same indicator ids and level scales.",),
        origin="generated",
        generated=True,
    )
