"""The property halves of the checks: hypothesis draws assessments and shrinks any failure to the smallest.

:func:`run_property` runs one property under the kit's settings, captures
hypothesis's report (the falsifying draws and every ``note()``) and raises
:class:`~spbe_engine.testing.structural.CheckFailure` carrying it, so the
failure names the rubric, the property and the smallest failing assessment.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs
from hypothesis import given, note, settings
from hypothesis import strategies as st
from hypothesis.reporting import with_reporter

from .._engine import Engine
from .._numbers import format_exact
from .._scoring import ScoreCard
from ..errors import InputError
from ..models import Assessment, Rubric
from . import strategies
from .structural import CheckFailure

__all__ = [
    "Body",
    "Subject",
    "bounds_property",
    "monotone_property",
    "order_property",
    "published_property",
    "rejects_property",
    "run_property",
]


@attrs.frozen(kw_only=True)
class Subject:
    """What a property runs against: the engine, the rubric, and the kit's strategies for it.

    The strategies are built once per property run, not once per example:
    hypothesis validates a strategy object the first time it draws from it, and
    for a 47-indicator rubric a fresh ``levels`` strategy costs more to validate
    than to draw from. The examples drawn are the same either way.
    """

    engine: Engine
    rubric_id: str
    rubric: Rubric
    levels: st.SearchStrategy[dict[str, int]]
    raised_levels: st.SearchStrategy[tuple[dict[str, int], str]]
    published: st.SearchStrategy[tuple[dict[str, int], Assessment]]
    malformed_levels: st.SearchStrategy[tuple[dict[Any, Any], str]]
    malformed_aggregates: st.SearchStrategy[tuple[dict[str, Any], str]]

    @classmethod
    def of(cls, engine: Engine, rubric_id: str) -> Subject:
        """Build the subject of a property run on one registered rubric."""
        rubric = engine.rubric(rubric_id)
        return cls(
            engine=engine,
            rubric_id=rubric_id,
            rubric=rubric,
            levels=strategies.levels(rubric),
            raised_levels=strategies.raised_levels(rubric),
            published=strategies.published_assessments(engine, rubric_id),
            malformed_levels=strategies.malformed_levels(rubric),
            malformed_aggregates=strategies.malformed_aggregates(engine, rubric_id),
        )


Body = Callable[[Subject, st.DataObject], None]


def run_property(engine: Engine, rubric_id: str, name: str, body: Body, chosen: settings) -> None:
    """Run ``body`` as a hypothesis property; on failure raise CheckFailure with the shrunk example."""
    subject = Subject.of(engine, rubric_id)

    @settings(chosen)
    @given(data=st.data())
    def prop(data: st.DataObject) -> None:
        body(subject, data)

    captured: list[str] = []
    try:
        with with_reporter(lambda text: captured.append(str(text))):
            prop()
    except AssertionError as exc:
        # Hypothesis attaches the falsifying draws and notes to the exception (PEP 678);
        # older versions printed them through the reporter instead.
        lines = [f"rubric {rubric_id}, property {name}:", *captured, *getattr(exc, "__notes__", ())]
        message = exc.message if isinstance(exc, CheckFailure) else str(exc)
        raise CheckFailure(message, "\n".join(lines)) from None


def draw_levels(subject: Subject, data: st.DataObject) -> dict[str, int]:
    levels: dict[str, int] = data.draw(subject.levels, label="levels")
    note(f"rubric {subject.rubric_id}, assessment: {strategies.describe_levels(levels)}")
    return levels


def bounds_property(subject: Subject, data: st.DataObject) -> None:
    """Every indicator, aspect, domain and index value stays within its members' values and the scale."""
    levels = draw_levels(subject, data)
    card = subject.engine.score(levels, rubric=subject.rubric_id)
    rubric = subject.rubric
    values = {ind.id: ind.value for ind in card.indicators}
    for indicator in card.indicators:
        numbers = rubric.scale_of(indicator.id).numbers
        assert indicator.value is not None and numbers[0] <= indicator.value <= numbers[-1], (
            f"{indicator.id} at level {indicator.level} scores {indicator.value}, outside {numbers[0]}..{numbers[-1]}"
        )
    for group in card.groups:
        below = [values[i] or Fraction(0) for i in rubric.indicators_under(group.id)]
        value = group.value
        assert value is not None, f"{group.id} has no value from complete levels"
        assert min(below) <= value <= max(below), (
            f"{group.id} = {format_exact(value)} lies outside its indicators' values"
        )
    every = [v or Fraction(0) for v in values.values()]
    index = card.exact_index
    assert index is not None, "complete levels give no index"
    assert min(every) <= index <= max(every), f"the index {index} lies outside the indicators' values"


def _rank(engine: Engine, rubric_id: str, card: ScoreCard) -> int:
    return [band.predikat for band in engine.plan(rubric_id).bands].index(card.predikat)  # type: ignore[arg-type]


def monotone_property(subject: Subject, data: st.DataObject) -> None:
    """Raising one indicator never lowers its aspect, its domain, the index, or the predikat rank."""
    engine, rubric_id, rubric = subject.engine, subject.rubric_id, subject.rubric
    levels, target = data.draw(subject.raised_levels, label="levels, raised indicator")
    higher = dict(levels, **{target: levels[target] + 1})
    note(
        f"rubric {rubric_id}, assessment: {strategies.describe_levels(levels)}; "
        f"raise {target} from {levels[target]} to {levels[target] + 1}"
    )
    before, after = engine.score(levels, rubric=rubric_id), engine.score(higher, rubric=rubric_id)
    chain = []
    parent: str | None = rubric.indicator(target).parent
    while parent is not None:
        chain.append(parent)
        parent = rubric.group(parent).parent
    for group_id in chain:
        old, new = before.group(group_id).value, after.group(group_id).value
        assert old is not None and new is not None and new >= old, (
            f"raising {target} lowers {group_id} from {format_exact(old or Fraction(0))} to "
            f"{format_exact(new or Fraction(0))}"
        )
    assert before.exact_index is not None and after.exact_index is not None
    assert after.exact_index >= before.exact_index, (
        f"raising {target} lowers the index from {format_exact(before.exact_index)} to "
        f"{format_exact(after.exact_index)}"
    )
    assert _rank(engine, rubric_id, after) >= _rank(engine, rubric_id, before), (
        f"raising {target} lowers the predikat from {before.predikat} to {after.predikat}"
    )


def _summary(card: ScoreCard) -> tuple[Any, ...]:
    return (
        card.index,
        card.exact_index,
        card.predikat,
        card.index_candidates,
        card.exact_candidates,
        card.predikat_candidates,
        tuple((g.id, g.value, g.published, g.candidates) for g in card.groups),
    )


def order_property(subject: Subject, data: st.DataObject) -> None:
    """Scoring is deterministic and independent of the order the input lists indicators or domains in."""
    engine, rubric_id = subject.engine, subject.rubric_id
    levels = draw_levels(subject, data)
    order = data.draw(st.permutations(list(levels)), label="input order")
    card = engine.score(levels, rubric=rubric_id)
    first = _summary(card)
    assert _summary(engine.score(levels, rubric=rubric_id)) == first, "scoring the same levels twice differs"
    shuffled = {key: levels[key] for key in order}
    assert _summary(engine.score(shuffled, rubric=rubric_id)) == first, (
        f"listing the indicators in another order changes the result ({', '.join(order[:5])}, ...)"
    )
    published = {g.id: str(g.published) for g in card.domains}
    reverse = dict(reversed(list(published.items())))
    a = _summary(engine.score(Assessment(aggregates=published), rubric=rubric_id))
    b = _summary(engine.score(Assessment(aggregates=reverse), rubric=rubric_id))
    assert a == b, "listing the published domains in another order changes the result"


def published_property(subject: Subject, data: st.DataObject) -> None:
    """Levels → rounded domain values → reconstruction always contains the exact index and its predikat."""
    engine, rubric_id = subject.engine, subject.rubric_id
    levels, published = data.draw(subject.published, label="levels")
    note(
        f"rubric {rubric_id}, assessment: {strategies.describe_levels(levels)}; "
        f"published domains {dict(published.aggregates)}"
    )
    card = engine.score(levels, rubric=rubric_id)
    rebuilt = engine.score(published, rubric=rubric_id)
    assert card.exact_index in rebuilt.exact_candidates, (
        f"the exact index {format_exact(card.exact_index or Fraction(0))} is not among the reconstructed "
        f"{[format_exact(c) for c in rebuilt.exact_candidates][:8]}"
    )
    assert card.index in rebuilt.index_candidates, (
        f"the published index {card.index} is not among {[str(c) for c in rebuilt.index_candidates]}"
    )
    assert card.predikat in rebuilt.predikat_candidates, (
        f"the predikat {card.predikat} is not among {list(rebuilt.predikat_candidates)}"
    )
    for group in card.domains:
        assert group.value in rebuilt.group(group.id).candidates, (
            f"{group.id}'s exact value {format_exact(group.value or Fraction(0))} is not among its "
            f"reconstructed candidates"
        )


def rejects_property(subject: Subject, data: st.DataObject) -> None:
    """A malformed assessment is refused with an InputError naming the bad field, never scored."""
    engine, rubric_id = subject.engine, subject.rubric_id
    if data.draw(st.booleans(), label="aggregates instead of levels"):
        bad, field = data.draw(subject.malformed_aggregates, label="malformed domains")
        assessment = Assessment(aggregates=bad)
    else:
        bad, field = data.draw(subject.malformed_levels, label="malformed levels")
        assessment = Assessment(levels=bad)
    note(f"rubric {rubric_id}, the fault is in {field!r}")
    try:
        card = engine.score(assessment, rubric=rubric_id)
    except InputError as exc:
        if exc.field != field:
            raise AssertionError(f"the error names field {exc.field!r}, not the bad {field!r}: {exc}") from None
        return
    raise AssertionError(f"a malformed assessment (fault in {field!r}) was scored: index {card.index}")
