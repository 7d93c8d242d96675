"""``spbe rescore``: rescore a batch of past assessments under another rubric, through the crosswalk."""

from __future__ import annotations

from pathlib import Path

import click

from ..rescore import MISSING_POLICIES
from .common import engine_of, run_batch


@click.command("rescore")
@click.argument("input_file", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--to", "to", metavar="ID", required=True, help="The rubric to rescore under.")
@click.option(
    "--from",
    "source",
    metavar="ID",
    help="The rubric of every row (default: the row's, else its year's).",
)
@click.option(
    "--missing",
    "missing",
    metavar="POLICY",
    help=f"For target indicators without a source: {', '.join(MISSING_POLICIES)}. No default.",
)
@click.option(
    "--out",
    "out_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write here instead of stdout.",
)
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object per row (JSON Lines).")
@click.pass_context
def rescore_command(
    ctx: click.Context,
    input_file: Path,
    to: str,
    source: str | None,
    missing: str | None,
    out_file: Path | None,
    as_json: bool,
) -> int:
    """Rescore every row of a CSV or JSON Lines INPUT under rubric --to, through the crosswalk.

    Same input as `spbe batch`. Adds the source and target index and predikat,
    coverage (share of the target weight from mapped data), comparability
    (exact / approximate / partial), the imputed and unscored indicators,
    status and message. Target indicators without a source need --missing:
    `leave` (partial index), `impute:lowest`, `impute:group-mean` or
    `impute:overall-mean`. Published domain values are carried over only
    between rubrics with identical groups (e.g. spbe-2023 to spbe-2024).
    """
    from ..batch import write_rescores

    engine = engine_of(ctx)
    return run_batch(
        input_file,
        out_file,
        lambda out, progress, note: write_rescores(
            engine, input_file, out, to, source=source, missing=missing, as_json=as_json, progress=progress, note=note
        ),
    )
