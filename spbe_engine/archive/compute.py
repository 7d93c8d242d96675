"""Score and rescore stored assessments in bulk, with exactly the results of ``spbe batch`` / ``spbe rescore``.

Every result is a row's result columns as :func:`spbe_engine.batch.score_row`
and :func:`~spbe_engine.batch.rescore_row` give them (the same JSON the
batch tools write), less the ``row N (line L):`` prefix of an error message:
in the archive a result belongs to an assessment, not to a line of a file.

Two paths give the same results:

- **per row**, through ``score_row`` / ``rescore_row``: every assessment,
  published domain values and partial levels included;
- **in bulk**, for complete integer levels under one rubric: the source (and
  target) indices come from :meth:`Engine.score_many
  <spbe_engine.Engine.score_many>`, each target level from the crosswalk's
  own :meth:`~spbe_engine.IndicatorMapping.level` (memoised per distinct
  source tuple), and what is the same for every complete row of a group
  (coverage, comparability, imputed indicators, their levels under
  ``impute:lowest``, the message) from one row rescored per row. That row is
  also computed in bulk and the two must agree, else the whole group goes
  the per-row way. Other missing-data policies (``leave``, the means) and
  rows the bulk scorer refuses take the per-row path.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ..batch import BatchRow, RowResult, rescore_row, score_row
from ..errors import SpbeError
from ..models import Assessment
from ..report import crosswalk_to_json
from ..rescore import MissingPolicy
from .records import dump, stored_assessment

if TYPE_CHECKING:
    from .. import Engine

__all__ = ["Basis", "Item", "Outcome", "crosswalk_sha256", "rescore_items", "score_items"]


@attrs.frozen(kw_only=True)
class Basis:
    """What a scoring was computed under: rubric and hash, the source side of a rescoring, engine and plugin."""

    kind: Literal["score", "rescore"]
    rubric_id: str | None
    rubric_sha256: str | None
    engine_version: str
    plugin: str | None = None
    plugin_version: str | None = None
    source_rubric_id: str | None = None
    source_rubric_sha256: str | None = None
    crosswalk_sha256: str | None = None
    missing_policy: str | None = None


class Item:
    """One assessment to score: a caller's key, its scores, and the rubric to use (else its own or its year's).

    The :class:`~spbe_engine.Assessment` is built only when a row is scored one
    by one; the bulk path reads the levels as stored.
    """

    __slots__ = ("_assessment", "key", "kind", "name", "named", "printed", "rubric", "scores", "year")

    def __init__(
        self,
        *,
        key: Any,
        kind: str,
        scores: Mapping[str, Any],
        name: str | None = None,
        year: int | None = None,
        named: str | None = None,
        rubric: str | None = None,
        printed: tuple[str | None, str | None] = (None, None),
    ) -> None:
        self.printed = printed
        self.key = key
        self.kind = kind
        self.scores = scores
        self.name = name
        self.year = year
        self.named = named
        self.rubric = rubric
        self._assessment: Assessment | None = None

    @classmethod
    def of(cls, key: Any, assessment: Assessment, rubric: str | None = None) -> Item:
        """Return the item of an assessment already built."""
        item = cls(
            key=key,
            kind="aggregates" if assessment.aggregates else "levels",
            scores=assessment.aggregates or assessment.levels,
            name=assessment.instansi,
            year=assessment.year,
            named=assessment.rubric,
            rubric=rubric,
        )
        item._assessment = assessment
        return item

    @property
    def assessment(self) -> Assessment:
        """Return the assessment the engine scores."""
        if self._assessment is None:
            built = stored_assessment(
                kind=self.kind,
                scores=self.scores,
                name=self.name,
                year=self.year,
                rubric=self.named,
                printed_index=self.printed[0],
                printed_predikat=self.printed[1],
            )
            assert built is not None, "printed-only assessments are never scored"
            self._assessment = built
        return self._assessment


@attrs.frozen(kw_only=True)
class Outcome:
    """One scoring's result: its basis, status and result columns."""

    key: Any
    basis: Basis
    status: str
    values: Mapping[str, Any]

    @property
    def result(self) -> str:
        """Return the result columns as the JSON text stored in ``scoring.result``."""
        return dump(self.values)


def crosswalk_sha256(engine: Engine, source: str, target: str) -> str:
    """Return the SHA-256 of a crosswalk's canonical JSON (its mappings, marks, bases and notes)."""
    return hashlib.sha256(dump(crosswalk_to_json(engine.crosswalk(source, target), engine)).encode()).hexdigest()


def _values(result: RowResult) -> dict[str, Any]:
    values = dict(result.values)
    if result.error is not None:
        values["message"] = str(result.error)  # the engine's own words, without the batch row's position
    return values


def _grouped(engine: Engine, items: Sequence[Item]) -> dict[str | None, list[Item]]:
    """Group items by the rubric each resolves to (``None``: none resolves; every row then says why)."""
    groups: dict[str | None, list[Item]] = defaultdict(list)
    known: dict[tuple[str | None, str | None, int | None], str | None] = {}
    for item in items:
        key = (item.rubric, item.named, item.year)
        if key not in known:
            try:
                known[key] = engine.resolve_rubric_id(Assessment(year=item.year, rubric=item.named), item.rubric)
            except SpbeError:
                known[key] = None
        groups[known[key]].append(item)
    return groups


def _basis_of(engine: Engine, kind: Literal["score", "rescore"], rubric: str | None, **more: Any) -> Basis:
    from .._engine import engine_version

    if rubric is None:
        return Basis(kind=kind, rubric_id=None, rubric_sha256=None, engine_version=engine_version(), **more)
    info = engine.plugin_of(rubric)
    return Basis(
        kind=kind,
        rubric_id=rubric,
        rubric_sha256=engine.rubric(rubric).sha256,
        engine_version=engine_version(),
        plugin=info.name,
        plugin_version=info.version or None,
        **more,
    )


def _row(assessment: Assessment) -> BatchRow:
    return BatchRow(number=0, line=0, columns={}, assessment=assessment)


def _complete_levels(order: Sequence[str], item: Item) -> list[int] | None:
    """Return the levels in rubric order when the item has exactly those, all integers; else ``None``."""
    levels = item.scores
    if item.kind != "levels" or len(levels) != len(order):
        return None
    try:
        row = [levels[i] for i in order]
    except KeyError:
        return None
    return row if set(map(type, row)) == {int} else None


def _numpy() -> Any:
    """Return numpy, or ``None`` without it (then every row takes the per-row path)."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - the archive extra brings numpy
        return None
    return np


_ERROR_ROW: dict[str, Any] = {"status": "error"}


def _bulk_rows(engine: Engine, rubric: str, levels: Any) -> list[dict[str, Any]]:
    """Score a matrix of complete levels in bulk; return ``score_many``'s plain rows (``status`` error: redo per row).

    Rows with the same exact index share one rendering: the texts are made
    once per distinct numerator, from a :class:`~spbe_engine.BatchResult` cut
    down to those rows.
    """
    np = _numpy()
    result = engine.score_many(levels, rubric=rubric)
    ok = np.asarray(result.ok, dtype=bool)
    if not ok.any():
        return [_ERROR_ROW] * len(ok)
    numerator = np.asarray(result.numerator)
    good = np.flatnonzero(ok)
    _, first, inverse = np.unique(numerator[good], return_index=True, return_inverse=True)
    picks = good[first]
    distinct = attrs.evolve(
        result,
        numerator=numerator[picks],
        units=np.asarray(result.units)[picks],
        band=np.asarray(result.band)[picks],
        ok=ok[picks],
        failures={},
    )
    texts = list(distinct.rows())
    out: list[dict[str, Any]] = [_ERROR_ROW] * len(ok)
    for position, which in zip(good.tolist(), np.ravel(inverse).tolist(), strict=True):
        out[position] = texts[which]
    return out


# -- scoring under an assessment's own rubric -------------------------------------------------------------------
def score_items(engine: Engine, items: Sequence[Item]) -> list[Outcome]:
    """Score each item under its rubric (the item's, else its own or its year's), partial levels allowed."""
    out: dict[Any, Outcome] = {}
    for rubric, members in _grouped(engine, items).items():
        basis = _basis_of(engine, "score", rubric)
        for outcome in _score_group(engine, rubric, basis, members):
            out[outcome.key] = outcome
    return [out[item.key] for item in items]


def _score_one(engine: Engine, basis: Basis, item: Item) -> Outcome:
    result = score_row(engine, _row(item.assessment), basis.rubric_id or item.rubric, True)
    return Outcome(key=item.key, basis=basis, status=result.status.value, values=_values(result))


def _score_group(engine: Engine, rubric: str | None, basis: Basis, items: list[Item]) -> list[Outcome]:
    if rubric is None:
        return [_score_one(engine, basis, item) for item in items]
    order = [i.id for i in engine.rubric(rubric).indicators]
    bulk: list[tuple[Item, list[int]]] = []
    out: list[Outcome] = []
    for item in items:
        levels = _complete_levels(order, item)
        if levels is None:
            out.append(_score_one(engine, basis, item))
        else:
            bulk.append((item, levels))
    np = _numpy()
    if not bulk or np is None:
        return out + [_score_one(engine, basis, item) for item, _ in bulk]
    scored = _bulk_rows(engine, rubric, np.asarray([levels for _, levels in bulk], dtype=np.int64))
    fast = [
        Outcome(key=item.key, basis=basis, status="ok", values=_score_values(rubric, row))
        if row["status"] == "ok"
        else _score_one(engine, basis, item)
        for (item, _), row in zip(bulk, scored, strict=True)
    ]
    sample = next((o for o in fast if o.status == "ok"), None)
    if sample is not None:
        item = next(i for i, _ in bulk if i.key == sample.key)
        if _score_one(engine, basis, item) != sample:  # the bulk path must say what the row path says
            fast = [_score_one(engine, basis, i) for i, _ in bulk]
    return out + fast


def _score_values(rubric: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "index": row["index"],
        "exact_index": row["exact_index"],
        "index_candidates": [row["index"]],
        "predikat": row["predikat"],
        "predikat_candidates": [row["predikat"]],
        "rubric": rubric,
        "status": "ok",
        "message": "",
    }


# -- rescoring under another rubric -----------------------------------------------------------------------------
def rescore_items(
    engine: Engine,
    items: Sequence[Item],
    to: str,
    policy: MissingPolicy | None,
    memo: dict[Any, dict[tuple[int, ...], int]] | None = None,
) -> list[Outcome]:
    """Rescore each item under rubric ``to`` from its source rubric (the item's, else its own or its year's).

    ``memo`` keeps each crosswalk mapping's levels by source tuple across calls (one per run or check).
    """
    memo = {} if memo is None else memo
    out: dict[Any, Outcome] = {}
    for source, members in _grouped(engine, items).items():
        for outcome in _rescore_group(engine, source, to, policy, members, memo):
            out[outcome.key] = outcome
    return [out[item.key] for item in items]


def _rescore_basis(engine: Engine, source: str | None, to: str, policy: MissingPolicy | None) -> Basis:
    more: dict[str, Any] = {"missing_policy": None if policy is None else str(policy)}
    if source is not None:
        more["source_rubric_id"] = source
        more["source_rubric_sha256"] = engine.rubric(source).sha256
        with contextlib.suppress(SpbeError):  # no crosswalk joins them: every row says so in its message
            more["crosswalk_sha256"] = crosswalk_sha256(engine, source, to)
    return _basis_of(engine, "rescore", to, **more)


def _rescore_one(engine: Engine, basis: Basis, item: Item, to: str, policy: MissingPolicy | None) -> Outcome:
    result, _ = rescore_row(engine, _row(item.assessment), to, basis.source_rubric_id or item.rubric, policy)
    return Outcome(key=item.key, basis=basis, status=result.status.value, values=_values(result))


def _rescore_group(
    engine: Engine,
    source: str | None,
    to: str,
    policy: MissingPolicy | None,
    items: list[Item],
    memo: dict[Any, dict[tuple[int, ...], int]],
) -> list[Outcome]:
    basis = _rescore_basis(engine, source, to, policy)
    if source is None or basis.crosswalk_sha256 is None:
        return [_rescore_one(engine, basis, item, to, policy) for item in items]
    walk = engine.crosswalk(source, to)
    bulk_ok = not walk.unmapped or (policy is not None and str(policy) == "impute:lowest")
    order = [i.id for i in engine.rubric(source).indicators]
    bulk: list[tuple[Item, list[int]]] = []
    out: list[Outcome] = []
    for item in items:
        levels = _complete_levels(order, item) if bulk_ok else None
        if levels is None:
            out.append(_rescore_one(engine, basis, item, to, policy))
        else:
            bulk.append((item, levels))
    if bulk:
        out.extend(_rescore_bulk(engine, basis, walk, order, to, policy, bulk, memo))
    return out


def _rescore_bulk(
    engine: Engine,
    basis: Basis,
    walk: Any,
    order: list[str],
    to: str,
    policy: MissingPolicy | None,
    bulk: list[tuple[Item, list[int]]],
    memo: dict[Any, dict[tuple[int, ...], int]],
) -> list[Outcome]:
    def each_row() -> list[Outcome]:
        return [_rescore_one(engine, basis, item, to, policy) for item, _ in bulk]

    np = _numpy()
    if np is None:
        return each_row()
    source = np.asarray([levels for _, levels in bulk], dtype=np.int64)
    source_rows = _bulk_rows(engine, walk.source, source)
    good = [n for n, row in enumerate(source_rows) if row["status"] == "ok"]
    if not good:
        return each_row()
    sample_item = bulk[good[0]][0]
    sample = _rescore_one(engine, basis, sample_item, to, policy)
    if sample.status != "ok":
        return each_row()
    imputed = set(sample.values["imputed"])
    rescored = engine.rescore(sample_item.assessment, to, source=walk.source, missing=policy)
    constant = {s.id: int(s.level) for s in rescored.card.indicators if s.id in imputed and s.level is not None}
    position = {ident: n for n, ident in enumerate(order)}
    kept = source[good]
    columns = []
    for ident in (i.id for i in engine.rubric(to).indicators):
        if ident in constant:
            columns.append(np.full(len(good), constant[ident], dtype=np.int64))
        else:
            mapping = walk.mapping(ident)
            sources = [position[s] for s in mapping.sources]
            columns.append(_derived(np, mapping, kept[:, sources], memo.setdefault(mapping, {})))
    scored = _bulk_rows(engine, to, np.column_stack(columns))
    fixed = {k: sample.values[k] for k in ("from_rubric", "rubric", "coverage", "comparability", "imputed", "unscored")}
    message = sample.values["message"]
    outcomes: dict[int, Outcome] = {}
    for n, after in zip(good, scored, strict=True):
        item = bulk[n][0]
        before = source_rows[n]
        if after["status"] != "ok":
            outcomes[n] = _rescore_one(engine, basis, item, to, policy)
            continue
        values = {
            **fixed,
            "from_index": before["index"],
            "from_predikat": before["predikat"],
            "index": after["index"],
            "exact_index": after["exact_index"],
            "index_candidates": [after["index"]],
            "predikat": after["predikat"],
            "predikat_candidates": [after["predikat"]],
            "status": "ok",
            "message": message,
        }
        outcomes[n] = Outcome(key=item.key, basis=basis, status="ok", values=values)
    if outcomes[good[0]] != sample:  # the bulk path must say what the row path says
        return each_row()
    return [
        outcomes[n] if n in outcomes else _rescore_one(engine, basis, item, to, policy)
        for n, (item, _) in enumerate(bulk)
    ]


def _derived(np: Any, mapping: Any, sources: Any, memo: dict[tuple[int, ...], int]) -> Any:
    """Return one target indicator's level for every row: ``mapping.level`` once per distinct source tuple.

    ``mean``, ``min`` and ``max`` do not depend on the order of their sources,
    so their tuples are taken sorted (16 sources on 5 levels: 4,845 keys);
    ``memo`` keeps the levels across batches.
    """
    if mapping.combine in ("mean", "min", "max"):
        sources = np.sort(sources, axis=1)
    distinct, inverse = np.unique(sources, axis=0, return_inverse=True)
    levels = []
    for key in map(tuple, distinct.tolist()):
        level = memo.get(key)
        if level is None:
            level = memo[key] = mapping.level(key)
        levels.append(level)
    return np.asarray(levels, dtype=np.int64)[np.ravel(inverse)]
