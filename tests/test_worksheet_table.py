"""A batch as a workbook: calamine reads the first sheet as openpyxl and as its CSV would; XlsxWriter writes results."""

from __future__ import annotations

import csv
import datetime
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from spbe_engine.batch import read_batch
from spbe_engine.errors import InputError
from spbe_engine.worksheet import table_rows, write_table

openpyxl = pytest.importorskip("openpyxl")
pytest.importorskip("python_calamine")
pytest.importorskip("xlsxwriter")


def workbook(path: Path, rows: list[list[Any]], *, top: int = 0, left: int = 0) -> Path:
    """Save ``rows`` as a user's workbook (openpyxl, shared strings), ``top`` rows and ``left`` columns in from A1."""
    book = openpyxl.Workbook()
    for r, row in enumerate(rows, start=top + 1):
        for c, value in enumerate(row, start=left + 1):
            if value is not None:
                book.active.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def seen(rows: Any) -> list[tuple[int, int, dict[str, Any], str | None]]:
    return [(row.number, row.line, dict(row.columns), None if row.error is None else str(row.error)) for row in rows]


def test_a_batch_workbook_reads_as_the_same_csv(tmp_path: Path) -> None:
    """Numbers, text, empty cells and a bad row: the workbook's rows are the CSV's, cell for cell, error for error."""
    rows: list[list[Any]] = [
        ["instansi", "year", "D1", "D2", "D3", "D4", "source"],
        ["Kota Bandar Lampung", 2022, 2, 1, 1, 1.88, "news"],
        ["Kab. Rusak", "dua ribu", 2, 1, 1, 2.5, None],
        ["Kab. Lain", "2022", 3, 1, Decimal("1.25"), "1.88", None],
        ["Kab. Kosong", 2022, None, 1, 1, 1, "  spasi "],
    ]
    workbook(tmp_path / "x.xlsx", rows)
    with (tmp_path / "x.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["" if v is None else str(v) for v in row] for row in rows])
    from_csv = seen(read_batch(tmp_path / "x.csv", "spbe-2022"))
    from_xlsx = seen(read_batch(tmp_path / "x.xlsx", "spbe-2022"))
    assert from_xlsx == from_csv
    assert [error is None for *_, error in from_xlsx] == [True, False, True, True]
    assert from_xlsx[3][2]["D1"] == "" and from_xlsx[2][2]["D3"] == "1.25"


cells = st.one_of(
    st.none(),
    st.integers(-(10**12), 10**12),
    st.decimals(-(10**10), 10**10, places=2, allow_nan=False, allow_infinity=False),
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=8).filter(
        lambda text: not text.startswith(("=", "#"))  # a formula, an error code
    ),
)


@settings(max_examples=30)
@given(
    grid=st.lists(st.lists(cells, max_size=6), min_size=1, max_size=6),
    top=st.integers(0, 2),
    left=st.integers(0, 2),
)
def test_calamine_reads_what_openpyxl_reads(
    tmp_path_factory: pytest.TempPathFactory, grid: Any, top: int, left: int
) -> None:
    """Any grid of whole numbers, decimals of up to 2 places, text and empty cells reads the same with either library.

    And a number reads as its decimal text (``2.50`` typed as 2.5 reads ``2.5``, ``3.00`` reads ``3``).
    """
    note(f"grid at row {top + 1}, column {left + 1}: {grid!r}")
    path = workbook(tmp_path_factory.mktemp("grid") / "grid.xlsx", grid, top=top, left=left)
    by_calamine = list(table_rows(path, library="calamine"))
    assert by_calamine == list(table_rows(path, library="openpyxl"))
    texts = {(number, column): text for number, row in by_calamine for column, text in enumerate(row)}
    for r, row in enumerate(grid, start=top + 1):
        for c, value in enumerate(row, start=left):
            if isinstance(value, int | Decimal):
                assert texts[r, c] == format(Decimal(value).normalize(), "f")


def test_error_cells_keep_their_text(tmp_path: Path) -> None:
    """Calamine reads #DIV/0! as an empty cell; such a workbook is read with openpyxl, which keeps the error's text."""
    path = workbook(tmp_path / "e.xlsx", [["instansi", "D1"], ["A", "#DIV/0!"]])
    assert (
        list(table_rows(path))
        == list(table_rows(path, library="openpyxl"))
        == [(1, ["instansi", "D1"]), (2, ["A", "#DIV/0!"])]
    )


def test_dates_read_as_the_day_they_are(tmp_path: Path) -> None:
    """A date cell reads as its ISO date (openpyxl says midnight of it); a date and time as both."""
    path = workbook(tmp_path / "d.xlsx", [[datetime.date(2024, 1, 2), datetime.datetime(2024, 1, 2, 3, 4, 5)]])
    assert list(table_rows(path)) == [(1, ["2024-01-02", "2024-01-02T03:04:05"])]
    assert list(table_rows(path, library="openpyxl")) == [(1, ["2024-01-02T00:00:00", "2024-01-02T03:04:05"])]


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504), "password-protected"),
        (b"instansi,year\nA,2024\n", "not an Excel workbook"),
        (None, "cannot read the workbook"),  # a zip that is no workbook
    ],
)
def test_a_bad_workbook_is_one_error(tmp_path: Path, content: bytes | None, said: str) -> None:
    path = tmp_path / "bad.xlsx"
    if content is None:
        with zipfile.ZipFile(path, "w") as package:
            package.writestr("hello.txt", "not a workbook")
    else:
        path.write_bytes(content)
    with pytest.raises(InputError, match=said) as caught:
        list(table_rows(path, library="calamine"))
    assert "bad.xlsx" in str(caught.value)


def test_both_writers_write_the_same_cells(tmp_path: Path) -> None:
    """XlsxWriter and openpyxl write the same text: a formula-like, a link-like, a number-like and an empty cell."""
    rows = [["instansi", "note", "index", "url", "empty"], [" Kab. A ", "=1+1", "1.53", "https://example.org", ""]]
    read = []
    for library in ("xlsxwriter", "openpyxl"):
        write_table(tmp_path / f"{library}.xlsx", rows, library=library)
        book = openpyxl.load_workbook(tmp_path / f"{library}.xlsx")
        assert book.sheetnames == ["results"]
        read.append([["" if v is None else v for v in row] for row in book.active.iter_rows(values_only=True)])
        assert {cell.data_type for row in book.active.iter_rows() for cell in row if cell.value is not None} == {"s"}
    assert read[0] == read[1] == rows


def test_a_cell_too_long_for_a_workbook_is_refused(tmp_path: Path) -> None:
    """Excel holds 32,767 characters in a cell; a longer one is refused with its place, and no file is left."""
    path = tmp_path / "y.xlsx"
    with pytest.raises(InputError, match="row 2, column 2") as caught:
        write_table(path, [["instansi", "note"], ["A", "x" * 40_000]])
    assert "32,767" in str(caught.value) and not path.exists()
