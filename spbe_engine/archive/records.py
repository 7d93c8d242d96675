"""Canonical forms: an instansi's key, an assessment's content hash, and JSON text for storage.

An assessment's **content hash** is the SHA-256 of a canonical JSON form of
what its source printed: the instansi (by key), the evaluation year, the
rubric the source named, the kind of scores and the scores themselves
(levels as integers, published values as printed: ``"2.90"`` stays
``"2.90"``), the printed index and predikat, and the source's name. Two rows
that agree on all of these are the same assessment: importing one again is
a no-op, reported as a duplicate. Column order, file name, row number and
carried-along columns (an OCR note) are not part of it; a different
``--source`` name makes it a different assessment.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import attrs

from ..inputs import ID_COLUMN
from ..models import Assessment

__all__ = [
    "CONTENT_FORMAT",
    "Incoming",
    "Kind",
    "canonical_scores",
    "content_sha256",
    "dump",
    "instansi_key",
    "load",
]

#: The version of the canonical form hashed into ``content_sha256``; bump it only with a migration.
CONTENT_FORMAT = 1

Kind = Literal["levels", "aggregates", "printed"]


def _default(value: Any) -> Any:
    if isinstance(value, Decimal | Fraction):
        return str(value)
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple | set | frozenset):
        return list(value)
    return str(value)


def dump(data: Any) -> str:
    """Return data as canonical JSON text: sorted keys, no spaces, UTF-8, exact numbers as text."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default)


def load(text: str) -> Any:
    """Read JSON text written by :func:`dump`."""
    return json.loads(text)


def instansi_key(name: str) -> str:
    """Return the key that identifies an instansi: its name NFKC-normalised, casefolded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).split()).casefold()


def canonical_scores(assessment: Assessment) -> tuple[Kind, dict[str, Any]]:
    """Return an assessment's kind and its scores in storable form (levels stay integers, values stay as printed)."""
    if assessment.aggregates:
        return "aggregates", {str(k): _printed(v) for k, v in sorted(assessment.aggregates.items())}
    return "levels", {str(k): v if type(v) is int else _printed(v) for k, v in sorted(assessment.levels.items())}


def _printed(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return str(value)
    return value  # anything odd is stored as it came, and the engine refuses it by name when scoring


def content_sha256(
    *,
    key: str,
    year: int | None,
    rubric: str | None,
    kind: Kind,
    scores: Mapping[str, Any],
    printed_index: str | None,
    printed_predikat: str | None,
    source: str | None,
) -> str:
    """Return the content hash of an assessment (see the module docstring for what it covers)."""
    form = {
        "format": CONTENT_FORMAT,
        "instansi": key,
        "year": year,
        "rubric": rubric,
        "kind": kind,
        "scores": dict(scores),
        "printed": [printed_index, printed_predikat],
        "source": source,
    }
    return hashlib.sha256(dump(form).encode()).hexdigest()


def has_scores(columns: Mapping[str, Any]) -> bool:
    """Tell whether a flat row has any non-empty indicator or group column."""
    return any(
        isinstance(k, str) and ID_COLUMN.match(k.strip()) and v is not None and str(v).strip() != ""
        for k, v in columns.items()
    )


@attrs.frozen(kw_only=True)
class Incoming:
    """One assessment on its way into the archive, in canonical form, with where it came from."""

    name: str
    key: str
    category: str | None = None
    region: str | None = None
    code: str | None = None
    year: int | None
    rubric: str | None
    kind: Kind
    scores: Mapping[str, Any]
    printed_index: str | None = None
    printed_predikat: str | None = None
    source: str | None = None
    row: int | None = None
    line: int | None = None
    input: Mapping[str, Any]
    #: What the engine scores (``None`` for an assessment that printed only an index and predikat).
    assessment: Assessment | None = attrs.field(eq=False, repr=False)
    content_sha256: str = attrs.field(init=False)

    @content_sha256.default
    def _hash(self) -> str:
        return content_sha256(
            key=self.key,
            year=self.year,
            rubric=self.rubric,
            kind=self.kind,
            scores=self.scores,
            printed_index=self.printed_index,
            printed_predikat=self.printed_predikat,
            source=self.source,
        )


def stored_assessment(
    *,
    kind: str,
    scores: Mapping[str, Any],
    name: str | None,
    year: int | None,
    rubric: str | None,
    printed_index: str | None = None,
    printed_predikat: str | None = None,
) -> Assessment | None:
    """Return the assessment the engine scores from a stored row (``None`` for printed-only rows).

    The printed index and predikat go with it: the engine narrows published
    values' candidates to them, at import and at every later scoring alike.
    """
    if kind not in ("levels", "aggregates"):
        return None
    return Assessment(
        levels=scores if kind == "levels" else {},
        aggregates=scores if kind == "aggregates" else {},
        instansi=name,
        year=year,
        rubric=rubric,
        printed_index=_decimal(printed_index),
        printed_predikat=printed_predikat,
    )


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        return Decimal(text)
    except ArithmeticError:
        return None
