"""Measure what load-time validation costs against the lazy default (the cold-start choice).

Run: ``python benchmarks/plugin_validation.py``. Prints the best of N runs, in
milliseconds, for: loading the plugins and compiling the one plan a
``spbe score`` needs (lazy, the default), and loading with
``validate=True`` (every rubric read and every plan compiled, as
``spbe plugins`` and ``spbe check`` do). Exits non-zero if the lazy path is
not cheaper than the eager one, which would make the lazy default pointless.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from spbe_engine import Engine


def best_ms(action: Callable[[], object], runs: int = 7) -> float:
    """Return the fastest of ``runs`` timings of ``action`` in milliseconds."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def main() -> int:
    """Print both timings; fail if validating everything is not dearer than the lazy path."""
    lazy = best_ms(lambda: Engine.default().plan("spbe-2021"))
    eager = best_ms(lambda: Engine.default(validate=True))
    rubrics = len(Engine.default().rubric_ids())
    print(f"lazy (load + one plan):          {lazy:7.1f} ms")
    print(f"validate=True ({rubrics} rubrics, all plans): {eager:7.1f} ms")
    return 0 if lazy < eager else 1


if __name__ == "__main__":
    sys.exit(main())
