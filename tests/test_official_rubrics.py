"""The official rubrics load, hold the regulation's numbers, and derive from each other as declared."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest

from spbe_engine import Engine, UnknownRubricError

OFFICIAL = ("spbe-2018", "spbe-2021", "spbe-2023", "spbe-2024")


def test_official_rubrics_registered(engine: Engine) -> None:
    """Every official rubric registers through the entry-point group, as a third-party one would."""
    assert set(OFFICIAL) <= set(engine.rubric_ids())
    for rubric_id in OFFICIAL:
        info = engine.plugin_of(rubric_id)
        assert info.distribution == "spbe-engine"
        assert info.active
        assert rubric_id in info.rubrics


def _counts(engine: Engine, rubric_id: str) -> tuple[int, int, int]:
    rubric = engine.rubric(rubric_id)
    kinds = Counter(group.kind for group in rubric.groups)
    return kinds["domain"], kinds["aspect"], len(rubric.indicators)


def test_structure_5_2018(engine: Engine) -> None:
    """PermenPANRB 5/2018: 3 domains, 7 aspects, 35 indicators (#35 in three sector rows), 17/28/55."""
    assert _counts(engine, "spbe-2018") == (3, 7, 37)
    rubric = engine.rubric("spbe-2018")
    assert [g.weight for g in rubric.top_groups] == [17, 28, 55]
    assert {ind.id for ind in rubric.indicators} >= {"I1", "I34", "I35-1", "I35-2", "I35-3"}
    assert rubric.indicator("I35-2").weight == Fraction(10, 3)


@pytest.mark.parametrize("rubric_id", ["spbe-2021", "spbe-2023", "spbe-2024"])
def test_structure_59_2020(engine: Engine, rubric_id: str) -> None:
    """PermenPANRB 59/2020 Lampiran I Tabel 3-9: 4 domains, 8 aspects, 47 indicators, 13/25/16.5/45.5."""
    assert _counts(engine, rubric_id) == (4, 8, 47)
    rubric = engine.rubric(rubric_id)
    assert [g.weight for g in rubric.top_groups] == [13, 25, Fraction(33, 2), Fraction(91, 2)]
    weights = {ind.id: ind.weight for ind in rubric.indicators}
    assert weights["I1"] == Fraction(13, 10)
    assert weights["I11"] == Fraction(5, 2)
    assert weights["I21"] == Fraction(3, 2)
    assert weights["I32"] == Fraction(11, 4)
    assert weights["I47"] == 3
    assert sum(weights.values()) == 100
    assert [(b.predikat, b.lower) for b in rubric.bands] == [
        ("Kurang", 1),
        ("Cukup", Fraction(9, 5)),
        ("Baik", Fraction(13, 5)),
        ("Sangat Baik", Fraction(7, 2)),
        ("Memuaskan", Fraction(21, 5)),
    ]
    assert rubric.scale_of("I1").level(1).name == "Rintisan"
    assert rubric.scale_of("I32").level(4).name == "Kolaborasi"


def test_guides_differ_only_in_what_they_change(engine: Engine) -> None:
    """spbe-2023 and spbe-2024 extend spbe-2021: same weights, their own band rule and years."""
    base, y2023, y2024 = (engine.rubric(r) for r in ("spbe-2021", "spbe-2023", "spbe-2024"))
    assert y2023.extends == y2024.extends == "spbe-2021"
    assert [i.weight for i in y2023.indicators] == [i.weight for i in base.indicators]
    assert y2023.rounding.predikat_on == "rounded"
    assert y2024.rounding.predikat_on == "exact"
    assert len({base.sha256, y2023.sha256, y2024.sha256}) == 3


@pytest.mark.parametrize(
    ("year", "rubric_id"),
    [
        (2018, "spbe-2018"),
        (2020, "spbe-2018"),
        (2021, "spbe-2021"),
        (2022, "spbe-2021"),
        (2023, "spbe-2023"),
        (2024, "spbe-2024"),
        (2025, "spbe-2025"),
        (2026, "pemdi-2026"),
        (2028, "pemdi-2026"),
    ],
)
def test_year_selects_rubric(engine: Engine, year: int, rubric_id: str) -> None:
    """The evaluation year picks the governing rubric."""
    assert engine.rubric_for_year(year).id == rubric_id


def test_year_without_rubric(engine: Engine) -> None:
    """A year no rubric governs is a clear error naming the covered years."""
    with pytest.raises(UnknownRubricError, match="no rubric governs") as info:
        engine.rubric_for_year(2010)
    assert "2018" in str(info.value)


def test_content_hash_is_stable() -> None:
    """Two engines compute the same content hash for the same rubric data."""
    first, second = Engine.default(), Engine.default()
    assert first.rubric("spbe-2024").sha256 == second.rubric("spbe-2024").sha256
    assert len(first.rubric("spbe-2024").sha256) == 64


def test_level_criteria_59_2020(engine: Engine) -> None:
    """59/2020 ships level criteria for all 47 indicators, levels 1-5 (Lampiran I, Bab II E)."""
    criteria = engine.criteria("spbe-2024")
    assert len(criteria) == 47
    assert all(sorted(c.levels) == [1, 2, 3, 4, 5] for c in criteria.values())
    assert all(text.strip() for c in criteria.values() for text in c.levels.values())


def test_spbe_2025_is_derived_from_2024(engine: Engine) -> None:
    """spbe-2025 extends spbe-2024: the 59/2020 indicators and weights, the 2024 band rule, its own year."""
    base, y2025 = engine.rubric("spbe-2024"), engine.rubric("spbe-2025")
    assert y2025.extends == "spbe-2024" and y2025.years == (2025,)
    assert [(i.id, i.weight) for i in y2025.indicators] == [(i.id, i.weight) for i in base.indicators]
    assert y2025.rounding == base.rounding and y2025.bands == base.bands
    assert any("DERIVED" in note for note in y2025.notes)


def test_pemdi_2026_has_aspects_only(engine: Engine) -> None:
    """pemdi-2026: 7 top-level aspects, 20 indicators, aspect weights 10/10/15/15/10/15/25, bands 1.5/2.5/3.5/4.0."""
    rubric = engine.rubric("pemdi-2026")
    assert rubric.group_kinds == ("aspect",)
    assert [g.weight for g in rubric.top_groups] == [10, 10, 15, 15, 10, 15, 25]
    assert len(rubric.indicators) == 20
    assert [b.lower for b in rubric.bands[1:]] == [Fraction(3, 2), Fraction(5, 2), Fraction(7, 2), Fraction(4)]
    assert sum(i.weight for i in rubric.indicators) == 100
    card = engine.score({f"I{n}": 2 for n in range(1, 21)}, rubric="pemdi-2026")
    assert card.exact_index == 2 and card.predikat == "Cukup"
    assert [g.id for g in card.domains] == ["A1", "A2", "A3", "A4", "A5", "A6", "A7"]
    assert len(engine.criteria("pemdi-2026")) == 20
