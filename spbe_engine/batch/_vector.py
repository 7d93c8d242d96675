"""Exact vectorised arithmetic over a compiled plan: integer level matrices in, numerators and bands out.

numpy only (the ``fast`` extra). Everything is integer arithmetic: ``N`` is an
int64 dot product with the plan's integer slopes, the published index is ``N``
rounded in integers, and the band comes from ``searchsorted`` on the plan's
integer thresholds. Where the plan says int64 could overflow
(``plan.int64_safe`` is false) the same formulas run on Python integers.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any

import numpy as np

from .._plan import ScoringPlan

__all__ = ["BLOCK_ROWS", "as_level_matrix", "bands", "numerators", "rounded_units"]

#: Rows per block: a block of 47 int64 columns stays in the CPU cache between passes.
BLOCK_ROWS = 8192


def _block_range(block: np.ndarray, low: np.ndarray, high: np.ndarray, uniform: bool) -> np.ndarray | None:
    """Return the bad-row mask of one block, or ``None`` when every level is in range."""
    if uniform and block.size and block.min() >= low[0] and block.max() <= high[0]:
        return None  # the common case: one min and one max settle the whole block
    bad = np.asarray(((block < low) | (block > high)).any(axis=1), dtype=bool)
    return bad if bad.any() else None


def numerators(plan: ScoringPlan, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return ``N`` per row and the mask of rows with a level out of range (their ``N`` is ``0``).

    int64 where the plan is ``int64_safe``, else an object array of Python ints.
    The dot product and the range check run block by block, so each block is
    read from memory once and checked while in cache.
    """
    rows = levels.shape[0]
    bad = np.zeros(rows, dtype=bool)
    low = np.asarray(plan.level_low, dtype=np.int64)
    high = np.asarray(plan.level_high, dtype=np.int64)
    uniform = bool((low == low[0]).all() and (high == high[0]).all()) if len(low) else True
    safe = plan.int64_safe and plan.slopes is not None
    out = np.empty(rows, dtype=np.int64) if safe else np.zeros(rows, dtype=object)
    slopes = np.asarray(plan.slopes if safe else (), dtype=np.int64)
    for start in range(0, rows, BLOCK_ROWS):
        stop = start + BLOCK_ROWS
        block = levels[start:stop]
        if safe:
            # A bad row's sum may be nonsense (even wrap around); it is zeroed below.
            np.einsum("ij,j->i", block, slopes, out=out[start:stop])
        mask = _block_range(block, low, high, uniform)  # the block is still in cache
        if mask is not None:
            bad[start:stop] = mask
        if not safe:
            clipped = block if mask is None else np.where(mask[:, None], low, block)
            out[start:stop] = _lookup(plan, clipped)
    if safe and plan.offset:
        out += plan.offset
    out[bad] = 0
    return out, bad


def _lookup(plan: ScoringPlan, block: np.ndarray) -> np.ndarray:
    """Sum each level's contribution by table look-up, in Python ints (non-affine or too large for int64)."""
    out = np.zeros(block.shape[0], dtype=object)
    for pos, table in enumerate(plan.contributions):
        low = plan.level_low[pos]
        column = np.asarray([table[level] for level in range(low, plan.level_high[pos] + 1)], dtype=object)
        out += column[block[:, pos] - low]
    return out


def rounded_units(plan: ScoringPlan, numerator: np.ndarray) -> Any:
    """Return the published index in units of ``10**-places``: the rubric's rounding, in integers."""
    if numerator.dtype == object:
        return np.asarray([plan.rounded_units(n) for n in numerator], dtype=object)
    scale = 10**plan.rounding.places
    den = plan.denominator
    mode = plan.rounding.mode
    if mode == "half_up":
        # floor((N * 10**p) / D + 1/2) == (2 * N * 10**p + D) // (2 * D), in place to spare temporaries.
        units = numerator * (2 * scale)
        units += den
        units //= 2 * den
        return units
    quotient, remainder = np.divmod(numerator * scale, den)
    if mode == "half_even":
        twice = 2 * remainder
        up = (twice > den) | ((twice == den) & (quotient % 2 == 1))
        return quotient + up
    return quotient


def bands(plan: ScoringPlan, numerator: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Return each row's band position by the rubric's band rule (``bisect_right`` on the thresholds)."""
    exact = plan.rounding.predikat_on == "exact"
    keys = numerator if exact else units
    thresholds = plan.exact_thresholds if exact else plan.rounded_thresholds
    if keys.dtype == object:
        return np.asarray([bisect_right(thresholds, key) for key in keys], dtype=np.int64)
    # bisect_right(thresholds, key) is the number of thresholds <= key; a handful of bands
    # makes one comparison pass per threshold cheaper than searchsorted.
    band = np.zeros(len(keys), dtype=np.int64)
    for threshold in thresholds:
        band += keys >= threshold
    return band


def as_level_matrix(data: Any) -> np.ndarray:
    """Return a 2-D int64 array (C order) of levels, refusing anything that is not whole numbers."""
    array = np.asarray(data)
    if array.ndim != 2:
        raise ValueError(f"a level matrix must be 2-D, got {array.ndim}-D")
    if array.dtype == np.int64 and array.flags.c_contiguous:
        return array
    if array.dtype.kind not in "iu":
        raise ValueError(f"levels must be integers, got dtype {array.dtype}")
    if array.dtype.kind == "u" and array.size and array.max() > np.iinfo(np.int64).max:
        raise ValueError("levels beyond the int64 range")
    return np.ascontiguousarray(array, dtype=np.int64)
