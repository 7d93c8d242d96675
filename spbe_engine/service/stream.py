"""Stream batch results out as they are scored: JSON Lines or CSV, rendered by the CLI's serializer.

``/v1/batch`` forwards the pieces of :func:`spbe_engine.batch.render_scores`
(what ``spbe batch`` writes, a block at a time); ``/v1/rescore`` renders the
rows of :func:`~spbe_engine.batch.rescore_file` a few hundred at a time with
:func:`~spbe_engine.batch.jsonl_line` or the batch CSV writer. Neither the
body nor the response is ever held whole; the pipeline runs in a worker
thread and the event loop only forwards chunks.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from pathlib import Path

import anyio
import attrs

from ..batch import CsvWriter, Rendered, RowResult, RowStatus, jsonl_line
from ..errors import SpbeError
from .metrics import Metrics

__all__ = ["CSV", "JSONL", "Output", "in_thread", "pieces", "without_path"]

JSONL = "application/x-ndjson"
CSV = "text/csv"
#: Rows rendered per chunk sent.
ROWS_PER_CHUNK = 512


def without_path(text: str, path: Path) -> str:
    """Return a message with the spooled file's path replaced by ``body`` (a caller never sees server paths)."""
    return text.replace(str(path), "body")


def clean_error(exc: SpbeError, path: Path) -> SpbeError:
    """Return an engine error raised on the spooled file, naming the request body instead of the file."""
    if exc.file == str(path):
        exc.file = "body"
    return exc


@attrs.define
class Output:
    """One response body in the making: its format, the writer and the rows it counted."""

    media_type: str
    columns: Sequence[str]
    path: Path
    buffer: io.StringIO = attrs.field(factory=io.StringIO)
    writer: CsvWriter | None = None

    def __attrs_post_init__(self) -> None:
        if self.media_type == CSV:
            self.writer = CsvWriter(self.buffer, self.columns)

    @property
    def header_seen(self) -> Callable[[list[str]], None] | None:
        """Give the CSV writer the input file's header (so every row is written under it)."""
        return None if self.writer is None else self.writer.known

    def chunks(self, results: Iterator[RowResult], metrics: Metrics, endpoint: str) -> Iterator[bytes]:
        """Render the results a chunk at a time, counting rows by rubric and status."""
        counted: Counter[tuple[str, str]] = Counter()
        rows = 0
        try:
            for result in results:
                if result.status is RowStatus.ERROR and str(self.path) in result.message:
                    result = attrs.evolve(
                        result, values={**result.values, "message": without_path(result.message, self.path)}
                    )
                if self.writer is not None:
                    self.writer.write(result)
                else:
                    self.buffer.write(jsonl_line(result))
                counted[(str(result.values.get("rubric") or ""), result.status.value)] += 1
                rows += 1
                if rows % ROWS_PER_CHUNK == 0:
                    yield self._take()
            yield self._take()
        except SpbeError as exc:
            raise clean_error(exc, self.path) from None
        finally:
            for (rubric, status), count in counted.items():
                metrics.rows(endpoint, rubric or "-", status, count)

    def _take(self) -> bytes:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text.encode("utf-8")


def pieces(rendered: Iterator[Rendered], path: Path, metrics: Metrics, endpoint: str) -> Iterator[bytes]:
    """Forward the pieces of :func:`spbe_engine.batch.render_scores` as bytes, counting rows by rubric and status."""
    where = str(path)
    try:
        for piece in rendered:
            for (rubric, status), count in piece.counts.items():
                metrics.rows(endpoint, rubric or "-", status, count)
            if piece.text:
                text = piece.text.replace(where, "body") if piece.failed else piece.text
                yield text.encode("utf-8")
    except SpbeError as exc:
        raise clean_error(exc, path) from None


async def in_thread(first: bytes, chunks: Iterator[bytes], done: Callable[[], None]) -> AsyncIterator[bytes]:
    """Yield ``first``, then the rest of ``chunks`` each computed in a worker thread; call ``done`` at the end."""
    try:
        if first:
            yield first
        while True:
            chunk = await anyio.to_thread.run_sync(next, chunks, None)
            if chunk is None:
                return
            if chunk:
                yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        done()
