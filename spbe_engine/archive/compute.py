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
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs

from ..batch import BatchRow, RowResult, rescore_row, score_row
from ..errors import SpbeError
from ..models import Assessment
from ..report import crosswalk_to_json
from ..rescore import MissingPolicy
from .records import dump, load, stored_assessment

if TYPE_CHECKING:
    from .. import Engine

__all__ = ["Basis", "Item", "Memo", "Outcome", "crosswalk_sha256", "rescore_items", "score_items"]


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

    ``scores`` is a mapping, or ``text`` the stored JSON of one (read on first
    use: the bulk path reads complete levels straight from the text). The
    :class:`~spbe_engine.Assessment` is built only when a row is scored one by
    one.
    """

    __slots__ = ("_assessment", "_scores", "key", "kind", "name", "named", "printed", "rubric", "text", "year")

    def __init__(
        self,
        *,
        key: Any,
        kind: str,
        scores: Mapping[str, Any] | None = None,
        text: str | None = None,
        name: str | None = None,
        year: int | None = None,
        named: str | None = None,
        rubric: str | None = None,
        printed: tuple[str | None, str | None] = (None, None),
    ) -> None:
        self.printed = printed
        self.key = key
        self.kind = kind
        if scores is None and text is None:
            raise TypeError("an Item needs scores or their stored text")
        self._scores = scores
        self.text = text
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
    def scores(self) -> Mapping[str, Any]:
        """Return the scores (read from the stored text on first use)."""
        if self._scores is None:
            assert self.text is not None
            self._scores = load(self.text)
        return self._scores

    @property
    def shows_printed(self) -> bool:
        """Tell whether the item carries a printed index or predikat (the engine then checks them: per row)."""
        if self._assessment is not None:
            return self._assessment.printed_index is not None or self._assessment.printed_predikat is not None
        return self.printed != (None, None)

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


class Outcome:
    """One scoring's result: its basis, status and result columns.

    Rows of a bulk path that share a result share one ``values`` mapping (do
    not change it) and its JSON ``text``, encoded once. A bulk path may give
    instead the text, the ``columns`` stored beside it (index, predikat,
    comparability) and ``make``, a function and arguments that build the
    values when someone asks for them.
    """

    __slots__ = ("_columns", "_make", "_text", "_values", "basis", "key", "status")

    def __init__(
        self,
        *,
        key: Any,
        basis: Basis,
        status: str,
        values: Mapping[str, Any] | None = None,
        text: str | None = None,
        columns: tuple[Any, Any, Any] | None = None,
        make: tuple[Any, ...] | None = None,
    ) -> None:
        if values is None and (make is None or text is None or columns is None):
            raise TypeError("an Outcome needs its values, or their text, columns and maker")
        self.key = key
        self.basis = basis
        self.status = status
        self._values = values
        self._text = text
        self._columns = columns
        self._make = make

    @property
    def values(self) -> Mapping[str, Any]:
        """Return the result columns."""
        if self._values is None:
            assert self._make is not None
            function, *arguments = self._make
            self._values = function(*arguments)
        return self._values

    @property
    def columns(self) -> tuple[Any, Any, Any]:
        """Return the index, predikat and comparability, as stored beside the result."""
        if self._columns is None:
            values = self.values
            self._columns = (values.get("index"), values.get("predikat"), values.get("comparability"))
        return self._columns

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Outcome):
            return NotImplemented
        return (self.key, self.basis, self.status, self.values) == (other.key, other.basis, other.status, other.values)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Outcome(key={self.key!r}, status={self.status!r}, values={self.values!r})"

    @property
    def result(self) -> str:
        """Return the result columns as the JSON text stored in ``scoring.result``."""
        if self._text is None:
            self._text = dump(self.values)
        return self._text


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
    if item.kind != "levels":
        return None
    levels = item.scores
    if len(levels) != len(order):
        return None
    try:
        row = [levels[i] for i in order]
    except KeyError:
        return None
    return row if set(map(type, row)) == {int} else None


#: What a run or a check keeps across its batches: per crosswalk mapping, its target level by key of the source
#: levels (:func:`_derived`); per rubric id and content hash, the plain rows of ``score_many`` by exact index
#: numerator (:func:`_bulk_texts`).
Memo = dict[Any, dict[Any, Any]]


def _numpy() -> Any:
    """Return numpy, or ``None`` without it (then every row takes the per-row path)."""
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - the archive extra brings numpy
        return None
    return np


def _split(np: Any, order: Sequence[str], items: Sequence[Item]) -> tuple[list[Item], Any, list[Item]]:
    """Split items into those with complete integer levels (with their level matrix, rubric order) and the rest.

    A stored text of complete one-digit levels is the same template for every
    row (``dump`` sorts the keys and adds no spaces): ``{"I1":3,"I10":5,...}``.
    Such texts are read together as one byte matrix, checked against the
    template outside the digit positions, and their digits taken as the
    levels, which is what ``json.loads`` and :func:`_complete_levels` give for
    them. Every other item is read the ordinary way.
    """
    zero, one = dump(dict.fromkeys(order, 0)), dump(dict.fromkeys(order, 1))
    positions = [n for n, (a, b) in enumerate(zip(zero, one, strict=True)) if a != b]
    width = len(zero)
    rest: list[Item] = []
    bulk: list[Item] = []
    blocks: list[Any] = []
    candidates = [i for i in items if i.kind == "levels" and i._scores is None and i.text is not None]
    if candidates and len(positions) == len(order) and zero.isascii():
        texts = [i.text for i in candidates]
        data = "".join(texts).encode()  # type: ignore[arg-type]
        if len(data) == width * len(texts) and all(len(t) == width for t in texts):  # type: ignore[arg-type]
            matrix = np.frombuffer(data, dtype=np.uint8).reshape(len(texts), width)
            fixed = np.ones(width, dtype=bool)
            fixed[positions] = False
            template = np.frombuffer(zero.encode(), dtype=np.uint8)
            by_key = dict(zip(sorted(order), positions, strict=True))
            digits = matrix[:, [by_key[i] for i in order]].astype(np.int64) - ord("0")
            good = (matrix[:, fixed] == template[fixed]).all(axis=1) & ((digits >= 0) & (digits <= 9)).all(axis=1)
            if good.all():
                bulk = candidates
            else:
                for item, ok in zip(candidates, good.tolist(), strict=True):
                    (bulk if ok else rest).append(item)
            blocks.append(digits[good])
            if len(candidates) == len(items):
                items = rest
            else:
                seen = {id(i) for i in candidates}
                items = [i for i in items if id(i) not in seen] + rest
            rest = []
    extra: list[list[int]] = []
    for item in items:
        levels = _complete_levels(order, item)
        if levels is None:
            rest.append(item)
        else:
            bulk.append(item)
            extra.append(levels)
    if extra:
        blocks.append(np.asarray(extra, dtype=np.int64))
    matrix = np.concatenate(blocks) if blocks else np.zeros((0, len(order)), dtype=np.int64)
    return bulk, matrix, rest


def _bulk_texts(engine: Engine, rubric: str, levels: Any, memo: Memo) -> tuple[list[dict[str, Any]], Any, list[Any]]:
    """Score a matrix of complete levels in bulk; return the distinct plain rows, each row's position, their keys.

    The plain rows are ``score_many``'s, one per distinct exact index (a
    row's texts depend on nothing else under one plan), kept in ``memo``
    under the rubric's id and content hash, so later batches render only the
    indices not seen before. A row's position is ``-1`` where ``score_many``
    refused it (it is then scored per row). A plain row's key is its exact
    index's numerator.
    """
    np = _numpy()
    result = engine.score_many(levels, rubric=rubric)
    ok = np.asarray(result.ok, dtype=bool)
    which = np.full(len(ok), -1, dtype=np.int64)
    if not ok.any():
        return [], which, []
    numerator = np.asarray(result.numerator)
    good = np.flatnonzero(ok)
    distinct, first, inverse = np.unique(numerator[good], return_index=True, return_inverse=True)
    known = memo.setdefault(("texts", rubric, result.rubric_sha256), {})
    keys = distinct.tolist()
    new = [n for n, key in enumerate(keys) if key not in known]
    if new:
        picks = good[first[new]]
        fresh = attrs.evolve(
            result,
            numerator=numerator[picks],
            units=np.asarray(result.units)[picks],
            band=np.asarray(result.band)[picks],
            ok=ok[picks],
            failures={},
        )
        for n, row in zip(new, fresh.rows(), strict=True):
            known[keys[n]] = row
    which[good] = np.ravel(inverse)
    return [known[key] for key in keys], which, keys


# -- scoring under an assessment's own rubric -------------------------------------------------------------------
def score_items(engine: Engine, items: Sequence[Item], memo: Memo | None = None) -> list[Outcome]:
    """Score each item under its rubric (the item's, else its own or its year's), partial levels allowed.

    ``memo`` keeps what is the same across calls (one per run or check).
    """
    memo = {} if memo is None else memo
    out: dict[Any, Outcome] = {}
    for rubric, members in _grouped(engine, items).items():
        basis = _basis_of(engine, "score", rubric)
        for outcome in _score_group(engine, rubric, basis, members, memo):
            out[outcome.key] = outcome
    return [out[item.key] for item in items]


def _score_one(engine: Engine, basis: Basis, item: Item) -> Outcome:
    result = score_row(engine, _row(item.assessment), basis.rubric_id or item.rubric, True)
    return Outcome(key=item.key, basis=basis, status=result.status.value, values=_values(result))


def _score_group(engine: Engine, rubric: str | None, basis: Basis, items: list[Item], memo: Memo) -> list[Outcome]:
    np = _numpy()
    if rubric is None or np is None:
        return [_score_one(engine, basis, item) for item in items]
    order = [i.id for i in engine.rubric(rubric).indicators]
    bulk, levels, rest = _split(np, order, [i for i in items if not i.shows_printed])
    out = [_score_one(engine, basis, item) for item in rest + [i for i in items if i.shows_printed]]
    if not bulk:
        return out
    texts, which, keys = _bulk_texts(engine, rubric, levels, memo)
    encoded = memo.setdefault(("score", rubric, basis.rubric_sha256), {})
    shared: list[tuple[dict[str, Any], str]] = []
    for row, key in zip(texts, keys, strict=True):
        found = encoded.get(key)
        if found is None:
            values = _score_values(rubric, row)
            found = encoded[key] = (values, dump(values))
        shared.append(found)
    fast = [
        Outcome(key=item.key, basis=basis, status="ok", values=shared[n][0], text=shared[n][1])
        if n >= 0
        else _score_one(engine, basis, item)
        for item, n in zip(bulk, which.tolist(), strict=True)
    ]
    sample = next((o for o in fast if o.status == "ok"), None)
    if sample is not None:
        item = next(i for i in bulk if i.key == sample.key)
        if _score_one(engine, basis, item) != sample:  # the bulk path must say what the row path says
            fast = [_score_one(engine, basis, i) for i in bulk]
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
        "printed": "",  # no printed figures: the bulk path takes only those
    }


# -- rescoring under another rubric -----------------------------------------------------------------------------


def rescore_items(
    engine: Engine,
    items: Sequence[Item],
    to: str,
    policy: MissingPolicy | None,
    memo: Memo | None = None,
) -> list[Outcome]:
    """Rescore each item under rubric ``to`` from its source rubric (the item's, else its own or its year's).

    ``memo`` keeps what is the same across calls (one per run or check).
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
    memo: Memo,
) -> list[Outcome]:
    basis = _rescore_basis(engine, source, to, policy)
    np = _numpy()
    if source is None or basis.crosswalk_sha256 is None or np is None:
        return [_rescore_one(engine, basis, item, to, policy) for item in items]
    walk = engine.crosswalk(source, to)
    if walk.unmapped and (policy is None or str(policy) != "impute:lowest"):
        return [_rescore_one(engine, basis, item, to, policy) for item in items]
    order = [i.id for i in engine.rubric(source).indicators]
    bulk, levels, rest = _split(np, order, items)
    out = [_rescore_one(engine, basis, item, to, policy) for item in rest]
    if bulk:
        out.extend(_rescore_bulk(engine, basis, walk, order, to, policy, bulk, levels, memo))
    return out


def _rescore_bulk(
    engine: Engine,
    basis: Basis,
    walk: Any,
    order: list[str],
    to: str,
    policy: MissingPolicy | None,
    bulk: list[Item],
    source: Any,
    memo: Memo,
) -> list[Outcome]:
    def each_row() -> list[Outcome]:
        return [_rescore_one(engine, basis, item, to, policy) for item in bulk]

    np = _numpy()
    before_texts, before, _ = _bulk_texts(engine, walk.source, source, memo)
    good = np.flatnonzero(before >= 0)
    if not len(good):
        return each_row()
    sample_item = bulk[int(good[0])]
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
    after_texts, after, _ = _bulk_texts(engine, to, np.column_stack(columns), memo)
    fixed = {k: sample.values[k] for k in ("from_rubric", "rubric", "coverage", "comparability", "imputed", "unscored")}
    message = sample.values["message"]
    comparability = fixed["comparability"]

    def values_of(was: Mapping[str, Any], now: Mapping[str, Any]) -> dict[str, Any]:
        return {
            **fixed,
            "from_index": was["index"],
            "from_predikat": was["predikat"],
            "index": now["index"],
            "exact_index": now["exact_index"],
            "index_candidates": [now["index"]],
            "predikat": now["predikat"],
            "predikat_candidates": [now["predikat"]],
            "status": "ok",
            "message": message,
        }

    # Every result of the group is one JSON text with five slots: encoded once per distinct source and target text.
    template = _Template.of(values_of, ("index", "predikat"), ("index", "exact_index", "predikat"))
    was_formats = [template.partly(template.parts(0, row)) if template else "" for row in before_texts]
    now_parts = [template.parts(1, row) if template else [] for row in after_texts]
    outcomes: list[Outcome | None] = [None] * len(bulk)
    for n, b, a in zip(good.tolist(), before[good].tolist(), after.tolist(), strict=True):
        item = bulk[n]
        if a < 0:
            outcomes[n] = _rescore_one(engine, basis, item, to, policy)
            continue
        was, now = before_texts[b], after_texts[a]
        if template is None:
            outcomes[n] = Outcome(key=item.key, basis=basis, status="ok", values=values_of(was, now))
        else:
            outcomes[n] = Outcome(
                key=item.key,
                basis=basis,
                status="ok",
                text=was_formats[b].format(*now_parts[a]),
                columns=(now["index"], now["predikat"], comparability),
                make=(values_of, was, now),
            )
    first = outcomes[int(good[0])]
    if first != sample or (first is not None and first.result != dump(first.values)):
        return each_row()  # the bulk path must say what the row path says, and encode it as dump does
    return [
        outcome if outcome is not None else _rescore_one(engine, basis, item, to, policy)
        for outcome, item in zip(outcomes, bulk, strict=True)
    ]


class _Template:
    """JSON text of result columns with slots for the values that vary row by row, filled with encoded values.

    Made from the text of a result whose varying values are markers, so its
    fixed text is exactly what :func:`~spbe_engine.archive.records.dump`
    writes; a slot gets its value encoded by ``dump`` alone (JSON encodes a
    value the same wherever it stands).
    """

    __slots__ = ("_fixed", "_names", "_order")

    _MARKER = re.compile('"<<slot-([0-9])-([a-z_]+)>>"')

    def __init__(self, fixed: list[str], order: list[tuple[int, int]], names: tuple[tuple[str, ...], ...]) -> None:
        self._fixed = [piece.replace("{", "{{").replace("}", "}}") for piece in fixed]  # literal in a format string
        self._order = order  # each slot's (argument, position in its names)
        self._names = names

    @classmethod
    def of(cls, build: Any, *names: tuple[str, ...]) -> _Template | None:
        """Return the template of ``build(first, second)`` with slots ``names`` per argument (else ``None``)."""
        markers = [{name: f"<<slot-{side}-{name}>>" for name in group} for side, group in enumerate(names)]
        pieces = cls._MARKER.split(dump(build(*markers)))
        fixed = pieces[0::3]
        slots = list(zip(map(int, pieces[1::3]), pieces[2::3], strict=True))
        if "<<slot-" in "".join(fixed) or any(name not in names[side] for side, name in slots):
            return None
        return cls(fixed, [(side, names[side].index(name)) for side, name in slots], names)

    def parts(self, side: int, row: Mapping[str, Any]) -> list[str]:
        """Return the encoded values of one argument's slots."""
        return [dump(row[name]) for name in self._names[side]]

    def partly(self, first: list[str]) -> str:
        """Return a format string of the text with the first argument's slots filled: ``.format(*second)`` ends it."""
        out = [self._fixed[0]]
        for (side, n), piece in zip(self._order, self._fixed[1:], strict=True):
            out.append(first[n].replace("{", "{{").replace("}", "}}") if side == 0 else f"{{{n}}}")
            out.append(piece)
        return "".join(out)


def _derived(np: Any, mapping: Any, sources: Any, memo: dict[Any, int]) -> Any:
    """Return one target indicator's level for every row: ``mapping.level`` once per distinct key of its sources.

    What a combined value depends on is the key: ``single`` the one level,
    ``mean`` the sum (over a fixed count), ``min`` and ``max`` the least and
    greatest level; any other rule (``weighted``) the whole tuple, as one
    integer when the levels fit one. ``mapping.level`` is called on a real
    row of each key; ``memo`` keeps the levels across batches.
    """
    if len(sources) == 0:
        return np.zeros(0, dtype=np.int64)
    width = sources.shape[1]
    low, high = int(sources.min()), int(sources.max())
    salt: Any = mapping.combine
    if mapping.combine == "single":
        keys = sources[:, 0]
    elif mapping.combine == "mean":
        keys = sources.sum(axis=1)
    elif mapping.combine == "min":
        keys = sources.min(axis=1)
    elif mapping.combine == "max":
        keys = sources.max(axis=1)
    elif low >= 0 and (high + 1) ** width < 2**62:
        salt = high + 1  # the tuple as one number in base high + 1
        keys = sources @ (salt ** np.arange(width, dtype=np.int64))
    else:
        return np.asarray([_level(mapping, ("tuple", row), row, memo) for row in map(tuple, sources.tolist())])
    distinct, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    levels = [
        _level(mapping, (salt, key), sources[row], memo)
        for key, row in zip(distinct.tolist(), first.tolist(), strict=True)
    ]
    return np.asarray(levels, dtype=np.int64)[np.ravel(inverse)]


def _level(mapping: Any, key: Any, row: Any, memo: dict[Any, int]) -> int:
    level = memo.get(key)
    if level is None:
        level = memo[key] = int(mapping.level(tuple(int(v) for v in row)))
    return level
