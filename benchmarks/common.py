"""Shared helpers for the benchmark scripts: timing and the report line format."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def best_of(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    """Run ``fn`` ``repeat`` times; return the fastest wall time in seconds and the last result.

    The fastest run is the least disturbed by other work on a shared machine.
    """
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def interleaved(fns: dict[str, Callable[[], Any]], repeat: int = 7) -> dict[str, float]:
    """Time several functions in turns, ``repeat`` rounds; return each one's fastest wall time.

    Taking turns exposes every contender to the same background load on a
    shared machine; the fastest run is the least disturbed one.
    """
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def report(name: str, value: float, unit: str, baseline: str, target: str, ok: bool) -> bool:
    """Print one figure beside its baseline and target; return whether the target is met."""
    print(f"{'PASS' if ok else 'FAIL'}  {name}: {value:.4g} {unit}   [{baseline}; target {target}]")
    return ok
