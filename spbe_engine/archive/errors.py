"""The one error the archive adds: :class:`ArchiveError`, a :class:`~spbe_engine.errors.SpbeError`.

The command line prints it as one line and exits 2, like every other
``SpbeError``. ``kind`` names what went wrong, for a caller that must react
(the HTTP layer maps ``locked`` to 503, ``not-found`` to 404, and so on).
Messages never hold a password: every URL in them is masked first.
"""

from __future__ import annotations

from typing import Any, Literal

from ..errors import SpbeError

__all__ = ["ArchiveError", "ErrorKind"]

ErrorKind = Literal[
    "missing",  # no archive at that place, or not initialised
    "connect",  # the server cannot be reached or refused the login
    "locked",  # another process holds the database's write lock for too long
    "read-only",  # the database refuses writes
    "old-schema",  # the schema is older than this spbe-engine: `spbe archive upgrade`
    "new-schema",  # the schema is newer than this spbe-engine knows
    "not-found",  # no run, assessment or instansi with that id or name
    "conflict",  # a concurrent writer committed the same content first
    "database",  # any other database failure
]


class ArchiveError(SpbeError):
    """The archive's database cannot be used as asked, or what was asked for is not in it."""

    def __init__(
        self,
        problem: str,
        *,
        kind: ErrorKind,
        file: str | None = None,
        field: str | None = None,
        value: Any = None,
        allowed: str | None = None,
    ) -> None:
        super().__init__(problem, file=file, field=field, value=value, allowed=allowed)
        self.kind: ErrorKind = kind
