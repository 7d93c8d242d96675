"""Read-only routes over the registry: rubrics, one rubric (with an ETag), a diff, crosswalks, plugins."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, QueryParameter

from ..errors import CrosswalkError, RubricError
from ..report import crosswalk_to_json, plugin_to_json, rubric_summary, rubric_to_json
from . import responses as out
from .problems import ServiceProblem
from .replies import check_pin, json_response, problems, rubric_or_404
from .state import ServiceState

__all__ = ["rubric_routes"]


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

    return [list_rubrics, read_rubric, diff_rubrics, list_crosswalks, read_crosswalk, list_plugins]
