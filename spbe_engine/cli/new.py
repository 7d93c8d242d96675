"""``spbe rubric new ID --from BASE``: scaffold a new rubric version as its own plugin distribution."""

from __future__ import annotations

from pathlib import Path

import click

from .._scaffold import new_rubric_plugin
from .common import console, engine_of


@click.command("new")
@click.argument("rubric_id", metavar="ID")
@click.option("--from", "base_id", required=True, metavar="BASE", help="The installed rubric to start from.")
@click.option(
    "--path",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(),
    show_default=True,
    help="Where to create the plugin project (spbe-rubric-ID/ inside it).",
)
@click.option(
    "--year",
    "years",
    type=int,
    multiple=True,
    metavar="YEAR",
    help="Evaluation year the new rubric governs (repeatable; default: the year after BASE's last).",
)
@click.option("--title", default=None, help="The new rubric's title (default: BASE's, marked as derived).")
@click.pass_context
def new_command(
    ctx: click.Context, rubric_id: str, base_id: str, directory: Path, years: tuple[int, ...], title: str | None
) -> None:
    """Create a plugin package for a new rubric version ID, derived from BASE.

    Writes spbe-rubric-ID/ with its pyproject (the spbe_engine entry point),
    a module that registers the rubric, the rubric TOML (BASE written out in
    full, comments kept), golden cases and a test module that runs the
    conformance kit. As generated it installs and passes the kit.
    """
    engine = engine_of(ctx)
    scaffold = new_rubric_plugin(engine, rubric_id, base_id, directory, years=list(years) or None, title=title)
    out = console()
    out.print(f"Created [bold]{scaffold.root}[/bold] (rubric {rubric_id}, derived from {base_id})")
    for path in scaffold.files:
        out.print(f"  {path.relative_to(scaffold.root)}", markup=False)
    out.print(f"Next: cd {scaffold.root} && python -m pip install -e '.[testing]' && python -m pytest", markup=False)
