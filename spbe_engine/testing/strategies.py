"""Hypothesis strategies for rubric authors: valid assessments, published aggregates, malformed inputs.

Every strategy takes a :class:`~spbe_engine.models.Rubric` (or an engine and a
rubric id where it must score), so it works for any registered rubric::

    from hypothesis import given
    from spbe_engine import Engine
    from spbe_engine.testing import strategies

    rubric = Engine.default().rubric("spbe-2024")

    @given(strategies.levels(rubric))
    def test_scores(levels): ...
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from .._engine import Engine
from ..models import Assessment, Rubric

__all__ = [
    "assessments",
    "describe_levels",
    "levels",
    "malformed_aggregates",
    "malformed_levels",
    "published_assessments",
    "raised_levels",
]


def levels(rubric: Rubric) -> st.SearchStrategy[dict[str, int]]:
    """Draw a complete, valid map of indicator id → level (each from the indicator's own scale).

    Shrinks towards every indicator at its lowest level.
    """
    return st.fixed_dictionaries(
        {ind.id: st.sampled_from(rubric.scales[ind.scale].numbers) for ind in rubric.indicators}
    )


def assessments(rubric: Rubric) -> st.SearchStrategy[Assessment]:
    """Draw a valid level assessment under ``rubric``, for one of the years it governs."""
    return st.builds(
        Assessment,
        levels=levels(rubric),
        instansi=st.sampled_from(["Kab. Contoh", "Kota Contoh", "Kementerian Contoh"]),
        year=st.sampled_from(rubric.years) if rubric.years else st.none(),
        rubric=st.just(rubric.id),
    )


def raised_levels(rubric: Rubric) -> st.SearchStrategy[tuple[dict[str, int], str]]:
    """Draw levels and one indicator that can still be raised by one level."""

    def pick(drawn: dict[str, int]) -> st.SearchStrategy[tuple[dict[str, int], str]]:
        raisable = [i for i, lv in drawn.items() if lv < rubric.scale_of(i).numbers[-1]]
        return st.sampled_from(raisable).map(lambda target: (drawn, target))

    return (
        levels(rubric)
        .filter(lambda drawn: any(lv < rubric.scale_of(i).numbers[-1] for i, lv in drawn.items()))
        .flatmap(pick)
    )


def published_assessments(engine: Engine, rubric_id: str) -> st.SearchStrategy[tuple[dict[str, int], Assessment]]:
    """Draw levels and the assessment an official table would publish for them.

    The second item holds only the top-level group values (domains), rounded
    by the rubric's rule, as published results show them.
    """
    rubric = engine.rubric(rubric_id)

    def publish(drawn: dict[str, int]) -> tuple[dict[str, int], Assessment]:
        card = engine.score(drawn, rubric=rubric_id)
        aggregates = {group.id: str(group.published) for group in card.domains}
        return drawn, Assessment(aggregates=aggregates, rubric=rubric_id)

    return levels(rubric).map(publish)


def malformed_levels(rubric: Rubric) -> st.SearchStrategy[tuple[dict[Any, Any], str]]:
    """Draw level maps with exactly one fault, and the field an error must name.

    Faults: an unknown indicator id, a group id given as an indicator, a level
    outside the scale, a level that is not a whole number (2.5, "tiga",
    ``True``, ``None``, a float), a missing indicator (the field is then
    ``levels``).
    """
    ids = [ind.id for ind in rubric.indicators]

    def corrupt(drawn: dict[str, int], fault: str, target: str, bad: Any) -> tuple[dict[Any, Any], str]:
        out: dict[Any, Any] = dict(drawn)
        if fault == "unknown id":
            out["X99"] = 3
            return out, "X99"
        if fault == "group id":
            group = rubric.groups[ids.index(target) % len(rubric.groups)].id
            out[group] = 3
            return out, group
        if fault == "missing":
            del out[target]
            return out, "levels"
        if fault == "out of range":
            numbers = rubric.scale_of(target).numbers
            out[target] = numbers[0] - 1 if bad else numbers[-1] + 1
            return out, target
        out[target] = bad
        return out, target

    wrong_types = st.sampled_from([Decimal("2.5"), 2.5, 3.0, "tiga", "3", True, None, [3]])
    return st.builds(
        corrupt,
        levels(rubric),
        st.sampled_from(["unknown id", "group id", "missing", "out of range", "wrong type"]),
        st.sampled_from(ids),
        st.one_of(st.booleans(), wrong_types),
    )


def malformed_aggregates(engine: Engine, rubric_id: str) -> st.SearchStrategy[tuple[dict[str, Any], str]]:
    """Draw published-aggregate maps with one fault (unknown, missing, non-number, unreachable value)."""
    rubric = engine.rubric(rubric_id)
    top = [group.id for group in rubric.top_groups]

    def corrupt(drawn: tuple[dict[str, int], Assessment], fault: str, target: str) -> tuple[dict[str, Any], str]:
        out: dict[str, Any] = dict(drawn[1].aggregates)
        if fault == "unknown":
            out["Z9"] = "3.00"
            return out, "Z9"
        if fault == "missing":
            del out[target]
            return out, "aggregates"
        if fault == "not a number":
            out[target] = "tiga"
            return out, target
        out[target] = "99.99"  # above every scale: no levels reach it
        return out, target

    return st.builds(
        corrupt,
        published_assessments(engine, rubric_id),
        st.sampled_from(["unknown", "missing", "not a number", "unreachable"]),
        st.sampled_from(top),
    )


def describe_levels(levels: Mapping[str, Any]) -> str:
    """Render levels compactly: the most common level, then the exceptions (``all 1 except I5=2``)."""
    if not levels:
        return "no levels"
    counts = Counter(v for v in levels.values() if isinstance(v, int) and not isinstance(v, bool))
    if not counts:
        return ", ".join(f"{k}={v!r}" for k, v in levels.items())
    common = counts.most_common(1)[0][0]
    others = [f"{k}={v!r}" for k, v in levels.items() if v != common or isinstance(v, bool)]
    head = f"all {len(levels)} at {common}"
    return f"{head} except {', '.join(others)}" if others else head
