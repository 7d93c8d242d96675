"""Rescoring through crosswalks: coverage, comparability, explicit missing-data policies, the CLI."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from spbe_engine import Assessment, Engine, InputError

from .conftest import DATA
from .test_cli import run

ALL_2024 = {f"I{n}": 3 for n in range(1, 48)}
NIAS_BARAT_2023 = Assessment(aggregates={"D1": "1.00", "D2": "1.00", "D3": "1.00", "D4": "2.75"}, year=2023)


def test_no_policy_is_one_clear_error(engine: Engine) -> None:
    """Without a named policy, target indicators without a source are an error listing the policies."""
    with pytest.raises(InputError) as info:
        engine.rescore(ALL_2024, "pemdi-2026", source="spbe-2024")
    text = str(info.value)
    assert "I6, I7, I8, I11, I12, I20" in text
    assert "leave, impute:lowest, impute:group-mean, impute:overall-mean" in text


def test_leave_gives_a_partial_card(engine: Engine) -> None:
    """``leave``: sourceless targets stay unscored; coverage is the mapped weight (68 % here)."""
    done = engine.rescore(ALL_2024, "pemdi-2026", source="spbe-2024", missing="leave")
    assert not done.card.complete and done.card.index is None
    assert done.coverage == Fraction(68, 100) and done.comparability == "partial"
    assert done.left == ("I6", "I7", "I8", "I11", "I12", "I20")
    assert done.card.partial_index == 3
    # the unscored 32 % range over levels 1..5: 0.68 * 3 + 0.32 * [1, 5]
    assert done.card.index_range == (Fraction(236, 100), Fraction(364, 100))


def test_impute_lowest_is_a_floor(engine: Engine) -> None:
    """``impute:lowest``: 68 % of the weight at level 3 and 32 % at level 1 give 2.36 (Cukup under Pemdi)."""
    done = engine.rescore(ALL_2024, "pemdi-2026", source="spbe-2024", missing="impute:lowest")
    assert done.card.exact_index == Fraction(236, 100)
    assert done.card.predikat == "Cukup"
    assert done.imputed == ("I6", "I7", "I8", "I11", "I12", "I20")
    assert done.comparability == "partial"


def test_mean_mapping_rounds_half_up(engine: Engine) -> None:
    """Pemdi I4 is the mean of SPBE I19 and I20, rounded half up: levels 2 and 3 give 3."""
    levels = dict(ALL_2024, I19=2, I20=3)
    done = engine.rescore(levels, "pemdi-2026", source="spbe-2024", missing="leave")
    level = {ind.id: ind.level for ind in done.card.indicators}
    assert level["I4"] == 3
    levels = dict(ALL_2024, I19=2, I20=2)
    done = engine.rescore(levels, "pemdi-2026", source="spbe-2024", missing="leave")
    assert {ind.id: ind.level for ind in done.card.indicators}["I4"] == 2


def test_group_mean_falls_back_to_the_overall_mean(engine: Engine) -> None:
    """spbe-2018 → spbe-2021: the new Manajemen domain has no source; group-mean falls back to all mapped levels."""
    levels = {ind.id: 4 for ind in engine.rubric("spbe-2018").indicators}
    done = engine.rescore(levels, "spbe-2021", source="spbe-2018", missing="impute:group-mean")
    assert done.card.exact_index == 4
    # unmapped: I3, I6, I7, I8, I9 (5 x 1.30), I17, I20 (2 x 2.50), I21-I31 (16.50), I38 (2.75), I43 (3.00)
    assert done.coverage == 1 - Fraction("33.75") / 100


def test_identity_changes_nothing(engine: Engine) -> None:
    """spbe-2021 → spbe-2024 is the generated identity: exact comparability, the same exact index."""
    levels = dict(ALL_2024, I1=5, I40=1)
    done = engine.rescore(Assessment(levels=levels, year=2021), "spbe-2024")
    assert done.comparability == "exact" and done.coverage == 1
    assert done.card.exact_index == done.source_card.exact_index == engine.score(levels, "spbe-2021").exact_index


def test_missing_source_levels_in_the_input(engine: Engine) -> None:
    """A source level absent from the input leaves its target without a source too, and says so."""
    levels = {k: v for k, v in ALL_2024.items() if k != "I25"}
    with pytest.raises(InputError, match="1 lack source levels in the input"):
        engine.rescore(Assessment(levels=levels, rubric="spbe-2021"), "spbe-2024")
    done = engine.rescore(Assessment(levels=levels, rubric="spbe-2021"), "spbe-2024", missing="impute:lowest")
    assert done.imputed == ("I25",) and done.coverage == 1 - Fraction(15, 1000)


def test_published_domains_rescore_at_group_level(engine: Engine) -> None:
    """Kab. Nias Barat 2023 (1.80 Cukup on the rounded index) is Kurang under the 2024 band rule."""
    done = engine.rescore(NIAS_BARAT_2023, "spbe-2024")
    assert done.granularity == "group" and done.comparability == "exact"
    assert done.source_card.predikat == "Cukup"
    assert done.card.index == Decimal("1.80") and done.card.predikat == "Kurang"


def test_published_domains_cannot_cross_a_structure_change(engine: Engine) -> None:
    """Domain values cannot be crosswalked at indicator level: one clear error."""
    with pytest.raises(InputError, match="cannot be crosswalked at indicator level"):
        engine.rescore(NIAS_BARAT_2023, "pemdi-2026", missing="leave")


def test_unknown_policy(engine: Engine) -> None:
    """An unknown policy name is refused with the list of policies."""
    with pytest.raises(InputError, match="allowed: leave, impute:lowest"):
        engine.rescore(ALL_2024, "pemdi-2026", source="spbe-2024", missing="impute:median")


def test_cli_rescore_2023_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`spbe rescore` over the 2023 table: every valid row rescored under spbe-2024, boundary rows move."""
    out_file = tmp_path / "out.csv"
    code, _, err = run(
        capsys,
        "rescore",
        str(DATA / "spbe-2023-published.csv"),
        "--to",
        "spbe-2024",
        "--out",
        str(out_file),
    )
    assert code == 1 and "1 of 621 rows had errors" in err  # the OCR-garbled Kab. Banyuasin row
    rows = list(csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"))))
    nias = next(r for r in rows if r["instansi"].endswith("Nias Barat"))
    assert (nias["from_predikat"], nias["predikat"], nias["comparability"]) == (
        "Cukup",
        "Kurang",
        "exact",
    )
    assert all(r["status"] in ("ok", "ambiguous", "error") for r in rows)


def test_cli_rescore_requires_a_policy(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`--to pemdi-2026 --from spbe-2024` without --missing exits 2 with one line naming the policies."""
    batch = tmp_path / "b.csv"
    batch.write_text(
        "instansi," + ",".join(ALL_2024) + "\nX," + ",".join("3" for _ in ALL_2024) + "\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "rescore", str(batch), "--to", "pemdi-2026", "--from", "spbe-2024")
    assert code == 2 and out == "" and "--missing" in err and "impute:group-mean" in err
    assert len(err.strip().splitlines()) == 1
    code, out, _ = run(
        capsys,
        "rescore",
        str(batch),
        "--to",
        "pemdi-2026",
        "--from",
        "spbe-2024",
        "--missing",
        "impute:lowest",
        "--json",
    )
    record = json.loads(out)
    assert code == 0 and record["index"] == "2.36" and record["coverage"] == "0.68"
    assert record["comparability"] == "partial" and record["imputed"] == [
        "I6",
        "I7",
        "I8",
        "I11",
        "I12",
        "I20",
    ]
