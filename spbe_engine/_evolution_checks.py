"""Plain checks of the rubric-evolution invariants, for tests and for the conformance kit.

Each function raises :class:`AssertionError` with a readable message when the
invariant fails and returns nothing otherwise, so a property test (or a kit
run against a third-party rubric) can call it on any drawn case.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from ._engine import Engine
from ._gap import GapPlan
from ._plan import ScoringPlan
from .models import Assessment
from .rescore import Rescored

__all__ = [
    "check_coverage",
    "check_gap_plan",
    "check_identity_rescore",
    "check_rescore_bounds",
    "check_rescore_monotone",
]


def check_identity_rescore(engine: Engine, source: str, target: str, levels: Mapping[str, int]) -> None:
    """Rescoring to a rubric with the same indicators keeps every level and the exact index of equal weights."""
    done = engine.rescore(Assessment(levels=levels, rubric=source), target)
    assert done.comparability == "exact" and done.coverage == 1, f"{source} → {target}: {done.comparability}"
    got = {ind.id: ind.level for ind in done.card.indicators}
    assert got == dict(levels), f"{source} → {target} changed levels: {got} != {dict(levels)}"
    if [i.weight for i in engine.rubric(source).indicators] == [i.weight for i in engine.rubric(target).indicators]:
        assert done.card.exact_index == done.source_card.exact_index, "identity changed the exact index"


def check_coverage(done: Rescored) -> None:
    """Coverage lies in [0, 1]; it is 1 exactly when no target indicator was imputed or left."""
    assert 0 <= done.coverage <= 1, f"coverage {done.coverage} outside [0, 1]"
    assert (done.coverage == 1) == ((not done.imputed and not done.left) or done.granularity == "group"), (
        f"coverage {done.coverage} with imputed {done.imputed} and left {done.left}"
    )
    assert (done.comparability == "partial") == (done.coverage < 1)


def check_rescore_bounds(engine: Engine, done: Rescored) -> None:
    """A complete rescored index lies within the target scale's range; a partial one's range does too."""
    plan = engine.plan(done.card.rubric_id)
    low, high = done.card.index_range
    assert plan.low <= low <= high <= plan.high, f"range {low}..{high} outside {plan.low}..{plan.high}"
    if done.card.exact_index is not None:
        assert low == done.card.exact_index == high


def check_rescore_monotone(
    engine: Engine,
    levels: Mapping[str, int],
    raised: str,
    source: str,
    target: str,
    missing: str | None,
) -> None:
    """Raising one source level never lowers the rescored index (complete cards) or its range ends."""
    scale = engine.rubric(source).scale_of(raised).numbers
    if levels[raised] == scale[-1]:
        return
    before = engine.rescore(Assessment(levels=levels, rubric=source), target, missing=missing)
    higher = dict(levels, **{raised: levels[raised] + 1})
    after = engine.rescore(Assessment(levels=higher, rubric=source), target, missing=missing)
    assert after.card.index_range[0] >= before.card.index_range[0], f"raising {raised} lowered the index"
    assert after.card.index_range[1] >= before.card.index_range[1], f"raising {raised} lowered the range"


def check_gap_plan(plan: ScoringPlan, levels: Mapping[str, int], target: str, gap: GapPlan) -> None:
    """Applying the gap plan's steps to ``levels`` reaches ``target``, and no proper prefix does."""
    want = [band.predikat for band in plan.bands].index(target)
    current = dict(levels)
    order = list(plan.indicator_ids)
    start = plan.numerator([current[i] for i in order])
    if plan.band_of(start) >= want:
        assert gap.steps == (), "a predikat already held needs no step"
        return
    for n, step in enumerate(gap.steps):
        assert plan.band_of(plan.numerator([current[i] for i in order])) < want, f"reached before step {n + 1}"
        assert Fraction(current[step.item]) == step.before and step.after == step.before + 1, f"step {step}"
        current[step.item] += 1
        numerator = plan.numerator([current[i] for i in order])
        assert plan.exact(numerator) == step.index and plan.published(numerator) == step.published
    assert plan.band_of(plan.numerator([current[i] for i in order])) >= want, "the plan does not reach the target"
