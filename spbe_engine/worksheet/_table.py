"""A batch as a workbook: its first sheet read as the batch CSV's table, and results written as one."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from ..errors import InputError
from ._layout import cell_text
from ._open import load, openpyxl

__all__ = ["csv_to_workbook", "table_rows", "write_table"]


def table_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(sheet row, cells as text)`` of a workbook's first sheet, the header row first; empty rows skipped.

    Cells read as a CSV file of the same table would: numbers as written
    (15 significant digits, as the spreadsheet keeps them), empty cells as
    ``""``, trailing empty cells dropped.
    """
    book = load(path, read_only=True)
    try:
        sheet = book.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [cell_text(value) for value in row]
            while cells and not cells[-1].strip():
                cells.pop()
            if cells:
                yield number, cells
    finally:
        book.close()


def write_table(path: Path, rows: Iterable[Sequence[str]], title: str = "results") -> None:
    """Write rows of text (the header first) to a new workbook's only sheet, every cell as text, as given."""
    xl = openpyxl()
    book = xl.Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append([_text(sheet, value) for value in row])
    try:
        book.save(path)
    except OSError as exc:
        raise InputError(f"cannot write the file: {exc.strerror}", field="--out", value=str(path)) from None


def _text(sheet: object, value: str) -> object:
    """Return a cell that holds ``value`` as text, even one that starts with ``=`` (never a formula)."""
    if not value.startswith("="):
        return value
    cell = openpyxl().cell.WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def csv_to_workbook(csv_path: Path, path: Path) -> None:
    """Write a CSV file written by :mod:`spbe_engine.batch` (UTF-8, ``,``) as a workbook with the same cells."""
    with csv_path.open(encoding="utf-8", newline="") as handle:
        write_table(path, csv.reader(handle))
