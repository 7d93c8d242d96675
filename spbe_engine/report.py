"""Turn score cards, rubrics and every other result into plain data for JSON output: one place for all of them.

Exact values are rendered as strings: a terminating decimal (``"4.765"``) or,
where none exists, a ratio (``"46/11"``). Published values keep their places
(``"1.80"``). Nothing is ever a float.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from ._numbers import format_exact
from ._plan import ScoringPlan
from ._scoring import GroupScore, IndicatorScore, ScoreCard, complete_group
from .models import Rubric

if TYPE_CHECKING:
    from ._crosswalk import Crosswalk
    from ._engine import Engine
    from ._gap import GapPlan
    from ._impact import Impact
    from ._registry import PluginInfo

__all__ = [
    "card_to_json",
    "crosswalk_to_json",
    "explanation",
    "gap_to_json",
    "impact_to_json",
    "plugin_to_json",
    "rubric_summary",
    "rubric_to_json",
]


def _exact(value: Fraction | None) -> str | None:
    return None if value is None else format_exact(value)


def _group(group: GroupScore) -> dict[str, Any]:
    return {
        "id": group.id,
        "kind": group.kind,
        "name": group.name,
        "weight": format_exact(group.weight),
        "index": None if group.published is None else str(group.published),
        "exact": _exact(group.value),
        "contribution": _exact(group.contribution),
        "candidates": [format_exact(c) for c in group.candidates],
        "completeness": format_exact(group.completeness),
    }


def _indicator(i: IndicatorScore) -> dict[str, Any]:
    return {
        "id": i.id,
        "name": i.name,
        "parent": i.parent,
        "weight": format_exact(i.weight),
        "level": i.level,
        "level_name": i.level_name,
        "value": _exact(i.value),
        "contribution": _exact(i.contribution),
    }


def _own(group: dict[str, Any]) -> dict[str, Any]:
    """Return a kept group rendering as the caller's own (its one list too): callers may change what they get."""
    copy = dict(group)
    copy["candidates"] = list(copy["candidates"])
    return copy


def _from_plan(
    card: ScoreCard, *, indicators: bool
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]] | None:
    """Return the domains, groups and indicators of a card scored from complete levels, kept on its plan.

    An indicator at a level and a complete group at a sum of contributions
    render the same every time under one plan: each is rendered once (by
    the same functions as the rest) and kept on the plan. ``None`` for any
    other card (published values, missing levels): it is rendered in full.
    """
    found = card.plan_levels()
    if found is None:
        return None
    plan, given = found
    levels = [level for level in given if level is not None]
    if len(levels) != len(given):
        return None

    rows: list[dict[str, Any]] = []
    if indicators:
        kept = plan.rendered("card indicator")
        for pos, level in enumerate(levels):
            row = kept.get((pos, level))
            if row is None:
                row = plan.keep("card indicator", (pos, level), _indicator(card.indicators[pos]))
            rows.append(row)
    contributions = [table[level] for table, level in zip(plan.contributions, levels, strict=True)]
    kept = plan.rendered("card group")
    groups = []
    top: list[dict[str, Any]] = []
    top_kind = None
    for group in plan.rubric.groups:
        positions = plan.group_positions[group.id]
        if not positions:
            return None
        total = sum([contributions[p] for p in positions])
        rendered = kept.get((group.id, total))
        if rendered is None:
            rendered = plan.keep("card group", (group.id, total), _group(complete_group(plan, group, total)))
        groups.append(rendered)
        if group.parent is None:
            top_kind = group.kind if top_kind is None else top_kind
            if group.kind == top_kind:
                top.append(rendered)
    return [_own(g) for g in top], [_own(g) for g in groups], [dict(r) for r in rows]


def card_to_json(card: ScoreCard, *, indicators: bool = True) -> dict[str, Any]:
    """Return a score card as JSON-ready data (strings for every number)."""
    kept = _from_plan(card, indicators=indicators)
    if kept is None:
        top_kind = card.domains[0].kind if card.domains else "domain"
        domains = [_group(g) for g in card.domains if g.kind == top_kind]
        groups = [_group(g) for g in card.groups]
    else:
        domains, groups, _ = kept
    data: dict[str, Any] = {
        "instansi": card.instansi,
        "year": card.year,
        "rubric": {"id": card.rubric_id, "sha256": card.rubric_sha256},
        "source": card.source,
        "index": None if card.index is None else str(card.index),
        "exact_index": _exact(card.exact_index),
        "index_candidates": [str(c) for c in card.index_candidates],
        "exact_candidates": [format_exact(c) for c in card.exact_candidates],
        "predikat": card.predikat,
        "predikat_candidates": list(card.predikat_candidates),
        "predikat_on": card.predikat_on,
        "index_range": [format_exact(card.index_range[0]), format_exact(card.index_range[1])],
        "complete": card.complete,
        "completeness": format_exact(card.completeness),
        "partial_index": _exact(card.partial_index),
        "domains": domains,
        "groups": groups,
        "engine_version": card.provenance.engine_version,
        "provenance": {
            "engine_version": card.provenance.engine_version,
            "plugin": card.provenance.plugin,
            "plugin_distribution": card.provenance.plugin_distribution,
            "plugin_version": card.provenance.plugin_version,
            "rubric_id": card.provenance.rubric_id,
            "rubric_sha256": card.provenance.rubric_sha256,
            "hooks_answered_by": {k: list(v) for k, v in card.provenance.hooks_answered_by.items()},
        },
        "metadata": dict(card.metadata),
        "printed": None
        if card.printed is None
        else {
            "index": None if card.printed.index is None else str(card.printed.index),
            "predikat": card.printed.predikat,
            "verdict": card.printed.verdict.value,
            "message": card.printed.message,
        },
    }
    if indicators:
        data["indicators"] = [_indicator(i) for i in card.indicators] if kept is None else kept[2]
    return data


def rubric_summary(rubric: Rubric, plugin: str, distribution: str, version: str) -> dict[str, Any]:
    """Return the one-line facts of a rubric, as ``spbe rubrics`` lists them."""
    kinds = rubric.group_kinds
    return {
        "id": rubric.id,
        "title": rubric.title,
        "legal_basis": rubric.legal_basis.regulation,
        "years": list(rubric.years),
        "counts": {
            **{kind: sum(g.kind == kind for g in rubric.groups) for kind in kinds},
            "indicator": len(rubric.indicators),
        },
        "extends": rubric.extends,
        "plugin": plugin,
        "distribution": distribution,
        "version": version,
        "sha256": rubric.sha256,
    }


def rubric_to_json(rubric: Rubric, criteria: dict[str, Any] | None = None) -> dict[str, Any]:
    """Return a rubric's whole tree as JSON-ready data."""

    def node(group_id: str) -> dict[str, Any]:
        group = rubric.group(group_id)
        return {
            "id": group.id,
            "kind": group.kind,
            "name": group.name,
            "weight": format_exact(group.weight),
            "groups": [node(child) for child in group.children],
            "indicators": [indicator(i) for i in group.indicators],
        }

    def indicator(indicator_id: str) -> dict[str, Any]:
        ind = rubric.indicator(indicator_id)
        out: dict[str, Any] = {"id": ind.id, "name": ind.name, "weight": format_exact(ind.weight), "scale": ind.scale}
        if ind.note:
            out["note"] = ind.note
        if criteria and ind.id in criteria:
            crit = criteria[ind.id]
            out["criteria"] = {
                "explanation": crit.explanation,
                "levels": {str(k): v for k, v in sorted(crit.levels.items())},
            }
        return out

    return {
        "id": rubric.id,
        "title": rubric.title,
        "years": list(rubric.years),
        "extends": rubric.extends,
        "sha256": rubric.sha256,
        "legal_basis": {
            "regulation": rubric.legal_basis.regulation,
            "title": rubric.legal_basis.title,
            "enacted": rubric.legal_basis.enacted,
            "promulgated": rubric.legal_basis.promulgated,
            "gazette": rubric.legal_basis.gazette,
            "source": rubric.legal_basis.source,
        },
        "rounding": {
            "places": rubric.rounding.places,
            "mode": rubric.rounding.mode,
            "predikat_on": rubric.rounding.predikat_on,
        },
        "scales": {
            scale.id: {
                "name": scale.name,
                "levels": {
                    str(lv.number): {"name": lv.name, "description": lv.description, "value": format_exact(lv.worth)}
                    for lv in scale.levels
                },
            }
            for scale in rubric.scales.values()
        },
        "bands": [
            {"predikat": b.predikat, "lower": format_exact(b.lower), "upper": format_exact(b.upper)}
            for b in rubric.bands
        ],
        "tree": [node(group.id) for group in rubric.top_groups],
        "notes": list(rubric.notes),
    }


def _band_text(plan: ScoringPlan, predikat: str) -> str:
    band = next(b for b in plan.bands if b.predikat == predikat)
    top = band is plan.bands[-1]
    upper = f"≤ {format_exact(band.upper)}" if top else f"< {format_exact(band.upper)}"
    return f"{format_exact(band.lower)} ≤ value {upper}"


def explanation(card: ScoreCard, plan: ScoringPlan) -> dict[str, Any]:
    """Return how a card's numbers came about: the steps as sentences, and each candidate's classification.

    ``steps`` are what ``spbe score --explain`` prints after its indicator
    table; ``classification`` has, per exact candidate, the published index,
    the value the band rule classifies, the predikat and its band.
    """
    rounding = plan.rounding
    steps: list[str] = []
    if card.source == "levels":
        for group in card.groups:
            members = plan.rubric.group(group.id)
            parts = [*members.children, *members.indicators]
            exact_value = "-" if group.value is None else format_exact(group.value)
            shown = group.published if group.published is not None else "-"
            steps.append(
                f"{group.id} = Σ(value × weight) over {', '.join(parts)} / {format_exact(group.weight)} "
                f"= {exact_value} → {shown}"
            )
        if card.complete:
            terms = " + ".join(
                f"{g.id} {format_exact(g.value)} × {format_exact(g.weight)}"
                for g in card.domains
                if g.value is not None
            )
            steps.append(f"Index = ({terms}) / 100 = {format_exact(card.exact_index or Fraction(0))}")
    else:
        steps.append(
            f"A published value p stands for every exact value that rounds to p "
            f"({rounding.mode.replace('_', '-')}, {rounding.places} decimals); only values the "
            f"rubric's indicator weights can produce are kept."
        )
        for group in card.groups:
            shown = ", ".join(format_exact(c) for c in group.candidates)
            steps.append(f"  {group.id} published {group.published} → exact {shown}")
        terms = " + ".join(f"{g.id} × {format_exact(g.weight)}" for g in card.groups)
        steps.append(
            f"Index = ({terms}) / 100 over every combination → "
            f"{', '.join(format_exact(e) for e in card.exact_candidates)}"
        )
    classification = []
    if card.complete:
        steps.append(f"Rounding: {rounding.mode.replace('_', '-')} to {rounding.places} decimals ({plan.rubric.id}).")
        on = "the rounded index" if rounding.predikat_on == "rounded" else "the unrounded (exact) index"
        steps.append(
            f"Band rule: the predikat is assigned on {on}; bands are lower ≤ value < upper, "
            f"the top band includes {format_exact(plan.bands[-1].upper)}."
        )
        for exact in card.exact_candidates:
            numerator = int(exact * plan.denominator)
            published = plan.published(numerator)
            value = exact if rounding.predikat_on == "exact" else Fraction(published)
            predikat = plan.predikat(numerator)
            band = _band_text(plan, predikat)
            steps.append(
                f"  exact {format_exact(exact)} → published {published}; "
                f"classified value {format_exact(value)}: {band} → {predikat}"
            )
            classification.append(
                {
                    "exact": format_exact(exact),
                    "published": str(published),
                    "classified_value": format_exact(value),
                    "predikat": predikat,
                    "band": band,
                }
            )
    return {
        "predikat_on": rounding.predikat_on,
        "rounding": {"mode": rounding.mode, "places": rounding.places},
        "steps": steps,
        "classification": classification,
    }


def gap_to_json(gap: GapPlan) -> dict[str, Any]:
    """Return the plan as JSON-ready data (numbers as exact strings, never floats)."""
    return {
        "rubric": gap.rubric_id,
        "granularity": gap.granularity,
        "target": gap.target,
        "start": {
            "index": str(gap.start_published),
            "exact_index": format_exact(gap.start_index),
            "predikat": gap.start_predikat,
        },
        "total_steps": len(gap.steps),
        "total_gain": format_exact(gap.gain),
        "end_index": format_exact(gap.end_index),
        "steps": [
            {
                "step": n,
                "item": s.item,
                "name": s.name,
                "from": format_exact(s.before),
                "to": format_exact(s.after),
                "gain": format_exact(s.gain),
                "index": format_exact(s.index),
                "published": str(s.published),
                "predikat": s.predikat,
            }
            for n, s in enumerate(gap.steps, start=1)
        ],
        "notes": list(gap.notes),
    }


def crosswalk_to_json(walk: Crosswalk, engine: Engine) -> dict[str, Any]:
    """Return a crosswalk as JSON-ready data (weights as exact strings)."""
    target = engine.rubric(walk.target)
    return {
        "from": walk.source,
        "to": walk.target,
        "title": walk.title,
        "notes": list(walk.notes),
        "generated": walk.generated,
        "origin": walk.origin,
        "unmapped_weight": format_exact(sum((target.indicator(t).weight for t in walk.unmapped), Fraction(0))),
        "targets": [
            {
                "id": m.target,
                "name": target.indicator(m.target).name,
                "sources": list(m.sources),
                "combine": m.combine if m.sources else None,
                "weights": [format_exact(w) for w in m.weights] or None,
                "level_rounding": m.level_rounding if m.combine in ("mean", "weighted") else None,
                "mark": m.mark,
                "basis": m.basis,
                "reason": m.reason,
                "reference": m.reference,
            }
            for m in walk.mappings
        ],
    }


def plugin_to_json(info: PluginInfo) -> dict[str, Any]:
    """Return one plugin's record as plain JSON data."""
    return {
        "name": info.name,
        "distribution": info.distribution,
        "version": info.version,
        "module": info.module,
        "hook_api": info.api_version,
        "rubrics": list(info.rubrics),
        "hooks": list(info.hooks),
        "status": info.status,
        "reason": info.reason,
        "official": info.official,
        "applies_to": list(info.applies_to),
        "hook_seconds": None if info.hook_seconds is None else f"{info.hook_seconds:.4f}",
        "over_budget": info.over_budget,
        "notes": list(info.notes),
    }


def impact_to_json(impact: Impact, top: int = 10) -> dict[str, Any]:
    """Return an impact as JSON-ready data (see :func:`spbe_engine._impact_report.impact_to_json`)."""
    from ._impact_report import impact_to_json as render  # loaded on use: `spbe score` never needs it

    return render(impact, top)
