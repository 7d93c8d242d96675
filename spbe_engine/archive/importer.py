"""Import assessments: batch files (CSV, JSON Lines) and single assessments (TOML, JSON), in one transaction.

Rows are read by the engine's own readers (:func:`spbe_engine.batch.read_batch`,
:func:`spbe_engine.inputs.read_assessment`), so a row means in the archive
what it means to ``spbe batch``. Besides scores, a row may carry ``index`` and
``predikat`` (as its source printed them), ``category``, ``region``,
``code`` (of the instansi) and ``source``; a row with an index or predikat
but no scores is kept as a *printed* assessment (a decree that published
only the index). Each new assessment is scored under its own rubric in the
same transaction. Rows whose content is already in the archive are counted
as duplicates and left alone; rows that cannot be read are refused with
their reason; everything else is committed together with the run, or
nothing is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from sqlalchemy import Connection, select

from ..batch import BATCH_SUFFIXES, BatchRow, read_batch
from ..errors import InputError
from ..inputs import read_assessment
from ..models import Assessment
from .compute import Item, Memo, Outcome, score_items
from .records import Incoming, canonical_scores, dump, has_scores, instansi_key
from .runs import RunInfo, now, record_run, start_row
from .tables import assessment, instansi, run_start, scoring

if TYPE_CHECKING:
    from .. import Engine
    from .store import Store

__all__ = [
    "ASSESSMENT_SUFFIXES",
    "Duplicate",
    "ImportReport",
    "Refused",
    "import_rows",
    "incoming_rows",
    "insert_scorings",
]

#: Single-assessment files.
ASSESSMENT_SUFFIXES = (".toml", ".json")
_CHUNK = 2000
#: Duplicates and refusals listed one by one in a report (all are counted).
LISTED = 50


@attrs.frozen(kw_only=True)
class Refused:
    """A row that could not be imported, and why."""

    row: int
    line: int
    message: str

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {"row": self.row, "line": self.line, "message": self.message}


@attrs.frozen(kw_only=True)
class Duplicate:
    """A row whose content is already in the archive (or earlier in the same file)."""

    row: int
    assessment_id: int | None
    content_sha256: str

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {"row": self.row, "assessment": self.assessment_id, "content_sha256": self.content_sha256}


@attrs.frozen(kw_only=True)
class ImportReport:
    """What an import did: its run, how many assessments are new, duplicates, refusals, scoring statuses."""

    run: RunInfo
    file: str
    imported: int
    duplicates: int
    refused: int
    statuses: dict[str, int]
    duplicate_rows: tuple[Duplicate, ...] = ()
    refused_rows: tuple[Refused, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "run": self.run.to_json(),
            "file": self.file,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "refused": self.refused,
            "statuses": self.statuses,
            "duplicate_rows": [d.to_json() for d in self.duplicate_rows],
            "refused_rows": [r.to_json() for r in self.refused_rows],
        }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _pop(columns: dict[str, Any], *names: str) -> str | None:
    for name in names:
        for key in list(columns):
            if key.strip().lower() == name:
                value = _text(columns.pop(key))
                if value is not None:
                    return value
    return None


def parse_year(value: Any) -> int | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise InputError("must be an evaluation year", field="year", value=value, allowed="e.g. 2023") from None


def incoming(
    columns: Mapping[str, Any], parsed: Assessment | None, *, source: str | None, row: int | None, line: int | None
) -> Incoming:
    """Build one incoming assessment from a row's columns and the engine's reading of it (``None``: no scores)."""
    where = _nul_field(columns) or (_nul_field({"source": source}) if source else None)
    if where is not None:
        # PostgreSQL cannot store a NUL in text; refused on SQLite too, so an archive moves between the two whole.
        raise InputError(
            "a NUL character cannot be archived", field=where[0], value=where[1], allowed="text without NUL characters"
        )
    extra = {str(k): v for k, v in (parsed.metadata if parsed is not None else columns).items()}
    name = _text(parsed.instansi if parsed is not None else columns.get("instansi"))
    if name is None:
        raise InputError("no instansi name", field="instansi", allowed="the agency's name in column 'instansi'")
    printed_index = _pop(extra, "index", "indeks")
    printed_predikat = _pop(extra, "predikat")
    info = {
        "category": _pop(extra, "category"),
        "region": _pop(extra, "region"),
        "code": _pop(extra, "code"),
    }
    own_source = _pop(extra, "source")
    if parsed is not None and parsed.printed_index is not None:
        printed_index = str(parsed.printed_index)
    if parsed is not None and parsed.printed_predikat is not None:
        printed_predikat = parsed.printed_predikat
    scores: dict[str, Any]
    if parsed is None:
        kind, scores = "printed", {}
        year, rubric = parse_year(columns.get("year")), _text(columns.get("rubric"))
    else:
        kind, scores = canonical_scores(parsed)
        year, rubric = parsed.year, parsed.rubric
    return Incoming(
        name=name,
        key=instansi_key(name),
        year=year,
        rubric=rubric,
        kind=kind,  # type: ignore[arg-type]
        scores=scores,
        printed_index=printed_index,
        printed_predikat=printed_predikat,
        source=own_source or source,
        row=row,
        line=line,
        input=dict(columns),
        assessment=parsed,
        **info,
    )


def _nul_field(value: Any, path: str = "") -> tuple[str, Any] | None:
    """Return the first field (dotted path) and text holding a NUL character, keys included, or ``None``."""
    if isinstance(value, str):
        return (path or "value", value) if "\x00" in value else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return name, key
            found = _nul_field(item, name)
            if found is not None:
                return found
    elif isinstance(value, list | tuple):
        for position, item in enumerate(value):
            found = _nul_field(item, f"{path}[{position}]")
            if found is not None:
                return found
    return None


def from_batch_row(row: BatchRow, source: str | None) -> Incoming | Refused:
    try:
        if row.assessment is not None:
            return incoming(row.columns, row.assessment, source=source, row=row.number, line=row.line)
        columns = dict(row.columns)
        lowered = {str(k).strip().lower() for k, v in columns.items() if _text(v) is not None}
        if columns and not has_scores(columns) and lowered & {"index", "indeks", "predikat"}:
            return incoming(columns, None, source=source, row=row.number, line=row.line)
        return Refused(row=row.number, line=row.line, message=str(row.error))
    except InputError as exc:
        return Refused(row=row.number, line=row.line, message=str(exc))


def incoming_rows(path: Path, source: str | None) -> Iterator[Incoming | Refused]:
    """Read a file's rows as incoming assessments or refusals (a file that cannot be read at all raises)."""
    suffix = path.suffix.lower()
    if suffix in ASSESSMENT_SUFFIXES:
        parsed = read_assessment(path)
        data: dict[str, Any] = {
            "instansi": parsed.instansi,
            "year": parsed.year,
            "rubric": parsed.rubric,
            **({"levels": dict(parsed.levels)} if parsed.levels else {"domains": dict(parsed.aggregates)}),
            "metadata": dict(parsed.metadata),
        }
        try:
            yield incoming(data, parsed, source=source, row=1, line=None)
        except InputError as exc:
            raise exc.with_file(str(path)) from None
        return
    if suffix not in BATCH_SUFFIXES:
        raise InputError(
            "unknown file type", file=str(path), value=suffix or path.name, allowed=".csv, .jsonl, .toml or .json"
        )
    for row in read_batch(path):
        yield from_batch_row(row, source)


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=str(path)) from None
    return digest.hexdigest()


def _chunks(items: Iterable[Incoming | Refused], size: int) -> Iterator[list[Incoming | Refused]]:
    chunk: list[Incoming | Refused] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def insert_ignore(connection: Connection, table: Any, conflict: list[str]) -> Any:
    """Return an INSERT that skips rows conflicting on ``conflict`` (the dialect's ON CONFLICT DO NOTHING)."""
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table).on_conflict_do_nothing(index_elements=conflict)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table).on_conflict_do_nothing(index_elements=conflict)


#: The ``scoring`` columns a row of :func:`scoring_rows` gives, in order (every column but ``id``).
_SCORING_COLUMNS = (
    "assessment_id",
    "run_uuid",
    "kind",
    "rubric_id",
    "rubric_sha256",
    "source_rubric_id",
    "source_rubric_sha256",
    "crosswalk_sha256",
    "missing_policy",
    "engine_version",
    "plugin",
    "plugin_version",
    "status",
    "index_text",
    "predikat",
    "comparability",
    "result",
    "scored_at",
)
assert set(_SCORING_COLUMNS) == {c.name for c in scoring.columns} - {"id"}, "scoring_rows must fill every column"


def scoring_rows(outcomes: Iterable[Outcome], run_uuid: str, stamp: Any) -> list[tuple[Any, ...]]:
    """Return the ``scoring`` rows (:data:`_SCORING_COLUMNS` order) of outcomes keyed by their assessment ids."""
    rows = []
    prefixes: dict[int, tuple[Any, ...]] = {}
    for outcome in outcomes:
        basis = outcome.basis
        prefix = prefixes.get(id(basis))
        if prefix is None:
            prefix = prefixes[id(basis)] = (
                run_uuid,
                basis.kind,
                basis.rubric_id,
                basis.rubric_sha256,
                basis.source_rubric_id,
                basis.source_rubric_sha256,
                basis.crosswalk_sha256,
                basis.missing_policy,
                basis.engine_version,
                basis.plugin,
                basis.plugin_version,
            )
        rows.append(
            (
                outcome.key,
                *prefix,
                outcome.status,
                *outcome.columns,
                outcome.result,
                stamp,
            )
        )
    return rows


def insert_scorings(connection: Connection, outcomes: list[Outcome], run_uuid: str) -> None:
    """Insert the scorings of outcomes keyed by assessment id: COPY on PostgreSQL, one executemany on SQLite.

    The hot path of rescoring and importing; the rows bypass SQLAlchemy's
    per-row parameter processing, so times are written as the SQLite
    dialect stores them (UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``).
    """
    if not outcomes:
        return
    names = ", ".join(_SCORING_COLUMNS)
    stamp = now()
    if connection.dialect.name == "postgresql":
        raw = connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(f"COPY scoring ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in scoring_rows(outcomes, run_uuid, stamp):
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in _SCORING_COLUMNS)
    text = stamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    connection.exec_driver_sql(
        f"INSERT INTO scoring ({names}) VALUES ({marks})", scoring_rows(outcomes, run_uuid, text)
    )


class _Importer:
    def __init__(self, connection: Connection, engine: Engine, run_uuid: str, origin: str, origin_sha: str | None):
        self.connection = connection
        self.engine = engine
        self.run_uuid = run_uuid
        self.origin = origin
        self.origin_sha = origin_sha
        self.instansi_ids: dict[str, int] = {}
        self.seen: dict[str, int | None] = {}
        self.imported = 0
        self.statuses: dict[str, int] = {}
        self.duplicates: list[Duplicate] = []
        self.duplicate_count = 0
        self.refused: list[Refused] = []
        self.refused_count = 0
        self.memo: Memo = {}

    def chunk(self, items: list[Incoming | Refused]) -> None:
        fresh: list[Incoming] = []
        for item in items:
            if isinstance(item, Refused):
                self.refused_count += 1
                if len(self.refused) < LISTED:
                    self.refused.append(item)
            else:
                fresh.append(item)
        existing = self._existing([i.content_sha256 for i in fresh])
        new: list[Incoming] = []
        for item in fresh:
            sha = item.content_sha256
            if sha in existing or sha in self.seen:
                self.duplicate_count += 1
                if len(self.duplicates) < LISTED:
                    found = existing.get(sha, self.seen.get(sha))
                    self.duplicates.append(Duplicate(row=item.row or 0, assessment_id=found, content_sha256=sha))
                continue
            self.seen[sha] = None
            new.append(item)
        if new:
            self._store(new)

    def _existing(self, hashes: list[str]) -> dict[str, int]:
        if not hashes:
            return {}
        rows = self.connection.execute(
            select(assessment.c.content_sha256, assessment.c.id).where(assessment.c.content_sha256.in_(hashes))
        )
        return {sha: int(ident) for sha, ident in rows}

    def _instansi(self, items: list[Incoming]) -> None:
        wanted: dict[str, Incoming] = {}
        for item in items:
            if item.key not in self.instansi_ids and item.key not in wanted:
                wanted[item.key] = item
        if not wanted:
            return
        stamp = now()
        self.connection.execute(
            insert_ignore(self.connection, instansi, ["key"]),
            [
                {
                    "key": key,
                    "name": item.name,
                    "category": item.category,
                    "region": item.region,
                    "code": item.code,
                    "created_at": stamp,
                }
                for key, item in wanted.items()
            ],
        )
        found = self.connection.execute(select(instansi.c.key, instansi.c.id).where(instansi.c.key.in_(list(wanted))))
        self.instansi_ids.update({key: int(ident) for key, ident in found})

    def _store(self, items: list[Incoming]) -> None:
        self._instansi(items)
        stamp = now()
        rows = [
            {
                "instansi_id": self.instansi_ids[item.key],
                "year": item.year,
                "rubric": item.rubric,
                "kind": item.kind,
                "scores": dump(item.scores),
                "printed_index": item.printed_index,
                "printed_predikat": item.printed_predikat,
                "source": item.source,
                "origin_file": self.origin,
                "origin_sha256": self.origin_sha,
                "origin_row": item.row,
                "origin_line": item.line,
                "input": dump(item.input),
                "content_sha256": item.content_sha256,
                "run_uuid": self.run_uuid,
                "imported_at": stamp,
            }
            for item in items
        ]
        inserted = self.connection.execute(
            insert_ignore(self.connection, assessment, ["content_sha256"]).returning(
                assessment.c.id, assessment.c.content_sha256
            ),
            rows,
        )
        ids = {sha: int(ident) for ident, sha in inserted}
        for item in items:  # written by a concurrent import between our check and our insert
            if item.content_sha256 not in ids:
                self.duplicate_count += 1
        self.imported += len(ids)
        scored = [
            Item(
                key=ids[i.content_sha256],
                kind=i.kind,
                scores=i.scores,
                name=i.name,
                year=i.year,
                named=i.rubric,
                printed=(i.printed_index, i.printed_predikat),
            )
            for i in items
            if i.content_sha256 in ids and i.kind != "printed"
        ]
        outcomes = score_items(self.engine, scored, self.memo)
        for outcome in outcomes:
            self.statuses[outcome.status] = self.statuses.get(outcome.status, 0) + 1
        if outcomes:
            insert_scorings(self.connection, outcomes, self.run_uuid)


def import_rows(
    store: Store,
    engine: Engine,
    rows: Iterable[Incoming | Refused],
    *,
    origin: str,
    origin_sha256: str | None,
    source: str | None,
    command: str,
) -> ImportReport:
    """Import incoming rows in one transaction: instansi, assessments, their scorings, and the run, recorded last."""
    import uuid as uuidlib

    from .._engine import engine_version

    params = {"file": origin, "file_sha256": origin_sha256, "source": source}
    run_uuid = uuidlib.uuid4().hex
    with store.guard(), store.engine.connect() as connection, connection.begin():
        start = start_row(run_uuid, "import", params, command)
        connection.execute(run_start.insert(), start)
        importer = _Importer(connection, engine, run_uuid, origin, origin_sha256)
        for chunk in _chunks(rows, _CHUNK):
            importer.chunk(chunk)
        counts = {
            "imported": importer.imported,
            "duplicates": importer.duplicate_count,
            "refused": importer.refused_count,
            "statuses": dict(sorted(importer.statuses.items())),
        }
        outcome = (
            f"imported {importer.imported}, {importer.duplicate_count} duplicates, {importer.refused_count} refused"
        )
        info = record_run(
            connection,
            uuid=run_uuid,
            kind="import",
            params=params,
            command=command,
            started_at=start["started_at"],
            rows=importer.imported,
            counts=counts,
            outcome=outcome,
            engine_version=engine_version(),
        )
    return ImportReport(
        run=info,
        file=origin,
        imported=importer.imported,
        duplicates=importer.duplicate_count,
        refused=importer.refused_count,
        statuses=counts["statuses"],  # type: ignore[arg-type]
        duplicate_rows=tuple(importer.duplicates),
        refused_rows=tuple(importer.refused),
    )
