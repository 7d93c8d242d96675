"""The app factory: :func:`create_app` builds the ASGI app over an engine, with its settings.

Routes live in ``routes_*`` modules; this module only wires them with the
exact JSON reader, the problem handlers, the limits, auth, CORS, the
OpenAPI document (generated from the typed models), its offline page and the
workbench page at ``/``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.datastructures import State
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from .. import __version__
from .archive_access import ArchiveAccess
from .auth import TokenCheck, archive_guards
from .docs_page import DocsPage
from .exact_json import ExactRequest
from .limits import time_limit
from .observe import observe
from .problems import exception_handlers
from .routes_archive import archive_routes
from .routes_assessments import assessment_routes
from .routes_batch import batch_routes
from .routes_ops import ops_routes
from .routes_rubrics import rubric_routes
from .routes_scoring import scoring_routes
from .settings import Settings
from .state import ServiceState
from .workbench import WorkbenchPage, workbench_assets

if TYPE_CHECKING:
    from litestar.types import ASGIApp

    from .. import Engine
    from .asgi import App

__all__ = ["create_app", "factory"]

_DESCRIPTION = (
    "Exact scoring of Indonesia's SPBE / Indeks Pemdi evaluations under every official rubric: the same "
    "numbers, candidates, errors and provenance as the spbe-engine Python library and the `spbe` command. "
    'Every exact value is a string (a decimal such as "3.45", or a ratio such as "46/11"), never a float.'
)


def create_app(engine: Engine | None = None, settings: Settings | None = None) -> Litestar:
    """Return the scoring service as an ASGI app (a Litestar instance) over ``engine``.

    ``engine`` defaults to every installed rubric plugin (``Engine.default``),
    ``settings`` to the ``SPBE_SERVICE_*`` environment variables
    (:meth:`Settings.from_env`). Mount the app in another ASGI stack as it is.
    """
    if engine is None:
        from .. import Engine

        engine = Engine.default()
    settings = Settings.from_env() if settings is None else settings
    state = ServiceState(engine=engine, settings=settings)
    guard = [TokenCheck(settings.tokens)] if settings.tokens else []
    v1 = Router(
        "/v1",
        route_handlers=[
            *rubric_routes(state),
            *scoring_routes(state),
            *batch_routes(state),
            *assessment_routes(state),
        ],
        guards=guard,
        security=[{"bearer": []}] if guard else None,
    )
    # The archive has guards of its own (read and write tokens), so it is not under the /v1 router's.
    archive = ArchiveAccess(settings.archive_url, engine)
    read_guard, write_guard = archive_guards(settings)
    archive_router = Router(
        "/v1/archive",
        route_handlers=archive_routes(state, archive, read_guard, write_guard),
        security=[{"bearer": []}] if read_guard is not None or settings.archive_write_tokens else None,
    )
    bearer = bool(guard) or read_guard is not None or bool(settings.archive_write_tokens)
    openapi = OpenAPIConfig(
        title="spbe-engine scoring service",
        version=__version__,
        description=_DESCRIPTION,
        path="/",
        render_plugins=[JsonRenderPlugin(), DocsPage(), WorkbenchPage()],
        components=Components(
            security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")} if bearer else None
        ),
    )
    app = Litestar(
        route_handlers=[
            v1,
            archive_router,
            *ops_routes(state, archive, metrics_guard=guard or None),  # type: ignore[arg-type]
            workbench_assets(),
        ],
        request_class=ExactRequest,
        exception_handlers=exception_handlers(),
        openapi_config=openapi,
        cors_config=CORSConfig(
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "x-request-id", "if-none-match"],
            expose_headers=["etag", "x-request-id", "content-disposition", "retry-after"],
        )
        if settings.cors_origins
        else None,
        request_max_body_size=settings.max_body_bytes,
        on_startup=[state.warm, archive.start],
        on_shutdown=[archive.close],
        state=State({"spbe": state}),
        debug=False,
        logging_config=None,  # the embedding process (or `spbe serve`) configures logging, not the app
    )
    # Outermost, around Litestar's own exception handling: every request is timed, counted and logged, even
    # one that matched no route.
    inner = cast("App", app.asgi_handler)
    outer = observe(state.metrics, settings.access_log)(time_limit(settings.request_timeout)(inner))
    app.asgi_handler = cast("ASGIApp", outer)
    return app


def factory() -> Any:
    """Build the app from the environment: what ``spbe serve`` hands each uvicorn worker."""
    return create_app()
