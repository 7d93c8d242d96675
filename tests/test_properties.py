"""First properties over every registered rubric (the full conformance kit builds on these)."""

from __future__ import annotations

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from spbe_engine import Engine

ENGINE = Engine.default()
RUBRICS = ENGINE.rubric_ids()


def levels_for(rubric_id: str) -> st.SearchStrategy[dict[str, int]]:
    rubric = ENGINE.rubric(rubric_id)
    return st.fixed_dictionaries(
        {ind.id: st.sampled_from(rubric.scales[ind.scale].numbers) for ind in rubric.indicators}
    )


# Built once per rubric, not once per example: hypothesis validates a new strategy object on
# its first draw, which for a 47-key dict costs more than the draw. The examples are the same.
LEVELS = {rubric_id: levels_for(rubric_id) for rubric_id in RUBRICS}


@pytest.mark.parametrize("rubric_id", RUBRICS)
@given(data=st.data())
def test_values_within_scale(rubric_id: str, data: st.DataObject) -> None:
    """Every indicator, group and index value stays within the level scale and its indicators' values."""
    levels = data.draw(LEVELS[rubric_id], label="levels")
    card = ENGINE.score(levels, rubric=rubric_id)
    plan = ENGINE.plan(rubric_id)
    assert card.exact_index is not None
    assert plan.low <= card.exact_index <= plan.high
    values = [plan.values[plan.position[i]][level] for i, level in levels.items()]
    for group in card.groups:
        assert group.value is not None
        assert min(values) <= group.value <= max(values)


@pytest.mark.parametrize("rubric_id", RUBRICS)
def test_all_at_k(rubric_id: str) -> None:
    """All indicators at level k give exactly what k scores (k, or its value in the data), everywhere in the tree."""
    rubric = ENGINE.rubric(rubric_id)
    plan = ENGINE.plan(rubric_id)
    for k in sorted({n for scale in rubric.scales.values() for n in scale.numbers}):
        (want,) = {table[k] for table in plan.values}  # every official scale values k alike
        card = ENGINE.score({ind.id: k for ind in rubric.indicators}, rubric=rubric_id)
        assert card.exact_index == want
        assert all(group.value == want for group in card.groups)


@pytest.mark.parametrize("rubric_id", RUBRICS)
@given(data=st.data())
def test_monotone(rubric_id: str, data: st.DataObject) -> None:
    """Raising one indicator never lowers its aspect, domain, the index or the predikat; a higher value raises it."""
    rubric = ENGINE.rubric(rubric_id)
    levels = data.draw(LEVELS[rubric_id], label="levels")
    raisable = [i for i, lv in levels.items() if lv < rubric.scale_of(i).numbers[-1]]
    if not raisable:
        return
    target = data.draw(st.sampled_from(raisable), label="raised indicator")
    higher = dict(levels, **{target: levels[target] + 1})
    note(f"raise {target} from {levels[target]}")
    before, after = ENGINE.score(levels, rubric=rubric_id), ENGINE.score(higher, rubric=rubric_id)
    table = ENGINE.plan(rubric_id).values[ENGINE.plan(rubric_id).position[target]]
    if table[levels[target] + 1] > table[levels[target]]:
        assert after.exact_index > before.exact_index  # type: ignore[operator]
    else:  # two levels that score alike (5/2018: level 0 scores as 1)
        assert after.exact_index == before.exact_index
    ranks = [band.predikat for band in ENGINE.plan(rubric_id).bands]
    assert ranks.index(after.predikat) >= ranks.index(before.predikat)  # type: ignore[arg-type]
    for old, new in zip(before.groups, after.groups, strict=True):
        assert new.value >= old.value  # type: ignore[operator]
