"""Open the archive's database, check its schema, migrate it, and turn database failures into one clear line.

A :class:`Store` owns one SQLAlchemy engine for one URL: nothing in the
archive ever opens another. SQLite files get foreign keys, a busy timeout
(30 s unless the URL says ``?timeout=N``) and write-ahead logging;
PostgreSQL is reached through psycopg 3. Every failure leaves as an
:class:`~spbe_engine.archive.errors.ArchiveError` whose text holds the URL
with its password masked.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from .errors import ArchiveError, ErrorKind
from .urls import masked, scrub, sqlite_path

__all__ = ["MIGRATIONS", "Store"]

#: The folder of the Alembic environment and its versions, inside the package (so it ships in the wheel).
MIGRATIONS = Path(__file__).parent / "migrations"

_SQLITE_TIMEOUT = 30.0


def _alembic_config(connection: Connection | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _script() -> Any:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config())


class Store:
    """One archive database: its engine, its schema checks and its error translation."""

    def __init__(self, url: URL, *, create: bool = False) -> None:
        self.url = url
        self.shown = masked(url)
        path = sqlite_path(url)
        if path is not None:
            if not create and not path.exists():
                raise ArchiveError(
                    f"no archive at {path}: make one with `spbe archive init`, or name one with --db or SPBE_DB",
                    kind="missing",
                )
            if create and not path.parent.is_dir():
                raise ArchiveError(f"the folder of {path} does not exist", kind="missing", field="--db")
        self.engine = self._engine(url)

    @staticmethod
    def _engine(url: URL) -> Engine:
        if url.drivername.startswith("sqlite"):
            args: dict[str, Any] = {} if "timeout" in url.query else {"timeout": _SQLITE_TIMEOUT}
            engine = create_engine(url, connect_args=args)
            event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        return create_engine(
            url,
            connect_args={"connect_timeout": 10, "application_name": "spbe-archive"},
            pool_pre_ping=True,
        )

    @property
    def dialect(self) -> str:
        """Return ``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # -- errors -------------------------------------------------------------------
    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Turn a database failure inside the block into one :class:`ArchiveError` line."""
        try:
            yield
        except ArchiveError:
            raise
        except DBAPIError as exc:
            raise self.translate(exc) from None
        except SQLAlchemyError as exc:
            raise ArchiveError(
                f"database error on {self.shown}: {scrub(str(exc).splitlines()[0], self.url)}", kind="database"
            ) from None

    def translate(self, exc: DBAPIError) -> ArchiveError:
        """Return the archive error a database driver's exception means."""
        orig = exc.orig
        text = scrub((str(orig) or type(orig).__name__).strip().splitlines()[0], self.url)
        state = getattr(orig, "sqlstate", None) or ""
        lowered = text.lower()
        kind: ErrorKind = "database"
        problem = f"database error on {self.shown}: {text}"
        if "database is locked" in lowered or state == "55P03":
            kind, problem = "locked", f"the archive at {self.shown} is locked by another writer; try again later"
        elif "readonly database" in lowered or state in ("25006", "42501"):
            kind, problem = "read-only", f"the archive at {self.shown} is read-only: {text}"
        elif "no such table" in lowered or state == "42P01":
            kind = "missing"
            problem = f"the archive at {self.shown} is not initialised: run `spbe archive init` ({text})"
        elif isinstance(orig, sqlite3.DatabaseError) and "not a database" in lowered:
            kind, problem = "missing", f"{self.shown} is not an SQLite database"
        elif "unable to open database file" in lowered:
            kind, problem = "missing", f"cannot open the archive at {self.shown}: {text}"
        elif exc.connection_invalidated or state.startswith("08") or "connection" in lowered:
            kind, problem = "connect", f"cannot reach the archive at {self.shown}: {text}"
        elif state == "23505" or "unique constraint" in lowered:
            kind = "conflict"
            problem = f"another writer committed the same content meanwhile; run it again ({text})"
        return ArchiveError(problem, kind=kind)

    # -- schema -------------------------------------------------------------------
    def revision(self, connection: Connection) -> str | None:
        """Return the schema revision of the database (``None`` before ``init``)."""
        from alembic.migration import MigrationContext

        return MigrationContext.configure(connection).get_current_revision()

    @staticmethod
    def head() -> str:
        """Return the newest schema revision this spbe-engine knows."""
        return str(_script().get_current_head())

    def check(self) -> str:
        """Refuse a database that is not initialised, older than this code, or newer; return its revision."""
        with self.guard(), self.engine.connect() as connection:
            found = self.revision(connection)
        script, head = _script(), self.head()
        if found is None:
            raise ArchiveError(
                f"the archive at {self.shown} is not initialised: run `spbe archive init`", kind="missing"
            )
        if found == head:
            return found
        known = {rev.revision for rev in script.walk_revisions()}
        if found not in known:
            raise ArchiveError(
                f"the archive at {self.shown} has schema revision {found}, newer than this spbe-engine knows "
                f"(up to {head}): upgrade spbe-engine",
                kind="new-schema",
            )
        raise ArchiveError(
            f"the archive at {self.shown} has schema revision {found}; this spbe-engine needs {head}: "
            "run `spbe archive upgrade`",
            kind="old-schema",
        )

    def upgrade(self) -> tuple[str | None, str]:
        """Migrate the schema to the newest revision in one transaction; return ``(before, after)``."""
        from alembic import command

        head = self.head()
        with self.guard():
            with self.engine.connect() as connection:
                before = self.revision(connection)
            known = {rev.revision for rev in _script().walk_revisions()}
            if before is not None and before not in known:
                raise ArchiveError(
                    f"the archive at {self.shown} has schema revision {before}, newer than this spbe-engine knows "
                    f"(up to {head}): upgrade spbe-engine",
                    kind="new-schema",
                )
            if self.dialect == "sqlite":
                with self.engine.connect() as connection:
                    connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            with self.engine.begin() as connection:
                command.upgrade(_alembic_config(connection), "head")
        return before, head


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
