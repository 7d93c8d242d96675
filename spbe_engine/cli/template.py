"""``spbe template``: write the evaluation worksheet (LKE) of a rubric, or an empty assessment file."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from .common import engine_of

_FILE = click.Path(path_type=Path, dir_okay=False)


@click.command("template")
@click.argument("rubric", metavar="RUBRIC")
@click.option(
    "--xlsx", "xlsx", type=click.Path(path_type=Path, dir_okay=False), help="Write the Excel worksheet (LKE)."
)
@click.option("--toml", "toml", type=click.Path(path_type=Path, dir_okay=False), help="Write an empty TOML assessment.")
@click.option(
    "--json", "json_", type=click.Path(path_type=Path, dir_okay=False), help="Write an empty JSON assessment."
)
@click.pass_context
def template_command(ctx: click.Context, rubric: str, xlsx: Path | None, toml: Path | None, json_: Path | None) -> None:
    """Write the worksheet (or an empty assessment file) of RUBRIC, a rubric id or an evaluation year.

    The worksheet has one row per indicator (domain, aspect, weight, the level
    criteria, a level cell limited to the rubric's scale, notes and an evidence
    link), a sheet of instansi details and a provisional index; fill it in and
    score it with `spbe score FILE.xlsx`.
    """
    targets = [(kind, path) for kind, path in (("xlsx", xlsx), ("toml", toml), ("json", json_)) if path is not None]
    if len(targets) != 1:
        raise InputError("name one file to write", field="options", allowed="--xlsx FILE, --toml FILE or --json FILE")
    kind, path = targets[0]
    if not path.parent.is_dir():
        raise InputError(
            "the folder to write into does not exist", field=f"--{kind}", value=str(path), allowed="an existing folder"
        )
    engine = engine_of(ctx)
    rubric_id = rubric.strip()
    if rubric_id.isascii() and rubric_id.isdigit() and len(rubric_id) == 4:
        rubric_id = engine.rubric_for_year(int(rubric_id)).id
    rubric_id = engine.rubric(rubric_id).id
    if kind == "xlsx":
        from ..worksheet import write_template

        write_template(engine, rubric_id, path)
    else:
        from ..worksheet import empty_assessment

        try:
            path.write_text(empty_assessment(engine, rubric_id, kind), encoding="utf-8")
        except OSError as exc:
            raise InputError(f"cannot write the file: {exc.strerror}", field=f"--{kind}", value=str(path)) from None
    click.echo(f"wrote {path} ({rubric_id})", err=True)
