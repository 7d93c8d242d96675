"""The archive's Python API: one :class:`Archive` per database, the surface the CLI and the HTTP layer call.

>>> archive = Archive.init("sqlite:///:memory:")  # doctest: +SKIP

Every method runs in its own transaction(s) on the one database the archive
was opened on; nothing takes a URL after construction, so a caller (an HTTP
request) can never reach another database. Results are attrs records with
``to_json()``.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from sqlalchemy.engine import URL

from .checks import AuditReport, VerifyReport, audit, verify
from .export import export
from .importer import ImportReport, Refused, file_sha256, from_batch_row, import_rows, incoming_rows
from .queries import (
    AssessmentView,
    History,
    Page,
    RunDiff,
    count_assessments,
    count_instansi,
    count_scorings,
    history,
    list_assessments,
    list_instansi,
    list_runs,
    list_scorings,
    list_unfinished,
    run_diff,
    run_info,
    show,
)
from .records import Incoming
from .rescoring import BATCH_ROWS, Progress, RescoreReport, rescore
from .runs import RunInfo
from .store import Store
from .urls import resolve_url, scrub, sqlite_path
from .where import ASSESSMENT_KEYS, SCORING_KEYS, Where

if TYPE_CHECKING:
    from .. import Engine
    from ..batch import BatchRow
    from ..rescore import MissingPolicy

__all__ = ["Archive"]

Filters = Iterable[str] | Mapping[str, Any] | None


class Archive:
    """An assessment archive on one database (a SQLite file, or PostgreSQL).

    ``url``: a SQLite file path, ``sqlite:///FILE``, or
    ``postgresql+psycopg://USER:PASSWORD@HOST/DB``; default ``$SPBE_DB``,
    else ``spbe-archive.sqlite`` in the working folder. The schema is checked
    on opening: a missing, uninitialised, older or newer database raises an
    :class:`~spbe_engine.archive.ArchiveError`. ``engine`` scores (default:
    :meth:`Engine.default <spbe_engine.Engine.default>`, built on first use).
    """

    def __init__(
        self, url: str | os.PathLike[str] | URL | None = None, *, engine: Engine | None = None, _create: bool = False
    ) -> None:
        self._store = Store(resolve_url(url), create=_create)
        self._engine = engine
        if not _create:
            try:
                self._store.check()
            except BaseException:
                self._store.close()
                raise

    @classmethod
    def init(cls, url: str | os.PathLike[str] | URL | None = None, *, engine: Engine | None = None) -> Archive:
        """Create the archive (a SQLite file is made; a PostgreSQL database must exist) at the newest schema."""
        archive = cls(url, engine=engine, _create=True)
        try:
            archive.upgrade()
        except BaseException:
            archive.close()
            raise
        return archive

    @classmethod
    def upgrading(
        cls, url: str | os.PathLike[str] | URL | None = None, *, engine: Engine | None = None
    ) -> tuple[Archive, str | None, str]:
        """Open an existing archive and migrate it to the newest schema; return it with ``(before, after)``."""
        archive = cls(url, engine=engine, _create=True)
        try:
            path = sqlite_path(archive._store.url)
            if path is not None and not path.exists():
                cls(url)  # raises: no archive there
            before, after = archive.upgrade()
        except BaseException:
            archive.close()
            raise
        return archive, before, after

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connections."""
        self._store.close()

    @property
    def url(self) -> str:
        """Return the archive's URL with its password masked."""
        return self._store.shown

    @property
    def dialect(self) -> str:
        """Return ``sqlite`` or ``postgresql``."""
        return self._store.dialect

    @property
    def engine(self) -> Engine:
        """Return the scoring engine."""
        if self._engine is None:
            from .. import Engine

            self._engine = Engine.default()
        return self._engine

    def _command(self, command: str | None) -> str:
        text = command if command is not None else shlex.join(["spbe", *sys.argv[1:]])
        return scrub(text, self._store.url)

    # -- schema -----------------------------------------------------------------------------------------------
    def upgrade(self) -> tuple[str | None, str]:
        """Migrate the schema to the newest revision; return ``(before, after)``."""
        return self._store.upgrade()

    def revision(self) -> str | None:
        """Return the schema revision."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return self._store.revision(connection)

    # -- writes -----------------------------------------------------------------------------------------------
    def import_file(
        self, path: str | Path, *, source: str | None = None, command: str | None = None, origin: str | None = None
    ) -> ImportReport:
        """Import a CSV, JSON Lines, TOML or JSON file; the same content twice is a no-op (reported as duplicates).

        ``origin`` is the name recorded as the rows' file (default: the file's
        own name; the HTTP layer gives the name the caller sent, not its spool file's).
        """
        path = Path(path)
        sha = file_sha256(path)
        return import_rows(
            self._store,
            self.engine,
            incoming_rows(path, source),
            origin=origin or path.name,
            origin_sha256=sha,
            source=source,
            command=self._command(command),
        )

    def import_rows(
        self, rows: Iterable[BatchRow], *, origin: str, source: str | None = None, command: str | None = None
    ) -> ImportReport:
        """Import rows already read (``spbe_engine.batch.read_batch`` rows, e.g. from a request body)."""
        items: Iterable[Incoming | Refused] = (from_batch_row(row, source) for row in rows)
        return import_rows(
            self._store,
            self.engine,
            items,
            origin=origin,
            origin_sha256=None,
            source=source,
            command=self._command(command),
        )

    def rescore(
        self,
        to: str,
        *,
        where: Filters = None,
        missing: str | MissingPolicy | None = None,
        command: str | None = None,
        batch_rows: int = BATCH_ROWS,
        progress: Progress | None = None,
    ) -> RescoreReport:
        """Rescore the selected assessments (``where``: assessment filters) under rubric ``to``, as one run."""
        return rescore(
            self._store,
            self.engine,
            to,
            where=Where.parse(where, ASSESSMENT_KEYS),
            missing=missing,
            command=self._command(command),
            batch_rows=batch_rows,
            progress=progress,
        )

    # -- reads ------------------------------------------------------------------------------------------------
    def history(self, instansi: str) -> History:
        """Return every assessment of one instansi (by id, name, code or a unique part of its name) and its scorings."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return history(connection, instansi)

    def show(self, assessment_id: int) -> AssessmentView:
        """Return one assessment, its origin and input, and every visible scoring of it."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return show(connection, assessment_id)

    def run(self, run_id: int) -> RunInfo:
        """Return one recorded run."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return run_info(connection, run_id)

    def runs(self, *, limit: int = 50, after: int | None = None, kind: str | None = None) -> Page:
        """Return recorded runs, newest first."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return list_runs(connection, limit=limit, after=after, kind=kind)

    def unfinished(self) -> list[dict[str, Any]]:
        """Return runs that started and were not recorded (going on now, or killed: the next run adopts them)."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return list_unfinished(connection)

    def diff(self, run_a: int, run_b: int, *, top: int = 10) -> RunDiff:
        """Compare two runs over the assessments both scored."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return run_diff(connection, run_a, run_b, top=top)

    def scorings(self, where: Filters = None, *, limit: int = 50, after: int | None = None) -> Page:
        """Return visible scorings, filtered by assessment keys and rubric, status, predikat, comparability, run."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return list_scorings(
                connection, Where.parse(where, ASSESSMENT_KEYS + SCORING_KEYS), limit=limit, after=after
            )

    def assessments(self, where: Filters = None, *, limit: int = 50, after: int | None = None) -> Page:
        """Return assessments, filtered (year, instansi, category, region, source, kind, import)."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return list_assessments(connection, Where.parse(where, ASSESSMENT_KEYS), limit=limit, after=after)

    def instansi(self, where: Filters = None, *, limit: int = 50, after: int | None = None) -> Page:
        """Return instansi, filtered (instansi, category, region)."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return list_instansi(
                connection, Where.parse(where, ("instansi", "category", "region")), limit=limit, after=after
            )

    def count(self, listing: str, where: Filters = None) -> int:
        """Return how many items a listing (``scorings``, ``assessments`` or ``instansi``) has over all its pages."""
        counters = {
            "scorings": (count_scorings, ASSESSMENT_KEYS + SCORING_KEYS),
            "assessments": (count_assessments, ASSESSMENT_KEYS),
            "instansi": (count_instansi, ("instansi", "category", "region")),
        }
        counter, keys = counters[listing]
        with self._store.guard(), self._store.engine.connect() as connection:
            return counter(connection, Where.parse(where, keys))

    def export(self, out: IO[str] | Path, *, fmt: str = "csv", where: Filters = None) -> int:
        """Write visible scorings (filtered) as CSV, JSON Lines or Parquet; return the rows written."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return export(connection, Where.parse(where, ASSESSMENT_KEYS + SCORING_KEYS), fmt, out)

    def verify(self, *, progress: Progress | None = None) -> VerifyReport:
        """Recompute every visible scoring with the installed engine; report what no longer reproduces, what drifted."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return verify(connection, self.engine, progress=progress)

    def audit(self) -> AuditReport:
        """Report printed figures their own values do not admit, and sources that disagree."""
        with self._store.guard(), self._store.engine.connect() as connection:
            return audit(connection)
