"""``spbe serve``: run the HTTP/JSON scoring service on uvicorn (needs the ``service`` extra)."""

from __future__ import annotations

import importlib.util
import os

import click

from .._extras import install_hint
from ..errors import SpbeError


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


def _check_archive_url(url: str) -> None:
    """Refuse a URL that names no database we serve (exit 2); say which archive is served (password masked)."""
    if importlib.util.find_spec("sqlalchemy") is None:
        raise SpbeError(f"serving an archive needs the archive extra; {install_hint('archive')}")
    from ..archive import masked, resolve_url

    click.echo(f"spbe: serving the archive at {masked(resolve_url(url))} under /v1/archive", err=True)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--no-access-log", is_flag=True, help="Do not write a JSON line per request to stderr.")
@click.option(
    "--db",
    "db",
    metavar="URL",
    help="Serve this archive under /v1/archive: a SQLite file, sqlite:///FILE or postgresql+psycopg://… "
    "(default: $SPBE_DB, else $SPBE_SERVICE_ARCHIVE_URL, else none).",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    help="Level of the server's own log lines.",
)
def serve_command(host: str, port: int, workers: int, no_access_log: bool, db: str | None, log_level: str) -> int:
    """Serve the HTTP/JSON scoring API on uvicorn, on loopback unless told otherwise.

    The self-assessment page (the workbench) is at /, the OpenAPI document at
    /openapi.json, its page at /docs. Limits, bearer tokens and CORS origins
    come from SPBE_SERVICE_* environment variables (see docs/service.md); --db
    (else SPBE_DB) serves an archive under /v1/archive.
    Needs the service extra (from a clone: pip install '.[service]').
    """
    missing = _missing_extra()
    if missing is not None:
        click.echo(
            f"spbe: error: `spbe serve` needs the service extra ({missing} is missing); {install_hint('service')}",
            err=True,
        )
        return 2
    import uvicorn

    from ..service.settings import ARCHIVE_ENV, Settings

    if no_access_log:
        os.environ["SPBE_SERVICE_ACCESS_LOG"] = "0"
    if db is not None:
        os.environ[ARCHIVE_ENV] = db  # each worker opens the archive the variable names, as `spbe archive` does
    settings = Settings.from_env()  # refuse a bad setting here, once, before any worker reads the same variables
    if settings.archive_url is not None:
        _check_archive_url(settings.archive_url)
    if host not in ("127.0.0.1", "localhost", "::1") and not settings.tokens:
        click.echo(f"spbe: note: listening on {host} without bearer tokens (SPBE_SERVICE_TOKENS)", err=True)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"spbe: the workbench page at http://{shown}:{port}/, the API reference at /docs", err=True)
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
