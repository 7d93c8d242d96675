"""The ``spbe`` command line, run as a user would: exit codes, one-line errors, JSON shapes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from spbe_engine.cli import main

from .conftest import DATA, EXAMPLES


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_score_news_case_json(capsys: pytest.CaptureFixture[str]) -> None:
    """The news case: Kota Bandar Lampung 2022, D1 2, D2 1, D3 1, D4 1.88 → 1.53 Kurang."""
    code, out, _ = run(capsys, "score", str(EXAMPLES / "bandar-lampung-2022.toml"), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["index"] == "1.53"
    assert data["predikat"] == "Kurang"
    assert data["index_candidates"] == ["1.53"]
    assert data["predikat_candidates"] == ["Kurang"]
    assert data["rubric"]["id"] == "spbe-2021"
    assert len(data["rubric"]["sha256"]) == 64
    assert [d["id"] for d in data["domains"]] == ["D1", "D2", "D3", "D4"]
    assert data["domains"][3]["index"] == "1.88"
    assert data["engine_version"]
    assert data["metadata"]["source"].startswith("SuaraLampung")


def test_score_levels_example(capsys: pytest.CaptureFixture[str]) -> None:
    """The indicator-level example scores to an exact index with every indicator explained."""
    code, out, _ = run(capsys, "score", str(EXAMPLES / "levels-2024.toml"), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["exact_index"] is not None
    assert len(data["indicators"]) == 47
    assert data["index"] == data["index_candidates"][0]


def test_score_explain(capsys: pytest.CaptureFixture[str]) -> None:
    """--explain shows the chain indicator → aspect → domain → index → predikat with the band rule."""
    code, out, _ = run(capsys, "score", str(EXAMPLES / "levels-2024.toml"), "--explain")
    assert code == 0
    for needle in ("I47", "A8 = ", "D4 = ", "Index = ", "half-up to 2 decimals", "unrounded", "→"):
        assert needle in out


def test_score_explain_aggregates(capsys: pytest.CaptureFixture[str]) -> None:
    """--explain on published domains shows the exact values each published figure stands for."""
    code, out, _ = run(capsys, "score", str(EXAMPLES / "bandar-lampung-2022.toml"), "--explain")
    assert code == 0
    assert "171/91" in out and "Kurang" in out


def test_rubrics_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`spbe rubrics --json` lists versions with legal basis, years, counts, plugin and hash."""
    code, out, _ = run(capsys, "rubrics", "--json")
    assert code == 0
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["spbe-2021"]["counts"] == {"domain": 4, "aspect": 8, "indicator": 47}
    assert rows["spbe-2018"]["years"] == [2018, 2019, 2020]
    assert "59 Tahun 2020" in rows["spbe-2024"]["legal_basis"]
    assert rows["spbe-2024"]["plugin"] == "spbe-2024"


def test_rubric_show_criteria(capsys: pytest.CaptureFixture[str]) -> None:
    """`spbe rubric show ID --criteria` shows the tree with weights and level criteria."""
    code, out, _ = run(capsys, "rubric", "show", "spbe-2024", "--criteria", "--json")
    assert code == 0
    data = json.loads(out)
    d4 = data["tree"][3]
    assert (d4["id"], d4["weight"]) == ("D4", "45.5")
    first = data["tree"][0]["groups"][0]["indicators"][0]
    assert first["id"] == "I1" and first["weight"] == "1.3"
    assert set(first["criteria"]["levels"]) == {"1", "2", "3", "4", "5"}
    code, out, _ = run(capsys, "rubric", "show", "spbe-2024", "--criteria")
    assert code == 0 and "Rintisan" in out and "I47" in out


def test_batch_published_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`spbe batch` on the 2023 table agrees with every unsuspect row; the bad row is reported."""
    out_file = tmp_path / "out.csv"
    code, _, err = run(capsys, "batch", str(DATA / "spbe-2023-published.csv"), "--out", str(out_file))
    assert code == 1
    assert "1 of 621 rows had errors" in err
    with out_file.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 621
    for row in rows:
        if row["status"] == "error":
            assert "Banyuasin" in row["instansi"] and "D4" in row["message"]
            continue
        assert row["input_index"] in row["index_candidates"].split(";")
        assert row["input_predikat"] in row["predikat_candidates"].split(";")
        if row["index"]:
            assert row["index"] == row["input_index"]
        if row["predikat"]:
            assert row["predikat"] == row["input_predikat"]
        assert row["rubric"] == "spbe-2023"
        assert row["category"]  # carried through


def test_batch_json_lines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--json writes one object per row with the result keys and the row's input."""
    code, out, _ = run(capsys, "batch", str(EXAMPLES / "published-domains.csv"), "--json")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 8
    keys = {"index", "exact_index", "index_candidates", "predikat", "predikat_candidates", "rubric", "status"}
    assert all(keys <= set(r) for r in records)
    pacitan = records[0]
    assert (pacitan["index"], pacitan["exact_index"], pacitan["predikat"]) == ("3.50", "3.4985", "Baik")
    assert pacitan["input"]["source"] == "reference §5.2"


def test_batch_levels_and_bad_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Indicator-level rows: bad rows get an error status naming the column; the rest are scored."""
    header = ["instansi", "year", *[f"i{n}" for n in range(1, 48)], "opd"]
    good = ["A", "2024", *["3"] * 47, "x"]
    rows = [
        good,
        ["B", "2024", *["3"] * 46, "6", "y"],
        ["C", "2024", *["tiga"] * 47, "z"],
        ["D", "2030", *["3"] * 47, "w"],
        ["E", "2024", "3"],
        good,
    ]
    path = tmp_path / "levels.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    code, out, _ = run(capsys, "batch", str(path))
    assert code == 1
    result = list(csv.DictReader(io.StringIO(out)))
    assert [r["status"] for r in result] == ["ok", "error", "error", "error", "error", "ok"]
    assert "I47" in result[1]["message"] and "6" in result[1]["message"]
    assert "tiga" in result[2]["message"]
    assert "2030" in result[3]["message"]
    assert "fields" in result[4]["message"]
    assert result[0]["index"] == "3.00" and result[0]["opd"] == "x"


@pytest.mark.parametrize(
    ("content", "suffix", "needle"),
    [
        ("year = 2024\n[levels]\nI1 = 3\nI1 = 4\n", ".toml", "malformed TOML"),
        ("year = 2024\n[levels\n", ".toml", "malformed TOML"),
        ('{"year": 2024, "levels": {"I1": 3, "I1": 4}}', ".json", "duplicate key"),
        ('{"year": 2024, "levels": ', ".json", "malformed JSON"),
        ("year = 2024\n[domains]\nD1 = 2\nD2 = 1\nD3 = 1\nD4 = 1\nD5 = 1\n", ".toml", "D5"),
        ("year = 2024\n[levels]\nI99 = 3\n", ".toml", "I99"),
        ("year = 2010\n[levels]\nI1 = 3\n", ".toml", "no rubric governs"),
        ("rubric = 'spbe-1999'\n[levels]\nI1 = 3\n", ".toml", "unknown rubric"),
        ("year = 2024\nlevle = 3\n", ".toml", "unknown field"),
        ("year = 2024\n[levels]\nI1 = 2.5\n", ".toml", "whole number"),
        ("year = 2024\n", ".toml", "no scores"),
        ("x", ".txt", "unknown assessment file type"),
    ],
)
def test_score_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, suffix: str, needle: str
) -> None:
    """Bad input gives exactly one line naming the file and the problem, and exit code 2."""
    path = tmp_path / f"assessment{suffix}"
    path.write_text(content, encoding="utf-8")
    code, out, err = run(capsys, "score", str(path))
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert needle in err
    assert str(path) in err


def test_missing_file(capsys: pytest.CaptureFixture[str]) -> None:
    """A missing file is one line and exit 2."""
    code, _, err = run(capsys, "score", "no/such/file.toml")
    assert code == 2 and "file not found" in err and "no/such/file.toml" in err


def test_unknown_rubric_option(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown --rubric names the registered ones."""
    code, _, err = run(capsys, "batch", str(EXAMPLES / "published-domains.csv"), "--rubric", "nope")
    assert code == 2 and "unknown rubric" in err and "spbe-2024" in err


def test_malformed_csv_header(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A CSV with a duplicate column is refused as a whole, in one line."""
    path = tmp_path / "dup.csv"
    path.write_text("instansi,year,D1,d1\nA,2024,1,1\n", encoding="utf-8")
    code, _, err = run(capsys, "batch", str(path))
    assert code == 2 and "duplicate" in err and "d1" in err


def test_console_script_no_traceback(tmp_path: Path) -> None:
    """The installed `spbe` command prints no traceback on bad input."""
    path = tmp_path / "bad.toml"
    path.write_text("year = 2024\n[levels]\nI1 = 0\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "spbe_engine", "score", str(path)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "I1" in proc.stderr and "out of range" in proc.stderr
