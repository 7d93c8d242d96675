"""The embedding API: no global state, safe to share across threads."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from spbe_engine import Engine, ScoreCard


def test_engines_are_independent() -> None:
    """Engines share no mutable state: another plugin set (here scoring levels in reverse) gives
    another plan for the same rubric, and the first engine is unaffected."""
    import types

    from spbe_engine import hookimpl

    @hookimpl
    def spbe_indicator_values(rubric, indicator):
        return {n: 6 - n for n in rubric.scales[indicator.scale].numbers} if rubric.id == "spbe-2024" else None

    plain = Engine.default()
    reverse = Engine.from_plugins(
        (
            "reverse",
            types.SimpleNamespace(
                SPBE_HOOK_API=1, SPBE_APPLIES_TO=("spbe-2024",), spbe_indicator_values=spbe_indicator_values
            ),
        ),
        entry_points=True,
    )
    levels = {f"I{n}": 5 for n in range(1, 48)}
    assert plain.score(levels, rubric="spbe-2024").exact_index == 5
    assert reverse.score(levels, rubric="spbe-2024").exact_index == 1
    assert plain.score(levels, rubric="spbe-2024").exact_index == 5
    assert plain.plan("spbe-2024") is not reverse.plan("spbe-2024")


def test_shared_engine_across_threads() -> None:
    """One engine scores concurrently from many threads with the same results as serially."""
    rng = random.Random(20241231)
    rubrics = ["spbe-2018", "spbe-2021", "spbe-2023", "spbe-2024"]
    reference = Engine.default()
    ids_of = {r: [ind.id for ind in reference.rubric(r).indicators] for r in rubrics}
    work = [(r, {i: rng.randint(1, 5) for i in ids_of[r]}) for r in rubrics * 100]
    shared = Engine.default()  # fresh: its plans are compiled under contention

    def score(job: tuple[str, dict[str, int]]) -> ScoreCard:
        return shared.score(job[1], rubric=job[0])

    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(score, work))
    serial = [reference.score(levels, rubric=r) for r, levels in work]
    assert [(c.exact_index, c.index, c.predikat) for c in parallel] == [
        (c.exact_index, c.index, c.predikat) for c in serial
    ]
