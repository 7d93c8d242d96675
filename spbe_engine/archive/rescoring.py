"""Rescore archived assessments under another rubric: batches in transactions, the run recorded last.

Each batch of assessments (in id order) is rescored and its scorings
committed in one transaction; the ``run`` row is written in the last one. A
process killed part-way leaves committed batches that no listing shows (their
run is not recorded), and the next rescore with the same target, rubric hash,
policy and filters adopts that run: it scores only the assessments the run
has not scored yet, then records it. Two rescores at once each have their
own run and never touch each other's scorings.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs
from sqlalchemy import Connection, exists, func, select

from ..rescore import MissingPolicy, check_policy
from .compute import Item, Memo, Outcome, rescore_items
from .importer import insert_scorings
from .runs import RunInfo, adopt_or_start, now, record_run, release
from .tables import assessment, instansi, run_start, scoring
from .where import Where

if TYPE_CHECKING:
    from .. import Engine
    from .store import Store

__all__ = ["BATCH_ROWS", "Progress", "RescoreReport", "rescore"]

#: Assessments per transaction.
BATCH_ROWS = 5000
#: Receives (assessments scored by this run so far, assessments the run covers) after each batch is committed,
#: from the thread that commits it; the next batch is not committed before it returns.
Progress = Callable[[int, int], None]


@attrs.frozen(kw_only=True)
class RescoreReport:
    """What a rescore did: its run, whether it adopted an unfinished one, and its counts."""

    run: RunInfo
    adopted: bool
    adopted_rows: int
    statuses: dict[str, int]
    comparability: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "run": self.run.to_json(),
            "adopted": self.adopted,
            "adopted_rows": self.adopted_rows,
            "statuses": self.statuses,
            "comparability": self.comparability,
        }


def _selection(where: Where, uuid: str) -> Any:
    """Select the assessments a run covers that it has not scored yet."""
    return (
        select(
            assessment.c.id,
            assessment.c.kind,
            assessment.c.scores,
            assessment.c.year,
            assessment.c.rubric,
            assessment.c.printed_index,
            assessment.c.printed_predikat,
            instansi.c.name,
        )
        .join(instansi, instansi.c.id == assessment.c.instansi_id)
        .where(assessment.c.kind != "printed")
        .where(where.condition())
        .where(~exists().where(scoring.c.run_uuid == uuid).where(scoring.c.assessment_id == assessment.c.id))
    )


def _count(connection: Connection, where: Where) -> int:
    query = (
        select(func.count())
        .select_from(assessment.join(instansi, instansi.c.id == assessment.c.instansi_id))
        .where(assessment.c.kind != "printed")
        .where(where.condition())
    )
    return int(connection.execute(query).scalar_one())


def _scored(connection: Connection, uuid: str) -> int:
    return int(connection.execute(select(func.count()).where(scoring.c.run_uuid == uuid)).scalar_one())


def rescore(
    store: Store,
    engine: Engine,
    to: str,
    *,
    where: Where,
    missing: str | MissingPolicy | None,
    command: str,
    batch_rows: int = BATCH_ROWS,
    progress: Progress | None = None,
) -> RescoreReport:
    """Rescore every selected assessment under ``to``; return the recorded run."""
    from .._engine import engine_version

    policy = None if missing is None else MissingPolicy.parse(missing)
    check_policy(engine, None, to, policy)
    params = {
        "to": to,
        "sha256": engine.rubric(to).sha256,
        "missing": None if policy is None else str(policy),
        "where": where.as_json(),
    }
    with store.guard(), store.engine.connect() as connection:
        uuid, adopted_start = adopt_or_start(connection, "rescore", params, command)
        try:
            adopted_rows = _scored(connection, uuid) if adopted_start is not None else 0
            total = _count(connection, where)
            connection.commit()
            with _reader(store, connection) as reader:
                committer = _Committer(
                    connection, uuid, adopted_rows, total, progress, threaded=reader is not connection
                )
                try:
                    memo: Memo = {}
                    last = 0
                    while True:
                        with reader.begin():
                            batch = reader.execute(
                                _selection(where, uuid)
                                .where(assessment.c.id > last)
                                .order_by(assessment.c.id)
                                .limit(batch_rows)
                            ).all()
                        if not batch:
                            break
                        last = int(batch[-1].id)
                        items = [
                            Item(
                                key=int(key),
                                kind=kind,
                                text=scores,
                                name=name,
                                year=year,
                                named=rubric,
                                printed=(printed_index, printed_predikat),
                            )
                            for key, kind, scores, year, rubric, printed_index, printed_predikat, name in batch
                        ]
                        committer.put(rescore_items(engine, items, to, policy, memo))
                    committer.finish()
                finally:
                    committer.stop()
            with connection.begin():
                report = _record(connection, uuid, params, command, adopted_start, engine_version())
        finally:
            if not connection.closed:
                if connection.in_transaction():
                    connection.rollback()
                release(connection, uuid)
    return RescoreReport(
        run=report[0],
        adopted=adopted_start is not None,
        adopted_rows=adopted_rows,
        statuses=report[1],
        comparability=report[2],
    )


@contextlib.contextmanager
def _reader(store: Store, connection: Connection) -> Iterator[Connection]:
    """Yield a second connection to read batches from while ``connection`` commits (else ``connection`` itself).

    An in-memory SQLite database has one connection per thread: it reads and
    commits on the one.
    """
    with store.engine.connect() as reader:
        if reader.connection.dbapi_connection is connection.connection.dbapi_connection:
            yield connection
        else:
            yield reader


class _Committer:
    """Insert and commit each batch's scorings on the run's connection, in order, one transaction a batch.

    Threaded, a thread of its own commits batch *n* while the caller reads
    and computes batch *n + 1* (on PostgreSQL the server's work on the
    inserts then overlaps the computing); at most one computed batch waits.
    ``progress`` is called from the committing thread after each commit, and
    the next batch is not committed before it returns. An error there (or
    in ``progress``) is raised to the caller at its next :meth:`put` or at
    :meth:`finish`; batches not yet committed are dropped.
    """

    def __init__(
        self,
        connection: Connection,
        uuid: str,
        done: int,
        total: int,
        progress: Progress | None,
        *,
        threaded: bool,
    ) -> None:
        self._connection = connection
        self._uuid = uuid
        self._done = done
        self._total = total
        self._progress = progress
        self._error: BaseException | None = None
        self._stopped = False
        self._queue: queue.Queue[list[Outcome] | None] = queue.Queue(maxsize=1)
        self._thread = threading.Thread(target=self._run, name="spbe-rescore-commit", daemon=True) if threaded else None
        if self._thread is not None:
            self._thread.start()

    def put(self, outcomes: list[Outcome]) -> None:
        """Hand over one computed batch (committed at once when not threaded)."""
        self._raise()
        if self._thread is None:
            self._commit(outcomes)
        else:
            self._queue.put(outcomes)

    def finish(self) -> None:
        """Wait until every batch handed over is committed; raise what went wrong meanwhile."""
        self._end()
        self._raise()

    def stop(self) -> None:
        """Drop the batches not yet committed and wait for the thread (after an error, or at the end)."""
        self._stopped = True
        self._end()

    def _end(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self) -> None:
        while (outcomes := self._queue.get()) is not None:
            if self._error is not None or self._stopped:
                continue  # drained, never committed
            try:
                self._commit(outcomes)
            except BaseException as exc:  # raised again in the caller's thread
                self._error = exc

    def _commit(self, outcomes: list[Outcome]) -> None:
        with self._connection.begin():
            insert_scorings(self._connection, outcomes, self._uuid)
        self._done += len(outcomes)
        if self._progress is not None:
            self._progress(self._done, max(self._total, self._done))


def _record(
    connection: Connection,
    uuid: str,
    params: dict[str, Any],
    command: str,
    adopted_start: datetime | None,
    version: str,
) -> tuple[RunInfo, dict[str, int], dict[str, int]]:
    statuses = {
        str(s): int(n)
        for s, n in connection.execute(
            select(scoring.c.status, func.count()).where(scoring.c.run_uuid == uuid).group_by(scoring.c.status)
        )
    }
    comparability = {
        str(c): int(n)
        for c, n in connection.execute(
            select(scoring.c.comparability, func.count())
            .where(scoring.c.run_uuid == uuid)
            .where(scoring.c.comparability.is_not(None))
            .group_by(scoring.c.comparability)
        )
    }
    rows = sum(statuses.values())
    errors = statuses.get("error", 0)
    started = adopted_start
    if started is None:
        started = connection.execute(select(run_start.c.started_at).where(run_start.c.uuid == uuid)).scalar_one()
    outcome = "complete" if not errors else f"complete; {errors} of {rows} not rescored (status error)"
    counts = {"statuses": dict(sorted(statuses.items())), "comparability": dict(sorted(comparability.items()))}
    if adopted_start is not None:
        outcome += f"; adopted an unfinished run started {started.isoformat() if started else '?'}"
    info = record_run(
        connection,
        uuid=uuid,
        kind="rescore",
        params=params,
        command=command,
        started_at=started or now(),
        rows=rows,
        counts=counts,
        outcome=outcome,
        engine_version=version,
    )
    return info, dict(sorted(statuses.items())), dict(sorted(comparability.items()))
