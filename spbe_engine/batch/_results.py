"""One row's result, whatever produced it: :class:`RowResult`, :class:`RowStatus` and the result columns.

Every batch path (the row-by-row readers, the bulk CSV blocks) and every
front end (``spbe batch``, ``spbe rescore``, :meth:`Engine.score_file
<spbe_engine.Engine.score_file>`, the HTTP service) builds its rows here and
writes them with :mod:`spbe_engine.batch._write`, so a row reads the same
wherever it was scored. Result values are JSON-ready: exact numbers as text
(``"3.45"``, ``"46/11"``), candidates as lists, never a float.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs

from .._numbers import format_exact
from ..errors import SpbeError
from ._read import BatchRow

if TYPE_CHECKING:
    from .._engine import Engine
    from .._scoring import ScoreCard
    from ..rescore import MissingPolicy, Rescored

__all__ = [
    "RESCORE_COLUMNS",
    "SCORE_COLUMNS",
    "RowResult",
    "RowStatus",
    "error_result",
    "rescore_row",
    "score_row",
    "scored_values",
]

#: The columns ``spbe batch`` (and :meth:`Engine.score_file`) add to every row, in order.
SCORE_COLUMNS = (
    "index",
    "exact_index",
    "index_candidates",
    "predikat",
    "predikat_candidates",
    "rubric",
    "status",
    "message",
    "printed",
)

#: The columns ``spbe rescore`` adds to every row, in order.
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


class RowStatus(enum.StrEnum):
    """How a batch row came out."""

    #: Scored; index and predikat are determined.
    OK = "ok"
    #: Scored from published values that admit several indices or predikat (all listed).
    AMBIGUOUS = "ambiguous"
    #: Scored with indicators missing (asked for): completeness, not an index.
    PARTIAL = "partial"
    #: Not scored; ``message`` says why.
    ERROR = "error"


@attrs.frozen(kw_only=True)
class RowResult:
    """One batch row: the row as read, how it came out, and its result columns.

    ``values`` maps each result column (:data:`SCORE_COLUMNS` or
    :data:`RESCORE_COLUMNS`) to JSON-ready data. ``card`` is the score card
    where the row was scored one by one (``None`` on the bulk path and on
    error rows); ``error`` the error of an error row.
    """

    row: BatchRow
    status: RowStatus
    values: Mapping[str, Any]
    card: ScoreCard | None = attrs.field(default=None, eq=False, repr=False)
    error: SpbeError | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def number(self) -> int:
        """Return the row's number in its input, from 1."""
        return self.row.number

    @property
    def line(self) -> int:
        """Return the input line the row ended on."""
        return self.row.line

    @property
    def message(self) -> str:
        """Return the row's message (``""`` when there is nothing to say)."""
        return str(self.values.get("message") or "")

    def record(self) -> dict[str, Any]:
        """Return the row as one JSON-ready object: where it came from, its result, and its input."""
        columns = self.row.columns
        return {
            "row": self.number,
            "line": self.line,
            "instansi": columns.get("instansi"),
            "year": columns.get("year"),
            **self.values,
            "input": dict(columns),
        }


def scored_values(
    index: str | None,
    exact_index: str | None,
    index_candidates: list[str],
    predikat: str | None,
    predikat_candidates: list[str],
    rubric: str,
    status: RowStatus,
    message: str = "",
    printed: str = "",
) -> dict[str, Any]:
    """Return the :data:`SCORE_COLUMNS` values of a scored row (``printed``: how the row's printed figures fit)."""
    return {
        "index": index,
        "exact_index": exact_index,
        "index_candidates": index_candidates,
        "predikat": predikat,
        "predikat_candidates": predikat_candidates,
        "rubric": rubric,
        "status": status.value,
        "message": message,
        "printed": printed,
    }


def printed_text(card: ScoreCard) -> str:
    """Return how a card's printed figures fit, for the ``printed`` column (``""`` where none were given)."""
    check = card.printed
    if check is None:
        return ""
    return check.verdict.value + (f": {check.message}" if check.message else "")


def card_status(card: ScoreCard) -> RowStatus:
    """Return the status a score card gives its row."""
    if not card.complete:
        return RowStatus.PARTIAL
    return RowStatus.OK if card.index is not None and card.predikat is not None else RowStatus.AMBIGUOUS


def error_result(row: BatchRow, error: SpbeError | None, columns: tuple[str, ...]) -> RowResult:
    """Return the result of a row that could not be scored: empty columns, status error, the message."""
    values: dict[str, Any] = dict.fromkeys(columns)
    values.update({name: [] for name in columns if name.endswith("_candidates")})
    values.update(status=RowStatus.ERROR.value, message=f"row {row.number} (line {row.line}): {error}")
    return RowResult(row=row, status=RowStatus.ERROR, values=values, error=error)


def score_row(engine: Engine, row: BatchRow, rubric: str | None, partial: bool) -> RowResult:
    """Score one batch row; a bad row gets status error and a message, never an exception."""
    if row.error is not None or row.assessment is None:
        return error_result(row, row.error, SCORE_COLUMNS)
    try:
        card = engine.score(row.assessment, rubric, partial=partial)
    except SpbeError as exc:
        return error_result(row, exc, SCORE_COLUMNS)
    status = card_status(card)
    message = ""
    if status is RowStatus.PARTIAL:
        message = f"covers {format_exact(card.completeness * 100)}% of the weight; not an index"
    values = scored_values(
        None if card.index is None else str(card.index),
        None if card.exact_index is None else format_exact(card.exact_index),
        [str(c) for c in card.index_candidates],
        card.predikat,
        list(card.predikat_candidates),
        card.rubric_id,
        status,
        message,
        printed_text(card),
    )
    return RowResult(row=row, status=status, values=values, card=card)


def rescore_row(
    engine: Engine, row: BatchRow, to: str, source: str | None, policy: MissingPolicy | None
) -> tuple[RowResult, Rescored | None]:
    """Rescore one batch row under rubric ``to``; a bad row gets status error, never an exception."""
    if row.error is not None or row.assessment is None:
        return error_result(row, row.error, RESCORE_COLUMNS), None
    try:
        done = engine.rescore(row.assessment, to, source=source, missing=policy)
    except SpbeError as exc:
        return error_result(row, exc, RESCORE_COLUMNS), None
    card, before = done.card, done.source_card
    # A rescored row is "ok" once its predikat is known, even where published values leave several indices.
    status = RowStatus.OK if card.predikat is not None else RowStatus.AMBIGUOUS
    if not card.complete:
        status = RowStatus.PARTIAL
    message = ""
    if status is RowStatus.PARTIAL:
        message = (
            f"covers {format_exact(done.coverage * 100)}% of the {to} weight; not an index "
            f"(range {format_exact(card.index_range[0])}-{format_exact(card.index_range[1])})"
        )
    elif done.imputed:
        message = f"imputed ({done.policy}): {', '.join(done.imputed)}"
    if done.granularity == "group":
        message = "rescored at group level (identical groups; published values carried over)"
    values = {
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
        "status": status.value,
        "message": message,
    }
    return RowResult(row=row, status=status, values=values, card=card), done
