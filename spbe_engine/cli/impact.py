"""``spbe impact``: what a rubric change does to a population of assessments."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from .._impact import Impact, measure_impact
from .._impact_report import impact_to_html, impact_to_json, summary
from .._numbers import format_exact, round_fraction
from ..batch import read_batch
from ..rescore import MISSING_POLICIES, MissingPolicy, check_policy
from . import EXIT_ROW_ERRORS
from .common import console, emit_json, engine_of


def _four(value: Any) -> str:
    return "–" if value is None else str(round_fraction(value, 4, "half_up"))


def print_impact(out: Any, impact: Impact, top: int) -> None:
    """Print the impact as rich tables: summary, transition matrix, changes, movers, drivers."""
    from rich.markup import escape
    from rich.table import Table

    facts = summary(impact)
    out.print(
        f"[bold]{impact.source} → {impact.target}[/]: {facts['rows']} rows, {facts['determinate']} "
        f"determinate, {facts['ambiguous']} ambiguous (several candidate predikat, counted apart), "
        f"{facts['partial']} partial, {facts['errors']} error{'s' * (facts['errors'] != 1)}"
    )
    for row in [r for r in impact.rows if r.status == "error"][:3]:
        out.print(f"[dim]error: row {row.number} ({escape(row.instansi)}): {escape(row.message)}[/]")
    out.print(
        f"{facts['predikat_changed']} change predikat; {facts['predikat_changed_with_same_index']} of them "
        "with an unchanged index (bands or band rule)"
    )
    matrix = Table(title="Predikat transitions (determinate rows)", show_edge=False)
    matrix.add_column(f"{impact.source} ↓ / {impact.target} →")
    for band in impact.bands_after:
        matrix.add_column(band, justify="right")
    for before in impact.bands_before:
        matrix.add_row(
            before,
            *(str(impact.matrix.get((before, after), 0) or "·") for after in impact.bands_after),
        )
    out.print(matrix)
    changes = Table(title="Index change (after − before)", show_edge=False)
    for name in ("from", "to", "rows", ""):
        changes.add_column(name, justify="right" if name != "" else "left")
    bins = impact.histogram()
    peak = max((n for _, _, n in bins), default=1) or 1
    for low, high, n in bins:
        changes.add_row(format_exact(low), format_exact(high), str(n), "█" * max(1 if n else 0, 30 * n // peak))
    out.print(changes)
    changes_ = impact.changes
    if changes_:
        mean = sum(changes_, Fraction(0)) / len(changes_)
        out.print(
            f"min {facts['change_min']}, median {facts['change_median']}, mean {_four(mean)}, max {facts['change_max']}"
        )
    movers = Table(title=f"Agencies that move most (top {top})", show_edge=False)
    for name in ("instansi", "before", "after", "change"):
        movers.add_column(name)
    for row in impact.movers(top):
        movers.add_row(
            row.instansi,
            f"{row.shown('before')} {row.before_predikat[0]}",
            f"{row.shown('after')} {row.after_predikat[0]}",
            f"{_four(row.change)} ({row.change_basis})",
        )
    out.print(movers)
    drivers = Table(
        title="Mean contribution to the index by top-level group, and the change each drives",
        show_edge=False,
    )
    for name in ("group", "before", "after", "drives"):
        drivers.add_column(name, justify="left" if name == "group" else "right")
    for d in impact.drivers:
        drivers.add_row(f"{d.id} {d.name}", _four(d.before), _four(d.after), _four(d.attributed))
    out.print(drivers)


@click.command("impact")
@click.argument("input_file", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--from", "source", metavar="ID", required=True, help="The rubric the rows were assessed under.")
@click.option("--to", "to", metavar="ID", required=True, help="The rubric to compare with.")
@click.option(
    "--missing",
    "missing",
    metavar="POLICY",
    help=f"For target indicators without a source: {', '.join(MISSING_POLICIES)}. No default.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--html",
    "html_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write a self-contained HTML report here (needs the 'report' extra).",
)
@click.option("--top", default=10, show_default=True, type=click.IntRange(1), help="How many movers to list.")
@click.pass_context
def impact_command(
    ctx: click.Context,
    input_file: Path,
    source: str,
    to: str,
    missing: str | None,
    as_json: bool,
    html_file: Path | None,
    top: int,
) -> int:
    """Show what moving the assessments in INPUT from rubric --from to --to changes.

    Same input as `spbe batch`. Reports the predikat transition matrix, the
    distribution of index changes, the agencies that move most and the mean
    contribution of each top-level group before and after. Rows whose
    published values admit several predikat are counted apart, not guessed.
    Exits 1 when some rows had errors (as `spbe batch` and `spbe rescore`).
    """
    engine = engine_of(ctx)
    policy = None if missing is None else MissingPolicy.parse(missing)
    check_policy(engine, source, to, policy)
    impact = measure_impact(engine, read_batch(input_file, source), source, to, policy)
    if html_file is not None:
        html_file.write_text(impact_to_html(impact, top), encoding="utf-8")
    if as_json:
        emit_json(impact_to_json(impact, top))
    else:
        print_impact(console(), impact, top)
        if html_file is not None:
            console().print(f"HTML report: {html_file}")
    errors = impact.count("error")
    if errors:
        click.echo(
            f"spbe: {errors} of {len(impact.rows)} rows had errors (not in the matrix; see the report)", err=True
        )
        return EXIT_ROW_ERRORS
    return 0
