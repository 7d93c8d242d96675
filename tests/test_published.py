"""Published official results, reproduced from published domain values (never fed in as answers)."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from spbe_engine import Assessment, Engine, InputError

from .conftest import DATA

with (DATA / "spbe-2023-published.csv").open(encoding="utf-8", newline="") as _handle:
    ROWS = list(csv.DictReader(_handle))


def _card(engine: Engine, row: dict[str, str]):
    domains = {key.upper(): row[key] for key in ("d1", "d2", "d3", "d4")}
    return engine.score(Assessment(aggregates=domains, year=int(row["year"]), instansi=row["instansi"]))


def test_2023_table_reproduced(engine: Engine) -> None:
    """Every unsuspect 2023 row: the published index and predikat are among the candidates, and a
    unique answer equals the published one. Banyuasin's D4 (0.30, below the scale) is refused."""
    unique = ambiguous = 0
    for row in ROWS:
        if row["ocr_note"] and "outside" in row["ocr_note"]:
            with pytest.raises(InputError, match="D4"):
                _card(engine, row)
            continue
        card = _card(engine, row)
        published, predikat = Decimal(row["index"]), row["predikat"]
        assert published in card.index_candidates, row
        assert predikat in card.predikat_candidates, row
        if card.index is not None:
            unique += 1
            assert card.index == published, row
        else:
            ambiguous += 1
        if card.predikat is not None:
            assert card.predikat == predikat, row
    assert unique + ambiguous == len(ROWS) - 1
    # Not a target but a tripwire: reconstruction pins most rows to one index.
    assert unique >= 450


def test_naive_recomputation_would_miss(engine: Engine) -> None:
    """Recomputing from rounded domains misses some rows by 0.01; the reconstruction does not."""
    weights = [Decimal(13), Decimal(25), Decimal("16.5"), Decimal("45.5")]
    misses = 0
    for row in ROWS:
        if row["ocr_note"] and "outside" in row["ocr_note"]:
            continue
        naive = sum(Decimal(row[k]) * w for k, w in zip(("d1", "d2", "d3", "d4"), weights, strict=True)) / 100
        if naive.quantize(Decimal("0.01"), "ROUND_HALF_UP") != Decimal(row["index"]):
            misses += 1
            assert Decimal(row["index"]) in _card(engine, row).index_candidates
    assert misses > 50


@pytest.mark.parametrize(
    ("year", "domains", "index", "predikat"),
    [
        # reference §2.5 / §5.2 boundary cases
        (2024, ("4.70", "3.00", "2.09", "3.94"), "3.50", "Baik"),  # Kab. Pacitan, exact 3.4985
        (2024, ("1.20", "2.10", "1.27", "3.75"), "2.60", "Cukup"),  # Kab. Luwu, exact < 2.6
        (2023, ("1.00", "1.00", "1.00", "2.75"), "1.80", "Cukup"),  # Kab. Nias Barat 2023
        (2023, ("1.90", "1.60", "1.00", "2.17"), "1.80", "Cukup"),  # Kab. Boven Digoel, exact 1.7995
        (2024, ("5.00", "4.60", "4.18", "5.00"), "4.77", "Memuaskan"),  # Kab. Banyuwangi, exact 4.765
        (2022, ("2", "1", "1", "1.88"), "1.53", "Kurang"),  # Kota Bandar Lampung (news)
        (2024, ("5.00", "4.80", "4.09", "4.87"), "4.74", "Memuaskan"),  # Kementerian Keuangan
        (2024, ("1.00", "1.00", "1.00", "2.47"), "1.67", "Kurang"),  # Sekretariat Komisi Kejaksaan
    ],
)
def test_published_cases_unique(engine: Engine, year: int, domains: tuple[str, ...], index: str, predikat: str) -> None:
    """Single published rows from the reports reproduce exactly and uniquely."""
    card = engine.score(Assessment(aggregates=dict(zip(("D1", "D2", "D3", "D4"), domains, strict=True)), year=year))
    assert str(card.index) == index
    assert card.predikat == predikat


@pytest.mark.parametrize(
    ("year", "domains", "index", "predikat"),
    [
        (2024, ("1.00", "1.10", "1.00", "2.70"), "1.80", "Kurang"),  # Kab. Nias Barat 2024
        (2024, ("4.90", "4.20", "3.55", "4.24"), "4.20", "Memuaskan"),  # Badan Intelijen Negara
    ],
)
def test_published_cases_ambiguous(
    engine: Engine, year: int, domains: tuple[str, ...], index: str, predikat: str
) -> None:
    """Where the published domains admit both sides of a band edge, both are reported, never a guess."""
    card = engine.score(Assessment(aggregates=dict(zip(("D1", "D2", "D3", "D4"), domains, strict=True)), year=year))
    assert str(card.index) == index
    assert card.predikat is None
    assert predikat in card.predikat_candidates
    assert len(card.predikat_candidates) == 2


def test_domain_value_not_achievable(engine: Engine) -> None:
    """A published value no combination of levels can produce is refused, naming nearby values."""
    with pytest.raises(InputError, match="no combination") as info:
        engine.score(Assessment(aggregates={"D1": "2.05", "D2": "1", "D3": "1", "D4": "1"}, year=2024))
    assert info.value.field == "D1"
    assert "2.00" in str(info.value) and "2.10" in str(info.value)


def test_aggregates_need_every_domain(engine: Engine) -> None:
    """Missing domains are named."""
    with pytest.raises(InputError, match="D3, D4"):
        engine.score(Assessment(aggregates={"D1": "2", "D2": "1"}, year=2024))
