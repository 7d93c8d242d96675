"""``spbe check [ID ...]``: run the conformance kit against installed rubrics and report readably."""

from __future__ import annotations

import time
from typing import Any

import click

from ..errors import SpbeError
from ..testing.names import CHECK_NAMES
from .common import console, emit_json, engine_of
from .plugins import one_line

#: Exit code when a rubric fails the kit.
EXIT_NONCONFORMING = 1


class KitMissing(SpbeError):
    """The ``testing`` extra (hypothesis) is not installed."""


def _kit() -> Any:
    from .. import testing  # light: the kit's modules load on first use

    try:
        testing.require_hypothesis()
    except ImportError:
        raise KitMissing(
            "the conformance kit needs the testing extra (hypothesis)",
            allowed=f"install it with: {testing.INSTALL_HINT}",
        ) from None
    return testing


def _style(status: str) -> str:
    return {"passed": "green", "failed": "bold red", "skipped": "yellow", "blocked": "red"}[status]


def _print(out: Any, report: Any) -> None:
    from rich.table import Table

    verdict = "[green]conforms[/green]" if report.ok else "[bold red]DOES NOT CONFORM[/bold red]"
    table = Table(title=f"{report.rubric}: {verdict}", title_justify="left", show_header=True)
    table.add_column("check")
    table.add_column("result")
    table.add_column("s", justify="right")
    table.add_column("detail", overflow="fold")
    for result in report.results:
        table.add_row(
            result.name, f"[{_style(result.status)}]{result.status}[/]", f"{result.seconds:.2f}", result.message
        )
    out.print(table)
    for result in report.results:
        if result.example and result.status == "failed":
            out.print(f"[bold]{report.rubric} / {result.name}[/bold], smallest failing example:")
            out.print(result.example, markup=False, highlight=False)


@click.command("check")
@click.argument("rubric_ids", metavar="[ID]...", nargs=-1)
@click.option(
    "--check", "checks", multiple=True, type=click.Choice(CHECK_NAMES), help="Run only this check (repeatable)."
)
@click.option(
    "--skip", "skips", multiple=True, type=click.Choice(CHECK_NAMES), help="Do not run this check (repeatable)."
)
@click.option(
    "--profile",
    type=click.Choice(["fast", "ci", "repro"]),
    default=None,
    help="Hypothesis profile: fast (default), ci (thorough) or repro (derandomized).",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Examples per property (overrides the profile).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
@click.pass_context
def check_command(
    ctx: click.Context,
    rubric_ids: tuple[str, ...],
    checks: tuple[str, ...],
    skips: tuple[str, ...],
    profile: str | None,
    max_examples: int | None,
    as_json: bool,
) -> int:
    """Run the conformance kit against installed rubrics (default: all of them).

    Every check is named (see `docs/kit.md`); the choices of --check list
    them all. Exits 1 if any rubric does not conform. Needs the testing
    extra (from a clone: pip install '.[testing]').
    """
    testing = _kit()
    engine = engine_of(ctx)
    for info in engine.plugins:  # a plugin set aside registers no rubric: say why before "unknown rubric"
        if not info.active:
            click.echo(f"spbe: note: plugin {info.name} was set aside: {one_line(info.reason)}", err=True)
    ids = rubric_ids or engine.rubric_ids()
    for rubric_id in ids:
        engine.rubric(rubric_id)  # an unknown id is a usage error, named before any check runs
    start = time.perf_counter()
    reports = [
        testing.check_rubric(
            rubric_id, engine, checks=checks or None, skip=skips, max_examples=max_examples, profile=profile
        )
        for rubric_id in ids
    ]
    elapsed = time.perf_counter() - start
    if as_json:
        emit_json(
            {
                "kit_version": testing.KIT_VERSION,
                "ok": all(r.ok for r in reports),
                "rubrics": [
                    {
                        "rubric": r.rubric,
                        "ok": r.ok,
                        "checks": [
                            {
                                "name": c.name,
                                "status": c.status,
                                "message": c.message,
                                "example": c.example,
                                "seconds": round(c.seconds, 3),
                            }
                            for c in r.results
                        ],
                    }
                    for r in reports
                ],
            }
        )
    else:
        out = console()
        for report in reports:
            _print(out, report)
        bad = [r.rubric for r in reports if not r.ok]
        summary = (
            f"{len(reports) - len(bad)} of {len(reports)} rubrics conform"
            + (f"; failing: {', '.join(bad)}" if bad else "")
            + f" (kit {testing.KIT_VERSION}, {elapsed:.1f}s)"
        )
        out.print(f"[bold]{summary}[/bold]")
    return 0 if all(report.ok for report in reports) else EXIT_NONCONFORMING
