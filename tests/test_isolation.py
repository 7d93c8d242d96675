"""Plugins stay in their own room: ownership, precedence, and the faults loading catches (issue 10).

Each fault class of the issue has a test here (those the kit catches are in
``tests/test_kit_broken.py``). Plugins "installed" here are real entry points:
a ``.dist-info`` folder on ``sys.path``, found by ``importlib.metadata`` as
pip would leave it, so the official/third-party rule is exercised end to end.
"""

from __future__ import annotations

import json
import sys
import textwrap
import time
import types
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

from spbe_engine import (
    Assessment,
    Band,
    CrosswalkError,
    Engine,
    Group,
    Indicator,
    PluginError,
    Rounding,
    Rubric,
    UnknownRubricError,
    hookimpl,
)
from spbe_engine._ownership import official_entry_point
from spbe_engine._plan import HOOK_BUDGET
from spbe_engine.cli import main

from .conftest import ROOT
from .rubric_helpers import FilePlugin, variant

ALL_THREES = {f"I{n}": 3 for n in range(1, 48)}
UNEVEN = dict(ALL_THREES, I1=5, I7=1, I32=4, I40=2)


def _info(engine: Engine, name: str) -> Any:
    return next(p for p in engine.plugins if p.name == name)


def _official_results(engine: Engine) -> dict[str, tuple[Any, ...]]:
    """What the official 2024 and 2023 rubrics give, and which rubric governs their years."""
    out: dict[str, tuple[Any, ...]] = {}
    for rubric_id in ("spbe-2023", "spbe-2024"):
        card = engine.score(UNEVEN, rubric=rubric_id)
        plan = engine.plan(rubric_id)
        out[rubric_id] = (card.exact_index, card.index, card.predikat, plan.weights, plan.bands, plan.rounding)
    out["years"] = (engine.rubric_for_year(2023).id, engine.rubric_for_year(2024).id)
    return out


@pytest.fixture(scope="module")
def baseline() -> dict[str, tuple[Any, ...]]:
    """The official results with nothing but the built-in plugins installed."""
    return _official_results(Engine.default(strict=True))


# -- installing a distribution, as pip would leave it ------------------------------------------------
@attrs.frozen
class Site:
    """A folder on sys.path where test distributions are "installed"."""

    path: Path
    modules: list[str]

    def install(self, dist: str, entry_points: dict[str, str], modules: dict[str, str]) -> None:
        """Write the modules and a ``<dist>.dist-info`` announcing the entry points."""
        for module, code in modules.items():
            (self.path / f"{module}.py").write_text(textwrap.dedent(code), encoding="utf-8")
            self.modules.append(module)
        info = self.path / f"{dist.replace('-', '_')}-0.1.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n", encoding="utf-8")
        lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
        (info / "entry_points.txt").write_text(f"[spbe_engine]\n{lines}", encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv("SPBE_STRICT_PLUGINS", raising=False)
    installed = Site(folder, [])
    try:
        yield installed
    finally:
        for module in installed.modules:
            sys.modules.pop(module, None)


def _registers(*rubric_files: str, hooks: str = "", extra: str = "") -> str:
    """The code of a plugin module registering the rubric files beside it (plus hooks)."""
    calls = "\n".join(f"    register(Path(__file__).with_name({name!r}))" for name in rubric_files)
    return (
        "from pathlib import Path\nfrom spbe_engine import hookimpl\n\nSPBE_HOOK_API = 1\n"
        f"{extra}\n\n@hookimpl\ndef spbe_register_rubrics(register):\n{calls}\n{textwrap.dedent(hooks)}"
    )


def _copy_official(site: Site, rubric_id: str) -> None:
    """Write a copy of an official rubric file, under its official id, into the site."""
    text = (ROOT / "rubric_versions" / f"{rubric_id}.toml").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith(("golden = ", "criteria = ")))
    (site.path / f"{rubric_id}.toml").write_text(text + "\n", encoding="utf-8")


# -- the official rule ---------------------------------------------------------------------------------
def test_the_official_rule_needs_the_spbe_engine_distribution_and_the_spbe_rubrics_package() -> None:
    """Official: an entry point of spbe-engine naming a module of spbe_rubrics; nothing else qualifies."""
    assert official_entry_point("spbe-engine", "spbe_rubrics.spbe_2024")
    assert official_entry_point("SPBE_Engine", "spbe_rubrics.spbe_2024")  # names compare as pip normalises them
    assert not official_entry_point("spbe-rubric-evil", "spbe_rubrics.spbe_2024")
    assert not official_entry_point("spbe-engine", "evil_rubrics.spbe_2024")
    assert not official_entry_point("spbe-engine", "spbe_rubrics_evil")
    assert not official_entry_point(None, "spbe_rubrics.spbe_2024")


def test_a_module_named_like_an_official_one_but_living_elsewhere_is_not_official(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once imported, the module must sit in the spbe_rubrics package directory itself."""
    import spbe_rubrics

    impostor = types.ModuleType("spbe_rubrics.impostor")
    impostor.__file__ = str(tmp_path / "impostor.py")
    monkeypatch.setitem(sys.modules, "spbe_rubrics.impostor", impostor)
    assert not official_entry_point("spbe-engine", "spbe_rubrics.impostor")
    assert official_entry_point("spbe-engine", spbe_rubrics.__name__)


def test_the_built_in_plugins_are_official_and_a_plugin_passed_in_code_never_is(tmp_path: Path) -> None:
    """``PluginInfo.official`` marks the built-in plugins only; a plugin claiming to be official is not."""
    path = variant(tmp_path, lambda text: text)
    claims = FilePlugin(path)
    claims.SPBE_OFFICIAL = True  # type: ignore[attr-defined] # means nothing to the engine
    engine = Engine.from_plugins(("claims", claims), entry_points=True, strict=True)
    assert all(info.official for info in engine.plugins if info.distribution == "spbe-engine")
    assert not _info(engine, "claims").official
    assert engine.plugin_of("spbe-2024").official and not engine.plugin_of("test-2021").official


# -- class 1: a third party registering an official id -----------------------------------------------------
def test_an_official_id_registered_by_a_third_party_is_set_aside_whatever_the_entry_point_order(
    site: Site, baseline: dict[str, tuple[Any, ...]]
) -> None:
    """ "aaa" sorts before every official entry point, yet the official spbe-2024 wins; the reason names both."""
    _copy_official(site, "spbe-2024")
    site.install(
        "spbe-rubric-copycat",
        {"aaa-spbe-2024": "spbe_copycat"},
        {"spbe_copycat": _registers("spbe-2024.toml")},
    )
    engine = Engine.default(validate=True)
    copycat = _info(engine, "aaa-spbe-2024")
    assert not copycat.active and not copycat.official
    assert "rubric id 'spbe-2024' is official" in copycat.reason
    assert "plugin 'spbe-2024' of spbe-engine" in copycat.reason and "plugin 'aaa-spbe-2024'" in copycat.reason
    assert engine.plugin_of("spbe-2024").name == "spbe-2024" and engine.plugin_of("spbe-2024").official
    assert _official_results(engine) == baseline


def test_a_third_party_built_like_an_official_plugin_is_not_official(site: Site) -> None:
    """Reusing the official plugin class, claiming to be official, or naming its module: still third-party."""
    code = """\
        from spbe_rubrics import DataPlugin

        SPBE_OFFICIAL = True
        plugin = DataPlugin("spbe-2024")
        """
    site.install(
        "spbe-rubric-pretender",
        {"0-spbe-2024": "spbe_pretender:plugin", "1-spbe-2024": "spbe_rubrics.spbe_2024:plugin"},
        {"spbe_pretender": code},
    )
    engine = Engine.default(validate=True)
    pretender, alias = _info(engine, "0-spbe-2024"), _info(engine, "1-spbe-2024")
    assert not pretender.official and not pretender.active
    assert "belongs to plugin 'spbe-2024' of spbe-engine" in pretender.reason
    # The very object the official entry point loads: pluggy refuses it under a second name, in one line.
    assert not alias.official and not alias.active and alias.reason.startswith("cannot register: ")
    assert "\n" not in alias.reason
    assert engine.plugin_of("spbe-2024").name == "spbe-2024" and engine.plugin_of("spbe-2024").official


def test_two_third_party_plugins_claiming_one_id_are_both_set_aside(site: Site, tmp_path: Path) -> None:
    """Neither claimant wins, whatever the order; a third claimant is refused too; their other rubrics go."""
    variant(site.path, lambda text: text, rubric_id="shared-2030")
    variant(site.path, lambda text: text, rubric_id="only-mine-2030")
    site.install(
        "spbe-rubric-first",
        {"first": "spbe_first"},
        {"spbe_first": _registers("shared-2030.toml", "only-mine-2030.toml")},
    )
    site.install("spbe-rubric-second", {"second": "spbe_second"}, {"spbe_second": _registers("shared-2030.toml")})
    third = FilePlugin(site.path / "shared-2030.toml")
    engine = Engine.from_plugins(("third", third), entry_points=True, validate=True)
    first, second = _info(engine, "first"), _info(engine, "second")
    assert not first.active and "also registered by third-party plugin 'second'" in first.reason
    assert not second.active and "already registered by third-party plugin 'first'" in second.reason
    assert (
        not _info(engine, "third").active and "claimed by several third-party plugins" in _info(engine, "third").reason
    )
    assert "shared-2030" not in engine.rubric_ids() and "only-mine-2030" not in engine.rubric_ids()


# -- class 2: a year claim colliding with an official rubric's -------------------------------------------
def _years(text: str, years: str) -> str:
    return text.replace("years = [2021, 2022]", f"years = {years}", 1)


def test_a_plugin_claiming_an_official_year_never_breaks_scoring_by_that_year(
    tmp_path: Path, baseline: dict[str, tuple[Any, ...]]
) -> None:
    """Official wins its own years; the plugin's rubric scores when named, and spbe plugins notes the claim."""
    path = variant(tmp_path, lambda text: _years(text, "[2024, 2031]"), rubric_id="mine-2024")
    engine = Engine.from_plugins(("mine", FilePlugin(path)), entry_points=True, validate=True)
    assert engine.rubric_for_year(2024).id == "spbe-2024"
    card = engine.score(Assessment(levels=UNEVEN, year=2024))
    assert card.rubric_id == "spbe-2024" and card.exact_index == baseline["spbe-2024"][0]
    assert engine.rubric_for_year(2031).id == "mine-2024"  # no official rubric governs 2031: the claim applies
    assert engine.score(Assessment(levels=UNEVEN, year=2024, rubric="mine-2024")).rubric_id == "mine-2024"
    mine = _info(engine, "mine")
    assert mine.active and any("claims 2024, which official spbe-2024 governs" in note for note in mine.notes)
    assert _official_results(engine) == baseline


def test_two_third_party_claims_on_a_year_ask_for_a_rubric_to_be_named(tmp_path: Path) -> None:
    """Where no official rubric governs a year, two claims on it are refused by year, naming both."""
    one = variant(tmp_path, lambda text: _years(text, "[2040]"), rubric_id="one-2040")
    two = variant(tmp_path, lambda text: _years(text, "[2040, 2041]"), rubric_id="two-2040")
    engine = Engine.from_plugins(("one", FilePlugin(one)), ("two", FilePlugin(two)), entry_points=True, validate=True)
    with pytest.raises(UnknownRubricError, match=r"several rubrics claim this year \(one-2040, two-2040\)"):
        engine.rubric_for_year(2040)
    assert engine.rubric_for_year(2041).id == "two-2040"
    assert engine.rubric_for_year(2024).id == "spbe-2024"
    assert any("as does two-2040 (plugin 'two')" in note for note in _info(engine, "one").notes)


# -- class 3: hooks answering for, or altering, a rubric they do not own ---------------------------------
def _hook_plugin(**hooks: Callable[..., Any]) -> types.SimpleNamespace:
    return types.SimpleNamespace(SPBE_HOOK_API=1, **{name: hookimpl(fn) for name, fn in hooks.items()})


def test_a_hook_without_a_rubric_id_test_is_never_asked_about_other_rubrics(
    tmp_path: Path, baseline: dict[str, tuple[Any, ...]]
) -> None:
    """A careless hook answers for every rubric it is asked about; it is asked only about its plugin's own."""
    asked: list[str] = []

    def spbe_rounding(rubric: Rubric) -> Rounding:
        asked.append(rubric.id)
        return Rounding(places=3, mode="down", predikat_on="exact")

    careless = _hook_plugin(spbe_rounding=spbe_rounding)
    careless.spbe_register_rubrics = FilePlugin(variant(tmp_path, lambda text: text)).spbe_register_rubrics
    engine = Engine.from_plugins(("careless", careless), entry_points=True, validate=True)
    assert _info(engine, "careless").active
    assert _official_results(engine) == baseline
    assert set(asked) == {"test-2021"}  # its own rubric, and nothing else
    assert engine.plan("test-2021").rounding.places == 3


def test_an_installed_plugin_may_not_declare_an_official_rubric(site: Site, baseline: dict[str, Any]) -> None:
    """SPBE_APPLIES_TO naming an official rubric sets an installed plugin aside; "*" never reaches one."""
    hooks = """
        @hookimpl
        def spbe_rounding(rubric):
            from spbe_engine import Rounding
            return Rounding(places=3, mode="down", predikat_on="exact")
        """
    variant(site.path, lambda text: text, rubric_id="named-2021")
    variant(site.path, lambda text: text, rubric_id="blanket-2021")
    site.install(
        "spbe-rubric-reachers",
        {"named": "spbe_named", "blanket": "spbe_blanket"},
        {
            "spbe_named": _registers("named-2021.toml", hooks=hooks, extra='SPBE_APPLIES_TO = ("spbe-2024",)'),
            "spbe_blanket": _registers("blanket-2021.toml", hooks=hooks, extra='SPBE_APPLIES_TO = "*"'),
        },
    )
    engine = Engine.default(validate=True)
    named, blanket = _info(engine, "named"), _info(engine, "blanket")
    assert not named.active and "official rubric spbe-2024 (of plugin 'spbe-2024')" in named.reason
    assert blanket.active and blanket.applies_to == ("*",)
    assert _official_results(engine) == baseline
    assert engine.plan("blanket-2021").rounding.places == 3


def _mutating(rubric: Rubric, group: Group | None) -> None:
    """Hook: rewrite the frozen rubric's first band through object.__setattr__ (then answer nothing)."""
    object.__setattr__(rubric, "bands", (Band("Sangat Baik", Fraction(1), Fraction(5)),))


def _mutating_indicator(rubric: Rubric, indicator: Indicator) -> None:
    """Hook: give an indicator of the rubric another weight, in place."""
    object.__setattr__(indicator, "weight", Fraction(0))


@pytest.mark.parametrize("hook", ["spbe_weights", "spbe_indicator_values"])
def test_a_hook_that_alters_its_rubric_is_refused_naming_it(tmp_path: Path, hook: str) -> None:
    """object.__setattr__ on what a hook receives is caught: set aside when validating, an error when lazy."""
    fn = _mutating if hook == "spbe_weights" else _mutating_indicator
    plugin = _hook_plugin(**{hook: fn})
    plugin.SPBE_APPLIES_TO = ("test-2021",)
    path = variant(tmp_path, lambda text: text)
    engine = Engine.from_plugins(("rubric", FilePlugin(path)), ("meddler", plugin), validate=True)
    meddler = _info(engine, "meddler")
    assert not meddler.active and "changed the rubric it was given (test-2021" in meddler.reason
    assert f"plugin 'meddler', hook {hook}" in meddler.reason
    assert engine.score(ALL_THREES, rubric="test-2021").predikat == "Baik"
    lazy = Engine.from_plugins(("rubric", FilePlugin(path)), ("meddler", plugin))
    with pytest.raises(PluginError, match="changed the rubric it was given") as info:
        lazy.plan("test-2021")
    assert info.value.plugin == "meddler"
    untouched = Engine.from_plugins(FilePlugin(path)).rubric("test-2021")
    assert lazy.rubric("test-2021") == untouched  # the engine's own rubric was never handed out


def test_a_plugin_passed_in_code_altering_an_official_rubric_is_named(baseline: dict[str, Any]) -> None:
    """Even a plugin the embedder declared for spbe-2024 only ever holds a copy; the change is refused."""
    plugin = _hook_plugin(spbe_weights=_mutating)
    plugin.SPBE_APPLIES_TO = ("spbe-2024",)
    engine = Engine.from_plugins(("meddler", plugin), entry_points=True, validate=True)
    assert "changed the rubric it was given (spbe-2024, its bands)" in _info(engine, "meddler").reason
    assert _official_results(engine) == baseline


# -- class 4: crosswalks for official pairs ------------------------------------------------------------------
def test_a_third_party_crosswalk_cannot_reroute_official_rescoring(tmp_path: Path) -> None:
    """A crosswalk from a copy of spbe-2018 into spbe-2024 is never used between the official rubrics."""
    official = Engine.default(strict=True).crosswalk("spbe-2018", "spbe-2024")
    text = (ROOT / "rubric_versions" / "spbe-2018.toml").read_text(encoding="utf-8")
    text = text.replace('id = "spbe-2018"', 'id = "copy-2018"').replace("years = [2018, 2019, 2020]", "years = []")
    text = "\n".join(line for line in text.splitlines() if not line.startswith(("golden = ", "criteria = ")))
    rubric = tmp_path / "copy-2018.toml"
    rubric.write_text(text + "\n", encoding="utf-8")
    walk = (ROOT / "crosswalks" / "spbe-2018__spbe-2021.toml").read_text(encoding="utf-8")
    walk = walk.replace('from = "spbe-2018"', 'from = "copy-2018"').replace('to = "spbe-2021"', 'to = "spbe-2024"')
    crosswalk = tmp_path / "copy-2018__spbe-2024.toml"
    crosswalk.write_text(walk.replace('title = "', 'title = "Rerouted: ', 1), encoding="utf-8")
    pemdi = Engine.default().rubric("pemdi-2026")
    lines = ["schema = 1", 'from = "copy-2018"', 'to = "pemdi-2026"', 'title = "Nothing carries over"', ""]
    for indicator in pemdi.indicators:
        lines += [f"[targets.{indicator.id}]", 'mark = "none"', 'reason = "not mapped"', 'basis = "project judgement"']
    to_pemdi = tmp_path / "copy-2018__pemdi-2026.toml"
    to_pemdi.write_text("\n".join(lines) + "\n", encoding="utf-8")
    engine = Engine.from_plugins(
        ("reroute", FilePlugin(rubric, crosswalks=(crosswalk, to_pemdi))), entry_points=True, validate=True, strict=True
    )
    assert engine.crosswalk("copy-2018", "spbe-2024").title.startswith("Rerouted")  # its own pair: its own file
    rerouted = engine.crosswalk("spbe-2018", "spbe-2024")
    assert not rerouted.title.startswith("Rerouted") and rerouted.mappings == official.mappings
    # No official route joins spbe-2018 to pemdi-2026; the plugin's crosswalk does not make one.
    assert engine.crosswalk("copy-2018", "pemdi-2026").unmapped
    with pytest.raises(CrosswalkError, match="no crosswalk from spbe-2018 to pemdi-2026"):
        engine.crosswalk("spbe-2018", "pemdi-2026")


# -- class 7: inexact or out-of-range hook answers ----------------------------------------------------------
def _float_bands(rubric: Rubric) -> list[Band]:
    """Hook: band edges as floats."""
    edges = [1.0, 1.8, 2.6, 3.5, 4.2, 5.0]
    names = [band.predikat for band in rubric.bands]
    return [Band(name, lo, hi) for name, lo, hi in zip(names, edges, edges[1:], strict=False)]  # type: ignore[arg-type]


def _negative_places(rubric: Rubric) -> Rounding:
    """Hook: a rounding with negative places (attrs does not check places)."""
    return Rounding(places=-1)


def _smuggled_mode(rubric: Rubric) -> Rounding:
    """Hook: a rounding whose mode was changed after attrs checked it."""
    rounding = Rounding()
    object.__setattr__(rounding, "mode", "ceiling")
    return rounding


@pytest.mark.parametrize(
    ("hook", "fn", "needle"),
    [
        ("spbe_predikat_bands", _float_bands, "the lower edge of Kurang must be an exact number"),
        ("spbe_rounding", _negative_places, "places must be a whole number of decimals (got -1); allowed: 0 to 6"),
        ("spbe_rounding", _smuggled_mode, "unknown rounding mode (got 'ceiling')"),
    ],
    ids=["float-band-edges", "negative-places", "smuggled-mode"],
)
def test_inexact_or_out_of_range_answers_are_refused_on_compile(
    tmp_path: Path, hook: str, fn: Callable[..., Any], needle: str
) -> None:
    """Floats and impossible roundings never reach a plan: the plugin and the hook are named."""
    plugin = types.SimpleNamespace(SPBE_HOOK_API=1, **{hook: hookimpl(fn)})
    plugin.spbe_register_rubrics = FilePlugin(variant(tmp_path, lambda text: text)).spbe_register_rubrics
    engine = Engine.from_plugins(("inexact", plugin), validate=True)
    info = _info(engine, "inexact")
    assert not info.active and f"plugin 'inexact', hook {hook}" in info.reason and needle in info.reason
    with pytest.raises(PluginError, match=f"plugin 'inexact', hook {hook}"):
        Engine.from_plugins(("inexact", plugin)).plan("test-2021")


# -- class 8: slow hooks -------------------------------------------------------------------------------------
def test_a_plugin_whose_hooks_exceed_the_budget_is_noted_by_spbe_plugins(
    site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hook sleeping 0.2 s (budget 0.05 s) leaves the plugin active, flagged in spbe plugins, text and JSON."""
    assert HOOK_BUDGET == 0.05
    variant(site.path, lambda text: text, rubric_id="sleepy-2021")
    hooks = """
        @hookimpl
        def spbe_rounding(rubric):
            import time
            time.sleep(0.2)
        """
    site.install(
        "spbe-rubric-sleepy", {"sleepy": "spbe_sleepy"}, {"spbe_sleepy": _registers("sleepy-2021.toml", hooks=hooks)}
    )
    assert main(["plugins", "--json"]) == 0
    row = next(row for row in json.loads(capsys.readouterr().out) if row["name"] == "sleepy")
    assert row["status"] == "active" and row["over_budget"] is True
    assert float(row["hook_seconds"]) > HOOK_BUDGET
    assert any("hooks over budget" in note and "sleepy-2021" in note for note in row["notes"])
    assert main(["plugins", "--format", "csv"]) == 0
    assert "hooks over budget" in capsys.readouterr().out
    official = [r for r in Engine.default(validate=True).plugins if r.official]
    assert official and not any(info.over_budget for info in official)


def test_a_slow_hook_of_a_third_party_does_not_slow_official_scoring(tmp_path: Path) -> None:
    """Its hooks are asked only about its own rubric: scoring an official one never waits for it."""

    def spbe_rounding(rubric: Rubric) -> None:
        time.sleep(0.2)

    slow = _hook_plugin(spbe_rounding=spbe_rounding)
    slow.spbe_register_rubrics = FilePlugin(variant(tmp_path, lambda text: text)).spbe_register_rubrics
    engine = Engine.from_plugins(("slow", slow), entry_points=True)
    engine.score(ALL_THREES, rubric="spbe-2024")
    assert engine.plan("spbe-2024").hook_seconds == {}
    assert engine.plan("test-2021").hook_seconds["slow"] > HOOK_BUDGET


# -- class 9: set-aside reasons ------------------------------------------------------------------------------
def test_a_set_aside_reason_is_one_short_line_and_whole_in_json(site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    """A plugin registering a parsed rubric dict gets a reason that shows only the dict's start, on one line."""
    (site.path / "spbe_dicty_data.toml").write_text(
        (ROOT / "rubric_versions" / "spbe-2021.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    code = """\
        import tomllib
        from pathlib import Path
        from spbe_engine import hookimpl

        SPBE_HOOK_API = 1

        @hookimpl
        def spbe_register_rubrics(register):
            register(tomllib.loads(Path(__file__).with_name("spbe_dicty_data.toml").read_text()))
        """
    site.install("spbe-rubric-dicty", {"dicty": "spbe_dicty"}, {"spbe_dicty": code})
    engine = Engine.default()
    reason = _info(engine, "dicty").reason
    assert "register() takes the path of a rubric TOML file" in reason
    assert len(reason) < 400 and "…" in reason and "\n" not in reason
    assert main(["plugins", "--json"]) == 0
    row = next(row for row in json.loads(capsys.readouterr().out) if row["name"] == "dicty")
    assert row["reason"] == reason
    assert main(["plugins", "--format", "csv"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("dicty,")]
    assert len(lines) == 1 and len(lines[0]) < 800


def test_an_official_id_stays_official_when_its_plugin_fails_to_import(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken official plugin leaves its id reserved: a third party registering it is set aside, not used."""
    # None in sys.modules: importing the official module raises, as a broken install would.
    monkeypatch.setitem(sys.modules, "spbe_rubrics.spbe_2024", None)
    _copy_official(site, "spbe-2024")
    site.install(
        "spbe-rubric-standin",
        {"spbe-2024-standin": "spbe_standin"},
        {"spbe_standin": _registers("spbe-2024.toml")},
    )
    engine = Engine.default(validate=True)
    official = _info(engine, "spbe-2024")
    assert not official.active and official.reason.startswith("import failed")
    standin = _info(engine, "spbe-2024-standin")
    assert not standin.active and not standin.official
    assert "rubric id 'spbe-2024' is official: it is reserved" in standin.reason
    assert "spbe-2024" not in engine.rubric_ids()
    with pytest.raises(UnknownRubricError):
        engine.rubric("spbe-2024")


def test_a_year_an_absent_official_plugin_may_govern_is_not_handed_to_a_third_party(
    site: Site, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With spbe-2024's plugin broken, a third-party rubric claiming 2024 does not govern 2024 unasked."""
    monkeypatch.setitem(sys.modules, "spbe_rubrics.spbe_2024", None)
    variant(site.path, lambda text: text.replace("years = [2021, 2022]", "years = [2024]"), rubric_id="mine-2024")
    site.install("spbe-rubric-mine", {"mine-2024": "spbe_mine"}, {"spbe_mine": _registers("mine-2024.toml")})
    engine = Engine.default(validate=True)
    assert _info(engine, "mine-2024").active and 2024 in engine.rubric("mine-2024").years
    with pytest.raises(UnknownRubricError, match=r"official plugins? .*'spbe-2024'.* did not load"):
        engine.score(Assessment(levels={}, year=2024), partial=True)
    assert engine.score(Assessment(levels={}, rubric="mine-2024", year=2024), partial=True).rubric_id == "mine-2024"
