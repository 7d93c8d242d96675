"""Rich rendering of score cards for people, with ``--explain`` showing how each number came about."""

from __future__ import annotations

from typing import Any

from .._numbers import format_exact
from .._plan import ScoringPlan
from .._scoring import ScoreCard
from ..report import explanation


def summary(card: ScoreCard) -> str:
    """Return the headline: index and predikat, or the candidates where they are not determined."""
    if not card.complete:
        lo, hi = card.index_range
        part = "-" if card.partial_index is None else format_exact(card.partial_index)
        return (
            f"PARTIAL: covers {float(card.completeness) * 100:.1f}% of the weight; not an index. "
            f"Mean over the indicators given: {part}; the full index would lie in "
            f"{format_exact(lo)}..{format_exact(hi)}; predikat could be "
            f"{' or '.join(card.predikat_candidates)}"
        )
    index = str(card.index) if card.index is not None else " or ".join(map(str, card.index_candidates))
    predikat = card.predikat or " or ".join(card.predikat_candidates)
    note = ""
    if card.index is None or card.predikat is None:
        note = "  (the published values admit more than one result; all are listed)"
    return f"Indeks {index}  {predikat}{note}"


def print_card(out: Any, card: ScoreCard, plan: ScoringPlan, explain: bool) -> None:
    """Print a score card as a headline and a table of domains (or aspects)."""
    from rich.table import Table

    who = " ".join(str(x) for x in (card.instansi, card.year) if x is not None)
    out.print(
        f"[bold]{who or 'assessment'}[/bold]  rubric {card.rubric_id} "
        f"[dim](sha256 {card.rubric_sha256[:12]}, plugin {card.provenance.plugin})[/dim]"
    )
    out.print(f"[bold]{summary(card)}[/bold]")
    table = Table(show_header=True)
    for column in ("id", "name", "weight %", "value", "exact"):
        table.add_column(column, justify="right" if column in ("weight %", "value", "exact") else "left")
    for group in card.groups:
        indent = "  " * _depth(plan, group.id)
        exact = (
            format_exact(group.value)
            if group.value is not None
            else " or ".join(format_exact(c) for c in group.candidates) or "-"
        )
        table.add_row(
            indent + group.id,
            group.name,
            format_exact(group.weight),
            "-" if group.published is None else str(group.published),
            exact,
        )
    out.print(table)
    if explain:
        (explain_levels if card.source == "levels" else explain_aggregates)(out, card, plan)


def _depth(plan: ScoringPlan, group_id: str) -> int:
    depth, parent = 0, plan.rubric.group(group_id).parent
    while parent is not None:
        depth, parent = depth + 1, plan.rubric.group(parent).parent
    return depth


def explain_levels(out: Any, card: ScoreCard, plan: ScoringPlan) -> None:
    """Show indicator → aspect → domain → index → predikat with weights and sums."""
    from rich.table import Table

    out.print("\n[bold]How the index came about[/bold] (contribution = value × weight / 100)")
    table = Table(show_header=True)
    for column in ("indicator", "group", "level", "value", "weight %", "contribution"):
        table.add_column(column)
    for ind in card.indicators:
        table.add_row(
            ind.id,
            ind.parent,
            "-" if ind.level is None else f"{ind.level} {ind.level_name}",
            "-" if ind.value is None else format_exact(ind.value),
            format_exact(ind.weight),
            "-" if ind.contribution is None else format_exact(ind.contribution),
        )
    out.print(table)
    _steps(out, card, plan)


def explain_aggregates(out: Any, card: ScoreCard, plan: ScoringPlan) -> None:
    """Show how published domain values were turned back into exact values and index candidates."""
    out.print("\n[bold]How the index came about[/bold] (from published, rounded values)")
    _steps(out, card, plan)


def _steps(out: Any, card: ScoreCard, plan: ScoringPlan) -> None:
    for step in explanation(card, plan)["steps"]:
        out.print(step, markup=False, highlight=False)
