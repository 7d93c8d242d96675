"""Benchmark the assessment archive: import, rescore, history and verify on SQLite and PostgreSQL.

Imports the 2023 national table plus N generated indicator-level assessments
(default 100,000: 20,000 instansi × 2021–2025, so each year's rubric is used),
rescores all of them under pemdi-2026 through the crosswalks
(``--missing impute:lowest``), reads one instansi's history, and verifies
every stored scoring. Each figure is printed with its rows per second beside
the in-memory ``Engine.score_many`` baseline of the same run.

    python3 benchmarks/bench_archive.py [--rows N] [--pg URL]

PostgreSQL is measured when ``--pg`` (or ``SPBE_BENCH_PG_URL``) names a
database; the benchmark works in a schema of its own there and drops it.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

from common import best_of, report

from spbe_engine import Engine
from spbe_engine.archive import Archive

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "tests" / "data" / "spbe-2023-published.csv"
YEARS = (2021, 2022, 2023, 2024, 2025)


def generate(path: Path, rows: int) -> None:
    """Write ``rows`` indicator-level assessments (I1..I47) for 2021-2025 as a batch CSV."""
    rng = random.Random(2026)
    agencies = max(1, rows // len(YEARS))
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["instansi", "year", "category", *(f"I{i}" for i in range(1, 48))])
        for n in range(rows):
            year = YEARS[min(n // agencies, len(YEARS) - 1)]
            writer.writerow([f"Instansi Uji {n % agencies:06d}", year, "Uji", *(rng.randint(1, 5) for _ in range(47))])


def baseline(engine: Engine, rows: int) -> float:
    """Return the rows/s of in-memory ``score_many`` over the same number of level rows."""
    import numpy as np

    levels = np.random.default_rng(2026).integers(1, 6, size=(rows, 47))
    seconds, _ = best_of(lambda: engine.score_many(levels, rubric="spbe-2024"), repeat=5)
    return rows / seconds


def timed(fn):  # type: ignore[no-untyped-def]
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - start, time.process_time() - cpu, result


def measure(name: str, url: str, data: Path, rows: int, engine: Engine, memory_rate: float) -> bool:
    ok = True
    base = f"in-memory score_many {memory_rate:,.0f} rows/s"
    with Archive.init(url, engine=engine) as archive:
        wall, cpu, _ = timed(lambda: archive.import_file(PUBLISHED))
        print(f"      {name}: import the 2023 national table (621 rows): {wall:.2f} s (CPU {cpu:.2f} s)")
        wall, cpu, done = timed(lambda: archive.import_file(data))
        assert done.imported == rows, done
        print(
            f"      {name}: import {rows:,} level assessments and score each: {wall:.2f} s "
            f"(CPU {cpu:.2f} s, {rows / wall:,.0f} rows/s)"
        )
        wall, cpu, run = timed(lambda: archive.rescore("pemdi-2026", missing="impute:lowest"))
        total = run.run.rows
        assert total == rows + 621, run
        ok &= report(
            f"{name}: rescore {total:,} assessments under pemdi-2026 (CPU {cpu:.2f} s, {total / wall:,.0f} rows/s)",
            wall, "s", base, "≤ 10 s", wall <= 10,
        )  # fmt: skip
        seconds, found = best_of(lambda: archive.history("Instansi Uji 000042"), repeat=50)
        assert len(found.entries) == 2 * len(YEARS), found
        ok &= report(
            f"{name}: one instansi's history ({len(found.entries)} scorings)",
            seconds * 1000, "ms", "fastest of 50", "≤ 5 ms", seconds <= 0.005,
        )  # fmt: skip
        wall, cpu, checked = timed(archive.verify)
        assert checked.ok, checked.to_json()["mismatches"][:3]
        per = wall * 100_000 / checked.checked
        ok &= report(
            f"{name}: verify {checked.checked:,} scorings (CPU {cpu:.2f} s, {checked.checked / wall:,.0f} rows/s); "
            "per 100,000",
            per, "s", base, "≤ 10 s per 100,000", per <= 10,
        )  # fmt: skip
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg", default=os.environ.get("SPBE_BENCH_PG_URL") or os.environ.get("SPBE_TEST_PG_URL"))
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    engine = Engine.default()
    memory_rate = baseline(engine, args.rows)
    print(f"      baseline: in-memory Engine.score_many of {args.rows:,} spbe-2024 rows: {memory_rate:,.0f} rows/s")
    ok = True
    with tempfile.TemporaryDirectory() as scratch:
        data = Path(scratch) / "levels.csv"
        generate(data, args.rows)
        ok &= measure("SQLite", f"sqlite:///{Path(scratch) / 'bench.sqlite'}", data, args.rows, engine, memory_rate)
        if args.pg:
            from sqlalchemy import create_engine, text

            schema = f"bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(args.pg)
            with admin.begin() as connection:
                connection.execute(text(f"CREATE SCHEMA {schema}"))
            try:
                joiner = "&" if "?" in args.pg else "?"
                url = f"{args.pg}{joiner}options=-csearch_path%3D{schema}"
                ok &= measure("PostgreSQL", url, data, args.rows, engine, memory_rate)
            finally:
                with admin.begin() as connection:
                    connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
                admin.dispose()
        else:
            print("      PostgreSQL: not measured (give --pg URL or SPBE_BENCH_PG_URL)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
