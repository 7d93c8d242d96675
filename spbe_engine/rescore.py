"""Rescore an assessment under another rubric through a crosswalk, with its coverage and comparability.

Target indicators without a source (mark ``none``, or a source the input
lacks) follow a missing-data policy the caller names; there is no default:

- ``leave``: leave them unscored; the target card is partial (no index,
  only its range, completeness and partial index);
- ``impute:lowest``: the lowest level of the target scale (a floor);
- ``impute:group-mean``: the mean of the mapped target levels in the same
  top-level group (domain or aspect), else of all mapped levels;
- ``impute:overall-mean``: the mean of all mapped target levels.

Means are rounded half up to a whole level (2.5 → 3); with no mapped level to
average, the lowest level is used. Coverage is the share of the target weight
whose level came from mapped data; comparability is ``exact`` (full coverage,
every mapping exact), ``approximate`` (full coverage, some mapping
approximate) or ``partial`` (coverage below 1).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Literal

import attrs

from ._crosswalk import Crosswalk, same_groups
from ._numbers import round_fraction
from ._scoring import ScoreCard
from .errors import InputError
from .models import Assessment, Rubric

if TYPE_CHECKING:
    from ._engine import Engine

__all__ = ["IMPUTE_RULES", "MISSING_POLICIES", "MissingPolicy", "Rescored", "check_policy", "rescore"]

#: The named imputation rules of ``impute:<rule>``.
IMPUTE_RULES: tuple[str, ...] = ("lowest", "group-mean", "overall-mean")
#: Every missing-data policy, as the CLI spells it.
MISSING_POLICIES: tuple[str, ...] = ("leave", *(f"impute:{rule}" for rule in IMPUTE_RULES))

Comparability = Literal["exact", "approximate", "partial"]


@attrs.frozen
class MissingPolicy:
    """What to do with target indicators that have no source: ``leave`` them, or ``impute`` by a rule."""

    action: Literal["leave", "impute"]
    rule: str = ""

    @classmethod
    def parse(cls, text: str | MissingPolicy) -> MissingPolicy:
        """Read ``leave`` or ``impute:<rule>``; anything else is an error naming the policies."""
        if isinstance(text, MissingPolicy):
            return text
        name = text.strip() if isinstance(text, str) else text
        if name == "leave":
            return cls("leave")
        if isinstance(name, str) and name.startswith("impute:") and name[7:] in IMPUTE_RULES:
            return cls("impute", name[7:])
        raise InputError(
            "unknown missing-data policy",
            field="missing",
            value=text,
            allowed=", ".join(MISSING_POLICIES),
        )

    def __str__(self) -> str:
        return "leave" if self.action == "leave" else f"impute:{self.rule}"


@attrs.frozen
class Rescored:
    """One assessment rescored under a target rubric.

    ``card`` is the target score card (partial under ``leave`` when some
    target indicator has no source), ``source_card`` the assessment under its
    own rubric. ``origin`` tells, per target indicator, where its level came
    from: ``mapped``, ``imputed:<rule>`` or ``left``. ``granularity`` is
    ``group`` when published aggregates were carried over unchanged.
    """

    card: ScoreCard
    source_card: ScoreCard
    crosswalk: Crosswalk
    coverage: Fraction
    comparability: Comparability
    origin: Mapping[str, str]
    policy: MissingPolicy | None
    granularity: Literal["indicator", "group"] = "indicator"

    @property
    def imputed(self) -> tuple[str, ...]:
        """Return the target indicators whose level was imputed."""
        return tuple(t for t, how in self.origin.items() if how.startswith("imputed"))

    @property
    def left(self) -> tuple[str, ...]:
        """Return the target indicators left unscored."""
        return tuple(t for t, how in self.origin.items() if how == "left")


def check_policy(engine: Engine, source: str | None, to: str, policy: MissingPolicy | None) -> None:
    """Refuse up front a rescoring that will need a missing-data policy when none is named.

    With ``source`` known, its crosswalk decides. Without it (each row's own
    rubric or year decides) the policy is needed when every crosswalk into
    ``to`` leaves target indicators without a source, since any row must
    come through one of them. Also refuses an unknown target rubric, so a
    batch fails once rather than on every row.
    """
    engine.rubric(to)
    if policy is not None:
        return
    if source is not None:
        crosswalk = engine.crosswalk(source, to)
        lacking = {source: crosswalk.unmapped} if crosswalk.unmapped else {}
    else:
        sources = [a for a, b in engine.crosswalk_pairs() if b == to]
        lacking = {a: engine.crosswalk(a, to).unmapped for a in sources}
        if not sources or not all(lacking.values()):
            return
    if lacking:
        walks = "; ".join(
            f"{a} → {to} has no source for {len(unmapped)} target indicators ({', '.join(unmapped)})"
            for a, unmapped in lacking.items()
        )
        raise InputError(
            f"crosswalk {walks}; name a missing-data policy with --missing",
            field="--missing",
            allowed=", ".join(MISSING_POLICIES),
        )


def rescore(
    engine: Engine,
    assessment: Assessment,
    to: str,
    *,
    source: str | None = None,
    missing: str | MissingPolicy | None = None,
) -> Rescored:
    """Rescore ``assessment`` (under ``source``, else its own rubric or year) under rubric ``to``."""
    policy = None if missing is None else MissingPolicy.parse(missing)
    source_id = engine.resolve_rubric_id(assessment, source)
    engine.rubric(to)
    crosswalk = engine.crosswalk(source_id, to)
    if assessment.aggregates:
        return _rescore_aggregates(engine, assessment, source_id, to, crosswalk, policy)
    source_card = engine.score(assessment, source_id, partial=True)
    given = {ind.id: ind.level for ind in source_card.indicators if ind.level is not None}
    target = engine.rubric(to)
    levels: dict[str, int | None] = {}
    origin: dict[str, str] = {}
    lacking: list[str] = []
    for mapping in crosswalk.mappings:
        if mapping.mark != "none" and all(s in given for s in mapping.sources):
            levels[mapping.target] = mapping.level(tuple(given[s] for s in mapping.sources))
            origin[mapping.target] = "mapped"
        else:
            levels[mapping.target] = None
            lacking.append(mapping.target)
    if lacking and policy is None:
        no_source = [t for t in lacking if crosswalk.mapping(t).mark == "none"]
        what = f"{len(no_source)} have no source in crosswalk {crosswalk.id}" if no_source else ""
        absent = [t for t in lacking if t not in no_source]
        what += ("; " if what and absent else "") + (f"{len(absent)} lack source levels in the input" if absent else "")
        raise InputError(
            f"target indicators without a source ({what}: {', '.join(lacking)}); name a missing-data policy",
            field="missing",
            allowed=", ".join(MISSING_POLICIES),
        )
    if policy is not None and policy.action == "impute":
        mapped = {t: lv for t, lv in levels.items() if lv is not None}
        for t in lacking:
            levels[t] = _impute(target, t, mapped, policy.rule)
            origin[t] = f"imputed:{policy.rule}"
    else:
        origin.update(dict.fromkeys(lacking, "left"))
    plan = engine.plan(to)
    covered = sum(
        (plan.weights[plan.position[t]] for t, how in origin.items() if how == "mapped"),
        Fraction(0),
    )
    coverage = covered / 100
    present = {t: lv for t, lv in levels.items() if lv is not None}
    card = engine.score(
        Assessment(
            levels=present,
            instansi=assessment.instansi,
            year=assessment.year,
            rubric=to,
            metadata=assessment.metadata,
        ),
        to,
        partial=bool(lacking),
    )
    if coverage < 1:
        comparability: Comparability = "partial"
    elif all(m.mark == "exact" for m in crosswalk.mappings):
        comparability = "exact"
    else:
        comparability = "approximate"
    return Rescored(card, source_card, crosswalk, coverage, comparability, origin, policy)


def _impute(target: Rubric, indicator: str, mapped: Mapping[str, int], rule: str) -> int:
    """Return the imputed level of one target indicator by the named rule."""
    lowest = target.scale_of(indicator).numbers[0]
    if rule == "lowest":
        return lowest
    pool: list[int] = []
    if rule == "group-mean":
        top = target.indicator(indicator).parent
        while (parent := target.group(top).parent) is not None:
            top = parent
        pool = [mapped[i] for i in target.indicators_under(top) if i in mapped]
    if not pool:
        pool = list(mapped.values())
    if not pool:
        return lowest
    return int(round_fraction(Fraction(sum(pool), len(pool)), 0, "half_up"))


def _rescore_aggregates(
    engine: Engine,
    assessment: Assessment,
    source_id: str,
    to: str,
    crosswalk: Crosswalk,
    policy: MissingPolicy | None,
) -> Rescored:
    """Carry published group values over unchanged, where both rubrics have identical groups."""
    a, b = engine.rubric(source_id), engine.rubric(to)
    if not same_groups(a, b):
        raise InputError(
            f"published domain/aspect values cannot be crosswalked at indicator level ({source_id} → {to} "
            "changes the indicators or their groups)",
            field="aggregates",
            allowed="indicator levels for this pair, or a target rubric with the same groups and weights",
        )
    source_card = engine.score(assessment, source_id)
    card = engine.score(
        Assessment(
            aggregates=assessment.aggregates,
            instansi=assessment.instansi,
            year=assessment.year,
            rubric=to,
            metadata=assessment.metadata,
        ),
        to,
    )
    origin = {m.target: "mapped" for m in crosswalk.mappings}
    comparability: Comparability = "exact" if all(m.mark == "exact" for m in crosswalk.mappings) else "approximate"
    return Rescored(card, source_card, crosswalk, Fraction(1), comparability, origin, policy, "group")
