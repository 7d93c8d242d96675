"""Score many assessments at once under one rubric: :func:`score_many` and its :class:`BatchResult`.

The input is an iterable of mappings or assessments (pure Python, no numpy
needed), a 2-D integer numpy array of levels, a pandas DataFrame or a pyarrow
Table (the ``fast``, ``pandas`` and ``arrow`` extras). Results are exact and
equal :meth:`Engine.score <spbe_engine._engine.Engine.score>` row by row: the
index as an integer numerator over the plan's common denominator, the
published index as an integer count of ``10**-places``, the band position and
predikat. A bad row (a level out of range, a missing indicator) gets status
``error`` and the very message ``engine.score`` would raise; the others are
still scored.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import Any

import attrs

from .._numbers import format_exact
from .._plan import ScoringPlan
from .._scoring import Provenance, fast_numerator, resolve_levels
from ..errors import InputError
from ..models import Assessment, FrozenDict

__all__ = ["BatchResult", "score_many"]


@attrs.frozen(kw_only=True)
class BatchResult:
    """The results of :meth:`Engine.score_many`, in bulk, one entry per input row.

    With numpy installed the per-row fields are numpy arrays, else lists:

    - ``numerator``: the exact index is ``numerator / denominator`` (int64, or
      Python ints where int64 could overflow); ``0`` on error rows;
    - ``units``: the published index in units of ``10**-places``;
    - ``band``: the position of the predikat band in ``predikat_names``, ``-1`` on error;
    - ``ok``: whether the row was scored; ``failures``: row position (from 0) → error message;
    - ``status`` (``"ok"``/``"error"``) and ``message`` (``""`` or the error), built on first use.

    :meth:`index`, :meth:`exact_index` and :meth:`indices` give Decimals and
    Fractions; :meth:`to_pandas` and :meth:`to_arrow` give a table.
    """

    rubric_id: str
    rubric_sha256: str
    denominator: int
    places: int
    predikat_names: tuple[str, ...]
    numerator: Any
    units: Any
    band: Any
    ok: Any
    failures: Mapping[int, str]
    provenance: Provenance

    def __len__(self) -> int:
        return len(self.ok)

    @cached_property
    def status(self) -> Any:
        """Return each row's status, ``"ok"`` or ``"error"`` (an array, or a list without numpy)."""
        if _is_numpy(self.ok):
            import numpy as np

            return np.where(self.ok, "ok", "error")
        return ["ok" if ok else "error" for ok in self.ok]

    @cached_property
    def message(self) -> Any:
        """Return each row's error message, ``""`` where the row was scored."""
        messages = [""] * len(self)
        for row, text in self.failures.items():
            messages[row] = text
        if _is_numpy(self.ok):
            import numpy as np

            return np.asarray(messages, dtype=object)
        return messages

    @property
    def predikat(self) -> Any:
        """Return each row's predikat (``None`` on error rows)."""
        names = (*self.predikat_names, None)  # band -1 (an error row) picks the trailing None
        if _is_numpy(self.band):
            import numpy as np

            return np.asarray(names, dtype=object)[self.band]
        return [names[band] for band in self.band]

    def exact_index(self, row: int) -> Fraction | None:
        """Return the exact index of one row (``None`` if the row had an error)."""
        if not self.ok[row]:
            return None
        return Fraction(int(self.numerator[row]), self.denominator)

    def index(self, row: int) -> Decimal | None:
        """Return the published index of one row as a Decimal (``None`` if the row had an error)."""
        if not self.ok[row]:
            return None
        return Decimal(int(self.units[row])).scaleb(-self.places)

    def indices(self) -> list[Decimal | None]:
        """Return every row's published index as a Decimal (``None`` on error rows)."""
        places = -self.places
        return [
            Decimal(int(units)).scaleb(places) if ok else None for units, ok in zip(self.units, self.ok, strict=True)
        ]

    def errors(self) -> list[tuple[int, str]]:
        """Return ``(row number from 1, message)`` for every row that had an error, in row order."""
        return [(row + 1, message) for row, message in sorted(self.failures.items())]

    def rows(self) -> Iterator[dict[str, Any]]:
        """Yield one plain dict per row: index and exact_index as text, predikat, status, message."""
        for row in range(len(self)):
            ok = bool(self.ok[row])
            exact = self.exact_index(row)
            yield {
                "index": str(self.index(row)) if ok else None,
                "exact_index": None if exact is None else format_exact(exact),
                "predikat": self.predikat_names[int(self.band[row])] if ok else None,
                "status": str(self.status[row]),
                "message": str(self.message[row]),
            }

    def to_pandas(self, index: Any = None) -> Any:
        """Return a pandas DataFrame: index (Decimal), numerator, units, predikat, status, message.

        ``index`` labels the rows (pass the input frame's ``.index`` to join the
        results back onto it); ``df.attrs`` carries the rubric, its content
        hash, the denominator and the places.
        """
        import pandas as pd

        frame = pd.DataFrame(
            {
                "index": self.indices(),
                "numerator": self.numerator,
                "units": self.units,
                "predikat": self.predikat,
                "status": self.status,
                "message": self.message,
            },
            index=index,
        )
        frame.attrs.update(
            rubric=self.rubric_id,
            rubric_sha256=self.rubric_sha256,
            denominator=self.denominator,
            places=self.places,
        )
        return frame

    def to_arrow(self) -> Any:
        """Return a pyarrow Table; the index is an exact ``decimal128`` column."""
        import pyarrow as pa

        metadata = {
            "rubric": self.rubric_id,
            "rubric_sha256": self.rubric_sha256,
            "denominator": str(self.denominator),
            "places": str(self.places),
        }
        return pa.table(
            {
                "index": pa.array(self.indices(), type=pa.decimal128(38, self.places)),
                "numerator": pa.array([int(n) for n in self.numerator], type=pa.int64())
                if _is_numpy(self.numerator) and self.numerator.dtype != object
                else pa.array([str(n) for n in self.numerator], type=pa.string()),
                "units": pa.array([int(u) for u in self.units], type=pa.int64()),
                "predikat": pa.array(list(self.predikat), type=pa.string()),
                "status": pa.array(list(self.status), type=pa.string()),
                "message": pa.array(list(self.message), type=pa.string()),
            },
            metadata=metadata,
        )


def _is_numpy(value: Any) -> bool:
    return type(value).__module__ == "numpy"


def _module(data: Any) -> str:
    return type(data).__module__.split(".")[0]


def score_many(
    plan: ScoringPlan, provenance: Provenance, data: Any, *, columns: Iterable[str] | None = None
) -> BatchResult:
    """Score every row of ``data`` under ``plan`` (see the module docstring for the inputs)."""
    kind = _module(data)
    if kind in ("numpy", "pandas", "pyarrow"):
        from ._frames import level_matrix

        levels, suspect, rowmap = level_matrix(plan, data, columns)
        return _from_matrix(plan, provenance, levels, suspect, rowmap)
    if columns is not None:
        raise InputError(
            "columns= names the columns of an array or table",
            field="columns",
            allowed="omit it for mappings and assessments",
        )
    if isinstance(data, str | bytes | Mapping | Assessment):
        raise InputError(
            "expected an iterable of rows",
            field="data",
            value=type(data).__name__,
            allowed="mappings or Assessments, a 2-D integer array, a DataFrame or an Arrow table",
        )
    return _from_rows(plan, provenance, data)


def row_numerator(plan: ScoringPlan, row: Any) -> int:
    """Return ``N`` for one row, or raise the error :meth:`Engine.score` raises for it."""
    if isinstance(row, Assessment):
        if row.aggregates:
            raise InputError(
                "score_many scores indicator levels; score published aggregates with engine.score",
                field="aggregates",
            )
        levels = row.levels
    elif isinstance(row, Mapping):
        levels = row
    else:
        raise InputError(
            "expected an Assessment or a mapping of indicator id to level",
            field="assessment",
            value=type(row).__name__,
        )
    numerator = fast_numerator(plan, levels)
    if numerator is None:
        ordered = resolve_levels(plan, levels, False)
        numerator = sum(
            table[lv]  # type: ignore[index, misc]
            for table, lv in zip(plan.contributions, ordered, strict=True)
        )
    return numerator


def _from_rows(plan: ScoringPlan, provenance: Provenance, rows: Iterable[Any]) -> BatchResult:
    numerators: list[int] = []
    failures: dict[int, str] = {}
    for number, row in enumerate(rows):
        try:
            numerators.append(row_numerator(plan, row))
        except InputError as exc:
            numerators.append(0)
            failures[number] = str(exc)
    try:
        import numpy as np
    except ImportError:
        ok = [row not in failures for row in range(len(numerators))]
        units = [plan.rounded_units(n) if good else 0 for n, good in zip(numerators, ok, strict=True)]
        bands = [plan.band_of(n) if good else -1 for n, good in zip(numerators, ok, strict=True)]
        return _result(plan, provenance, numerators, units, bands, ok, failures)
    array = np.asarray(numerators, dtype=np.int64 if plan.int64_safe else object)
    bad = np.zeros(len(numerators), dtype=bool)
    bad[list(failures)] = True
    return _finish(plan, provenance, array, bad, failures)


def _from_matrix(plan: ScoringPlan, provenance: Provenance, levels: Any, suspect: Any, rowmap: Any) -> BatchResult:
    import numpy as np

    from . import _vector as vector

    numerator, bad = vector.numerators(plan, levels)
    bad |= suspect
    failures: dict[int, str] = {}
    for row in np.flatnonzero(bad).tolist():
        # A rare row: ask the checking path, which words the error exactly as engine.score does.
        try:
            numerator[row] = row_numerator(plan, rowmap(row))
            bad[row] = False
        except InputError as exc:
            failures[row] = str(exc)
    return _finish(plan, provenance, numerator, bad, failures)


def _finish(
    plan: ScoringPlan, provenance: Provenance, numerator: Any, bad: Any, failures: dict[int, str]
) -> BatchResult:
    from . import _vector as vector

    units = vector.rounded_units(plan, numerator)
    band = vector.bands(plan, numerator, units)
    if failures:
        band[bad] = -1
        units[bad] = 0
    return _result(plan, provenance, numerator, units, band, ~bad, failures)


def _result(
    plan: ScoringPlan,
    provenance: Provenance,
    numerator: Any,
    units: Any,
    band: Any,
    ok: Any,
    failures: dict[int, str],
) -> BatchResult:
    return BatchResult(
        rubric_id=plan.rubric.id,
        rubric_sha256=plan.rubric.sha256,
        denominator=plan.denominator,
        places=plan.rounding.places,
        predikat_names=tuple(b.predikat for b in plan.bands),
        numerator=numerator,
        units=units,
        band=band,
        ok=ok,
        failures=FrozenDict(failures),
        provenance=provenance,
    )
