"""The exhaustive (non-random) halves of the checks: weights, value tables, bands and edges, plan stability.

Each function takes a compiled :class:`~spbe_engine._plan.ScoringPlan` and
raises :class:`CheckFailure` with a readable message and, where one exists,
the smallest assessment that shows the fault. They recompute from the plan's
data with plain fractions, independently of the plan's own integer
shortcuts, so a fault in either is caught.
"""

from __future__ import annotations

import math
from fractions import Fraction
from itertools import pairwise

import pluggy

from .._numbers import format_exact, round_fraction
from .._plan import ScoringPlan, compile_plan

__all__ = ["CheckFailure", "band_structure", "band_sweep", "plan_stable", "value_tables", "weight_tree"]

#: The band sweep classifies every index on the plan's grid up to this many; beyond, it samples.
MAX_SWEEP = 400_000


class CheckFailure(AssertionError):
    """A check found a fault: ``message`` says what, ``example`` the smallest assessment showing it."""

    def __init__(self, message: str, example: str = "") -> None:
        super().__init__(message if not example else f"{message}\n{example}")
        self.message = message
        self.example = example


def _fmt(value: Fraction) -> str:
    return format_exact(value)


def weight_tree(plan: ScoringPlan) -> None:
    """Weights are non-negative and sum to the whole at each level of the tree (100 at the top)."""
    rubric = plan.rubric
    weight = dict(zip(plan.indicator_ids, plan.weights, strict=True)) | dict(plan.group_weights)
    for item, value in weight.items():
        if value < 0:
            raise CheckFailure(f"the weight of {item} is negative ({_fmt(value)})")
    for group in rubric.groups:
        members = [*group.children, *group.indicators]
        below = sum((weight[m] for m in members), Fraction(0))
        if below != weight[group.id]:
            parts = ", ".join(f"{m} {_fmt(weight[m])}" for m in members)
            raise CheckFailure(
                f"the members of {group.id} sum to {_fmt(below)}, not its weight {_fmt(weight[group.id])} ({parts})"
            )
    top = sum((plan.group_weights[g.id] for g in rubric.top_groups), Fraction(0))
    if top != 100:
        raise CheckFailure(f"the top-level weights sum to {_fmt(top)}, not 100")
    if sum(plan.weights, Fraction(0)) != 100:
        raise CheckFailure(f"the indicator weights sum to {_fmt(sum(plan.weights, Fraction(0)))}, not 100")


def value_tables(plan: ScoringPlan, *, monotone: bool) -> None:
    """Every level's value lies within its scale (``monotone``: and never falls as the level rises)."""
    rubric = plan.rubric
    for pos, indicator_id in enumerate(plan.indicator_ids):
        numbers = rubric.scale_of(indicator_id).numbers
        table = plan.values[pos]
        if sorted(table) != list(numbers):
            raise CheckFailure(
                f"{indicator_id}: values are given for levels {sorted(table)}, not for exactly {list(numbers)}"
            )
        for level in numbers:
            if not numbers[0] <= table[level] <= numbers[-1]:
                raise CheckFailure(
                    f"{indicator_id}: level {level} scores {_fmt(table[level])}, outside "
                    f"the scale {numbers[0]}..{numbers[-1]}"
                )
        if not monotone:
            continue
        for low, high in pairwise(numbers):
            if table[high] < table[low]:
                example = (
                    f"smallest failing assessment: every indicator at its lowest level but "
                    f"{indicator_id} at {low}; then {indicator_id} raised to {high}"
                )
                raise CheckFailure(
                    f"raising {indicator_id} from level {low} to {high} lowers its value "
                    f"from {_fmt(table[low])} to {_fmt(table[high])}, and with it "
                    f"{rubric.indicator(indicator_id).parent} and the index",
                    example,
                )


def _reference_band(plan: ScoringPlan, numerator: int) -> int:
    """Classify an index from the band data alone, by the rubric's band rule."""
    exact = Fraction(numerator, plan.denominator)
    value = (
        exact
        if plan.rounding.predikat_on == "exact"
        else Fraction(round_fraction(exact, plan.rounding.places, plan.rounding.mode))
    )
    for n, band in enumerate(plan.bands):
        if band.lower <= value < band.upper or (n == len(plan.bands) - 1 and value == band.upper):
            return n
    raise CheckFailure(f"index {_fmt(exact)} (classified as {_fmt(value)}) lies in no band")


def band_structure(plan: ScoringPlan) -> None:
    """Bands are named once, ordered, contiguous, cover the index range, and sit on the published grid."""
    bands = plan.bands
    names = [band.predikat for band in bands]
    if len(set(names)) != len(names):
        raise CheckFailure(f"a predikat appears twice: {names}")
    for band in bands:
        if band.lower >= band.upper:
            raise CheckFailure(f"band {band.predikat}: lower {_fmt(band.lower)} is not below upper {_fmt(band.upper)}")
    for below, above in pairwise(bands):
        if above.lower < below.upper:
            raise CheckFailure(
                f"bands overlap: {below.predikat} reaches {_fmt(below.upper)} but "
                f"{above.predikat} starts at {_fmt(above.lower)}"
            )
        if above.lower > below.upper:
            raise CheckFailure(
                f"bands leave a gap: {below.predikat} ends at {_fmt(below.upper)} but "
                f"{above.predikat} starts at {_fmt(above.lower)}"
            )
    if bands[0].lower != plan.low or bands[-1].upper != plan.high:
        raise CheckFailure(
            f"bands cover {_fmt(bands[0].lower)}..{_fmt(bands[-1].upper)}, not the index "
            f"range {_fmt(plan.low)}..{_fmt(plan.high)}"
        )
    unit = Fraction(1, 10**plan.rounding.places)
    for band in bands[1:]:
        if (band.lower / unit).denominator != 1:
            shown = round_fraction(band.lower, plan.rounding.places, plan.rounding.mode)
            raise CheckFailure(
                f"the edge of {band.predikat} at {_fmt(band.lower)} is not a value the index is published "
                f"as ({plan.rounding.places} decimals): indices published as {shown} would carry "
                f"either predikat, and an index on the edge cannot be shown"
            )


def band_sweep(plan: ScoringPlan) -> None:
    """The predikat is exact at every edge, by the rubric's band rule, and never falls as the index rises.

    On the edge lands in the upper band; just below lands in the lower one
    (rule ``exact``: one step of the plan's grid below the edge; rule
    ``rounded``: the largest index that still rounds below the edge).
    """
    denominator = plan.denominator
    first, last = math.ceil(plan.low * denominator), math.floor(plan.high * denominator)
    for n, band in enumerate(plan.bands[1:], start=1):
        below = plan.bands[n - 1].predikat
        if plan.rounding.predikat_on == "exact":
            on_edge = band.lower * denominator
            if on_edge.denominator == 1:
                _expect(plan, int(on_edge), n, f"an index exactly on the edge {_fmt(band.lower)}")
            else:  # no index falls exactly on this edge; the first one above it must be in the band
                _expect(plan, math.ceil(on_edge), n, f"the smallest index above the edge {_fmt(band.lower)}")
            _expect(
                plan,
                math.ceil(on_edge) - 1,
                n - 1,
                f"an index just below the edge {_fmt(band.lower)} (no {band.predikat} yet: {below})",
            )
        else:
            # The smallest exact index that the rubric's rounding publishes as the edge itself.
            cut = next(
                k
                for k in range(math.ceil((band.lower - Fraction(1, 10**plan.rounding.places)) * denominator), last + 2)
                if round_fraction(Fraction(k, denominator), plan.rounding.places, plan.rounding.mode) >= band.lower
            )
            _expect(plan, cut, n, f"an index published as the edge {_fmt(band.lower)}")
            _expect(plan, cut - 1, n - 1, f"an index published just below the edge {_fmt(band.lower)}")
    step = max(1, (last - first) // MAX_SWEEP)
    previous = -1
    for numerator in range(first, last + 1, step):
        got = plan.band_of(numerator)
        want = _reference_band(plan, numerator)
        if got != want:
            raise CheckFailure(
                f"index {_fmt(Fraction(numerator, denominator))} is classified "
                f"{plan.bands[got].predikat}, but its band is {plan.bands[want].predikat}"
            )
        if got < previous:
            raise CheckFailure(
                f"the predikat falls from {plan.bands[previous].predikat} to "
                f"{plan.bands[got].predikat} as the index rises to "
                f"{_fmt(Fraction(numerator, denominator))}"
            )
        previous = got


def _expect(plan: ScoringPlan, numerator: int, band: int, what: str) -> None:
    got = plan.band_of(numerator)
    if got != band:
        raise CheckFailure(
            f"{what}, {_fmt(Fraction(numerator, plan.denominator))} (published "
            f"{plan.published(numerator)}), gets {plan.bands[got].predikat}, not "
            f"{plan.bands[band].predikat} (band rule: predikat on the "
            f"{plan.rounding.predikat_on} index)"
        )


def plan_stable(plan: ScoringPlan, pm: pluggy.PluginManager, times: int = 3) -> None:
    """Compiling the rubric again gives the same plan: every hook answers the same every time."""
    parts = ("values", "weights", "group_weights", "bands", "rounding", "denominator")
    hooks = {
        "values": "spbe_indicator_values",
        "weights": "spbe_weights",
        "group_weights": "spbe_weights",
        "bands": "spbe_predikat_bands",
        "rounding": "spbe_rounding",
        "denominator": "spbe_indicator_values",
    }
    for attempt in range(1, times + 1):
        again = compile_plan(plan.rubric, pm, plan.scope)
        for part in parts:
            if getattr(again, part) != getattr(plan, part):
                hook = hooks[part]
                who = ", ".join(plan.answered_by.get(hook, ())) or "the rubric data"
                detail = ""
                if part == "values":
                    pos = next(p for p, (a, b) in enumerate(zip(plan.values, again.values, strict=True)) if a != b)
                    old, new = plan.values[pos], again.values[pos]
                    level = next(lv for lv in old if old[lv] != new[lv])
                    detail = (
                        f": {plan.indicator_ids[pos]} level {level} scored {_fmt(old[level])}, then {_fmt(new[level])}"
                    )
                raise CheckFailure(
                    f"compiling the rubric again (attempt {attempt}) changes its {part}"
                    f"{detail}; {hook} answered by {who} is not deterministic"
                )
