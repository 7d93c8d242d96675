"""The archive's reliability on SQLite and PostgreSQL: kills, concurrent runs, bad databases, masked passwords."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from spbe_engine import Engine
from spbe_engine.archive import Archive
from spbe_engine.archive.tables import metadata, scoring
from spbe_engine.cli import main

from .archive_helpers import BACKENDS, database, level_rows, pg_base_url, with_options, write_csv
from .conftest import ROOT

# A rescore that reports each committed batch on stdout and, after the first, waits for a file to
# appear before going on: the test decides when it dies or continues, so nothing depends on timing.
RESCORER = textwrap.dedent(
    """
    import pathlib, sys, time
    from spbe_engine.archive import Archive

    url, gate, batch = sys.argv[1], pathlib.Path(sys.argv[2]), int(sys.argv[3])

    def progress(done, total):
        print(f"committed {done}", flush=True)
        while not gate.exists():
            time.sleep(0.01)

    with Archive(url) as archive:
        report = archive.rescore("pemdi-2026", missing="impute:lowest", batch_rows=batch, progress=progress)
    print(f"recorded {report.run.id} {report.run.uuid} {report.run.rows}", flush=True)
    """
)
ROWS = 300
BATCH = 100


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    with database(backend, tmp_path) as url:
        yield url


@pytest.fixture
def filled(db_url: str, engine: Engine, tmp_path: Path) -> str:
    """An archive holding ROWS generated level assessments."""
    with Archive.init(db_url, engine=engine) as archive:
        archive.import_file(write_csv(tmp_path / "levels.csv", level_rows(ROWS)))
    return db_url


def _rescorer(url: str, gate: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", RESCORER, url, str(gate), str(BATCH)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _raw_count(url: str) -> int:
    raw = create_engine(url)
    try:
        with raw.connect() as connection:
            return int(
                connection.execute(
                    select(func.count()).select_from(scoring).where(scoring.c.rubric_id == "pemdi-2026")
                ).scalar_one()
            )
    finally:
        raw.dispose()


def _wait_for_the_server_to_end_its_session(url: str) -> None:
    """Wait (30 s at most) until PostgreSQL has ended the killed process's session and so freed its run's lock.

    The server notices the closed socket on its own; the test must not race it.
    """
    if not url.startswith("postgresql"):
        return
    raw = create_engine(url)
    try:
        for _ in range(3000):
            with raw.connect() as connection:
                held = connection.execute(
                    text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = :c"),
                    {"c": 0x5350_4245},
                ).scalar_one()
            if not held:
                return
            time.sleep(0.01)
        pytest.fail("PostgreSQL kept the killed rescore's session for 30 s")
    finally:
        raw.dispose()


def test_a_killed_rescore_leaves_no_half_run_and_the_next_run_completes_it(filled: str, tmp_path: Path) -> None:
    """SIGKILL after a committed batch: nothing of that run is visible; the next rescore adopts and finishes it."""
    with _rescorer(filled, tmp_path / "never") as process:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("committed "), process.stderr.read() if process.stderr else line
        os.kill(process.pid, signal.SIGKILL)
        process.communicate()
    assert process.returncode == -signal.SIGKILL
    _wait_for_the_server_to_end_its_session(filled)
    assert _raw_count(filled) == BATCH  # one batch committed before the kill ...
    with Archive(filled) as archive:
        assert archive.runs(kind="rescore").items == ()  # ... and none of it shows
        assert archive.scorings({"rubric": "pemdi-2026"}).items == ()
        assert all(e.scoring is None or e.scoring.rubric_id != "pemdi-2026" for e in archive.history("000001").entries)
        (pending,) = archive.unfinished()
        assert pending["scorings_so_far"] == BATCH
        report = archive.rescore("pemdi-2026", missing="impute:lowest", batch_rows=BATCH)
        assert report.adopted and report.adopted_rows == BATCH
        assert report.run.uuid == pending["uuid"] and report.run.rows == ROWS
        assert archive.unfinished() == []
        visible = archive.scorings({"rubric": "pemdi-2026"}, limit=1000).items
        assert len(visible) == ROWS and len({s.assessment_id for s in visible}) == ROWS
    assert _raw_count(filled) == ROWS


def test_two_rescores_at_once_do_not_mix_their_results(filled: str, tmp_path: Path) -> None:
    """Two processes rescoring the same archive at the same time each record a whole run of their own."""
    gate = tmp_path / "go"
    recorded = []
    with _rescorer(filled, gate) as first, _rescorer(filled, gate) as second:
        for process in (first, second):
            assert process.stdout is not None
            assert process.stdout.readline().startswith("committed "), process.stderr.read() if process.stderr else ""
        gate.touch()  # both are mid-run now: let them finish
        for process in (first, second):
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            recorded.append(out.strip().splitlines()[-1].split())
    uuids = {r[2] for r in recorded}
    assert len(uuids) == 2 and all(int(r[3]) == ROWS for r in recorded)
    raw = create_engine(filled)
    with raw.connect() as connection:
        for uuid in uuids:
            rows = connection.execute(
                select(scoring.c.assessment_id, scoring.c.rubric_id).where(scoring.c.run_uuid == uuid)
            ).all()
            assert len(rows) == ROWS and len({r.assessment_id for r in rows}) == ROWS
            assert {r.rubric_id for r in rows} == {"pemdi-2026"}
    raw.dispose()
    with Archive(filled) as archive:
        runs = archive.runs(kind="rescore").items
        assert len(runs) == 2
        assert runs[0].started_at < runs[1].finished_at and runs[1].started_at < runs[0].finished_at


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_missing_database_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No archive at that path: one line naming it and `spbe archive init`, exit 2, and no file made."""
    path = tmp_path / "none.sqlite"
    code, out, err = _cli(["archive", "--db", str(path), "history", "x"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "no archive at" in err and "spbe archive init" in err
    assert not path.exists()


def test_an_uninitialised_database_is_one_clear_line(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    """An empty database (PostgreSQL schema or SQLite file) is not an archive until `spbe archive init`."""
    if db_url.startswith("sqlite"):
        sqlite3.connect(db_url.removeprefix("sqlite:///")).close()
    code, _, err = _cli(["archive", "--db", db_url, "runs"], capsys)
    assert code == 2 and err.count("\n") == 1 and "not initialised" in err


def test_a_newer_schema_is_refused(filled: str, capsys: pytest.CaptureFixture[str]) -> None:
    """An archive migrated by a newer spbe-engine is refused, by every command and by upgrade."""
    raw = create_engine(filled)
    with raw.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    raw.dispose()
    for command in (["runs"], ["upgrade"]):
        code, _, err = _cli(["archive", "--db", filled, *command], capsys)
        assert code == 2 and err.count("\n") == 1 and "newer than this spbe-engine" in err


def test_a_read_only_database_is_one_clear_line(
    filled: str, backend: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Writes to a read-only database fail with one line; reads still work."""
    if backend == "sqlite":
        url = f"sqlite:///file:{filled.removeprefix('sqlite:///')}?mode=ro&uri=true"
    else:
        url = with_options(filled, "default_transaction_read_only=on")
    assert _cli(["archive", "--db", url, "runs", "--json"], capsys)[0] == 0
    code, _, err = _cli(["archive", "--db", url, "rescore", "--to", "spbe-2025"], capsys)
    assert code == 2 and err.count("\n") == 1 and "read-only" in err


def test_a_locked_database_is_one_clear_line(filled: str, backend: str, capsys: pytest.CaptureFixture[str]) -> None:
    """A writer that holds the lock too long: the command gives up with one line instead of hanging."""
    if backend == "sqlite":
        path = filled.removeprefix("sqlite:///")
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")
        url = f"{filled}?timeout=0.2"
    else:
        holder_engine = create_engine(filled)
        holder = holder_engine.connect()  # type: ignore[assignment]
        holder.execute(text("LOCK TABLE scoring IN ACCESS EXCLUSIVE MODE"))  # type: ignore[call-overload]
        url = with_options(filled, "lock_timeout=200")
    try:
        code, _, err = _cli(["archive", "--db", url, "rescore", "--to", "spbe-2025"], capsys)
    finally:
        if backend == "sqlite":
            holder.close()
        else:
            holder.rollback()  # type: ignore[attr-defined]
            holder.close()
            holder_engine.dispose()
    assert code == 2 and err.count("\n") == 1 and "locked by another writer" in err


def test_a_password_never_appears_in_output_or_the_run_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL URLs carry passwords: masked in messages, in logs, and in the command a run records."""
    base = pg_base_url()
    from sqlalchemy.engine import make_url

    password = make_url(base).password
    assert password, "the test URL needs a password for this test to mean anything"
    with database("postgresql", tmp_path) as url:
        code, out, err = _cli(["archive", "--db", url, "init"], capsys)
        assert code == 0 and "***" in out
        csv = write_csv(tmp_path / "levels.csv", level_rows(5))
        done = subprocess.run(
            [sys.executable, "-m", "spbe_engine", "archive", "--db", url, "import", str(csv)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        with Archive(url) as archive:
            command = archive.runs().items[0].command
        assert "--db" in command and "***" in command
        wrong = make_url(url).set(password=password + "-wrong").render_as_string(hide_password=False)
        bad_code, bad_out, bad_err = _cli(["archive", "--db", wrong, "runs"], capsys)
        refused = make_url(url).set(port=1).render_as_string(hide_password=False)
        closed_code, closed_out, closed_err = _cli(["archive", "--db", refused, "runs"], capsys)
    assert bad_code == 2 and closed_code == 2 and "cannot reach the archive" in closed_err
    seen = out + err + done.stdout + done.stderr + command + bad_out + bad_err + closed_out + closed_err + caplog.text
    assert password not in seen


def test_the_migrated_schema_is_the_tables_module(backend: str, tmp_path: Path, engine: Engine) -> None:
    """Alembic's migrations build exactly the schema tables.py declares (no difference autogenerate can see)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with database(backend, tmp_path) as url:
        Archive.init(url, engine=engine).close()
        raw = create_engine(url)
        with raw.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), metadata)
        raw.dispose()
    assert differences == []
