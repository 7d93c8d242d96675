"""Check the archive: ``verify`` recomputes every visible scoring; ``audit`` finds printed figures their data refutes.

**verify** rescores each stored assessment exactly as its scoring was made
(the same rubric, source rubric and missing-data policy) with the engine
installed now, and compares the result columns. A scoring that no longer
reproduces is listed with what changed; every rubric or crosswalk whose
content hash differs from the one stored is named, with how many of its
scorings still reproduce.

**audit** looks at what sources printed:

- *not admitted*: a printed index or predikat that is not among the
  candidates the row's own published values (or levels) admit, or a row
  whose values admit none at all (Kab. Banyuasin 2023, D4 printed 0.30);
- *sources disagree*: one instansi and year with different printed figures
  or values from different rows (a news item's 1.53 for Kota Bandar Lampung
  2022, from D4 1.88, against the 2022 results decree's 1.50), each printed
  index checked against the candidates of the others' values.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs
from sqlalchemy import Connection, func, select

from ..errors import SpbeError
from ..rescore import MissingPolicy
from .compute import Item, Memo, Outcome, crosswalk_sha256, rescore_items, score_items
from .records import dump, load
from .tables import assessment, instansi, run, scoring

if TYPE_CHECKING:
    from .. import Engine

__all__ = ["AuditReport", "Drift", "Mismatch", "VerifyReport", "audit", "verify"]

_CHUNK = 5000
#: Mismatches listed one by one in a report (all are counted).
LISTED = 200


@attrs.frozen(kw_only=True)
class Mismatch:
    """A stored scoring that no longer reproduces: what was stored and what the engine says now."""

    scoring_id: int
    assessment_id: int
    instansi: str
    year: int | None
    run: int
    rubric_id: str | None
    changed: dict[str, list[Any]]
    reason: str

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class Drift:
    """A rubric or crosswalk whose installed content hash differs from the one its scorings stored."""

    what: str
    id: str
    stored_sha256: str
    installed_sha256: str | None
    scorings: int
    not_reproduced: int

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return attrs.asdict(self)


@attrs.frozen(kw_only=True)
class VerifyReport:
    """The outcome of ``verify``: how many scorings were checked, which no longer reproduce, what drifted."""

    checked: int
    reproduced: int
    not_reproduced: int
    mismatches: tuple[Mismatch, ...]
    drift: tuple[Drift, ...]

    @property
    def ok(self) -> bool:
        """Tell whether every stored scoring reproduces."""
        return self.not_reproduced == 0

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "checked": self.checked,
            "reproduced": self.reproduced,
            "not_reproduced": self.not_reproduced,
            "ok": self.ok,
            "mismatches": [m.to_json() for m in self.mismatches],
            "drift": [d.to_json() for d in self.drift],
        }


def _installed(engine: Engine, rubric: str | None) -> str | None:
    if rubric is None:
        return None
    try:
        return engine.rubric(rubric).sha256
    except SpbeError:
        return None


def _walk_sha(engine: Engine, source: str | None, target: str | None) -> str | None:
    if source is None or target is None:
        return None
    try:
        return crosswalk_sha256(engine, source, target)
    except SpbeError:
        return None


def _recompute(engine: Engine, key: tuple[Any, ...], items: list[Item], memo: Memo) -> list[Outcome] | str:
    kind, rubric, _source, policy = key
    try:
        if kind == "score":
            return score_items(engine, items, memo)
        if rubric is None or _installed(engine, rubric) is None:
            return f"rubric {rubric} is not installed"
        return rescore_items(engine, items, rubric, None if policy is None else MissingPolicy.parse(policy), memo)
    except SpbeError as exc:
        return str(exc)


class _Stored(NamedTuple):
    """One row of :func:`verify`'s query, in its column order."""

    id: int
    assessment_id: int
    kind: str
    rubric_id: str | None
    rubric_sha256: str | None
    source_rubric_id: str | None
    source_rubric_sha256: str | None
    crosswalk_sha256: str | None
    missing_policy: str | None
    result: str
    run_id: int
    a_kind: str
    scores: str
    year: int | None
    a_rubric: str | None
    printed_index: str | None
    printed_predikat: str | None
    name: str


def _mismatches(
    members: list[_Stored], bad: list[bool], now: list[Outcome] | str, rubric: str | None, room: int
) -> list[Mismatch]:
    """Return up to ``room`` mismatches of one group's rows, with what changed."""
    out: list[Mismatch] = []
    for n, row in enumerate(members):
        if len(out) >= room:
            break
        if not bad[n]:
            continue
        changed: dict[str, list[Any]] = {}
        if isinstance(now, str):
            reason = now
        else:
            stored, fresh = load(row.result), dict(now[n].values)
            keys = sorted(stored.keys() | fresh.keys())
            changed = {k: [stored.get(k), fresh.get(k)] for k in keys if stored.get(k) != fresh.get(k)}
            reason = "the result differs"
        out.append(
            Mismatch(
                scoring_id=int(row.id),
                assessment_id=int(row.assessment_id),
                instansi=row.name,
                year=row.year,
                run=int(row.run_id),
                rubric_id=rubric,
                changed=changed,
                reason=reason,
            )
        )
    return out


def _read(connection: Connection, query: Any) -> Iterator[Sequence[Any]]:
    last = 0
    while rows := connection.execute(query.where(scoring.c.id > last).limit(_CHUNK)).all():
        last = int(rows[-1].id)
        yield rows


def _chunks(connection: Connection, query: Any) -> Iterator[Sequence[Any]]:
    """Yield the scorings chunk by chunk, in id order; on PostgreSQL the next chunk is read while one is checked.

    The reading thread is the only user of the connection until the chunks
    end (or the caller stops); a database error is raised in the caller.
    """
    if connection.dialect.name != "postgresql":
        yield from _read(connection, query)
        return
    chunks: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def read() -> None:
        try:
            for rows in _read(connection, query):
                chunks.put(("rows", rows))
                if stop.is_set():
                    return
            chunks.put(("end", None))
        except BaseException as exc:  # raised again in the caller's thread
            chunks.put(("error", exc))

    reader = threading.Thread(target=read, name="spbe-verify-read", daemon=True)
    reader.start()
    try:
        while True:
            what, value = chunks.get()
            if what == "end":
                return
            if what == "error":
                raise value
            yield value
    finally:
        stop.set()
        while reader.is_alive():  # let a reader blocked on a full queue see the stop
            with contextlib.suppress(queue.Empty):
                chunks.get(timeout=0.05)
        reader.join()


def verify(
    connection: Connection, engine: Engine, *, progress: Callable[[int, int], None] | None = None
) -> VerifyReport:
    """Recompute every visible scoring and compare it with what is stored."""
    visible = select(run.c.uuid)
    total = int(
        connection.execute(
            select(func.count()).select_from(scoring).where(scoring.c.run_uuid.in_(visible))
        ).scalar_one()
    )
    query = (
        select(
            scoring.c.id,
            scoring.c.assessment_id,
            scoring.c.kind,
            scoring.c.rubric_id,
            scoring.c.rubric_sha256,
            scoring.c.source_rubric_id,
            scoring.c.source_rubric_sha256,
            scoring.c.crosswalk_sha256,
            scoring.c.missing_policy,
            scoring.c.result,
            run.c.id.label("run_id"),
            assessment.c.kind.label("a_kind"),
            assessment.c.scores,
            assessment.c.year,
            assessment.c.rubric.label("a_rubric"),
            assessment.c.printed_index,
            assessment.c.printed_predikat,
            instansi.c.name,
        )
        .join(run, run.c.uuid == scoring.c.run_uuid)
        .join(assessment, assessment.c.id == scoring.c.assessment_id)
        .join(instansi, instansi.c.id == assessment.c.instansi_id)
        .order_by(scoring.c.id)
    )
    assert tuple(query.selected_columns.keys()) == _Stored._fields, "_Stored must name the query's columns"
    checked = failed = 0
    mismatches: list[Mismatch] = []
    drift: dict[tuple[str, str, str, str | None], list[int]] = {}
    installed: dict[tuple[str, str | None, str | None], str | None] = {}
    memo: Memo = {}
    for rows in _chunks(connection, query):
        groups: dict[tuple[Any, ...], list[_Stored]] = defaultdict(list)
        for row in map(_Stored._make, rows):  # a named tuple reads its fields faster than a Row
            groups[(row.kind, row.rubric_id, row.source_rubric_id, row.missing_policy)].append(row)
        for key, members in groups.items():
            kind, rubric, source, _ = key
            items = [
                Item(
                    key=int(row.id),
                    kind=row.a_kind,
                    text=row.scores,
                    name=row.name,
                    year=row.year,
                    named=row.a_rubric,
                    printed=(row.printed_index, row.printed_predikat),
                    rubric=source if kind == "rescore" else rubric,
                )
                for row in members
            ]
            now = _recompute(engine, key, items, memo)
            if isinstance(now, str):
                bad = [True] * len(members)
            else:
                bad = [fresh.result != row.result for fresh, row in zip(now, members, strict=True)]
            checked += len(members)
            failed += sum(bad)
            # Drift is counted per distinct stored hashes, not per row.
            tally = Counter(
                (row.rubric_sha256, row.source_rubric_sha256, row.crosswalk_sha256, wrong)
                for row, wrong in zip(members, bad, strict=True)
            )
            installed_hashes = (
                ("rubric", rubric, installed.setdefault(("rubric", rubric, None), _installed(engine, rubric))),
                ("rubric", source, installed.setdefault(("rubric", source, None), _installed(engine, source))),
                (
                    "crosswalk",
                    f"{source}__{rubric}",
                    installed.setdefault(
                        ("crosswalk", source, rubric), _walk_sha(engine, source, rubric) if kind == "rescore" else None
                    ),
                ),
            )
            for (*stored_shas, wrong), count in tally.items():
                for (what, ident, now_sha), stored_sha in zip(installed_hashes, stored_shas, strict=True):
                    if stored_sha is not None and ident is not None and stored_sha != now_sha:
                        counts = drift.setdefault((what, ident, stored_sha, now_sha), [0, 0])
                        counts[0] += count
                        counts[1] += count if wrong else 0
            mismatches.extend(_mismatches(members, bad, now, rubric, LISTED - len(mismatches)))
        if progress is not None:
            progress(checked, total)
    return VerifyReport(
        checked=checked,
        reproduced=checked - failed,
        not_reproduced=failed,
        mismatches=tuple(mismatches),
        drift=tuple(
            Drift(what=w, id=i, stored_sha256=s, installed_sha256=n, scorings=c[0], not_reproduced=c[1])
            for (w, i, s, n), c in sorted(drift.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2]))
        ),
    )


# -- audit ----------------------------------------------------------------------------------------------------
@attrs.frozen(kw_only=True)
class Finding:
    """One audit finding about one instansi and year."""

    kind: str
    instansi: str
    year: int | None
    assessments: tuple[dict[str, Any], ...]
    explanation: str

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {
            "kind": self.kind,
            "instansi": self.instansi,
            "year": self.year,
            "assessments": list(self.assessments),
            "explanation": self.explanation,
        }


@attrs.frozen(kw_only=True)
class AuditReport:
    """Every finding of ``audit``."""

    checked: int
    findings: tuple[Finding, ...]

    def to_json(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        return {"checked": self.checked, "findings": [f.to_json() for f in self.findings]}


def _own_scorings(connection: Connection) -> list[Any]:
    """Return each assessment with its latest visible scoring under its own rubric (``None`` for printed-only)."""
    latest = (
        select(scoring.c.assessment_id, scoring.c.result, scoring.c.status, scoring.c.rubric_id, scoring.c.id)
        .join(run, run.c.uuid == scoring.c.run_uuid)
        .where(scoring.c.kind == "score")
        .subquery()
    )
    query = (
        select(
            assessment.c.id,
            assessment.c.instansi_id,
            instansi.c.name,
            assessment.c.year,
            assessment.c.kind,
            assessment.c.scores,
            assessment.c.printed_index,
            assessment.c.printed_predikat,
            assessment.c.source,
            assessment.c.origin_file,
            assessment.c.origin_row,
            latest.c.result,
            latest.c.status,
            latest.c.rubric_id,
            latest.c.id.label("scoring_id"),
        )
        .join(instansi, instansi.c.id == assessment.c.instansi_id)
        .join(run, run.c.uuid == assessment.c.run_uuid)
        .outerjoin(latest, latest.c.assessment_id == assessment.c.id)
        .order_by(assessment.c.instansi_id, assessment.c.year, assessment.c.id, latest.c.id)
    )
    rows: dict[int, Any] = {}
    for row in connection.execute(query):
        rows[int(row.id)] = row  # the latest scoring wins
    return list(rows.values())


def _summary(row: Any) -> dict[str, Any]:
    result = load(row.result) if row.result is not None else {}
    return {
        "assessment": int(row.id),
        "source": row.source,
        "origin": f"{row.origin_file}" + (f" row {row.origin_row}" if row.origin_row else ""),
        "kind": row.kind,
        "scores": load(row.scores),
        "printed_index": row.printed_index,
        "printed_predikat": row.printed_predikat,
        "rubric": row.rubric_id,
        "status": row.status,
        "index_candidates": result.get("index_candidates", []),
        "predikat_candidates": result.get("predikat_candidates", []),
        "message": result.get("message", ""),
    }


def _who(item: dict[str, Any]) -> str:
    return str(item["source"] or item["origin"])


def _not_admitted(row: Any) -> Finding | None:
    """Return the finding of a row whose printed index or predikat its own values do not admit."""
    if row.kind == "printed" or row.status is None:
        return None
    printed_i, printed_p = row.printed_index, row.printed_predikat
    if printed_i is None and printed_p is None:
        return None
    item = _summary(row)
    if row.status == "error":
        printed = f"printed {printed_i or '-'} {printed_p or ''}".rstrip()
        explanation = f"{printed}, but its own values admit no index: {item['message']}"
        return Finding(
            kind="not admitted", instansi=row.name, year=row.year, assessments=(item,), explanation=explanation
        )
    wrong = []
    if printed_i is not None and item["index_candidates"] and printed_i not in item["index_candidates"]:
        wrong.append(f"index {printed_i} is not among {', '.join(item['index_candidates'])}")
    if printed_p is not None and item["predikat_candidates"] and printed_p not in item["predikat_candidates"]:
        wrong.append(f"predikat {printed_p} is not among {', '.join(item['predikat_candidates'])}")
    if not wrong:
        return None
    explanation = f"printed {'; '.join(wrong)} (what its own values admit under {row.rubric_id})"
    return Finding(kind="not admitted", instansi=row.name, year=row.year, assessments=(item,), explanation=explanation)


def _disagreement(members: list[Any]) -> Finding | None:
    """Return the finding of one instansi and year whose rows print different figures or values."""
    items = [_summary(m) for m in members]
    indices = {i["printed_index"] for i in items if i["printed_index"] is not None}
    predikat = {i["printed_predikat"] for i in items if i["printed_predikat"] is not None}
    values = {dump(i["scores"]) for i in items if i["kind"] != "printed"}
    if len(indices) < 2 and len(predikat) < 2 and len(values) < 2:
        return None
    notes = [
        f"{_who(item)} printed {item['printed_index']}, not among the "
        f"{', '.join(other['index_candidates'])} that {_who(other)}'s values admit"
        for item in items
        if item["printed_index"] is not None
        for other in items
        if other is not item and other["index_candidates"] and item["printed_index"] not in other["index_candidates"]
    ]
    what = []
    if len(indices) > 1:
        what.append(f"indices {', '.join(sorted(indices))}")
    if len(predikat) > 1:
        what.append(f"predikat {', '.join(sorted(predikat))}")
    if len(values) > 1:
        what.append(f"{len(values)} different sets of values")
    explanation = f"{len(items)} assessments print {' and '.join(what)}" + (f": {'; '.join(notes)}" if notes else "")
    return Finding(
        kind="sources disagree", instansi=members[0].name, year=members[0].year, assessments=tuple(items),
        explanation=explanation,
    )  # fmt: skip


def audit(connection: Connection) -> AuditReport:
    """Return every printed figure that its own data, or another source's data, does not admit."""
    rows = _own_scorings(connection)
    findings: list[Finding] = []
    by_year: dict[tuple[int, int | None], list[Any]] = defaultdict(list)
    for row in rows:
        by_year[(int(row.instansi_id), row.year)].append(row)
        found = _not_admitted(row)
        if found is not None:
            findings.append(found)
    for members in sorted(by_year.values(), key=lambda m: (m[0].name, m[0].year or 0)):
        if len(members) > 1 and (found := _disagreement(members)) is not None:
            findings.append(found)
    return AuditReport(checked=len(rows), findings=tuple(findings))
