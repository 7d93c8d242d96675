"""verify and audit, on SQLite and PostgreSQL; the command line walkthrough of docs/archive.md."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import Engine
from spbe_engine.archive import Archive
from spbe_engine.cli import main

from .archive_helpers import BACKENDS, database, level_rows, write_csv
from .conftest import DATA, EXAMPLES, ROOT
from .rubric_helpers import engine_with, variant

PUBLISHED = DATA / "spbe-2023-published.csv"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        yield url


def _rows_under(rubric: str, count: int) -> list[dict[str, Any]]:
    rows = level_rows(count, seed=11)
    for row in rows:
        row["rubric"] = rubric
    return rows


def test_verify_reproduces_every_scoring_and_names_the_rubric_hash_that_drifted(
    db_url: str, engine: Engine, tmp_path: Path
) -> None:
    """Scored under one rubric content, verified under another: the changed rows are listed, the hash named."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    before = engine_with(variant(tmp_path / "a", lambda t: t))
    after = engine_with(variant(tmp_path / "b", lambda t: t.replace('predikat = "Baik"', 'predikat = "Baik (revisi)"')))
    rows = _rows_under("test-2021", 60)
    with Archive.init(db_url, engine=before) as archive:
        archive.import_file(write_csv(tmp_path / "levels.csv", rows))
        archive.import_file(PUBLISHED)
        archive.rescore("spbe-2024")
        clean = archive.verify()
    assert clean.ok and clean.checked == 2 * 681 and clean.drift == ()
    with Archive(db_url, engine=after) as archive:
        report = archive.verify()
    baik = sum(1 for s in archive_results(db_url, before, "test-2021") if s == "Baik")
    # each Baik row's own scoring, and its rescoring from test-2021 (whose from_predikat changes)
    assert baik > 0 and report.not_reproduced == 2 * baik and report.reproduced == report.checked - 2 * baik
    (drift,) = report.drift
    assert drift.what == "rubric" and drift.id == "test-2021"
    assert drift.stored_sha256 == before.rubric("test-2021").sha256
    assert drift.installed_sha256 == after.rubric("test-2021").sha256
    assert drift.scorings == 120 and drift.not_reproduced == 2 * baik
    first = report.mismatches[0]
    assert first.changed["predikat"] == ["Baik", "Baik (revisi)"]


def archive_results(url: str, engine: Engine, rubric: str) -> list[str | None]:
    with Archive(url, engine=engine) as archive:
        return [s.predikat for s in archive.scorings({"rubric": rubric}, limit=1000).items]


def test_audit_finds_printed_figures_their_values_refute(db_url: str, engine: Engine, tmp_path: Path) -> None:
    """Banyuasin 2023 (D4 printed 0.30) admits no index; Bandar Lampung 2022's news and decree disagree."""
    with Archive.init(db_url, engine=engine) as archive:
        archive.import_file(PUBLISHED)
        archive.import_file(EXAMPLES / "bandar-lampung-2022-sources.csv")
        report = archive.audit()
    kinds = {(f.kind, f.instansi, f.year) for f in report.findings}
    assert ("not admitted", "Pemerintah Kab. Banyuasin", 2023) in kinds
    assert ("sources disagree", "Kota Bandar Lampung", 2022) in kinds
    (lampung,) = [f for f in report.findings if f.instansi == "Kota Bandar Lampung"]
    assert "printed 1.50, not among the 1.53" in lampung.explanation
    assert len(report.findings) == 2


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_the_walkthrough_runs_as_written(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """docs/archive.md's walkthrough: init, import, rescore, history, diff, verify, audit, export."""
    db = ["archive", "--db", db_url]
    assert _cli([*db, "init"], capsys)[0] == 0
    code, out, _ = _cli([*db, "import", str(PUBLISHED)], capsys)
    assert code == 0 and "run #1: imported 621 assessments" in out
    assert "621 duplicates" in _cli([*db, "import", str(PUBLISHED)], capsys)[1]
    assert _cli([*db, "import", str(EXAMPLES / "levels-2024.jsonl")], capsys)[0] == 0
    code, out, _ = _cli([*db, "rescore", "--to", "pemdi-2026", "--missing", "impute:lowest"], capsys)
    assert code == 0 and "run #4: rescored 624 assessments under pemdi-2026" in out and "621 error, 3 ok" in out
    # Why they are errors, once, and how to list every one: published domain values have no indicator-level route.
    assert "first error (assessment " in out and "cannot be crosswalked at indicator level" in out
    assert "every error: spbe archive list --where run=4 --where status=error" in out
    code, out, _ = _cli([*db, "rescore", "--to", "spbe-2024"], capsys)
    assert code == 0 and "run #5" in out
    code, out, _ = _cli([*db, "history", "Bandar Lampung", "--format", "csv"], capsys)
    assert code == 0 and out.count("\n") == 4 and "spbe-2023" in out and "pemdi-2026" in out
    code, out, _ = _cli([*db, "diff", "1", "5"], capsys)
    assert code == 0 and "predikat changes: 2" in out and "Nias Barat 2023: Cukup → Kurang" in out
    code, out, _ = _cli([*db, "verify"], capsys)
    assert code == 0 and "1872 scorings checked: 1872 reproduce, 0 do not" in out
    code, out, _ = _cli([*db, "audit"], capsys)
    assert code == 0 and "Banyuasin" in out
    code, out, _ = _cli([*db, "show", "1", "--json"], capsys)
    assert code == 0 and len(json.loads(out)["scorings"]) == 3
    code, out, _ = _cli([*db, "list", "--where", "predikat=Kurang", "--where", "run=5", "--json"], capsys)
    assert code == 0 and {s["predikat"] for s in json.loads(out)["items"]} == {"Kurang"}
    code, out, _ = _cli([*db, "export", "--format", "jsonl", "--where", "run=4"], capsys)
    assert code == 0 and len(out.splitlines()) == 624
    code, out, _ = _cli([*db, "runs", "--format", "csv"], capsys)
    assert code == 0 and out.splitlines()[1].startswith("#5,rescore")


def test_import_refusals_exit_1_and_bad_filters_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file with refused rows exits 1 listing them; an unknown filter is one line and exit 2."""
    db = ["archive", "--db", str(tmp_path / "a.sqlite")]
    _cli([*db, "init"], capsys)
    path = tmp_path / "bad.csv"
    path.write_text("instansi,year,I1\n,2024,3\n", encoding="utf-8")
    code, _, err = _cli([*db, "import", str(path)], capsys)
    assert code == 1 and "row 1 (line 2) refused" in err
    code, _, err = _cli([*db, "list", "--where", "colour=red"], capsys)
    assert code == 2 and err.count("\n") == 1 and "unknown filter" in err


def test_without_the_extra_the_group_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`spbe archive` without SQLAlchemy: one line with the install command, exit 2."""
    real = importlib.util.find_spec

    def find_spec(name: str, *args: Any, **kwargs: Any) -> Any:
        return None if name == "sqlalchemy" else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    code, out, err = _cli(["archive", "init"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "pip install '.[archive]'" in err


@pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.reset_index:pandas.errors.Pandas4Warning")
def test_the_dask_example_of_the_docs_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/archive.md's Dask block (Dask's own Parquet reader warns under pandas 3.1; only that is ignored)."""
    pytest.importorskip("dask.dataframe")
    text = (ROOT / "docs" / "archive.md").read_text(encoding="utf-8")
    block = next(b for b in text.split("```python\n")[1:] if "dd.read_parquet" in b).split("```")[0]
    monkeypatch.chdir(ROOT)
    exec(compile(block, "docs/archive.md", "exec"), {"__name__": "archive_doc"})
