"""CLI targets: ``spbe score`` cold in <= 0.3 s; ``spbe batch`` of 1,000,000 rows in <= 5 s and <= 300 MB.

Each run is a fresh process (a cold interpreter; the operating system's file
cache is warm, as it is for any command run twice); the fastest of several
runs is judged, as everywhere in these benchmarks, and the median printed. Baselines measured in
the same run: the bare interpreter start (``python -c pass``) for ``spbe
score``, and reading the same CSV with the stdlib csv module (no scoring)
for ``spbe batch``. Peak memory is the child's maximum resident set size
(``resource.getrusage(RUSAGE_CHILDREN)`` of a wrapper process).

Run: ``python benchmarks/bench_cli.py [rows]`` (``spbe`` from this
environment; the fast extra installed: ``pip install -e '.[fast]'``).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "bandar-lampung-2022.toml"
SPBE = [sys.executable, "-c", "from spbe_engine.cli import entry; entry()"]

_MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
wall = time.perf_counter() - start
print(json.dumps({"wall": wall, "rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "code": done.returncode}))
"""


def measure(command: list[str]) -> dict[str, float]:
    """Run a command in a fresh process; return its wall time (s), peak RSS (KB) and exit code."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def write_csv(path: Path, rows: int) -> None:
    """Write a batch CSV: instansi, year, I1..I47 with random levels 1-5."""
    rng = np.random.default_rng(2024)
    with path.open("wb") as out:
        out.write(("instansi,year," + ",".join(f"I{n}" for n in range(1, 48)) + "\n").encode())
        for start in range(0, rows, 100_000):
            count = min(100_000, rows - start)
            body = np.full((count, 94), ord(","), dtype=np.uint8)
            body[:, 0::2] = rng.integers(1, 6, size=(count, 47), dtype=np.uint8) + ord("0")
            body[:, -1] = ord("\n")
            out.write(b"".join(f"Instansi {start + n},2024,".encode() + body[n].tobytes() for n in range(count)))


def main(rows: int = 1_000_000) -> int:
    ok = True
    bare = [measure([sys.executable, "-c", "pass"])["wall"] for _ in range(5)]
    score = [measure([*SPBE, "score", str(EXAMPLE)]) for _ in range(7)]
    assert all(run["code"] == 0 for run in score)
    walls = [run["wall"] for run in score]
    # Judged on the fastest of 7 cold runs, like every figure here (the least disturbed by
    # other work on the machine); the median is printed beside it.
    ok &= report(
        "spbe score examples/bandar-lampung-2022.toml, cold",
        min(walls),
        "s (fastest of 7)",
        f"median {statistics.median(walls):.3g} s; bare python start {min(bare):.3g} s",
        "<= 0.3 s",
        min(walls) <= 0.3,
    )

    with tempfile.TemporaryDirectory() as tmp:
        source, result = Path(tmp) / "batch.csv", Path(tmp) / "out.csv"
        started = time.perf_counter()
        write_csv(source, rows)
        print(
            f"      wrote {rows:,} rows ({source.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f} s"
        )
        reading = measure(
            [
                sys.executable,
                "-c",
                f"import csv\nfor _ in csv.reader(open({str(source)!r}, newline='')): pass",
            ]
        )
        runs = [measure([*SPBE, "batch", str(source), "--out", str(result)]) for _ in range(3)]
        assert all(run["code"] == 0 for run in runs), runs
        with result.open(encoding="utf-8") as out:
            lines = sum(1 for _ in out)
        assert lines == rows + 1, lines
        wall = min(run["wall"] for run in runs)
        peak = max(run["rss_kb"] for run in runs) / 1024
        ok &= report(
            f"spbe batch, {rows:,}-row CSV",
            wall,
            "s",
            f"stdlib csv module only reading it {reading['wall']:.3g} s",
            "<= 5 s",
            wall <= 5,
        )
        ok &= report(
            f"spbe batch, {rows:,}-row CSV, peak memory",
            peak,
            "MB",
            f"reading with the csv module {reading['rss_kb'] / 1024:.0f} MB",
            "<= 300 MB",
            peak <= 300,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.pop("SPBE_DEBUG", None)
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
