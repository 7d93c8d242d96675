"""Run every benchmark; exit non-zero if any figure misses its target.

Run: ``python benchmarks/run.py`` (after ``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    failed = 0
    for script in ("bench_single.py", "bench_batch.py", "bench_cli.py", "bench_service.py"):
        print(f"== {script}", flush=True)
        rows = sys.argv[1:2] if script != "bench_service.py" else []  # the service's sizes are its own options
        failed += subprocess.run([sys.executable, str(HERE / script), *rows], check=False).returncode != 0
    sys.exit(1 if failed else 0)
