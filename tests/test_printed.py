"""Printed index and predikat narrow a row's candidates, or are reported as not fitting its inputs."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from spbe_engine import Assessment, Engine, InputError
from spbe_engine._printed import PrintedVerdict
from spbe_engine.batch import RowStatus

from .conftest import DATA

TABLE = DATA / "spbe-2023-published.csv"
NEWS = {"D1": "2", "D2": "1", "D3": "1", "D4": "1.88"}  # Kota Bandar Lampung 2022, the news item's values


def test_the_2023_table_is_narrowed_by_what_it_prints(engine: Engine) -> None:
    """Each row keeps only the candidates that agree with its printed figures; none contradicts them."""
    narrowed = consistent = 0
    for result in engine.score_file(TABLE):
        if result.status is RowStatus.ERROR:
            continue
        card = result.card
        assert card is not None and card.printed is not None
        unprinted = engine.score(Assessment(aggregates=card_inputs(result.row.columns), year=2023))
        assert set(card.exact_candidates) <= set(unprinted.exact_candidates)
        assert card.printed.verdict is not PrintedVerdict.INCONSISTENT
        assert card.index == Decimal(result.row.columns["index"]) and card.predikat == result.row.columns["predikat"]
        if card.printed.verdict is PrintedVerdict.NARROWED:
            narrowed += 1
            assert len(unprinted.exact_candidates) > len(card.exact_candidates)
        else:
            consistent += 1
            assert unprinted.exact_candidates == card.exact_candidates
    assert narrowed > 100 and consistent > 400  # the two-candidate rows of the table, and the rest


def card_inputs(columns: dict[str, str]) -> dict[str, str]:
    return {key.upper(): value for key, value in columns.items() if key.lower() in ("d1", "d2", "d3", "d4")}


def test_printed_figures_that_do_not_fit_keep_every_candidate(engine: Engine) -> None:
    """Bandar Lampung 2022: the decree's 1.50 does not fit the news item's domain values (1.53): said, not hidden."""
    card = engine.score(Assessment(aggregates=NEWS, year=2022, printed_index=Decimal("1.50")))
    assert card.printed is not None and card.printed.verdict is PrintedVerdict.INCONSISTENT
    assert "printed index 1.50" in card.printed.message and "1.53 Kurang" in card.printed.message
    assert card.index == Decimal("1.53")  # what the inputs give, untouched
    plain = engine.score(Assessment(aggregates=NEWS, year=2022))
    assert card.exact_candidates == plain.exact_candidates and plain.printed is None


def test_levels_and_predikat_only(engine: Engine) -> None:
    """From levels the index is exact: printed figures are checked; a printed predikat alone narrows too."""
    levels = {f"I{n}": 3 for n in range(1, 48)}
    ok = engine.score(Assessment(levels=levels, year=2024, printed_index=Decimal("3.00"), printed_predikat="Baik"))
    assert ok.printed is not None and ok.printed.verdict is PrintedVerdict.CONSISTENT
    off = engine.score(Assessment(levels=levels, year=2024, printed_predikat="Sangat Baik"))
    assert off.printed is not None and off.printed.verdict is PrintedVerdict.INCONSISTENT
    assert off.predikat == "Baik"


def test_a_bad_printed_index_is_a_row_error(engine: Engine, tmp_path: Path) -> None:
    """A printed index that is not a number fails its row, naming the column; the other rows are scored."""
    path = tmp_path / "t.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["instansi", "year", "D1", "D2", "D3", "D4", "index", "predikat"])
        writer.writerow(["A", "2022", "2", "1", "1", "1.88", "satu", "Kurang"])
        writer.writerow(["B", "2022", "2", "1", "1", "1.88", "1.53", "Kurang"])
    first, second = engine.score_file(path)
    assert first.status is RowStatus.ERROR and "index" in first.message and "satu" in first.message
    assert second.values["printed"] == "consistent" and second.values["index"] == "1.53"


def test_assessment_files_carry_printed_figures(engine: Engine, tmp_path: Path) -> None:
    """A [published] table in an assessment file is read as the printed figures; other keys are refused."""
    from spbe_engine.inputs import read_assessment

    path = tmp_path / "a.toml"
    path.write_text(
        'year = 2022\n[domains]\nD1 = 2\nD2 = 1\nD3 = 1\nD4 = 1.88\n[published]\nindex = 1.50\npredikat = "Kurang"\n',
        encoding="utf-8",
    )
    assessment = read_assessment(path)
    assert assessment.printed_index == Decimal("1.50") and assessment.printed_predikat == "Kurang"
    path.write_text("year = 2022\n[domains]\nD1 = 2\n[published]\nrank = 3\n", encoding="utf-8")
    with pytest.raises(InputError, match="published"):
        read_assessment(path)
