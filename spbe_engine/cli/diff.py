"""``spbe rubric diff A B``: what changed between two rubric versions, as a table or JSON."""

from __future__ import annotations

import click

from .common import emit_json, engine_of
from .tables import Column, chosen, format_option, show


@click.command("diff")
@click.argument("old_id", metavar="A")
@click.argument("new_id", metavar="B")
@format_option
@click.pass_context
def diff_command(ctx: click.Context, old_id: str, new_id: str, fmt: str | None, as_json: bool) -> None:
    """Show what changed from rubric A to rubric B.

    Indicators and groups added, removed, renamed (same id, other name),
    re-identified (same name, other id), moved or reweighted; bands, level
    scales, rounding and the predikat rule, years and legal basis. For a rubric
    that extends another, also what it states itself and what it inherits.
    """
    fmt = chosen(fmt, as_json)
    result = engine_of(ctx).diff(old_id, new_id)
    if fmt == "json":
        emit_json(result.to_json())
        return
    rows = [
        {
            "section": change.section,
            "action": change.action,
            "item": change.subject,
            "field": change.field,
            "old": change.old or "",
            "new": change.new or "",
        }
        for change in result.changes
    ]
    columns = [
        Column(key="item", title="item", keep=True),
        Column(key="section", title="section", keep=True),
        Column(key="action", title="change", keep=True),
        Column(key="field", title="field", keep=True),
        Column(key="old", title=result.old),
        Column(key="new", title=result.new),
    ]
    if fmt == "csv":
        show(rows, columns, title="", fmt=fmt)
        return
    for record in result.inheritance:
        click.echo(f"{record.rubric} extends {record.base}")
        click.echo("  states itself: " + (", ".join(record.states) or "nothing"))
        if record.removes:
            click.echo("  removes: " + ", ".join(record.removes))
        click.echo("  inherits: " + (", ".join(record.inherited) or "nothing"))
    if result.identical:
        click.echo(f"{result.old} and {result.new} are the same rubric content (no differences).")
        return
    show(rows, columns, title=f"{result.old} → {result.new}", fmt=fmt)
    summary = ", ".join(f"{count} {action}" for action, count in sorted(result.counts().items()))
    click.echo(f"{len(result.changes)} changes: {summary}")
