"""Where things are in a worksheet (LKE) of template version 1: sheet names, rows and fixed column titles."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

__all__ = [
    "DETAILS_SHEET",
    "FIRST_ROW",
    "HEADER_ROW",
    "INSTANSI_FIELDS",
    "LEVEL_TITLE",
    "LKE_SHEET",
    "META_SHEET",
    "TEMPLATE_VERSION",
    "cell_text",
    "excel_number",
]

#: Bumped whenever a reader of an older layout could misread a newer one.
TEMPLATE_VERSION = 1

#: The indicator sheet: one row per indicator.
LKE_SHEET = "LKE"
#: The instansi details: one row per field (key, label, value).
DETAILS_SHEET = "Instansi"
#: The hidden sheet that says which rubric (and which content of it) the workbook was made for.
META_SHEET = "spbe"

#: The indicator sheet's header row and its first indicator row (rows 1-3 hold the title and the provisional index).
HEADER_ROW = 5
FIRST_ROW = HEADER_ROW + 1
#: The title of the column the levels are entered in.
LEVEL_TITLE = "Level"

#: The instansi details an assessment file carries: ``instansi`` and ``year`` are its own fields, the rest go
#: into its metadata under these keys (the archive reads ``category``, ``region`` and ``code`` from there).
INSTANSI_FIELDS = (
    ("instansi", "Nama instansi (instansi name)"),
    ("year", "Tahun evaluasi (evaluation year)"),
    ("category", "Kategori (category: e.g. kabupaten, kota, provinsi, kementerian)"),
    ("region", "Wilayah (region / province)"),
    ("code", "Kode instansi (code)"),
)


def excel_number(value: Fraction) -> Decimal | str:
    """Return a number for a cell: its exact decimal where it has one, else a formula (``=20/6``)."""
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator == 1:
        return Decimal(value.numerator) / Decimal(value.denominator)
    return f"={value.numerator}/{value.denominator}"


def cell_text(value: Any) -> str:
    """Return a cell's value as the text a CSV file would hold.

    Spreadsheet numbers are binary floats; Excel keeps 15 significant
    digits, so a float is read back at that precision (``1.88``, never
    ``1.8799999999999999``) and an integral one without a point (``3``).
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _float_text(value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _float_text(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))  # the common case: the same text as below, without a Decimal
    number = Decimal(format(value, ".15g"))
    if number == number.to_integral_value():
        return str(int(number))
    return format(number, "f")
