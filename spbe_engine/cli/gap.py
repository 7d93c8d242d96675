"""``spbe gap``: the smallest set of improvements that reaches a target predikat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from .._gap import GapPlan
from .._numbers import format_exact, round_fraction
from .._plan import ScoringPlan
from ..errors import SpbeError
from ..report import gap_to_json
from .common import console, emit_json, engine_of, read_input


def _value(plan: ScoringPlan, gap: GapPlan, item: str, value: Any) -> str:
    if gap.granularity == "group":
        return str(round_fraction(value, plan.rounding.places, plan.rounding.mode))
    level = int(value)
    return f"{level} {plan.rubric.scale_of(item).level(level).name}"


def print_gap(out: Any, gap: GapPlan, plan: ScoringPlan) -> None:
    """Print the plan as a rich table, one row per step (runs on one domain are folded in group mode)."""
    from rich.table import Table

    unit = "indicator level" if gap.granularity == "indicator" else "indicator level inside a domain"
    out.print(
        f"[bold]{plan.rubric.id}[/]: {gap.start_published} {gap.start_predikat} → {gap.target}: "
        f"{len(gap.steps)} step{'s' * (len(gap.steps) != 1)} (one {unit} each), "
        f"gain {format_exact(gap.gain)}"
    )
    if not gap.steps:
        out.print(f"Already {gap.start_predikat}: nothing to raise.")
        return
    table = Table(show_edge=False)
    for name, justify in (
        ("#", "right"),
        ("raise", "left"),
        ("from → to", "left"),
        ("gain", "right"),
        ("exact", "right"),
        ("index", "right"),
        ("predikat", "left"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    runs: list[list[Any]] = []
    for n, step in enumerate(gap.steps, start=1):
        if gap.granularity == "group" and runs and runs[-1][1] == step.item:
            runs[-1][0] = (runs[-1][0][0], n)
            runs[-1][3] = step.after
            runs[-1][4] += step.gain
            runs[-1][5] = step
            continue
        runs.append([(n, n), step.item, step.before, step.after, step.gain, step])
    for (first, last), item, before, after, gain, step in runs:
        numbers = str(first) if first == last else f"{first}-{last}"
        shown = (
            f"{_value(plan, gap, item, before)} → {_value(plan, gap, item, after)}"
            if gap.granularity == "group"
            else f"{int(before)} → {_value(plan, gap, item, after)}"
        )
        table.add_row(
            numbers,
            item,
            shown,
            format_exact(gain),
            format_exact(step.index),
            str(step.published),
            step.predikat,
        )
    out.print(table)
    for note in gap.notes:
        out.print(f"[dim]note: {note}[/]")


@click.command("gap")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--target", required=True, metavar="PREDIKAT", help="The predikat to reach (e.g. Baik).")
@click.option("--rubric", "rubric_id", metavar="ID", help="Rubric id (default: the file's, else its year's).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.pass_context
def gap_command(ctx: click.Context, file: Path, target: str, rubric_id: str | None, as_json: bool) -> None:
    """Show the fewest improvements that lift the assessment in FILE to --target.

    FILE is a TOML or JSON assessment, or a worksheet (.xlsx) filled in from `spbe template`.

    Fewest steps first, then the largest index gain; each step raises one
    indicator by one level; from published domain values, where the levels are
    unknown, a step is one indicator level inside a named domain, counted at the
    least it can gain for any levels the published values admit. Steps are listed with their gain and the index after
    them, exact and as published, under the assessment's own band rule.
    """
    engine = engine_of(ctx)
    assessment, _ = read_input(engine, file)
    try:
        gap = engine.gap(assessment, target, rubric_id)
    except SpbeError as exc:
        raise exc.with_file(str(file)) from None
    if as_json:
        emit_json(gap_to_json(gap))
        return
    print_gap(console(), gap, engine.plan(gap.rubric_id))
