"""The worksheet in process: GET /v1/rubrics/{id}/worksheet and POST /v1/assessments/read-worksheet.

The workbook handed out is filled as a user would (openpyxl typing levels
into its rows), sent back as base64, and must read to the same levels that
the library's own reader (:func:`spbe_engine.worksheet.read_worksheet`) gets
from the same file; a bad workbook gets that reader's message.
"""

from __future__ import annotations

import base64
import io
import random
import sys
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import Assessment, Engine, InputError
from spbe_engine.worksheet import read_worksheet

from .service_helpers import client

openpyxl = pytest.importorskip("openpyxl")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(scope="module")
def api() -> Any:
    with client(Engine.default(strict=True)) as test_client:
        yield test_client


def _download(api: Any, rubric_id: str, **query: Any) -> bytes:
    answer = api.get(f"/v1/rubrics/{rubric_id}/worksheet", params=query)
    assert answer.status_code == 200, answer.text
    return bytes(answer.content)


def _fill(content: bytes, levels: dict[str, Any], cells: dict[tuple[str, str], Any] | None = None) -> bytes:
    """Type levels into the rows of their indicators (found by id, under the "Level" header), as a user would."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["LKE"]
    header = [cell.value for cell in sheet[5]]
    column = header.index("Level") + 1
    for row in range(6, sheet.max_row + 1):
        ident = sheet.cell(row=row, column=1).value
        if ident in levels:
            sheet.cell(row=row, column=column, value=levels[ident])
    for (name, ref), value in (cells or {}).items():
        book[name][ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(api: Any, content: bytes, name: str = "lke-isi.xlsx") -> Any:
    return api.post(
        "/v1/assessments/read-worksheet", json={"name": name, "content_base64": base64.b64encode(content).decode()}
    )


def _levels(engine: Engine, rubric_id: str, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    rubric = engine.rubric(rubric_id)
    return {ind.id: rng.choice(rubric.scale_of(ind.id).numbers) for ind in rubric.indicators}


@pytest.mark.parametrize("rubric_id", ["spbe-2018", "spbe-2024", "pemdi-2026"])
def test_the_worksheet_is_the_rubric_s_workbook_with_an_etag(api: Any, engine: Engine, rubric_id: str) -> None:
    """An .xlsx attachment named after the rubric, one row per indicator, an ETag of the content; 304 when unchanged."""
    rubric = engine.rubric(rubric_id)
    answer = api.get(f"/v1/rubrics/{rubric_id}/worksheet")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == XLSX
    assert answer.headers["content-disposition"] == f'attachment; filename="lke-{rubric_id}.xlsx"'
    etag = answer.headers["etag"]
    assert rubric.sha256 in etag
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    ids = [row[0] for row in book["LKE"].iter_rows(min_row=6, max_col=1, values_only=True) if row[0]]
    assert ids == [ind.id for ind in rubric.indicators]
    again = api.get(f"/v1/rubrics/{rubric_id}/worksheet", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    strong = api.get(f"/v1/rubrics/{rubric_id}/worksheet", headers={"if-none-match": etag.removeprefix("W/")})
    assert strong.status_code == 304  # weak comparison: the same tag without W/
    other = api.get("/v1/rubrics/spbe-2023/worksheet").headers["etag"]
    assert other != etag


def test_instansi_and_year_are_filled_in(api: Any, engine: Engine, tmp_path: Path) -> None:
    """?instansi=&year= land on the Instansi sheet, read back by the library's reader; a bad year is refused."""
    content = _download(api, "spbe-2024", instansi="Kota Contoh", year=2024)
    levels = {"I1": 4, "I2": 2}
    path = tmp_path / "isi.xlsx"
    path.write_bytes(_fill(content, levels))
    sheet = read_worksheet(engine, path, partial=True)
    assert sheet.assessment.instansi == "Kota Contoh" and sheet.assessment.year == 2024
    plain = api.get("/v1/rubrics/spbe-2024/worksheet").headers["etag"]
    filled = api.get("/v1/rubrics/spbe-2024/worksheet", params={"instansi": "Kota Contoh"}).headers["etag"]
    assert plain != filled
    bad = api.get("/v1/rubrics/spbe-2024/worksheet", params={"year": 0})
    assert bad.status_code == 422 and bad.json()["field"] == "year"
    control = api.get("/v1/rubrics/spbe-2024/worksheet", params={"instansi": "Kota\x07"})
    assert control.status_code == 422 and control.json()["field"] == "instansi"


def test_an_unknown_rubric_is_the_same_404(api: Any) -> None:
    """The worksheet of an unknown rubric answers what GET /v1/rubrics/{id} answers."""
    answer = api.get("/v1/rubrics/spbe-1999/worksheet")
    plain = api.get("/v1/rubrics/spbe-1999")
    assert answer.status_code == plain.status_code == 404
    drop = ("request_id",)
    assert {k: v for k, v in answer.json().items() if k not in drop} == {
        k: v for k, v in plain.json().items() if k not in drop
    }


@pytest.mark.parametrize(("rubric_id", "seed"), [("spbe-2024", 1), ("spbe-2018", 2), ("pemdi-2026", 3)])
def test_a_filled_worksheet_reads_back_to_its_levels(api: Any, engine: Engine, rubric_id: str, seed: int) -> None:
    """Downloaded, filled, uploaded: the same levels, the rubric, and no notes (nothing to warn about)."""
    levels = _levels(engine, rubric_id, seed)
    answer = _upload(api, _fill(_download(api, rubric_id, instansi="Kabupaten Contoh"), levels))
    assert answer.status_code == 200, answer.text
    form = answer.json()
    assert form["levels"] == levels and form["rubric"] == rubric_id and form["instansi"] == "Kabupaten Contoh"
    assert form["worksheet"]["rubric_sha256"] == engine.rubric(rubric_id).sha256
    assert form["worksheet"]["notes"] == [] and form["worksheet"]["provisional_index"] is None
    # The structured form is what /v1/score takes: the engine scores it as it scores the levels themselves.
    card = api.post("/v1/score", json={k: v for k, v in form.items() if k != "worksheet"}).json()
    assert card["index"] == str(engine.score(Assessment(levels=levels, rubric=rubric_id)).index)


def test_a_half_filled_worksheet_loads(api: Any, engine: Engine) -> None:
    """Empty level cells are left out (a partial assessment), as `spbe score --partial` reads them."""
    levels = dict(list(_levels(engine, "spbe-2024", 4).items())[:9])
    form = _upload(api, _fill(_download(api, "spbe-2024"), levels)).json()
    assert form["levels"] == levels


def test_the_sheet_s_notes_come_back(api: Any, engine: Engine) -> None:
    """A provisional index that disagrees, and a workbook made for other content of the rubric, are both noted."""
    levels = _levels(engine, "spbe-2024", 5)
    card = engine.score(Assessment(levels=levels, rubric="spbe-2024"))
    assert card.index is not None
    wrong = float(card.index) + 0.5
    content = _fill(_download(api, "spbe-2024"), levels, {("LKE", "C2"): wrong, ("spbe", "B3"): "0" * 64})
    form = _upload(api, content).json()
    sheet = form["worksheet"]
    assert sheet["agrees"] is False and sheet["rubric_sha256"] == "0" * 64
    assert len(sheet["notes"]) == 2
    assert "disagrees" in sheet["notes"][1] and str(card.index) in sheet["notes"][1]
    assert "000000000000" in sheet["notes"][0] and engine.rubric("spbe-2024").sha256[:12] in sheet["notes"][0]


@pytest.mark.parametrize(
    ("typed", "where"),
    [("tiga", "LKE!F6 (I1)"), (3.5, "LKE!F6 (I1)"), (9, "LKE!F6 (I1)")],
)
def test_a_bad_workbook_gets_the_reader_s_message(
    api: Any, engine: Engine, tmp_path: Path, typed: Any, where: str
) -> None:
    """The reader's own one line (sheet, cell, value), naming the uploaded file, never the server's temp path."""
    content = _fill(_download(api, "spbe-2024"), {"I1": typed, "I2": 3})
    local = tmp_path / "lke-isi.xlsx"
    local.write_bytes(content)
    with pytest.raises(InputError) as refused:
        read_worksheet(engine, local, partial=True)
    answer = _upload(api, content)
    assert answer.status_code == 422
    problem = answer.json()
    assert problem["detail"] == str(refused.value).replace(str(local), local.name) and problem["field"] == where
    assert "spbe-upload" not in answer.text and "/tmp" not in answer.text


@pytest.mark.parametrize(
    ("name", "content", "field"),
    [
        ("lke.xlsx", b"not a zip", None),
        ("lke.xlsx", bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 16, None),
        ("lke.toml", b"PK", None),
    ],
)
def test_what_is_not_a_worksheet_is_refused(api: Any, name: str, content: bytes, field: str | None) -> None:
    """Not a zip, an encrypted workbook, a name without .xlsx: one line naming the uploaded file."""
    answer = _upload(api, content, name)
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith(f"{name}: ") and "spbe-upload" not in answer.text


def test_bad_base64_and_unknown_fields(api: Any) -> None:
    """The body is checked before any workbook is opened."""
    answer = api.post("/v1/assessments/read-worksheet", json={"name": "a.xlsx", "content_base64": "***"})
    assert answer.status_code == 422 and answer.json()["field"] == "content_base64"
    answer = api.post("/v1/assessments/read-worksheet", json={"name": "a.xlsx", "content_base64": "", "text": "x"})
    assert answer.status_code == 422 and answer.json()["field"] == "text"


def test_the_body_limit_holds(engine: Engine) -> None:
    """A workbook over the service's body limit is a 413, as any other body."""
    with client(engine, max_body_bytes=4096) as small:
        content = _download(small, "spbe-2024")
        assert len(content) > 4096
        assert _upload(small, content).status_code == 413


def test_without_openpyxl_both_routes_name_the_extra(api: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without openpyxl: 501 with the install to run, not a fault."""
    content = _download(api, "spbe-2024")
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    for answer in (api.get("/v1/rubrics/spbe-2024/worksheet"), _upload(api, content)):
        assert answer.status_code == 501
        problem = answer.json()
        assert problem["kind"] == "MissingExtra" and "[xlsx]" in problem["allowed"]


def test_the_routes_are_in_the_openapi_document(api: Any) -> None:
    """The download is a binary .xlsx answer; the upload answers the assessment form with the worksheet's notes."""
    paths = api.get("/openapi.json").json()["paths"]
    download = paths["/v1/rubrics/{rubric_id}/worksheet"]["get"]["responses"]
    assert download["200"]["content"][XLSX]["schema"] == {"type": "string", "format": "binary"}
    assert {"304", "404", "501"} <= set(download)
    upload = paths["/v1/assessments/read-worksheet"]["post"]
    assert "requestBody" in upload and {"200", "413", "422", "501"} <= set(upload["responses"])
