"""Measure what a rubric change does to a population: transitions, index changes, movers, drivers.

Each assessment is scored under rubric ``A`` and rescored under ``B`` (through
the crosswalk, with the named missing-data policy). Rows whose predikat is
determined on both sides fill the transition matrix; rows with several
candidate predikat (published aggregates that admit more than one exact
index) or a partial rescoring are counted separately, never resolved by a
guess. Index changes are exact where both exact indices are known, else taken
between the published indices (and said so), else left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

import attrs

from ._scoring import ScoreCard
from .batch import BatchRow
from .errors import SpbeError
from .rescore import MissingPolicy, Rescored

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["Driver", "Impact", "ImpactRow", "measure_impact"]

RowStatus = Literal["determinate", "ambiguous", "partial", "error"]


@attrs.frozen
class ImpactRow:
    """One assessment before and after: its predikat, index change and how firmly they are known."""

    number: int
    instansi: str
    status: RowStatus
    before_predikat: tuple[str, ...] = ()
    after_predikat: tuple[str, ...] = ()
    before_index: Decimal | None = None
    after_index: Decimal | None = None
    change: Fraction | None = None
    change_basis: Literal["exact", "published", ""] = ""
    message: str = ""
    before_candidates: tuple[Decimal, ...] = ()
    after_candidates: tuple[Decimal, ...] = ()

    @property
    def moved(self) -> bool:
        """Tell whether the index or the predikat changed."""
        return bool(self.change) or self.before_predikat != self.after_predikat

    def shown(self, side: Literal["before", "after"]) -> str:
        """Return the published index of one side, or its candidates joined by "/" where several."""
        index = self.before_index if side == "before" else self.after_index
        candidates = self.before_candidates if side == "before" else self.after_candidates
        return str(index) if index is not None else "/".join(str(c) for c in candidates) or "–"


@attrs.frozen
class Driver:
    """A top-level group: its mean contribution to the index before and after, and the change it drives.

    ``before``/``after`` are ``None`` where the group does not exist on that
    side. ``attributed`` is the group's mean share of the index change, and
    the shares of the target's groups add up exactly to the mean change: with
    the same groups on both sides it is the change of the group's
    contribution; across a structure change it is the group's contribution
    after, less what its weight would contribute at the old index
    (``after_g - w_g * index_before / 100``).
    """

    id: str
    name: str
    before: Fraction | None
    after: Fraction | None
    attributed: Fraction | None = None

    @property
    def change(self) -> Fraction | None:
        """Return the mean change of the group's contribution, where the group exists on both sides."""
        return None if self.before is None or self.after is None else self.after - self.before


@attrs.frozen
class Impact:
    """The effect of moving a population from rubric ``source`` to rubric ``target``."""

    source: str
    target: str
    policy: str
    bands_before: tuple[str, ...]
    bands_after: tuple[str, ...]
    rows: tuple[ImpactRow, ...]
    drivers: tuple[Driver, ...]

    def count(self, status: RowStatus) -> int:
        """Return how many rows have this status."""
        return sum(row.status == status for row in self.rows)

    @property
    def matrix(self) -> Mapping[tuple[str, str], int]:
        """Return the predikat transition counts of the determinate rows: (before, after) → rows."""
        return Counter((r.before_predikat[0], r.after_predikat[0]) for r in self.rows if r.status == "determinate")

    @property
    def changes(self) -> tuple[Fraction, ...]:
        """Return the index changes of the determinate rows, sorted."""
        return tuple(sorted(r.change for r in self.rows if r.status == "determinate" and r.change is not None))

    @property
    def band_rule_moves(self) -> int:
        """Return how many determinate rows changed predikat with an unchanged index (bands or band rule)."""
        return sum(
            r.status == "determinate" and r.change == 0 and r.before_predikat != r.after_predikat for r in self.rows
        )

    def movers(self, top: int = 10) -> tuple[ImpactRow, ...]:
        """Return the determinate rows that move most: largest absolute index change, then predikat changes."""
        known = [r for r in self.rows if r.status == "determinate" and r.change is not None and r.moved]
        known.sort(key=lambda r: (-abs(r.change or 0), r.before_predikat == r.after_predikat, r.number))
        return tuple(known[:top])

    def histogram(self, width: Fraction = Fraction(1, 10)) -> tuple[tuple[Fraction, Fraction, int], ...]:
        """Return ``(low, high, rows)`` bins of the index changes, ``low <= change < high``."""
        counts = Counter((change // width) for change in self.changes)
        if not counts:
            return ()
        return tuple((k * width, (k + 1) * width, counts.get(k, 0)) for k in range(min(counts), max(counts) + 1))


def _contributions(card: ScoreCard) -> dict[str, Fraction]:
    """Return each top-level group's contribution to the index (weight × value / 100), where known."""
    out: dict[str, Fraction] = {}
    for group in card.domains:
        value = group.value
        if value is None and group.published is not None:
            value = Fraction(group.published)  # published aggregates: the published group value
        if value is not None:
            out[group.id] = group.weight * value / 100
    return out


def _row(number: int, instansi: str, done: Rescored) -> ImpactRow:
    before, after = done.source_card, done.card
    status: RowStatus = "determinate"
    if not after.complete:
        status = "partial"
    elif before.predikat is None or after.predikat is None:
        status = "ambiguous"
    change: Fraction | None = None
    basis: Literal["exact", "published", ""] = ""
    if before.exact_index is not None and after.exact_index is not None:
        change, basis = after.exact_index - before.exact_index, "exact"
    elif done.granularity == "group" and before.exact_candidates == after.exact_candidates:
        change, basis = (
            Fraction(0),
            "exact",
        )  # the same exact candidates on both sides: nothing moved
    elif before.index is not None and after.index is not None:
        change, basis = Fraction(after.index) - Fraction(before.index), "published"
    return ImpactRow(
        number,
        instansi,
        status,
        before.predikat_candidates,
        after.predikat_candidates,
        before.index,
        after.index,
        change,
        basis,
        before_candidates=before.index_candidates,
        after_candidates=after.index_candidates,
    )


def measure_impact(
    engine: Engine,
    rows: Iterable[BatchRow],
    source: str,
    target: str,
    missing: str | MissingPolicy | None = None,
) -> Impact:
    """Score every row under ``source``, rescore it under ``target``, and summarise the change."""
    policy = None if missing is None else MissingPolicy.parse(missing)
    engine.crosswalk(source, target)  # an unknown pair is a usage error, not 600 row errors
    out: list[ImpactRow] = []
    sums: dict[str, dict[str, Fraction]] = {"before": {}, "after": {}, "attributed": {}}
    a, b = engine.rubric(source), engine.rubric(target)
    same = [g.id for g in a.top_groups] == [g.id for g in b.top_groups]
    seen = 0
    for row in rows:
        instansi = str(row.columns.get("instansi") or f"row {row.number}")
        if row.assessment is None:
            out.append(ImpactRow(row.number, instansi, "error", message=str(row.error)))
            continue
        try:
            done = engine.rescore(row.assessment, target, source=source, missing=policy)
        except SpbeError as exc:
            out.append(ImpactRow(row.number, instansi, "error", message=str(exc)))
            continue
        impact_row = _row(row.number, instansi, done)
        out.append(impact_row)
        if impact_row.status == "determinate":
            seen += 1
            parts = {"before": _contributions(done.source_card), "after": _contributions(done.card)}
            baseline = sum(parts["before"].values(), Fraction(0))
            parts["attributed"] = {
                g.id: parts["after"].get(g.id, Fraction(0))
                - (parts["before"].get(g.id, Fraction(0)) if same else g.weight * baseline / 100)
                for g in b.top_groups
            }
            for side, values in parts.items():
                for group, value in values.items():
                    sums[side][group] = sums[side].get(group, Fraction(0)) + value

    def mean(side: str, group_id: str) -> Fraction | None:
        return sums[side][group_id] / seen if seen and group_id in sums[side] else None

    if same:
        drivers = tuple(
            Driver(g.id, g.name, mean("before", g.id), mean("after", g.id), mean("attributed", g.id))
            for g in b.top_groups
        )
    else:  # a structure change: a group id on one side is not the same group on the other
        drivers = tuple(Driver(g.id, f"{g.name} ({source})", mean("before", g.id), None) for g in a.top_groups) + tuple(
            Driver(g.id, f"{g.name} ({target})", None, mean("after", g.id), mean("attributed", g.id))
            for g in b.top_groups
        )
    return Impact(
        source,
        target,
        "" if policy is None else str(policy),
        tuple(band.predikat for band in engine.plan(source).bands),
        tuple(band.predikat for band in engine.plan(target).bands),
        tuple(out),
        drivers,
    )
