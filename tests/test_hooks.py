"""Every hook is honoured when a plugin answers it, and a misbehaving plugin is named, not obeyed."""

from __future__ import annotations

import types
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from spbe_engine import Band, Engine, Group, Indicator, PluginError, Rounding, Rubric, hookimpl

from .rubric_helpers import FilePlugin, engine_with, variant

ALL_THREES = {f"I{n}": 3 for n in range(1, 48)}


def _plugin(**hooks: object) -> types.SimpleNamespace:
    # A hook plugin beside the one that registers test-2021: it declares the rubric it applies to.
    return types.SimpleNamespace(SPBE_HOOK_API=1, SPBE_APPLIES_TO=("test-2021",), **hooks)


def _own(rubric: Rubric) -> bool:
    return rubric.id == "test-2021"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return variant(tmp_path, lambda text: text)


def test_spbe_register_rubrics(path: Path) -> None:
    """spbe_register_rubrics: a registered file becomes a rubric credited to its plugin."""
    engine = Engine.from_plugins(("mine", FilePlugin(path)))
    assert engine.rubric_ids() == ("test-2021",)
    assert engine.plugin_of("test-2021").name == "mine"


def test_spbe_indicator_values(path: Path) -> None:
    """spbe_indicator_values: a plugin maps levels to values (here level 3 scores 3.5 on I1)."""

    @hookimpl
    def spbe_indicator_values(rubric: Rubric, indicator: Indicator) -> Mapping[int, Decimal] | None:
        if not _own(rubric) or indicator.id != "I1":
            return None
        return {1: Decimal(1), 2: Decimal(2), 3: Decimal("3.5"), 4: Decimal(4), 5: Decimal(5)}

    engine = engine_with(path, values=_plugin(spbe_indicator_values=spbe_indicator_values))
    card = engine.score(ALL_THREES, rubric="test-2021")
    assert card.exact_index == 3 + Fraction(13, 10) * Fraction(1, 2) / 100
    assert card.provenance.hooks_answered_by == {"spbe_indicator_values": ("values",)}
    assert engine.score(ALL_THREES, rubric="spbe-2024").exact_index == 3  # other rubrics untouched


def test_spbe_weights(path: Path) -> None:
    """spbe_weights: a plugin reweights a group's members (here A8's six indicators)."""

    @hookimpl
    def spbe_weights(rubric: Rubric, group: Group | None) -> Mapping[str, int] | None:
        if not _own(rubric) or group is None or group.id != "A8":
            return None
        return {"I42": 8, "I43": 2, "I44": 2, "I45": 2, "I46": 2, "I47": 2}

    engine = engine_with(path, weights=_plugin(spbe_weights=spbe_weights))
    levels = dict(ALL_THREES, I42=5)
    assert engine.score(levels, rubric="test-2021").exact_index == 3 + Fraction(8 * 2, 100)


def test_spbe_predikat_bands(path: Path) -> None:
    """spbe_predikat_bands: a plugin supplies its own bands."""

    @hookimpl
    def spbe_predikat_bands(rubric: Rubric) -> list[Band] | None:
        if not _own(rubric):
            return None
        return [Band("Rendah", Fraction(1), Fraction(3)), Band("Tinggi", Fraction(3), Fraction(5))]

    engine = engine_with(path, bands=_plugin(spbe_predikat_bands=spbe_predikat_bands))
    assert engine.score(ALL_THREES, rubric="test-2021").predikat == "Tinggi"


def test_spbe_rounding(path: Path) -> None:
    """spbe_rounding: a plugin changes the rounding and the band rule."""

    @hookimpl
    def spbe_rounding(rubric: Rubric) -> Rounding | None:
        return Rounding(places=1, mode="down", predikat_on="exact") if _own(rubric) else None

    engine = engine_with(path, rounding=_plugin(spbe_rounding=spbe_rounding))
    levels = dict(ALL_THREES, I32=5)  # 3 + 2.75 * 2 / 100 = 3.055
    card = engine.score(levels, rubric="test-2021")
    assert str(card.index) == "3.0"


@pytest.mark.parametrize(
    ("hook", "impl", "needle"),
    [
        ("spbe_indicator_values", lambda rubric, indicator: {1: 1.0, 2: 2, 3: 3, 4: 4, 5: 5}, "exact number"),
        ("spbe_indicator_values", lambda rubric, indicator: {1: 1, 2: 2, 3: 3, 4: 4, 5: 6}, "outside the scale"),
        ("spbe_indicator_values", lambda rubric, indicator: {1: 1, 2: 2}, "every level"),
        (
            "spbe_weights",
            lambda rubric, group: {"D1": 13, "D2": 25, "D3": 16.5, "D4": 45.5} if group is None else None,
            "exact number",
        ),
        (
            "spbe_weights",
            lambda rubric, group: {"D1": 14, "D2": 25, "D3": 16, "D4": 45} if group is None else None,
            "sum to",
        ),
        ("spbe_predikat_bands", lambda rubric: [Band("A", Fraction(1), Fraction(4))], "cover"),
        ("spbe_rounding", lambda rubric: "half_up", "Rounding"),
    ],
)
def test_bad_hook_values_name_the_plugin(path: Path, hook: str, impl, needle: str) -> None:
    """A hook returning the wrong kind of value fails with the plugin and the hook named."""

    def guarded(**kwargs: object) -> object:
        return impl(**kwargs) if _own(kwargs["rubric"]) else None  # type: ignore[arg-type]

    args = {
        "spbe_indicator_values": "rubric, indicator",
        "spbe_weights": "rubric, group",
        "spbe_predikat_bands": "rubric",
        "spbe_rounding": "rubric",
    }[hook]
    namespace: dict[str, object] = {"guarded": guarded}
    exec(f"def {hook}({args}):\n    return guarded({', '.join(f'{a}={a}' for a in args.split(', '))})", namespace)
    plugin = _plugin(**{hook: hookimpl(namespace[hook])})
    engine = engine_with(path, culprit=plugin)
    with pytest.raises(PluginError) as info:
        engine.score(ALL_THREES, rubric="test-2021")
    assert "culprit" in str(info.value) and hook in str(info.value) and needle in str(info.value)


def test_unknown_hook_sets_plugin_aside(path: Path) -> None:
    """A hook implementation matching no spec sets the plugin aside; others keep working."""

    @hookimpl
    def spbe_register_rubric(register: object) -> None:  # misspelled
        raise AssertionError("never called")

    engine = engine_with(path, typo=_plugin(spbe_register_rubric=spbe_register_rubric))
    info = next(p for p in engine.plugins if p.name == "typo")
    assert not info.active and "unknown hook" in info.reason
    assert engine.score(ALL_THREES, rubric="test-2021").exact_index == 3


def test_strict_mode_raises(path: Path) -> None:
    """With strict loading a set-aside plugin is an error."""
    with pytest.raises(PluginError, match="set aside"):
        Engine.from_plugins(FilePlugin(path), ("old", types.SimpleNamespace(SPBE_HOOK_API=0)), strict=True)


def test_duplicate_rubric_id_sets_both_plugins_aside(path: Path) -> None:
    """Two third-party plugins registering one id are both set aside, each naming the other: neither wins."""
    engine = Engine.from_plugins(("first", FilePlugin(path)), ("second", FilePlugin(path)))
    first, second = (next(p for p in engine.plugins if p.name == name) for name in ("first", "second"))
    assert not second.active and "already registered by third-party plugin 'first'" in second.reason
    assert not first.active and "also registered by third-party plugin 'second'" in first.reason
    assert "neither is used" in first.reason and "test-2021" not in engine.rubric_ids()


def test_wrong_api_version_sets_plugin_aside(path: Path) -> None:
    """A plugin targeting another hook API version is set aside, saying which versions."""
    engine = Engine.from_plugins(FilePlugin(path), ("future", types.SimpleNamespace(SPBE_HOOK_API=2)))
    future = next(p for p in engine.plugins if p.name == "future")
    assert not future.active and "targets hook API 2" in future.reason


def test_register_that_raises_sets_plugin_aside(path: Path) -> None:
    """A plugin whose registration raises is set aside; the host survives."""

    @hookimpl
    def spbe_register_rubrics(register: object) -> None:
        raise RuntimeError("boom")

    engine = engine_with(path, crash=_plugin(spbe_register_rubrics=spbe_register_rubrics))
    crash = next(p for p in engine.plugins if p.name == "crash")
    assert not crash.active and "boom" in crash.reason
    assert "spbe-2024" in engine.rubric_ids()


def test_spbe_register_crosswalks(tmp_path: Path) -> None:
    """spbe_register_crosswalks: a registered crosswalk file is used for its pair and credited to its plugin."""
    from .rubric_helpers import FilePlugin
    from .test_crosswalks import PEMDI

    rubric = variant(tmp_path, lambda text: text)  # test-2021: a rubric of the plugin's own
    path = tmp_path / "test-2021__pemdi-2026.toml"
    path.write_text(
        PEMDI.read_text(encoding="utf-8").replace('from = "spbe-2024"', 'from = "test-2021"'), encoding="utf-8"
    )
    engine = Engine.from_plugins(("walks", FilePlugin(rubric, crosswalks=(path,))), entry_points=True, strict=True)
    walk = engine.crosswalk("test-2021", "pemdi-2026")
    assert walk.origin == str(path) and not walk.generated
    assert next(p for p in engine.plugins if p.name == "walks").crosswalks == ("test-2021__pemdi-2026",)
