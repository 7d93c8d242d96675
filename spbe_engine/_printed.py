"""Use what a published table prints: narrow a card's candidates to its printed index and predikat.

National result tables print, beside each instansi's rounded domain values,
its index and predikat. Those figures cut down the candidates the domain
values alone admit (the 2023 table's two-candidate rows get the one the
source printed), and they are a check: where no candidate agrees with them,
the printed figures are not consistent with the printed domain values, and
the card says so and keeps every candidate rather than pick one.
"""

from __future__ import annotations

import enum
from decimal import Decimal

import attrs

from ._plan import ScoringPlan
from ._scoring import ScoreCard, candidate_fields
from .models import Assessment

__all__ = ["PrintedCheck", "PrintedVerdict", "apply_printed"]


class PrintedVerdict(enum.StrEnum):
    """How a source's printed index and predikat relate to what its own inputs admit."""

    #: Every candidate agrees with the printed figures (nothing to narrow).
    CONSISTENT = "consistent"
    #: Some candidates agree: the card keeps only those.
    NARROWED = "narrowed"
    #: No candidate agrees: the printed figures contradict the printed inputs; all candidates kept.
    INCONSISTENT = "inconsistent"


@attrs.frozen(kw_only=True)
class PrintedCheck:
    """The printed figures of an assessment and how they fit its inputs."""

    index: Decimal | None
    predikat: str | None
    verdict: PrintedVerdict
    message: str = ""


def apply_printed(plan: ScoringPlan, card: ScoreCard, assessment: Assessment) -> ScoreCard:
    """Return ``card`` narrowed to the assessment's printed index and predikat, with the verdict attached.

    A card without printed figures, or a partial one, is returned as it is.
    """
    index, predikat = assessment.printed_index, assessment.printed_predikat
    if (index is None and predikat is None) or not card.complete:
        return card
    numerators = [int(exact * plan.denominator) for exact in card.exact_candidates]
    agree = [
        n
        for n in numerators
        if (index is None or plan.published(n) == index) and (predikat is None or plan.predikat(n) == predikat)
    ]
    printed = " and ".join(part for part in (f"index {index}" if index is not None else "", predikat or "") if part)
    if not agree:
        shown = ", ".join(f"{plan.published(n)} {plan.predikat(n)}" for n in numerators)
        check = PrintedCheck(
            index=index,
            predikat=predikat,
            verdict=PrintedVerdict.INCONSISTENT,
            message=f"printed {printed} is not among what the inputs admit under {plan.rubric.id}: {shown}",
        )
        return attrs.evolve(card, printed=check)
    if len(agree) == len(numerators):
        return attrs.evolve(
            card, printed=PrintedCheck(index=index, predikat=predikat, verdict=PrintedVerdict.CONSISTENT)
        )
    check = PrintedCheck(
        index=index,
        predikat=predikat,
        verdict=PrintedVerdict.NARROWED,
        message=f"printed {printed} keeps {len(agree)} of {len(numerators)} exact candidates",
    )
    return attrs.evolve(card, **candidate_fields(plan, sorted(agree)), printed=check)
