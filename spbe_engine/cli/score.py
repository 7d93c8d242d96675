"""``spbe score``: score one assessment file (TOML or JSON) or one filled worksheet (.xlsx)."""

from __future__ import annotations

from pathlib import Path

import click

from ..report import card_to_json, explanation
from .common import console, emit_json, engine_of, read_input
from .render import print_card


@click.command("score")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--rubric", "rubric_id", metavar="ID", help="Rubric id (default: the file's, else its year's).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--explain", is_flag=True, help="Show how each number came about (with --json: an 'explanation' object).")
@click.option("--partial", is_flag=True, help="Allow missing indicators; report completeness, not an index.")
@click.pass_context
def score_command(
    ctx: click.Context, file: Path, rubric_id: str | None, as_json: bool, explain: bool, partial: bool
) -> None:
    """Score one assessment from a TOML or JSON FILE, or a worksheet (.xlsx) written by `spbe template`.

    The file holds `instansi`, `year`, optionally `rubric`, and either a
    `levels` table (I1 = 3, ...) or a `domains` table of published values
    (D1 = 2.90, ...).
    """
    engine = engine_of(ctx)
    assessment, sheet = read_input(engine, file, partial=partial)
    try:
        card = engine.score(assessment, rubric_id, partial=partial)
    except Exception as exc:
        from ..errors import SpbeError

        if isinstance(exc, SpbeError):
            raise exc.with_file(str(file)) from None
        raise
    if as_json:
        data = card_to_json(card)
        if explain:
            data["explanation"] = explanation(card, engine.plan(card.rubric_id))
        if sheet is not None:
            data["worksheet"] = sheet.to_json(card, engine.rubric(sheet.rubric_id).sha256)
        emit_json(data)
        return
    if sheet is not None:
        for note in sheet.notes(card, engine.rubric(sheet.rubric_id).sha256):
            click.echo(f"spbe: warning: {note}", err=True)
    print_card(console(), card, engine.plan(card.rubric_id), explain)
