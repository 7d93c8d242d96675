"""Find the smallest set of improvements that lifts an assessment to a target predikat.

"Smallest" means the fewest steps; among plans with that many steps, the one
with the largest index gain. A step raises one indicator by one level (from
indicator levels). From published domain values, where the levels are
unknown, a step is still one indicator level, inside a named top-level group,
and its gain is the least that step can be worth for any levels the
published values admit. The search is exact:
every indicator's (or group's) possible raises form a ladder of integer gains
over the plan's common denominator, and a dynamic programme over the total
number of steps (a multiple-choice knapsack) finds, for each step count, the
largest reachable gain; the first count whose best gain reaches the band
threshold is the minimum, and its best gain breaks ties. Thresholds respect
the rubric's band rule (rounded or exact index) because they are found with
``plan.band_of`` itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Literal

import attrs

from ._numbers import format_exact
from ._plan import ScoringPlan
from ._scoring import resolve_aggregates
from .errors import InputError
from .models import Assessment

__all__ = ["GapPlan", "GapStep", "best_raises", "gap_plan"]


@attrs.frozen
class GapStep:
    """One step: what is raised, from what to what, the index gain and the resulting index."""

    item: str
    name: str
    before: Fraction
    after: Fraction
    gain: Fraction
    index: Fraction
    published: Decimal
    predikat: str


@attrs.frozen
class GapPlan:
    """The smallest plan reaching ``target``: its steps in order (largest gain first)."""

    rubric_id: str
    granularity: Literal["indicator", "group"]
    target: str
    start_index: Fraction
    start_published: Decimal
    start_predikat: str
    steps: tuple[GapStep, ...]
    notes: tuple[str, ...] = ()

    @property
    def gain(self) -> Fraction:
        """Return the total index gain of the plan."""
        return sum((step.gain for step in self.steps), Fraction(0))

    @property
    def end_index(self) -> Fraction:
        """Return the exact index after every step."""
        return self.start_index + self.gain


def best_raises(ladders: Sequence[Sequence[int]], need: int) -> tuple[int, ...] | None:
    """Return how many steps to take on each ladder: fewest in total reaching ``need``, then largest gain.

    ``ladders[i][k]`` is the cumulative gain of ``k`` steps on ladder ``i``
    (``ladders[i][0] == 0``). Returns ``None`` when even every step falls short.
    """
    total = sum(len(ladder) - 1 for ladder in ladders)
    unset = None
    best: list[int | None] = [0] + [unset] * total
    choice: list[list[int]] = []
    reach = 0
    for ladder in ladders:
        new: list[int | None] = [unset] * (total + 1)
        pick = [0] * (total + 1)
        for steps in range(reach + 1):
            base = best[steps]
            if base is None:
                continue
            for k, gain in enumerate(ladder):
                value = base + gain
                current = new[steps + k]
                if current is None or value > current:
                    new[steps + k] = value
                    pick[steps + k] = k
        reach += len(ladder) - 1
        best = new
        choice.append(pick)
    for steps in range(total + 1):
        reached = best[steps]
        if reached is not None and reached >= need:
            # Walk back through the ladders to recover how many steps each took.
            taken = [0] * len(ladders)
            left = steps
            for i in range(len(ladders) - 1, -1, -1):
                taken[i] = choice[i][left]
                left -= taken[i]
            return tuple(taken)
    return None


def _threshold(plan: ScoringPlan, band: int, low: int, high: int) -> int | None:
    """Return the least numerator in ``[low, high]`` whose band is at least ``band`` (bands rise with N)."""
    if plan.band_of(high) < band:
        return None
    while low < high:
        middle = (low + high) // 2
        if plan.band_of(middle) >= band:
            high = middle
        else:
            low = middle + 1
    return low


def _band_position(plan: ScoringPlan, target: str) -> int:
    names = [band.predikat for band in plan.bands]
    folded = {name.casefold(): n for n, name in enumerate(names)}
    if target.strip().casefold() not in folded:
        raise InputError(
            f"not a predikat of rubric {plan.rubric.id}",
            field="target",
            value=target,
            allowed=", ".join(names),
        )
    return folded[target.strip().casefold()]


def gap_plan(plan: ScoringPlan, assessment: Assessment, target: str) -> GapPlan:
    """Return the smallest plan of raises that gives ``assessment`` at least predikat ``target``."""
    band = _band_position(plan, target)
    if assessment.aggregates:
        items, start, notes = _group_items(plan, assessment)
    else:
        items, start, notes = _indicator_items(plan, assessment)
    ladders = [[value - values[0] for value in values] for _, _, values in items]
    top = start + sum(ladder[-1] for ladder in ladders)
    goal = _threshold(plan, band, start, top)
    if goal is None:
        best = plan.bands[plan.band_of(top)].predikat
        raise InputError(
            f"{plan.bands[band].predikat} cannot be reached: raising everything to the top gives "
            f"{plan.published(top)} ({best})",
            field="target",
            value=target,
        )
    taken = best_raises(ladders, goal - start)
    assert taken is not None  # goal <= top, so taking every step suffices
    # Lay the chosen raises out one step at a time, the largest next gain first.
    position = [0] * len(items)
    numerator = start
    steps: list[GapStep] = []
    granularity: Literal["indicator", "group"] = "group" if assessment.aggregates else "indicator"
    while any(position[i] < taken[i] for i in range(len(items))):
        i = max(
            (i for i in range(len(items)) if position[i] < taken[i]),
            key=lambda i: (ladders[i][position[i] + 1] - ladders[i][position[i]], -i),
        )
        item, name, values = items[i]
        gain = values[position[i] + 1] - values[position[i]]
        numerator += gain
        before, after = _shown(plan, granularity, item, values, position[i])
        steps.append(
            GapStep(
                item,
                name,
                before,
                after,
                plan.exact(gain),
                plan.exact(numerator),
                plan.published(numerator),
                plan.predikat(numerator),
            )
        )
        position[i] += 1
    return GapPlan(
        plan.rubric.id,
        granularity,
        plan.bands[band].predikat,
        plan.exact(start),
        plan.published(start),
        plan.predikat(start),
        tuple(steps),
        notes,
    )


def _shown(
    plan: ScoringPlan, granularity: str, item: str, ladder: Sequence[int], step: int
) -> tuple[Fraction, Fraction]:
    """Return what step ``step`` up ``ladder`` changes, as a person reads it: levels, or group values."""
    if granularity == "group":
        return plan.group_value(item, ladder[step]), plan.group_value(item, ladder[step + 1])
    # An indicator's ladder climbs one level a rung from its current level to the top. Two levels may
    # score alike (5/2018 scored level 0 as 1), so the level is counted, not read off the contribution.
    level = max(plan.contributions[plan.position[item]]) - (len(ladder) - 1) + step
    return Fraction(level), Fraction(level + 1)


Items = list[tuple[str, str, list[int]]]


def _indicator_items(plan: ScoringPlan, assessment: Assessment) -> tuple[Items, int, tuple[str, ...]]:
    from ._scoring import resolve_levels

    levels = resolve_levels(plan, assessment.levels, partial=False)
    items: Items = []
    start = 0
    for pos, level in enumerate(levels):
        assert level is not None
        table = plan.contributions[pos]
        start += table[level]
        ladder = [table[lv] for lv in sorted(table) if lv >= level]
        indicator = plan.rubric.indicators[pos]
        items.append((indicator.id, indicator.name, ladder))
    return items, start, ()


#: Above this many ways to split a published group value into per-weight-class level sums, the
#: gap plan falls back to counting achievable values instead of level steps.
MAX_DECOMPOSITIONS = 200_000


def _level_step_ladder(plan: ScoringPlan, group_id: str, candidates: Sequence[int]) -> list[int] | None:
    """Return the group's contribution after k one-level steps, guaranteed whatever its hidden levels.

    From a published group value the indicator levels are unknown; only the
    sums of levels per weight class are constrained. For every exact value the
    published figure admits and every split of it into class sums, the best k
    steps raise the heaviest classes that still have headroom; the ladder
    keeps, for each k, the least of those results, so following the plan
    reaches the target for every reading of the published value. Returns
    ``None`` where a value table is not linear in the level or there are too
    many splits to enumerate.
    """
    classes: dict[tuple[tuple[int, int], ...], int] = {}
    for pos in plan.group_positions[group_id]:
        key = tuple(sorted(plan.contributions[pos].items()))
        classes[key] = classes.get(key, 0) + 1
    shapes = []  # (base per indicator, increment per level, count, lowest level, highest level)
    for table, count in classes.items():
        levels = [level for level, _ in table]
        steps = {b - a for (_, a), (_, b) in itertools.pairwise(table)}
        if levels != list(range(levels[0], levels[-1] + 1)) or len(steps) > 1:
            return None
        step = steps.pop() if steps else 0
        shapes.append((table[0][1] - step * levels[0], step, count, levels[0], levels[-1]))
    shapes.sort(key=lambda shape: -shape[1])
    total = 1
    for _, _, count, low, high in shapes:
        total *= count * (high - low) + 1
    if total > MAX_DECOMPOSITIONS:
        return None
    most = sum(count * (high - low) for _, _, count, low, high in shapes)
    ladder = [None] * (most + 1)  # type: list[int | None]
    wanted = set(candidates)

    def walk(index: int, sums: list[int], value: int) -> None:
        if index == len(shapes):
            if value in wanted:
                headroom = [count * high - s for (_, _, count, _, high), s in zip(shapes, sums, strict=True)]
                reached, k = value, 0
                ladder[0] = value if ladder[0] is None else min(ladder[0], value)
                for (_, step, _, _, _), room in zip(shapes, headroom, strict=True):
                    for _ in range(room):
                        k, reached = k + 1, reached + step
                        ladder[k] = reached if ladder[k] is None else min(ladder[k], reached)  # type: ignore[type-var]
                for rest in range(k + 1, most + 1):  # already full: further steps gain nothing
                    ladder[rest] = reached if ladder[rest] is None else min(ladder[rest], reached)  # type: ignore[type-var]
            return
        base, step, count, low, high = shapes[index]
        for level_sum in range(count * low, count * high + 1):
            walk(index + 1, [*sums, level_sum], value + base * count + step * level_sum)

    walk(0, [], 0)
    if ladder[0] is None:  # pragma: no cover - the candidates come from the same tables
        return None
    floor = min(candidates)
    return [floor + (n - ladder[0]) if n is not None else floor for n in ladder]


def _group_items(plan: ScoringPlan, assessment: Assessment) -> tuple[Items, int, tuple[str, ...]]:
    items: Items = []
    start = 0
    notes: list[str] = []
    for group_id, (published, found) in resolve_aggregates(plan, assessment).items():
        group = plan.rubric.group(group_id)
        if len(found) > 1:
            notes.append(
                f"{group_id} {published} admits {len(found)} exact values; each step counts the least it "
                f"gains for any of them (from {format_exact(plan.group_value(group_id, found[0]))}), so "
                "the plan reaches the target whichever is true"
            )
        ladder = _level_step_ladder(plan, group_id, found)
        if ladder is None:  # value tables too irregular to count level steps: one achievable value per step
            ladder = [n for n in plan.achievable(group_id) if n >= found[0]]
            notes.append(f"{group_id}: a step here is the next achievable value, not one level")
        start += found[0]
        items.append((group_id, group.name, ladder))
    return items, start, tuple(notes)
