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

from spbe_engine import Band, Engine, Group, Indicator, Rounding, Rubric, RubricError, hookimpl
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


# -- what loading alone cannot see: the kit checks of kit 1.1 (issue 10) -----------------------------------
def float_band_edges(rubric: Rubric) -> list[Band] | None:
    """Hook: band edges as floats (1.8 rather than Fraction(9, 5))."""
    if rubric.id != OWN:
        return None
    edges = [1.0, 1.8, 2.6, 3.5, 4.2, 5.0]
    return [
        Band(band.predikat, lo, hi)  # type: ignore[arg-type]
        for band, lo, hi in zip(rubric.bands, edges, edges[1:], strict=True)
    ]


def negative_places(rubric: Rubric) -> Rounding | None:
    """Hook: a rounding to -1 places (attrs checks the mode, not the places)."""
    return Rounding(places=-1) if rubric.id == OWN else None


def altering(rubric: Rubric, group: Group | None) -> None:
    """Hook: rewrite the frozen rubric's rounding with object.__setattr__."""
    object.__setattr__(rubric, "rounding", Rounding(places=4))


ANSWER_CASES = [
    Broken("band edges as floats", OWN, frozenset({"loads", "bands"}), hooks={"spbe_predikat_bands": float_band_edges}),
    Broken("negative places", OWN, frozenset({"loads", "published"}), hooks={"spbe_rounding": negative_places}),
    Broken("a hook altering its rubric", OWN, frozenset({"loads"}), hooks={"spbe_weights": altering}),
]


@pytest.mark.parametrize("case", ANSWER_CASES, ids=[case.name for case in ANSWER_CASES])
def test_bad_hook_answers_fail_a_check_with_a_message_never_a_crash(case: Broken, tmp_path: Path) -> None:
    """Inexact or out-of-range answers are refused on compile: the owning check fails naming plugin and hook."""
    report = check_rubric(case.rubric, _engine(case, tmp_path), max_examples=5)
    assert set(report.failed) == case.expected, str(report)
    hook = next(iter(case.hooks))
    owner = next(name for name in case.expected if name != "loads") if len(case.expected) > 1 else "loads"
    message = report.result(owner).message
    assert f"plugin 'broken', hook {hook}" in message and "crashed" not in str(report)


def _plugin_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, code: str) -> types.ModuleType:
    """Write a plugin module where a fresh process can import it too, and import it."""
    import importlib
    import sys
    import textwrap

    folder = tmp_path / "modules"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.py").write_text(textwrap.dedent(code), encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delitem(sys.modules, name, raising=False)
    module = importlib.import_module(name)
    monkeypatch.setitem(sys.modules, name, module)
    return module


SET_ORDER = """\
    from fractions import Fraction
    from pathlib import Path

    from spbe_engine import hookimpl

    SPBE_HOOK_API = 1
    RUBRIC = Path(__file__).with_name("test-2021.toml")


    @hookimpl
    def spbe_register_rubrics(register):
        register(RUBRIC)


    @hookimpl
    def spbe_weights(rubric, group):
        # Uneven shares of each aspect's weight, handed out in set order: alike within a process,
        # not from one hash seed to the next.
        if group is None or group.children:
            return None
        members = set(group.indicators)
        total = len(members) * (len(members) + 1) // 2
        return {member: group.weight * (n + 1) / total for n, member in enumerate(members)}
    """


def test_weights_in_set_order_pass_determinism_and_fail_hash_seeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One process, one set order: determinism passes; fresh processes under other seeds disagree."""
    (tmp_path / "modules").mkdir()
    variant(tmp_path / "modules", lambda text: text)
    module = _plugin_module(tmp_path, monkeypatch, "spbe_set_order", SET_ORDER)
    report = check_rubric(OWN, Engine.from_plugins(("set-order", module)), checks=["determinism", "hash_seeds"])
    assert report.result("determinism").passed, str(report)
    result = report.result("hash_seeds")
    assert result.failed, str(report)
    assert "under PYTHONHASHSEED=" in result.message and "spbe_weights answered by 'set-order'" in result.message
    assert "weights." in result.example


def test_hash_seeds_passes_for_an_importable_sound_plugin_and_skips_one_built_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plugin a fresh process can import passes; one built in this process is skipped, saying why."""
    (tmp_path / "modules").mkdir()
    variant(tmp_path / "modules", lambda text: text)
    sound = SET_ORDER.replace("enumerate(members)", "enumerate(sorted(members))")
    module = _plugin_module(tmp_path, monkeypatch, "spbe_sorted_order", sound)
    report = check_rubric(OWN, Engine.from_plugins(("sorted", module)), checks=["hash_seeds"])
    assert report.ok and report.result("hash_seeds").passed, str(report)
    local = Engine.from_plugins(("rubric", FilePlugin(variant(tmp_path, lambda text: text))))
    skipped = check_rubric(OWN, local, checks=["hash_seeds"]).result("hash_seeds")
    assert skipped.status == "skipped" and "plugin 'rubric' was built in this process" in skipped.message


def test_a_criteria_file_not_shipped_fails_files(tmp_path: Path) -> None:
    """A rubric declaring a criteria file it does not ship passes every other check, fails `files`."""
    path = variant(tmp_path, lambda text: text.replace("schema = 1\n", 'schema = 1\ncriteria = "gone.criteria.toml"\n'))
    engine = Engine.from_plugins(("forgetful", FilePlugin(path)))
    report = check_rubric(OWN, engine, checks=["loads", "files", "golden"])
    assert report.failed == ("files",), str(report)
    assert "gone.criteria.toml" in report.result("files").message and "'forgetful'" in report.result("files").message
    with pytest.raises(RubricError):
        engine.criteria(OWN)  # what `spbe rubric show --criteria` would have met
    (tmp_path / "ok").mkdir()
    shipped = variant(tmp_path / "ok", lambda text: text)
    assert check_rubric(OWN, Engine.from_plugins(FilePlugin(shipped)), checks=["files"]).ok


def _swap_crosswalk(tmp_path: Path, source: str, target: str, mark: str) -> Path:
    """A crosswalk between identically structured rubrics that swaps I1 and I2 (the rest are namesakes)."""
    lines = ["schema = 1", f'from = "{source}"', f'to = "{target}"', 'title = "Swapped"', ""]
    for n in range(1, 48):
        origin = {1: 2, 2: 1}.get(n, n)
        reason = 'reason = "swapped on purpose"\n' if mark != "exact" and n <= 2 else ""
        lines += [
            f"[targets.I{n}]",
            f'sources = ["I{origin}"]',
            f'mark = "{mark if n <= 2 else "exact"}"',
            f'{reason}basis = "project judgement"',
            "",
        ]
    path = tmp_path / f"{source}__{target}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_a_swap_marked_exact_between_identical_rubrics_fails_namesakes(tmp_path: Path) -> None:
    """Between rubrics with identical indicators, I1 ← I2 marked exact is a swap passed off as identity."""
    one, two = (variant(tmp_path, lambda text: text, rubric_id=r) for r in ("one-2021", "two-2021"))
    walk = _swap_crosswalk(tmp_path, "one-2021", "two-2021", "exact")
    engine = Engine.from_plugins(("swapper", FilePlugin(one, two, crosswalks=(walk,))))
    result = check_rubric("one-2021", engine, checks=["namesakes"]).result("namesakes")
    assert result.failed and "I1 ← I2 is marked exact" in result.message and "'swapper'" in result.message
    marked = tmp_path / "marked"
    marked.mkdir()
    honest = Engine.from_plugins(
        ("honest", FilePlugin(one, two, crosswalks=(_swap_crosswalk(marked, "one-2021", "two-2021", "approximate"),)))
    )
    assert check_rubric("one-2021", honest, checks=["namesakes"]).ok
    alone = Engine.from_plugins(FilePlugin(variant(marked, lambda t: t)))
    assert "nothing to map wrongly" in check_rubric(OWN, alone, checks=["namesakes"]).result("namesakes").message


def _rounder(rubric: Rubric) -> Rounding | None:
    """Hook: three places, rounded down, for whatever rubric it is asked about."""
    return Rounding(places=3, mode="down", predikat_on="exact")


def test_a_plugin_changing_another_rubric_fails_isolation_naming_it(tmp_path: Path) -> None:
    """Declared for another plugin's rubric, a hook changes it: loading allows it, `isolation` names it."""
    theirs = variant(tmp_path, lambda text: text, rubric_id="theirs-2021")
    mine = variant(tmp_path, lambda text: text, rubric_id="mine-2021")
    reacher = types.SimpleNamespace(
        SPBE_HOOK_API=1,
        SPBE_APPLIES_TO=("theirs-2021",),
        spbe_register_rubrics=FilePlugin(mine).spbe_register_rubrics,
        spbe_rounding=hookimpl(_rounder),
    )
    engine = Engine.from_plugins(("theirs", FilePlugin(theirs)), ("reacher", reacher), entry_points=True)
    result = check_rubric("mine-2021", engine, checks=["isolation"]).result("isolation")
    assert result.failed, result.message
    assert "installing plugin 'reacher' changes other rubrics" in result.message
    assert "rubric theirs-2021: its rounding, cards change (hooks answered by 'reacher')" in result.message
    official = check_rubric("spbe-2024", engine, checks=["isolation"]).result("isolation")
    assert official.passed, official.message  # the official plugin changes no other rubric


def test_a_crosswalk_replacing_an_identity_between_other_rubrics_fails_isolation(tmp_path: Path) -> None:
    """A plugin's crosswalk between two rubrics it does not own changes their rescoring: `isolation` fails."""
    one, two = (variant(tmp_path, lambda text: text, rubric_id=r) for r in ("one-2021", "two-2021"))
    mine = variant(tmp_path, lambda text: text, rubric_id="mine-2021")
    walk = _swap_crosswalk(tmp_path, "one-2021", "two-2021", "approximate")
    engine = Engine.from_plugins(("pair", FilePlugin(one, two)), ("walker", FilePlugin(mine, crosswalks=(walk,))))
    assert engine.crosswalk("one-2021", "two-2021").mappings[0].sources == ("I2",)
    result = check_rubric("mine-2021", engine, checks=["isolation"]).result("isolation")
    assert result.failed and "crosswalk one-2021 → two-2021: mappings change" in result.message


def test_a_hook_over_the_budget_fails_the_budget_check(tmp_path: Path) -> None:
    """A hook sleeping 0.2 s per compile (budget 0.05 s) fails `budget`, naming its plugin."""
    import time

    def sleepy(rubric: Rubric) -> None:
        time.sleep(0.2)

    engine = Engine.from_plugins(
        ("rubric", FilePlugin(variant(tmp_path, lambda text: text))), ("sleepy", _plugin(OWN, spbe_rounding=sleepy))
    )
    result = check_rubric(OWN, engine, checks=["budget"]).result("budget")
    assert result.failed and "plugin 'sleepy'" in result.message and "budget of 0.050 s" in result.message


def test_a_failing_check_names_the_plugins_behind_the_rubric(tmp_path: Path) -> None:
    """spbe check of an official rubric names the plugin whose hook changed it, not only the rubric."""
    plugin = _plugin("spbe-2024", spbe_predikat_bands=wrong_side_edge)
    report = check_rubric("spbe-2024", Engine.from_plugins(("edgy", plugin), entry_points=True), checks=["golden"])
    message = report.result("golden").message
    assert "rubric of plugin 'spbe-2024'; hooks answered by plugin 'edgy'" in message
