"""A batch as a workbook: its first sheet read as the batch CSV's table, and results written as one."""

from __future__ import annotations

import csv
import os
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from .._extras import install_hint
from ..errors import InputError, SpbeError
from ._layout import cell_text
from ._open import calamine, check_workbook, load, openpyxl, xlsxwriter

__all__ = ["csv_to_workbook", "table_rows", "write_table"]


def table_rows(path: Path, *, library: str | None = None) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(sheet row, cells as text)`` of a workbook's first sheet, the header row first; empty rows skipped.

    Cells read as a CSV file of the same table would: numbers as written
    (15 significant digits, as the spreadsheet keeps them), empty cells as
    ``""``, trailing empty cells dropped, formulas as their cached values.
    ``library`` names the reader: ``"calamine"`` (python-calamine, the
    default when it is installed: a plain grid read many times faster) or
    ``"openpyxl"`` (the default otherwise); both give the same text, but for
    a date cell (``2024-01-02`` from calamine, ``2024-01-02T00:00:00`` from
    openpyxl), a whole number of more than 15 digits (calamine keeps 15,
    as the spreadsheet shows it) and an ``_x0041_`` escape in text (calamine
    decodes it, as the file format says). By default a workbook with an
    error cell (``#DIV/0!``) is read with openpyxl, which keeps the error's
    text where calamine reads an empty cell.
    """
    if library not in (None, "calamine", "openpyxl"):
        raise InputError("unknown workbook reader", field="library", value=library, allowed="calamine or openpyxl")
    module = calamine() if library in (None, "calamine") else None
    if module is None and library == "calamine":
        raise SpbeError("reading with calamine needs the 'xlsx' extra (python-calamine)", allowed=install_hint("xlsx"))
    if module is not None and library is None and _has_error_cells(path):
        module = None  # calamine reads #DIV/0!, #N/A... as empty cells; openpyxl keeps their text
    rows = _openpyxl_rows(path) if module is None else _calamine_rows(module, path)
    for number, row in rows:
        cells = [cell_text(value) for value in row]
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            yield number, cells


def _openpyxl_rows(path: Path) -> Iterator[tuple[int, Sequence[object]]]:
    book = load(path, read_only=True)
    try:
        if not book.worksheets:
            raise _no_sheet(path)
        yield from enumerate(book.worksheets[0].iter_rows(values_only=True), start=1)
    finally:
        book.close()


def _calamine_rows(module: Any, path: Path) -> Iterator[tuple[int, Sequence[object]]]:
    check_workbook(path)
    try:
        book = module.CalamineWorkbook.from_path(str(path))
        # The first worksheet, as openpyxl's ``worksheets[0]``: a chart sheet holds no cells.
        names = [sheet.name for sheet in book.sheets_metadata if sheet.typ == module.SheetTypeEnum.WorkSheet]
        if not names:
            raise _no_sheet(path)
        sheet = book.get_sheet_by_name(names[0])
    except module.CalamineError as exc:  # a damaged package: ZipError, XmlError, ...
        raise InputError(
            f"cannot read the workbook: {type(exc).__name__}: {exc}", file=str(path), allowed="an .xlsx file"
        ) from None
    with book:
        # Every row and column from A1: the default ``to_python`` starts at the first used cell, and so do
        # ``iter_rows``'s columns.
        yield from enumerate(sheet.to_python(skip_empty_area=False), start=1)


#: An error cell (``#DIV/0!``, ``#N/A``...) in a worksheet's XML, in either quoting.
_ERROR_CELL = re.compile(rb"""\st=["']e["']""")


def _has_error_cells(path: Path) -> bool:
    """Say whether any worksheet of the package holds an error cell: a quick scan of its XML, inflated in blocks."""
    check_workbook(path)
    try:
        with zipfile.ZipFile(path) as package:
            for name in package.namelist():
                if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                    continue
                with package.open(name) as member:
                    tail = b""
                    while block := member.read(1 << 20):
                        if _ERROR_CELL.search(tail + block):
                            return True
                        tail = block[-8:]
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, zlib.error):
        return False  # the reader that follows says what is wrong with the package
    return False


def _no_sheet(path: Path) -> InputError:
    return InputError("the workbook has no worksheet", file=str(path), allowed="a first sheet holding the batch table")


def write_table(
    path: Path, rows: Iterable[Sequence[str]], title: str = "results", *, library: str | None = None
) -> None:
    """Write rows of text (the header first) to a new workbook's only sheet, every cell as text, as given.

    ``library`` names the writer: ``"xlsxwriter"`` (XlsxWriter in its
    constant-memory mode, the default when it is installed) or
    ``"openpyxl"`` (write-only mode, the default otherwise); the cells are
    the same. A text that starts with ``=`` stays text, never a formula.
    """
    if library not in (None, "xlsxwriter", "openpyxl"):
        raise InputError("unknown workbook writer", field="library", value=library, allowed="xlsxwriter or openpyxl")
    module = xlsxwriter() if library in (None, "xlsxwriter") else None
    if module is None and library == "xlsxwriter":
        raise SpbeError("writing with XlsxWriter needs the 'xlsx' extra (XlsxWriter)", allowed=install_hint("xlsx"))
    if module is None:
        _openpyxl_write(path, rows, title)
    else:
        _xlsxwriter_write(module, path, rows, title)


def _xlsxwriter_write(module: Any, path: Path, rows: Iterable[Sequence[str]], title: str) -> None:
    # Every cell as the text given: no formulas, links or numbers guessed from it.
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    book = module.Workbook(str(path), options)
    sheet = book.add_worksheet(title)
    for index, row in enumerate(rows):
        if (refused := sheet.write_row(index, 0, row)) != 0:
            # Nothing reaches the file before close(): a refused table leaves none. Closing into the null
            # device releases the sheet's temporary file.
            book.filename = os.devnull
            book.close()
            raise _too_big(path, index, row, refused)
    try:
        book.close()
    except module.exceptions.FileCreateError as exc:
        reason = exc.args[0].strerror if exc.args and isinstance(exc.args[0], OSError) else str(exc)
        raise InputError(f"cannot write the file: {reason}", field="--out", value=str(path)) from None


def _too_big(path: Path, index: int, row: Sequence[str], refused: int) -> InputError:
    """Say which cell a workbook cannot hold (XlsxWriter refuses what Excel would not open)."""
    if refused == -1:
        return InputError(
            f"more rows than a sheet holds: row {index + 1}", field="--out", value=str(path), allowed="1,048,576 rows"
        )
    longest = max(range(len(row)), key=lambda column: len(row[column]))
    return InputError(
        f"a cell longer than a workbook cell holds: row {index + 1}, column {longest + 1} "
        f"({len(row[longest]):,} characters)",
        field="--out",
        value=str(path),
        allowed="32,767 characters; write CSV instead",
    )


def _openpyxl_write(path: Path, rows: Iterable[Sequence[str]], title: str) -> None:
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
