"""``spbe archive``: keep every assessment and every scoring of it in a SQLite file or PostgreSQL.

Each subcommand opens the archive named by ``--db`` (or ``SPBE_DB``, else
``spbe-archive.sqlite`` here), does one thing in its own transactions and
prints a table (``--json``: the records the Python API returns). Without the
``archive`` extra the group says in one line how to install it.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .._extras import install_hint
from ..errors import SpbeError
from .common import emit_json, engine_of
from .lazy import LazyGroup
from .tables import Column, chosen, format_option, show

if TYPE_CHECKING:
    from ..archive import Archive

_NEEDED = ("sqlalchemy", "alembic")


def _db_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        "db",
        metavar="URL",
        help="The archive: a SQLite file, sqlite:///FILE or postgresql+psycopg://USER:PASSWORD@HOST/DB "
        "(default: $SPBE_DB, else spbe-archive.sqlite here).",
    )(command)


def _where_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--where",
        "where",
        metavar="KEY=VALUE",
        multiple=True,
        help="Filter (repeatable): year=2024 (or 2021..2023), instansi=NAME, category=, region=, source=, "
        "kind=levels|aggregates|printed, import=RUN; listings also rubric=, status=, predikat=, "
        "comparability=, run=.",
    )(command)


@click.group("archive", cls=LazyGroup)  # its help lists whole first sentences, as `spbe --help` does
@_db_option
@click.pass_context
def archive_group(ctx: click.Context, db: str | None) -> None:
    """Keep every assessment and every scoring of it: import, rescore, history, diff, verify, audit."""
    missing = [name for name in _NEEDED if importlib.util.find_spec(name) is None]
    if missing:
        raise SpbeError(
            f"spbe archive needs the 'archive' extra ({', '.join(missing)} missing): {install_hint('archive')}"
        )
    ctx.meta["spbe_archive_db"] = db


@contextmanager
def _open(ctx: click.Context, db: str | None, *, create: bool = False) -> Iterator[Archive]:
    from ..archive import Archive

    url = db if db is not None else ctx.meta.get("spbe_archive_db")
    engine = engine_of(ctx)
    archive = Archive.init(url, engine=engine) if create else Archive(url, engine=engine)
    try:
        yield archive
    finally:
        archive.close()


def _note(text: str) -> None:
    click.echo(f"spbe: {text}", err=True)


# -- schema -------------------------------------------------------------------------------------------------------
@archive_group.command("init")
@_db_option
@click.pass_context
def init_command(ctx: click.Context, db: str | None) -> None:
    """Create the archive (a SQLite file here by default) at the newest schema; an existing one is left as it is."""
    with _open(ctx, db, create=True) as archive:
        click.echo(f"archive ready at {archive.url} (schema {archive.revision()})")


@archive_group.command("upgrade")
@_db_option
@click.pass_context
def upgrade_command(ctx: click.Context, db: str | None) -> None:
    """Migrate an existing archive's schema to the newest revision this spbe-engine knows."""
    from ..archive import Archive

    url = db if db is not None else ctx.meta.get("spbe_archive_db")
    archive, before, after = Archive.upgrading(url, engine=None)
    with archive:
        if before == after:
            click.echo(f"{archive.url}: schema {after}, the newest; nothing to do")
        else:
            click.echo(f"{archive.url}: schema {before or '(none)'} → {after}")


# -- writes -------------------------------------------------------------------------------------------------------
@archive_group.command("import")
@click.argument("input_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--source", metavar="NAME", help="Who printed these figures (for rows without a 'source' column).")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@_db_option
@click.pass_context
def import_command(ctx: click.Context, input_file: Path, source: str | None, as_json: bool, db: str | None) -> int:
    """Import assessments from CSV, JSON Lines, TOML or JSON; score each under its own rubric.

    Published national tables are read as they are.

    Content already in the archive (same instansi, year, rubric, scores,
    printed index and predikat, and source) is a duplicate and left alone.
    Exit 1 when some rows were refused (each listed with its reason).
    """
    with _open(ctx, db) as archive:
        report = archive.import_file(input_file, source=source)
    if as_json:
        emit_json(report.to_json())
    else:
        statuses = ", ".join(f"{n} {s}" for s, n in report.statuses.items()) or "none"
        click.echo(
            f"run #{report.run.id}: imported {report.imported} assessments from {report.file} "
            f"({report.duplicates} duplicates of content already archived, {report.refused} refused); "
            f"scored under their own rubric: {statuses}"
        )
    for refused in report.refused_rows:
        _note(f"row {refused.row} (line {refused.line}) refused: {refused.message}")
    if report.refused > len(report.refused_rows):
        _note(f"… and {report.refused - len(report.refused_rows)} more refused rows")
    return 1 if report.refused else 0


@archive_group.command("rescore")
@click.option("--to", "to", metavar="ID", required=True, help="The rubric to rescore under.")
@_where_option
@click.option(
    "--missing",
    metavar="POLICY",
    help="For target indicators without a source: leave, impute:lowest, impute:group-mean or impute:overall-mean.",
)
@click.option(
    "--batch-rows", type=click.IntRange(1), default=5000, show_default=True, help="Assessments per transaction."
)
@click.option("--json", "as_json", is_flag=True, help="Print the run as JSON.")
@_db_option
@click.pass_context
def rescore_command(
    ctx: click.Context,
    to: str,
    where: tuple[str, ...],
    missing: str | None,
    batch_rows: int,
    as_json: bool,
    db: str | None,
) -> None:
    """Rescore archived assessments under rubric --to through the crosswalks, as one run of new scorings.

    Nothing is overwritten: each assessment gets one more scoring. Batches
    commit as they go and the run is recorded last; a run that was killed is
    completed by the next rescore with the same options.
    """
    with _open(ctx, db) as archive:
        with _bar() as advance:
            report = archive.rescore(to, where=list(where), missing=missing, batch_rows=batch_rows, progress=advance)
        errors = [f"run={report.run.id}", "status=error"]
        first_error = archive.scorings(errors, limit=1).items if report.statuses.get("error") else []
    if as_json:
        emit_json(report.to_json())
        return
    run = report.run
    statuses = ", ".join(f"{n} {s}" for s, n in report.statuses.items()) or "nothing selected"
    marks = ", ".join(f"{n} {c}" for c, n in report.comparability.items())
    click.echo(f"run #{run.id}: rescored {run.rows} assessments under {to} ({run.params['sha256'][:12]}): {statuses}")
    if marks:
        click.echo(f"comparability: {marks}")
    if first_error:
        message = first_error[0].result.get("message") or "no message"
        click.echo(f"first error (assessment {first_error[0].assessment_id}): {message}")
        click.echo(f"every error: spbe archive list --where {errors[0]} --where {errors[1]}")
    if report.adopted:
        click.echo(f"completed an unfinished run ({report.adopted_rows} scorings were already committed)")


@contextmanager
def _bar() -> Iterator[Callable[[int, int], None]]:
    if not sys.stderr.isatty():
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("rescoring"), BarColumn(), MofNCompleteColumn(), transient=True, console=Console(stderr=True)
    ) as bar:
        task = bar.add_task("rescore", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)


# -- reads --------------------------------------------------------------------------------------------------------
def _index(scoring: dict[str, Any]) -> str:
    if scoring.get("index"):
        return str(scoring["index"])
    return " | ".join(scoring.get("result", {}).get("index_candidates") or []) or "-"


def _predikat(scoring: dict[str, Any]) -> str:
    if scoring.get("predikat"):
        return str(scoring["predikat"])
    return " | ".join(scoring.get("result", {}).get("predikat_candidates") or []) or "-"


_HISTORY = (
    Column(key="year", title="Year", keep=True),
    Column(key="assessment", title="Assessment", keep=True),
    Column(key="source", title="Source"),
    Column(key="printed", title="Printed", keep=True),
    Column(key="run", title="Run", keep=True),
    Column(key="rubric", title="Rubric (sha256)", keep=True),
    Column(key="status", title="Status", keep=True),
    Column(key="index", title="Index", keep=True),
    Column(key="predikat", title="Predikat", keep=True),
    Column(key="comparability", title="Comparability", keep=True),
)


@archive_group.command("history")
@click.argument("instansi")
@format_option
@_db_option
@click.pass_context
def history_command(ctx: click.Context, instansi: str, fmt: str | None, as_json: bool, db: str | None) -> None:
    """Show every year and every rubric of one INSTANSI (name, part of it, code or id) in one table."""
    fmt = chosen(fmt, as_json)
    with _open(ctx, db) as archive:
        found = archive.history(instansi)
    if fmt == "json":
        emit_json(found.to_json())
        return
    rows = []
    for entry in found.entries:
        a = entry.assessment
        s = None if entry.scoring is None else entry.scoring.to_json()
        printed = " ".join(x for x in (a.printed_index, a.printed_predikat) if x) or "-"
        rows.append(
            {
                "year": str(a.year or "-"),
                "assessment": str(a.id),
                "source": a.source or a.origin_file,
                "printed": printed,
                "run": "-" if s is None else f"#{s['run']}",
                "rubric": "-" if s is None else f"{s['rubric_id'] or '?'} ({(s['rubric_sha256'] or '-')[:12]})",
                "status": "-" if s is None else s["status"],
                "index": "-" if s is None else _index(s),
                "predikat": "-" if s is None else _predikat(s),
                "comparability": "-" if s is None else (s["comparability"] or "-"),
            }
        )
    show(rows, _HISTORY, title=f"{found.instansi.name} (instansi {found.instansi.id})", fmt=fmt)


@archive_group.command("show")
@click.argument("assessment_id", metavar="ID", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON, each scoring's full result included.")
@_db_option
@click.pass_context
def show_command(ctx: click.Context, assessment_id: int, as_json: bool, db: str | None) -> None:
    """Show one assessment: what was imported, from where, and every scoring of it."""
    with _open(ctx, db) as archive:
        view = archive.show(assessment_id)
    if as_json:
        emit_json(view.to_json())
        return
    a = view.assessment
    click.echo(f"assessment {a.id}: {view.instansi.name}, {a.year}, {a.kind}")
    click.echo(f"  scores: {', '.join(f'{k} {v}' for k, v in a.scores.items()) or '-'}")
    click.echo(f"  printed: {a.printed_index or '-'} {a.printed_predikat or ''}".rstrip())
    click.echo(f"  source: {a.source or '-'}; from {a.origin_file} row {a.origin_row} (run #{a.import_run})")
    click.echo(f"  content sha256: {a.content_sha256}")
    for s in view.scorings:
        data = s.to_json()
        line = f"  run #{s.run} {s.kind} under {s.rubric_id} ({(s.rubric_sha256 or '-')[:12]}): {s.status}"
        line += f", index {_index(data)}, predikat {_predikat(data)}"
        if s.comparability:
            line += f", {s.comparability} (from {s.source_rubric_id}, {s.missing_policy or 'no policy'})"
        click.echo(line)
        if s.result.get("message"):
            click.echo(f"      {s.result['message']}")


_RUNS = (
    Column(key="id", title="Run", keep=True),
    Column(key="kind", title="Kind", keep=True),
    Column(key="finished", title="Finished (UTC)", keep=True),
    Column(key="rows", title="Rows", keep=True),
    Column(key="params", title="What"),
    Column(key="outcome", title="Outcome"),
)


@archive_group.command("runs")
@click.option(
    "--unfinished", is_flag=True, help="List runs that started and were not recorded (the next run adopts them)."
)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@format_option
@_db_option
@click.pass_context
def runs_command(
    ctx: click.Context, unfinished: bool, limit: int, fmt: str | None, as_json: bool, db: str | None
) -> None:
    """List recorded runs, newest first: imports and rescores, with what each did."""
    fmt = chosen(fmt, as_json)
    with _open(ctx, db) as archive:
        if unfinished:
            emit_json(archive.unfinished())
            return
        page = archive.runs(limit=limit)
    if fmt == "json":
        emit_json(page.to_json())
        return
    rows = [
        {
            "id": f"#{r.id}",
            "kind": r.kind,
            "finished": r.finished_at.strftime("%Y-%m-%d %H:%M:%S"),
            "rows": str(r.rows),
            "params": ", ".join(f"{k}={v}" for k, v in r.params.items() if v not in (None, {}, [])),
            "outcome": r.outcome,
        }
        for r in page.items
    ]
    show(rows, _RUNS, title="Runs", fmt=fmt)


_LIST = (
    Column(key="id", title="Scoring", keep=True),
    Column(key="assessment", title="Assessment", keep=True),
    Column(key="run", title="Run", keep=True),
    Column(key="rubric", title="Rubric", keep=True),
    Column(key="status", title="Status", keep=True),
    Column(key="index", title="Index", keep=True),
    Column(key="predikat", title="Predikat", keep=True),
    Column(key="comparability", title="Comparability", keep=True),
)


@archive_group.command("list")
@_where_option
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--after", type=int, help="Start after this scoring id (the 'next' of the previous page).")
@format_option
@_db_option
@click.pass_context
def list_command(
    ctx: click.Context,
    where: tuple[str, ...],
    limit: int,
    after: int | None,
    fmt: str | None,
    as_json: bool,
    db: str | None,
) -> None:
    """List scorings, filtered and paginated (the listing the HTTP layer serves)."""
    fmt = chosen(fmt, as_json)
    with _open(ctx, db) as archive:
        page = archive.scorings(list(where), limit=limit, after=after)
    if fmt == "json":
        emit_json(page.to_json())
        return
    rows = []
    for s in page.items:
        data = s.to_json()
        rows.append(
            {
                "id": str(s.id),
                "assessment": str(s.assessment_id),
                "run": f"#{s.run}",
                "rubric": s.rubric_id or "-",
                "status": s.status,
                "index": _index(data),
                "predikat": _predikat(data),
                "comparability": s.comparability or "-",
            }
        )
    show(rows, _LIST, title="Scorings", fmt=fmt)
    if page.next is not None and fmt == "table":
        _note(f"more: --after {page.next}")


@archive_group.command("diff")
@click.argument("run_a", metavar="RUN_A", type=int)
@click.argument("run_b", metavar="RUN_B", type=int)
@click.option("--top", type=click.IntRange(0), default=10, show_default=True, help="How many movers to list.")
@click.option("--json", "as_json", is_flag=True, help="Print the diff as JSON.")
@_db_option
@click.pass_context
def diff_command(ctx: click.Context, run_a: int, run_b: int, top: int, as_json: bool, db: str | None) -> None:
    """Compare two runs over the assessments both scored: movers, predikat changes, status changes."""
    with _open(ctx, db) as archive:
        d = archive.diff(run_a, run_b, top=top)
    if as_json:
        emit_json(d.to_json())
        return
    click.echo(
        f"run #{d.run_a.id} ({d.run_a.kind}) → run #{d.run_b.id} ({d.run_b.kind}): {d.common} assessments in both "
        f"({d.only_a} only in #{d.run_a.id}, {d.only_b} only in #{d.run_b.id}); {d.unchanged} unchanged, "
        f"{d.not_comparable} without an index on one side"
    )
    if d.movers:
        click.echo("movers:")
        for c in d.movers:
            click.echo(
                f"  {c.instansi} {c.year}: {c.index_a} → {c.index_b} ({c.delta:+}) {c.predikat_a} → {c.predikat_b}"
            )
    click.echo(f"predikat changes: {len(d.predikat_changes)}")
    for c in d.predikat_changes:
        click.echo(
            f"  {c.instansi} {c.year}: {c.predikat_a} → {c.predikat_b} (index {c.index_a or '-'} → {c.index_b or '-'})"
        )
    if d.status_changes:
        click.echo(f"status changes: {len(d.status_changes)}")
        counts: dict[str, int] = {}
        for c in d.status_changes:
            key = f"{c.status_a} → {c.status_b}"
            counts[key] = counts.get(key, 0) + 1
        for key, n in sorted(counts.items()):
            click.echo(f"  {key}: {n}")


@archive_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default="csv", show_default=True)
@click.option(
    "--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), help="Write here (Parquet needs it)."
)
@_where_option
@_db_option
@click.pass_context
def export_command(ctx: click.Context, fmt: str, out_file: Path | None, where: tuple[str, ...], db: str | None) -> None:
    """Export scorings with their assessment and instansi, one row each: CSV, JSON Lines or Parquet."""
    from .common import output

    with _open(ctx, db) as archive:
        if fmt == "parquet":
            if out_file is None:
                raise click.UsageError("--format parquet writes a file: give --out FILE.parquet")
            count = archive.export(out_file, fmt=fmt, where=list(where))
        else:
            with output(out_file) as out:
                count = archive.export(out, fmt=fmt, where=list(where))
    if out_file is not None:
        _note(f"wrote {count} scorings to {out_file}")


@archive_group.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@_db_option
@click.pass_context
def verify_command(ctx: click.Context, as_json: bool, db: str | None) -> int:
    """Recompute every stored scoring; report any that no longer reproduce and the rubric hashes that drifted.

    Exit 1 when some scoring no longer reproduces.
    """
    with _open(ctx, db) as archive:
        report = archive.verify()
    if as_json:
        emit_json(report.to_json())
    else:
        click.echo(f"{report.checked} scorings checked: {report.reproduced} reproduce, {report.not_reproduced} do not")
        for d in report.drift:
            click.echo(
                f"  {d.what} {d.id}: stored sha256 {d.stored_sha256[:12]}, installed "
                f"{(d.installed_sha256 or 'none')[:12]}: {d.scorings} scorings, {d.not_reproduced} no longer reproduce"
            )
        for m in report.mismatches:
            changes = "; ".join(f"{k} {v[0]} → {v[1]}" for k, v in m.changed.items() if k != "message")
            click.echo(
                f"  scoring {m.scoring_id} ({m.instansi} {m.year}, {m.rubric_id}, run #{m.run}): {changes or m.reason}"
            )
    return 0 if report.ok else 1


@archive_group.command("audit")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
@_db_option
@click.pass_context
def audit_command(ctx: click.Context, as_json: bool, db: str | None) -> None:
    """Find printed indices and predikat that the row's own published values do not admit, and sources that disagree."""
    with _open(ctx, db) as archive:
        report = archive.audit()
    if as_json:
        emit_json(report.to_json())
        return
    click.echo(f"{report.checked} assessments checked; {len(report.findings)} findings")
    for f in report.findings:
        click.echo(f"- {f.kind}: {f.instansi} {f.year}: {f.explanation}")
