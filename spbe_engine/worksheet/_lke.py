"""Read a filled worksheet (LKE) back into an assessment, naming the sheet, cell and value of anything wrong."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import InputError
from ..inputs import parse_year
from ..models import Assessment
from ._layout import (
    DETAILS_SHEET,
    FIRST_ROW,
    HEADER_ROW,
    LEVEL_TITLE,
    LKE_SHEET,
    META_SHEET,
    TEMPLATE_VERSION,
    cell_text,
)
from ._open import load, openpyxl

if TYPE_CHECKING:
    from .._engine import Engine
    from .._scoring import ScoreCard
    from ..models import Rubric

__all__ = ["FilledWorksheet", "read_worksheet"]


@attrs.frozen(kw_only=True)
class FilledWorksheet:
    """A filled worksheet as read: the assessment, the rubric it was made for and the sheet's own provisional index."""

    path: str
    assessment: Assessment
    template_version: int
    #: The rubric the workbook was made for, and that rubric's content hash then.
    rubric_id: str
    rubric_sha256: str
    #: The provisional index the spreadsheet program last calculated (``None``: never calculated, or incomplete).
    provisional_index: Decimal | None
    #: Where a level was entered: indicator id → cell (``LKE!G12``).
    cells: dict[str, str] = attrs.field(factory=dict)

    def notes(self, card: ScoreCard, installed_sha256: str) -> list[str]:
        """Return what a person should know beside the engine's result: another rubric hash, a disagreeing sheet."""
        notes = []
        if installed_sha256 != self.rubric_sha256:
            notes.append(
                f"the workbook was made for {self.rubric_id} with content hash {self.rubric_sha256[:12]}…; the "
                f"installed {self.rubric_id} has {installed_sha256[:12]}… (scored under the installed one)"
            )
        if self.provisional_index is not None and card.index is not None:
            places = Decimal(1).scaleb(-len(str(card.index).partition(".")[2]))
            if self.provisional_index.quantize(places) != card.index:
                notes.append(
                    f"the sheet's provisional index ({self.provisional_index}, {LKE_SHEET}!C2) disagrees with the "
                    f"engine's {card.index}; the engine's result is the authority"
                )
        return notes

    def to_json(self, card: ScoreCard, installed_sha256: str) -> dict[str, Any]:
        """Return the ``worksheet`` object of ``spbe score --json``."""
        return {
            "template_version": self.template_version,
            "rubric_id": self.rubric_id,
            "rubric_sha256": self.rubric_sha256,
            "provisional_index": None if self.provisional_index is None else str(self.provisional_index),
            "agrees": None
            if self.provisional_index is None or card.index is None
            else not any("disagrees" in note for note in self.notes(card, installed_sha256)),
            "notes": self.notes(card, installed_sha256),
        }


def _where(path: Path, sheet: str, ref: str, what: str = "") -> dict[str, str]:
    return {"file": str(path), "field": f"{sheet}!{ref}" + (f" ({what})" if what else "")}


def _sheet(book: Any, path: Path, name: str) -> Any:
    if name not in book.sheetnames:
        raise InputError(
            f"the workbook has no sheet {name!r}",
            file=str(path),
            field=f"sheet {name}",
            value=", ".join(book.sheetnames),
            allowed=f"a workbook written by `spbe template` (sheets {LKE_SHEET}, {DETAILS_SHEET})",
        )
    return book[name]


def _meta(book: Any, path: Path) -> dict[str, Any]:
    sheet = _sheet(book, path, META_SHEET)
    meta = {cell_text(row[0]): row[1] for row in sheet.iter_rows(min_col=1, max_col=2, values_only=True)}
    version = meta.get("template_version")
    if version != TEMPLATE_VERSION:
        raise InputError(
            "unknown template version",
            **_where(path, META_SHEET, "B1"),
            value=version,
            allowed=f"{TEMPLATE_VERSION} (write a new one with `spbe template`)",
        )
    for key in ("rubric_id", "rubric_sha256", "columns"):
        if not isinstance(meta.get(key), str):
            raise InputError(f"the workbook's {key} is missing", **_where(path, META_SHEET, "B"), value=meta.get(key))
    return meta


def read_worksheet(engine: Engine, path: str | Path, *, partial: bool = False) -> FilledWorksheet:
    """Read a filled worksheet; every problem is one :class:`~spbe_engine.errors.InputError` naming sheet and cell.

    Without ``partial`` every indicator needs a level. The levels are checked
    against the scale of the rubric the workbook was made for.
    """
    path = Path(path)
    book = load(path)
    meta = _meta(book, path)
    rubric = engine.rubric(meta["rubric_id"])
    sheet = _sheet(book, path, LKE_SHEET)
    columns = json.loads(meta["columns"])
    letter = openpyxl().utils.get_column_letter
    for n, title in enumerate(columns, start=1):
        found = sheet.cell(row=HEADER_ROW, column=n).value
        if cell_text(found).strip() != title:
            raise InputError(
                "the column header was edited",
                **_where(path, LKE_SHEET, f"{letter(n)}{HEADER_ROW}"),
                value=found,
                allowed=repr(title),
            )
    level_col = columns.index(LEVEL_TITLE) + 1
    _refuse_merged(sheet, path, level_col)
    levels: dict[str, int] = {}
    cells: dict[str, str] = {}
    empty: list[str] = []
    for row in range(FIRST_ROW, sheet.max_row + 1):
        ident, level = sheet.cell(row=row, column=1).value, sheet.cell(row=row, column=level_col).value
        if ident is None and level is None:
            continue
        ref = f"{letter(level_col)}{row}"
        ident = cell_text(ident).strip()
        if not rubric.has_indicator(ident):
            raise InputError(
                f"not an indicator of {rubric.id}",
                **_where(path, LKE_SHEET, f"A{row}"),
                value=ident or None,
                allowed="the indicator ids the template wrote",
            )
        if ident in cells:
            raise InputError("the indicator's row appears twice", **_where(path, LKE_SHEET, f"A{row}"), value=ident)
        cells[ident] = f"{LKE_SHEET}!{ref}"
        number = _level(level, rubric, ident, _where(path, LKE_SHEET, ref, ident))
        if number is None:
            empty.append(ident)
        else:
            levels[ident] = number
    missing = [ind.id for ind in rubric.indicators if ind.id not in levels]
    if missing and not partial:
        first = missing[0]
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        where = cells.get(first, f"{LKE_SHEET}!A (no row for {first})")
        raise InputError(
            f"no level for {first}{more}",
            file=str(path),
            field=where if first not in cells else f"{where} ({first})",
            value=None if first not in cells else "",
            allowed=f"one of {_allowed(rubric, first)}, or score with --partial",
        )
    if not levels and partial:
        raise InputError(
            "no level entered at all",
            **_where(path, LKE_SHEET, f"{letter(level_col)}{FIRST_ROW}"),
            allowed="a level in at least one row",
        )
    return FilledWorksheet(
        path=str(path),
        assessment=_assessment(book, path, rubric.id, levels),
        template_version=TEMPLATE_VERSION,
        rubric_id=meta["rubric_id"],
        rubric_sha256=meta["rubric_sha256"],
        provisional_index=_number(sheet["C2"].value),
        cells=cells,
    )


def _refuse_merged(sheet: Any, path: Path, level_col: int) -> None:
    for merged in sheet.merged_cells.ranges:
        if merged.min_col <= level_col <= merged.max_col and merged.max_row >= HEADER_ROW:
            raise InputError(
                "merged cells in the level column",
                **_where(path, LKE_SHEET, merged.coord),
                value=sheet.cell(row=merged.min_row, column=merged.min_col).value,
                allowed="one level cell per indicator row (unmerge them)",
            )


def _allowed(rubric: Rubric, ident: str) -> str:
    return ", ".join(str(n) for n in rubric.scale_of(ident).numbers)


def _level(value: Any, rubric: Rubric, ident: str, where: dict[str, str]) -> int | None:
    allowed = f"a whole level, one of {_allowed(rubric, ident)}"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        # A level cell holding text is refused even when the text is digits ("3" in a cell formatted as
        # Text): the sheet's own provisional formula skips text, so it would disagree with the engine.
        digits = value.strip().isascii() and value.strip().isdigit()
        hint = "; the cell holds text: type the number itself (and clear the cell's Text format)" if digits else ""
        raise InputError(f"a level must be a number, not text{hint}", **where, value=value, allowed=allowed)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError("a level must be a whole number", **where, value=value, allowed=allowed)
    if value not in rubric.scale_of(ident).numbers:
        raise InputError(f"level outside the scale of {ident}", **where, value=value, allowed=allowed)
    return value


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return Decimal(cell_text(value))
    except InvalidOperation:
        return None


def _assessment(book: Any, path: Path, rubric_id: str, levels: dict[str, int]) -> Assessment:
    sheet = _sheet(book, path, DETAILS_SHEET)
    found: dict[str, Any] = {}
    for row, (key, _label, value) in enumerate(sheet.iter_rows(min_row=2, max_col=3, values_only=True), start=2):
        name = cell_text(key).strip()
        if not name or value is None or (isinstance(value, str) and not value.strip()):
            continue
        found[name] = (value, f"C{row}")
    year = None
    if "year" in found:
        value, ref = found["year"]
        try:
            year = parse_year(int(value) if isinstance(value, float) and value.is_integer() else value)
        except InputError as exc:
            raise InputError(
                exc.problem, **_where(path, DETAILS_SHEET, ref, "year"), value=value, allowed=exc.allowed
            ) from None
    instansi = cell_text(found["instansi"][0]).strip() if "instansi" in found else None
    metadata = {key: cell_text(value) for key, (value, _) in found.items() if key not in ("instansi", "year")}
    return Assessment(levels=levels, instansi=instansi, year=year, rubric=rubric_id, metadata=metadata)
