"""``spbe rescore``: rescore a batch of past assessments under another rubric, through the crosswalk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ..engine import Engine
from ..errors import InputError, SpbeError
from ..inputs import BatchRow, read_batch
from ..numbers import format_exact
from ..rescore import MISSING_POLICIES, MissingPolicy, Rescored
from . import EXIT_ROW_ERRORS
from .batch import advancing, bar_wanted, error_result, progress_bar, write_results
from .common import engine_of

#: The columns ``spbe rescore`` adds to every row.
RESCORE_COLUMNS = (
    "from_rubric",
    "from_index",
    "from_predikat",
    "rubric",
    "index",
    "exact_index",
    "index_candidates",
    "predikat",
    "predikat_candidates",
    "coverage",
    "comparability",
    "imputed",
    "unscored",
    "status",
    "message",
)


def rescore_result(
    engine: Engine, row: BatchRow, to: str, source: str | None, policy: MissingPolicy | None
) -> tuple[Rescored | None, dict[str, Any]]:
    """Rescore one batch row; a bad row gets status ``error`` and a message, never an exception."""
    if row.error is not None or row.assessment is None:
        return None, error_result(row, row.error, RESCORE_COLUMNS)
    try:
        done = engine.rescore(row.assessment, to, source=source, missing=policy)
    except SpbeError as exc:
        return None, error_result(row, exc, RESCORE_COLUMNS)
    card, before = done.card, done.source_card
    status = "ok" if card.predikat is not None else "ambiguous"
    message = ""
    if not card.complete:
        status = "partial"
        message = (
            f"covers {format_exact(done.coverage * 100)}% of the {to} weight; not an index "
            f"(range {format_exact(card.index_range[0])}-{format_exact(card.index_range[1])})"
        )
    elif done.imputed:
        message = f"imputed ({done.policy}): {', '.join(done.imputed)}"
    if done.granularity == "group":
        message = "rescored at group level (identical groups; published values carried over)"
    return done, {
        "from_rubric": before.rubric_id,
        "from_index": None if before.index is None else str(before.index),
        "from_predikat": before.predikat if before.predikat is not None else list(before.predikat_candidates),
        "rubric": card.rubric_id,
        "index": None if card.index is None else str(card.index),
        "exact_index": None if card.exact_index is None else format_exact(card.exact_index),
        "index_candidates": [str(c) for c in card.index_candidates],
        "predikat": card.predikat,
        "predikat_candidates": list(card.predikat_candidates),
        "coverage": format_exact(done.coverage),
        "comparability": done.comparability,
        "imputed": list(done.imputed),
        "unscored": list(done.left),
        "status": status,
        "message": message,
    }


def rescore_rows(
    engine: Engine, path: Path, to: str, source: str | None, policy: MissingPolicy | None
) -> Iterator[tuple[BatchRow, Rescored | None, dict[str, Any]]]:
    """Yield every row of a batch file with its rescoring (or ``None``) and its result columns."""
    for row in read_batch(path, source):
        done, result = rescore_result(engine, row, to, source, policy)
        yield row, done, result


def check_policy(engine: Engine, source: str | None, to: str, policy: MissingPolicy | None) -> None:
    """Refuse up front a crosswalk with sourceless targets when no policy is named (when ``--from`` is known)."""
    engine.rubric(to)
    if source is None:
        return
    crosswalk = engine.crosswalk(source, to)
    if policy is None and crosswalk.unmapped:
        raise InputError(
            f"crosswalk {source} → {to} has no source for {len(crosswalk.unmapped)} target indicators "
            f"({', '.join(crosswalk.unmapped)}); name a missing-data policy with --missing",
            field="--missing",
            allowed=", ".join(MISSING_POLICIES),
        )


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
    engine = engine_of(ctx)
    policy = None if missing is None else MissingPolicy.parse(missing)
    check_policy(engine, source, to, policy)
    rows: Iterator[tuple[BatchRow, dict[str, Any]]] = (
        (row, result) for row, _done, result in rescore_rows(engine, input_file, to, source, policy)
    )
    shown = bar_wanted(out_file)
    with progress_bar(input_file, shown=shown) as advance:
        rows = advancing(rows, advance) if shown else rows
        total, failed = write_results(out_file, rows, as_json=as_json, columns=RESCORE_COLUMNS)
    if failed:
        click.echo(f"spbe: {failed} of {total} rows had errors (status 'error'; see message)", err=True)
        return EXIT_ROW_ERRORS
    return 0
