"""Worksheet libraries: reading a filled LKE and a batch workbook, writing the LKE and a results workbook.

Not a target: the figures behind the choice of library in docs/decisions.md
("The worksheet"). Contenders: openpyxl (reads and writes; the one that
reads merged cells and formula caches and writes data validation and
protection), python-calamine (reads only) and XlsxWriter (writes only).
The ones not installed are skipped.

Run: ``python -m pip install openpyxl python-calamine XlsxWriter && python benchmarks/bench_xlsx.py [rows]``.
"""

from __future__ import annotations

import importlib.util
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import interleaved

from spbe_engine import Engine
from spbe_engine.worksheet import read_worksheet, write_template


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

    def openpyxl_batch() -> int:
        wb = openpyxl.load_workbook(batch, read_only=True, data_only=True)
        count = sum(1 for _ in wb.worksheets[0].iter_rows(values_only=True))
        wb.close()
        return count

    def openpyxl_write() -> None:
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet()
        for line in table:
            ws.append([str(v) for v in line])
        wb.save(folder / "out-openpyxl.xlsx")

    reads = {"openpyxl read-only": openpyxl_batch}
    writes = {"openpyxl write-only": openpyxl_write}
    if importlib.util.find_spec("python_calamine"):
        from python_calamine import CalamineWorkbook

        def calamine_batch() -> int:
            return len(CalamineWorkbook.from_path(str(batch)).get_sheet_by_index(0).to_python())

        reads["python-calamine"] = calamine_batch
    if importlib.util.find_spec("xlsxwriter"):
        import xlsxwriter

        def xlsxwriter_write() -> None:
            wb = xlsxwriter.Workbook(str(folder / "out-xlsxwriter.xlsx"), {"constant_memory": True})
            ws = wb.add_worksheet()
            for r, line in enumerate(table):
                ws.write_row(r, 0, [str(v) for v in line])
            wb.close()

        writes["XlsxWriter constant-memory"] = xlsxwriter_write
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
