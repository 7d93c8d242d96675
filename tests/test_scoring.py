"""Scoring from indicator levels: exact arithmetic, the regulation's worked example, partial scores."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from spbe_engine import Assessment, Engine, IncompleteError, InputError


def levels_2021(**overrides: int) -> dict[str, int]:
    levels = {f"I{n}": 1 for n in range(1, 48)}
    levels.update(overrides)
    return levels


def test_all_at_level_k_gives_k(engine: Engine) -> None:
    """All indicators at level k give an index of exactly k."""
    for k in range(1, 6):
        card = engine.score({f"I{n}": k for n in range(1, 48)}, rubric="spbe-2024")
        assert card.exact_index == k
        assert card.index == Decimal(f"{k}.00")


def test_r59_worked_example(engine: Engine) -> None:
    """R59 Tabel 10-12: aspect 2 levels 3,4,3,2 → 3.00; D2 with aspects 3/4/3 → 3.40."""
    levels = levels_2021(I11=3, I12=4, I13=3, I14=2, I15=4, I16=4, I17=4, I18=4, I19=3, I20=3)
    card = engine.score(levels, rubric="spbe-2021")
    assert card.group("A2").value == 3
    assert card.group("A3").value == 4
    assert card.group("D2").value == Fraction(34, 10)
    assert str(card.group("D2").published) == "3.40"


def test_denpasar_2018(engine: Engine) -> None:
    """Kota Denpasar 2018 (DEN): aspects 2.00/2.10/2.00/2.50/2.33/3.29/2.50 → 2.06/2.29/3.00 → 2.64."""
    levels = {f"I{n}": 2 for n in range(1, 8)}  # A1 = 2.00
    levels |= {f"I{n}": 2 for n in range(8, 17)} | {"I17": 3}  # A2 = 21/10
    levels |= {"I18": 2, "I19": 2, "I20": 2, "I21": 3}  # A3 = 2, A4 = 2.5
    levels |= {"I22": 2, "I23": 2, "I24": 3}  # A5 = 7/3
    levels |= {"I25": 4, "I26": 4, "I27": 3, "I28": 3, "I29": 3, "I30": 3, "I31": 3}  # A6 = 23/7
    levels |= {"I32": 3, "I33": 2, "I34": 3, "I35-1": 1, "I35-2": 3, "I35-3": 3}  # A7 = 15/6
    card = engine.score(levels, rubric="spbe-2018")
    published = {g.id: str(g.published) for g in card.groups}
    assert published == {
        "D1": "2.06",
        "A1": "2.00",
        "A2": "2.10",
        "D2": "2.29",
        "A3": "2.00",
        "A4": "2.50",
        "A5": "2.33",
        "D3": "3.00",
        "A6": "3.29",
        "A7": "2.50",
    }
    assert str(card.index) == "2.64"
    assert card.predikat == "Baik"


def test_contributions_add_up(engine: Engine) -> None:
    """Indicator and domain contributions (value × weight / 100) sum to the exact index, and an
    aspect's contribution is its indicators'."""
    levels = levels_2021(I5=5, I33=4, I47=2)
    card = engine.score(levels, rubric="spbe-2024")
    assert sum(i.contribution for i in card.indicators if i.contribution is not None) == card.exact_index
    assert sum(d.contribution for d in card.domains if d.contribution is not None) == card.exact_index
    a7 = card.group("A7")
    assert a7.contribution == sum(i.contribution for i in card.indicators if i.parent == "A7")


def test_predikat_rule_by_year(engine: Engine) -> None:
    """The same exact index 1.7975 is Cukup in 2023 (rounded 1.80) and Kurang in 2024 (exact)."""
    # 1.7975 = 1.00 + 2.75 x 29 / 100: nine A7 indicators at level 4 and one at 3, the rest at 1.
    levels = levels_2021(**{f"I{n}": 4 for n in range(32, 41)}, I41=3)
    card_2023 = engine.score(levels, rubric="spbe-2023")
    card_2024 = engine.score(levels, rubric="spbe-2024")
    assert card_2023.exact_index == card_2024.exact_index == Fraction(17975, 10000)
    assert str(card_2023.index) == str(card_2024.index) == "1.80"
    assert (card_2023.predikat, card_2024.predikat) == ("Cukup", "Kurang")


@pytest.mark.parametrize("bad", [0, 6, -1])
def test_level_out_of_range(engine: Engine, bad: int) -> None:
    """A level outside the scale names the indicator, the value and the allowed levels."""
    with pytest.raises(InputError, match="out of range") as info:
        engine.score(levels_2021(I7=bad), rubric="spbe-2024")
    assert info.value.field == "I7"
    assert "1 Rintisan" in str(info.value)


@pytest.mark.parametrize("bad", [2.5, "tiga", "3", True, None, Decimal("3")])
def test_level_not_whole(engine: Engine, bad: object) -> None:
    """A level that is not a whole number is refused by name (text is parsed only at the file edge)."""
    with pytest.raises(InputError, match="whole number") as info:
        engine.score(levels_2021(I7=bad), rubric="spbe-2024")  # type: ignore[arg-type]
    assert info.value.field == "I7"


def test_unknown_indicator(engine: Engine) -> None:
    """An unknown indicator id is named, with the allowed range."""
    with pytest.raises(InputError, match="unknown indicator") as info:
        engine.score(levels_2021(I48=3), rubric="spbe-2024")
    assert info.value.field == "I48"
    assert "I1 … I47" in str(info.value)


def test_missing_indicator_is_an_error(engine: Engine) -> None:
    """Missing indicators are an error naming them unless a partial score is asked for."""
    levels = levels_2021()
    del levels["I9"], levels["I40"]
    with pytest.raises(IncompleteError, match="I9, I40"):
        engine.score(levels, rubric="spbe-2024")


def test_partial_score(engine: Engine) -> None:
    """A partial score reports completeness and the possible range, never a full index."""
    levels = {f"I{n}": 3 for n in range(1, 32)}  # D1-D3 only: 54.5 % of the weight
    card = engine.score(levels, rubric="spbe-2024", partial=True)
    assert not card.complete
    assert card.index is None and card.predikat is None and card.exact_index is None
    assert card.completeness == Fraction(545, 1000)
    assert card.partial_index == 3
    low, high = card.index_range
    assert low == Fraction(3 * 545 + 455, 1000)
    assert high == Fraction(3 * 545 + 5 * 455, 1000)
    assert card.predikat_candidates == ("Cukup", "Baik", "Sangat Baik")
    assert card.group("D4").value is None


def test_case_insensitive_ids(engine: Engine) -> None:
    """Indicator ids are matched case-insensitively."""
    levels = {f"i{n}": 2 for n in range(1, 48)}
    assert engine.score(levels, rubric="spbe-2024").exact_index == 2


def test_metadata_carried_through(engine: Engine) -> None:
    """Metadata reaches the score card untouched."""
    meta = {"opd": "Diskominfo", "nested": {"a": [1, 2]}}
    card = engine.score(Assessment(levels=levels_2021(), year=2024, instansi="X", metadata=meta))
    assert dict(card.metadata) == meta
    assert (card.instansi, card.year, card.rubric_id) == ("X", 2024, "spbe-2024")


def test_provenance(engine: Engine) -> None:
    """Every card says which engine, plugin and rubric data produced it."""
    card = engine.score(levels_2021(), rubric="spbe-2023")
    assert card.provenance.plugin == "spbe-2023"
    assert card.provenance.plugin_distribution == "spbe-engine"
    assert card.provenance.rubric_sha256 == engine.rubric("spbe-2023").sha256
    assert card.provenance.engine_version
