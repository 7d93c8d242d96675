"""``spbe plugins``: every rubric plugin the engine found, in use or set aside, and why."""

from __future__ import annotations

import click

from .._engine import Engine
from .._registry import STRICT_ENV, strict_from_env
from ..errors import PluginError
from ..report import plugin_to_json
from .common import emit_json
from .tables import Column, chosen, format_option, show

#: A set-aside reason is cut to this many characters in listings (``--json`` has it whole).
REASON_CHARS = 240


def one_line(text: str, limit: int = REASON_CHARS) -> str:
    """Return text on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@click.command("plugins")
@format_option
@click.option(
    "--strict",
    is_flag=True,
    help=f"Exit with an error if any plugin is set aside (also: {STRICT_ENV}=1).",
)
def plugins_command(fmt: str | None, as_json: bool, strict: bool) -> None:
    """List every rubric plugin: distribution, module, hook API, rubrics, hooks, status, reason, notes.

    Every rubric is loaded and its plan compiled, so a plugin whose rubric or
    hooks are broken shows as set aside with the reason (one line here; the
    full text with --json). Official plugins are marked; a plugin whose hooks
    take longer than the budget, or whose rubric claims a year another rubric
    governs, gets a note.
    """
    fmt = chosen(fmt, as_json)
    # Strictness is applied after listing, so the listing still shows what is wrong.
    engine = Engine.default(strict=False, validate=True)
    rows = [plugin_to_json(info) for info in engine.plugins]
    if fmt == "json":
        emit_json(rows)
    else:
        texts = [
            {
                "name": row["name"],
                "distribution": (f"{row['distribution']} {row['version']}".strip() or "-")
                + (" (official)" if row["official"] else ""),
                "module": row["module"] or "-",
                "hook_api": "-" if row["hook_api"] is None else str(row["hook_api"]),
                "rubrics": ", ".join(row["rubrics"]) or "-",
                "hooks": ", ".join(h.removeprefix("spbe_") for h in row["hooks"]) or "-",
                "status": row["status"],
                "reason": row["reason"] if fmt == "csv" else one_line(row["reason"]),
                "notes": "; ".join(row["notes"]) if fmt == "csv" else one_line("; ".join(row["notes"])),
            }
            for row in rows
        ]
        columns = [
            Column(key="name", title="plugin", keep=True),
            Column(key="distribution", title="distribution", keep=True),
            Column(key="module", title="module", keep=True),
            Column(key="hook_api", title="API", keep=True),
            Column(key="rubrics", title="rubrics"),
            Column(key="hooks", title="hooks"),
            Column(key="status", title="status", keep=True),
            Column(key="reason", title="reason"),
            Column(key="notes", title="notes"),
        ]
        show(texts, columns, title="Rubric plugins", fmt=fmt)
    set_aside = [info for info in engine.plugins if not info.active]
    if set_aside and (strict or strict_from_env()):
        names = ", ".join(info.name for info in set_aside)
        raise PluginError(
            f"{len(set_aside)} plugin(s) set aside: {names}; first reason: {one_line(set_aside[0].reason)}",
            field="plugins",
            allowed=f"fix them, or run without --strict and {STRICT_ENV}",
        )
