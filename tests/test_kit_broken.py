"""The kit tells sound from broken: each deliberately broken rubric plugin is caught by the right check.

Some faults the engine already refuses when it loads the rubric or compiles
its plan (with an error naming the plugin or the file); the kit must then
report them under the check that owns them, never crash. The others compile
and only a property finds them.
"""

from __future__ import annotations

import itertools
import types
from collections.abc import Callable, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

from spbe_engine import Band, Engine, Group, Indicator, Rounding, Rubric, hookimpl
from spbe_engine.testing import check_rubric
from spbe_engine.testing.checks import Context
from spbe_engine.testing.profiles import settings_for
from spbe_engine.testing.runner import run_check

from .rubric_helpers import FilePlugin, variant

OWN = "test-2021"


def _plugin(rubric_id: str, **hooks: object) -> types.SimpleNamespace:
    # Passed in code beside the plugin that registers the rubric: it declares the rubric it applies to.
    return types.SimpleNamespace(
        SPBE_HOOK_API=1, SPBE_APPLIES_TO=(rubric_id,), **{name: hookimpl(fn) for name, fn in hooks.items()}
    )


def _first(text: str, old: str, new: str, after: str = "") -> str:
    start = text.index(after) if after else 0
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :]


# -- the broken plugins ---------------------------------------------------------
def weights_off_by_a_point(text: str) -> str:
    """TOML: indicator I1 weighs 2.30 instead of 1.30, so aspect A1 no longer adds up."""
    return _first(text, "weight = 1.30", "weight = 2.30", after="[indicators.I1]")


def band_gap(text: str) -> str:
    """TOML: Cukup starts at 1.85 while Kurang ends at 1.80."""
    return _first(text, "lower = 1.80", "lower = 1.85")


def band_overlap(text: str) -> str:
    """TOML: Cukup starts at 1.75 while Kurang reaches 1.80."""
    return _first(text, "lower = 1.80", "lower = 1.75")


def non_monotone(rubric: Rubric, indicator: Indicator) -> Mapping[int, Fraction] | None:
    """Hook: I1 scores level 2 above level 3; I2 compensates, so all-at-k still gives k."""
    if rubric.id != OWN or indicator.id not in ("I1", "I2"):
        return None
    table = {"I1": (1, 3, 2, 4, 5), "I2": (1, 1, 4, 4, 5)}[indicator.id]
    return {level: Fraction(value) for level, value in zip(range(1, 6), table, strict=True)}


def outside_scale(rubric: Rubric, indicator: Indicator) -> Mapping[int, Fraction] | None:
    """Hook: level 5 of I47 scores 6 on a 1-5 scale."""
    if rubric.id != OWN or indicator.id != "I47":
        return None
    return {1: Fraction(1), 2: Fraction(2), 3: Fraction(3), 4: Fraction(4), 5: Fraction(6)}


def level_three_high(rubric: Rubric, indicator: Indicator) -> Mapping[int, Fraction] | None:
    """Hook: level 3 of I47 scores 3.5: within the scale, but all at level 3 no longer gives 3."""
    if rubric.id != OWN or indicator.id != "I47":
        return None
    return {1: Fraction(1), 2: Fraction(2), 3: Fraction(7, 2), 4: Fraction(4), 5: Fraction(5)}


def hook_weights_off(rubric: Rubric, group: Group | None) -> Mapping[str, int] | None:
    """Hook: domain D1 weighs 14 and D2 24, while D1's aspects still add up to 13."""
    if rubric.id != OWN or group is not None:
        return None
    return {"D1": 14, "D2": 24, "D3": Fraction(33, 2), "D4": Fraction(91, 2)}  # type: ignore[dict-item]


def _nondeterministic() -> Callable[[Rubric, Indicator], Mapping[int, Fraction] | None]:
    compiles = itertools.count()
    state = {"odd": False}

    def values(rubric: Rubric, indicator: Indicator) -> Mapping[int, Fraction] | None:
        """Hook: every other compilation shifts value between I1 and I2 (each table sound on its own)."""
        if rubric.id != OWN or indicator.id not in ("I1", "I2"):
            return None
        if indicator.id == "I1":
            state["odd"] = next(compiles) % 2 == 1
        shift = Fraction(1, 2) if state["odd"] else Fraction(0)
        sign = 1 if indicator.id == "I1" else -1
        return {level: Fraction(level) + (sign * shift if level == 2 else 0) for level in range(1, 6)}

    return values


def wrong_side_edge(rubric: Rubric) -> list[Band] | None:
    """Hook: spbe-2024's Cukup starts at 1.795, so Kab. Nias Barat's exact 1.7975 becomes Cukup."""
    if rubric.id != "spbe-2024":
        return None
    edge = Fraction(1795, 1000)
    return [Band("Kurang", Fraction(1), edge), Band("Cukup", edge, Fraction(13, 5)), *rubric.bands[2:]]


def rounded_rule_for_2024_style(rubric: Rubric) -> Rounding | None:
    """Hook: spbe-2023 assigns the predikat on the exact index (the 2024 rule), not the rounded one."""
    return Rounding(2, "half_up", "exact") if rubric.id == "spbe-2023" else None


def raising_hook(rubric: Rubric, group: Group | None) -> Mapping[str, int] | None:
    """Hook: spbe_weights raises instead of answering."""
    if rubric.id == OWN:
        raise RuntimeError("weights table not found")
    return None


def hook_band_gap(rubric: Rubric) -> list[Band] | None:
    """Hook: bands with a gap between 2.60 and 2.70."""
    if rubric.id != OWN:
        return None
    return [Band("Rendah", Fraction(1), Fraction(13, 5)), Band("Tinggi", Fraction(27, 10), Fraction(5))]


@attrs.frozen
class Broken:
    """One broken plugin: how to build it, which rubric it breaks, and which checks must fail."""

    name: str
    rubric: str
    expected: frozenset[str]
    toml: Callable[[str], str] | None = None
    hooks: Mapping[str, Callable[..., Any]] = attrs.field(factory=dict)
    official: bool = False


CASES = [
    # Refused when the rubric loads or its plan compiles: reported under the owning check.
    Broken("weights off by a point (TOML)", OWN, frozenset({"loads", "weights"}), toml=weights_off_by_a_point),
    Broken(
        "weights off by a point (hook)", OWN, frozenset({"loads", "weights"}), hooks={"spbe_weights": hook_weights_off}
    ),
    Broken("gap between bands (TOML)", OWN, frozenset({"loads", "bands"}), toml=band_gap),
    Broken("overlap between bands (TOML)", OWN, frozenset({"loads", "bands"}), toml=band_overlap),
    Broken(
        "gap between bands (hook)", OWN, frozenset({"loads", "bands"}), hooks={"spbe_predikat_bands": hook_band_gap}
    ),
    Broken(
        "value outside the scale (hook)",
        OWN,
        frozenset({"loads", "bounds"}),
        hooks={"spbe_indicator_values": outside_scale},
    ),
    # The engine names the raising hook (spbe_weights), so the weights check owns the fault.
    Broken("a hook that raises", OWN, frozenset({"loads", "weights"}), hooks={"spbe_weights": raising_hook}),
    # Compile fine; only the kit's checks find them.
    Broken(
        "all at level k do not give k (hook)",
        OWN,
        frozenset({"bounds"}),
        hooks={"spbe_indicator_values": level_three_high},
    ),
    Broken(
        "non-monotone indicator scoring (hook)",
        OWN,
        frozenset({"monotonicity"}),
        hooks={"spbe_indicator_values": non_monotone},
    ),
    Broken(
        "nondeterministic hook", OWN, frozenset({"determinism"}), hooks={"spbe_indicator_values": _nondeterministic}
    ),
    Broken(
        "predikat on the wrong side of an edge (bands hook)",
        "spbe-2024",
        frozenset({"bands", "golden"}),
        hooks={"spbe_predikat_bands": wrong_side_edge},
        official=True,
    ),
    Broken(
        "predikat on the wrong side of an edge (spbe_rounding hook)",
        "spbe-2023",
        frozenset({"golden"}),
        hooks={"spbe_rounding": rounded_rule_for_2024_style},
        official=True,
    ),
]


def _engine(case: Broken, tmp_path: Path) -> Engine:
    hooks = {name: (fn() if fn is _nondeterministic else fn) for name, fn in case.hooks.items()}
    plugins: list[tuple[str, object]] = [("broken", _plugin(case.rubric, **hooks))] if hooks else []
    if case.official:
        return Engine.from_plugins(*plugins, entry_points=True)
    path = variant(tmp_path, case.toml or (lambda text: text), OWN)
    return Engine.from_plugins(("rubric", FilePlugin(path)), *plugins)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_broken_plugin_is_caught_by_the_right_check(case: Broken, tmp_path: Path) -> None:
    """Each broken plugin fails exactly the checks that own its fault, and the kit does not crash."""
    report = check_rubric(case.rubric, _engine(case, tmp_path), max_examples=15)
    assert set(report.failed) == case.expected, str(report)
    assert not report.ok
    for name in report.failed:
        result = report.result(name)
        assert f"rubric {case.rubric}" in result.message and "crashed" not in result.message
    if case.name == "a hook that raises":
        assert "plugin 'broken', hook spbe_weights" in report.result("weights").message
        assert "RuntimeError: weights table not found" in report.result("weights").message
    if "loads" in case.expected:  # the other checks could not run, and say why
        blocked = {r.name for r in report.results if r.status == "blocked"}
        assert blocked | case.expected | {"golden"} >= {r.name for r in report.results}


def test_sound_variant_passes(tmp_path: Path) -> None:
    """The unbroken copy of the rubric the broken cases start from passes every check it can run."""
    report = check_rubric(OWN, _engine(Broken("sound", OWN, frozenset()), tmp_path), max_examples=15)
    assert report.ok, str(report)
    assert report.result("golden").status == "skipped"  # the copy ships no golden cases


def _doctored(engine: Engine, rubric_id: str, **changes: Any) -> Context:
    plan = attrs.evolve(engine.plan(rubric_id), **changes)
    return Context(engine, rubric_id, plan, settings_for("fast", 10))


def test_band_edge_drift_in_the_plan_is_caught(engine: Engine) -> None:
    """A plan whose exact-rule thresholds drift one step up puts an index on the edge in the lower band."""
    plan = engine.plan("spbe-2024")
    context = _doctored(engine, "spbe-2024", exact_thresholds=tuple(t + 1 for t in plan.exact_thresholds))
    result = run_check("bands", context)
    assert result.failed and "exactly on the edge 9/5" not in result.message
    assert "on the edge 1.8" in result.message and "Kurang, not Cukup" in result.message


def test_rounded_rule_drift_in_the_plan_is_caught(engine: Engine) -> None:
    """A plan that classifies the rounded index one unit late gets a published 1.80 wrong."""
    plan = engine.plan("spbe-2023")
    context = _doctored(engine, "spbe-2023", rounded_thresholds=tuple(t + 1 for t in plan.rounded_thresholds))
    result = run_check("bands", context)
    assert result.failed and "published as the edge 1.8" in result.message


def test_weights_that_do_not_nest_in_the_plan_are_caught(engine: Engine) -> None:
    """The weights check recomputes the tree from the plan itself, not from the engine's own load checks."""
    plan = engine.plan("spbe-2021")
    context = _doctored(engine, "spbe-2021", weights=(plan.weights[0] + 1, *plan.weights[1:]))
    result = run_check("weights", context)
    assert result.failed and "A1" in result.message
