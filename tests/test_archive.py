"""The archive on SQLite and PostgreSQL: import, rescore, history, show, diff, listings, export."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from spbe_engine import Engine
from spbe_engine.archive import Archive, ArchiveError
from spbe_engine.archive.tables import scoring
from spbe_engine.batch import rescore_file, score_file

from .archive_helpers import BACKENDS, database, level_rows, write_csv
from .conftest import DATA

PUBLISHED = DATA / "spbe-2023-published.csv"


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def archive(db_url: str, engine: Engine) -> Iterator[Archive]:
    with Archive.init(db_url, engine=engine) as opened:
        yield opened


def test_import_stores_every_row_and_scores_it_under_its_own_rubric(archive: Archive) -> None:
    """The 2023 table goes in as it is: 621 assessments, each scored under spbe-2023 in the import run."""
    report = archive.import_file(PUBLISHED, source="Laporan Evaluasi SPBE 2023")
    assert (report.imported, report.duplicates, report.refused) == (621, 0, 0)
    assert report.statuses == {"error": 1, "ok": 620}  # the printed index picks among two candidates
    assert report.run.kind == "import" and report.run.rows == 621
    page = archive.assessments({"instansi": "Pemerintah Kota Bandar Lampung"})
    (found,) = page.items
    assert (found.year, found.kind, found.printed_index, found.printed_predikat) == (
        2023,
        "aggregates",
        "2.15",
        "Cukup",
    )
    assert found.scores == {"D1": "1.40", "D2": "1.70", "D3": "1.00", "D4": "3.04"}
    assert found.source == "Laporan Evaluasi SPBE 2023" and found.origin_file == PUBLISHED.name
    view = archive.show(found.id)
    (own,) = view.scorings
    assert own.rubric_id == "spbe-2023" and own.rubric_sha256 == archive.engine.rubric("spbe-2023").sha256
    # D1 1.40 … D4 3.04 admit 2.15 and 2.16; the printed 2.15 narrows them
    assert own.result["index_candidates"] == ["2.15"] and own.status == "ok"
    assert own.result["printed"].startswith("narrowed")
    assert view.instansi.category == "Kota"
    assert view.assessment.input is not None and view.assessment.input["ocr_note"] == ""


def test_importing_the_same_content_twice_is_a_no_op(archive: Archive) -> None:
    """A second import of the same file adds no assessment and no scoring, and says they are duplicates."""
    archive.import_file(PUBLISHED)
    again = archive.import_file(PUBLISHED)
    assert (again.imported, again.duplicates) == (0, 621)
    assert again.duplicate_rows[0].assessment_id is not None
    assert len(archive.scorings(limit=1000).items) + len(archive.scorings(limit=1000, after=1000).items) == 621
    # a different source is a different assessment
    other = archive.import_file(PUBLISHED, source="a reprint")
    assert other.imported == 621


def test_a_row_without_scores_but_with_a_printed_index_is_kept(archive: Archive, tmp_path: Path) -> None:
    """A decree that printed only an index is an assessment of kind 'printed'; unreadable rows are refused."""
    path = tmp_path / "sources.csv"
    path.write_text(
        "instansi,year,D1,D2,D3,D4,index,predikat,source\n"
        "Kota Bandar Lampung,2022,2.00,1.00,1.00,1.88,1.53,Kurang,news\n"
        "Kota Bandar Lampung,2022,,,,,1.50,Kurang,decree\n"
        ",2022,2,1,1,1,,,\n",
        encoding="utf-8",
    )
    report = archive.import_file(path)
    assert (report.imported, report.refused) == (2, 1)
    assert "instansi" in report.refused_rows[0].message
    kinds = sorted(a.kind for a in archive.assessments().items)
    assert kinds == ["aggregates", "printed"]


def test_a_row_holding_a_nul_character_is_refused_and_the_others_kept(archive: Archive, tmp_path: Path) -> None:
    """PostgreSQL cannot store a NUL in text: that row alone is refused, naming its field, on either backend."""
    path = tmp_path / "nul.jsonl"
    rows = [
        {"instansi": "Kab. Satu", "year": 2022, "domains": {"D1": "2.00", "D2": "1.00", "D3": "1.00", "D4": "1.88"}},
        {"instansi": "Kab.\x00Dua", "year": 2022, "domains": {"D1": "2", "D2": "1", "D3": "1", "D4": "1"}},
        {
            "instansi": "Kab. Tiga",
            "year": 2022,
            "domains": {"D1": "3", "D2": "1", "D3": "1", "D4": "1"},
            "metadata": {"note": "a\x00b"},
        },
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    report = archive.import_file(path)
    assert (report.imported, report.refused) == (1, 2)
    messages = [r.message for r in report.refused_rows]
    assert all("NUL" in m for m in messages) and "instansi" in messages[0] and "metadata.note" in messages[1]
    assert [i.name for i in archive.instansi().items] == ["Kab. Satu"]


def test_rescore_adds_scorings_and_never_changes_one(archive: Archive, tmp_path: Path) -> None:
    """A rescore is a new run of new scorings; the import's scorings are byte for byte what they were."""
    archive.import_file(write_csv(tmp_path / "levels.csv", level_rows(300)))
    archive.import_file(PUBLISHED)
    before = {s.id: s.to_json() for s in archive.scorings(limit=1000).items}
    report = archive.rescore("pemdi-2026", missing="impute:lowest")
    assert report.run.rows == 921
    assert report.statuses == {"error": 621, "ok": 300}  # published domain values cannot cross to pemdi-2026
    assert report.comparability == {"partial": 300}
    after = {s.id: s.to_json() for s in archive.scorings(limit=1000).items}
    assert all(after[k] == v for k, v in before.items())
    one = archive.scorings({"rubric": "pemdi-2026", "status": "ok"}, limit=1).items[0]
    assert one.source_rubric_id == "spbe-2024" and one.missing_policy == "impute:lowest"
    assert one.result["imputed"] == ["I6", "I7", "I8", "I11", "I12", "I20"]
    error = archive.scorings({"rubric": "pemdi-2026", "status": "error"}, limit=1).items[0]
    assert "cannot be crosswalked" in error.result["message"]


@pytest.mark.parametrize("missing", ["impute:lowest", "impute:group-mean", "leave"])
def test_archived_results_equal_spbe_rescore_and_spbe_batch(archive: Archive, tmp_path: Path, missing: str) -> None:
    """Every stored result is the row `spbe rescore` / `spbe batch` gives for the same input, bulk path or not."""
    rows = level_rows(120, seed=7)
    rows[3]["I5"] = 9  # a level out of range: an error row
    rows[4].pop("I47")  # a partial row
    path = tmp_path / "levels.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    archive.import_file(path)
    archive.rescore("pemdi-2026", missing=missing)
    engine = archive.engine
    expected_score = [_plain(r) for r in score_file(engine, path, partial=True)]
    expected_rescore = [_plain(r) for r, _ in rescore_file(engine, path, "pemdi-2026", missing=missing)]
    stored = {}
    for s in _all(archive):
        stored.setdefault(s.kind, {})[s.assessment_id] = s.result
    ids = sorted(stored["score"])
    assert [stored["score"][i] for i in ids] == expected_score
    assert [stored["rescore"][i] for i in ids] == expected_rescore


def _plain(result: object) -> dict[str, object]:
    values = dict(result.values)  # type: ignore[attr-defined]
    if result.error is not None:  # type: ignore[attr-defined]
        values["message"] = str(result.error)  # type: ignore[attr-defined]
    return values


def _all(archive: Archive, **where: str) -> list:
    out, after = [], None
    while True:
        page = archive.scorings(where, limit=1000, after=after)
        out.extend(page.items)
        if page.next is None:
            return out
        after = page.next


def test_history_gives_every_year_and_every_rubric(archive: Archive, tmp_path: Path) -> None:
    """One instansi's history: its assessments of every year, each under its own rubric and every rescoring."""
    rows = level_rows(3, seed=3, years=(2021, 2023, 2024), agencies=1)
    archive.import_file(write_csv(tmp_path / "one.csv", rows))
    archive.rescore("pemdi-2026", missing="impute:lowest")
    found = archive.history("instansi uji 000000")
    assert found.instansi.name == "Instansi Uji 000000"
    seen = [(e.assessment.year, e.scoring.rubric_id if e.scoring else None) for e in found.entries]
    assert seen == [
        (2021, "spbe-2021"),
        (2021, "pemdi-2026"),
        (2023, "spbe-2023"),
        (2023, "pemdi-2026"),
        (2024, "spbe-2024"),
        (2024, "pemdi-2026"),
    ]
    assert archive.history("Uji 0000").instansi.id == found.instansi.id  # a unique part of the name
    with pytest.raises(ArchiveError, match="no instansi"):
        archive.history("Kota Atlantis")


def test_diff_lists_predikat_changes_between_two_runs(archive: Archive) -> None:
    """2023 → 2024 rules: no index moves; Nias Barat and Boven Digoel drop from Cukup to Kurang."""
    first = archive.import_file(PUBLISHED).run
    second = archive.rescore("spbe-2024").run
    diff = archive.diff(first.id, second.id)
    assert diff.common == 621 and not diff.movers
    changed = sorted((c.instansi, c.predikat_a, c.predikat_b) for c in diff.predikat_changes)
    assert changed == [
        ("Pemerintah Kab. Boven Digoel", "Cukup", "Kurang"),
        ("Pemerintah Kab. Nias Barat", "Cukup", "Kurang"),
    ]
    assert diff.transitions["Cukup"]["Kurang"] == 2
    with pytest.raises(ArchiveError, match="no recorded run"):
        archive.diff(first.id, 99)


def test_diff_ranks_movers_by_index_change(archive: Archive, tmp_path: Path) -> None:
    """Movers are the largest index changes between runs, largest first."""
    first = archive.import_file(write_csv(tmp_path / "levels.csv", level_rows(40, seed=5))).run
    second = archive.rescore("pemdi-2026", missing="impute:lowest").run
    diff = archive.diff(first.id, second.id, top=5)
    assert len(diff.movers) == 5
    deltas = [abs(m.delta) for m in diff.movers]  # type: ignore[arg-type]
    assert deltas == sorted(deltas, reverse=True) and deltas[0] > 0


def test_listings_filter_and_paginate(archive: Archive) -> None:
    """Listings filter by year, predikat, status, rubric and run, and page by id."""
    archive.import_file(PUBLISHED)
    baik = _all(archive, predikat="Baik")
    assert len(baik) == 274 and all(s.predikat == "Baik" for s in baik)
    first = archive.scorings({"category": "Kota"}, limit=10)
    second = archive.scorings({"category": "Kota"}, limit=10, after=first.next)
    assert len(first.items) == 10 and first.items[-1].id < second.items[0].id
    assert archive.scorings({"year": "2024"}).items == ()
    assert len(archive.instansi({"category": "Provinsi"}, limit=100).items) == 38
    assert archive.runs().items[0].kind == "import"


def test_export_writes_every_visible_scoring(archive: Archive, tmp_path: Path) -> None:
    """CSV, JSON Lines and Parquet hold the same rows; Parquet keeps the index an exact decimal."""
    archive.import_file(PUBLISHED)
    text = io.StringIO()
    assert archive.export(text, fmt="csv") == 621
    lines = text.getvalue().splitlines()
    assert len(lines) == 622 and lines[0].startswith("scoring,run,kind,assessment,instansi")
    jsonl = io.StringIO()
    archive.export(jsonl, fmt="jsonl", where={"instansi": "Pemerintah Kota Bandar Lampung"})
    (row,) = [json.loads(line) for line in jsonl.getvalue().splitlines()]
    assert row["index_candidates"] == ["2.15"] and row["printed_index"] == "2.15"
    import pyarrow.parquet as pq

    out = tmp_path / "scorings.parquet"
    assert archive.export(out, fmt="parquet") == 621
    table = pq.read_table(out)
    assert table.num_rows == 621 and str(table.schema.field("index").type) == "decimal128(18, 2)"


def test_only_recorded_runs_are_visible(archive: Archive, tmp_path: Path, db_url: str) -> None:
    """Scorings whose run is not recorded (a run going on, or killed) are in no listing, history or export."""
    archive.import_file(write_csv(tmp_path / "levels.csv", level_rows(30)))
    seen: list[int] = []

    class Stop(Exception):
        pass

    def progress(done: int, total: int) -> None:
        seen.append(done)
        raise Stop

    with pytest.raises(Stop):
        archive.rescore("pemdi-2026", missing="impute:lowest", batch_rows=10, progress=progress)
    raw = create_engine(db_url)
    with raw.connect() as connection:
        assert connection.execute(select(func.count()).select_from(scoring)).scalar_one() == 40
    raw.dispose()
    assert len(_all(archive)) == 30
    assert archive.history("Instansi Uji 000001").entries[-1].scoring.rubric_id == "spbe-2024"  # type: ignore[union-attr]
    (pending,) = archive.unfinished()
    assert pending["scorings_so_far"] == 10
    done = archive.rescore("pemdi-2026", missing="impute:lowest", batch_rows=10)
    assert done.adopted and done.adopted_rows == 10 and done.run.rows == 30
    assert archive.unfinished() == []
