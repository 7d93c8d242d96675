"""State lives in engines: plans are compiled and kept per engine, and a year reads only what it needs."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import spbe_engine._registry
from spbe_engine import Assessment, Engine, Rounding, Rubric, RubricError, UnknownRubricError, hookimpl

from .rubric_helpers import FilePlugin, variant

ALL_THREES = {f"I{n}": 3 for n in range(1, 48)}


def _years(text: str, years: str) -> str:
    return text.replace("years = [2021, 2022]", f"years = {years}", 1)


class _CountingPlugin:
    """Counts how often plans are compiled (each compilation asks spbe_rounding once)."""

    SPBE_HOOK_API = 1
    SPBE_APPLIES_TO = "*"  # every rubric that is not official

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


# -- year resolution --------------------------------------------------------------------------------
def _engine(tmp_path: Path, **edits: Callable[[str], str]) -> Engine:
    plugins = [(name, FilePlugin(variant(tmp_path, edit, rubric_id=name))) for name, edit in edits.items()]
    return Engine.from_plugins(*plugins)


def test_a_year_loads_only_the_rubric_that_governs_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolving a year builds one Rubric: the governing one; the others are only skimmed for their years."""
    engine = _engine(
        tmp_path,
        **{
            "old-2090": lambda text: _years(text, "[2090]"),
            "mid-2091": lambda text: _years(text, "[2091, 2092]"),
            "new-2093": lambda text: _years(text, "[2093]"),
        },
    )
    built: list[str] = []
    real = spbe_engine._registry.build_rubric

    def counting(raw: dict[str, Any], file: str) -> Rubric:
        built.append(raw["id"])
        return real(raw, file)

    monkeypatch.setattr(spbe_engine._registry, "build_rubric", counting)
    assert engine.rubric_for_year(2092).id == "mid-2091"
    card = engine.score(Assessment(levels=ALL_THREES, year=2091))
    assert card.rubric_id == "mid-2091" and card.exact_index == 3
    assert built == ["mid-2091"]


def test_a_broken_rubric_does_not_block_other_years(tmp_path: Path) -> None:
    """A rubric that fails validation matters only for its own years, where the error names its plugin."""
    engine = _engine(
        tmp_path,
        **{
            "good-2090": lambda text: _years(text, "[2090]"),
            "bad-2091": lambda text: _years(text, "[2091]").replace("weight = 1.30", "weight = 2.30", 1),
        },
    )
    assert engine.rubric_for_year(2090).id == "good-2090"
    with pytest.raises(RubricError, match=r"plugin 'bad-2091', rubric bad-2091: .*sum to"):
        engine.rubric_for_year(2091)


def _bracket_in_notes(text: str) -> str:
    """Open the notes with a multi-line string holding a line that starts with ``[``; state the years after it."""
    text = text.replace("years = [2021, 2022]\n", "", 1)
    text = text.replace("notes = [\n", 'notes = [\n    """\n[not a table]""",\n', 1)
    return text.replace("\n[legal_basis]", "years = [2090]\n\n[legal_basis]", 1)


def test_years_are_found_past_a_bracket_inside_a_multiline_string(tmp_path: Path) -> None:
    """A line opening with ``[`` inside a multi-line string is no table: the years after it are still read."""
    engine = _engine(tmp_path, **{"odd-2090": _bracket_in_notes})
    assert engine.rubric_for_year(2090).id == "odd-2090"
    assert engine.rubric("odd-2090").notes[0] == "[not a table]"


def test_several_rubrics_claiming_a_year_are_named(tmp_path: Path) -> None:
    """Two rubrics claiming one year: the error names both and the covered years, and asks for one."""
    engine = _engine(
        tmp_path,
        **{
            "one-2090": lambda text: _years(text, "[2090, 2091]"),
            "two-2090": lambda text: _years(text, "[2091, 2092]"),
        },
    )
    assert engine.rubric_for_year(2090).id == "one-2090"
    with pytest.raises(UnknownRubricError, match=r"several rubrics claim this year \(one-2090, two-2090\)") as info:
        engine.rubric_for_year(2091)
    assert info.value.field == "year" and info.value.value == 2091 and info.value.allowed == "years 2090-2092"
    with pytest.raises(UnknownRubricError, match="no rubric governs this evaluation year") as info:
        engine.rubric_for_year(2089)
    assert info.value.allowed == "years 2090-2092"


def test_malformed_years_raise_the_rubrics_own_error(tmp_path: Path) -> None:
    """Years that are not a list of distinct years load the whole rubric, which says what is wrong."""
    engine = _engine(tmp_path, **{"dup-2090": lambda text: _years(text, "[2090, 2090]")})
    with pytest.raises(RubricError, match="lists a year twice"):
        engine.rubric_for_year(2090)
