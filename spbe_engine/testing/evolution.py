"""The rubric-evolution properties of the kit: crosswalks and gap plans (issue: rubric evolution).

The invariants themselves are plain functions in :mod:`spbe_engine._evolution_checks`;
here hypothesis draws the assessments they are checked on.
"""

from __future__ import annotations

from hypothesis import note
from hypothesis import strategies as st

from .._engine import Engine
from .._evolution_checks import (
    check_coverage,
    check_gap_plan,
    check_identity_rescore,
    check_rescore_bounds,
    check_rescore_monotone,
)
from ..models import Assessment
from .properties import Subject, draw_levels

__all__ = ["crosswalk_property", "gap_property", "outgoing"]

#: The missing-data policies every crosswalk is exercised under.
POLICIES = ("leave", "impute:lowest")


def outgoing(engine: Engine, rubric_id: str) -> tuple[str, ...]:
    """Return the rubrics a registered crosswalk file leads to from ``rubric_id``."""
    return tuple(target for source, target in engine.crosswalk_pairs() if source == rubric_id)


def crosswalk_property(subject: Subject, data: st.DataObject) -> None:
    """A crosswalk to an identical structure changes nothing; coverage lies in [0, 1]; a rescoring
    respects the target's bounds; raising one source level never lowers the rescored index."""
    engine, rubric_id = subject.engine, subject.rubric_id
    levels = draw_levels(subject, data)
    check_identity_rescore(engine, rubric_id, rubric_id, levels)
    for target in outgoing(engine, rubric_id):
        for policy in POLICIES:
            note(f"crosswalk {rubric_id} → {target}, missing={policy}")
            done = engine.rescore(Assessment(levels=levels, rubric=rubric_id), target, missing=policy)
            check_coverage(done)
            check_rescore_bounds(engine, done)
        raised = data.draw(st.sampled_from(sorted(levels)), label="raised indicator")
        check_rescore_monotone(engine, levels, raised, rubric_id, target, "impute:lowest")


def gap_property(subject: Subject, data: st.DataObject) -> None:
    """The gap plan, applied, reaches the target predikat; no plan with fewer steps does."""
    engine, rubric_id = subject.engine, subject.rubric_id
    levels = draw_levels(subject, data)
    plan = engine.plan(rubric_id)
    order = list(plan.indicator_ids)
    start = plan.numerator([levels[i] for i in order])
    top = sum(max(table.values()) for table in plan.contributions)
    reachable = range(plan.band_of(start) + 1, plan.band_of(top) + 1)
    if not reachable:
        return
    want = data.draw(st.sampled_from(reachable), label="target band")
    target = plan.bands[want].predikat
    note(f"target {target}")
    gap = engine.gap(Assessment(levels=levels, rubric=rubric_id), target)
    check_gap_plan(plan, levels, target, gap)
    # No smaller plan: the k - 1 largest single-level gains on offer bound any (k - 1)-step plan.
    gains: list[int] = []
    linear = True
    for pos, indicator in enumerate(order):
        table = plan.contributions[pos]
        steps = [table[lv + 1] - table[lv] for lv in sorted(table)[:-1] if lv >= levels[indicator]]
        linear = linear and len({table[lv + 1] - table[lv] for lv in sorted(table)[:-1]}) <= 1
        gains.extend(steps)
    gains.sort(reverse=True)
    best_smaller = start + sum(gains[: len(gap.steps) - 1])
    if linear or plan.band_of(best_smaller) < want:
        assert plan.band_of(best_smaller) < want, (
            f"{len(gap.steps) - 1} steps could reach {target}: the plan of {len(gap.steps)} is not the smallest"
        )
