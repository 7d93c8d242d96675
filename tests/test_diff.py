"""``spbe rubric diff``: every kind of change between two rubric versions is found and named."""

from __future__ import annotations

import json
from fractions import Fraction

import attrs
import pytest

from spbe_engine import Band, Engine, Rounding, Rubric
from spbe_engine._diff import diff_rubrics
from spbe_engine._numbers import format_exact
from spbe_engine.cli import main


def _by(diff_changes: tuple, action: str, section: str = "indicators") -> dict[str, object]:
    return {c.subject: c for c in diff_changes if c.action == action and c.section == section}


def test_identical_rubrics_have_no_changes(engine: Engine) -> None:
    """A rubric compared with itself has no differences."""
    rubric = engine.rubric("spbe-2021")
    assert diff_rubrics(rubric, rubric).identical


def test_2021_to_2023_renames_the_sector_services(engine: Engine) -> None:
    """spbe-2021 → spbe-2023: I45-I47 renamed (same id, other name); weights, bands and scales unchanged."""
    old, new = engine.rubric("spbe-2021"), engine.rubric("spbe-2023")
    result = diff_rubrics(old, new)
    renamed = _by(result.changes, "renamed")
    expected = {ind.id for ind in new.indicators if old.indicator(ind.id).name != ind.name}
    assert set(renamed) == expected and expected  # the rubric data really renames some
    for indicator_id, change in renamed.items():
        assert (change.old, change.new) == (
            old.indicator(indicator_id).name,
            new.indicator(indicator_id).name,
        )
    for section in ("bands", "scales", "groups"):
        assert not result.in_section(section)
    assert not [c for c in result.changes if c.action in ("reweighted", "added", "removed", "moved")]
    assert [c.field for c in result.in_section("years")] == ["years"]


def test_2023_to_2024_changes_the_band_rule(engine: Engine) -> None:
    """spbe-2023 → spbe-2024: the predikat moves from the rounded to the unrounded index."""
    result = diff_rubrics(engine.rubric("spbe-2023"), engine.rubric("spbe-2024"))
    (rule,) = result.in_section("rounding")
    assert (rule.field, rule.old, rule.new) == ("predikat_on", "rounded", "exact")
    assert not result.in_section("indicators")


def test_2018_to_2021_accounts_for_every_indicator_and_group(engine: Engine) -> None:
    """spbe-2018 → spbe-2021: each old item is paired or removed, each new item paired or added, once."""
    old, new = engine.rubric("spbe-2018"), engine.rubric("spbe-2021")
    result = diff_rubrics(old, new)
    for section, old_items, new_items in (
        ("indicators", old.indicators, new.indicators),
        ("groups", old.groups, new.groups),
    ):
        changes = result.in_section(section)
        removed = {c.subject for c in changes if c.action == "removed"}
        added = {c.subject for c in changes if c.action == "added"}
        reidentified = {c.old: c.new for c in changes if c.action == "re-identified"}
        kept = {i.id for i in old_items} - removed - set(reidentified)
        assert kept <= {i.id for i in new_items}
        assert kept | set(reidentified.values()) | added == {i.id for i in new_items}
        assert not (added & (kept | set(reidentified.values())))
        for change in changes:
            if change.action == "reweighted":
                assert change.old != change.new
    # An aspect under a re-identified domain (Layanan SPBE: D3 → D4) has not moved.
    moved = {c.subject: c for c in result.changes if c.action == "moved"}
    pairs = {c.old: c.new for c in result.in_section("groups") if c.action == "re-identified"}
    assert pairs  # 2021 renumbered groups, so the mapping is exercised
    for change in moved.values():
        old_parent = (change.old or "").split(" (now ")[0]
        assert pairs.get(old_parent, old_parent) != change.new
    # The structure change is visible: a domain re-identified and scales replaced.
    assert _by(result.changes, "re-identified", "groups")
    assert {c.action for c in result.in_section("scales")} >= {"added", "removed"}


@pytest.fixture
def base(engine: Engine) -> Rubric:
    return engine.rubric("spbe-2021")


def _replace_indicator(rubric: Rubric, indicator_id: str, **changes: object) -> Rubric:
    indicators = tuple(attrs.evolve(ind, **changes) if ind.id == indicator_id else ind for ind in rubric.indicators)
    return attrs.evolve(rubric, indicators=indicators)


def test_synthetic_reweighted_and_moved(base: Rubric) -> None:
    """A changed weight and a new parent group are each reported once, with old and new values."""
    changed = _replace_indicator(base, "I1", weight=Fraction(7, 3), parent="A2")
    result = diff_rubrics(base, changed)
    assert [(c.action, c.subject, c.old, c.new) for c in result.changes] == [
        ("moved", "I1", base.indicator("I1").parent, "A2"),
        ("reweighted", "I1", format_exact(base.indicator("I1").weight), "7/3"),
    ]


def test_synthetic_group_reweighted_renamed_and_kind(base: Rubric) -> None:
    """A group's weight, name and kind changes are reported against that group."""
    groups = tuple(
        attrs.evolve(g, weight=g.weight + 1, name="Baru", kind="pilar") if g.id == "D2" else g for g in base.groups
    )
    result = diff_rubrics(base, attrs.evolve(base, groups=groups))
    assert {(c.action, c.subject, c.field) for c in result.changes} == {
        ("reweighted", "D2", "weight"),
        ("renamed", "D2", "name"),
        ("changed", "D2", "kind"),
    }


def test_synthetic_same_name_other_id(base: Rubric) -> None:
    """An indicator that keeps its name under another id is re-identified, not removed and added."""
    changed = _replace_indicator(base, "I47", id="I48")
    result = diff_rubrics(base, changed)
    assert [(c.action, c.subject) for c in result.changes] == [("re-identified", "I47 → I48")]


def test_synthetic_added_and_removed(base: Rubric) -> None:
    """An indicator with a new id and a new name is removed and added."""
    changed = _replace_indicator(base, "I47", id="I99", name="Sesuatu yang baru")
    actions = {(c.action, c.subject) for c in diff_rubrics(base, changed).changes}
    assert actions == {("removed", "I47"), ("added", "I99")}


def test_synthetic_bands_scales_rounding(base: Rubric) -> None:
    """Band edges, a renamed level, the rounding mode and places are each reported."""
    bands = (
        Band(base.bands[0].predikat, base.bands[0].lower, Fraction(2)),
        Band(base.bands[1].predikat, Fraction(2), base.bands[1].upper),
        *base.bands[2:],
    )
    scale = base.scales["process"]
    levels = (attrs.evolve(scale.levels[0], name="Awal"), *scale.levels[1:])
    changed = attrs.evolve(
        base,
        bands=bands,
        rounding=Rounding(3, "down", base.rounding.predikat_on),
        scales={**base.scales, "process": attrs.evolve(scale, levels=levels)},
    )
    result = diff_rubrics(base, changed)
    assert {(c.subject, c.field, c.new) for c in result.in_section("bands")} == {
        (base.bands[0].predikat, "upper", "2"),
        (base.bands[1].predikat, "lower", "2"),
    }
    assert [(c.subject, c.old, c.new) for c in result.in_section("scales")] == [
        ("process level 1", scale.levels[0].name, "Awal")
    ]
    assert {(c.field, c.new) for c in result.in_section("rounding")} == {
        ("places", "3"),
        ("mode", "down"),
    }


def test_cli_json_and_inheritance(capsys: pytest.CaptureFixture[str], engine: Engine) -> None:
    """The JSON output matches the Python diff and shows what spbe-2023 states and inherits."""
    code = main(["rubric", "diff", "spbe-2021", "spbe-2023", "--json"])
    out, _ = capsys.readouterr()
    assert code == 0
    data = json.loads(out)
    expected = diff_rubrics(engine.rubric("spbe-2021"), engine.rubric("spbe-2023"))
    assert data["changes"] == [c.to_json() for c in expected.changes]
    (record,) = data["inheritance"]
    assert (record["rubric"], record["base"]) == ("spbe-2023", "spbe-2021")
    assert "rounding.predikat_on" in record["states"] and "indicators.I45.name" in record["states"]
    assert "bands" in record["inherited"] and "rounding.places" in record["inherited"]
    assert not any(path.startswith("bands") for path in record["states"])


def test_cli_table_names_the_changes(capsys: pytest.CaptureFixture[str]) -> None:
    """The table lists the band rule change and says how many changes there are."""
    code = main(["rubric", "diff", "spbe-2023", "spbe-2024"])
    out, _ = capsys.readouterr()
    assert code == 0
    assert "predikat_on" in out and "exact" in out and "spbe-2024 extends spbe-2021" in out
    assert "changes:" in out


def test_cli_unknown_rubric_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown rubric id exits 2 with the choices named."""
    code = main(["rubric", "diff", "spbe-2021", "spbe-1999"])
    _, err = capsys.readouterr()
    assert code == 2 and "spbe-1999" in err and "spbe-2024" in err and len(err.strip().splitlines()) == 1


def test_cli_same_rubric_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    """Diffing a rubric with itself says there are no differences."""
    assert main(["rubric", "diff", "spbe-2021", "spbe-2021"]) == 0
    assert "no differences" in capsys.readouterr().out
