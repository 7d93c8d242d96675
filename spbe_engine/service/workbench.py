"""The self-assessment workbench: a page served at ``/`` with its assets under ``/workbench/``.

Plain HTML, CSS and JavaScript modules shipped inside the package (no build
step, nothing from a CDN), so the page works offline and from the wheel.
Every number it shows comes from the ``/v1`` API; the page itself computes
none. It stays reachable when tokens guard ``/v1`` and asks for one on a 401.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import MediaType, Request, Router
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.static_files import create_static_files_router

__all__ = ["ASSETS", "WorkbenchPage", "workbench_assets"]

#: The folder of the page's files (inside the package, so the wheel carries them).
ASSETS = Path(__file__).with_name("workbench_files")


class WorkbenchPage(OpenAPIRenderPlugin):
    """The page at ``/``, registered where Litestar serves the OpenAPI root (which it always routes)."""

    def __init__(self) -> None:
        super().__init__(path=["/"], media_type=MediaType.HTML)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        """Return the page (static HTML: the script reads everything else from /v1)."""
        return (ASSETS / "index.html").read_bytes()


def workbench_assets() -> Router:
    """Return the router of the page's scripts and style under ``/workbench/``."""
    return create_static_files_router(
        path="/workbench",
        directories=[ASSETS],
        include_in_schema=False,
        name="workbench",
    )
