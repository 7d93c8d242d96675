"""The HTTP/JSON scoring service: ``spbe serve``, or :func:`create_app` inside another ASGI stack.

Needs the ``service`` extra (Litestar and uvicorn). A thin layer: each
request becomes the engine's own input (an assessment, a batch file), the
engine scores it, and the CLI's renderers (:mod:`spbe_engine.report`,
:mod:`spbe_engine.batch`) write the answer. See ``docs/service.md``.
"""

from .app import create_app
from .settings import Settings

__all__ = ["Settings", "create_app"]
