"""``spbe rubric diff A B``: what changed between two rubric versions, as a table or JSON."""

from __future__ import annotations

import click

from ..diff import Inheritance, RubricDiff, diff_rubrics, inheritance
from ..engine import Engine
from .common import console, emit_json, engine_of

_STYLE = {
    "added": "green",
    "removed": "red",
    "renamed": "yellow",
    "re-identified": "yellow",
    "moved": "magenta",
    "reweighted": "cyan",
    "changed": "cyan",
}


def compare(engine: Engine, old_id: str, new_id: str) -> RubricDiff:
    """Diff two registered rubrics, with the inheritance of any that ``extends`` another."""
    old, new = engine.rubric(old_id), engine.rubric(new_id)
    records: list[Inheritance] = []
    for rubric in (old, new):
        if rubric.extends is not None and rubric.id not in {r.rubric for r in records}:
            records.append(
                inheritance(
                    rubric.id,
                    engine.rubric_data(rubric.id, resolved=False),
                    engine.rubric_data(rubric.extends),
                )
            )
    return diff_rubrics(old, new, records)


@click.command("diff")
@click.argument("old_id", metavar="A")
@click.argument("new_id", metavar="B")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_context
def diff_command(ctx: click.Context, old_id: str, new_id: str, as_json: bool) -> None:
    """Show what changed from rubric A to rubric B.

    Indicators and groups added, removed, renamed (same id, other name),
    re-identified (same name, other id), moved or reweighted; bands, level
    scales, rounding and the predikat rule, years and legal basis. For a rubric
    that extends another, also what it states itself and what it inherits.
    """
    result = compare(engine_of(ctx), old_id, new_id)
    if as_json:
        emit_json(result.to_json())
        return
    from rich.table import Table

    out = console()
    for record in result.inheritance:
        out.print(f"[bold]{record.rubric}[/bold] extends [bold]{record.base}[/bold]")
        out.print("  states itself: " + (", ".join(record.states) or "nothing"))
        if record.removes:
            out.print("  removes: " + ", ".join(record.removes))
        out.print("  inherits: " + (", ".join(record.inherited) or "nothing"))
    if result.identical:
        out.print(f"{result.old} and {result.new} are the same rubric content (no differences).")
        return
    table = Table(title=f"{result.old} → {result.new}")
    for column in ("section", "change", "item", "field"):
        table.add_column(column, no_wrap=True)
    for column in (result.old, result.new):
        table.add_column(column, overflow="fold", ratio=1)
    for change in result.changes:
        style = _STYLE.get(change.action, "")
        table.add_row(
            change.section,
            f"[{style}]{change.action}[/{style}]",
            change.subject,
            change.field,
            change.old or "",
            change.new or "",
        )
    out.print(table)
    summary = ", ".join(f"{count} {action}" for action, count in sorted(result.counts().items()))
    out.print(f"{len(result.changes)} changes: {summary}")
