"""Batch scoring: one pipeline from rows, frames and files to results.

Readers turn each kind of input into levels (a matrix, or assessments one
by one) plus the errors of the rows that cannot be read:

- Python rows (mappings, :class:`~spbe_engine.Assessment`), numpy arrays,
  pandas DataFrames and Arrow tables (``_frames``) → :func:`score_many` →
  one :class:`BatchResult`, exact and vectorised;
- CSV and JSON Lines files row by row (``_read``), or in bulk blocks parsed
  by pyarrow (``_blocks`` for CSV, ``_lines`` for JSON Lines) →
  :func:`score_file` / :func:`rescore_file` → a stream of :class:`RowResult`;

and one serializer (``_write``: CSV, JSON Lines) writes row results for the
command line, the Python API and the HTTP service alike
(:func:`write_scores` and, a piece at a time, :func:`render_scores`;
:func:`write_rescores`, :func:`write_csv`, :func:`write_jsonl`). :class:`~spbe_engine.Engine` exposes the same as
``engine.score_many`` and ``engine.score_file``.
"""

from ._bulk import BatchResult, score_many
from ._pipeline import Rendered, render_scores, rescore_file, score_file, write_rescores, write_scores
from ._read import BATCH_SUFFIXES, BatchRow, read_batch
from ._results import RESCORE_COLUMNS, SCORE_COLUMNS, RowResult, RowStatus, rescore_row, score_row
from ._write import CsvWriter, jsonl_line, output_header, write_csv, write_jsonl

__all__ = [
    "BATCH_SUFFIXES",
    "RESCORE_COLUMNS",
    "SCORE_COLUMNS",
    "BatchResult",
    "BatchRow",
    "CsvWriter",
    "Rendered",
    "RowResult",
    "RowStatus",
    "jsonl_line",
    "output_header",
    "read_batch",
    "render_scores",
    "rescore_file",
    "rescore_row",
    "score_file",
    "score_many",
    "score_row",
    "write_csv",
    "write_jsonl",
    "write_rescores",
    "write_scores",
]
