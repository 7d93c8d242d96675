"""Single target: Engine.score of one 47-indicator assessment within 10× of a plain-Python weighted sum.

The baseline, measured in the same run, is the weighted sum of the same
levels (a dict of indicator id → level) with float weights, the least any
scorer has to do. engine.score returns a full ScoreCard: exact index,
published index, predikat and provenance (per-indicator and per-group
details are computed on first access).

Run: ``python benchmarks/bench_single.py``.
"""

from __future__ import annotations

import random
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report

from spbe_engine import Assessment, Engine

RUBRIC = "spbe-2024"


def per_call(fn: object, number: int = 20_000, repeat: int = 7) -> float:
    """Return the fastest per-call time in seconds."""
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number  # type: ignore[arg-type]


def main() -> int:
    engine = Engine.default()
    plan = engine.plan(RUBRIC)
    rng = random.Random(2024)
    levels = {ind: rng.randint(1, 5) for ind in plan.indicator_ids}
    weights = {ind: float(w) for ind, w in zip(plan.indicator_ids, plan.weights, strict=True)}
    assessment = Assessment(levels=levels, instansi="Kota Contoh", year=2024)

    def plain() -> float:
        return sum(weights[ind] * level for ind, level in levels.items()) / 100

    card = engine.score(levels, rubric=RUBRIC)
    assert abs(float(card.exact_index) - plain()) < 1e-9  # type: ignore[arg-type]
    baseline = per_call(plain)
    ours = per_call(lambda: engine.score(levels, rubric=RUBRIC))
    from_assessment = per_call(lambda: engine.score(assessment))
    ok = report(
        "engine.score(mapping, rubric=...)",
        ours * 1e6,
        "µs",
        f"plain-Python weighted sum {baseline * 1e6:.3g} µs, ratio {ours / baseline:.1f}",
        "ratio <= 10",
        ours <= 10 * baseline,
    )
    ok &= report(
        "engine.score(Assessment with year)",
        from_assessment * 1e6,
        "µs",
        f"plain-Python weighted sum {baseline * 1e6:.3g} µs, ratio {from_assessment / baseline:.1f}",
        "ratio <= 10",
        from_assessment <= 10 * baseline,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
