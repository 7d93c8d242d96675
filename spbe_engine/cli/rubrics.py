"""``spbe rubrics`` and ``spbe rubric show``: what rubric versions exist and what they hold."""

from __future__ import annotations

import click

from .._numbers import format_exact
from ..errors import RubricError
from ..report import rubric_summary, rubric_to_json
from .common import console, emit_json, engine_of
from .lazy import LazyGroup
from .tables import Column, chosen, format_option, show


@click.command("rubrics")
@format_option
@click.pass_context
def rubrics_command(ctx: click.Context, fmt: str | None, as_json: bool) -> None:
    """List the registered rubric versions with legal basis, years, counts, plugin and content hash."""
    engine = engine_of(ctx)
    fmt = chosen(fmt, as_json)
    rows = []
    for rubric_id in engine.rubric_ids():
        try:
            rubric = engine.rubric(rubric_id)
        except RubricError as exc:  # one broken plugin must not hide the others
            click.echo(f"spbe: warning: rubric {rubric_id} not listed: {exc} (see `spbe plugins`)", err=True)
            continue
        info = engine.plugin_of(rubric.id)
        rows.append(rubric_summary(rubric, info.name, info.distribution, info.version))
    if fmt == "json":
        emit_json(rows)
        return
    texts = []
    for row in rows:
        years = row["years"]
        texts.append(
            {
                "id": row["id"],
                "legal_basis": row["legal_basis"],
                "years": f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0]) if years else "-",
                "counts": " / ".join(f"{n} {kind}s" for kind, n in row["counts"].items()),
                "plugin": f"{row['plugin']} ({row['distribution']} {row['version']})".strip(),
                "sha256": row["sha256"] if fmt == "csv" else row["sha256"][:12],
            }
        )
    columns = [
        Column(key="id", title="id", keep=True),
        Column(key="legal_basis", title="legal basis"),
        Column(key="years", title="years", keep=True),
        Column(key="counts", title="groups / indicators"),
        Column(key="plugin", title="plugin"),
        Column(key="sha256", title="sha256", keep=True),
    ]
    show(texts, columns, title="Rubric versions", fmt=fmt)


@click.group("rubric", cls=LazyGroup, lazy={"diff": ".diff:diff_command", "new": ".new:new_command"})
def rubric_group() -> None:
    """Inspect one rubric version, or compare two."""


@rubric_group.command("show")
@click.argument("rubric_id")
@click.option("--criteria", is_flag=True, help="Include each indicator's level criteria texts.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a tree.")
@click.pass_context
def show_command(ctx: click.Context, rubric_id: str, criteria: bool, as_json: bool) -> None:
    """Show a rubric's tree with weights, level scales, bands and rounding (and level criteria)."""
    engine = engine_of(ctx)
    rubric = engine.rubric(rubric_id)
    texts = dict(engine.criteria(rubric_id)) if criteria else None
    if as_json:
        emit_json(rubric_to_json(rubric, texts))
        return
    from rich.tree import Tree

    out = console()
    legal = rubric.legal_basis
    out.print(f"[bold]{rubric.id}[/bold]  {rubric.title}")
    out.print(f"legal basis: {legal.regulation}" + (f" — {legal.title}" if legal.title else ""))
    out.print(
        f"evaluation years: {', '.join(map(str, rubric.years))}"
        + (f"   extends: {rubric.extends}" if rubric.extends else "")
    )
    out.print(f"sha256: {rubric.sha256}")
    rule = "the rounded index" if rubric.rounding.predikat_on == "rounded" else "the unrounded index"
    out.print(
        f"rounding: {rubric.rounding.mode.replace('_', '-')} to {rubric.rounding.places} decimals; "
        f"predikat assigned on {rule}"
    )
    bands = "; ".join(f"{b.predikat} {format_exact(b.lower)}–<{format_exact(b.upper)}" for b in rubric.bands)
    out.print(f"bands: {bands} (top band includes {format_exact(rubric.bands[-1].upper)})")
    for scale in rubric.scales.values():
        out.print(f"scale {scale.id}: " + ", ".join(lv.label for lv in scale.levels))
    tree = Tree(f"{rubric.id} (weights in % of the index)")

    def add(branch: Tree, group_id: str) -> None:
        group = rubric.group(group_id)
        node = branch.add(f"[bold]{group.id}[/bold] {group.name} [dim]{group.kind}[/dim] {format_exact(group.weight)}")
        for child in group.children:
            add(node, child)
        for indicator_id in group.indicators:
            ind = rubric.indicator(indicator_id)
            leaf = node.add(f"{ind.id} {ind.name} [cyan]{format_exact(ind.weight)}[/cyan] [dim]{ind.scale}[/dim]")
            if texts is not None and ind.id in texts:
                crit = texts[ind.id]
                if crit.explanation:
                    leaf.add(f"[italic]{crit.explanation}[/italic]")
                scale = rubric.scales[ind.scale]
                for number, text in sorted(crit.levels.items()):
                    if number in scale.numbers:
                        leaf.add(f"{number} {scale.level(number).name}: {text}")

    for group in rubric.top_groups:
        add(tree, group.id)
    out.print(tree)
    if criteria and texts is not None and not texts:
        out.print("[dim]this rubric ships no level criteria texts[/dim]")
