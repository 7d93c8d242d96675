"""State lives in engines: plans are compiled and kept per engine."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from spbe_engine import Engine, Rounding, Rubric, hookimpl

from .rubric_helpers import FilePlugin, variant

ALL_THREES = {f"I{n}": 3 for n in range(1, 48)}


def _years(text: str, years: str) -> str:
    return text.replace("years = [2021, 2022]", f"years = {years}", 1)


class _CountingPlugin:
    """Counts how often plans are compiled (each compilation asks spbe_rounding once)."""

    SPBE_HOOK_API = 1

    def __init__(self) -> None:
        self.compiled: list[str] = []

    @hookimpl
    def spbe_rounding(self, rubric: Rubric) -> Rounding | None:
        self.compiled.append(rubric.id)


def test_each_engine_compiles_and_keeps_its_own_plans(tmp_path: Path) -> None:
    """Two engines over the same plugins compile a rubric once each; one engine never compiles it twice."""
    rubrics = FilePlugin(variant(tmp_path, lambda text: text))
    counter = _CountingPlugin()
    # The very same plugin objects: a cache shared between engines would compile once for both.
    first = Engine.from_plugins(("rubrics", rubrics), ("count", counter))
    second = Engine.from_plugins(("rubrics", rubrics), ("count", counter))
    first.score(ALL_THREES, rubric="test-2021")
    first.score(ALL_THREES, rubric="test-2021")
    assert counter.compiled == ["test-2021"]
    second.score(ALL_THREES, rubric="test-2021")
    assert counter.compiled == ["test-2021", "test-2021"]
    assert first.plan("test-2021") == second.plan("test-2021")
    assert first.plan("test-2021") is not second.plan("test-2021")


def test_a_plan_lives_no_longer_than_its_engine(tmp_path: Path) -> None:
    """Nothing outside the engine keeps its compiled plans: dropping the engine frees them."""
    engine = Engine.from_plugins(FilePlugin(variant(tmp_path, lambda text: text)))
    plan = weakref.ref(engine.plan("test-2021"))
    card = weakref.ref(engine.score(ALL_THREES, rubric="test-2021"))
    assert plan() is not None
    del engine
    gc.collect()
    assert plan() is None and card() is None
