"""The archive under /v1/archive, in process through the ASGI test client, on SQLite and on PostgreSQL.

Each archive is filled through the Python API (the 2023 national table, the
three level assessments, one rescore under spbe-2024); the service's answers
are compared with what the same API returns and with the table's published
facts (the two predikat changes of docs/archive.md), and every refusal is
an RFC 9457 problem with the archive's own line.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import Engine

from .archive_helpers import BACKENDS, database
from .conftest import EXAMPLES, ROOT
from .service_helpers import client

pytest.importorskip("sqlalchemy", reason="the archive extra is not installed")

from spbe_engine.archive import Archive

TABLE = ROOT / "tests" / "data" / "spbe-2023-published.csv"
READER, WRITER = "reader-token", "writer-token"
TOKENS = {"archive_read_tokens": {READER}, "archive_write_tokens": {WRITER}}


def _bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def _problem(response: Any, status: int, kind: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["kind"] == kind and problem["detail"]
    assert "Traceback" not in response.text
    return problem


class Filled:
    """An archive with the 2023 table imported (run 1), the level rows (run 2) and a spbe-2024 rescore (run 3)."""

    def __init__(self, url: str, engine: Engine) -> None:
        self.url = url
        with Archive.init(url, engine=engine) as archive:
            self.table = archive.import_file(TABLE)
            self.levels = archive.import_file(EXAMPLES / "levels-2024.jsonl")
            self.rescore = archive.rescore("spbe-2024", where={"year": "2023"})


@pytest.fixture(scope="module", params=BACKENDS)
def filled(
    request: pytest.FixtureRequest, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Filled]:
    with database(request.param, tmp_path_factory.mktemp("archive")) as url:
        yield Filled(url, engine)


@pytest.fixture(scope="module")
def api(filled: Filled, engine: Engine) -> Iterator[Any]:
    with client(engine, archive_url=filled.url, **TOKENS) as test_client:
        test_client.headers.update(_bearer(READER))
        yield test_client


@pytest.fixture(scope="module")
def python_api(filled: Filled, engine: Engine) -> Iterator[Archive]:
    with Archive(filled.url, engine=engine) as archive:
        yield archive


# -- reads --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filters",
    [
        {"year": "2023", "predikat": "Kurang"},
        {"rubric": "spbe-2024", "status": "ok", "predikat": "Cukup"},
        {"instansi": "Pemerintah Kota Bandar Lampung"},
        {"status": "error"},
        {"year": "2024..2025", "rubric": "spbe-2024"},
    ],
)
def test_scorings_filter_as_the_python_api(api: Any, python_api: Archive, filters: dict[str, str]) -> None:
    """GET /scorings with filters answers what Archive.scorings gives, and every item meets each filter."""
    body = api.get("/v1/archive/scorings", params={**filters, "limit": 1000, "total": "true"}).json()
    assert body["items"] == python_api.scorings(filters, limit=1000).to_json()["items"]
    assert body["items"] and body["total"] == len(body["items"]) and body["next"] is None
    for item in body["items"]:
        assert item["predikat"] == filters.get("predikat", item["predikat"])
        assert item["status"] == filters.get("status", item["status"])
        assert item["rubric_id"] == filters.get("rubric", item["rubric_id"])


def test_pages_follow_next_links_to_every_item(api: Any) -> None:
    """Walking the `next_url` links with a small limit visits every item of the whole listing once, in order."""
    whole = api.get("/v1/archive/scorings", params={"predikat": "Kurang", "limit": 1000, "total": "true"}).json()
    seen: list[int] = []
    url: str | None = "/v1/archive/scorings?predikat=Kurang&limit=7&total=true"
    pages = 0
    while url is not None:
        page = api.get(url).json()
        assert len(page["items"]) <= 7 and page["total"] == whole["total"]
        seen.extend(item["id"] for item in page["items"])
        url, pages = page["next_url"], pages + 1
    assert seen == [item["id"] for item in whole["items"]] and len(set(seen)) == len(seen)
    assert pages == -(-len(seen) // 7) and pages > 2


def test_assessments_and_instansi_listings(api: Any, python_api: Archive, filled: Filled) -> None:
    """Assessments filter by year and kind; instansi page by cursor; totals count every page."""
    levels = api.get("/v1/archive/assessments", params={"kind": "levels", "year": "2024", "source": "none"}).json()
    assert levels["items"] == []
    params = {"kind": "levels", "import": filled.levels.run.id, "total": "true"}
    levels = api.get("/v1/archive/assessments", params=params).json()
    assert levels["total"] == 3 and {a["year"] for a in levels["items"]} == {2024}
    table = api.get("/v1/archive/assessments", params={"year": "2023", "limit": 5, "total": "true"}).json()
    assert table["total"] == 621 and len(table["items"]) == 5 and table["next"] == table["items"][-1]["id"]
    first = api.get("/v1/archive/instansi", params={"limit": 10, "total": "true"}).json()
    second = api.get("/v1/archive/instansi", params={"limit": 10, "after": first["next"]}).json()
    assert first["total"] == python_api.count("instansi")
    assert [i["id"] for i in first["items"] + second["items"]] == [i.id for i in python_api.instansi(limit=20).items]
    assert api.get("/v1/archive/instansi", params={"instansi": "kota bandar  lampung"}).json()["items"] == []
    named = api.get("/v1/archive/instansi", params={"instansi": "pemerintah kota bandar  lampung"}).json()
    assert [i["name"] for i in named["items"]] == ["Pemerintah Kota Bandar Lampung"]


def test_history_and_one_assessment(api: Any, python_api: Archive) -> None:
    """An instansi's history is Archive.history's; an assessment shows its input row and every scoring."""
    history = api.get("/v1/archive/instansi/Kota Bandar Lampung/history").json()
    assert history == python_api.history("Kota Bandar Lampung").to_json()
    assert [e["scoring"]["rubric_id"] for e in history["entries"]] == ["spbe-2023", "spbe-2024"]
    ident = history["entries"][0]["assessment"]["id"]
    by_id = api.get(f"/v1/archive/instansi/{history['instansi']['id']}/history").json()
    assert by_id == history
    shown = api.get(f"/v1/archive/assessments/{ident}").json()
    assert shown == python_api.show(ident).to_json() and len(shown["scorings"]) == 2 and shown["assessment"]["input"]
    _problem(api.get("/v1/archive/instansi/Kabupaten Tidak Ada/history"), 404, "NotFound")
    _problem(api.get("/v1/archive/instansi/Kab./history"), 404, "NotFound")  # several match: name one
    _problem(api.get("/v1/archive/assessments/999999"), 404, "NotFound")
    for odd in ("99999999999999999999999", "²", "%00"):  # wider than any id, a digit only to isdigit(), a NUL
        assert api.get(f"/v1/archive/instansi/{odd}/history").status_code in (400, 404)


def test_runs_and_their_diff(api: Any, filled: Filled) -> None:
    """Runs list newest first; the table's rescore under spbe-2024 changes two predikat (docs/archive.md)."""
    runs = api.get("/v1/archive/runs").json()["items"]
    assert [r["id"] for r in runs[-3:]] == [filled.rescore.run.id, filled.levels.run.id, filled.table.run.id]
    assert api.get(f"/v1/archive/runs/{filled.table.run.id}").json() == filled.table.run.to_json()
    older = api.get("/v1/archive/runs", params={"kind": "import", "limit": 1}).json()
    assert older["items"][0]["kind"] == "import" and older["next"] is not None
    diff = api.get(f"/v1/archive/runs/{filled.table.run.id}/diff/{filled.rescore.run.id}").json()
    changes = {(c["instansi"], c["predikat_a"], c["predikat_b"]) for c in diff["predikat_changes"]}
    assert changes == {
        ("Pemerintah Kab. Nias Barat", "Cukup", "Kurang"),
        ("Pemerintah Kab. Boven Digoel", "Cukup", "Kurang"),
    }
    assert diff["common"] == 621 and diff["movers"] == []
    _problem(api.get("/v1/archive/runs/999999"), 404, "NotFound")
    _problem(api.get(f"/v1/archive/runs/{filled.table.run.id}/diff/999999"), 404, "NotFound")


def test_audit_names_the_refuted_figure(api: Any) -> None:
    """GET /audit finds Kab. Banyuasin 2023, whose printed index its own domain values do not admit."""
    audit = api.get("/v1/archive/audit").json()
    assert any("Banyuasin" in f["instansi"] and f["year"] == 2023 for f in audit["findings"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year": "twenty"}, "year"),
        ({"year": "-2023"}, "year"),
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"after": "0"}, "after"),
        ({"kind": "scores"}, "kind"),
        ({"run": "first"}, "run"),
    ],
)
def test_a_bad_filter_is_400_naming_it(api: Any, params: dict[str, str], field: str) -> None:
    """A malformed filter, limit or cursor is refused with 400 naming the parameter."""
    problem = api.get("/v1/archive/scorings", params=params).json()
    assert problem["status"] == 400 and problem["field"] == field, problem


# -- writes -------------------------------------------------------------------------------------------------------


def test_import_counts_new_duplicate_and_refused_rows(filled: Filled, engine: Engine) -> None:
    """POST /import reads CSV or JSON by Content-Type: new rows imported, known ones duplicates, bad rows listed."""
    rows = [
        {"instansi": "Kab. Impor Uji", "year": 2024, **{f"I{n}": 3 for n in range(1, 48)}},
        {"instansi": "Kab. Impor Salah", "year": "dua ribu", "I1": 3},
        [1, 2],
    ]
    with client(engine, archive_url=filled.url, **TOKENS) as api:
        headers = {**_bearer(WRITER), "content-type": "application/json"}
        first = api.post("/v1/archive/import?source=uji&file=uji.json", content=json.dumps(rows), headers=headers)
        assert first.status_code == 200, first.text
        report = first.json()
        assert (report["imported"], report["duplicates"], report["refused"]) == (1, 0, 2)
        assert report["file"] == "uji.json" and report["run"]["params"]["source"] == "uji"
        assert [r["row"] for r in report["refused_rows"]] == [2, 3] and "year" in report["refused_rows"][0]["message"]
        assert "body: line 3" in report["refused_rows"][1]["message"] and "spbe-batch-" not in first.text
        again = api.post("/v1/archive/import?source=uji", content=json.dumps(rows[:1]), headers=headers).json()
        assert (again["imported"], again["duplicates"]) == (0, 1)
        csv = TABLE.read_bytes()
        table = api.post("/v1/archive/import", content=csv, headers={**headers, "content-type": "text/csv"}).json()
        assert (table["imported"], table["duplicates"]) == (0, 621)
        stored = api.get("/v1/archive/assessments", params={"source": "uji"}, headers=_bearer(READER)).json()
        assert [a["instansi"] for a in stored["items"]] == ["Kab. Impor Uji"]
        assert stored["items"][0]["origin_file"] == "uji.json"
        _problem(api.post("/v1/archive/import", content=b"x", headers={**headers, "content-type": "text/plain"}), 415,
                 "UnsupportedMediaType")  # fmt: skip


def test_rescore_records_a_run(filled: Filled, engine: Engine) -> None:
    """POST /rescore runs one rescore of the selected assessments and answers its summary; the run is listed."""
    with client(engine, archive_url=filled.url, **TOKENS) as api:
        headers = _bearer(WRITER)
        body = {"to": "pemdi-2026", "where": {"import": str(filled.levels.run.id)}, "missing": "impute:lowest"}
        response = api.post("/v1/archive/rescore", json=body, headers=headers)
        assert response.status_code == 200, response.text
        report = response.json()
        assert report["run"]["rows"] == 3 and report["statuses"] == {"ok": 3}
        assert report["run"]["command"] == "spbe serve: POST /v1/archive/rescore"
        listed = api.get(f"/v1/archive/runs/{report['run']['id']}", headers=headers).json()
        assert listed == report["run"]
        scored = api.get("/v1/archive/scorings", params={"run": report["run"]["id"]}, headers=headers).json()
        assert {s["rubric_id"] for s in scored["items"]} == {"pemdi-2026"} and len(scored["items"]) == 3
        _problem(api.post("/v1/archive/rescore", json={"to": "spbe-1999"}, headers=headers), 404, "UnknownRubricError")
        bad = _problem(api.post("/v1/archive/rescore", json={"to": "spbe-2024", "where": {"colour": "red"}},
                                headers=headers), 422, "InputError")  # fmt: skip
        assert bad["value"] == "colour"
        _problem(api.post("/v1/archive/rescore", json={"to": "spbe-2024", "missing": "guess"}, headers=headers), 422,
                 "InputError")  # fmt: skip
        _problem(api.post("/v1/archive/rescore", json={"to": "spbe-2024", "extra": 1}, headers=headers), 422,
                 "InputError")  # fmt: skip


# -- tokens -------------------------------------------------------------------------------------------------------


def test_without_tokens_reads_are_open_and_writes_off(filled: Filled, engine: Engine) -> None:
    """No token configured: reads need none; writes are refused (403) whatever is sent."""
    with client(engine, archive_url=filled.url) as api:
        assert api.get("/v1/archive/runs").status_code == 200
        problem = _problem(api.post("/v1/archive/rescore", json={"to": "spbe-2024"}), 403, "Forbidden")
        assert "no write token is configured" in problem["detail"]
        _problem(api.post("/v1/archive/rescore", json={"to": "spbe-2024"}, headers=_bearer("x")), 403, "Forbidden")


def test_read_and_write_tokens(filled: Filled, engine: Engine) -> None:
    """A read token reads but cannot write (403); a write token does both; none or a wrong one is 401."""
    with client(engine, archive_url=filled.url, **TOKENS) as api:
        assert api.get("/v1/archive/runs", headers=_bearer(READER)).status_code == 200
        assert api.get("/v1/archive/runs", headers=_bearer(WRITER)).status_code == 200
        _problem(api.get("/v1/archive/runs"), 401, "Unauthorized")
        response = api.get("/v1/archive/runs", headers=_bearer("guess"))
        _problem(response, 401, "Unauthorized")
        assert response.headers["www-authenticate"].startswith("Bearer")
        body = {"to": "spbe-2024", "where": {"kind": "levels"}}
        problem = _problem(api.post("/v1/archive/rescore", json=body, headers=_bearer(READER)), 403, "Forbidden")
        assert "not write" in problem["detail"]
        _problem(api.post("/v1/archive/rescore", json=body, headers=_bearer("guess")), 401, "Unauthorized")
        assert api.post("/v1/archive/rescore", json=body, headers=_bearer(WRITER)).status_code == 200
        assert api.get("/v1/rubrics").status_code == 200  # the scoring routes keep their own (no) tokens


def test_service_tokens_read_the_archive_when_it_has_no_read_tokens(filled: Filled, engine: Engine) -> None:
    """With only SPBE_SERVICE_TOKENS set, those tokens read the archive; nothing is open."""
    with client(engine, archive_url=filled.url, tokens={"service"}) as api:
        assert api.get("/v1/archive/runs", headers=_bearer("service")).status_code == 200
        _problem(api.get("/v1/archive/runs"), 401, "Unauthorized")
        _problem(api.post("/v1/archive/rescore", json={"to": "spbe-2024"}, headers=_bearer("service")), 403,
                 "Forbidden")  # fmt: skip
    document = _document(engine, archive_url=filled.url, archive_write_tokens={"w"})
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert document["paths"]["/v1/archive/import"]["post"]["security"] == [{"bearer": []}]


def _document(engine: Engine, **settings: Any) -> dict[str, Any]:
    with client(engine, **settings) as api:
        return api.get("/openapi.json").json()  # type: ignore[no-any-return]


# -- an archive that cannot be used ----------------------------------------------------------------------------


def test_no_archive_configured_is_404_on_every_archive_route(engine: Engine) -> None:
    """A service without an archive answers 404 NoArchive, naming --db and SPBE_DB; scoring routes work."""
    with client(engine) as api:
        for path in ("/v1/archive/scorings", "/v1/archive/runs/1", "/v1/archive/instansi/x/history"):
            problem = _problem(api.get(path), 404, "NoArchive")
            assert "--db" in problem["detail"] and "SPBE_DB" in problem["detail"]
        assert api.get("/v1/rubrics").status_code == 200


def test_a_missing_file_is_503_and_never_created(engine: Engine, tmp_path: Path) -> None:
    """A SQLite archive that is not there answers 503 with the CLI's line; no file is made."""
    path = tmp_path / "nothing.sqlite"
    with client(engine, archive_url=str(path)) as api:
        problem = _problem(api.get("/v1/archive/runs"), 503, "ArchiveMissing")
        assert "spbe archive init" in problem["detail"]
    assert not path.exists()


def test_an_archive_made_after_start_is_served(engine: Engine, tmp_path: Path) -> None:
    """The opening is tried again: an archive initialised after the service started is then served."""
    import time

    path = tmp_path / "later.sqlite"
    with client(engine, archive_url=str(path)) as api:
        _problem(api.get("/v1/archive/runs"), 503, "ArchiveMissing")
        # Readiness is about scoring: still ready, and it says why the archive cannot be used yet.
        ready = api.get("/readyz").json()
        assert ready["status"] == "ready" and ready["archive"].startswith("unavailable: ")
        assert "spbe archive init" in ready["archive"]
        Archive.init(path, engine=engine).close()
        time.sleep(1.1)
        assert api.get("/v1/archive/runs").json() == {"items": [], "next": None, "next_url": None, "total": None}
        assert api.get("/readyz").json()["archive"] == "ready"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_newer_schema_is_503(engine: Engine, tmp_path: Path, backend: str) -> None:
    """An archive migrated by a newer spbe-engine is refused with the CLI's line, on both databases."""
    from sqlalchemy import create_engine, text

    with database(backend, tmp_path) as url:
        Archive.init(url, engine=engine).close()
        db = create_engine(url)
        with db.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        db.dispose()
        with client(engine, archive_url=url) as api:
            problem = _problem(api.get("/v1/archive/runs"), 503, "ArchiveNewSchema")
            assert "newer than this spbe-engine" in problem["detail"]


def test_an_unreachable_server_is_503_without_its_password(
    engine: Engine, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    """A PostgreSQL server that cannot be reached answers 503; its password is in no answer and no log line."""
    url = "postgresql+psycopg://spbe:hunter2-secret@127.0.0.1:9/spbe"
    with caplog.at_level(logging.INFO, logger="spbe_engine"), client(engine, archive_url=url) as api:
        response = api.get("/v1/archive/runs")
        problem = _problem(response, 503, "ArchiveUnreachable")
        assert "***" in problem["detail"]
    assert "hunter2-secret" not in response.text and "hunter2-secret" not in caplog.text
    assert "cannot reach the archive" in caplog.text


# -- settings -------------------------------------------------------------------------------------------------------


def test_settings_read_the_archive_url_and_tokens_from_the_environment(tmp_path: Path) -> None:
    """SPBE_DB wins over SPBE_SERVICE_ARCHIVE_URL; token variables and their files add up; no URL: no archive."""
    from spbe_engine.service import Settings

    tokens = tmp_path / "writers"
    tokens.write_text("w1  # the importer\n\nw2\n", encoding="utf-8")
    env = {
        "SPBE_DB": "sqlite:///a.sqlite",
        "SPBE_SERVICE_ARCHIVE_URL": "sqlite:///b.sqlite",
        "SPBE_SERVICE_ARCHIVE_READ_TOKENS": "r1, r2",
        "SPBE_SERVICE_ARCHIVE_WRITE_TOKENS": "w3",
        "SPBE_SERVICE_ARCHIVE_WRITE_TOKENS_FILE": str(tokens),
    }
    settings = Settings.from_env(env)
    assert settings.archive_url == "sqlite:///a.sqlite"
    assert settings.archive_read_tokens == {"r1", "r2"} and settings.archive_write_tokens == {"w1", "w2", "w3"}
    assert Settings.from_env({"SPBE_SERVICE_ARCHIVE_URL": "x.sqlite"}).archive_url == "x.sqlite"
    assert Settings.from_env({}).archive_url is None
    assert "a.sqlite" not in repr(settings) and "w1" not in repr(settings)


def test_a_nul_character_never_reaches_postgresql(filled: Filled, engine: Engine) -> None:
    """NUL, which PostgreSQL cannot store: that row of an import is refused on either backend, the others imported;
    a 400 or 422 elsewhere."""
    row = {"instansi": "Kab. Nul\u0000Uji", "year": 2024, **{f"I{n}": 2 for n in range(1, 48)}}
    good = {**row, "instansi": "Kab. Tanpa Nul"}
    with client(engine, archive_url=filled.url, **TOKENS) as api:
        headers = {**_bearer(WRITER), "content-type": "application/json"}
        response = api.post("/v1/archive/import", content=json.dumps([row, good]), headers=headers)
        assert response.status_code == 200, response.text
        report = response.json()
        assert (report["imported"], report["refused"]) == (1, 1)
        assert "instansi: a NUL character cannot be archived" in report["refused_rows"][0]["message"]
        body = {"to": "spbe-2024", "where": {"source": "x\u0000"}}
        _problem(api.post("/v1/archive/rescore", json=body, headers=_bearer(WRITER)), 422, "InputError")
        assert api.get("/v1/archive/scorings", params={"source": "x\u0000"}, headers=_bearer(READER)).status_code == 400


@pytest.mark.parametrize(
    ("kind", "status"),
    [
        ("not-found", 404),
        ("missing", 503),
        ("connect", 503),
        ("locked", 503),
        ("read-only", 503),
        ("old-schema", 503),
        ("new-schema", 503),
        ("conflict", 409),
        ("database", 500),
    ],
)
def test_each_archive_error_kind_has_its_status(kind: str, status: int, caplog: pytest.LogCaptureFixture) -> None:
    """The statuses docs/service.md lists; a database fault keeps its message in the log, under the answer's id."""
    from spbe_engine.archive import ArchiveError
    from spbe_engine.service.archive_access import archive_problem

    error = ArchiveError("the archive at sqlite:///x.sqlite said no", kind=kind)  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR, logger="spbe_engine.service"):
        problem = archive_problem(error)
    assert problem.status == status
    assert (problem.headers.get("retry-after") == "5") == (kind == "locked")
    if kind == "database":
        error_id = problem.members["error_id"]
        assert "said no" not in problem.detail and error_id in problem.detail
        assert error_id in caplog.text and "said no" in caplog.text
    else:
        assert problem.detail == str(error)
    assert archive_problem(error, opening=True).status == 503  # an archive that cannot be opened: unavailable


def test_a_write_waiting_on_the_database_holds_up_no_other_request(engine: Engine, tmp_path: Path) -> None:
    """While an import waits for SQLite's write lock (held here), health checks and archive reads still answer."""
    import sqlite3
    import threading

    path = tmp_path / "busy.sqlite"
    Archive.init(path, engine=engine).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # the write lock: the import below waits for it (up to its 30 s timeout)
    answers: dict[str, Any] = {}
    with client(engine, archive_url=str(path), archive_write_tokens={WRITER}) as api:
        rows = (EXAMPLES / "levels-2024.jsonl").read_bytes()
        headers = {**_bearer(WRITER), "content-type": "application/x-ndjson"}
        writer = threading.Thread(
            target=lambda: answers.update(write=api.post("/v1/archive/import", content=rows, headers=headers))
        )
        try:
            writer.start()
            writer.join(1.0)
            assert writer.is_alive(), answers  # still waiting for the lock
            assert api.get("/healthz").status_code == 200
            assert api.get("/v1/archive/runs", headers=_bearer(WRITER)).json()["items"] == []
            assert writer.is_alive()
        finally:
            holder.execute("ROLLBACK")
            holder.close()
            writer.join(60)
    assert answers["write"].status_code == 200 and answers["write"].json()["imported"] == 3
