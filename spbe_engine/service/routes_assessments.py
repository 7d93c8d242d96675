"""Routes that read and write assessment files: ``POST /v1/assessments/read``, ``/read-worksheet`` and ``/write``.

A browser (the workbench page) never parses TOML itself: it sends an
uploaded file's text here, the engine's own reader
(:func:`spbe_engine.inputs.read_assessment`, what ``spbe score FILE`` uses)
reads it, and the assessment comes back in the structured JSON form. A
filled worksheet (.xlsx) comes as base64 and is read by
:func:`spbe_engine.worksheet.read_worksheet`, what ``spbe score FILE.xlsx``
uses. Writing goes the other way: the structured form, checked by the
engine, rendered as the TOML or JSON file ``spbe score`` reads.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import tempfile
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
import attrs
import tomlkit
import tomlkit.exceptions
from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from .._numbers import parse_decimal
from ..errors import InputError, SpbeError
from ..inputs import read_assessment
from ..models import Assessment
from . import responses as out
from .problems import PROBLEM_JSON, Problem, ServiceProblem
from .replies import json_response, problems
from .requests import AssessmentText, WorksheetUpload, WriteRequest, assessment_of, known_fields
from .state import ServiceState

if TYPE_CHECKING:
    from .. import Engine

__all__ = [
    "XLSX_MEDIA_TYPE",
    "assessment_form",
    "assessment_routes",
    "render_assessment",
    "require_xlsx",
    "xlsx_missing",
]

#: The media type of an Excel workbook (.xlsx).
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_SUFFIXES = (".toml", ".json")
_SLUG = re.compile(r"[^a-z0-9]+")


def _plain(value: Any) -> Any:
    """Turn exact numbers into their text, recursively: the JSON and TOML files keep them exact."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def assessment_form(assessment: Assessment) -> dict[str, Any]:
    """Return an assessment in the structured form of an assessment file (what ``read_assessment`` reads)."""
    form: dict[str, Any] = {}
    if assessment.instansi is not None:
        form["instansi"] = assessment.instansi
    if assessment.year is not None:
        form["year"] = assessment.year
    if assessment.rubric is not None:
        form["rubric"] = assessment.rubric
    if assessment.levels:
        form["levels"] = dict(assessment.levels)
    if assessment.aggregates:
        # Published values as their exact text: the reader takes "2.90" exactly, never through a float.
        form["domains"] = {key: str(value) for key, value in assessment.aggregates.items()}
    published = {}
    if assessment.printed_index is not None:
        published["index"] = str(assessment.printed_index)
    if assessment.printed_predikat is not None:
        published["predikat"] = assessment.printed_predikat
    if published:
        form["published"] = published
    if assessment.metadata:
        form["metadata"] = _plain(assessment.metadata)
    return form


def _plain_decimal(value: Any) -> str:
    """Write a published value as TOML number text (its own digits, never an exponent); odd values stay text."""
    try:
        number = parse_decimal(value.strip() if isinstance(value, str) else value)
    except ValueError:
        return json.dumps(str(value))  # the engine judges it when it scores, as it would the original file
    return format(number, "f")


def render_assessment(assessment: Assessment, file_format: str) -> dict[str, str]:
    """Render an assessment as the text of a ``.toml`` or ``.json`` assessment file, with a suggested name."""
    form = assessment_form(assessment)
    stem = _SLUG.sub("-", (assessment.instansi or "penilaian").lower()).strip("-") or "penilaian"
    label = assessment.rubric or (str(assessment.year) if assessment.year else "")
    name = f"{stem}-{label}" if label else stem
    if file_format == "json":
        text = json.dumps(form, ensure_ascii=False, indent=2) + "\n"
        return {"name": f"{name}.json", "media_type": "application/json", "text": text}
    if "domains" in form:
        # A TOML float from the value's own digits (tomlkit.value parses text), so the reader gets the same Decimal.
        form["domains"] = {key: tomlkit.value(_plain_decimal(value)) for key, value in assessment.aggregates.items()}
    try:
        text = tomlkit.dumps(form)
    except (TypeError, ValueError, tomlkit.exceptions.ParseError) as exc:  # e.g. a null in metadata
        raise InputError(f"cannot be written as TOML: {exc}", field="metadata", allowed="save as JSON") from None
    header = "# An assessment file, as `spbe score FILE` reads it.\n"
    return {"name": f"{name}.toml", "media_type": "application/toml", "text": header + text}


def _read_text(upload: AssessmentText) -> Assessment:
    """Read uploaded file text with the engine's file reader; errors name the uploaded file, not a temporary one."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(
            "unknown assessment file type", file=upload.name, value=suffix or upload.name, allowed=".toml or .json"
        )
    with tempfile.TemporaryDirectory(prefix="spbe-upload-") as folder:
        # The name is fixed: nothing a caller sends becomes part of a path.
        path = Path(folder) / f"assessment{suffix}"
        path.write_text(upload.text, encoding="utf-8")
        try:
            return read_assessment(path)
        except SpbeError as exc:
            if exc.file == str(path):
                exc.file = upload.name
            raise


def xlsx_missing() -> dict[int, ResponseSpec]:
    """Return the documented 501 answer of an endpoint that needs openpyxl."""
    return {
        501: ResponseSpec(
            generate_examples=False,
            data_container=Problem,
            description="Excel workbooks need openpyxl, which is not installed (the 'service' or 'xlsx' extra).",
            media_type=PROBLEM_JSON,
        )
    }


def require_xlsx() -> None:
    """Refuse with 501, naming the extra to install, when openpyxl is missing."""
    from ..worksheet import require_openpyxl

    try:
        require_openpyxl()
    except SpbeError as exc:
        raise ServiceProblem(
            501,
            f"{exc.problem}, which this service does not have",
            kind="MissingExtra",
            field="openpyxl",
            allowed=exc.allowed,
        ) from None


def _workbook_bytes(upload: WorksheetUpload) -> bytes:
    suffix = Path(upload.name).suffix.lower()
    if suffix != ".xlsx":
        raise InputError("not a worksheet file", file=upload.name, value=suffix or upload.name, allowed=".xlsx")
    try:
        return base64.b64decode(upload.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise InputError(
            "not base64",
            file=upload.name,
            field="content_base64",
            value=upload.content_base64[:40],
            allowed="the workbook's bytes in base64 (RFC 4648, standard alphabet)",
        ) from None


def _read_sheet(engine: Engine, upload: WorksheetUpload) -> dict[str, Any]:
    """Read an uploaded worksheet as ``spbe score FILE.xlsx --partial`` does; errors name the upload, never a path."""
    from ..worksheet import read_worksheet

    content = _workbook_bytes(upload)
    with tempfile.TemporaryDirectory(prefix="spbe-upload-") as folder:
        # The name is fixed: nothing a caller sends becomes part of a path.
        path = Path(folder) / "worksheet.xlsx"
        path.write_bytes(content)
        try:
            sheet = read_worksheet(engine, path, partial=True)
            card = engine.score(sheet.assessment, sheet.rubric_id, partial=True)
        except SpbeError as exc:
            for name in ("file", "field", "problem", "value"):
                text = getattr(exc, name)
                if isinstance(text, str):
                    setattr(exc, name, text.replace(str(path), upload.name).replace(folder, "."))
            raise
    form = assessment_form(sheet.assessment)
    form["worksheet"] = sheet.to_json(card, engine.rubric(sheet.rubric_id).sha256)
    return form


def assessment_routes(state: ServiceState) -> list[HTTPRouteHandler]:
    """Return the assessment-file routes of one app."""
    engine = state.engine

    @post(
        "/assessments/read",
        summary="Read an assessment file",
        tags=["assessments"],
        status_code=200,
        responses={
            200: ResponseSpec(
                generate_examples=False,
                data_container=out.AssessmentForm,
                description="The assessment in the structured form of an assessment file.",
            ),
            **problems(413, 422),
        },
    )
    async def read_file(request: Request[Any, Any, Any], data: JSONBody[AssessmentText]) -> Response[bytes]:
        """Read the text of a ``.toml`` or ``.json`` assessment file as ``spbe score FILE`` reads it.

        The answer is the assessment in its structured JSON form (``instansi``,
        ``year``, ``rubric``, ``levels`` or ``domains``, ``published``,
        ``metadata``); a bad file is a 422 naming the file, the field and the value.
        """
        await known_fields(request, AssessmentText)
        assessment = await anyio.to_thread.run_sync(_read_text, data)
        return json_response(assessment_form(assessment))

    @post(
        "/assessments/read-worksheet",
        summary="Read a filled worksheet (.xlsx)",
        tags=["assessments"],
        status_code=200,
        responses={
            200: ResponseSpec(
                generate_examples=False,
                data_container=out.WorksheetForm,
                description="The assessment in the structured form of an assessment file, and the worksheet's notes.",
            ),
            **problems(413, 422),
            **xlsx_missing(),
        },
    )
    async def read_worksheet_file(request: Request[Any, Any, Any], data: JSONBody[WorksheetUpload]) -> Response[bytes]:
        """Read a worksheet written by ``GET /v1/rubrics/{id}/worksheet`` (or ``spbe template --xlsx``), filled in.

        Read as ``spbe score FILE.xlsx --partial`` reads it: empty level cells
        are left out. The answer is the assessment's structured form (as from
        ``/v1/assessments/read``) plus ``worksheet``: the template version, the
        rubric and content hash the workbook was made for, the sheet's own
        provisional index, whether it agrees with the engine, and ``notes``
        (another content hash, a disagreeing sheet). A bad workbook is a 422
        naming the sheet, the cell and the value.
        """
        await known_fields(request, WorksheetUpload)
        require_xlsx()
        form = await anyio.to_thread.run_sync(_read_sheet, engine, data)
        return json_response(form)

    @post(
        "/assessments/write",
        summary="Write an assessment file",
        tags=["assessments"],
        status_code=200,
        responses={
            200: ResponseSpec(
                generate_examples=False,
                data_container=out.AssessmentFile,
                description="The file's suggested name, media type and text.",
            ),
            **problems(413, 422),
        },
    )
    async def write_file(request: Request[Any, Any, Any], data: JSONBody[WriteRequest]) -> Response[bytes]:
        """Render one assessment as the TOML (or JSON) file ``spbe score FILE`` reads, after the engine checks it.

        Levels may be missing (a partial assessment is saved as it is); the
        rubric (named, or the year's) must exist, and ids, levels and published
        values are checked by scoring the assessment partially, so a saved file
        is one ``spbe score --partial`` reads.
        """
        await known_fields(request, WriteRequest)
        fields = attrs.asdict(data, recurse=False)
        assessment = assessment_of(fields)
        engine.score(assessment, engine.resolve_rubric_id(assessment), partial=True)
        return json_response(render_assessment(assessment, data.format))

    return [read_file, read_worksheet_file, write_file]
