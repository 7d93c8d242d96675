"""Helpers shared by the CLI commands."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from ..engine import Engine


def engine_of(ctx: click.Context) -> Engine:
    """Return the engine of this invocation."""
    return ctx.find_root().obj.get()  # type: ignore[no-any-return]


def emit_json(data: Any) -> None:
    """Print JSON (UTF-8, no floats anywhere: the data carries strings for numbers)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


def console() -> Any:
    """Return a rich console on stdout (imported lazily: JSON output never pays for rich)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def stderr_console() -> Any:
    """Return a rich console on stderr."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def is_terminal() -> bool:
    """Tell whether stdout is a terminal."""
    return sys.stdout.isatty()
