"""Read-only routes over the registry: rubrics, one rubric and its worksheet (ETags), a diff, crosswalks, plugins."""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import anyio
from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat
from litestar.params import FromPath, KwargDefinition, QueryParameter

from ..errors import CrosswalkError, RubricError
from ..report import crosswalk_to_json, plugin_to_json, rubric_summary, rubric_to_json
from . import responses as out
from .problems import ServiceProblem
from .replies import check_pin, json_response, problems, rubric_or_404
from .routes_assessments import XLSX_MEDIA_TYPE, require_xlsx, xlsx_missing
from .state import ServiceState

if TYPE_CHECKING:
    from .. import Engine

__all__ = ["rubric_routes"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _details(instansi: str | None, year: int | None) -> dict[str, str | int]:
    """Return the Instansi sheet's pre-filled values from the query (the year checked as an assessment's is)."""
    from ..inputs import parse_year

    details: dict[str, str | int] = {}
    if instansi is not None and instansi.strip():
        details["instansi"] = instansi.strip()
    if year is not None:
        details["year"] = parse_year(year) or year
    return details


def _worksheet_etag(sha256: str, details: dict[str, str | int]) -> str:
    """Return a weak ETag: the rubric's content hash, the template version, the engine and the pre-filled details."""
    from .. import __version__
    from ..worksheet import TEMPLATE_VERSION

    digest = hashlib.sha256(repr((__version__, sorted(details.items()))).encode()).hexdigest()[:16]
    return f'W/"{sha256}-lke{TEMPLATE_VERSION}-{digest}"'


def _worksheet(engine: Engine, rubric_id: str, details: dict[str, str | int]) -> bytes:
    """Return the bytes of a rubric's worksheet, as ``spbe template RUBRIC --xlsx FILE`` writes it."""
    from ..worksheet import write_template

    with tempfile.TemporaryDirectory(prefix="spbe-worksheet-") as folder:
        path = Path(folder) / "lke.xlsx"
        write_template(engine, rubric_id, path, details=details)
        return path.read_bytes()


def _ok(kind: Any, text: str) -> dict[int, ResponseSpec]:
    return {200: ResponseSpec(generate_examples=False, data_container=kind, description=text)}


def rubric_routes(state: ServiceState) -> list[HTTPRouteHandler]:
    """Return the registry routes of one app."""
    engine = state.engine

    @get(
        "/rubrics",
        summary="List the rubrics",
        tags=["rubrics"],
        responses=_ok(list[out.RubricSummary], "Every rubric."),
    )
    async def list_rubrics() -> Response[bytes]:
        """Every registered rubric: legal basis, years, counts, plugin and content hash (``spbe rubrics --json``)."""
        rows = []
        for rubric_id in engine.rubric_ids():
            try:
                rubric = engine.rubric(rubric_id)
            except RubricError:  # one broken plugin must not hide the others; /v1/plugins says why
                continue
            info = engine.plugin_of(rubric.id)
            rows.append(rubric_summary(rubric, info.name, info.distribution, info.version))
        return json_response(rows)

    @get(
        "/rubrics/{rubric_id:str}",
        summary="Read one rubric",
        tags=["rubrics"],
        responses={
            **_ok(out.Rubric, "The rubric's tree, weights, bands, rounding, predikat rule, legal basis, years."),
            304: ResponseSpec(
                generate_examples=False,
                data_container=None,
                description="Not modified: the ETag given in If-None-Match.",
            ),
            **problems(404, 409),
        },
    )
    async def read_rubric(
        request: Request[Any, Any, Any],
        rubric_id: FromPath[str],
        criteria: Annotated[bool, QueryParameter(description="Add each indicator's level criteria texts.")] = False,
        rubric_sha256: Annotated[
            str | None, QueryParameter(description="Answer 409 unless the rubric's content hash is this one.")
        ] = None,
    ) -> Response[bytes]:
        """The rubric's whole tree (``spbe rubric show ID --json [--criteria]``), with an ETag of its content."""
        rubric = rubric_or_404(engine, rubric_id)
        check_pin(engine, rubric.id, rubric_sha256)
        etag = f'"{rubric.sha256}{"-criteria" if criteria else ""}"'
        headers = {"etag": etag, "cache-control": "no-cache"}
        if etag in (request.headers.get("if-none-match") or ""):
            return Response(b"", status_code=304, headers=headers)
        texts = dict(engine.criteria(rubric.id)) if criteria else None
        return json_response(rubric_to_json(rubric, texts), headers=headers)

    @get(
        "/rubrics/{rubric_id:str}/worksheet",
        summary="Download the rubric's worksheet (.xlsx)",
        tags=["rubrics"],
        responses={
            200: ResponseSpec(
                generate_examples=False,
                data_container=Annotated[bytes, KwargDefinition(format=OpenAPIFormat.BINARY)],
                media_type=XLSX_MEDIA_TYPE,
                description="The worksheet (LKE) of the rubric, an Excel workbook, as an attachment.",
            ),
            304: ResponseSpec(
                generate_examples=False,
                data_container=None,
                description="Not modified: the ETag given in If-None-Match.",
            ),
            **problems(404, 422),
            **xlsx_missing(),
        },
    )
    async def rubric_worksheet(
        request: Request[Any, Any, Any],
        rubric_id: FromPath[str],
        instansi: Annotated[
            str | None, QueryParameter(description="Pre-fill the instansi's name on the Instansi sheet.")
        ] = None,
        year: Annotated[
            int | None, QueryParameter(description="Pre-fill the evaluation year on the Instansi sheet.")
        ] = None,
    ) -> Response[bytes]:
        """The worksheet (LKE) of a rubric, as ``spbe template RUBRIC --xlsx FILE`` writes it, to fill in and send back.

        One row per indicator with its weight, scale and level criteria, and a
        level cell to fill in; ``POST /v1/assessments/read-worksheet`` reads it
        back filled. The ETag is the rubric's content hash (with the template
        version and the pre-filled details): a workbook's bytes carry the time
        it was written, so the tag is weak.
        """
        rubric = rubric_or_404(engine, rubric_id)
        require_xlsx()
        details = _details(instansi, year)
        etag = _worksheet_etag(rubric.sha256, details)
        headers = {"etag": etag, "cache-control": "no-cache"}
        # Weak comparison (RFC 9110, 8.8.3.2): the tag matches with or without its W/ prefix.
        if etag.removeprefix("W/") in (request.headers.get("if-none-match") or ""):
            return Response(b"", status_code=304, headers=headers)
        content = await anyio.to_thread.run_sync(_worksheet, engine, rubric.id, details)
        name = f"lke-{_UNSAFE.sub('-', rubric.id).strip('-') or 'rubric'}.xlsx"
        headers["content-disposition"] = f'attachment; filename="{name}"'
        return Response(content, media_type=XLSX_MEDIA_TYPE, headers=headers)

    @get(
        "/rubrics/{old:str}/diff/{new:str}",
        summary="Compare two rubrics",
        tags=["rubrics"],
        responses={**_ok(out.Diff, "What changed from the first rubric to the second."), **problems(404)},
    )
    async def diff_rubrics(old: FromPath[str], new: FromPath[str]) -> Response[bytes]:
        """What changed: indicators and groups added, removed, renamed, moved, reweighted; bands, rounding, years.

        The answer of ``spbe rubric diff A B --json``.
        """
        rubric_or_404(engine, old)
        rubric_or_404(engine, new)
        return json_response(engine.diff(old, new).to_json())

    @get(
        "/crosswalks",
        summary="List the crosswalks",
        tags=["crosswalks"],
        responses=_ok(list[out.CrosswalkPair], "Every registered crosswalk."),
    )
    async def list_crosswalks() -> Response[bytes]:
        """The registered crosswalks between rubrics (identities between equal rubrics are generated on use)."""
        pairs = engine.crosswalk_pairs()
        return json_response([{"from": a, "to": b, "plugin": engine.crosswalk_plugin((a, b))} for a, b in pairs])

    @get(
        "/crosswalks/{source:str}/{target:str}",
        summary="Read one crosswalk",
        tags=["crosswalks"],
        responses={**_ok(out.Crosswalk, "How every target indicator gets its level."), **problems(404)},
    )
    async def read_crosswalk(source: FromPath[str], target: FromPath[str]) -> Response[bytes]:
        """How each target indicator is mapped: sources, rule, rounding, comparability mark (``spbe crosswalk``)."""
        rubric_or_404(engine, source)
        rubric_or_404(engine, target)
        try:
            walk = engine.crosswalk(source, target)
        except CrosswalkError as exc:
            raise ServiceProblem(404, str(exc), kind="CrosswalkError", field=exc.field, allowed=exc.allowed) from None
        return json_response(crosswalk_to_json(walk, engine))

    @get(
        "/plugins",
        summary="List the plugins",
        tags=["rubrics"],
        responses=_ok(list[out.Plugin], "Every plugin, active or set aside with its reason."),
    )
    async def list_plugins() -> Response[bytes]:
        """Every rubric plugin the engine found: its rubrics and hooks, and the reason one was set aside."""
        return json_response([plugin_to_json(info) for info in engine.plugins])

    return [list_rubrics, read_rubric, rubric_worksheet, diff_rubrics, list_crosswalks, read_crosswalk, list_plugins]
