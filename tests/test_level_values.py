"""Level values in rubric files.

A level scores its number unless the rubric file gives it a ``value``; the
bands then cover the range of values.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from spbe_engine import RubricError

from .rubric_helpers import engine_with, write_rubric


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
