"""Compile a rubric, after every plugin has had its say, into an arithmetic scoring plan.

The hooks are consulted here, once per rubric, and their answers are checked
(type and range) with the answering plugin named on any violation. The plan
holds only integers and exact fractions: each indicator's contribution to the
index for each level as an integer over one common denominator ``D``, so that
an index is ``N / D`` with ``N`` a plain integer sum, band edges as integer
thresholds on ``N`` (exact rule) or on the rounded index (rounded rule).

For the vectorised path (:mod:`spbe_engine.batch`) the plan also records,
where the level values are affine in the level (always, under the default
hooks), ``N = offset + sum(slope_i * level_i)``: an integer dot product. It
checks at compile time whether every intermediate of that product and of the
integer rounding fits in int64 (``int64_safe``); where it may not, the batch
path computes with Python integers instead.

Which plugins are asked is the engine's :class:`~spbe_engine._ownership.HookScope`
for the rubric: the plugin that registered it, those that declare it, and
the defaults. A plugin outside the trusted ones (the defaults and the
official plugins) is handed a copy of the rubric, checked unchanged after
each of its calls; each plugin's time in hooks is measured
(:data:`HOOK_BUDGET`).

This module keeps no state: each :class:`~spbe_engine._engine.Engine` keeps
the plans it compiled, and compiles afresh when its plugins change.
"""

from __future__ import annotations

import copy
import itertools
import math
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import pluggy

from ._numbers import ROUNDING_MODES, format_exact
from ._ownership import COMPILE_HOOKS, DEFAULTS, HookScope
from ._rubric_file import check_bands
from .errors import PluginError
from .models import Band, Group, Rounding, Rubric

__all__ = ["HOOK_BUDGET", "ScoringPlan", "compile_plan"]

_DEFAULTS = DEFAULTS
#: The time, in seconds, one plugin's hooks may take in all while one rubric's plan compiles.
#: Over it, ``spbe plugins`` notes the plugin and the kit's ``budget`` check fails it.
HOOK_BUDGET = 0.05
#: The places a rounding may keep (as a rubric's ``[rounding] places`` may).
_PLACES = range(7)
#: Bound every int64 intermediate must stay below (a margin of 2 for sums of bounded terms).
_INT64_LIMIT = 2**62


@attrs.frozen(kw_only=True)
class _Route:
    """How to ask one hook: each answering plugin's own caller in pluggy's call order, and the wrappers."""

    askers: tuple[tuple[str, Any], ...]
    wrappers: tuple[pluggy.HookImpl, ...]
    impls: tuple[pluggy.HookImpl, ...]


class _Guard:
    """Hand watched hooks a copy of the rubric, and check after each watched call that it is unchanged.

    A frozen value can still be changed with ``object.__setattr__`` (or
    through the dicts it holds); a hook that does so is named and refused.
    The copy keeps the rubric the engine holds out of reach whatever a hook
    does; the check names the hook that tried.
    """

    def __init__(self, rubric: Rubric, watched: bool) -> None:
        self.rubric = rubric
        self.watched = watched
        # The criteria source may compare by identity (a Traversable): share it rather than copy it.
        shared = {id(rubric.criteria_source): rubric.criteria_source}
        self.probe = copy.deepcopy(rubric, shared) if watched else rubric
        self.comparable = watched and _intact(self.probe, rubric)

    def check(self, hook: str, plugins: Sequence[str]) -> None:
        """Raise a PluginError naming the plugin(s) of the last call if the copy they were given changed."""
        if self.comparable and not _intact(self.probe, self.rubric):
            raise _altered(hook, plugins, _changed_part(self.probe, self.rubric), self.rubric.id)


def _intact(probe: Rubric, rubric: Rubric) -> bool:
    """Tell whether a copy still equals the rubric, its private indexes included."""
    return (
        probe == rubric
        and dict(probe._group_index) == dict(rubric._group_index)
        and dict(probe._indicator_index) == dict(rubric._indicator_index)
    )


def _changed_part(probe: Rubric, rubric: Rubric) -> str:
    for field in attrs.fields(Rubric):
        if getattr(probe, field.name) != getattr(rubric, field.name):
            return field.name.lstrip("_")
    return "its contents"  # pragma: no cover - _intact found a difference somewhere


def _altered(hook: str, plugins: Sequence[str], part: str, rubric_id: str) -> PluginError:
    names = ", ".join(repr(name) for name in plugins)
    error = PluginError(
        f"plugin {names}, hook {hook}: changed the rubric it was given ({rubric_id}, its {part}); "
        "a hook must not alter what it receives",
        field="rubric",
        allowed="return an answer; never change the rubric, its indicators or its groups",
    )
    error.plugin = plugins[0]
    return error


class _Hooks:
    """Call firstresult hooks through pluggy for one compilation, naming the plugin that answered.

    pluggy decides the call order (``tryfirst``/``trylast``), ``specname``
    and wrappers; the engine still names the plugin whose answer it checks.
    So it asks plugin by plugin, in pluggy's call order, each through
    :meth:`~pluggy.PluginManager.subset_hook_caller` (that plugin's
    implementations only), until one answers: the very calls, in the very
    order, of one full call. Where the hook has wrappers, the answer is one
    full call through pluggy, every wrapper around it once, and the
    plugin-by-plugin calls only tell who answered (plain implementations
    then run twice). Only the plugins in the rubric's scope take part: the
    others are left out of every call, wrappers included.
    """

    def __init__(self, pm: pluggy.PluginManager, scope: HookScope, guard: _Guard) -> None:
        self._pm = pm
        self._scope = scope
        self._guard = guard
        self._routes: dict[str, _Route] = {}
        self._full: dict[str, Any] = {}
        #: Seconds each plugin (but the defaults) spent answering, summed over this compilation.
        self.seconds: dict[str, float] = {}

    def _route(self, hook: str) -> _Route:
        route = self._routes.get(hook)
        if route is None:
            every = getattr(self._pm.hook, hook).get_hookimpls()[::-1]  # pluggy calls the last one first
            impls = tuple(impl for impl in every if self._scope.allows(impl.plugin_name))
            plain = [impl for impl in impls if not (impl.wrapper or impl.hookwrapper)]
            askers: list[tuple[str, Any]] = []
            for _, group in itertools.groupby(plain, key=lambda impl: id(impl.plugin)):
                impl = next(group)
                if any(name == impl.plugin_name for name, _ in askers):
                    raise _interleaved(hook, impl.plugin_name)
                others = [other for other in self._pm.get_plugins() if other is not impl.plugin]
                askers.append((impl.plugin_name, self._pm.subset_hook_caller(hook, remove_plugins=others)))
            wrappers = tuple(impl for impl in impls if impl.wrapper or impl.hookwrapper)
            route = self._routes[hook] = _Route(askers=tuple(askers), wrappers=wrappers, impls=impls)
            if wrappers:
                outside = [p for p in self._pm.get_plugins() if not self._scope.allows(self._pm.get_name(p) or "")]
                self._full[hook] = self._pm.subset_hook_caller(hook, remove_plugins=outside)
        return route

    def _timed(self, plugins: Sequence[str], started: float) -> None:
        spent = time.perf_counter() - started
        for name in plugins:
            if name != _DEFAULTS:
                self.seconds[name] = self.seconds.get(name, 0.0) + spent

    def _watch(self, hook: str, plugins: Sequence[str]) -> None:
        if any(name not in self._scope.trusted for name in plugins):
            self._guard.check(hook, [name for name in plugins if name not in self._scope.trusted])

    def first_result(self, hook: str, **kwargs: Any) -> tuple[Any, str, tuple[str, ...]]:
        """Return the answer, the plugin an error in it names, and every plugin that shaped it.

        The plugin named is the one that answered or, where a wrapper changed
        the answer, the outermost wrapper.
        """
        route = self._route(hook)
        answer, plugin = None, ""
        for plugin, ask in route.askers:
            started = time.perf_counter()
            try:
                answer = ask(**kwargs)
            except Exception as exc:
                raise _raised(hook, plugin, exc) from exc
            finally:
                self._timed((plugin,), started)
            self._watch(hook, (plugin,))
            if answer is not None:
                break
        if route.wrappers:
            names = tuple(dict.fromkeys(impl.plugin_name for impl in route.wrappers))
            outermost = route.wrappers[0].plugin_name
            started = time.perf_counter()
            try:
                wrapped = self._full[hook](**kwargs)
            except Exception as exc:
                raise _raised(hook, _raiser(exc, route.impls) or outermost, exc) from exc
            finally:
                self._timed(names, started)
            self._watch(hook, names)
            if wrapped is not None and (answer is None or not _same(wrapped, answer)):
                return wrapped, outermost, ((plugin, *names) if answer is not None else names)
            answer = wrapped
        if answer is None:
            raise PluginError(f"no plugin answered {hook}", field=hook)  # pragma: no cover - defaults answer
        return answer, plugin, (plugin,)


def _interleaved(hook: str, plugin: str) -> PluginError:
    # The engine asks one plugin at a time: pluggy's own call order only while
    # each plugin's implementations of a hook are adjacent in it.
    error = PluginError(
        f"plugin {plugin!r}, hook {hook}: implemented more than once, "
        "with other plugins' implementations called in between",
        field=hook,
        allowed="one implementation of each hook per plugin",
    )
    error.plugin = plugin
    return error


def _raised(hook: str, plugin: str, exc: Exception) -> PluginError:
    error = PluginError(f"plugin {plugin!r}, hook {hook} raised {type(exc).__name__}: {exc}", field=hook)
    error.plugin = plugin
    return error


def _raiser(exc: BaseException, impls: Sequence[pluggy.HookImpl]) -> str | None:
    """Name the plugin whose implementation the exception rose from (the innermost one in its traceback)."""
    codes = {impl.function.__code__: impl.plugin_name for impl in impls if hasattr(impl.function, "__code__")}
    found = None
    tb = exc.__traceback__
    while tb is not None:
        found = codes.get(tb.tb_frame.f_code, found)
        tb = tb.tb_next
    return found


def _same(a: object, b: object) -> bool:
    """Tell whether a wrapper handed on the answer it was given (the same object, or an equal one)."""
    if a is b:
        return True
    try:
        return bool(a == b)
    except Exception:  # an answer that cannot even be compared was changed
        return False


def _exact(value: object, plugin: str, hook: str, what: str) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, Fraction | Decimal | int):
        raise PluginError(
            f"plugin {plugin!r}, hook {hook}: {what} must be an exact number",
            field=hook,
            value=value,
            allowed="int, Fraction or Decimal (never float)",
        )
    if isinstance(value, Decimal) and not value.is_finite():
        raise PluginError(f"plugin {plugin!r}, hook {hook}: {what} must be finite", field=hook, value=value)
    return Fraction(value)


def _round_int(numerator: int, denominator: int, places: int, mode: str) -> int:
    """Round ``numerator / denominator`` (non-negative) to an integer count of ``10**-places``."""
    scaled = numerator * int(10**places)
    floor, remainder = divmod(scaled, denominator)
    if mode == "half_up":
        return floor + (2 * remainder >= denominator)
    if mode == "half_even":
        twice = 2 * remainder
        return floor + (twice > denominator or (twice == denominator and floor % 2 == 1))
    return floor


#: The fields of a plan that belong to one process: never pickled or copied.
_LOCAL = frozenset({"_achievable", "_lock", "_rendered"})
#: Renderings a plan keeps (:meth:`ScoringPlan.rendered`); past this many it renders without keeping.
RENDERED_MAX = 50_000


@attrs.frozen
class ScoringPlan:
    """A rubric compiled for scoring: exact integer arithmetic, no hooks in the inner loop."""

    rubric: Rubric
    indicator_ids: tuple[str, ...]
    position: Mapping[str, int]
    weights: tuple[Fraction, ...]
    group_weights: Mapping[str, Fraction]
    values: tuple[Mapping[int, Fraction], ...]
    denominator: int
    contributions: tuple[Mapping[int, int], ...]
    group_positions: Mapping[str, tuple[int, ...]]
    bands: tuple[Band, ...]
    rounding: Rounding
    low: Fraction
    high: Fraction
    answered_by: Mapping[str, tuple[str, ...]]
    exact_thresholds: tuple[int, ...]
    rounded_thresholds: tuple[int, ...]
    #: indicator id → {level: contribution to ``N``} (the tables of ``contributions``, by id).
    lookup: Mapping[str, Mapping[int, int]] = attrs.field(factory=dict, repr=False, eq=False)
    #: lowest and highest allowed level of each indicator, in plan order.
    level_low: tuple[int, ...] = attrs.field(default=(), repr=False, eq=False)
    level_high: tuple[int, ...] = attrs.field(default=(), repr=False, eq=False)
    #: ``N = offset + sum(slopes[i] * level_i)`` where the level values are affine (else ``None``).
    slopes: tuple[int, ...] | None = attrs.field(default=None, repr=False, eq=False)
    offset: int = attrs.field(default=0, repr=False, eq=False)
    #: whether the affine dot product and the integer rounding fit in int64 for every valid input.
    int64_safe: bool = attrs.field(default=False, repr=False, eq=False)
    #: which plugins' hooks were consulted (recompiling asks the same ones).
    scope: HookScope = attrs.field(factory=HookScope, repr=False, eq=False)
    #: seconds each plugin's hooks took while this plan compiled (the defaults are not timed).
    hook_seconds: Mapping[str, float] = attrs.field(factory=dict, repr=False, eq=False)
    _achievable: dict[str, tuple[int, ...]] = attrs.field(factory=dict, repr=False, eq=False)
    _lock: Any = attrs.field(factory=threading.Lock, repr=False, eq=False)
    _rendered: dict[Any, Any] = attrs.field(init=False, factory=dict, repr=False, eq=False)

    # -- pickling: a plan crosses processes without its lock and its memo ---------
    def __getstate__(self) -> dict[str, Any]:
        """Return every field but the lock and the memo of achievable sums (rebuilt on demand)."""
        return {field.name: getattr(self, field.name) for field in attrs.fields(type(self)) if field.name not in _LOCAL}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore the fields, with a new lock and an empty memo."""
        for name, value in state.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_achievable", {})
        object.__setattr__(self, "_lock", threading.Lock())
        object.__setattr__(self, "_rendered", {})

    # -- renderings of the plan's constants -----------------------------------
    def rendered(self, kind: str) -> dict[Any, Any]:
        """Return what this plan's constants render to, by key, for one kind of rendering (see :meth:`keep`).

        The plan is immutable and one per rubric content, so a rendering of its
        constants (an indicator at a level, a complete group at a sum) never
        goes stale: it lives and dies with the plan.
        """
        table: dict[Any, Any] = self._rendered.setdefault(kind, {})
        return table

    def keep(self, kind: str, key: Any, rendering: Any) -> Any:
        """Keep one rendering (up to :data:`RENDERED_MAX` of a kind; two threads may both keep the same one)."""
        table = self.rendered(kind)
        if len(table) < RENDERED_MAX:
            table[key] = rendering
        return rendering

    # -- arithmetic ---------------------------------------------------------
    def numerator(self, levels: Sequence[int]) -> int:
        """Return ``N`` for levels given in plan order (index = ``N / denominator``)."""
        return sum(table[level] for table, level in zip(self.contributions, levels, strict=True))

    def exact(self, numerator: int) -> Fraction:
        """Return the exact index for a numerator."""
        return Fraction(numerator, self.denominator)

    def rounded_units(self, numerator: int) -> int:
        """Return the published index in units of ``10**-places``."""
        return _round_int(numerator, self.denominator, self.rounding.places, self.rounding.mode)

    def published(self, numerator: int) -> Decimal:
        """Return the index as published (rounded by the rubric's rule)."""
        return Decimal(self.rounded_units(numerator)).scaleb(-self.rounding.places)

    def band_of(self, numerator: int) -> int:
        """Return the position of the predikat band of an index, by the rubric's band rule."""
        if self.rounding.predikat_on == "exact":
            return bisect_right(self.exact_thresholds, numerator)
        return bisect_right(self.rounded_thresholds, self.rounded_units(numerator))

    def predikat(self, numerator: int) -> str:
        """Return the predikat of an index, by the rubric's band rule."""
        return self.bands[self.band_of(numerator)].predikat

    def group_value(self, group_id: str, group_numerator: int) -> Fraction:
        """Return a group's exact value from the integer sum of its indicators' contributions."""
        return Fraction(group_numerator * 100, self.denominator) / self.group_weights[group_id]

    # -- reconstruction from published aggregates ----------------------------
    def achievable(self, group_id: str) -> tuple[int, ...]:
        """Return, sorted, every contribution ``N_g`` the group's indicators can add up to."""
        cached = self._achievable.get(group_id)
        if cached is not None:
            return cached
        sums = {0}
        for pos in self.group_positions[group_id]:
            steps = set(self.contributions[pos].values())
            sums = {total + step for total in sums for step in steps}
        result = tuple(sorted(sums))
        with self._lock:
            self._achievable[group_id] = result
        return result

    def candidates(self, group_id: str, low: Fraction, high: Fraction) -> tuple[int, ...]:
        """Return the achievable ``N_g`` whose group value lies in ``[low, high)``."""
        weight = self.group_weights[group_id]
        scale = weight * self.denominator / 100
        sums = self.achievable(group_id)
        start = bisect_left(sums, math.ceil(low * scale))
        stop = bisect_left(sums, math.ceil(high * scale))
        return sums[start:stop]


def compile_plan(rubric: Rubric, pm: pluggy.PluginManager, scope: HookScope | None = None) -> ScoringPlan:
    """Ask the hooks for values, weights, bands and rounding; check them; build the plan.

    ``scope`` names the plugins whose hooks are consulted (the engine passes
    the rubric's owner, the plugins that declare it, and the defaults);
    ``None`` asks every registered plugin. A
    :class:`~spbe_engine.errors.PluginError` raised here names the plugin
    whose answer was wrong (or that changed the rubric it was given) in its
    message and in its ``plugin`` attribute.
    """
    last = [""]
    scope = scope or HookScope()

    try:
        return _compile(rubric, pm, scope, last)
    except PluginError as exc:
        if exc.plugin is None:
            exc.plugin = last[0] or None
        raise


def _watched(pm: pluggy.PluginManager, scope: HookScope) -> bool:
    """Tell whether any plugin outside the trusted ones implements a hook consulted at compile time."""
    for name, plugin in pm.list_name_plugin():
        callers = pm.get_hookcallers(plugin) or () if scope.allows(name) and name not in scope.trusted else ()
        if any(caller.name in COMPILE_HOOKS for caller in callers):
            return True
    return False


def _compile(rubric: Rubric, pm: pluggy.PluginManager, scope: HookScope, last: list[str]) -> ScoringPlan:
    answered: dict[str, set[str]] = {}
    guard = _Guard(rubric, _watched(pm, scope))
    hooks = _Hooks(pm, scope, guard)
    probe = guard.probe  # what the hooks receive: the rubric itself, or a watched copy of it

    def ask(hook: str, **kwargs: Any) -> tuple[Any, str]:
        result, plugin, answered_by = hooks.first_result(hook, **kwargs)
        last[0] = plugin
        for name in answered_by:
            if name != _DEFAULTS:
                answered.setdefault(hook, set()).add(name)
        return result, plugin

    values = tuple(_values(rubric, probe, ask, ind.id) for ind in rubric.indicators)
    member_weights = _weights(rubric, probe, ask)
    weights = tuple(member_weights[ind.id] for ind in rubric.indicators)
    group_weights = {group.id: member_weights[group.id] for group in rubric.groups}

    answer, plugin = ask("spbe_rounding", rubric=probe)
    rounding = _rounding(answer, plugin)

    low = sum((w * min(v.values()) for w, v in zip(weights, values, strict=True)), Fraction(0)) / 100
    high = sum((w * max(v.values()) for w, v in zip(weights, values, strict=True)), Fraction(0)) / 100
    answer, plugin = ask("spbe_predikat_bands", rubric=probe)
    bands = _bands(answer, plugin)

    def band_fault(field: str, problem: str) -> PluginError:
        return PluginError(f"plugin {plugin!r}, hook spbe_predikat_bands: {problem}", field=field)

    check_bands(list(bands), low, high, band_fault)

    # One common denominator for every contribution w_i * v_i / 100.
    fractions = [w * v / 100 for w, table in zip(weights, values, strict=True) for v in table.values()]
    denominator = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
    contributions = tuple(
        {level: int(w * v / 100 * denominator) for level, v in table.items()}
        for w, table in zip(weights, values, strict=True)
    )
    places = 10**rounding.places
    exact_thresholds = tuple(math.ceil(band.lower * denominator) for band in bands[1:])
    rounded_thresholds = tuple(math.ceil(band.lower * places) for band in bands[1:])
    low_levels = tuple(min(table) for table in contributions)
    high_levels = tuple(max(table) for table in contributions)
    slopes, offset = _affine(contributions, low_levels, high_levels)
    return ScoringPlan(
        rubric=rubric,
        indicator_ids=tuple(ind.id for ind in rubric.indicators),
        position={ind.id: n for n, ind in enumerate(rubric.indicators)},
        weights=weights,
        group_weights=group_weights,
        values=values,
        denominator=denominator,
        contributions=contributions,
        group_positions={
            group.id: tuple(
                n for n, ind in enumerate(rubric.indicators) if ind.id in set(rubric.indicators_under(group.id))
            )
            for group in rubric.groups
        },
        bands=bands,
        rounding=rounding,
        low=low,
        high=high,
        answered_by={hook: tuple(sorted(names)) for hook, names in answered.items()},
        exact_thresholds=exact_thresholds,
        rounded_thresholds=rounded_thresholds,
        lookup={ind.id: contributions[n] for n, ind in enumerate(rubric.indicators)},
        level_low=low_levels,
        level_high=high_levels,
        slopes=slopes,
        offset=offset,
        int64_safe=_fits_int64(
            contributions,
            slopes,
            offset,
            low_levels,
            high_levels,
            denominator,
            places,
            exact_thresholds + rounded_thresholds,
        ),
        scope=scope,
        hook_seconds=dict(hooks.seconds),
    )


def _rounding(answer: object, plugin: str) -> Rounding:
    """Check a rounding answer field by field (``object.__setattr__`` skips attrs' validators); return a fresh copy."""
    where = f"plugin {plugin!r}, hook spbe_rounding"
    if not isinstance(answer, Rounding):
        raise PluginError(f"{where}: must return a Rounding", field="spbe_rounding", value=answer)
    places, mode, predikat_on = answer.places, answer.mode, answer.predikat_on
    if isinstance(places, bool) or not isinstance(places, int) or places not in _PLACES:
        raise PluginError(
            f"{where}: places must be a whole number of decimals",
            field="spbe_rounding",
            value=places,
            allowed=f"{_PLACES[0]} to {_PLACES[-1]}",
        )
    if mode not in ROUNDING_MODES:
        raise PluginError(
            f"{where}: unknown rounding mode", field="spbe_rounding", value=mode, allowed=", ".join(ROUNDING_MODES)
        )
    if predikat_on not in ("rounded", "exact"):
        raise PluginError(
            f"{where}: unknown band rule", field="spbe_rounding", value=predikat_on, allowed="rounded, exact"
        )
    return Rounding(places, mode, predikat_on)


def _bands(answer: object, plugin: str) -> tuple[Band, ...]:
    """Check a bands answer (named, exact edges, each band non-empty); return fresh bands with Fraction edges."""
    where = f"plugin {plugin!r}, hook spbe_predikat_bands"
    bands = tuple(answer) if isinstance(answer, Sequence) and not isinstance(answer, str) else answer
    if not isinstance(bands, tuple) or not bands or not all(isinstance(b, Band) for b in bands):
        raise PluginError(f"{where}: must return a sequence of Band", field="spbe_predikat_bands", value=answer)
    fresh: list[Band] = []
    for n, band in enumerate(bands):
        if not isinstance(band.predikat, str) or not band.predikat.strip():
            raise PluginError(
                f"{where}: band {n} needs a predikat name", field=f"spbe_predikat_bands[{n}]", value=band.predikat
            )
        lower = _exact(band.lower, plugin, "spbe_predikat_bands", f"the lower edge of {band.predikat}")
        upper = _exact(band.upper, plugin, "spbe_predikat_bands", f"the upper edge of {band.predikat}")
        if lower >= upper:
            raise PluginError(
                f"{where}: band {band.predikat} is empty: lower {format_exact(lower)} is not below "
                f"upper {format_exact(upper)}",
                field=f"spbe_predikat_bands[{n}]",
            )
        fresh.append(Band(band.predikat, lower, upper))
    return tuple(fresh)


def _affine(
    contributions: Sequence[Mapping[int, int]], low: Sequence[int], high: Sequence[int]
) -> tuple[tuple[int, ...] | None, int]:
    """Return integer ``(slopes, offset)`` with ``N = offset + sum(slope_i * level_i)``, if there are any."""
    slopes: list[int] = []
    offset = 0
    for table, lo, hi in zip(contributions, low, high, strict=True):
        slope = table[lo + 1] - table[lo] if hi > lo else 0
        base = table[lo] - slope * lo
        if any(table[level] != base + slope * level for level in table):
            return None, 0
        slopes.append(slope)
        offset += base
    return tuple(slopes), offset


def _fits_int64(
    contributions: Sequence[Mapping[int, int]],
    slopes: Sequence[int] | None,
    offset: int,
    low: Sequence[int],
    high: Sequence[int],
    denominator: int,
    places: int,
    thresholds: Sequence[int],
) -> bool:
    """Tell whether every int64 intermediate of the vectorised path stays in range.

    Bounds: each partial sum of the dot product, ``N`` itself, and the
    rounding's ``2 * N * 10**places + 2 * D``.
    """
    if slopes is None:
        return False
    terms = sum(abs(s) * max(abs(lo), abs(hi)) for s, lo, hi in zip(slopes, low, high, strict=True))
    largest = max(terms + abs(offset), sum(max(abs(c) for c in t.values()) for t in contributions))
    bounds = [
        terms + abs(offset),
        largest,
        2 * largest * places + 2 * denominator,
        *(abs(t) for t in thresholds),
        *(abs(lo) for lo in low),
        *(abs(hi) for hi in high),
    ]
    return max(bounds) < _INT64_LIMIT


def _values(rubric: Rubric, probe: Rubric, ask: Any, indicator_id: str) -> Mapping[int, Fraction]:
    indicator = rubric.indicator(indicator_id)
    scale = rubric.scales[indicator.scale]
    table, plugin = ask("spbe_indicator_values", rubric=probe, indicator=probe.indicator(indicator_id))
    where = f"plugin {plugin!r}, hook spbe_indicator_values, indicator {indicator.id}"
    if not isinstance(table, Mapping) or set(table) != set(scale.numbers):
        got = sorted(table) if isinstance(table, Mapping) else table
        raise PluginError(
            f"{where}: must map every level of scale {scale.id!r} to a value",
            field="spbe_indicator_values",
            value=got,
            allowed=f"keys {list(scale.numbers)}",
        )
    out: dict[int, Fraction] = {}
    for level in scale.numbers:
        value = _exact(table[level], plugin, "spbe_indicator_values", f"the value of level {level}")
        if not scale.numbers[0] <= value <= scale.numbers[-1]:
            raise PluginError(
                f"{where}: the value of level {level} is outside the scale",
                field="spbe_indicator_values",
                value=format_exact(value),
                allowed=f"{scale.numbers[0]} to {scale.numbers[-1]}",
            )
        out[level] = value
    return out


def _weights(rubric: Rubric, probe: Rubric, ask: Any) -> dict[str, Fraction]:
    """Collect member weights group by group, checking each group's members sum to its weight."""
    effective: dict[str, Fraction] = {}

    def collect(group: Group | None, total: Fraction, total_from: str) -> None:
        given = None if group is None else probe.group(group.id)
        mapping, plugin = ask("spbe_weights", rubric=probe, group=given)
        members = [g.id for g in rubric.top_groups] if group is None else [*group.children, *group.indicators]
        name = "the top level" if group is None else f"group {group.id}"
        where = f"plugin {plugin!r}, hook spbe_weights, {name}"
        if not isinstance(mapping, Mapping) or set(mapping) != set(members):
            got = sorted(mapping) if isinstance(mapping, Mapping) else mapping
            raise PluginError(
                f"{where}: must give a weight for exactly its members",
                field="spbe_weights",
                value=got,
                allowed=", ".join(members),
            )
        weights = {m: _exact(mapping[m], plugin, "spbe_weights", f"the weight of {m}") for m in members}
        for member, weight in weights.items():
            if weight < 0:
                raise PluginError(
                    f"{where}: the weight of {member} is negative",
                    field="spbe_weights",
                    value=format_exact(weight),
                    allowed="0 or more",
                )
        if sum(weights.values(), Fraction(0)) != total:
            got = format_exact(sum(weights.values(), Fraction(0)))
            origin = "" if total_from == plugin else f" (the group's weight, set by plugin {total_from!r})"
            raise PluginError(
                f"{where}: weights sum to {got}, not {format_exact(total)}{origin}",
                field="spbe_weights",
                allowed="member weights that add up to the group's weight",
            )
        effective.update(weights)
        for member in members:
            if rubric.has_group(member):
                collect(rubric.group(member), weights[member], plugin)

    collect(None, Fraction(100), "the index")
    return effective
