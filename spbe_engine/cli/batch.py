"""``spbe batch``: score a CSV, JSON Lines or workbook file of assessments, streaming (see :mod:`spbe_engine.batch`)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import click

from ..errors import InputError
from .common import engine_of, run_batch


@click.command("batch")
@click.argument("input_file", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--rubric", "rubric_id", metavar="ID", help="Rubric id for every row (default: the row's, else its year's)."
)
@click.option(
    "--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), help="Write here instead of stdout."
)
@click.option("--json", "as_json", is_flag=True, help="Write one JSON object per row (JSON Lines).")
@click.option("--partial", is_flag=True, help="Allow missing indicators (status 'partial', no index).")
@click.pass_context
def batch_command(
    ctx: click.Context, input_file: Path, rubric_id: str | None, out_file: Path | None, as_json: bool, partial: bool
) -> int:
    """Score every row of a CSV, JSON Lines or Excel (.xlsx: its first sheet) INPUT.

    Columns: `instansi`, `year`, optional `rubric`, and indicator ids (I1, ...)
    or domain ids (D1, ..., case-insensitive); other columns are carried
    through. Adds index, exact_index, index_candidates, predikat,
    predikat_candidates, rubric, status and message. A bad row gets status
    `error` and the other rows are still scored; the exit code is then 1.
    With `--out FILE.xlsx` the CSV's rows are written as a workbook, every
    cell as the CSV's text.
    """
    from ..batch import write_scores

    engine = engine_of(ctx)

    def job(out: IO[str], progress: Callable[[int], None], note: Callable[[str], None]) -> tuple[int, int]:
        return write_scores(
            engine, input_file, out, rubric_id, partial=partial, as_json=as_json, progress=progress, note=note
        )

    if out_file is None or out_file.suffix.lower() != ".xlsx":
        return run_batch(input_file, out_file, job)
    if as_json:
        raise InputError(
            "--json writes JSON Lines, not a workbook", field="--out", value=str(out_file), allowed=".jsonl"
        )
    from ..worksheet import csv_to_workbook, require_openpyxl

    require_openpyxl()
    if not out_file.parent.is_dir():
        raise InputError(
            "the folder to write into does not exist", field="--out", value=str(out_file), allowed="an existing folder"
        )
    with tempfile.TemporaryDirectory() as folder:
        rows = Path(folder) / "rows.csv"
        code = run_batch(input_file, rows, job)
        csv_to_workbook(rows, out_file)
    return code
