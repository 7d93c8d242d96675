"""Level values in rubric files, and crosswalks from a scale that reaches below the target's.

A level scores its number unless the rubric file gives it a ``value``; the
bands then cover the range of values. A crosswalk mapping whose source scale
starts below the target scale must say ``below_scale = "lowest"``.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import pytest

from spbe_engine import CrosswalkError, Engine, RubricError
from spbe_engine._crosswalk_file import load_crosswalk

from .conftest import ROOT
from .rubric_helpers import engine_with, write_rubric

CROSSWALKS = ROOT / "crosswalks"


def _scales_text(level_zero: str, lowest_band: str = "1.00") -> str:
    """A one-indicator rubric whose scale runs 0-5, level 0 written as ``level_zero``."""
    return f"""
schema = 1
id = "test-values"
title = "Level values"
years = []
[legal_basis]
regulation = "none"
[scales.s]
name = "s"
[scales.s.levels]
0 = {level_zero}
1 = "Satu"
2 = "Dua"
3 = "Tiga"
4 = "Empat"
5 = "Lima"
[[bands]]
predikat = "Kurang"
lower = {lowest_band}
upper = 3
[[bands]]
predikat = "Baik"
lower = 3
upper = 5
[groups.G]
kind = "aspect"
name = "G"
weight = 100
[indicators.I1]
parent = "G"
name = "I1"
weight = 100
scale = "s"
"""


def test_a_level_value_is_read_by_the_default_hook(tmp_path: Path) -> None:
    """`value` on a level sets what it scores; other levels score their number."""
    path = write_rubric(tmp_path, "test-values", _scales_text('{ name = "Nol", value = 1 }'))
    engine = engine_with(path)
    assert engine.plan("test-values").values[0] == {n: Fraction(max(n, 1)) for n in range(6)}
    assert engine.score({"I1": 0}, rubric="test-values").exact_index == 1


@pytest.mark.parametrize(
    ("level_zero", "lowest_band", "field", "problem"),
    [
        ('{ name = "Nol", value = 6 }', "1.00", "scales.s.levels.0.value", "within the scale"),
        ('{ name = "Nol", value = -1 }', "1.00", "scales.s.levels.0.value", "within the scale"),
        ('{ name = "Nol", value = "x" }', "1.00", "scales.s.levels.0.value", "decimal number"),
        ('{ name = "Nol", value = 2 }', "1.00", "scales.s.levels.1.value", "may not score less"),
        ('{ name = "Nol", value = 1 }', "0.00", "bands", "index range 1..5"),
        ('{ name = "Nol" }', "1.00", "bands", "index range 0..5"),
    ],
)
def test_level_values_are_validated(
    tmp_path: Path, level_zero: str, lowest_band: str, field: str, problem: str
) -> None:
    """Values lie within the scale and never fall as the level rises; bands cover the range of values."""
    path = write_rubric(tmp_path, "test-values", _scales_text(level_zero, lowest_band))
    with pytest.raises(RubricError, match=problem) as info:
        engine_with(path).rubric("test-values")
    assert info.value.field == field


def test_a_gap_step_reads_levels_when_two_levels_score_alike(tmp_path: Path) -> None:
    """Levels 0 and 1 both score 1: the gap plan still shows the levels it climbs, 0 → 1 → 2 → 3."""
    engine = engine_with(write_rubric(tmp_path, "test-values", _scales_text('{ name = "Nol", value = 1 }')))
    plan = engine.gap({"I1": 0}, "Baik", rubric="test-values")
    assert [(step.before, step.after, step.gain) for step in plan.steps] == [(0, 1, 0), (1, 2, 1), (2, 3, 1)]


def _crosswalk_variant(tmp_path: Path, name: str, edit: Callable[[str], str]) -> Path:
    """Write a copy of a bundled crosswalk file, changed by ``edit``."""
    path = tmp_path / name
    path.write_text(edit((CROSSWALKS / name).read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_a_source_below_the_target_scale_needs_below_scale(engine: Engine, tmp_path: Path) -> None:
    """5/2018 (levels 0-5) into 59/2020 (1-5): a mapping without below_scale is refused, naming the way out."""
    path = _crosswalk_variant(
        tmp_path,
        "spbe-2018__spbe-2021.toml",
        lambda text: text.replace('["I3"]\nbelow_scale = "lowest"\n', '["I3"]\n', 1),
    )
    with pytest.raises(CrosswalkError, match="outside the target scale 1-5") as info:
        load_crosswalk(path, engine.rubric("spbe-2018"), engine.rubric("spbe-2021"))
    assert info.value.field == "targets.I1.sources" and "below_scale" in str(info.value)


def test_below_scale_takes_a_known_rule(engine: Engine, tmp_path: Path) -> None:
    """below_scale names a known rule."""
    path = _crosswalk_variant(
        tmp_path,
        "spbe-2018__spbe-2021.toml",
        lambda text: text.replace('["I3"]\nbelow_scale = "lowest"', '["I3"]\nbelow_scale = "zero"', 1),
    )
    with pytest.raises(CrosswalkError, match="unknown rule") as info:
        load_crosswalk(path, engine.rubric("spbe-2018"), engine.rubric("spbe-2021"))
    assert info.value.field == "targets.I1.below_scale"


def test_below_scale_is_refused_where_no_source_reaches_below(engine: Engine, tmp_path: Path) -> None:
    """59/2020 into Pemdi (both 1-5): below_scale would be a rule that never applies, so it is refused."""
    path = _crosswalk_variant(
        tmp_path,
        "spbe-2024__pemdi-2026.toml",
        lambda text: text.replace("[targets.I1]\n", '[targets.I1]\nbelow_scale = "lowest"\n', 1),
    )
    with pytest.raises(CrosswalkError, match="no source level lies below the target scale") as info:
        load_crosswalk(path, engine.rubric("spbe-2024"), engine.rubric("pemdi-2026"))
    assert info.value.field == "targets.I1.below_scale"
