"""Runs: started by a ``run_start`` row, recorded by a ``run`` row written last; what a run did, as a record.

A rescore's scorings point at its ``run_start`` row and stay invisible until
its ``run`` row is written in the run's last transaction. A run left
unfinished (the process was killed) is adopted by the next run with the same
parameters, which scores only what is still missing and then records it.
While a run is going on it holds a lock on its id: on PostgreSQL a
session-level advisory lock (released by the server when the session ends,
however the process died); on SQLite, whose writers are one at a time
anyway, the host and process id in ``run_start`` tell a live run from a dead one.
"""

from __future__ import annotations

import hashlib
import os
import socket
import uuid as uuidlib
from datetime import UTC, datetime
from typing import Any

import attrs
from sqlalchemy import Connection, func, select, text

from .records import dump, load
from .tables import run, run_start

__all__ = ["RunInfo", "adopt_or_start", "now", "params_sha256", "record_run", "release"]

_LOCK_CLASS = 0x5350_4245  # "SPBE": the first key of the two-key advisory lock


def now() -> datetime:
    """Return the current time in UTC."""
    return datetime.now(UTC)


def params_sha256(kind: str, params: dict[str, Any]) -> str:
    """Return the hash that finds an unfinished run with the same kind and parameters."""
    return hashlib.sha256(dump({"kind": kind, "params": params}).encode()).hexdigest()


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@attrs.frozen(kw_only=True)
class RunInfo:
    """One recorded run: number, kind, parameters, command, times, rows, counts and outcome."""

    id: int
    uuid: str
    kind: str
    params: dict[str, Any]
    command: str
    started_at: datetime
    finished_at: datetime
    rows: int
    counts: dict[str, Any]
    outcome: str
    engine_version: str

    @classmethod
    def from_row(cls, row: Any) -> RunInfo:
        """Build from a ``run`` row."""
        return cls(
            id=int(row.id),
            uuid=row.uuid,
            kind=row.kind,
            params=load(row.params),
            command=row.command,
            started_at=_utc(row.started_at),
            finished_at=_utc(row.finished_at),
            rows=int(row.rows),
            counts=load(row.counts),
            outcome=row.outcome,
            engine_version=row.engine_version,
        )

    def to_json(self) -> dict[str, Any]:
        """Return the run as JSON-ready data."""
        return {
            "id": self.id,
            "uuid": self.uuid,
            "kind": self.kind,
            "params": self.params,
            "command": self.command,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "rows": self.rows,
            "counts": self.counts,
            "outcome": self.outcome,
            "engine_version": self.engine_version,
        }


def _lock_key(uuid: str) -> int:
    return int(uuid[:8], 16) - 0x8000_0000  # a signed 32-bit key


def _try_lock(connection: Connection, uuid: str) -> bool:
    if connection.dialect.name != "postgresql":
        return True
    taken = connection.execute(
        text("SELECT pg_try_advisory_lock(:a, :b)"), {"a": _LOCK_CLASS, "b": _lock_key(uuid)}
    ).scalar_one()
    connection.commit()
    return bool(taken)


def release(connection: Connection, uuid: str) -> None:
    """Release a run's lock (PostgreSQL; nothing to do on SQLite)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_unlock(:a, :b)"), {"a": _LOCK_CLASS, "b": _lock_key(uuid)})
        connection.commit()


def _alive(host: str, pid: int) -> bool:
    if host != socket.gethostname():
        return True  # another machine's process: it cannot be told dead from here
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_row(uuid: str, kind: str, params: dict[str, Any], command: str) -> dict[str, Any]:
    """Return the ``run_start`` row of a new run."""
    return {
        "uuid": uuid,
        "kind": kind,
        "params": dump(params),
        "params_sha256": params_sha256(kind, params),
        "command": command,
        "started_at": now(),
        "host": socket.gethostname()[:255],
        "pid": os.getpid(),
    }


def adopt_or_start(
    connection: Connection, kind: str, params: dict[str, Any], command: str
) -> tuple[str, datetime | None]:
    """Adopt an unfinished run with the same parameters, else start one; return its uuid and, if adopted, its start.

    The run's lock is held on ``connection`` until :func:`release` (or the session's end).
    """
    pending = connection.execute(
        select(run_start.c.uuid, run_start.c.host, run_start.c.pid, run_start.c.started_at)
        .where(run_start.c.kind == kind)
        .where(run_start.c.params_sha256 == params_sha256(kind, params))
        .where(run_start.c.uuid.not_in(select(run.c.uuid)))
        .order_by(run_start.c.started_at)
    ).all()
    connection.commit()
    for row in pending:
        if connection.dialect.name == "sqlite" and _alive(row.host, row.pid):
            continue
        if _try_lock(connection, row.uuid):
            return row.uuid, _utc(row.started_at)
    uuid = uuidlib.uuid4().hex
    _try_lock(connection, uuid)
    with connection.begin():
        connection.execute(run_start.insert(), start_row(uuid, kind, params, command))
    return uuid, None


def record_run(
    connection: Connection,
    *,
    uuid: str,
    kind: str,
    params: dict[str, Any],
    command: str,
    started_at: datetime,
    rows: int,
    counts: dict[str, Any],
    outcome: str,
    engine_version: str,
) -> RunInfo:
    """Write the ``run`` row (inside the caller's transaction) and return the run as recorded."""
    values = {
        "uuid": uuid,
        "kind": kind,
        "params": dump(params),
        "command": command,
        "started_at": started_at,
        "finished_at": now(),
        "rows": rows,
        "counts": dump(counts),
        "outcome": outcome,
        "engine_version": engine_version,
    }
    connection.execute(run.insert(), values)
    row = connection.execute(select(run).where(run.c.uuid == uuid)).one()
    return RunInfo.from_row(row)


def count_runs(connection: Connection) -> int:
    """Return how many runs are recorded."""
    return int(connection.execute(select(func.count()).select_from(run)).scalar_one())
