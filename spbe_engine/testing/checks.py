"""The named checks of the conformance kit, in the order they run.

Each check states one invariant every rubric must satisfy. A check gets a
:class:`Context` (the engine, the rubric id, its compiled plan and the
hypothesis settings) and raises
:class:`~spbe_engine.testing.structural.CheckFailure` on a fault. Faults the
engine already refuses when it loads the rubric or compiles its plan (weights
that do not add up, bands with a gap, a value outside the scale) are reported
under the check that owns them: see :func:`owner_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import attrs

from .._engine import Engine
from .._numbers import format_exact
from .._plan import ScoringPlan
from ..errors import SpbeError
from . import isolation, properties, structural
from .golden import check_case, golden_cases
from .names import CHECK_NAMES
from .structural import CheckFailure

__all__ = ["CHECKS", "Check", "CheckSkipped", "Context", "owner_of"]


class CheckSkipped(Exception):
    """A check does not apply to this rubric (for example: it ships no golden cases)."""


@attrs.frozen
class Context:
    """What a check runs against."""

    engine: Engine
    rubric_id: str
    plan: ScoringPlan
    settings: Any


@attrs.frozen
class Check:
    """One named check: its name, the invariant it states, and how it runs."""

    name: str
    summary: str
    run: Callable[[Context], str | None]
    random: bool = False

    def __call__(self, context: Context) -> str | None:
        """Run the check; return a note on what was covered, or raise CheckFailure."""
        return self.run(context)


def _prop(context: Context, name: str, body: properties.Body) -> None:
    properties.run_property(context.engine, context.rubric_id, name, body, context.settings)


def _examples(context: Context) -> str:
    return f"{context.settings.max_examples} examples"


def check_loads(context: Context) -> str:
    """The rubric loads, validates and compiles to a scoring plan."""
    plan = context.plan
    return f"{len(plan.indicator_ids)} indicators, {len(plan.rubric.groups)} groups, {len(plan.bands)} bands"


def check_files(context: Context) -> str:
    """Every file the rubric declares is shipped and loads: level criteria, golden cases, crosswalks."""
    return isolation.files_shipped(context.engine, context.rubric_id)


def check_weights(context: Context) -> str:
    """Weights are non-negative and sum to the whole at each level of the tree (100 at the top)."""
    structural.weight_tree(context.plan)
    return f"{len(context.plan.rubric.groups)} groups"


def check_bounds(context: Context) -> str:
    """Every indicator, aspect, domain and index value stays within the level scale; all at level k give k's value."""
    plan = context.plan
    structural.value_tables(plan, monotone=False)
    rubric = plan.rubric
    shared = set.intersection(*(set(rubric.scale_of(i).numbers) for i in plan.indicator_ids))
    for k in sorted(shared):
        # What the rubric data says level k is worth: k, unless its scales give it a value.
        worth = {rubric.scale_of(i).level(k).worth for i in plan.indicator_ids}
        if len(worth) != 1:
            continue  # the scales value k differently: no single value to expect
        want = worth.pop()
        card = context.engine.score(dict.fromkeys(plan.indicator_ids, k), rubric=context.rubric_id)
        wrong = [g.id for g in card.groups if g.value != want]
        if card.exact_index != want or wrong:
            raise CheckFailure(
                f"with every indicator at level {k} the index is {format_exact(card.exact_index or Fraction(0))}"
                + (f" and {', '.join(wrong)} are not {format_exact(want)}" if wrong else "")
                + f", not exactly {format_exact(want)}",
                f"smallest failing assessment: all {len(plan.indicator_ids)} indicators at {k}",
            )
    _prop(context, "bounds", properties.bounds_property)
    return f"levels {sorted(shared)} exhaustively; {_examples(context)}"


def check_monotonicity(context: Context) -> str:
    """Raising one indicator never lowers its aspect, its domain, the index, or the predikat rank."""
    structural.value_tables(context.plan, monotone=True)
    _prop(context, "monotonicity", properties.monotone_property)
    return f"every value table; {_examples(context)}"


def check_bands(context: Context) -> str:
    """Bands are ordered, contiguous and cover the scale; the predikat is monotone and exact at every edge."""
    structural.band_structure(context.plan)
    structural.band_sweep(context.plan)
    plan = context.plan
    return (
        f"{len(plan.bands)} bands, predikat on the {plan.rounding.predikat_on} index; "
        f"every index on the 1/{plan.denominator} grid classified"
    )


def check_determinism(context: Context) -> str:
    """The same input always gives the same result: hooks answer alike, input order does not matter."""
    structural.plan_stable(context.plan, context.engine.plugin_manager)
    _prop(context, "determinism", properties.order_property)
    return f"3 recompilations; {_examples(context)}"


def check_hash_seeds(context: Context) -> str:
    """Fresh processes under other hash seeds compile the same plan and give the same scores."""
    from . import fresh

    samples = fresh.sample_levels(context.plan)
    here = fresh.plan_summary(context.engine, context.rubric_id, samples)
    try:
        there = fresh.fresh_summaries(context.engine, context.rubric_id, samples)
    except fresh.Unreproducible as exc:
        raise CheckSkipped(f"not run: {exc}") from None
    except RuntimeError as exc:
        raise CheckFailure(f"the rubric cannot be scored in a fresh process: {exc}") from None
    for seed, summary in there.items():
        for part in ("values", "weights", "bands", "rounding", "cards"):
            if summary[part] != here[part]:
                hook = fresh.HOOK_OF.get(part)
                by = context.plan.answered_by
                names = by.get(hook, ()) if hook else tuple(sorted({n for ns in by.values() for n in ns}))
                who = ", ".join(repr(name) for name in names) or "the rubric data"
                raise CheckFailure(
                    f"under PYTHONHASHSEED={seed} the {part} differ from this process's"
                    + (f" ({hook} answered by {who})" if hook else f" (hooks answered by {who})")
                    + ": an answer depends on set or dict order (iterate in sorted order)",
                    f"first difference: {fresh.describe_difference(here[part], summary[part], part)}"
                    + (f"\nassessments scored: {samples}" if part == "cards" else ""),
                )
    seeds = ", ".join(str(seed) for seed in there)
    return f"plan and {len(samples)} assessments alike under PYTHONHASHSEED {seeds} and this process"


def check_published(context: Context) -> str:
    """Levels → rounded domain values → the reconstruction always contains the exact index."""
    _prop(context, "published", properties.published_property)
    return _examples(context)


def check_malformed(context: Context) -> str:
    """A malformed assessment is refused with an error naming the bad field, never scored."""
    _prop(context, "malformed", properties.rejects_property)
    return _examples(context)


def check_golden(context: Context) -> str:
    """The rubric reproduces every published result in its golden-case file."""
    cases = golden_cases(context.engine, context.rubric_id)
    if not cases:
        raise CheckSkipped(f"{context.rubric_id} ships no golden cases (<id>.golden.toml beside its TOML)")
    failures = []
    for case in cases:
        problems = check_case(context.engine, context.rubric_id, case)
        if problems:
            failures.append(f"{case.name} [{case.source}]: {'; '.join(problems)}")
    if failures:
        raise CheckFailure(
            f"{len(failures)} of {len(cases)} golden cases differ from what was published", "\n".join(failures)
        )
    return f"{len(cases)} cases from {cases[0].file.rsplit('/', 1)[-1]}"


def check_crosswalks(context: Context) -> str:
    """Crosswalks: an identical structure changes nothing; coverage in [0, 1]; bounds and monotonicity hold."""
    from . import evolution

    _prop(context, "crosswalks", evolution.crosswalk_property)
    targets = evolution.outgoing(context.engine, context.rubric_id)
    return f"identity{''.join(f', → {t}' for t in targets)}; {_examples(context)}"


def check_namesakes(context: Context) -> str:
    """A crosswalk between identically structured rubrics maps each indicator to its namesake unless marked."""
    return isolation.namesakes(context.engine, context.rubric_id)


def check_gap(context: Context) -> str:
    """The gap plan, applied, reaches its target predikat, and no plan with fewer steps does."""
    from . import evolution

    tables = context.plan.contributions
    if any(t[lv] > t[lv + 1] for t in tables for lv in sorted(t)[:-1]):
        raise CheckSkipped("a gap plan presumes that raising a level never lowers a value: see monotonicity")
    _prop(context, "gap", evolution.gap_property)
    return _examples(context)


def check_isolation(context: Context) -> str:
    """Installing the plugin changes no other rubric: plans, golden results, years, crosswalks."""
    return isolation.isolation(context.engine, context.rubric_id)


def check_budget(context: Context) -> str:
    """Every plugin's hooks take less than the time budget while the rubric's plan compiles."""
    return isolation.budget(context.engine, context.rubric_id)


def _check(function: Callable[[Context], str | None], random: bool = False) -> Check:
    name = function.__name__.removeprefix("check_")
    doc = (function.__doc__ or "").strip().splitlines()[0]
    return Check(name, doc, function, random)


#: Every named check, in the order the kit runs them.
CHECKS: Mapping[str, Check] = MappingProxyType(
    {
        check.name: check
        for check in (
            _check(check_loads),
            _check(check_files),
            _check(check_weights),
            _check(check_bounds, random=True),
            _check(check_monotonicity, random=True),
            _check(check_bands),
            _check(check_determinism, random=True),
            _check(check_hash_seeds),
            _check(check_published, random=True),
            _check(check_malformed, random=True),
            _check(check_golden),
            _check(check_crosswalks, random=True),
            _check(check_namesakes),
            _check(check_gap, random=True),
            _check(check_isolation),
            _check(check_budget),
        )
    }
)

assert tuple(CHECKS) == CHECK_NAMES, "testing/names.py lists every check, in run order"

# Which check owns a fault the engine refuses at load or compile time, by the
# field its error names (hook names for plugin faults, TOML paths for data faults).
_OWNERS = (
    ("spbe_weights", "weights"),
    ("groups", "weights"),
    ("spbe_predikat_bands", "bands"),
    ("bands", "bands"),
    ("spbe_indicator_values", "bounds"),
    ("scales", "bounds"),
    ("spbe_rounding", "published"),
    ("rounding", "published"),
)


def owner_of(error: SpbeError) -> str:
    """Return the name of the check that owns a load or compile error (``loads`` if none does)."""
    field = error.field or ""
    if field.startswith("indicators.") and field.endswith(".weight"):
        return "weights"
    for prefix, owner in _OWNERS:
        if field == prefix or field.startswith((f"{prefix}.", f"{prefix}[")):
            return owner
    return "loads"
