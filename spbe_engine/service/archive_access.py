"""The service's one archive: opened once per process, and the archive's errors as problem answers.

The archive is opened at start-up on the URL the settings name, and on
nothing else: no request can name a database. If it cannot be opened then
(no file there, the server down, a schema older or newer than this
spbe-engine), the service still starts; archive requests answer 503 with the
line ``spbe archive`` prints, and the opening is tried again, at most once a
second, until it succeeds. A service with no archive configured answers 404
on every archive route and never creates a file.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import TYPE_CHECKING

from .problems import ServiceProblem

if TYPE_CHECKING:
    from .. import Engine
    from ..archive import Archive, ArchiveError

__all__ = ["ArchiveAccess", "archive_problem"]

log = logging.getLogger("spbe_engine.service")

#: Seconds between two attempts to open an archive that could not be opened.
RETRY_AFTER = 1.0

#: Each ``ArchiveError.kind`` as an answer: its status and the problem's kind.
_STATUS: dict[str, tuple[int, str]] = {
    "missing": (503, "ArchiveMissing"),
    "connect": (503, "ArchiveUnreachable"),
    "locked": (503, "ArchiveLocked"),
    "read-only": (503, "ArchiveReadOnly"),
    "old-schema": (503, "ArchiveOldSchema"),
    "new-schema": (503, "ArchiveNewSchema"),
    "not-found": (404, "NotFound"),
    "conflict": (409, "ArchiveConflict"),
    "database": (500, "ArchiveDatabase"),
}


def archive_problem(exc: ArchiveError, *, opening: bool = False) -> ServiceProblem:
    """Return the answer to an archive error: its one-line message (passwords already masked) and a status.

    A ``database`` fault answers 500 with an ``error_id`` whose log line
    holds the message; any error while opening the archive answers 503.
    """
    status, kind = _STATUS.get(exc.kind, (500, "ArchiveDatabase"))
    members = {"field": exc.field, "value": exc.value, "allowed": exc.allowed}
    headers = {"retry-after": "5"} if exc.kind == "locked" else None
    if status == 500 and not opening:
        error_id = uuid.uuid4().hex[:16]
        log.error("archive fault %s: %s", error_id, exc)
        return ServiceProblem(
            500, f"the archive failed; the server log has it under {error_id}", kind=kind, error_id=error_id
        )
    return ServiceProblem(503 if opening else status, str(exc), kind=kind, headers=headers, **members)


def _copy(exc: ArchiveError) -> ArchiveError:
    """Return a fresh error with the same message (a stored one is raised again without its old traceback)."""
    return type(exc)(exc.problem, kind=exc.kind, file=exc.file, field=exc.field, value=exc.value, allowed=exc.allowed)


class ArchiveAccess:
    """The archive of one app: opened once, on the configured URL only, shared by every request's thread."""

    def __init__(self, url: str | None, engine: Engine) -> None:
        self._url = url
        self._engine = engine
        self._archive: Archive | None = None
        self._failure: tuple[float, ArchiveError] | None = None
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        """Tell whether the settings name an archive."""
        return self._url is not None

    def start(self) -> None:
        """Open the archive at start-up; a failure is logged (one line) and answered on each archive request."""
        if self._url is None:
            return
        try:
            archive = self.get()
        except ServiceProblem as exc:
            log.warning("the archive is not available: %s", exc.detail)
        else:
            log.info("serving the archive at %s", archive.url)

    def get(self) -> Archive:
        """Return the open archive; raise the problem to answer when there is none or it cannot be opened."""
        archive = self._archive
        if archive is not None:
            return archive
        if self._url is None:
            raise ServiceProblem(
                404,
                "this service has no archive: start spbe serve with --db URL, or set SPBE_DB",
                kind="NoArchive",
            )
        with self._lock:
            if self._archive is None:
                self._archive = self._open(self._url)
            return self._archive

    def _open(self, url: str) -> Archive:
        if self._failure is not None and time.monotonic() - self._failure[0] < RETRY_AFTER:
            raise archive_problem(_copy(self._failure[1]), opening=True)
        try:
            from ..archive import Archive, ArchiveError
        except ImportError as exc:
            raise ServiceProblem(
                503, f"the archive needs the 'archive' extra ({exc.name} is missing)", kind="ArchiveMissing"
            ) from None
        try:
            archive = Archive(url, engine=self._engine)
        except ArchiveError as exc:
            self._failure = (time.monotonic(), exc)
            raise archive_problem(exc, opening=True) from None
        self._failure = None
        return archive

    def status(self) -> str:
        """Say, for /readyz, whether the archive can be used now: ``ready``, ``none`` or ``unavailable: <why>``."""
        if self._url is None:
            return "none"
        try:
            self.get()
        except ServiceProblem as exc:
            return f"unavailable: {exc.detail}"
        return "ready"

    def close(self) -> None:
        """Close the archive's connections (at shutdown)."""
        with self._lock:
            if self._archive is not None:
                self._archive.close()
                self._archive = None
