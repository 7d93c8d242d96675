"""The engine's own hook implementations: read everything from the rubric data.

They run last (``trylast``), so any plugin that answers a hook for its rubric
overrides them; a rubric that needs no behaviour beyond its TOML needs no
hook implementations at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction

from .hookspecs import hookimpl
from .models import Band, Group, Indicator, Rounding, Rubric

SPBE_HOOK_API = 1


@hookimpl(trylast=True)
def spbe_indicator_values(rubric: Rubric, indicator: Indicator) -> Mapping[int, Fraction]:
    """Score each level at its ``value`` in the rubric data, else at its number.

    Level *n* is worth *n* under PermenPANRB 59/2020 Lampiran I B.3; a rubric
    file may give a level another value (5/2018 practice scored level 0 as 1).
    """
    return {level.number: level.worth for level in rubric.scales[indicator.scale].levels}


@hookimpl(trylast=True)
def spbe_weights(rubric: Rubric, group: Group | None) -> Mapping[str, Fraction]:
    """Read member weights from the rubric data."""
    if group is None:
        return {top.id: top.weight for top in rubric.top_groups}
    members = {child: rubric.group(child).weight for child in group.children}
    members.update({ind: rubric.indicator(ind).weight for ind in group.indicators})
    return members


@hookimpl(trylast=True)
def spbe_predikat_bands(rubric: Rubric) -> Sequence[Band]:
    """Read the bands from the rubric data."""
    return rubric.bands


@hookimpl(trylast=True)
def spbe_rounding(rubric: Rubric) -> Rounding:
    """Read ``[rounding]`` from the rubric data."""
    return rubric.rounding
