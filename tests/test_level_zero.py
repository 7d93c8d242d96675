"""Level 0 under PermenPANRB 5/2018, and level values in rubric files.

The 2018 questionnaire offered levels 0-5 (scribd document 391948971; DEN
``tb_level``); Kota Denpasar's self-assessed 0s were scored 1 in its official
2018 result. ``spbe-2018`` accepts 0 and scores it as 1 (a level ``value``).
"""

from __future__ import annotations

from fractions import Fraction

import pytest

from spbe_engine import Assessment, Engine, InputError
from spbe_engine.testing import assert_rubric_conforms

DENPASAR_2018 = {f"I{n}": 2 for n in range(1, 35)} | {"I35-1": 2, "I35-2": 2, "I35-3": 2}


# -- spbe-2018: level 0 accepted, scored as 1 ---------------------------------------------------------------


def test_level_zero_is_accepted_and_scored_as_one_under_spbe_2018(engine: Engine) -> None:
    """A level 0 is an answer under spbe-2018 and scores exactly what level 1 scores, everywhere."""
    zero = engine.score(dict(DENPASAR_2018, I9=0, I23=0, I25=0), rubric="spbe-2018")
    one = engine.score(dict(DENPASAR_2018, I9=1, I23=1, I25=1), rubric="spbe-2018")
    assert zero.exact_index == one.exact_index
    assert [g.value for g in zero.groups] == [g.value for g in one.groups]
    scored = {i.id: i for i in zero.indicators}
    assert scored["I9"].level == 0 and scored["I9"].value == 1 and scored["I9"].level_name == "Tidak ada"


def test_every_indicator_at_zero_scores_one(engine: Engine) -> None:
    """All 37 rows at level 0 give the index 1.00 (Kurang), as all at level 1 do."""
    card = engine.score(dict.fromkeys(DENPASAR_2018, 0), rubric="spbe-2018")
    assert card.exact_index == 1 and str(card.index) == "1.00" and card.predikat == "Kurang"


def test_year_2018_still_resolves_to_spbe_2018_with_a_zero(engine: Engine) -> None:
    """By-year scoring is unaffected: 2018, 2019 and 2020 resolve to spbe-2018, and a 0 is accepted there."""
    for year in (2018, 2019, 2020):
        card = engine.score(Assessment(levels=dict(DENPASAR_2018, I1=0), year=year))
        assert card.rubric_id == "spbe-2018"
        assert card.exact_index == engine.score(DENPASAR_2018, rubric="spbe-2018").exact_index - Fraction(1, 100)


def test_level_zero_is_still_refused_under_59_2020(engine: Engine) -> None:
    """59/2020 has no level 0 (Lampiran I B.3: levels 1-5)."""
    with pytest.raises(InputError, match="level"):
        engine.score({f"I{n}": 0 if n == 1 else 1 for n in range(1, 48)}, rubric="spbe-2021")


def test_denpasar_2018_still_reproduces(engine: Engine) -> None:
    """Kota Denpasar 2018 (DEN; reference §1.3): A7 2.50, D3 3.00, index 2.64, unchanged by level 0."""
    levels = {f"I{n}": 2 for n in range(1, 8)} | {f"I{n}": 2 for n in range(8, 17)} | {"I17": 3}
    levels |= {"I18": 2, "I19": 2, "I20": 2, "I21": 3, "I22": 2, "I23": 2, "I24": 3}
    levels |= {"I25": 3, "I26": 3, "I27": 3, "I28": 3, "I29": 3, "I30": 4, "I31": 4}
    levels |= {"I32": 3, "I33": 3, "I34": 3, "I35-1": 2, "I35-2": 2, "I35-3": 2}
    card = engine.score(levels, rubric="spbe-2018")
    assert str(card.group("A7").published) == "2.50" and str(card.group("D3").published) == "3.00"
    assert str(card.index) == "2.64" and card.predikat == "Baik"


def test_a_zero_crosswalks_to_level_one_of_59_2020(engine: Engine) -> None:
    """spbe-2018 → spbe-2021: a source level 0 becomes target level 1 (below_scale = "lowest")."""
    done = engine.rescore(
        Assessment(levels=dict(DENPASAR_2018, I5=0), rubric="spbe-2018"), "spbe-2021", missing="impute:lowest"
    )
    target = {i.id: i.level for i in done.card.indicators}
    assert target["I5"] == 1  # 59/2020 I5 <- 5/2018 I5 (Kebijakan Internal Pusat Data)
    walk = engine.crosswalk("spbe-2018", "spbe-2021")
    assert walk.mapping("I5").level((0,)) == 1 and walk.mapping("I5").level((3,)) == 3


def test_gap_step_from_zero_names_levels_not_values(engine: Engine) -> None:
    """A gap step from level 0 reads 0 → 1 (gain 0), not 1 → 1."""
    levels = dict.fromkeys(DENPASAR_2018, 0)
    plan = engine.gap(Assessment(levels=levels, rubric="spbe-2018"), "Cukup")
    assert plan.steps
    for step in plan.steps:
        assert step.after == step.before + 1
        assert (step.gain == 0) == (step.before == 0)


# -- spbe-2018-raw0: the raw reading as an option -----------------------------------------------------------


def test_raw_option_scores_zero_as_zero(engine: Engine) -> None:
    """spbe-2018-raw0 scores a 0 as 0; everything else is spbe-2018's."""
    raw = engine.score(dict(DENPASAR_2018, I9=0), rubric="spbe-2018-raw0")
    official = engine.score(dict(DENPASAR_2018, I9=0), rubric="spbe-2018")
    assert {i.id: i.value for i in raw.indicators}["I9"] == 0
    assert official.exact_index - raw.exact_index == Fraction(1, 100)  # I9 weighs 1 %
    assert (
        engine.score(DENPASAR_2018, rubric="spbe-2018-raw0").exact_index
        == engine.score(DENPASAR_2018, rubric="spbe-2018").exact_index
    )
    everything_zero = engine.score(dict.fromkeys(DENPASAR_2018, 0), rubric="spbe-2018-raw0")
    assert everything_zero.exact_index == 0 and everything_zero.predikat == "Kurang"


def test_raw_option_claims_no_year_and_starts_its_bands_at_zero(engine: Engine) -> None:
    """spbe-2018-raw0 governs no evaluation year, so by-year scoring never picks it; its lowest band starts at 0."""
    raw = engine.rubric("spbe-2018-raw0")
    assert raw.years == () and raw.extends == "spbe-2018"
    assert raw.bands[0].lower == 0 and raw.bands[1:] == engine.rubric("spbe-2018").bands[1:]
    assert engine.rubric_for_year(2018).id == "spbe-2018"


def test_raw_option_conforms_to_the_kit(engine: Engine) -> None:
    """The derived rubric passes every check of the conformance kit (it ships no golden cases of its own)."""
    report = assert_rubric_conforms("spbe-2018-raw0", engine)
    assert {r.name: r.status for r in report.results if r.status != "passed"} == {"golden": "skipped"}
