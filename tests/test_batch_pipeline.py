"""The batch pipeline from Python and from the command line: same rows, same results, clear refusals."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from spbe_engine import Engine, InputError, UnknownRubricError
from spbe_engine.batch import (
    RESCORE_COLUMNS,
    SCORE_COLUMNS,
    RowStatus,
    jsonl_line,
    rescore_file,
    write_csv,
    write_scores,
)
from spbe_engine.cli import main

from .conftest import DATA, EXAMPLES

IDS = [f"I{n}" for n in range(1, 48)]
TABLE = DATA / "spbe-2023-published.csv"


@pytest.mark.parametrize("fast", [False, True])
def test_score_file_equals_spbe_batch_json(engine: Engine, capsys: pytest.CaptureFixture[str], fast: bool) -> None:
    """engine.score_file yields the rows `spbe batch --json` prints, row for row, on the 2023 table."""
    results = list(engine.score_file(TABLE, fast=fast))
    assert main(["batch", str(TABLE), "--json"]) == 1  # Kab. Banyuasin's row is an error
    printed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [json.loads(jsonl_line(r)) for r in results] == printed
    assert len(results) == 621
    statuses = {r.status for r in results}
    assert statuses == {RowStatus.OK, RowStatus.ERROR}  # the printed index and predikat settle every sound row
    banyuasin = next(r for r in results if r.status is RowStatus.ERROR)
    assert "D4" in banyuasin.message and banyuasin.card is None and banyuasin.error is not None


def test_score_file_checks_before_reading(engine: Engine, tmp_path: Path) -> None:
    """An unknown rubric, a file type or a missing file is raised when score_file is called, not per row."""
    path = tmp_path / "in.csv"
    path.write_text("instansi,year,I1\nA,2024,3\n", encoding="utf-8")
    with pytest.raises(UnknownRubricError, match="unknown rubric"):
        engine.score_file(path, "spbe-1999")
    with pytest.raises(InputError, match="unknown batch file type"):
        engine.score_file(tmp_path / "in.xml")
    with pytest.raises(InputError, match="file not found"):
        engine.score_file(tmp_path / "missing.csv")


@pytest.mark.parametrize("fast", [False, True])
def test_malformed_first_row_keeps_the_header(engine: Engine, tmp_path: Path, fast: bool) -> None:
    """A first row with too few fields is an error row; the output still carries every input column."""
    path = tmp_path / "in.csv"
    good = "B,2024," + ",".join("3" * 47)
    path.write_text("instansi,year," + ",".join(IDS) + "\nA,2024,3\n" + good + "\n", encoding="utf-8")
    out = io.StringIO()
    assert write_scores(engine, path, out, fast=fast) == (2, 1)
    header, first, second = out.getvalue().splitlines()
    assert header.split(",") == ["instansi", "year", *IDS, *SCORE_COLUMNS]
    assert first.startswith("," * (len(IDS) + 2)) and "has 3 fields but the header has 49" in first
    assert second.startswith(good + ",3.00,3,3.00,Baik,Baik,spbe-2024,ok,")


def test_rescore_file_streams_rows(engine: Engine) -> None:
    """rescore_file gives each row's result with its Rescored; the CSV serializer writes the rescore columns."""
    rows = list(rescore_file(engine, EXAMPLES / "levels-2024.jsonl", "pemdi-2026", missing="impute:lowest"))
    assert rows and all(result.status is RowStatus.OK for result, _ in rows)
    for result, done in rows:
        assert done is not None and result.card == done.card
        assert result.values["rubric"] == "pemdi-2026" and result.values["from_rubric"] == "spbe-2024"
    out = io.StringIO()
    assert write_csv(out, (result for result, _ in rows), RESCORE_COLUMNS) == (len(rows), 0)
    assert out.getvalue().splitlines()[0].endswith(",".join(RESCORE_COLUMNS))


def test_out_in_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--out in a folder that does not exist: exit 2 and one line naming the path."""
    target = tmp_path / "no-such-folder" / "out.csv"
    assert main(["batch", str(EXAMPLES / "published-domains.csv"), "--out", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "--out" in err and "does not exist" in err and str(target) in err


def test_refused_batch_leaves_out_untouched(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A batch refused before its first row (an unknown rubric) does not truncate an existing --out file."""
    target = tmp_path / "out.csv"
    target.write_text("kept\n", encoding="utf-8")
    args = ["batch", str(EXAMPLES / "published-domains.csv"), "--rubric", "nope", "--out", str(target)]
    assert main(args) == 2
    assert "unknown rubric" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "kept\n"
    empty = tmp_path / "header-only.csv"
    empty.write_text("instansi,year,I1\n", encoding="utf-8")
    assert main(["batch", str(empty), "--out", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == ""  # a completed batch with no rows writes an empty file


@pytest.mark.parametrize("fast", [False, True])
def test_semicolon_csv_is_read_as_meant(engine: Engine, tmp_path: Path, fast: bool) -> None:
    """A CSV saved with ';' between fields (Excel in an Indonesian locale) scores as its comma twin does."""
    rows = ["instansi;year;" + ";".join(IDS), "A;2024;" + ";".join("3" * 47), "B;2024;" + ";".join("4" * 47)]
    semi = tmp_path / "semi.csv"
    semi.write_text("\n".join(rows) + "\n", encoding="utf-8")
    comma = tmp_path / "comma.csv"
    comma.write_text("\n".join(r.replace(";", ",") for r in rows) + "\n", encoding="utf-8")
    got = [r.values for r in engine.score_file(semi, fast=fast)]
    assert got == [r.values for r in engine.score_file(comma, fast=fast)]
    assert [v["index"] for v in got] == ["3.00", "4.00"]


def test_row_results_and_bulk_results_cross_processes(engine: Engine) -> None:
    """RowResult (with its card and error) and BatchResult pickle and come back equal."""
    import copy
    import pickle

    results = list(engine.score_file(TABLE, fast=False))
    again = pickle.loads(pickle.dumps(results))
    assert again == results
    error = next(r for r in again if r.status is RowStatus.ERROR)
    assert error.error is not None and error.error.field == "D4"
    assert again[0].card is not None and again[0].card.groups == results[0].card.groups  # type: ignore[union-attr]
    bulk = engine.score_many([{f"I{n}": 3 for n in range(1, 48)}, {"I1": 9}], rubric="spbe-2024")
    copied = pickle.loads(pickle.dumps(bulk))
    assert copied.errors() == bulk.errors() and copied.indices() == bulk.indices()
    assert copy.deepcopy(bulk).errors() == bulk.errors()
