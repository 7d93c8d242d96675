"""Routes that take a whole batch: ``POST /v1/batch``, ``/v1/rescore`` (streaming rows) and ``/v1/impact``.

The body (CSV, JSON Lines or a JSON array, by Content-Type) is spooled to
disk and checked (:mod:`.spool`), then read by the engine's batch pipeline
exactly as ``spbe batch`` / ``spbe rescore`` / ``spbe impact`` read a file.
Rows stream out as JSON Lines, or CSV when the Accept header asks for it;
a bad row is a row with status ``error``, never a failed request.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from litestar import Request, Response, post
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import QueryParameter
from litestar.response import Stream

from ..batch import RESCORE_COLUMNS, read_batch, render_scores, rescore_file
from ..errors import SpbeError
from ..report import impact_to_json
from . import responses as out
from .problems import ServiceProblem
from .replies import check_pin, json_response, problems, rubric_or_404
from .spool import BODY_TYPES, Spooled, body_suffix, spool
from .state import ServiceState
from .stream import CSV, JSONL, Output, clean_error, in_thread, pieces, without_path

__all__ = ["batch_routes"]

_ROWS = Schema(
    type=OpenAPIType.ARRAY,
    # Any element is read: an object is a row, anything else is answered as a row with status error.
    items=Schema(
        description="One row: an object with instansi, year, optional rubric, and I1… (levels) or D1… (published "
        "values). Anything else is answered as a row with status error, like a bad line of JSON Lines.",
    ),
)
_TEXT = Schema(type=OpenAPIType.STRING)
# A text body is whatever bytes arrive: the engine's reader, not the document, decides what a row is.
_TEXT_BODY = Schema(description="The rows as text: CSV with a header row, or one JSON object per line.")


@dataclass
class BatchOperation(Operation):
    """The OpenAPI operation of a batch route: a body in any of the batch types.

    These routes read their body as a stream (never whole), so Litestar has
    no ``data`` parameter to describe it from; the media types are stated
    here, once.
    """

    def __post_init__(self) -> None:
        media = {"application/json": _ROWS, **{kind: _TEXT_BODY for kind in BODY_TYPES if kind != "application/json"}}
        self.request_body = RequestBody(
            required=True,
            description="The rows: a JSON array of objects, JSON Lines or CSV (header row first), by Content-Type.",
            content={kind: OpenAPIMediaType(schema=schema) for kind, schema in media.items()},
        )


@dataclass
class StreamOperation(BatchOperation):
    """A batch route that streams rows back: JSON Lines, or CSV when the Accept header asks for it."""

    def __post_init__(self) -> None:
        super().__post_init__()
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse):
            ok.content = {JSONL: OpenAPIMediaType(schema=_TEXT), "text/csv": OpenAPIMediaType(schema=_TEXT)}


def _stream_doc(text: str) -> dict[int, Any]:
    from litestar.openapi.datastructures import ResponseSpec

    return {
        200: ResponseSpec(generate_examples=False, data_container=str, description=text, media_type=JSONL),
        **problems(400, 404, 408, 409, 413, 415, 422),
    }


def _media(request: Request[Any, Any, Any]) -> str:
    return CSV if request.accept.best_match([JSONL, "text/csv"], default=JSONL) == "text/csv" else JSONL


async def _receive(state: ServiceState, request: Request[Any, Any, Any], max_rows: int) -> Spooled:
    """Spool the body of a batch request (its type from Content-Type), within the limits."""
    settings = state.settings
    return await spool(
        request.stream(),
        body_suffix(request.headers.get("content-type")),
        max_rows=max_rows,
        max_depth=settings.max_json_depth,
        timeout=settings.batch_body_timeout,
        folder=settings.temp_dir,
    )


async def _started(spooled: Spooled, chunks: Iterator[bytes], media_type: str) -> Stream:
    """Start the stream: render the first chunk now, so an error about the whole file is still a problem."""
    try:
        first = await anyio.to_thread.run_sync(next, chunks, b"")
    except SpbeError as exc:
        spooled.remove()
        raise clean_error(exc, spooled.path) from None
    except BaseException:
        spooled.remove()
        raise
    return Stream(in_thread(first, chunks, spooled.remove), media_type=media_type)


def _pin(state: ServiceState, rubric: str | None, sha256: str | None, name: str) -> None:
    """Check the rubric a batch names (404) and its pinned hash (409); a pin without a rubric is a 400."""
    if rubric is not None:
        rubric_or_404(state.engine, rubric)
        check_pin(state.engine, rubric, sha256)
    elif sha256 is not None:
        raise ServiceProblem(
            422, f"rubric_sha256 pins the rubric named by '{name}'; name one", kind="ValidationError", field=name
        )


def _impact(
    state: ServiceState, spooled: Spooled, source: str, to: str, missing: str | None, top: int
) -> dict[str, Any]:
    """Measure the impact of a spooled batch, as `spbe impact --json` renders it."""
    engine = state.engine
    # rescore_file checks the missing-data policy up front (as `spbe impact` does); its rows are not read here.
    rescore_file(engine, spooled.path, to, source=source, missing=missing)
    found = engine.impact(read_batch(spooled.path, source), source, to, missing=missing)
    data = impact_to_json(found, top)
    for row in data["errors"]:
        row["message"] = without_path(row["message"], spooled.path)
    return data


def batch_routes(state: ServiceState) -> list[HTTPRouteHandler]:
    """Return the batch routes of one app."""
    engine = state.engine
    settings = state.settings

    @post(
        "/batch",
        summary="Score a batch, streaming",
        tags=["batch"],
        status_code=200,
        operation_class=StreamOperation,
        request_max_body_size=settings.max_batch_bytes,
        responses=_stream_doc("One row per input row (as `spbe batch`): JSON Lines, or CSV with Accept: text/csv."),
    )
    async def batch(
        request: Request[Any, Any, Any],
        rubric: Annotated[
            str | None, QueryParameter(description="Rubric for every row (else each row's, else its year's).")
        ] = None,
        partial: Annotated[
            bool, QueryParameter(description="Allow missing indicators (status partial, no index).")
        ] = False,
        rubric_sha256: Annotated[
            str | None, QueryParameter(description="Pin the content hash of `rubric` (409).")
        ] = None,
    ) -> Stream:
        """Score every row; each answer row carries index, candidates, predikat, rubric, status and message.

        A bad row gets status ``error`` and its message; every other row is
        still scored. Rows stream out as they are scored.
        """
        _pin(state, rubric, rubric_sha256, "rubric")
        spooled = await _receive(state, request, settings.max_batch_rows)
        media = _media(request)
        try:
            rendered = render_scores(engine, spooled.path, rubric, partial=partial, as_json=media == JSONL)
        except SpbeError as exc:
            spooled.remove()
            raise clean_error(exc, spooled.path) from None
        return await _started(spooled, pieces(rendered, spooled.path, state.metrics, "batch"), media)

    @post(
        "/rescore",
        summary="Rescore a batch under another rubric, streaming",
        tags=["batch"],
        status_code=200,
        operation_class=StreamOperation,
        request_max_body_size=settings.max_batch_bytes,
        responses=_stream_doc("One row per input row (as `spbe rescore`): JSON Lines, or CSV with Accept: text/csv."),
    )
    async def rescore(
        request: Request[Any, Any, Any],
        to: Annotated[str, QueryParameter(description="The rubric to rescore under.")],
        source: Annotated[
            str | None,
            QueryParameter(name="from", description="The rubric of every row (else each row's, else its year's)."),
        ] = None,
        missing: Annotated[
            str | None,
            QueryParameter(
                description="For target indicators without a source: leave, impute:lowest, impute:group-mean, "
                "impute:overall-mean."
            ),
        ] = None,
        rubric_sha256: Annotated[str | None, QueryParameter(description="Pin the content hash of `to` (409).")] = None,
    ) -> Stream:
        """Rescore every row under ``to`` through the crosswalk: both indices, coverage, comparability, imputed."""
        _pin(state, to, rubric_sha256, "to")
        if source is not None:
            rubric_or_404(engine, source)
        spooled = await _receive(state, request, settings.max_batch_rows)
        output = Output(_media(request), RESCORE_COLUMNS, spooled.path)
        try:
            pairs = rescore_file(
                engine, spooled.path, to, source=source, missing=missing, header_seen=output.header_seen
            )
        except SpbeError as exc:
            spooled.remove()
            raise clean_error(exc, spooled.path) from None
        chunks = output.chunks((result for result, _ in pairs), state.metrics, "rescore")
        return await _started(spooled, chunks, output.media_type)

    @post(
        "/impact",
        summary="Measure what a rubric change does to a batch",
        tags=["batch"],
        status_code=200,
        operation_class=BatchOperation,
        request_max_body_size=settings.max_batch_bytes,
        responses={
            200: _json_ok(),
            **problems(400, 404, 408, 409, 413, 415, 422),
        },
    )
    async def impact(
        request: Request[Any, Any, Any],
        source: Annotated[str, QueryParameter(name="from", description="The rubric the rows were assessed under.")],
        to: Annotated[str, QueryParameter(description="The rubric to compare with.")],
        missing: Annotated[str | None, QueryParameter(description="Missing-data policy, as for /v1/rescore.")] = None,
        top: Annotated[int, QueryParameter(ge=1, le=1000, description="How many movers to list.")] = 10,
        rubric_sha256: Annotated[str | None, QueryParameter(description="Pin the content hash of `to` (409).")] = None,
    ) -> Response[bytes]:
        """The summary ``spbe impact --json`` prints: transition matrix, index changes, movers, drivers, errors."""
        rubric_or_404(engine, source)
        _pin(state, to, rubric_sha256, "to")
        spooled = await _receive(state, request, min(settings.max_batch_rows, settings.max_impact_rows))
        try:
            data = await anyio.to_thread.run_sync(_impact, state, spooled, source, to, missing, top)
        except SpbeError as exc:
            raise clean_error(exc, spooled.path) from None
        finally:
            spooled.remove()
        state.metrics.rows("impact", to, "rows", data["summary"]["rows"])
        return json_response(data)

    return [batch, rescore, impact]


def _json_ok() -> Any:
    from litestar.openapi.datastructures import ResponseSpec

    return ResponseSpec(
        generate_examples=False, data_container=out.Impact, description="The impact summary, as `spbe impact --json`."
    )
