"""Routes for operators: liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import anyio
from litestar import Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec

from .. import __version__
from . import responses as out
from .archive_access import ArchiveAccess
from .problems import ServiceProblem
from .replies import json_response, problems
from .state import ServiceState

__all__ = ["ops_routes"]

PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"


def ops_routes(
    state: ServiceState, archive: ArchiveAccess, *, metrics_guard: list[object] | None = None
) -> list[HTTPRouteHandler]:
    """Return the operator routes of one app (``metrics_guard`` protects /metrics when tokens are set)."""

    @get(
        "/healthz",
        summary="Liveness",
        tags=["operations"],
        responses={
            200: ResponseSpec(generate_examples=False, data_container=out.Health, description="The process answers.")
        },
    )
    async def healthz() -> Response[bytes]:
        """Answer while the process is up."""
        return json_response({"status": "ok"})

    @get(
        "/readyz",
        summary="Readiness (and whether the archive can be used)",
        tags=["operations"],
        responses={
            200: ResponseSpec(
                generate_examples=False, data_container=out.Ready, description="Every rubric is loaded and compiled."
            ),
            **problems(503),
        },
    )
    async def readyz() -> Response[bytes]:
        """Answer 200 once every rubric's plan is compiled, 503 before."""
        if not state.ready:
            raise ServiceProblem(503, "the engine is still compiling its rubrics", kind="NotReady")
        archive_status = await anyio.to_thread.run_sync(archive.status)
        return json_response(
            {
                "status": "ready",
                "rubrics": list(state.engine.rubric_ids()),
                "engine_version": __version__,
                "archive": archive_status,
            }
        )

    @get(
        "/metrics",
        summary="Prometheus metrics",
        tags=["operations"],
        guards=metrics_guard or [],  # type: ignore[arg-type]
        media_type=PROMETHEUS,
        responses={
            200: ResponseSpec(
                generate_examples=False,
                data_container=str,
                description="Prometheus text format.",
                media_type=PROMETHEUS,
            )
        },
    )
    async def metrics() -> Response[str]:
        """Requests and latencies by route and status, rows scored by rubric, errors by kind (this worker's)."""
        return Response(state.metrics.render(), media_type=PROMETHEUS)

    return [healthz, readyz, metrics]
