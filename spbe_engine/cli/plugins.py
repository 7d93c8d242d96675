"""``spbe plugins``: every rubric plugin the engine found, in use or set aside, and why."""

from __future__ import annotations

from typing import Any

import click

from ..engine import Engine
from ..errors import PluginError
from ..registry import STRICT_ENV, PluginInfo, strict_from_env
from .common import console, emit_json


def plugin_row(info: PluginInfo) -> dict[str, Any]:
    """Return one plugin's record as plain JSON data."""
    return {
        "name": info.name,
        "distribution": info.distribution,
        "version": info.version,
        "module": info.module,
        "hook_api": info.api_version,
        "rubrics": list(info.rubrics),
        "hooks": list(info.hooks),
        "status": info.status,
        "reason": info.reason,
    }


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option(
    "--strict",
    is_flag=True,
    help=f"Exit with an error if any plugin is set aside (also: {STRICT_ENV}=1).",
)
def plugins_command(as_json: bool, strict: bool) -> None:
    """List every rubric plugin: distribution, module, hook API, rubrics, hooks, status, reason.

    Every rubric is loaded and its plan compiled, so a plugin whose rubric or
    hooks are broken shows as set aside with the reason.
    """
    # Strictness is applied after listing, so the table still shows what is wrong.
    engine = Engine.default(strict=False, validate=True)
    rows = [plugin_row(info) for info in engine.plugins]
    if as_json:
        emit_json(rows)
    else:
        from rich.table import Table

        table = Table(title="Rubric plugins")
        table.add_column("plugin", no_wrap=True)
        for column in ("distribution", "module", "API", "rubrics", "hooks"):
            table.add_column(column, overflow="fold")
        table.add_column("status", overflow="fold", ratio=2)
        for row in rows:
            hooks = ", ".join(h.removeprefix("spbe_") for h in row["hooks"])
            status = (
                "[green]active[/green]"
                if row["status"] == "active"
                else (f"[red]{row['status']}[/red]: {row['reason']}")
            )
            table.add_row(
                row["name"],
                f"{row['distribution']} {row['version']}".strip() or "-",
                row["module"],
                "-" if row["hook_api"] is None else str(row["hook_api"]),
                ", ".join(row["rubrics"]) or "-",
                hooks or "-",
                status,
            )
        console().print(table)
    set_aside = [info for info in engine.plugins if not info.active]
    if set_aside and (strict or strict_from_env()):
        names = ", ".join(info.name for info in set_aside)
        raise PluginError(
            f"{len(set_aside)} plugin(s) set aside: {names}; first reason: {set_aside[0].reason}",
            field="plugins",
            allowed=f"fix them, or run without --strict and {STRICT_ENV}",
        )
