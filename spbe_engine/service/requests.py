"""What a caller sends: the assessment in the assessment file's form, and how to score it.

These attrs classes are read by Litestar into the OpenAPI document and used to
check a request's shape. The assessment itself is then built by the engine
(:func:`spbe_engine.inputs.assessment_from_mapping`), which checks ids,
levels and published values with the messages the CLI gives.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import attrs
from litestar import Request
from litestar.openapi.spec import OpenAPIType, Schema
from litestar.params import KwargDefinition

from ..errors import InputError
from ..models import Assessment

__all__ = [
    "ASSESSMENT_FIELDS",
    "AssessmentText",
    "GapRequest",
    "ScoreRequest",
    "WorksheetUpload",
    "WriteRequest",
    "assessment_of",
    "known_fields",
]

INTEGER, NUMBER, STRING = OpenAPIType.INTEGER, OpenAPIType.NUMBER, OpenAPIType.STRING

#: The fields of the structured assessment form (as in an assessment file).
ASSESSMENT_FIELDS = ("instansi", "year", "rubric", "levels", "domains", "aggregates", "published", "metadata")


def _about(text: str, *values: OpenAPIType) -> KwargDefinition:
    """Describe a field in the document; for a table, what its values may be (the engine checks each one)."""
    extra = {"additional_properties": Schema(type=list(values))} if values else None
    return KwargDefinition(description=text, schema_extra=extra)


@attrs.frozen(kw_only=True)
class _AssessmentFields:
    instansi: Annotated[str | None, _about("The instansi's name, carried to the result.")] = None
    year: Annotated[int | None, _about("The evaluation year; chooses the rubric when none is named.")] = None
    rubric: Annotated[str | None, _about("The rubric id (e.g. spbe-2024); default: the one governing the year.")] = None
    levels: Annotated[
        dict[str, Any],
        _about('Indicator levels, {"I1": 3, ...} (whole numbers; text such as "3" is read too).', INTEGER, STRING),
    ] = attrs.field(factory=dict)
    domains: Annotated[
        dict[str, Any],
        _about(
            'Published top-level values, {"D1": 2.90, ...} or {"D1": "2.90"}: read exactly, never as floats.',
            NUMBER,
            STRING,
        ),
    ] = attrs.field(factory=dict)
    aggregates: Annotated[
        dict[str, Any],
        _about("The same as domains (the name the Python API uses); give one of the two.", NUMBER, STRING),
    ] = attrs.field(factory=dict)
    published: Annotated[
        dict[str, Any],
        _about(
            'What the source printed, {"index": "1.53", "predikat": "Kurang"}: narrows the candidates, or is '
            "reported as not fitting.",
            NUMBER,
            STRING,
        ),
    ] = attrs.field(factory=dict)
    metadata: Annotated[dict[str, Any], _about("Anything to carry through to the result untouched.")] = attrs.field(
        factory=dict
    )


@attrs.frozen(kw_only=True)
class ScoreRequest(_AssessmentFields):
    """One assessment to score, as in ``spbe score FILE``, with the command's options."""

    partial: Annotated[bool, _about("Allow missing indicators: completeness instead of an index (--partial).")] = False
    explain: Annotated[bool, _about("Add an explanation of how each number came about (--explain).")] = False
    rubric_sha256: Annotated[str | None, _about("Answer 409 unless the rubric's content hash is this one.")] = None


@attrs.frozen(kw_only=True)
class GapRequest(_AssessmentFields):
    """One assessment and the predikat it should reach, as in ``spbe gap FILE --target``."""

    target: Annotated[str, _about("The predikat to reach (e.g. Baik).")]
    rubric_sha256: Annotated[str | None, _about("Answer 409 unless the rubric's content hash is this one.")] = None


@attrs.frozen(kw_only=True)
class WriteRequest(_AssessmentFields):
    """One assessment to write out as an assessment file (the form ``spbe score FILE`` reads)."""

    format: Annotated[Literal["toml", "json"], _about("The file's format: toml or json.")] = "toml"


@attrs.frozen(kw_only=True)
class AssessmentText:
    """An assessment file's name and text, as a browser reads an uploaded file."""

    name: Annotated[str, _about("The file's name; its suffix (.toml or .json) says how to read it.")]
    text: Annotated[str, _about("The file's whole text (UTF-8).")]


@attrs.frozen(kw_only=True)
class WorksheetUpload:
    """A filled worksheet (.xlsx) as a browser uploads it: the file's name and its bytes in base64."""

    name: Annotated[str, _about("The file's name (it must end in .xlsx); it names the file in error messages.")]
    content_base64: Annotated[str, _about("The workbook's bytes, base64-encoded (RFC 4648, standard alphabet).")]


def assessment_of(raw: dict[str, Any]) -> Assessment:
    """Build the assessment from a request body's assessment fields, as the engine reads an assessment file."""
    from ..inputs import assessment_from_mapping

    return assessment_from_mapping({key: raw[key] for key in ASSESSMENT_FIELDS if raw.get(key) not in (None, {})})


async def known_fields(request: Request[Any, Any, Any], kind: type[Any]) -> None:
    """Refuse a body field the request type does not have, as the engine refuses one in an assessment file."""
    raw = await request.json()
    allowed = [field.name for field in attrs.fields(kind)]
    unknown = [key for key in raw if key not in allowed] if isinstance(raw, dict) else []
    if unknown:
        raise InputError("unknown field", field=unknown[0], allowed=", ".join(sorted(allowed)))
