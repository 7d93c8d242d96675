"""``--where KEY=VALUE`` filters, shared by rescore selections, listings and exports.

Keys: ``year`` (``2024``, ``2021,2023`` or ``2021..2023``), ``instansi``
(a name, matched by its key), ``category``, ``region``, ``source``,
``kind`` (``levels``, ``aggregates``, ``printed``) and ``import`` (the run
that imported the assessment) select assessments; ``rubric``, ``status``,
``predikat``, ``comparability`` and ``run`` select scorings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs
from sqlalchemy import ColumnElement, and_, select

from ..errors import InputError
from .records import instansi_key
from .tables import assessment, instansi, run, scoring

__all__ = ["ASSESSMENT_KEYS", "SCORING_KEYS", "Where"]

#: Keys that select assessments.
ASSESSMENT_KEYS = ("year", "instansi", "category", "region", "source", "kind", "import")
#: Keys that select scorings (listings and exports).
SCORING_KEYS = ("rubric", "status", "predikat", "comparability", "run")


def _years(text: str) -> tuple[int, ...]:
    out: list[int] = []
    for part in text.split(","):
        part = part.strip()
        low, dots, high = part.partition("..")
        try:
            if dots:
                out.extend(range(int(low), int(high) + 1))
            else:
                out.append(int(part))
        except ValueError:
            raise InputError(
                "not an evaluation year", field="year", value=text, allowed="2024, 2021,2023 or 2021..2023"
            ) from None
    return tuple(out)


@attrs.frozen
class Where:
    """A conjunction of ``key = one of values`` filters."""

    terms: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict)

    @classmethod
    def parse(cls, items: Iterable[str] | Mapping[str, Any] | None, allowed: tuple[str, ...]) -> Where:
        """Read ``KEY=VALUE`` strings (or a mapping); a key outside ``allowed`` is an error naming them."""
        pairs: list[tuple[str, str]] = []
        if isinstance(items, Mapping):
            pairs = [(str(k), str(v)) for k, v in items.items() if v is not None]
        else:
            for item in items or ():
                key, eq, value = item.partition("=")
                if not eq or not key.strip():
                    raise InputError("a filter is KEY=VALUE", field="--where", value=item, allowed=", ".join(allowed))
                pairs.append((key.strip(), value.strip()))
        terms: dict[str, tuple[str, ...]] = {}
        for key, value in pairs:
            if key not in allowed:
                raise InputError("unknown filter", field="--where", value=key, allowed=", ".join(allowed))
            values = tuple(str(y) for y in _years(value)) if key == "year" else (value,)
            terms[key] = terms.get(key, ()) + values
        return cls(terms)

    def as_json(self) -> dict[str, list[str]]:
        """Return the filters as JSON-ready data (sorted, so equal filters give equal text)."""
        return {k: sorted(v) for k, v in sorted(self.terms.items())}

    def clauses(self) -> list[ColumnElement[bool]]:
        """Return SQL conditions on ``assessment``, ``instansi``, ``scoring`` (joined by the caller)."""
        out: list[ColumnElement[bool]] = []
        for key, values in self.terms.items():
            if key == "year":
                out.append(assessment.c.year.in_([int(v) for v in values]))
            elif key == "instansi":
                out.append(instansi.c.key.in_([instansi_key(v) for v in values]))
            elif key in ("category", "region"):
                out.append(instansi.c[key].in_(values))
            elif key in ("source", "kind"):
                out.append(assessment.c[key].in_(values))
            elif key == "import":
                out.append(assessment.c.run_uuid.in_(select(run.c.uuid).where(run.c.id.in_(_ints(key, values)))))
            elif key == "rubric":
                out.append(scoring.c.rubric_id.in_(values))
            elif key in ("status", "predikat", "comparability"):
                out.append(scoring.c[key].in_(values))
            elif key == "run":
                out.append(scoring.c.run_uuid.in_(select(run.c.uuid).where(run.c.id.in_(_ints(key, values)))))
        return out

    def condition(self) -> ColumnElement[bool]:
        """Return every clause joined by AND."""
        return and_(True, *self.clauses())

    def touches_instansi(self) -> bool:
        """Tell whether a filter needs the ``instansi`` table joined."""
        return any(k in self.terms for k in ("instansi", "category", "region"))


def _ints(key: str, values: Iterable[str]) -> list[int]:
    try:
        return [int(v.lstrip("#")) for v in values]
    except ValueError:
        raise InputError("not a run number", field=key, value=",".join(values)) from None
