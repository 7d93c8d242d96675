"""Impact over a population: the 2023 published table under the 2024 band rule, and a structure change."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from spbe_engine import Engine
from spbe_engine._impact import measure_impact
from spbe_engine._impact_report import impact_to_html, impact_to_json
from spbe_engine.batch import read_batch

from .conftest import DATA
from .test_cli import run

TABLE = DATA / "spbe-2023-published.csv"


@pytest.fixture(scope="module")
def impact_2023(engine: Engine):
    return measure_impact(engine, read_batch(TABLE), "spbe-2023", "spbe-2024")


def test_2023_table_under_the_2024_band_rule(impact_2023) -> None:
    """Only the band rule differs: no index changes, and the two boundary rows at 1.80 drop to Kurang."""
    impact = impact_2023
    moved = {(r.instansi, r.before_predikat, r.after_predikat) for r in impact.movers(50)}
    assert moved == {
        ("Pemerintah Kab. Nias Barat", ("Cukup",), ("Kurang",)),
        ("Pemerintah Kab. Boven Digoel", ("Cukup",), ("Kurang",)),
    }
    assert impact.matrix[("Cukup", "Kurang")] == 2
    assert sum(n for (a, b), n in impact.matrix.items() if a != b) == 2
    assert set(impact.changes) == {0} and impact.band_rule_moves == 2
    assert all(d.change == 0 and d.attributed == 0 for d in impact.drivers)


def test_candidates_are_counted_apart(impact_2023) -> None:
    """Rows whose published values admit several predikat are not in the matrix; every row is counted once."""
    impact = impact_2023
    ambiguous = [r for r in impact.rows if r.status == "ambiguous"]
    assert ambiguous and all(len(r.before_predikat) > 1 or len(r.after_predikat) > 1 for r in ambiguous)
    assert sum(impact.matrix.values()) + len(ambiguous) + impact.count("partial") + impact.count("error") == 621
    assert impact.count("error") == 1  # the OCR-garbled Kab. Banyuasin row, reported, not dropped


def test_structure_change_with_policy(engine: Engine, tmp_path: Path) -> None:
    """spbe-2024 → pemdi-2026 with impute:lowest: exact changes, drivers kept apart per rubric."""
    batch = tmp_path / "levels.jsonl"
    rows = [{"instansi": f"X{lv}", "levels": {f"I{n}": lv for n in range(1, 48)}} for lv in (1, 3, 5)]
    batch.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    impact = measure_impact(engine, read_batch(batch, "spbe-2024"), "spbe-2024", "pemdi-2026", "impute:lowest")
    change = {r.instansi: r.change for r in impact.rows}
    # level L everywhere: 68 % mapped at L, 32 % imputed at 1 → 0.68 L + 0.32, against L before
    assert change == {"X1": 0, "X3": Fraction(236, 100) - 3, "X5": Fraction(372, 100) - 5}
    assert impact.movers(1)[0].instansi == "X5"
    assert [d.after is None for d in impact.drivers] == [False] * 0 + [True] * 4 + [False] * 7
    assert impact.drivers[0].name.endswith("(spbe-2024)") and impact.drivers[-1].name.endswith("(pemdi-2026)")
    mean_change = sum(impact.changes, Fraction(0)) / len(impact.changes)
    assert sum(d.attributed for d in impact.drivers if d.attributed is not None) == mean_change
    data = impact_to_json(impact)
    assert data["missing_policy"] == "impute:lowest" and data["summary"]["change_min"] == "-1.28"


def test_html_report_is_self_contained(impact_2023) -> None:
    """The HTML report embeds plotly.js (opens offline) and names the rows that move."""
    page = impact_to_html(impact_2023)
    assert page.startswith("<!DOCTYPE html>") and "Pemerintah Kab. Nias Barat" in page
    assert "<script src=" not in page and "plotly" in page.lower() and len(page) > 1_000_000


def test_cli_impact(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`spbe impact --json --html`: the JSON summary, and the report file written."""
    html = tmp_path / "impact.html"
    code, out, err = run(
        capsys,
        "impact",
        str(TABLE),
        "--from",
        "spbe-2023",
        "--to",
        "spbe-2024",
        "--json",
        "--html",
        str(html),
    )
    data = json.loads(out)
    # Kab. Banyuasin's row is an error: exit 1, as spbe batch and spbe rescore do.
    assert code == 1 and "1 of 621 rows had errors" in err
    assert data["summary"]["predikat_changed"] == 2 and html.stat().st_size > 1_000_000
    cukup = data["matrix"]["rows"].index("Cukup")
    assert data["matrix"]["counts"][cukup][data["matrix"]["columns"].index("Kurang")] == 2
    code, out, err = run(capsys, "impact", str(TABLE), "--from", "spbe-2024", "--to", "pemdi-2026")
    assert code == 2 and "--missing" in err


def test_engine_impact_new_bands(engine: Engine) -> None:
    """Level 4 everywhere: index 4.00 is Sangat Baik under SPBE (< 4.2) but Memuaskan under Pemdi (>= 4.0)."""
    from spbe_engine import Assessment

    people = [Assessment(levels={f"I{n}": level for n in range(1, 48)}, instansi=f"L{level}") for level in (2, 4)]
    impact = engine.impact(people, "spbe-2024", "pemdi-2026", missing="impute:overall-mean")
    assert dict(impact.matrix) == {("Cukup", "Cukup"): 1, ("Sangat Baik", "Memuaskan"): 1}
    assert impact.changes == (0, 0) and impact.band_rule_moves == 1
