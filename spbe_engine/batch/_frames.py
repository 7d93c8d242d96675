"""Turn a numpy array, pandas DataFrame or pyarrow Table into an int64 level matrix in plan order.

Returns the matrix, a mask of *suspect* rows (a missing or non-whole level,
a missing indicator column) and a function giving any row back as a plain
``{indicator id: level}`` mapping, so that suspect rows are checked and
worded exactly as :meth:`Engine.score` would. Whole-call mistakes (an
unknown column, a 1-D array) raise :class:`~spbe_engine.errors.InputError`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np

from .._plan import ScoringPlan
from ..errors import InputError
from ..inputs import ID_COLUMN
from ._vector import as_level_matrix

__all__ = ["level_matrix"]

Getter = Callable[[int], Any]
_MISSING = object()


def level_matrix(
    plan: ScoringPlan, data: Any, columns: Iterable[str] | None
) -> tuple[np.ndarray, np.ndarray, Callable[[int], dict[str, Any]]]:
    """Return ``(levels, suspect, row)`` for a numpy array, DataFrame or Arrow table."""
    kind = type(data).__module__.split(".")[0]
    if kind == "numpy":
        return _from_array(plan, data, columns)
    names = [str(name) for name in data.columns] if kind == "pandas" else list(data.column_names)
    chosen = (
        list(columns)
        if columns is not None
        else [name for name in names if ID_COLUMN.match(name.strip()) and name.strip()[0] in "Ii"]
    )
    missing = [name for name in chosen if name not in names]
    if missing:
        raise InputError("no such column", field=missing[0], allowed=", ".join(names[:12]))
    raw = [_raw_column(data, name, kind) for name in chosen]
    return _assemble(plan, chosen, raw, len(data))


def _raw_column(data: Any, name: str, kind: str) -> Any:
    if kind == "pandas":
        series = data[name]
        if series.dtype.kind in "iu":
            return series.to_numpy()
        try:
            return series.to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError):
            return series.to_numpy(dtype=object)
    column = data.column(name)
    if column.null_count == 0 and str(column.type).startswith(("int", "uint")):
        return column.to_numpy()
    try:
        return np.asarray(column.to_numpy(), dtype="float64")
    except (TypeError, ValueError):
        return np.asarray(column.to_pylist(), dtype=object)


def _from_array(
    plan: ScoringPlan, data: Any, columns: Iterable[str] | None
) -> tuple[np.ndarray, np.ndarray, Callable[[int], dict[str, Any]]]:
    try:
        matrix = as_level_matrix(data)
    except ValueError as exc:
        raise InputError(str(exc), field="data", allowed="a 2-D integer array, one column per indicator") from None
    names = list(columns) if columns is not None else list(plan.indicator_ids)
    if len(names) != matrix.shape[1]:
        raise InputError(
            f"the array has {matrix.shape[1]} columns for {len(names)} indicators",
            field="columns",
            allowed=f"{len(plan.indicator_ids)} columns in rubric order "
            f"({plan.indicator_ids[0]} … {plan.indicator_ids[-1]}), "
            "or columns= naming each",
        )
    if names == list(plan.indicator_ids):

        def row(i: int) -> dict[str, Any]:
            return dict(zip(names, (int(v) for v in matrix[i]), strict=True))

        return matrix, np.zeros(matrix.shape[0], dtype=bool), row
    return _assemble(plan, names, [matrix[:, j] for j in range(matrix.shape[1])], matrix.shape[0])


def _position(plan: ScoringPlan, name: str) -> int:
    pos = plan.position.get(name.strip().upper())
    if pos is None:
        raise InputError(
            f"unknown indicator for rubric {plan.rubric.id}",
            field=name,
            allowed=f"{plan.indicator_ids[0]} … {plan.indicator_ids[-1]}",
        )
    return pos


def _assemble(
    plan: ScoringPlan, names: Sequence[str], raw: Sequence[np.ndarray], rows: int
) -> tuple[np.ndarray, np.ndarray, Callable[[int], dict[str, Any]]]:
    positions = [_position(plan, name) for name in names]
    if len(set(positions)) != len(positions):
        twice = next(name for n, name in enumerate(names) if positions.index(positions[n]) != n)
        raise InputError("indicator given twice", field=twice)
    levels = np.empty((rows, len(plan.indicator_ids)), dtype=np.int64)
    levels[:] = np.asarray(plan.level_low, dtype=np.int64)
    suspect = np.zeros(rows, dtype=bool)
    if len(set(positions)) != len(plan.indicator_ids):
        suspect[:] = True  # whole indicators missing: every row takes the checking path
    getters: list[Getter] = []
    for pos, values in zip(positions, raw, strict=True):
        ints, odd, getter = _column(values, plan.level_low[pos])
        levels[:, pos] = ints
        suspect |= odd
        getters.append(getter)
    canonical = [plan.indicator_ids[pos] for pos in positions]

    def row(i: int) -> dict[str, Any]:
        out = {}
        for name, getter in zip(canonical, getters, strict=True):
            value = getter(i)
            if value is not _MISSING:
                out[name] = value
        return out

    return levels, suspect, row


def _column(values: np.ndarray, fill: int) -> tuple[np.ndarray, np.ndarray, Getter]:
    """Return the column as int64, the rows to check one by one, and each row's value as engine.score sees it."""
    if values.dtype.kind in "iu":
        ints = as_level_matrix(values.reshape(-1, 1))[:, 0]
        return ints, np.zeros(len(values), dtype=bool), lambda i: int(values[i])
    if values.dtype.kind == "f":
        # A float column is how pandas and Arrow hold whole levels beside missing ones (NaN).
        missing = np.isnan(values)
        with np.errstate(invalid="ignore"):
            whole = ~missing & (np.floor(values) == values) & (np.abs(values) < 2**53)
        ints = np.where(whole, values, fill).astype(np.int64)

        def float_value(i: int) -> Any:
            value = float(values[i])
            if math.isnan(value):
                return _MISSING
            return int(value) if value.is_integer() and abs(value) < 2**53 else value

        return ints, ~whole, float_value

    def object_value(i: int) -> Any:
        value = values[i]
        return _MISSING if value is None or (isinstance(value, float) and math.isnan(value)) else value

    return (
        np.full(len(values), fill, dtype=np.int64),
        np.ones(len(values), dtype=bool),
        object_value,
    )
