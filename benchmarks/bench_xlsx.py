"""Worksheet libraries: reading a filled LKE and a batch workbook, writing the LKE and a results workbook.

Not a target: the figures behind the choice of library in docs/decisions.md
("The worksheet"). Contenders: openpyxl (reads and writes; the one that
reads merged cells and formula caches and writes data validation and
protection), python-calamine (reads only) and XlsxWriter (writes only).
The ones not installed are skipped. The batch reads and writes go through
:func:`~spbe_engine.worksheet.table_rows` and
:func:`~spbe_engine.worksheet.write_table` with each library, as
``spbe batch`` calls them (cells as text included), and print the load
average they ran under.

Run: ``python -m pip install openpyxl python-calamine XlsxWriter && python benchmarks/bench_xlsx.py [rows]``.
"""

from __future__ import annotations

import importlib.util
import os
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import interleaved

from spbe_engine import Engine
from spbe_engine.worksheet import read_worksheet, table_rows, write_table, write_template


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    import openpyxl

    engine = Engine.default()
    rubric = engine.rubric("spbe-2024")
    rng = random.Random(13)
    folder = Path(tempfile.mkdtemp())
    lke = folder / "lke.xlsx"
    write_template(engine, rubric.id, lke)
    book = openpyxl.load_workbook(lke)
    for row in range(6, 6 + len(rubric.indicators)):
        book["LKE"].cell(row=row, column=6, value=rng.randint(1, 5))
    book.save(lke)
    header = ["instansi", "year", *(ind.id for ind in rubric.indicators)]
    table = [header] + [[f"Instansi {n}", 2024, *(rng.randint(1, 5) for _ in rubric.indicators)] for n in range(rows)]
    batch = folder / "batch.xlsx"
    out = openpyxl.Workbook(write_only=True)
    sheet = out.create_sheet()
    for line in table:
        sheet.append(line)
    out.save(batch)

    text = [[str(v) for v in line] for line in table]

    def read(library: str) -> Callable[[], int]:
        return lambda: sum(1 for _ in table_rows(batch, library=library))

    def write(library: str) -> Callable[[], None]:
        return lambda: write_table(folder / f"out-{library}.xlsx", text, library=library)

    # The old path (openpyxl) beside the new one (calamine reads, XlsxWriter writes), through the same functions
    # `spbe batch` calls: cells as text included.
    reads = {"openpyxl read-only": read("openpyxl")}
    writes = {"openpyxl write-only": write("openpyxl")}
    if importlib.util.find_spec("python_calamine"):
        reads["python-calamine"] = read("calamine")
    if importlib.util.find_spec("xlsxwriter"):
        writes["XlsxWriter constant-memory"] = write("xlsxwriter")
    single = interleaved(
        {
            "write the LKE (openpyxl)": lambda: write_template(engine, rubric.id, lke.with_name("t.xlsx")),
            "read the filled LKE (openpyxl)": lambda: read_worksheet(engine, lke),
        },
        repeat=5,
    )
    for name, seconds in single.items():
        print(f"{name:42} {seconds * 1000:8.1f} ms")
    for name, seconds in interleaved(reads, repeat=3).items():
        print(f"read {rows:,} x {len(header)} batch: {name:24} {seconds:6.2f} s")
    for name, seconds in interleaved(writes, repeat=3).items():
        print(f"write {rows:,} x {len(header)} results: {name:24} {seconds:6.2f} s")
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
