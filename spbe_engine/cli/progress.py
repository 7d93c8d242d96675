"""The progress bar of the batch commands: on stderr, only on a terminal."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["bar_wanted", "progress_bar"]


@contextlib.contextmanager
def progress_bar(path: Path, *, shown: bool) -> Iterator[Callable[[int], None]]:
    """Yield a function advancing a progress bar by characters read; a bar only when ``shown``."""
    if not shown:
        yield lambda _: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

    try:
        size = path.stat().st_size
    except OSError:
        size = None
    columns = (TextColumn("scoring {task.description}"), BarColumn(), TaskProgressColumn(), TimeRemainingColumn())
    # On stderr: stdout may carry the CSV.
    with Progress(*columns, transient=True, console=Console(stderr=True)) as bar:
        task = bar.add_task(path.name, total=size)
        yield lambda chars: bar.advance(task, chars)


def bar_wanted(out_file: Path | None) -> bool:
    """Tell whether to show a progress bar: only on a terminal, and never over CSV written to it."""
    return sys.stderr.isatty() and (out_file is not None or sys.stdout.isatty())
