"""``spbe crosswalk``: list the crosswalks, or show how one maps every target indicator."""

from __future__ import annotations

import click

from .._numbers import format_exact
from ..report import crosswalk_to_json
from .common import console, emit_json, engine_of


@click.command("crosswalk")
@click.argument("source", metavar="FROM", required=False)
@click.argument("target", metavar="TO", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def crosswalk_command(ctx: click.Context, source: str | None, target: str | None, as_json: bool) -> None:
    """Show the crosswalk from rubric FROM to rubric TO (without arguments: list the registered ones).

    Each target indicator is shown with its source indicators, how they
    combine and round to a level, its comparability mark (exact /
    approximate / none) and its basis.
    """
    engine = engine_of(ctx)
    if source is None or target is None:
        if source is not None:
            raise click.UsageError("give both FROM and TO, or neither")
        pairs = engine.crosswalk_pairs()
        if as_json:
            emit_json([{"from": a, "to": b, "plugin": engine.crosswalk_plugin((a, b))} for a, b in pairs])
            return
        for a, b in pairs:
            click.echo(f"{a} → {b}  ({engine.crosswalk_plugin((a, b))})")
        click.echo("Identities between rubrics with the same indicators and scales are generated.")
        return
    walk = engine.crosswalk(source, target)
    if as_json:
        emit_json(crosswalk_to_json(walk, engine))
        return
    from rich.table import Table

    out = console()
    out.print(f"[bold]{walk.title}[/]")
    for note in walk.notes:
        out.print(f"[dim]{note}[/]")
    table = Table(show_edge=False)
    for name in ("target", "sources", "rule", "mark", "basis", "reason"):
        table.add_column(name, overflow="fold")
    for m in walk.mappings:
        rule = (
            "" if not m.sources else m.combine + (f" → {m.level_rounding}" if m.combine in ("mean", "weighted") else "")
        )
        if m.weights:
            rule += " (" + ", ".join(format_exact(w) for w in m.weights) + ")"
        table.add_row(m.target, ", ".join(m.sources) or "–", rule, m.mark, m.basis, m.reason)
    out.print(table)
