"""Helpers shared by the CLI commands."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from .._engine import Engine
from ..errors import InputError
from ..inputs import read_assessment
from ..models import Assessment

if TYPE_CHECKING:
    from ..worksheet import FilledWorksheet


def engine_of(ctx: click.Context) -> Engine:
    """Return the engine of this invocation."""
    return ctx.find_root().obj.get()  # type: ignore[no-any-return]


def read_input(engine: Engine, file: Path, *, partial: bool = False) -> tuple[Assessment, FilledWorksheet | None]:
    """Read one assessment: a TOML or JSON file, or a filled worksheet (``.xlsx``, with what the sheet said)."""
    if file.suffix.lower() == ".xlsx":
        from ..worksheet import read_worksheet

        sheet = read_worksheet(engine, file, partial=partial)
        return sheet.assessment, sheet
    return read_assessment(file), None


def emit_json(data: Any) -> None:
    """Print JSON (UTF-8, no floats anywhere: the data carries strings for numbers).

    A value the data carries through untouched (a decimal in an assessment's
    metadata) is written as its text, exactly as given.
    """
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def console() -> Any:
    """Return a rich console on stdout (imported lazily: JSON output never pays for rich)."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def stderr_console() -> Any:
    """Return a rich console on stderr."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def is_terminal() -> bool:
    """Tell whether stdout is a terminal."""
    return sys.stdout.isatty()


class LazyOutput:
    """A text file opened on the first write, so a batch refused up front leaves ``--out`` untouched."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.handle: IO[str] | None = None

    def write(self, text: str) -> int:
        """Write text, opening the file first if need be."""
        if self.handle is None:
            try:
                self.handle = open(self.path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed by close()
            except OSError as exc:
                raise InputError(
                    f"cannot write the file: {exc.strerror}", field="--out", value=str(self.path)
                ) from None
        return self.handle.write(text)

    def close(self, *, completed: bool) -> None:
        """Close the file; a completed job that wrote nothing still leaves an empty file."""
        if self.handle is None and completed:
            self.write("")
        if self.handle is not None:
            self.handle.close()


@contextlib.contextmanager
def output(out_file: Path | None) -> Iterator[IO[str]]:
    """Give ``--out`` for writing (stdout if none); a path that cannot be written is one clear error."""
    if out_file is None:
        yield sys.stdout
        return
    if not out_file.parent.is_dir():
        raise InputError(
            "the folder to write into does not exist",
            field="--out",
            value=str(out_file),
            allowed="a file in an existing folder",
        )
    lazy = LazyOutput(out_file)
    completed = False
    try:
        yield lazy  # type: ignore[misc]
        completed = True
    finally:
        lazy.close(completed=completed)


#: Writes a batch into the output; given the output, a progress callback and a note callback.
BatchJob = Callable[[IO[str], Callable[[int], None], Callable[[str], None]], tuple[int, int]]


def run_batch(input_file: Path, out_file: Path | None, job: BatchJob) -> int:
    """Run a batch job into ``--out`` (or stdout) with a progress bar on a terminal; return the exit code."""
    from . import EXIT_ROW_ERRORS
    from .progress import bar_wanted, progress_bar

    def note(text: str) -> None:
        click.echo(f"spbe: note: {text}", err=True)

    with output(out_file) as out, progress_bar(input_file, shown=bar_wanted(out_file)) as advance:
        total, failed = job(out, advance, note)
    if failed:
        click.echo(f"spbe: {failed} of {total} rows had errors (status 'error'; see message)", err=True)
        return EXIT_ROW_ERRORS
    return 0
