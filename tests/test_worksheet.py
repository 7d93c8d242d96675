"""The worksheet (LKE): template → filled as a user would (openpyxl) → read → scored, and the CLI around it."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, note, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, Engine
from spbe_engine.cli import main
from spbe_engine.report import card_to_json, gap_to_json
from spbe_engine.worksheet import read_worksheet, write_template

from .rubric_helpers import example_plugin

openpyxl = pytest.importorskip("openpyxl")

LEVEL_COLUMN = 6  # the template's "Level" column for a rubric with domains and aspects (F)
FIRST_ROW = 6


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()  # what fixtures printed
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def all_engine() -> Iterator[Engine]:
    """The installed rubrics and the out-of-tree example plugin (pemdi-draft-2025), loaded from its tree."""
    with example_plugin() as module:
        yield Engine.from_plugins(("example", module), entry_points=True)


def level_column(book: Any) -> int:
    header = [cell.value for cell in book["LKE"][5]]
    return header.index("Level") + 1


def fill(template: Path, target: Path, levels: dict[str, Any], details: dict[str, Any] | None = None) -> None:
    """Type levels into the template's rows (found by indicator id), as a user would, and save it elsewhere."""
    book = openpyxl.load_workbook(template)
    sheet = book["LKE"]
    column = level_column(book)
    for row in range(FIRST_ROW, sheet.max_row + 1):
        ident = sheet.cell(row=row, column=1).value
        if ident in levels:
            sheet.cell(row=row, column=column, value=levels[ident])
    for row, value in (details or {}).items():
        book["Instansi"].cell(row=row, column=3, value=value)
    book.save(target)


@pytest.fixture(scope="module")
def templates(all_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("templates")
    made = {}
    for rubric_id in all_engine.rubric_ids():
        made[rubric_id] = folder / f"{rubric_id}.xlsx"
        write_template(all_engine, rubric_id, made[rubric_id])
    return made


def test_the_example_plugin_is_among_the_rubrics(all_engine: Engine) -> None:
    assert "pemdi-draft-2025" in all_engine.rubric_ids()


@st.composite
def filled(draw: st.DrawFn, engine: Engine) -> tuple[str, dict[str, int]]:
    rubric_id = draw(st.sampled_from(sorted(engine.rubric_ids())), label="rubric")
    rubric = engine.rubric(rubric_id)
    levels = {ind.id: draw(st.sampled_from(rubric.scale_of(ind.id).numbers), label=ind.id) for ind in rubric.indicators}
    return rubric_id, levels


@settings(max_examples=25)
@given(data=st.data())
def test_template_filled_and_read_scores_as_the_engine(
    data: st.DataObject, all_engine: Engine, templates: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """For every rubric, a worksheet filled with any levels scores exactly as Engine.score of the same levels."""
    rubric_id, levels = data.draw(filled(all_engine), label="assessment")
    note(f"{rubric_id}: {levels}")
    path = tmp_path_factory.mktemp("filled") / "filled.xlsx"
    fill(templates[rubric_id], path, levels)
    sheet = read_worksheet(all_engine, path)
    card = all_engine.score(sheet.assessment)
    direct = all_engine.score(Assessment(levels=levels, rubric=rubric_id))
    assert card_to_json(card) == card_to_json(direct)
    assert sheet.notes(card, all_engine.rubric(rubric_id).sha256) == []


def test_instansi_details_are_read(engine: Engine, tmp_path: Path) -> None:
    """Name and year become the assessment's own fields; category, region and code its metadata."""
    template = tmp_path / "t.xlsx"
    write_template(engine, "spbe-2024", template)
    rubric = engine.rubric("spbe-2024")
    fill(
        template,
        tmp_path / "f.xlsx",
        {ind.id: 3 for ind in rubric.indicators},
        {2: "Kota Contoh", 3: 2024, 4: "kota", 5: "Jawa Barat", 6: 3273},
    )
    assessment = read_worksheet(engine, tmp_path / "f.xlsx").assessment
    assert (assessment.instansi, assessment.year, assessment.rubric) == ("Kota Contoh", 2024, "spbe-2024")
    assert dict(assessment.metadata) == {"category": "kota", "region": "Jawa Barat", "code": "3273"}


# -- the command line -----------------------------------------------------------------------------------------


@pytest.fixture
def lke(engine: Engine, tmp_path: Path) -> Path:
    """A spbe-2024 worksheet with every level filled (3), not yet calculated by a spreadsheet program."""
    template = tmp_path / "template.xlsx"
    assert main(["template", "spbe-2024", "--xlsx", str(template)]) == 0
    path = tmp_path / "lke.xlsx"
    fill(template, path, {ind.id: 3 for ind in engine.rubric("spbe-2024").indicators}, {2: "Kab. Contoh", 3: 2024})
    return path


def test_score_xlsx_as_toml(capsys: pytest.CaptureFixture[str], lke: Path, tmp_path: Path) -> None:
    """`spbe score FILE.xlsx --json` gives the TOML file's output, plus a worksheet object."""
    toml = tmp_path / "same.toml"
    levels = "\n".join(f"I{n} = 3" for n in range(1, 48))
    toml.write_text(f'instansi = "Kab. Contoh"\nyear = 2024\nrubric = "spbe-2024"\n[levels]\n{levels}\n', "utf-8")
    code, out, err = run(capsys, "score", str(lke), "--json")
    assert code == 0, err
    from_sheet = json.loads(out)
    sheet = from_sheet.pop("worksheet")
    _, out_toml, _ = run(capsys, "score", str(toml), "--json")
    assert from_sheet == json.loads(out_toml)
    assert sheet["provisional_index"] is None and sheet["agrees"] is None and sheet["notes"] == []
    code, out, err = run(capsys, "score", str(lke))
    assert code == 0 and "warning" not in err


def _set(path: Path, sheet: str, ref: str, value: Any) -> None:
    book = openpyxl.load_workbook(path)
    book[sheet][ref] = value
    book.save(path)


def test_a_disagreeing_provisional_index_is_reported(capsys: pytest.CaptureFixture[str], lke: Path) -> None:
    """A provisional index (C2) that differs from the engine's is a warning and agrees=false; the engine's stands."""
    _set(lke, "LKE", "C2", 4.25)
    code, out, err = run(capsys, "score", str(lke), "--json")
    data = json.loads(out)
    assert code == 0 and data["index"] == "3.00"
    assert data["worksheet"]["agrees"] is False
    assert "4.25" in data["worksheet"]["notes"][0]
    code, _, err = run(capsys, "score", str(lke))
    assert code == 0 and err.count("spbe: warning:") == 1 and "4.25" in err and "3.00" in err
    _set(lke, "LKE", "C2", 3)
    code, out, _ = run(capsys, "score", str(lke), "--json")
    assert json.loads(out)["worksheet"]["agrees"] is True


def test_another_rubric_hash_is_reported(capsys: pytest.CaptureFixture[str], lke: Path) -> None:
    """A workbook made for other content of the rubric says so, and is scored under the installed one."""
    _set(lke, "spbe", "B3", "0" * 64)
    code, out, _ = run(capsys, "score", str(lke), "--json")
    assert code == 0
    assert "000000000000" in json.loads(out)["worksheet"]["notes"][0]
    code, _, err = run(capsys, "score", str(lke))
    assert code == 0 and "content hash 000000000000" in err


def test_template_by_year_and_assessment_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """RUBRIC may be a year; --toml and --json write empty assessments that name the rubric."""
    assert run(capsys, "template", "2022", "--toml", str(tmp_path / "a.toml"))[0] == 0
    text = (tmp_path / "a.toml").read_text("utf-8")
    assert 'rubric = "spbe-2021"' in text and "# I47 =" in text
    assert run(capsys, "template", "pemdi-2026", "--json", str(tmp_path / "a.json"))[0] == 0
    assert json.loads((tmp_path / "a.json").read_text("utf-8"))["rubric"] == "pemdi-2026"
    code, _, err = run(capsys, "template", "spbe-2024", "--xlsx", str(tmp_path / "x.xlsx"), "--toml", "y.toml")
    assert code == 2 and err.count("\n") == 1
    code, _, err = run(capsys, "template", "no-such", "--xlsx", str(tmp_path / "x.xlsx"))
    assert code == 2 and "unknown rubric" in err


# -- bad workbooks: one line naming sheet, cell and value ---------------------------------------------------


def test_the_gap_plan_of_a_filled_worksheet(engine: Engine, lke: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`spbe gap FILE.xlsx` plans from the worksheet's levels exactly as the engine does from the same levels."""
    code, out, err = run(capsys, "gap", str(lke), "--target", "Sangat Baik", "--json")
    assert code == 0, err
    levels = {ind.id: 3 for ind in engine.rubric("spbe-2024").indicators}
    expected = gap_to_json(engine.gap(Assessment(levels=levels, rubric="spbe-2024"), "Sangat Baik"))
    assert json.loads(out) == expected and expected["steps"]


def refused(capsys: pytest.CaptureFixture[str], path: Path, *needles: str, partial: bool = False) -> str:
    code, out, err = run(capsys, "score", str(path), *(["--partial"] if partial else []))
    assert code == 2, err
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    for needle in needles:
        assert needle in err, (needle, err)
    return err


def test_missing_sheet(capsys: pytest.CaptureFixture[str], lke: Path) -> None:
    book = openpyxl.load_workbook(lke)
    book["LKE"].title = "Sheet1"
    book.save(lke)
    refused(capsys, lke, "no sheet 'LKE'", "Sheet1")


def test_edited_header(capsys: pytest.CaptureFixture[str], lke: Path) -> None:
    _set(lke, "LKE", "F5", "Nilai")
    refused(capsys, lke, "LKE!F5", "'Nilai'", "header")


@pytest.mark.parametrize(
    ("value", "needle"),
    [("tiga", "'tiga'"), ("Optimum", "'Optimum'"), ("3", "type the number itself"), (3.5, "3.5"), (True, "True")],
)
def test_a_level_that_is_not_a_whole_number(
    capsys: pytest.CaptureFixture[str], lke: Path, value: Any, needle: str
) -> None:
    _set(lke, "LKE", "F9", value)
    refused(capsys, lke, "LKE!F9 (I4)", needle)


def test_a_level_outside_the_scale(capsys: pytest.CaptureFixture[str], lke: Path) -> None:
    _set(lke, "LKE", "F7", 6)
    refused(capsys, lke, "LKE!F7 (I2)", "got 6", "1, 2, 3, 4, 5")


def test_merged_cells_in_the_level_area(capsys: pytest.CaptureFixture[str], lke: Path) -> None:
    book = openpyxl.load_workbook(lke)
    book["LKE"].merge_cells("F10:F11")
    book.save(lke)
    refused(capsys, lke, "LKE!F10:F11", "merged", "got 3")


def test_an_empty_level_without_partial(capsys: pytest.CaptureFixture[str], lke: Path) -> None:
    _set(lke, "LKE", "F12", None)
    refused(capsys, lke, "LKE!F12 (I7)", "no level for I7", "--partial")
    code, out, _ = run(capsys, "score", str(lke), "--partial", "--json")
    assert code == 0 and json.loads(out)["complete"] is False


def test_an_encrypted_workbook(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """Excel saves a password-protected workbook as an OLE compound file; it is recognised by its first bytes."""
    path = tmp_path / "locked.xlsx"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))
    refused(capsys, path, "locked.xlsx", "password-protected")


@pytest.mark.parametrize("content", [b"instansi,year\nA,2024\n", b"PK\x03\x04 truncated zip"])
def test_a_corrupt_or_other_file(capsys: pytest.CaptureFixture[str], tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    refused(capsys, path, "bad.xlsx", "workbook")


def test_a_bad_year_names_its_cell(capsys: pytest.CaptureFixture[str], lke: Path) -> None:
    _set(lke, "Instansi", "C3", "tahun lalu")
    refused(capsys, lke, "Instansi!C3 (year)", "'tahun lalu'")


def test_missing_extra_is_one_line(
    capsys: pytest.CaptureFixture[str], lke: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    refused(capsys, lke, "pip install", "[xlsx]")


# -- batches ------------------------------------------------------------------------------------------------


def batch_workbook(path: Path, rows: list[list[Any]]) -> None:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_batch_workbook_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`spbe batch x.xlsx --out y.xlsx` writes the cells `spbe batch x.csv` writes; a bad row does not stop the rest."""
    header = ["instansi", "year", "D1", "D2", "D3", "D4", "source"]
    rows = [
        header,
        ["Kota Bandar Lampung", 2022, 2, 1, 1, 1.88, "news"],
        ["Kab. Rusak", 2022, 2, "dua", 1, 1.88, ""],
        ["Kab. Lain", "2022", 2, 1, 1, "1.88", None],
    ]
    batch_workbook(tmp_path / "x.xlsx", rows)
    with (tmp_path / "x.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["" if v is None else str(v) for v in row] for row in rows])
    code_x = main(["batch", str(tmp_path / "x.xlsx"), "--out", str(tmp_path / "y.xlsx")])
    code_c = main(["batch", str(tmp_path / "x.csv"), "--out", str(tmp_path / "y.csv")])
    assert code_x == code_c == 1
    got = [
        ["" if v is None else v for v in row]
        for row in openpyxl.load_workbook(tmp_path / "y.xlsx").active.iter_rows(values_only=True)
    ]
    expected = list(csv.reader(io.StringIO((tmp_path / "y.csv").read_text("utf-8"))))
    assert got == expected
    statuses = [row[header.index("source") + 7] for row in expected[1:]]
    assert statuses == ["ok", "error", "ok"]
    assert expected[1][header.index("source") + 1] == "1.53"
    assert "D2" in expected[2][header.index("source") + 8]


def test_batch_workbook_to_json_lines(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    batch_workbook(tmp_path / "x.xlsx", [["instansi", "year", "D1", "D2", "D3", "D4"], ["A", 2022, 2, 1, 1, 1.88]])
    code, out, _ = run(capsys, "batch", str(tmp_path / "x.xlsx"), "--json")
    assert code == 0 and json.loads(out)["index"] == "1.53"
    code, _, err = run(capsys, "batch", str(tmp_path / "x.xlsx"), "--json", "--out", str(tmp_path / "y.xlsx"))
    assert code == 2 and "--json" in err and not (tmp_path / "y.xlsx").exists()


def test_batch_of_a_bad_workbook(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + bytes(504))
    code, out, err = run(capsys, "batch", str(path))
    assert code == 2 and out == "" and "password-protected" in err and err.count("\n") == 1
