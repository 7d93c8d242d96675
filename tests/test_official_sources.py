"""Facts from official sources that the bundled data records, pinned where the engine can check them."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from spbe_engine import Assessment, Engine
from spbe_engine.inputs import read_assessment

from .conftest import EXAMPLES
from .rubric_helpers import engine_with, write_rubric

#: Kota Denpasar 2018, one assignment of levels with its official aspect values (golden case, DEN).
DENPASAR_2018_LEVELS = (
    {f"I{n}": 2 for n in range(1, 17)}
    | {"I17": 3, "I18": 2, "I19": 2, "I20": 2, "I21": 3, "I22": 2, "I23": 2, "I24": 3}
    | {"I25": 3, "I26": 3, "I27": 3, "I28": 3, "I29": 3, "I30": 4, "I31": 4}
    | {"I32": 3, "I33": 3, "I34": 3, "I35-1": 2, "I35-2": 2, "I35-3": 2}
)

#: KemenPANRB, slide "Indikator yang beririsan" on KepmenPANRB 962/2021 (scribd 530584683), first page:
#: 59/2020 indicator <- the 5/2018 indicator it overlaps.
OVERLAP_SLIDE = {
    "I1": "I3",
    "I4": "I6",
    "I5": "I5",
    "I32": "I27",
    "I33": "I28",
    "I34": "I29",
    "I35": "I31",
    "I36": "I26",
    "I37": "I25",
}


def test_crosswalk_2018_2021_follows_the_official_overlap_slide(engine: Engine) -> None:
    """Every pair the slide prints is in the crosswalk, marked official with its reference; no other is."""
    walk = engine.crosswalk("spbe-2018", "spbe-2021")
    for target, source in OVERLAP_SLIDE.items():
        mapping = walk.mapping(target)
        assert mapping.sources == (source,) and mapping.basis == "official mapping", target
        assert "530584683" in mapping.reference and mapping.mark == "approximate"
    others = {m.target for m in walk.mappings if m.basis == "official mapping"} - set(OVERLAP_SLIDE)
    assert others == set()
    assert all(m.basis == "project judgement" for m in walk.mappings if m.target not in OVERLAP_SLIDE)


def test_the_slide_gives_5_2018_indicator_6_to_i4_not_i7(engine: Engine) -> None:
    """5/2018 #6 (Kebijakan Internal Integrasi Sistem Aplikasi) feeds I4 only; I7 has no source."""
    walk = engine.crosswalk("spbe-2018", "spbe-2021")
    assert [m.target for m in walk.mappings if "I6" in m.sources] == ["I4"]
    assert "I7" in walk.unmapped


def test_5_2018_aspect_weights_35_20_not_the_reports_33_22(tmp_path: Path) -> None:
    """Kota Denpasar 2018 (D3 3.00, index 2.64) reproduces with A6 35 / A7 20 (DEN), not with 33 / 22.

    KemenPANRB's Buku Laporan Evaluasi SPBE 2018, Tabel 2, prints A6 33 % and A7 22 %; the same report's
    Denpasar result needs 35 / 20. D3 and the index depend on the levels only through the aspect values
    (A6 23/7 = 3.29, A7 2.50), so any levels with Denpasar's official aspects give the same answer.
    """
    tabel_2 = write_rubric(
        tmp_path,
        "test-2018-tabel2",
        """schema = 1
id = "test-2018-tabel2"
extends = "spbe-2018"
title = "5/2018 with the aspect weights of the 2018 report's Tabel 2"
years = []
[legal_basis]
regulation = "Peraturan Menteri PANRB Nomor 5 Tahun 2018"
[groups.A6]
weight = 33
[groups.A7]
weight = 22
"""
        + "".join(f'[indicators.I{n}]\nweight = "33/7"\n' for n in range(25, 32))
        + "".join(f'[indicators.{i}]\nweight = "11/3"\n' for i in ("I32", "I33", "I34", "I35-1", "I35-2", "I35-3")),
    )
    engine = engine_with(tabel_2)
    for rubric_id, d3, index in (("spbe-2018", "3.00", "2.64"), ("test-2018-tabel2", "2.97", "2.62")):
        card = engine.score(DENPASAR_2018_LEVELS, rubric=rubric_id)
        assert (str(card.group("A6").published), str(card.group("A7").published)) == ("3.29", "2.50")
        assert (str(card.group("D3").published), str(card.index)) == (d3, index), rubric_id
    assert engine.score(DENPASAR_2018_LEVELS, rubric="test-2018-tabel2").exact_index == Fraction(1837, 700)


def test_bandar_lampung_2022_news_and_decree_figures_each_fit_their_domains(engine: Engine) -> None:
    """The assessor's 2 / 1 / 1 / 1.88 give 1.53; the decree's 1.50 (KepmenPANRB 108/2023) fits e.g. D4 1.81."""
    card = engine.score(read_assessment(EXAMPLES / "bandar-lampung-2022.toml"))
    assert card.rubric_id == "spbe-2021" and card.index_candidates == (Decimal("1.53"),) and card.predikat == "Kurang"
    decree = engine.score(Assessment(aggregates={"D1": "2", "D2": "1", "D3": "1", "D4": "1.81"}, year=2022))
    assert decree.index_candidates == (Decimal("1.50"),) and decree.predikat == "Kurang"


def test_pemdi_2026_an_index_on_an_edge_takes_the_upper_band(engine: Engine) -> None:
    """Band edges: "1,00 - < 1,50", "1,50 - < 2,50" (EDU, ACEH), so exactly 1.50 is Cukup (MINSEL would say Kurang)."""
    levels = {f"I{n}": 1 for n in range(1, 21)} | {"I19": 3, "I20": 3}  # 100 + 2 x 10 + 2 x 15 = 150
    card = engine.score(levels, rubric="pemdi-2026")
    assert card.exact_index == Fraction(3, 2) and card.predikat == "Cukup"
    assert engine.score(dict(levels, I20=2), rubric="pemdi-2026").predikat == "Kurang"  # 1.35
