"""The evaluation worksheet (LKE) as an Excel workbook, for any rubric: write the template, read it back filled.

``spbe template RUBRIC --xlsx FILE`` writes it (:func:`write_template`);
``spbe score FILE.xlsx`` reads it (:func:`read_worksheet`) and scores it with
the engine, which stays the only authority: the sheet's own formula gives a
provisional index, and :meth:`FilledWorksheet.notes` says when it disagrees,
or when the workbook was made for another content of the rubric.
``spbe batch`` reads a workbook whose first sheet is a table like the batch
CSV (:func:`table_rows`) and ``--out FILE.xlsx`` writes the CSV's rows as a
workbook (:func:`write_table`). Needs the ``xlsx`` extra: openpyxl for the
worksheet, python-calamine to read and XlsxWriter to write a batch table
(openpyxl does either when they are missing).
"""

from ._assessment_file import empty_assessment
from ._layout import TEMPLATE_VERSION
from ._lke import FilledWorksheet, read_worksheet
from ._open import WORKBOOK_SUFFIXES
from ._open import openpyxl as require_openpyxl
from ._table import csv_to_workbook, table_rows, write_table
from ._template import write_template

__all__ = [
    "TEMPLATE_VERSION",
    "WORKBOOK_SUFFIXES",
    "FilledWorksheet",
    "csv_to_workbook",
    "empty_assessment",
    "read_worksheet",
    "require_openpyxl",
    "table_rows",
    "write_table",
    "write_template",
]
