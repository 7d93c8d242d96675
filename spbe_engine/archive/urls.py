"""Where the archive lives: the URL from ``--db``, else ``SPBE_DB``, else ``spbe-archive.sqlite`` here.

Every URL that reaches a message, a log line or a report goes through
:func:`masked` first, so a password never leaves the process; :func:`scrub`
removes it from any text a database driver produced.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from .errors import ArchiveError

__all__ = ["DEFAULT_FILE", "ENV_VAR", "masked", "resolve_url", "scrub", "sqlite_path"]

#: The environment variable naming the archive's database URL.
ENV_VAR = "SPBE_DB"
#: The SQLite file ``spbe archive init`` makes in the working folder when no URL is given.
DEFAULT_FILE = "spbe-archive.sqlite"

_DRIVERS = {
    "sqlite": "sqlite",
    "sqlite+pysqlite": "sqlite",
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "postgresql+psycopg": "postgresql+psycopg",
}


def resolve_url(url: str | os.PathLike[str] | URL | None = None) -> URL:
    """Return the archive's URL: ``url``, else ``$SPBE_DB``, else the SQLite file in the working folder.

    A bare path (no ``://``) is a SQLite file. ``postgresql://`` and
    ``postgres://`` mean psycopg 3 (``postgresql+psycopg://``). Other
    databases are refused: the archive is tested on SQLite and PostgreSQL only.
    """
    if isinstance(url, os.PathLike):
        return URL.create("sqlite", database=os.fspath(url))
    if isinstance(url, URL):
        parsed = url
    else:
        text = (url if url is not None else os.environ.get(ENV_VAR, "")).strip()
        if not text:
            text = DEFAULT_FILE
        if "://" not in text:
            return URL.create("sqlite", database=str(Path(text).expanduser()))
        try:
            parsed = make_url(text)
        except ArgumentError:
            raise ArchiveError(
                "not a database URL",
                kind="database",
                field="--db",
                allowed="a SQLite file, sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@HOST/DB",
            ) from None
    driver = _DRIVERS.get(parsed.drivername)
    if driver is None:
        raise ArchiveError(
            f"unsupported database {parsed.drivername!r}",
            kind="database",
            field="--db",
            allowed="sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@HOST/DB",
        )
    return parsed.set(drivername=driver)


def masked(url: URL) -> str:
    """Return the URL as text with its password replaced by ``***``."""
    return url.render_as_string(hide_password=True)


def scrub(text: str, url: URL) -> str:
    """Return ``text`` with the URL's password (and the full URL) masked wherever it appears."""
    full = url.render_as_string(hide_password=False)
    text = text.replace(full, masked(url))
    password = url.password
    if password:
        text = text.replace(str(password), "***")
    return text


def sqlite_path(url: URL) -> Path | None:
    """Return the file of a SQLite URL (``None`` for memory databases and other backends)."""
    if not url.drivername.startswith("sqlite"):
        return None
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)
