"""Plugin loading survives faults: a broken plugin is set aside with its reason, the others keep working."""

from __future__ import annotations

import json
import sys
import textwrap
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from spbe_engine import Engine, PluginError, RubricError, hookimpl
from spbe_engine.cli import main

from .rubric_helpers import FilePlugin, variant

ALL_THREES = {f"I{n}": 3 for n in range(1, 48)}


def _info(engine: Engine, name: str):
    return next(p for p in engine.plugins if p.name == name)


def _good(tmp_path: Path) -> FilePlugin:
    return FilePlugin(variant(tmp_path, lambda text: text, rubric_id="good-2021"))


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (lambda text: text + "\n[broken\n", "malformed TOML"),
        (lambda text: text.replace("weight = 1.30", "weight = 2.30", 1), "sum to"),
        (lambda text: text.replace("lower = 1.8", "lower = 1.9", 1), "gap"),
    ],
    ids=["bad-toml", "bad-weights", "bad-bands"],
)
def test_validation_sets_aside_a_plugin_with_a_bad_rubric(tmp_path: Path, edit, needle: str) -> None:
    """With validation, a plugin whose rubric fails to load is set aside; the other plugins work."""
    bad = variant(tmp_path, edit, rubric_id="bad-2021")
    engine = Engine.from_plugins(("bad", FilePlugin(bad)), ("good", _good(tmp_path)), validate=True)
    info = _info(engine, "bad")
    assert not info.active and needle in info.reason and "bad-2021" in info.reason
    assert engine.rubric_ids() == ("good-2021",)
    assert engine.score(ALL_THREES, rubric="good-2021").exact_index == 3
    assert _info(engine, "good").active


def test_lazy_loading_names_the_plugin(tmp_path: Path) -> None:
    """Without validation the bad rubric is found on first use, and the error names its plugin."""
    bad = variant(
        tmp_path,
        lambda text: text.replace("weight = 1.30", "weight = 2.30", 1),
        rubric_id="bad-2021",
    )
    engine = Engine.from_plugins(("bad", FilePlugin(bad)), ("good", _good(tmp_path)))
    assert _info(engine, "bad").active  # nothing read yet: the cold start stays cheap
    with pytest.raises(RubricError, match=r"plugin 'bad', rubric bad-2021: .*sum to"):
        engine.rubric("bad-2021")
    assert engine.score(ALL_THREES, rubric="good-2021").exact_index == 3


def test_strict_validation_raises(tmp_path: Path) -> None:
    """Strict loading turns a rubric that fails validation into an error."""
    bad = variant(tmp_path, lambda text: text + "\n[broken\n", rubric_id="bad-2021")
    with pytest.raises(PluginError, match="malformed TOML"):
        Engine.from_plugins(("bad", FilePlugin(bad)), validate=True, strict=True)


def _hook_plugin(**hooks: object) -> types.SimpleNamespace:
    return types.SimpleNamespace(SPBE_HOOK_API=1, SPBE_APPLIES_TO=("good-2021",), **hooks)


def test_validation_sets_aside_a_plugin_whose_hook_breaks_a_plan(tmp_path: Path) -> None:
    """A plugin whose hook answer makes a plan fail to compile is set aside; the plan then compiles."""

    @hookimpl
    def spbe_weights(rubric, group):
        return {"D1": 50, "D2": 50} if group is None and rubric.id == "good-2021" else None

    engine = Engine.from_plugins(
        ("good", _good(tmp_path)),
        ("meddler", _hook_plugin(spbe_weights=spbe_weights)),
        validate=True,
    )
    info = _info(engine, "meddler")
    assert not info.active and "spbe_weights" in info.reason and "good-2021" in info.reason
    assert engine.plan("good-2021").answered_by == {}
    assert engine.score(ALL_THREES, rubric="good-2021").exact_index == 3


def test_validation_sets_aside_a_plugin_whose_hook_raises(tmp_path: Path) -> None:
    """A hook that raises is the plugin's fault: set aside under validation, named when lazy."""

    @hookimpl
    def spbe_rounding(rubric):
        raise ZeroDivisionError("oops")

    plugin = _hook_plugin(spbe_rounding=spbe_rounding)
    engine = Engine.from_plugins(("good", _good(tmp_path)), ("crashy", plugin), validate=True)
    info = _info(engine, "crashy")
    assert not info.active and "ZeroDivisionError: oops" in info.reason
    assert engine.score(ALL_THREES, rubric="good-2021").predikat
    lazy = Engine.from_plugins(("good", _good(tmp_path)), ("crashy", plugin))
    with pytest.raises(PluginError, match="plugin 'crashy', hook spbe_rounding raised ZeroDivisionError") as exc:
        lazy.plan("good-2021")
    assert exc.value.plugin == "crashy"


def test_a_derived_rubric_whose_base_is_set_aside_is_set_aside_too(tmp_path: Path) -> None:
    """A rubric extending a set-aside plugin's rubric cannot load, so its plugin is set aside, saying why."""
    base = variant(
        tmp_path,
        lambda text: text.replace("weight = 1.30", "weight = 2.30", 1),
        rubric_id="base-2021",
    )
    derived = tmp_path / "child-2022.toml"
    derived.write_text(
        textwrap.dedent("""\
        schema = 1
        id = "child-2022"
        extends = "base-2021"
        title = "Child"
        years = [2099]
        [legal_basis]
        regulation = "Test"
        """),
        encoding="utf-8",
    )
    engine = Engine.from_plugins(
        ("base", FilePlugin(base)),
        ("child", FilePlugin(derived)),
        ("good", _good(tmp_path)),
        validate=True,
    )
    assert not _info(engine, "base").active and not _info(engine, "child").active
    assert "base-2021" in _info(engine, "child").reason
    assert engine.rubric_ids() == ("good-2021",)


# -- real entry points: a throwaway distribution found through its .dist-info ---------------------


def _rubric_module(site: Path, module: str, rubric_file: str) -> None:
    """Write a plugin module that registers the rubric file beside it."""
    (site / f"{module}.py").write_text(
        textwrap.dedent(f"""\
        from pathlib import Path
        from spbe_engine import hookimpl

        SPBE_HOOK_API = 1

        @hookimpl
        def spbe_register_rubrics(register):
            register(Path(__file__).with_name({rubric_file!r}))
        """),
        encoding="utf-8",
    )


def _dist_info(site: Path, name: str, version: str, entry_points: dict[str, str]) -> None:
    """Write the .dist-info that importlib.metadata finds on sys.path: an installed distribution, no pip."""
    info = site / f"{name.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n", encoding="utf-8")
    lines = "".join(f"{ep} = {module}\n" for ep, module in entry_points.items())
    (info / "entry_points.txt").write_text(f"[spbe_engine]\n{lines}", encoding="utf-8")


@pytest.fixture
def throwaway_dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Install (by sys.path, no pip) a distribution with one broken and one good plugin."""
    site = tmp_path / "site"
    site.mkdir()
    variant(site, lambda text: text, rubric_id="throwaway-2021")
    _rubric_module(site, "spbe_throwaway_good", "throwaway-2021.toml")
    (site / "spbe_throwaway_broken.py").write_text(
        'raise ImportError("needs a library that is not installed")\n', encoding="utf-8"
    )
    _dist_info(
        site,
        "spbe-throwaway",
        "0.3",
        {"throwaway-good": "spbe_throwaway_good", "throwaway-broken": "spbe_throwaway_broken"},
    )
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("SPBE_STRICT_PLUGINS", raising=False)
    try:
        yield site
    finally:
        for module in ("spbe_throwaway_good", "spbe_throwaway_broken"):
            sys.modules.pop(module, None)


def test_real_entry_points_broken_set_aside_good_kept(throwaway_dist: Path) -> None:
    """Engine.default() over installed entry points sets the broken plugin aside and keeps the good one."""
    engine = Engine.default(validate=True)
    broken = _info(engine, "throwaway-broken")
    assert not broken.active and "import failed" in broken.reason and "not installed" in broken.reason
    assert (broken.distribution, broken.version) == ("spbe-throwaway", "0.3")
    good = _info(engine, "throwaway-good")
    assert good.active and good.rubrics == ("throwaway-2021",) and good.module == "spbe_throwaway_good"
    assert engine.score(ALL_THREES, rubric="throwaway-2021").exact_index == 3
    assert {"spbe-2021", "spbe-2024"} <= set(engine.rubric_ids())
    with pytest.raises(PluginError, match="throwaway-broken"):
        Engine.default(strict=True)


def test_spbe_plugins_lists_and_strict_fails(
    throwaway_dist: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``spbe plugins --json`` lists every plugin with status and reason; --strict and the env var fail."""
    assert main(["plugins", "--json"]) == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert rows["throwaway-broken"]["status"] == "set aside" and rows["throwaway-broken"]["reason"]
    assert rows["throwaway-good"] == {
        "name": "throwaway-good",
        "distribution": "spbe-throwaway",
        "version": "0.3",
        "module": "spbe_throwaway_good",
        "hook_api": 1,
        "rubrics": ["throwaway-2021"],
        "hooks": ["spbe_register_rubrics"],
        "status": "active",
        "reason": "",
        "official": False,
        "applies_to": [],
        "hook_seconds": None,
        "over_budget": False,
        "notes": [
            "rubric throwaway-2021 claims 2021, 2022, which official spbe-2021 governs: "
            "scoring by year stays official there; name throwaway-2021 to use it"
        ],
    }
    assert main(["plugins"]) == 0
    assert "throwaway-broken" in capsys.readouterr().out
    assert main(["plugins", "--strict"]) == 2
    out, err = capsys.readouterr()
    assert "throwaway-broken" in out and "set aside: throwaway-broken" in err
    monkeypatch.setenv("SPBE_STRICT_PLUGINS", "1")
    assert main(["plugins", "--json"]) == 2
    capsys.readouterr()


def test_spbe_plugins_clean_install_passes_strict(capsys: pytest.CaptureFixture[str]) -> None:
    """With only the built-in plugins, ``spbe plugins --strict`` succeeds and lists every official rubric."""
    assert main(["plugins", "--strict", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert all(row["status"] == "active" for row in rows)
    assert {r for row in rows for r in row["rubrics"]} >= {
        "spbe-2018",
        "spbe-2021",
        "spbe-2023",
        "spbe-2024",
    }


def test_spbe_rubrics_lists_the_sound_rubrics_and_warns_about_a_broken_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``spbe rubrics`` with one broken third-party rubric still lists the others, and says why."""
    site = tmp_path / "site"
    site.mkdir()
    variant(site, lambda text: text + "\n[broken\n", rubric_id="broken-2021")
    _rubric_module(site, "spbe_throwaway_bad", "broken-2021.toml")
    _dist_info(site, "spbe-throwaway-bad", "0.1", {"throwaway-bad": "spbe_throwaway_bad"})
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delenv("SPBE_STRICT_PLUGINS", raising=False)
    try:
        assert main(["rubrics", "--json"]) == 0
        out, err = capsys.readouterr()
    finally:
        sys.modules.pop("spbe_throwaway_bad", None)
    assert {row["id"] for row in json.loads(out)} >= {"spbe-2021", "spbe-2024"}
    assert "broken-2021" in err
    assert "throwaway-bad" in err
    assert "malformed TOML" in err
