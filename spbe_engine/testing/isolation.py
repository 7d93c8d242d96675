"""The kit's checks that a plugin stays in its own room: files, namesakes, isolation and budget.

Each function takes the engine and the rubric under check and raises
:class:`~spbe_engine.testing.structural.CheckFailure` naming the plugin at
fault, or returns a note on what it covered. None needs hypothesis.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._crosswalk import Crosswalk, same_indicators
from .._engine import Engine
from .._plan import HOOK_BUDGET, compile_plan
from .._rubric_file import load_criteria
from ..errors import SpbeError
from .fresh import plan_summary, sample_levels
from .golden import golden_cases, golden_file
from .structural import CheckFailure

__all__ = ["budget", "files_shipped", "isolation", "namesakes", "owner_of_rubric"]


def owner_of_rubric(engine: Engine, rubric_id: str) -> str:
    """Return the name of the plugin that registered a rubric."""
    return engine.plugin_of(rubric_id).name


def _exists(source: Any) -> bool:
    try:
        return bool(source.is_file())
    except OSError:  # pragma: no cover - a Traversable that cannot even be asked
        return False


def _own_crosswalks(engine: Engine, rubric_id: str) -> list[tuple[str, str]]:
    """Return the crosswalk pairs registered by the rubric's plugin, or leading to or from the rubric."""
    owner = owner_of_rubric(engine, rubric_id)
    return [pair for pair in engine.crosswalk_pairs() if engine.crosswalk_plugin(pair) == owner or rubric_id in pair]


def files_shipped(engine: Engine, rubric_id: str) -> str:
    """Every file the rubric declares is shipped and loads: level criteria, golden cases, crosswalks."""
    rubric = engine.rubric(rubric_id)
    owner = owner_of_rubric(engine, rubric_id)
    covered: list[str] = []
    source = rubric.criteria_source
    if source is not None:
        if not _exists(source):
            raise CheckFailure(
                f"the level criteria file {source} that the rubric declares (key `criteria`) is not shipped "
                f"by plugin {owner!r}: `spbe rubric show {rubric_id} --criteria` would fail"
            )
        try:
            criteria = load_criteria(source)
        except SpbeError as exc:
            raise CheckFailure(f"the level criteria file of plugin {owner!r} does not load: {exc}") from None
        unknown = sorted(set(criteria) - {ind.id for ind in rubric.indicators})
        if unknown:
            raise CheckFailure(
                f"the level criteria file {source} of plugin {owner!r} describes indicators the rubric does not "
                f"have: {', '.join(unknown[:8])}"
            )
        covered.append(f"criteria for {len(criteria)} indicators")
    try:
        golden = golden_file(engine, rubric_id)
        cases = golden_cases(engine, rubric_id) if golden is not None else ()
    except SpbeError as exc:
        raise CheckFailure(f"the golden cases of plugin {owner!r} are not shipped or do not load: {exc}") from None
    if golden is not None:
        covered.append(f"{len(cases)} golden cases")
    known = set(engine.rubric_ids())
    walks = 0
    for pair in _own_crosswalks(engine, rubric_id):
        if not set(pair) <= known:
            continue  # a crosswalk to a rubric not installed here is no route; nothing to load
        try:
            engine.crosswalk(*pair)
        except SpbeError as exc:
            plugin = engine.crosswalk_plugin(pair)
            raise CheckFailure(
                f"the crosswalk {pair[0]} → {pair[1]} of plugin {plugin!r} is not shipped or does not load: {exc}"
            ) from None
        walks += 1
    covered.append(f"{walks} crosswalks")
    return ", ".join(covered)


def _namesake_faults(walk: Crosswalk, plugin: str) -> list[str]:
    faults = []
    for mapping in walk.mappings:
        if mapping.mark == "exact" and mapping.sources != (mapping.target,):
            faults.append(
                f"{mapping.target} ← {', '.join(mapping.sources)} is marked exact in crosswalk "
                f"{walk.source} → {walk.target} of plugin {plugin!r}"
            )
    return faults


def namesakes(engine: Engine, rubric_id: str) -> str:
    """A crosswalk between rubrics of identical structure maps each indicator to its namesake unless marked.

    Between two rubrics with the same indicator ids and scales, an ``exact``
    mapping of an indicator from any other than its namesake is a swap
    passed off as identity; such a mapping must be marked ``approximate`` or
    ``none`` and say why.
    """
    known = set(engine.rubric_ids())
    checked = 0
    faults: list[str] = []
    for pair in _own_crosswalks(engine, rubric_id):
        if not set(pair) <= known or not same_indicators(engine.rubric(pair[0]), engine.rubric(pair[1])):
            continue
        checked += 1
        faults += _namesake_faults(engine.crosswalk(*pair), engine.crosswalk_plugin(pair))
    if faults:
        raise CheckFailure(
            f"{len(faults)} mapping(s) between rubrics with identical indicators are marked exact but do not "
            f"map an indicator to its namesake (mark them approximate, with the reason): {'; '.join(faults[:5])}"
        )
    if not checked:
        return "no crosswalk of this rubric joins two rubrics with identical indicators: nothing to map wrongly"
    return f"{checked} crosswalk(s) between identically structured rubrics map namesakes"


def _outcome(call: Callable[..., Any], *args: Any) -> Any:
    """Return what ``call(*args)`` gives, or the engine's refusal as text (so both sides compare)."""
    try:
        return call(*args)
    except SpbeError as exc:
        return f"refused: {type(exc).__name__}: {exc.problem}"


def _walk_summary(engine: Engine, source: str, target: str) -> tuple[Any, ...]:
    walk = engine.crosswalk(source, target)
    return tuple((m.target, m.sources, m.combine, m.weights, m.level_rounding, m.mark) for m in walk.mappings)


def _card_summary(engine: Engine, rubric_id: str, assessment: Any) -> tuple[Any, ...]:
    card = engine.score(assessment, rubric=rubric_id)
    return (card.index, card.exact_index, card.predikat, card.index_candidates, card.predikat_candidates)


def _year_of(engine: Engine, year: int) -> str:
    return engine.rubric_for_year(year).id


def _rubric_faults(engine: Engine, without: Engine, other: str) -> list[str] | None:
    """Compare one other rubric with and without the plugin; ``None`` if it needs the plugin."""
    try:
        samples = sample_levels(without.plan(other))
        baseline = plan_summary(without, other, samples)
    except SpbeError:
        return None  # it needs the plugin under check (it extends one of its rubrics)
    changed = _outcome(plan_summary, engine, other, samples)
    if isinstance(changed, str):
        return [f"rubric {other} no longer scores: {changed}"]
    parts = [part for part in ("values", "weights", "bands", "rounding", "cards") if changed[part] != baseline[part]]
    if parts:
        by = engine.plan(other).answered_by
        who = sorted({name for names in by.values() for name in names})
        shown = f" (hooks answered by {', '.join(repr(w) for w in who)})" if who else ""
        return [f"rubric {other}: its {', '.join(parts)} change{shown}"]
    try:
        cases = golden_cases(without, other)
    except SpbeError:
        cases = ()
    for case in cases:
        if _outcome(_card_summary, engine, other, case.assessment) != _outcome(
            _card_summary, without, other, case.assessment
        ):
            return [f"rubric {other}: its golden result {case.name!r} changes"]
    return []


def isolation(engine: Engine, rubric_id: str) -> str:
    """Installing the rubric's plugin leaves every other rubric as it is without it.

    An engine is loaded as the given one was, leaving the plugin out; for
    every other rubric both engines must agree on the plan, the golden
    results, which rubric governs each year it claims, and every crosswalk
    between two other rubrics. A rubric that needs the plugin (it extends one
    of its rubrics) is not compared.
    """
    owner = owner_of_rubric(engine, rubric_id)
    try:
        without = engine.without(owner)
    except ValueError as exc:
        from .checks import CheckSkipped

        raise CheckSkipped(f"cannot build the engine without plugin {owner!r}: {exc}") from None
    installed = set(engine.rubric_ids())
    compared: list[str] = []
    faults: list[str] = []
    for other in (r for r in without.rubric_ids() if r in installed):
        found = _rubric_faults(engine, without, other)
        if found is not None:
            compared.append(other)
            faults += found
    years = sorted({y for r in compared for y in without.rubric(r).years})
    for year in years:
        before, after = _outcome(_year_of, without, year), _outcome(_year_of, engine, year)
        if before != after:
            faults.append(f"scoring by year {year}: {before} without the plugin, {after} with it")
    walks, added = 0, 0
    for source, target in ((s, t) for s in compared for t in compared if s != t):
        before = _outcome(_walk_summary, without, source, target)
        if isinstance(before, str):
            # No route without the plugin: one through its rubrics is new, and changes no result that existed.
            added += not isinstance(_outcome(_walk_summary, engine, source, target), str)
            continue
        walks += 1
        after = _outcome(_walk_summary, engine, source, target)
        if before != after:
            faults.append(
                f"crosswalk {source} → {target}: {'the route is lost' if isinstance(after, str) else 'mappings change'}"
            )
    if faults:
        more = f"; and {len(faults) - 6} more" if len(faults) > 6 else ""
        raise CheckFailure(f"installing plugin {owner!r} changes other rubrics: {'; '.join(faults[:6])}{more}")
    new = f" ({added} routes added through its rubrics)" if added else ""
    return (
        f"{len(compared)} other rubrics, {len(years)} years, {walks} crosswalks unchanged without plugin {owner!r}{new}"
    )


def budget(engine: Engine, rubric_id: str, times: int = 2) -> str:
    """Every plugin's hooks stay within the time budget while the rubric's plan compiles.

    The plan is compiled ``times`` more times; a plugin fails only if it is
    over the budget every time (so one slow moment of a busy machine does
    not count).
    """
    plan = engine.plan(rubric_id)
    rounds = [dict(plan.hook_seconds)]
    for _ in range(times):
        rounds.append(dict(compile_plan(plan.rubric, engine.plugin_manager, plan.scope).hook_seconds))
    names = sorted({name for found in rounds for name in found})
    best = {name: min(found.get(name, 0.0) for found in rounds) for name in names}
    slow = {name: spent for name, spent in best.items() if spent > HOOK_BUDGET}
    if slow:
        shown = ", ".join(f"plugin {name!r} {spent:.3f} s" for name, spent in sorted(slow.items()))
        raise CheckFailure(
            f"hooks over the budget of {HOOK_BUDGET:.3f} s per rubric compile (fastest of {len(rounds)} "
            f"compiles): {shown}"
        )
    if not best:
        return "no plugin hooks consulted: the rubric's data answers"
    return ", ".join(f"{name} {spent * 1000:.1f} ms" for name, spent in sorted(best.items()))
