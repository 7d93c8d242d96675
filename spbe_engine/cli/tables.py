"""Listings for people and programs: a table where it fits, one block per item where it does not, CSV on request.

An id or a sha256 is never split over lines: on a terminal wide enough the
listing is a table whose key columns never wrap; on a narrow terminal or
through a pipe each item is a block of ``field: value`` lines printed
without wrapping; ``--format csv`` writes plain CSV and ``--format json``
(or ``--json``) the full records.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import click

__all__ = ["FORMATS", "Column", "format_option", "show"]

#: The output formats of a listing command.
FORMATS = ("table", "csv", "json")
#: Room a wrapping column needs at least, in characters.
_MIN_TEXT = 24


@attrs.frozen(kw_only=True)
class Column:
    """One column of a listing: its record key, its heading, and whether it may wrap."""

    key: str
    title: str
    keep: bool = False  # ids, hashes, numbers: never split


def format_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``--format table|csv|json`` and its alias ``--json`` to a listing command."""
    command = click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default=None,
        help="table (default; one block per item when narrow or piped), csv or json.",
    )(command)
    return click.option("--json", "as_json", is_flag=True, help="Same as --format json.")(command)


def chosen(fmt: str | None, as_json: bool) -> str:
    """Return the format asked for (``--json`` wins only where no other format was named)."""
    if as_json and fmt not in (None, "json"):
        raise click.UsageError(f"--json and --format {fmt} ask for different outputs; give one")
    return "json" if as_json else fmt or "table"


def show(rows: Sequence[dict[str, str]], columns: Sequence[Column], *, title: str, fmt: str) -> None:
    """Print rows (already rendered as text) as a table, blocks or CSV."""
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow([c.key for c in columns])
        for row in rows:
            writer.writerow([row.get(c.key, "") for c in columns])
        return
    from rich.console import Console

    out = Console(highlight=False, soft_wrap=True)
    if out.is_terminal and out.width >= _needed(rows, columns):
        _table(out, rows, columns, title)
        return
    for n, row in enumerate(rows):
        if n:
            click.echo("")
        first, *rest = columns
        click.echo(row.get(first.key, ""))
        for column in rest:
            click.echo(f"  {column.title}: {row.get(column.key, '')}")


def _needed(rows: Sequence[dict[str, str]], columns: Sequence[Column]) -> int:
    width = 1
    for column in columns:
        if column.keep:
            longest = max([len(column.title), *(len(row.get(column.key, "")) for row in rows)])
        else:
            longest = _MIN_TEXT
        width += longest + 3
    return width


def _table(out: Any, rows: Sequence[dict[str, str]], columns: Sequence[Column], title: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title)
    for column in columns:
        if column.keep:
            table.add_column(column.title, no_wrap=True)
        else:
            table.add_column(column.title, overflow="fold", ratio=1, min_width=_MIN_TEXT)
    for row in rows:
        table.add_row(*(escape(row.get(c.key, "")) for c in columns))
    out.print(table)
