"""The embedding API: no global state, safe to share across threads."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from spbe_engine import Engine, ScoreCard


def test_engines_are_independent() -> None:
    """Two engines share nothing: plans and rubrics are built per engine."""
    first, second = Engine.default(), Engine.default()
    assert first.plan("spbe-2024") is not second.plan("spbe-2024")
    assert first.rubric("spbe-2024") == second.rubric("spbe-2024")


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
        (c.exact_index, c.index, c.predikat) for c in serial]
