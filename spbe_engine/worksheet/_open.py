"""Open a workbook: refuse, with one line, what is not an unencrypted .xlsx before openpyxl or calamine sees it."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from .._extras import install_hint
from ..errors import InputError, SpbeError

__all__ = ["WORKBOOK_SUFFIXES", "calamine", "check_workbook", "load", "openpyxl", "xlsxwriter"]

#: The file types read and written as workbooks.
WORKBOOK_SUFFIXES = (".xlsx",)

#: An OLE compound file: what Excel writes for a password-protected (encrypted) workbook, and old .xls files.
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")


def openpyxl() -> Any:
    """Import openpyxl, or raise one error saying which install brings it."""
    try:
        import openpyxl as module
    except ImportError:
        raise SpbeError("Excel workbooks need the 'xlsx' extra (openpyxl)", allowed=install_hint("xlsx")) from None
    return module


def calamine() -> Any | None:
    """Import python-calamine (the fast reader of batch workbooks), or return ``None`` when it is not installed."""
    try:
        import python_calamine as module
    except ImportError:
        return None
    return module


def xlsxwriter() -> Any | None:
    """Import XlsxWriter (the fast writer of results workbooks), or return ``None`` when it is not installed."""
    try:
        import xlsxwriter as module
    except ImportError:
        return None
    return module


def check_workbook(path: Path) -> None:
    """Refuse a file that is missing, unreadable, encrypted (or an old .xls) or not a zip, with one InputError."""
    try:
        with path.open("rb") as handle:
            start = handle.read(8)
    except FileNotFoundError:
        raise InputError("file not found", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror}", file=str(path)) from None
    if start == _OLE_MAGIC:
        raise InputError(
            "the workbook is password-protected (encrypted) or an old .xls file",
            file=str(path),
            allowed="an .xlsx saved without a password to open it",
        )
    if not zipfile.is_zipfile(path):
        raise InputError("not an Excel workbook (.xlsx is a zip file)", file=str(path), value=start, allowed=".xlsx")


def load(path: Path, *, read_only: bool = False) -> Any:
    """Load a workbook with cached formula values; any file that is not a readable .xlsx is one InputError."""
    module = openpyxl()
    check_workbook(path)
    try:
        return module.load_workbook(path, read_only=read_only, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError, ValueError, BadZipFile... for a damaged package
        raise InputError(
            f"cannot read the workbook: {type(exc).__name__}: {exc}", file=str(path), allowed="an .xlsx file"
        ) from None
