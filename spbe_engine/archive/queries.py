"""Read the archive: an instansi's history, one assessment, run diffs, runs, and paginated listings.

Only recorded runs are visible: every query joins scorings to ``run``, so a
rescore that is still going on, or was killed, shows nothing until its run is
recorded. Every result is an attrs record with ``to_json()``, the data the
command line prints with ``--json`` and the HTTP layer returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import attrs
from sqlalchemy import Connection, Select, func, select

from .errors import ArchiveError
from .records import instansi_key, load
from .runs import RunInfo
from .tables import assessment, instansi, run, run_start, scoring
from .where import Where

__all__ = [
    "AssessmentInfo",
    "AssessmentView",
    "History",
    "InstansiInfo",
    "Page",
    "RunDiff",
    "ScoringInfo",
    "count_assessments",
    "count_instansi",
    "count_scorings",
    "find_instansi",
    "history",
    "list_assessments",
    "list_instansi",
    "list_runs",
    "list_scorings",
    "run_diff",
    "run_info",
    "show",
]


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


@attrs.frozen(kw_only=True)
class InstansiInfo:
    """An instansi as the archive knows it."""

    id: int
    name: str
    category: str | None
    region: str | None
    code: str | None

    @classmethod
    def from_row(cls, row: Any) -> InstansiInfo:
        """Build from an ``instansi`` row."""
        return cls(id=int(row.id), name=row.name, category=row.category, region=row.region, code=row.code)

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class AssessmentInfo:
    """One stored assessment with its origin."""

    id: int
    instansi: str
    instansi_id: int
    year: int | None
    rubric: str | None
    kind: str
    scores: dict[str, Any]
    printed_index: str | None
    printed_predikat: str | None
    source: str | None
    origin_file: str
    origin_sha256: str | None
    origin_row: int | None
    origin_line: int | None
    content_sha256: str
    import_run: int | None
    imported_at: datetime
    input: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        data = attrs.asdict(self)
        data["imported_at"] = self.imported_at.isoformat()
        if self.input is None:
            del data["input"]
        return data


@attrs.frozen(kw_only=True)
class ScoringInfo:
    """One visible scoring: its run, rubric and hash, provenance, status and full result."""

    id: int
    assessment_id: int
    run: int
    kind: str
    rubric_id: str | None
    rubric_sha256: str | None
    source_rubric_id: str | None
    source_rubric_sha256: str | None
    crosswalk_sha256: str | None
    missing_policy: str | None
    engine_version: str
    plugin: str | None
    plugin_version: str | None
    status: str
    index: str | None
    predikat: str | None
    comparability: str | None
    result: dict[str, Any]
    scored_at: datetime

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        data = attrs.asdict(self)
        data["scored_at"] = self.scored_at.isoformat()
        return data


_SCORING_COLUMNS = (
    scoring.c.id,
    scoring.c.assessment_id,
    run.c.id.label("run_id"),
    scoring.c.kind,
    scoring.c.rubric_id,
    scoring.c.rubric_sha256,
    scoring.c.source_rubric_id,
    scoring.c.source_rubric_sha256,
    scoring.c.crosswalk_sha256,
    scoring.c.missing_policy,
    scoring.c.engine_version,
    scoring.c.plugin,
    scoring.c.plugin_version,
    scoring.c.status,
    scoring.c.index_text,
    scoring.c.predikat,
    scoring.c.comparability,
    scoring.c.result,
    scoring.c.scored_at,
)


def _scoring(row: Any) -> ScoringInfo:
    return ScoringInfo(
        id=int(row.id),
        assessment_id=int(row.assessment_id),
        run=int(row.run_id),
        kind=row.kind,
        rubric_id=row.rubric_id,
        rubric_sha256=row.rubric_sha256,
        source_rubric_id=row.source_rubric_id,
        source_rubric_sha256=row.source_rubric_sha256,
        crosswalk_sha256=row.crosswalk_sha256,
        missing_policy=row.missing_policy,
        engine_version=row.engine_version,
        plugin=row.plugin,
        plugin_version=row.plugin_version,
        status=row.status,
        index=row.index_text,
        predikat=row.predikat,
        comparability=row.comparability,
        result=load(row.result),
        scored_at=_utc(row.scored_at),
    )


_ASSESSMENT_COLUMNS = (
    assessment.c.id,
    instansi.c.name.label("instansi_name"),
    assessment.c.instansi_id,
    assessment.c.year,
    assessment.c.rubric,
    assessment.c.kind,
    assessment.c.scores,
    assessment.c.printed_index,
    assessment.c.printed_predikat,
    assessment.c.source,
    assessment.c.origin_file,
    assessment.c.origin_sha256,
    assessment.c.origin_row,
    assessment.c.origin_line,
    assessment.c.content_sha256,
    run.c.id.label("import_run"),
    assessment.c.imported_at,
)


def _assessment(row: Any, with_input: bool = False) -> AssessmentInfo:
    return AssessmentInfo(
        id=int(row.id),
        instansi=row.instansi_name,
        instansi_id=int(row.instansi_id),
        year=row.year,
        rubric=row.rubric,
        kind=row.kind,
        scores=load(row.scores),
        printed_index=row.printed_index,
        printed_predikat=row.printed_predikat,
        source=row.source,
        origin_file=row.origin_file,
        origin_sha256=row.origin_sha256,
        origin_row=row.origin_row,
        origin_line=row.origin_line,
        content_sha256=row.content_sha256,
        import_run=None if row.import_run is None else int(row.import_run),
        imported_at=_utc(row.imported_at),
        input=load(row.input) if with_input else None,
    )


def _assessments() -> Select[Any]:
    return (
        select(*_ASSESSMENT_COLUMNS)
        .join(instansi, instansi.c.id == assessment.c.instansi_id)
        .join(run, run.c.uuid == assessment.c.run_uuid)
    )


# -- instansi and history ---------------------------------------------------------------------------------------
def find_instansi(connection: Connection, name: str) -> InstansiInfo:
    """Return the instansi named ``name``: its exact name (any case), its code, its id, or a unique part of its name."""
    text = name.strip()
    tries = [instansi.c.key == instansi_key(text), instansi.c.code == text]
    if text.isascii() and text.isdigit() and int(text) < 2**63:  # "²" is a digit to isdigit(); ids are 64-bit
        tries.append(instansi.c.id == int(text))
    for condition in tries:  # one indexed look-up at a time: the exact name is the common case
        rows = connection.execute(select(instansi).where(condition).limit(2)).all()
        if len(rows) == 1:
            return InstansiInfo.from_row(rows[0])
    pattern = "%" + instansi_key(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = connection.execute(
        select(instansi).where(instansi.c.key.like(pattern, escape="\\")).order_by(instansi.c.key).limit(6)
    ).all()
    if len(rows) == 1:
        return InstansiInfo.from_row(rows[0])
    if not rows:
        raise ArchiveError("no instansi of that name in the archive", kind="not-found", field="instansi", value=name)
    names = "; ".join(r.name for r in rows[:5])
    raise ArchiveError(
        "several instansi match; name one", kind="not-found", field="instansi", value=name, allowed=names
    )


@attrs.frozen(kw_only=True)
class HistoryEntry:
    """One row of an instansi's history: an assessment and one of its scorings (or none)."""

    assessment: AssessmentInfo
    scoring: ScoringInfo | None

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "assessment": self.assessment.to_json(),
            "scoring": None if self.scoring is None else self.scoring.to_json(),
        }


@attrs.frozen(kw_only=True)
class History:
    """Every assessment of one instansi, each with every visible scoring: all years, all rubrics."""

    instansi: InstansiInfo
    entries: tuple[HistoryEntry, ...]

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {"instansi": self.instansi.to_json(), "entries": [e.to_json() for e in self.entries]}


def history(connection: Connection, name: str) -> History:
    """Return one instansi's history, oldest year first, each assessment's scorings in run order."""
    agency = find_instansi(connection, name)
    found = [
        _assessment(row)
        for row in connection.execute(
            _assessments().where(assessment.c.instansi_id == agency.id).order_by(assessment.c.year, assessment.c.id)
        )
    ]
    scorings: dict[int, list[ScoringInfo]] = {}
    if found:
        rows = connection.execute(
            select(*_SCORING_COLUMNS)
            .join(run, run.c.uuid == scoring.c.run_uuid)
            .where(scoring.c.assessment_id.in_([a.id for a in found]))
            .order_by(run.c.id)
        )
        for row in rows:
            scorings.setdefault(int(row.assessment_id), []).append(_scoring(row))
    entries: list[HistoryEntry] = []
    for info in found:
        own: list[ScoringInfo | None] = [*scorings.get(info.id, [])] or [None]
        entries.extend(HistoryEntry(assessment=info, scoring=s) for s in own)
    return History(instansi=agency, entries=tuple(entries))


# -- one assessment -------------------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class AssessmentView:
    """One assessment in full: what was imported, from where, and every visible scoring of it."""

    assessment: AssessmentInfo
    instansi: InstansiInfo
    scorings: tuple[ScoringInfo, ...]

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "assessment": self.assessment.to_json(),
            "instansi": self.instansi.to_json(),
            "scorings": [s.to_json() for s in self.scorings],
        }


def show(connection: Connection, assessment_id: int) -> AssessmentView:
    """Return one assessment with every visible scoring of it."""
    row = connection.execute(
        _assessments().add_columns(assessment.c.input).where(assessment.c.id == assessment_id)
    ).first()
    if row is None:
        raise ArchiveError("no assessment with that id", kind="not-found", field="assessment", value=str(assessment_id))
    info = _assessment(row, with_input=True)
    agency = InstansiInfo.from_row(connection.execute(select(instansi).where(instansi.c.id == info.instansi_id)).one())
    rows = connection.execute(
        select(*_SCORING_COLUMNS)
        .join(run, run.c.uuid == scoring.c.run_uuid)
        .where(scoring.c.assessment_id == assessment_id)
        .order_by(run.c.id)
    )
    return AssessmentView(assessment=info, instansi=agency, scorings=tuple(_scoring(r) for r in rows))


# -- runs -----------------------------------------------------------------------------------------------------
def run_info(connection: Connection, run_id: int) -> RunInfo:
    """Return one recorded run by its number."""
    row = connection.execute(select(run).where(run.c.id == run_id)).first()
    if row is None:
        raise ArchiveError("no recorded run with that number", kind="not-found", field="run", value=str(run_id))
    return RunInfo.from_row(row)


@attrs.frozen(kw_only=True)
class Page:
    """One page of a listing; ``next`` is the ``after`` of the next page (``None`` on the last)."""

    items: tuple[Any, ...]
    next: int | None

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {"items": [i.to_json() for i in self.items], "next": self.next}


def _page(items: Sequence[Any], limit: int, key: Any) -> Page:
    more = len(items) > limit
    items = items[:limit]
    return Page(items=tuple(items), next=key(items[-1]) if more and items else None)


def _limit(limit: int) -> int:
    if not 1 <= limit <= 1000:
        from ..errors import InputError

        raise InputError("a page holds 1 to 1000 items", field="limit", value=limit)
    return limit


def list_runs(connection: Connection, *, limit: int = 50, after: int | None = None, kind: str | None = None) -> Page:
    """Return recorded runs, newest first (``after``: a run number; the page starts below it)."""
    query = select(run).order_by(run.c.id.desc()).limit(_limit(limit) + 1)
    if after is not None:
        query = query.where(run.c.id < after)
    if kind is not None:
        query = query.where(run.c.kind == kind)
    rows = [RunInfo.from_row(r) for r in connection.execute(query)]
    return _page(rows, limit, lambda r: r.id)


def list_unfinished(connection: Connection) -> list[dict[str, Any]]:
    """Return the runs started but not recorded (going on, or killed), oldest first, with their scorings so far."""
    query = (
        select(
            run_start.c.uuid,
            run_start.c.kind,
            run_start.c.params,
            run_start.c.command,
            run_start.c.started_at,
            run_start.c.host,
            run_start.c.pid,
        )
        .where(run_start.c.uuid.not_in(select(run.c.uuid)))
        .order_by(run_start.c.started_at)
    )
    out = []
    for row in connection.execute(query):
        done = connection.execute(select(func.count()).where(scoring.c.run_uuid == row.uuid)).scalar_one()
        out.append(
            {
                "uuid": row.uuid,
                "kind": row.kind,
                "params": load(row.params),
                "command": row.command,
                "started_at": _utc(row.started_at).isoformat(),
                "host": row.host,
                "pid": row.pid,
                "scorings_so_far": int(done),
            }
        )
    return out


def list_scorings(connection: Connection, where: Where, *, limit: int = 50, after: int | None = None) -> Page:
    """Return visible scorings matching ``where``, by id (``after``: the last id of the previous page)."""
    query = (
        select(*_SCORING_COLUMNS)
        .join(run, run.c.uuid == scoring.c.run_uuid)
        .join(assessment, assessment.c.id == scoring.c.assessment_id)
        .join(instansi, instansi.c.id == assessment.c.instansi_id)
        .where(where.condition())
        .order_by(scoring.c.id)
        .limit(_limit(limit) + 1)
    )
    if after is not None:
        query = query.where(scoring.c.id > after)
    return _page([_scoring(r) for r in connection.execute(query)], limit, lambda s: s.id)


def list_assessments(connection: Connection, where: Where, *, limit: int = 50, after: int | None = None) -> Page:
    """Return assessments matching ``where``, by id."""
    query = _assessments().where(where.condition()).order_by(assessment.c.id).limit(_limit(limit) + 1)
    if after is not None:
        query = query.where(assessment.c.id > after)
    return _page([_assessment(r) for r in connection.execute(query)], limit, lambda a: a.id)


def list_instansi(connection: Connection, where: Where, *, limit: int = 50, after: int | None = None) -> Page:
    """Return instansi matching ``where`` (``instansi``, ``category``, ``region``), by id."""
    query = select(instansi).where(where.condition()).order_by(instansi.c.id).limit(_limit(limit) + 1)
    if after is not None:
        query = query.where(instansi.c.id > after)
    return _page([InstansiInfo.from_row(r) for r in connection.execute(query)], limit, lambda i: i.id)


def count_scorings(connection: Connection, where: Where) -> int:
    """Return how many visible scorings match ``where`` (every page of :func:`list_scorings` together)."""
    query = (
        select(func.count())
        .select_from(scoring)
        .join(run, run.c.uuid == scoring.c.run_uuid)
        .join(assessment, assessment.c.id == scoring.c.assessment_id)
        .join(instansi, instansi.c.id == assessment.c.instansi_id)
        .where(where.condition())
    )
    return int(connection.execute(query).scalar_one())


def count_assessments(connection: Connection, where: Where) -> int:
    """Return how many assessments match ``where`` (every page of :func:`list_assessments` together)."""
    query = _assessments().where(where.condition()).with_only_columns(func.count(), maintain_column_froms=True)
    return int(connection.execute(query).scalar_one())


def count_instansi(connection: Connection, where: Where) -> int:
    """Return how many instansi match ``where`` (every page of :func:`list_instansi` together)."""
    return int(connection.execute(select(func.count()).select_from(instansi).where(where.condition())).scalar_one())


# -- run diff -------------------------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class Change:
    """One assessment scored in both runs: its index and predikat in each."""

    assessment_id: int
    instansi: str
    year: int | None
    index_a: str | None
    index_b: str | None
    predikat_a: str | None
    predikat_b: str | None
    status_a: str
    status_b: str

    @property
    def delta(self) -> Decimal | None:
        """Return index B minus index A, where both are determined."""
        if self.index_a is None or self.index_b is None:
            return None
        return Decimal(self.index_b) - Decimal(self.index_a)

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        data = attrs.asdict(self)
        data["delta"] = None if self.delta is None else str(self.delta)
        return data


@attrs.frozen(kw_only=True)
class RunDiff:
    """What changed between two runs, over the assessments both scored."""

    run_a: RunInfo
    run_b: RunInfo
    common: int
    only_a: int
    only_b: int
    unchanged: int
    not_comparable: int
    transitions: dict[str, dict[str, int]]
    movers: tuple[Change, ...]
    predikat_changes: tuple[Change, ...]
    status_changes: tuple[Change, ...]

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "run_a": self.run_a.to_json(),
            "run_b": self.run_b.to_json(),
            "common": self.common,
            "only_a": self.only_a,
            "only_b": self.only_b,
            "unchanged": self.unchanged,
            "not_comparable": self.not_comparable,
            "transitions": self.transitions,
            "movers": [c.to_json() for c in self.movers],
            "predikat_changes": [c.to_json() for c in self.predikat_changes],
            "status_changes": [c.to_json() for c in self.status_changes],
        }


def _run_results(connection: Connection, uuid: str) -> dict[int, tuple[str | None, str | None, str]]:
    rows = connection.execute(
        select(scoring.c.assessment_id, scoring.c.index_text, scoring.c.predikat, scoring.c.status).where(
            scoring.c.run_uuid == uuid
        )
    )
    return {int(a): (i, p, s) for a, i, p, s in rows}


def run_diff(connection: Connection, run_a: int, run_b: int, *, top: int = 10) -> RunDiff:
    """Compare two recorded runs over the assessments both scored: movers, predikat and status changes."""
    a, b = run_info(connection, run_a), run_info(connection, run_b)
    left, right = _run_results(connection, a.uuid), _run_results(connection, b.uuid)
    common_ids = sorted(left.keys() & right.keys())
    names = {}
    for chunk_start in range(0, len(common_ids), 5000):
        chunk = common_ids[chunk_start : chunk_start + 5000]
        for ident, name, year in connection.execute(
            select(assessment.c.id, instansi.c.name, assessment.c.year)
            .join(instansi, instansi.c.id == assessment.c.instansi_id)
            .where(assessment.c.id.in_(chunk))
        ):
            names[int(ident)] = (name, year)
    changes = []
    transitions: dict[str, dict[str, int]] = {}
    unchanged = not_comparable = 0
    for ident in common_ids:
        (ia, pa, sa), (ib, pb, sb) = left[ident], right[ident]
        name, year = names[ident]
        change = Change(
            assessment_id=ident, instansi=name, year=year, index_a=ia, index_b=ib,
            predikat_a=pa, predikat_b=pb, status_a=sa, status_b=sb,
        )  # fmt: skip
        changes.append(change)
        if pa is not None and pb is not None:
            row = transitions.setdefault(pa, {})
            row[pb] = row.get(pb, 0) + 1
        if change.delta is None:
            not_comparable += 1
        elif change.delta == 0 and pa == pb:
            unchanged += 1
    movers = sorted((c for c in changes if c.delta), key=lambda c: (-abs(c.delta or Decimal(0)), c.assessment_id))[:top]
    return RunDiff(
        run_a=a,
        run_b=b,
        common=len(common_ids),
        only_a=len(left.keys() - right.keys()),
        only_b=len(right.keys() - left.keys()),
        unchanged=unchanged,
        not_comparable=not_comparable,
        transitions=transitions,
        movers=tuple(movers),
        predikat_changes=tuple(c for c in changes if c.predikat_a != c.predikat_b and c.predikat_a and c.predikat_b),
        status_changes=tuple(c for c in changes if c.status_a != c.status_b),
    )
