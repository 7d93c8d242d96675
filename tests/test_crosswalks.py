"""Crosswalk files are validated on load, found (or generated) by the engine, and registered by plugins."""

from __future__ import annotations

import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import CrosswalkError, Engine, PluginError

from .conftest import ROOT
from .rubric_helpers import FilePlugin, variant

CROSSWALKS = ROOT / "crosswalks"
PEMDI = CROSSWALKS / "spbe-2024__pemdi-2026.toml"


def _variant(tmp_path: Path, edit: Callable[[str], str], name: str = "test-2021__pemdi-2026.toml") -> Path:
    """Write a copy of the spbe-2024 → pemdi-2026 crosswalk as test-2021 → pemdi-2026, changed by ``edit``.

    test-2021 (a copy of spbe-2021) is the plugin's own rubric: a crosswalk
    between two official rubrics belongs to spbe-engine alone.
    """
    text = PEMDI.read_text(encoding="utf-8").replace('from = "spbe-2024"', 'from = "test-2021"')
    path = tmp_path / name
    path.write_text(edit(text), encoding="utf-8")
    return path


def _walks(path: Path) -> FilePlugin:
    """A plugin registering test-2021 and the crosswalk file."""
    return FilePlugin(variant(path.parent, lambda text: text), crosswalks=(path,))


def _load(path: Path) -> Any:
    engine = Engine.from_plugins(("walks", _walks(path)), entry_points=True, strict=True)
    source, target = path.name.removesuffix(".toml").split("__")
    return engine.crosswalk(source, target)


def test_spbe_register_crosswalks(tmp_path: Path) -> None:
    """spbe_register_crosswalks: a registered file becomes the crosswalk for its pair, credited to its plugin."""
    path = _variant(tmp_path, lambda t: t.replace('title = "SPBE 2024', 'title = "Mine: SPBE 2024'))
    engine = Engine.from_plugins(("walks", _walks(path)), entry_points=True, strict=True)
    assert ("test-2021", "pemdi-2026") in engine.crosswalk_pairs()
    assert engine.crosswalk("test-2021", "pemdi-2026").title.startswith("Mine:")
    assert next(p for p in engine.plugins if p.name == "walks").crosswalks == ("test-2021__pemdi-2026",)


def test_an_official_pair_registered_by_a_third_party_sets_it_aside(tmp_path: Path) -> None:
    """A crosswalk between two official rubrics belongs to spbe-engine: a third party's is refused, naming both."""
    path = _variant(
        tmp_path,
        lambda t: t.replace('from = "test-2021"', 'from = "spbe-2024"'),
        name="spbe-2024__pemdi-2026.toml",
    )
    with pytest.raises(PluginError, match=r"joins two official rubrics \(of plugins 'spbe-2024' and 'pemdi-2026'\)"):
        Engine.from_plugins(("walks", FilePlugin(crosswalks=(path,))), entry_points=True, strict=True)


def test_bad_file_name_is_refused(tmp_path: Path) -> None:
    """A crosswalk file must be named <from>__<to>.toml."""
    path = tmp_path / "test-2021-to-pemdi.toml"
    path.write_text("", encoding="utf-8")
    with pytest.raises(PluginError, match="<from rubric id>__<to rubric id>"):
        Engine.from_plugins(("walks", FilePlugin(crosswalks=(path,))), entry_points=True, strict=True)


@pytest.mark.parametrize(
    ("edit", "field", "needle"),
    [
        (
            lambda t: t.replace('sources = ["I25"]', 'sources = ["I99"]'),
            "targets.I3.sources",
            "not an indicator",
        ),
        (
            lambda t: t.replace("[targets.I20]", "[targets.I21]"),
            "targets.I21",
            "not an indicator of rubric pemdi",
        ),
        (
            lambda t: t.replace('[targets.I20]\nmark = "none"', '[targets.I99]\nmark = "none"'),
            "targets.I99",
            "not an",
        ),
        (
            lambda t: t.replace('mark = "approximate"', 'mark = "close"', 1),
            "targets.I1.mark",
            "unknown mark",
        ),
        (
            lambda t: t.replace('basis = "third-party mapping"', 'basis = "hunch"', 1),
            "targets.I1.basis",
            "basis",
        ),
        (
            lambda t: re.sub(r'reason = "asalSPBE: Manajemen SDM[^\n]*\n', "", t),
            "targets.I3.reason",
            "say why",
        ),
        (
            lambda t: t.replace('level_rounding = "half_up"\n', "", 1),
            "targets.I1.level_rounding",
            "non-integer",
        ),
        (
            lambda t: t.replace(
                'combine = "mean"\nlevel_rounding = "half_up"',
                'combine = "weighted"\nweights = ["0.5", "0.25", "0.25", "0.25"]\nlevel_rounding = "half_up"',
                1,
            ),
            "targets.I1.weights",
            "sum to exactly 1",
        ),
        (
            lambda t: t.replace(
                'combine = "mean"\nlevel_rounding = "half_up"',
                'combine = "weighted"\nweights = ["0.5", "0.5"]\nlevel_rounding = "half_up"',
                1,
            ),
            "targets.I1.weights",
            "one weight per source",
        ),
        (
            lambda t: t.replace('combine = "mean"', 'combine = "median"', 1),
            "targets.I1.combine",
            "unknown rule",
        ),
        (
            lambda t: t.replace(
                'sources = ["I19", "I20"]\ncombine = "mean"\nlevel_rounding = "half_up"\nmark = "approximate"',
                'sources = ["I19", "I20"]\ncombine = "mean"\nlevel_rounding = "half_up"\nmark = "exact"',
            ),
            "targets.I4.mark",
            "one source",
        ),
        (
            lambda t: t.replace('sources = ["I25"]', 'sources = ["I25", "I26"]'),
            "targets.I3.combine",
            "exactly one",
        ),
        (
            lambda t: t.replace('[targets.I6]\nmark = "none"', '[targets.I6]\nsources = ["I1"]\nmark = "none"'),
            "targets.I6",
            "no sources",
        ),
        (lambda t: re.sub(r"\[targets\.I20\][^\[]*$", "", t), "targets", "without a mapping: I20"),
        (lambda t: t.replace('to = "pemdi-2026"', 'to = "spbe-2024"'), "to", "file name"),
        (lambda t: t + "\nextra = 1\n", "extra", "unknown field"),
    ],
)
def test_bad_crosswalks_name_file_field_and_value(
    tmp_path: Path, edit: Callable[[str], str], field: str, needle: str
) -> None:
    """Unknown ids, bad weights, marks, bases and rules fail on load with the file and field named."""
    path = _variant(tmp_path, edit)
    with pytest.raises(CrosswalkError) as info:
        _load(path)
    assert str(path) in str(info.value) and field in str(info.value) and needle in str(info.value)


def test_weighted_mapping_combines_exactly(tmp_path: Path) -> None:
    """A weighted rule uses its exact weights; the named rounding turns the value into a level."""
    path = _variant(
        tmp_path,
        lambda t: t.replace(
            'sources = ["I19", "I20"]\ncombine = "mean"\nlevel_rounding = "half_up"',
            'sources = ["I19", "I20"]\ncombine = "weighted"\nweights = ["1/3", "2/3"]\nlevel_rounding = "down"',
        ),
    )
    mapping = _load(path).mapping("I4")
    assert mapping.weights == (Fraction(1, 3), Fraction(2, 3))
    assert mapping.combine_levels((5, 2)) == 3
    assert mapping.combine_levels((5, 3)) == Fraction(11, 3) and mapping.level((5, 3)) == 3


@pytest.mark.parametrize(
    ("weights", "levels", "rule", "level"),
    [
        ((Fraction(1, 2), Fraction(1, 2)), (2, 3), "half_up", 3),
        ((Fraction(1, 2), Fraction(1, 2)), (2, 3), "half_even", 2),
        ((Fraction(1, 2), Fraction(1, 2)), (3, 4), "half_even", 4),
        ((Fraction(1, 10), Fraction(9, 10)), (2, 3), "down", 2),
        ((Fraction(1, 10), Fraction(9, 10)), (2, 3), "half_up", 3),
    ],
)
def test_level_roundings(weights: tuple[Fraction, Fraction], levels: tuple[int, int], rule: str, level: int) -> None:
    """Each named level rounding turns a non-integer combination into the documented level (2.5 → 3 half up)."""
    from spbe_engine._crosswalk import IndicatorMapping

    mapping = IndicatorMapping("T", ("A", "B"), "weighted", weights, rule, "approximate", "project judgement", "x")
    assert mapping.level(levels) == level


def test_bundled_crosswalks_load_and_cover_every_target(engine: Engine) -> None:
    """The bundled crosswalks validate and give every target indicator a mapping or an explicit none."""
    for source, target in engine.crosswalk_pairs():
        walk = engine.crosswalk(source, target)
        assert [m.target for m in walk.mappings] == [i.id for i in engine.rubric(target).indicators]
        assert all(m.reason for m in walk.mappings if m.mark != "exact")
    pemdi = engine.crosswalk("spbe-2024", "pemdi-2026")
    assert pemdi.unmapped == ("I6", "I7", "I8", "I11", "I12", "I20")
    weight = sum(engine.rubric("pemdi-2026").indicator(t).weight for t in pemdi.unmapped)
    assert weight == 32


def test_identity_is_generated_and_composed(engine: Engine) -> None:
    """Same-structure rubrics get a generated exact identity; registered crosswalks extend across identities."""
    walk = engine.crosswalk("spbe-2021", "spbe-2025")
    assert walk.generated and {m.mark for m in walk.mappings} == {"exact"}
    assert all(m.sources == (m.target,) for m in walk.mappings)
    composed = engine.crosswalk("spbe-2023", "pemdi-2026")
    assert (composed.source, composed.target) == ("spbe-2023", "pemdi-2026")
    assert composed.mappings == engine.crosswalk("spbe-2024", "pemdi-2026").mappings
    assert "through spbe-2024 → pemdi-2026" in composed.notes[-1]
    with pytest.raises(CrosswalkError, match="no crosswalk from pemdi-2026 to spbe-2018"):
        engine.crosswalk("pemdi-2026", "spbe-2018")


def test_hook_is_documented_with_its_signature() -> None:
    """docs/hooks.md shows spbe_register_crosswalks with its exact signature."""
    import inspect

    from spbe_engine import hookspecs

    signature = inspect.signature(hookspecs.spbe_register_crosswalks)
    text = (ROOT / "docs" / "hooks.md").read_text(encoding="utf-8")
    assert f"def spbe_register_crosswalks{signature}".replace("'", "") in text


def test_cli_crosswalk(capsys: pytest.CaptureFixture[str]) -> None:
    """`spbe crosswalk` lists the registered pairs; with FROM TO it shows every mapping (JSON: exact weights)."""
    import json

    from .test_cli import run

    code, out, _ = run(capsys, "crosswalk")
    assert code == 0 and "spbe-2024 → pemdi-2026" in out and "spbe-2018 → spbe-2021" in out
    code, out, _ = run(capsys, "crosswalk", "spbe-2024", "pemdi-2026", "--json")
    data = json.loads(out)
    assert code == 0 and data["unmapped_weight"] == "32" and len(data["targets"]) == 20
    i4 = next(t for t in data["targets"] if t["id"] == "I4")
    assert (i4["sources"], i4["combine"], i4["level_rounding"], i4["mark"]) == (
        ["I19", "I20"],
        "mean",
        "half_up",
        "approximate",
    )
    code, out, _ = run(capsys, "crosswalk", "spbe-2021", "spbe-2025")
    assert code == 0 and "Identity" in out
