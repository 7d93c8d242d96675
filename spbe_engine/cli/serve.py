"""``spbe serve``: run the HTTP/JSON scoring service on uvicorn (needs the ``service`` extra)."""

from __future__ import annotations

import importlib.util
import os

import click

from .._extras import install_hint


def _missing_extra() -> str | None:
    for module in ("litestar", "uvicorn"):
        if importlib.util.find_spec(module) is None:
            return module
    return None


def _logging(level: str) -> dict[str, object]:
    """Log the service's JSON access lines as they are, everything else as one line each, to stderr."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"raw": {"format": "%(message)s"}, "plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
        "handlers": {
            "access": {"class": "logging.StreamHandler", "formatter": "raw", "stream": "ext://sys.stderr"},
            "plain": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "spbe_engine.service.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "spbe_engine.service": {"handlers": ["plain"], "level": level.upper(), "propagate": False},
            "uvicorn": {"handlers": ["plain"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--no-access-log", is_flag=True, help="Do not write a JSON line per request to stderr.")
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    help="Level of the server's own log lines.",
)
def serve_command(host: str, port: int, workers: int, no_access_log: bool, log_level: str) -> int:
    """Serve the HTTP/JSON scoring API on uvicorn, on loopback unless told otherwise.

    The OpenAPI document is at /openapi.json, its page at /docs. Limits, bearer
    tokens and CORS origins come from SPBE_SERVICE_* environment variables (see
    docs/service.md). Needs the service extra (from a clone: pip install
    '.[service]').
    """
    missing = _missing_extra()
    if missing is not None:
        click.echo(
            f"spbe: error: `spbe serve` needs the service extra ({missing} is missing); {install_hint('service')}",
            err=True,
        )
        return 2
    import uvicorn

    from ..service.settings import Settings

    if no_access_log:
        os.environ["SPBE_SERVICE_ACCESS_LOG"] = "0"
    settings = Settings.from_env()  # refuse a bad setting here, once, before any worker reads the same variables
    if host not in ("127.0.0.1", "localhost", "::1") and not settings.tokens:
        click.echo(f"spbe: note: listening on {host} without bearer tokens (SPBE_SERVICE_TOKENS)", err=True)
    uvicorn.run(
        "spbe_engine.service.app:factory",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=_logging(log_level),
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=10,
    )
    return 0


__all__ = ["serve_command"]
