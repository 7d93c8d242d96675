"""Write the worksheet (LKE) of a rubric: indicator rows, level cells validated to the scale, a provisional index."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..errors import InputError
from ._layout import (
    DETAILS_SHEET,
    FIRST_ROW,
    HEADER_ROW,
    INSTANSI_FIELDS,
    LEVEL_TITLE,
    LKE_SHEET,
    META_SHEET,
    TEMPLATE_VERSION,
    excel_number,
)
from ._open import openpyxl

if TYPE_CHECKING:
    from .._engine import Engine
    from ..models import Indicator, IndicatorCriteria, LevelScale, Rubric

__all__ = ["lke_columns", "write_template"]

#: Title, width and whether a user fills the column in.
_Column = tuple[str, int, bool]
_WEIGHT = "Weight (%)"
_WORTH = "Worth (provisional)"


def lke_columns(rubric: Rubric) -> list[_Column]:
    """Return the indicator sheet's columns for a rubric: fixed ones, one per grouping level, one per level number."""
    numbers = sorted({n for scale in rubric.scales.values() for n in scale.numbers})
    return [
        ("Indicator", 11, False),
        *((kind.capitalize(), 28, False) for kind in rubric.group_kinds),
        ("Indikator", 48, False),
        (_WEIGHT, 11, False),
        (LEVEL_TITLE, 8, True),
        ("Notes", 32, True),
        ("Evidence link", 28, True),
        *((f"Level {n} criteria", 40, False) for n in numbers),
        (_WORTH, 12, False),
    ]


def _letter(index: int) -> str:
    return str(openpyxl().utils.get_column_letter(index))


@attrs.frozen(kw_only=True)
class _Lke:
    """What every part of the indicator sheet's writing needs: openpyxl, the sheet, the rubric and the columns."""

    xl: Any
    sheet: Any
    rubric: Rubric
    columns: list[_Column]
    col: dict[str, int]

    def letter(self, title: str) -> str:
        return _letter(self.col[title])

    @property
    def last(self) -> int:
        return FIRST_ROW + len(self.rubric.indicators) - 1

    def span(self, title: str) -> str:
        return f"${self.letter(title)}${FIRST_ROW}:${self.letter(title)}${self.last}"


def write_template(
    engine: Engine, rubric_id: str, path: Path, *, details: Mapping[str, str | int] | None = None
) -> None:
    """Write the worksheet of a rubric to ``path`` (an .xlsx file).

    ``details`` pre-fills the ``Instansi`` sheet's values by field name
    (``instansi``, ``year``, ``category``, ``region``, ``code``); other names are refused.
    """
    xl = openpyxl()
    _check_details(xl, details or {})
    rubric = engine.rubric(rubric_id)
    book = xl.Workbook()
    sheet = book.active
    sheet.title = LKE_SHEET
    columns = lke_columns(rubric)
    lke = _Lke(
        xl=xl,
        sheet=sheet,
        rubric=rubric,
        columns=columns,
        col={title: n for n, (title, _, _) in enumerate(columns, start=1)},
    )
    _write_summary(lke)
    book.defined_names["spbe_provisional_index"] = xl.workbook.defined_name.DefinedName(
        "spbe_provisional_index", attr_text=f"'{LKE_SHEET}'!$C$2"
    )
    _write_header(lke)
    criteria = engine.criteria(rubric.id)
    validations: dict[str, Any] = {}
    for row, indicator in enumerate(rubric.indicators, start=FIRST_ROW):
        _write_row(lke, row, indicator, criteria.get(indicator.id))
        scale = rubric.scales[indicator.scale]
        if scale.id not in validations:
            validations[scale.id] = _validation(xl, scale)
            sheet.add_data_validation(validations[scale.id])
        validations[scale.id].add(f"{lke.letter(LEVEL_TITLE)}{row}")
    # Locked but for the cells a user fills in; no password: a guard against slips, not a secret.
    sheet.protection.sheet = True
    for allowed in ("formatColumns", "formatRows", "autoFilter", "sort"):
        setattr(sheet.protection, allowed, False)
    sheet.page_setup.orientation = "landscape"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{_letter(len(columns) - 1)}{lke.last}"
    _write_details(xl, book.create_sheet(DETAILS_SHEET), details or {})
    _write_meta(book.create_sheet(META_SHEET), rubric, [title for title, _, _ in columns])
    try:
        book.save(path)
    except OSError as exc:
        raise InputError(f"cannot write the file: {exc.strerror}", field="--xlsx", value=str(path)) from None


def _check_details(xl: Any, details: Mapping[str, str | int]) -> None:
    known = [key for key, _ in INSTANSI_FIELDS]
    for key, value in details.items():
        if key not in known:
            raise InputError("not a field of the Instansi sheet", field=key, allowed=", ".join(known))
        if isinstance(value, str) and xl.cell.cell.ILLEGAL_CHARACTERS_RE.search(value):
            raise InputError(
                "a control character cannot be written into a workbook cell",
                field=key,
                value=value,
                allowed="text without control characters",
            )


def _write_summary(lke: _Lke) -> None:
    """Rows 1-3: the title, and the provisional index and predikat, labelled as such."""
    sheet, rubric, xl = lke.sheet, lke.rubric, lke.xl
    levels = lke.span(LEVEL_TITLE)
    n = len(rubric.indicators)
    sheet["A1"] = f"Lembar Kerja Evaluasi: {rubric.title} ({rubric.id})"
    sheet["A1"].font = xl.styles.Font(bold=True, size=13)
    sheet["A2"] = "Provisional index"
    sheet["A3"] = "Provisional predikat"
    exact = f"SUMPRODUCT({lke.span(_WORTH)},{lke.span(_WEIGHT)})/100"
    places = rubric.rounding.places
    sheet["C2"] = f'=IF(COUNT({levels})<{n},"incomplete",ROUND({exact},{places}))'
    sheet["C2"].number_format = "0." + "0" * places if places else "0"
    on = "C2" if rubric.rounding.predikat_on.value == "rounded" else exact
    lowers = ",".join(str(excel_number(band.lower)).lstrip("=") for band in rubric.bands)
    names = ",".join(json.dumps(band.predikat, ensure_ascii=False) for band in rubric.bands)
    sheet["C3"] = f'=IF(ISNUMBER(C2),LOOKUP({on},{{{lowers}}},{{{names}}}),"")'
    sheet["D2"] = (
        "PROVISIONAL: the sheet's own arithmetic, for orientation only. The result is what `spbe score` "
        "computes from this workbook (the engine is the authority; it says so when the two disagree)."
    )
    sheet["D3"] = f'=COUNT({levels})&" of {n} indicators have a level"'
    for ref in ("A2", "A3", "C2", "C3"):
        sheet[ref].font = xl.styles.Font(bold=True)


def _write_header(lke: _Lke) -> None:
    for n_col, (title, width, _) in enumerate(lke.columns, start=1):
        cell = lke.sheet.cell(row=HEADER_ROW, column=n_col, value=title)
        cell.font = lke.xl.styles.Font(bold=True)
        cell.alignment = lke.xl.styles.Alignment(wrap_text=True, vertical="top")
        lke.sheet.column_dimensions[_letter(n_col)].width = width
    lke.sheet.column_dimensions[lke.letter(_WORTH)].hidden = True
    lke.sheet.freeze_panes = lke.sheet.cell(row=FIRST_ROW, column=lke.col[LEVEL_TITLE])


def _write_row(lke: _Lke, row: int, indicator: Indicator, texts: IndicatorCriteria | None) -> None:
    """One indicator: its place in the tree, weight, criteria per level, and the level cell to fill in."""
    rubric, xl = lke.rubric, lke.xl
    scale = rubric.scales[indicator.scale]
    values: dict[str, Any] = {"Indicator": indicator.id, "Indikator": indicator.name}
    for group in _ancestors(rubric, indicator.parent):
        values[group.kind.capitalize()] = f"{group.id} {group.name}"
    values[_WEIGHT] = excel_number(indicator.weight)
    for level in scale.levels:
        text = texts.levels.get(level.number, "") if texts is not None else ""
        values[f"Level {level.number} criteria"] = f"{level.number} {level.name}" + (f": {text}" if text else "")
    ref = f"{lke.letter(LEVEL_TITLE)}{row}"
    worth = ref
    for level in scale.levels:  # a level scored at other than its number (5/2018: level 0 as 1)
        if level.worth != level.number:
            worth = f"IF({ref}={level.number},{str(excel_number(level.worth)).lstrip('=')},{worth})"
    values[_WORTH] = f'=IF(ISNUMBER({ref}),{worth},"")'
    wrap = xl.styles.Alignment(wrap_text=True, vertical="top")
    lines = 1
    for title, value in values.items():
        cell = lke.sheet.cell(row=row, column=lke.col[title], value=value)
        cell.alignment = wrap
        if isinstance(value, str) and not value.startswith("="):
            lines = max(lines, len(value) * 5 // (lke.columns[lke.col[title] - 1][1] * 6) + 1)
    # Spreadsheet programs do not fit the height of wrapped text when they open a file: about 15 points a line.
    lke.sheet.row_dimensions[row].height = min(15 * lines, 409)
    for title, _, editable in lke.columns:
        if editable:
            cell = lke.sheet.cell(row=row, column=lke.col[title])
            cell.protection = xl.styles.Protection(locked=False)
            cell.alignment = wrap
    lke.sheet.cell(row=row, column=lke.col[LEVEL_TITLE]).fill = xl.styles.PatternFill("solid", fgColor="FFF2CC")
    lke.sheet.cell(row=row, column=lke.col[_WEIGHT]).number_format = "0.00##"


def _validation(xl: Any, scale: LevelScale) -> Any:
    """A list validation of a scale's level numbers, refusing anything else typed into the cell."""
    allowed = ",".join(str(number) for number in scale.numbers)
    return xl.worksheet.datavalidation.DataValidation(
        type="list",
        formula1=f'"{allowed}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle=LEVEL_TITLE,
        error=f"A level of the scale {scale.name}: one of {allowed}",
        promptTitle=LEVEL_TITLE,
        prompt=f"{scale.name}: {allowed}",
        showInputMessage=True,
    )


def _ancestors(rubric: Rubric, group_id: str | None) -> list[Any]:
    chain = []
    while group_id is not None:
        group = rubric.group(group_id)
        chain.append(group)
        group_id = group.parent
    return chain[::-1]


def _write_details(xl: Any, sheet: Any, details: Mapping[str, str | int]) -> None:
    bold, unlocked = xl.styles.Font(bold=True), xl.styles.Protection(locked=False)
    for n_col, title in enumerate(("Field", "Meaning", "Value"), start=1):
        sheet.cell(row=1, column=n_col, value=title).font = bold
    for row, (key, label) in enumerate(INSTANSI_FIELDS, start=2):
        sheet.cell(row=row, column=1, value=key)
        sheet.cell(row=row, column=2, value=label)
        sheet.cell(row=row, column=3, value=details.get(key)).protection = unlocked
    sheet.cell(
        row=len(INSTANSI_FIELDS) + 3,
        column=1,
        value="More rows (a field name in A, its value in C) are kept as the assessment's metadata.",
    )
    for row in range(len(INSTANSI_FIELDS) + 4, len(INSTANSI_FIELDS) + 24):
        for n_col in (1, 3):
            sheet.cell(row=row, column=n_col).protection = unlocked
    for letter, width in (("A", 14), ("B", 58), ("C", 40)):
        sheet.column_dimensions[letter].width = width
    sheet.protection.sheet = True


def _write_meta(sheet: Any, rubric: Rubric, titles: Sequence[str]) -> None:
    from .._engine import engine_version

    rows = (
        ("template_version", TEMPLATE_VERSION),
        ("rubric_id", rubric.id),
        ("rubric_sha256", rubric.sha256),
        ("engine_version", engine_version()),
        ("columns", json.dumps(list(titles), ensure_ascii=False)),
        ("indicators", len(rubric.indicators)),
    )
    for row, (key, value) in enumerate(rows, start=1):
        sheet.cell(row=row, column=1, value=key)
        sheet.cell(row=row, column=2, value=value)
    sheet.sheet_state = "veryHidden"
    sheet.protection.sheet = True
