"""The gap plan: fewest steps to a target predikat, ties by larger gain, checked against brute force."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, Engine, InputError
from spbe_engine._evolution_checks import check_gap_plan
from spbe_engine._gap import best_raises
from spbe_engine.inputs import read_assessment

from .conftest import EXAMPLES
from .rubric_helpers import FilePlugin, write_rubric
from .test_cli import run


def _brute_ladders(ladders: list[list[int]], need: int) -> tuple[int, int] | None:
    """Return (fewest steps, largest gain among them) over every combination, or None."""
    best: tuple[int, int] | None = None
    for taken in itertools.product(*(range(len(ladder)) for ladder in ladders)):
        gain = sum(ladder[k] for ladder, k in zip(ladders, taken, strict=True))
        if gain >= need:
            key = (sum(taken), -gain)
            if best is None or key < (best[0], -best[1]):
                best = (sum(taken), gain)
    return best


@given(
    ladders=st.lists(
        st.lists(st.integers(0, 9), min_size=0, max_size=4).map(
            lambda raises: [sum(raises[:k]) for k in range(len(raises) + 1)]
        ),
        min_size=1,
        max_size=4,
    ),
    need=st.integers(0, 40),
)
def test_best_raises_matches_brute_force(ladders: list[list[int]], need: int) -> None:
    """best_raises takes the fewest steps reaching the need, and the largest gain among such plans."""
    taken = best_raises(ladders, need)
    expected = _brute_ladders(ladders, need)
    note(f"ladders={ladders} need={need} taken={taken} expected={expected}")
    if expected is None:
        assert taken is None
        return
    assert taken is not None
    gain = sum(ladder[k] for ladder, k in zip(ladders, taken, strict=True))
    assert (sum(taken), gain) == expected


def _small_rubric(tmp_path: Path, weights: list[int], top: int, edges: list[str], rule: str) -> Engine:
    lines = [
        "schema = 1",
        'id = "small"',
        'title = "Small"',
        "years = [2099]",
        "[legal_basis]",
        'regulation = "Test"',
        f'[rounding]\nplaces = 1\nmode = "half_up"\npredikat_on = "{rule}"',
        "[scales.s]",
        'name = "S"',
        "[scales.s.levels]",
    ]
    lines += [f'{n} = {{ name = "L{n}" }}' for n in range(1, top + 1)]
    bounds = ["1", *edges, str(top)]
    for n, (low, high) in enumerate(itertools.pairwise(bounds)):
        lines += ["[[bands]]", f'predikat = "P{n}"', f'lower = "{low}"', f'upper = "{high}"']
    lines += [
        "[groups.A1]",
        'kind = "aspect"',
        'name = "A"',
        f'weight = "{sum(weights[:2])}"',
        "[groups.A2]",
        'kind = "aspect"',
        'name = "B"',
        f'weight = "{sum(weights[2:])}"',
    ]
    for n, weight in enumerate(weights, start=1):
        lines += [
            f"[indicators.I{n}]",
            f'name = "I{n}"',
            f'parent = "{"A1" if n <= 2 else "A2"}"',
            f'weight = "{weight}"',
            'scale = "s"',
        ]
    path = write_rubric(tmp_path, "small", "\n".join(lines) + "\n")
    return Engine.from_plugins(FilePlugin(path))


@settings(max_examples=25)
@given(data=st.data())
def test_gap_plan_is_minimal_on_small_rubrics(tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    """The gap plan, applied, reaches the target; no plan with fewer steps (or as few and more gain) does."""
    split = data.draw(st.integers(1, 98), label="first weight")
    second = data.draw(st.integers(1, 99 - split), label="second weight")
    third = data.draw(st.integers(0, 100 - split - second), label="third weight")
    weights = [split, second, third, 100 - split - second - third]
    weights = [w for w in weights if w] if weights[2] and weights[3] else [split, second, 100 - split - second]
    top = data.draw(st.integers(2, 4), label="levels")
    edges = sorted(
        data.draw(
            st.sets(
                st.sampled_from(["1.3", "1.5", "1.95", "2", "2.25", "2.5", "3.05"]),
                min_size=1,
                max_size=3,
            ),
            label="band edges",
        )
    )
    edges = [e for e in edges if Fraction(e) < top]
    rule = data.draw(st.sampled_from(["rounded", "exact"]), label="band rule")
    engine = _small_rubric(tmp_path_factory.mktemp("gap"), weights, top, edges, rule)
    plan = engine.plan("small")
    levels = {f"I{n}": data.draw(st.integers(1, top), label=f"I{n}") for n in range(1, len(weights) + 1)}
    target = data.draw(st.sampled_from([b.predikat for b in plan.bands]), label="target")
    note(f"weights={weights} edges={edges} rule={rule} levels={levels} target={target}")
    gap = engine.gap(Assessment(levels=levels, rubric="small"), target)
    check_gap_plan(plan, levels, target, gap)
    # Brute force over every raise of every indicator.
    want = [b.predikat for b in plan.bands].index(target)
    ids = list(levels)
    best: tuple[int, int] | None = None
    for raised in itertools.product(*(range(levels[i], top + 1) for i in ids)):
        numerator = plan.numerator(raised)
        if plan.band_of(numerator) >= want:
            key = (sum(r - levels[i] for r, i in zip(raised, ids, strict=True)), -numerator)
            best = key if best is None or key < best else best
    assert best is not None
    assert len(gap.steps) == best[0]
    assert plan.exact(-best[1]) == gap.end_index


def test_bandar_lampung_2022_domains(engine: Engine) -> None:
    """Kota Bandar Lampung 2022 (1.53 Kurang): domain-granularity plans to Cukup and Baik."""
    assessment = read_assessment(EXAMPLES / "bandar-lampung-2022.toml")
    cukup = engine.gap(assessment, "Cukup")
    assert cukup.granularity == "group" and cukup.start_predikat == "Kurang"
    assert cukup.start_published == Decimal("1.53")
    assert cukup.steps[-1].predikat == "Cukup" and cukup.steps[-1].published >= Decimal("1.80")
    assert all(step.predikat != "Cukup" for step in cukup.steps[:-1])  # the last step is the first to arrive
    baik = engine.gap(assessment, "baik")
    assert baik.target == "Baik" and baik.steps[-1].published >= Decimal("2.60")
    assert len(baik.steps) > len(cukup.steps)
    assert any("D4 1.88 admits 2 exact values" in n for n in baik.notes)


def test_already_there_and_unreachable(engine: Engine) -> None:
    """A predikat already held needs no step; an unknown or unreachable one is a clear error."""
    levels = {f"I{n}": 3 for n in range(1, 48)}
    assert engine.gap(levels, "Cukup", rubric="spbe-2024").steps == ()
    with pytest.raises(InputError, match="not a predikat of rubric spbe-2024"):
        engine.gap(levels, "Excellent", rubric="spbe-2024")


def test_cli_gap(capsys: pytest.CaptureFixture[str]) -> None:
    """`spbe gap --json` lists each step with its gain and resulting index, exact and published."""
    code, out, _ = run(capsys, "gap", str(EXAMPLES / "levels-2024.toml"), "--target", "Sangat Baik", "--json")
    data = json.loads(out)
    assert code == 0 and data["target"] == "Sangat Baik" and data["granularity"] == "indicator"
    last = data["steps"][-1]
    assert last["predikat"] == "Sangat Baik" and Fraction(last["index"]) >= Fraction(7, 2)
    assert Fraction(data["steps"][0]["gain"]) == max(
        Fraction(step["gain"]) for step in data["steps"]
    )  # largest gain first
    code, out, _ = run(capsys, "gap", str(EXAMPLES / "bandar-lampung-2022.toml"), "--target", "Cukup")
    assert code == 0 and "D4" in out and "Cukup" in out


def test_bandar_lampung_cukup_is_minimal(engine: Engine) -> None:
    """Checked by enumeration from the regulation's weights: the plan's step count is the fewest
    one-level steps that reach Cukup whatever the hidden levels behind the published domains are."""
    gap = engine.gap(read_assessment(EXAMPLES / "bandar-lampung-2022.toml"), "Cukup")
    # Weight classes (59/2020 Lampiran I Tabel 9): (weight, indicators). Published D1 2.00 = level
    # sum 20 of 10, D2 1.00 = 10 of 10, D3 1.00 = 11 of 11; D4 1.88 = 2.75*S7 + 3*S8 = 45.5*D4.
    splits = [
        (s7, s8)
        for s7 in range(10, 51)
        for s8 in range(6, 31)
        if Decimal("1.875") <= (Decimal("2.75") * s7 + 3 * s8) / Decimal("45.5") < Decimal("1.885")
    ]
    assert splits

    def fewest(s7: int, s8: int) -> int:
        start = (13 * 2 + 25 + Decimal("16.5") + Decimal("2.75") * s7 + 3 * s8) / 100
        room = [
            (Decimal("1.3"), 30),
            (Decimal("2.5"), 40),
            (Decimal("1.5"), 44),
            (Decimal("2.75"), 50 - s7),
            (Decimal(3), 30 - s8),
        ]
        for k in range(1, 60):
            for split in itertools.product(*(range(min(r, k) + 1) for _, r in room)):
                if sum(split) != k:
                    continue
                index = start + sum(w * n for (w, _), n in zip(room, split, strict=True)) / 100
                if index.quantize(Decimal("0.01"), "ROUND_HALF_UP") >= Decimal("1.80"):
                    return k
        raise AssertionError("unreachable")

    assert len(gap.steps) == max(fewest(s7, s8) for s7, s8 in splits)
    assert gap.steps[-1].published >= Decimal("1.80")
