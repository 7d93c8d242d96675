"""Build the plugin manager, load rubric plugins in isolation, and keep the rubric registry.

Nothing here runs at import time: :func:`load_plugins` is a factory an
:class:`~spbe_engine._engine.Engine` calls, and tests build their own. A plugin
that fails to import, implements an unknown hook, targets another hook API
version, or registers a rubric id already taken is *set aside* with its
reason; every other plugin keeps working.

Validation of what a plugin registers is eager or lazy, by the caller's
choice. With ``validate=True`` (``spbe plugins``, ``spbe check``,
``Engine.default(validate=True)``) every rubric is read, validated and its
plan compiled at load time, and a plugin whose rubric fails (bad TOML,
weights, bands) or whose hooks make a plan fail to compile is set aside with
the reason, while the others keep working. Without it (the default, and what
``spbe score`` uses) only the rubric actually used is read, on first use, so
a cold start costs one TOML parse rather than one per installed rubric (to
resolve an evaluation year, only the top of each file, where its ``years``
stand, is read); a failure then surfaces as an error that names the plugin
behind the rubric.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import inspect
import os
import re
import threading
import tomllib
import types
from collections.abc import Iterable
from decimal import Decimal
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import attrs
import pluggy

from . import _defaults, hookspecs
from ._crosswalk_registry import CrosswalkRegistry
from ._plan import compile_plan
from ._rubric_file import RawRubric, build_rubric, read_toml, resolve_raw
from .errors import PluginError, RubricError, UnknownRubricError
from .models import Rubric

__all__ = [
    "ENTRY_POINT_GROUP",
    "PluginInfo",
    "RubricRegistry",
    "RubricSource",
    "load_plugins",
    "validate_plugins",
]

#: The entry-point group every rubric plugin, built-in or third-party, is announced in.
ENTRY_POINT_GROUP = "spbe_engine"
#: Set to a true value to make a set-aside plugin an error (for CI).
STRICT_ENV = "SPBE_STRICT_PLUGINS"
_DEFAULTS = "spbe_engine._defaults"

RubricSource = Traversable | Path


@attrs.frozen
class PluginInfo:
    """What the host knows of one plugin: where it came from, what it gave, whether it is in use."""

    name: str
    module: str = ""
    distribution: str = ""
    version: str = ""
    api_version: int | None = None
    rubrics: tuple[str, ...] = ()
    crosswalks: tuple[str, ...] = ()
    hooks: tuple[str, ...] = ()
    status: str = "active"
    reason: str = ""

    @property
    def active(self) -> bool:
        """Tell whether the plugin is in use (not set aside)."""
        return self.status == "active"


@attrs.frozen
class _Entry:
    source: RubricSource
    plugin: str


class RubricRegistry:
    """The registered rubric versions: id → source file, loaded and validated on first use.

    Safe to share across threads: loading is guarded by a lock and loaded
    rubrics are immutable.
    """

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._raw: dict[str, RawRubric] = {}
        self._rubrics: dict[str, Rubric] = {}
        self._years: dict[str, tuple[int, ...]] = {}
        self._lock = threading.RLock()
        #: The crosswalks plugins registered (see :mod:`spbe_engine._crosswalk_registry`).
        self.crosswalks = CrosswalkRegistry()

    def add(self, rubric_id: str, source: RubricSource, plugin: str) -> None:
        """Record a rubric source; refuse an id that is already taken."""
        taken = self._entries.get(rubric_id)
        if taken is not None:
            raise PluginError(
                f"rubric id {rubric_id!r} is already registered by plugin {taken.plugin!r}",
                field="register",
                value=str(source),
            )
        self._entries[rubric_id] = _Entry(source, plugin)

    def discard_plugin(self, plugin: str) -> None:
        """Forget every rubric a plugin registered (when it is set aside)."""
        with self._lock:
            for rubric_id in [rid for rid, entry in self._entries.items() if entry.plugin == plugin]:
                del self._entries[rubric_id]
            # A derived rubric may have folded in one of them: forget every loaded result.
            self._raw.clear()
            self._rubrics.clear()
            self._years.clear()

    def ids(self) -> tuple[str, ...]:
        """Return the registered rubric ids, sorted."""
        return tuple(sorted(self._entries))

    def plugin_of(self, rubric_id: str) -> str:
        """Return the name of the plugin that registered a rubric."""
        return self._entry(rubric_id).plugin

    def canonical(self, rubric_id: str) -> str:
        """Return the registered id a user's id names: as written, else ignoring case and surrounding space.

        An id that names none raises :class:`~spbe_engine.errors.UnknownRubricError`
        suggesting the nearest registered ids, then listing them all.
        """
        if rubric_id in self._entries:
            return rubric_id
        if isinstance(rubric_id, str):
            wanted = rubric_id.strip().casefold()
            for known in self._entries:
                if known.casefold() == wanted:
                    return known
        ids = self.ids()
        near = difflib.get_close_matches(str(rubric_id).strip().casefold(), ids, n=3, cutoff=0.6)
        hint = f"did you mean {' or '.join(near)}? " if near else ""
        raise UnknownRubricError(
            "unknown rubric", field="rubric", value=rubric_id, allowed=f"{hint}registered: {', '.join(ids) or 'none'}"
        )

    def _entry(self, rubric_id: str) -> _Entry:
        return self._entries[self.canonical(rubric_id)]

    def raw(self, rubric_id: str, _chain: tuple[str, ...] = ()) -> RawRubric:
        """Return the resolved raw data of a rubric (its ``extends`` chain folded in)."""
        if not _chain:
            rubric_id = self.canonical(rubric_id)
        with self._lock:
            if rubric_id in self._raw:
                return self._raw[rubric_id]
            if rubric_id in _chain:
                raise RubricError(
                    "rubrics extend each other in a cycle",
                    field="extends",
                    value=" -> ".join((*_chain, rubric_id)),
                    allowed="a chain of extends that ends at a rubric extending none",
                )
            entry = self._entry(rubric_id)
            raw = resolve_raw(entry.source, rubric_id, lambda base: self.raw(base, (*_chain, rubric_id)))
            self._raw[rubric_id] = raw
            return raw

    def own(self, rubric_id: str) -> RawRubric:
        """Return a rubric file's data as written: for a derived rubric, only what it states itself."""
        return read_toml(self._entry(rubric_id).source)

    def years(self, rubric_id: str) -> tuple[int, ...]:
        """Return the evaluation years a rubric governs, reading only the top of its file.

        Every rubric states its own ``years`` (a derived one never inherits
        them) as a top-level key, and TOML puts top-level keys before the first
        table, so only the text before the first table header is parsed: no
        ``extends`` chain, no validation. Anything unusual there (no ``years``,
        a value that is not a list of distinct years, text that does not parse
        on its own) loads the whole rubric instead, which raises the precise
        error where there is one.
        """
        with self._lock:
            found = self._years.get(rubric_id)
            if found is None:
                loaded = self._rubrics.get(rubric_id)
                found = loaded.years if loaded is not None else _own_years(self._entry(rubric_id).source)
                if found is None:
                    found = self.get(rubric_id).years
                self._years[rubric_id] = found
            return found

    def for_year(self, year: int) -> str:
        """Return the id of the one rubric that governs evaluations of ``year``.

        Reads only the ``years`` of each rubric (see :meth:`years`).
        """
        claims = {rubric_id: self.years(rubric_id) for rubric_id in self.ids()}
        governing = [rubric_id for rubric_id, years in claims.items() if year in years]
        if len(governing) != 1:
            covered = sorted({y for years in claims.values() for y in years})
            problem = (
                "no rubric governs this evaluation year"
                if not governing
                else f"several rubrics claim this year ({', '.join(governing)}); name one"
            )
            raise UnknownRubricError(
                problem, field="year", value=year, allowed=f"years {covered[0]}-{covered[-1]}" if covered else "none"
            )
        return governing[0]

    def get(self, rubric_id: str, *, name_plugin: bool = True) -> Rubric:
        """Return the validated rubric, loading it on first use.

        A :class:`~spbe_engine.errors.RubricError` names the plugin that
        registered the rubric (unless ``name_plugin`` is false), so a lazily
        found fault points at its author.
        """
        rubric_id = self.canonical(rubric_id)
        with self._lock:
            if rubric_id not in self._rubrics:
                entry = self._entry(rubric_id)
                try:
                    self._rubrics[rubric_id] = build_rubric(self.raw(rubric_id), str(entry.source))
                except RubricError as exc:
                    if name_plugin and not exc.problem.startswith("plugin "):
                        exc.problem = f"plugin {entry.plugin!r}, rubric {rubric_id}: {exc.problem}"
                    raise
            return self._rubrics[rubric_id]


# A table header: the first one ends the top-level keys of a TOML document.
_TABLE_HEADER = re.compile(r"^[ \t]*\[", re.MULTILINE)


def _own_years(source: RubricSource) -> tuple[int, ...] | None:
    """Read the ``years`` a rubric file states from the text before its first table; ``None`` if unsure.

    A line opening with ``[`` is a table header unless it sits inside a
    multi-line string or array; cut there, the text does not parse, and the
    caller falls back to loading the whole rubric.
    """
    try:
        text = source.read_text(encoding="utf-8")
        header = _TABLE_HEADER.search(text)
        top = tomllib.loads(text[: header.start()] if header else text, parse_float=Decimal)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    years = top.get("years")
    if not isinstance(years, list) or not all(type(year) is int for year in years) or len(set(years)) != len(years):
        return None
    return tuple(years)


# What pluggy may take for a hook implementation.
_ROUTINES = (types.FunctionType, types.MethodType, types.BuiltinFunctionType, staticmethod, classmethod)


class _Unhashable:
    """Stand in for a plugin object that cannot be hashed (a ``SimpleNamespace``), which pluggy keeps in sets.

    It holds the target's functions and methods under the same names, so
    pluggy finds the same hook implementations, and compares by identity.
    """

    def __init__(self, target: object) -> None:
        self._target = target
        for name in dir(target):
            found = inspect.getattr_static(target, name, None)
            if not name.startswith("__") and isinstance(found, _ROUTINES):
                setattr(self, name, getattr(target, name))

    def __repr__(self) -> str:
        return repr(self._target)


def _hashable(obj: object) -> bool:
    try:
        hash(obj)
    except TypeError:
        return False
    return True


def _hooks_of(pm: pluggy.PluginManager, plugin: object) -> tuple[str, ...]:
    return tuple(sorted(caller.name for caller in pm.get_hookcallers(plugin) or ()))


def strict_from_env() -> bool:
    """Tell whether the ``SPBE_STRICT_PLUGINS`` environment variable asks for strict loading."""
    return os.environ.get(STRICT_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def load_plugins(
    plugins: Iterable[tuple[str, object]] | None = None,
    *,
    entry_points: bool = True,
    strict: bool | None = None,
    validate: bool = False,
) -> tuple[pluggy.PluginManager, RubricRegistry, tuple[PluginInfo, ...]]:
    """Build a plugin manager, load the plugins, and collect their rubrics.

    ``plugins`` are extra ``(name, module_or_object)`` pairs (tests and
    embedders use them); ``entry_points`` loads every plugin installed in the
    ``spbe_engine`` entry-point group, the built-in rubrics included.
    ``strict`` (default: the ``SPBE_STRICT_PLUGINS`` environment variable)
    turns a set-aside plugin into a :class:`PluginError`. ``validate`` reads
    every rubric and compiles its plan now (see :func:`validate_plugins`);
    otherwise rubrics are read lazily, on first use.
    """
    strict = strict_from_env() if strict is None else strict
    pm = pluggy.PluginManager("spbe_engine")
    pm.add_hookspecs(hookspecs)
    pm.register(_defaults, name=_DEFAULTS)
    registry = RubricRegistry()
    infos: list[PluginInfo] = []

    candidates: list[tuple[str, Any, PluginInfo]] = []
    if entry_points:
        for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            dist = ep.dist
            info = PluginInfo(ep.name, ep.value, dist.name if dist else "", dist.version if dist else "")
            try:
                candidates.append((ep.name, ep.load(), info))
            except Exception as exc:
                infos.append(
                    attrs.evolve(info, status="set aside", reason=f"import failed: {type(exc).__name__}: {exc}")
                )
    for name, obj in plugins or ():
        candidates.append((name, obj, PluginInfo(name, getattr(obj, "__name__", type(obj).__name__))))

    for name, obj, info in candidates:
        infos.append(_admit(pm, registry, name, obj, info))
    if validate:
        infos = list(validate_plugins(pm, registry, infos))

    set_aside = [info for info in infos if not info.active]
    if strict and set_aside:
        first = set_aside[0]
        raise PluginError(
            f"plugin set aside: {first.reason}",
            field="plugin",
            value=first.name,
            allowed=f"unset {STRICT_ENV} or fix the plugin",
        )
    return pm, registry, tuple(infos)


def _admit(pm: pluggy.PluginManager, registry: RubricRegistry, name: str, obj: object, info: PluginInfo) -> PluginInfo:
    """Register one plugin; on any fault undo it and return it set aside with the reason."""
    api = getattr(obj, "SPBE_HOOK_API", None)
    info = attrs.evolve(info, api_version=api)
    if api != hookspecs.HOOK_API_VERSION:
        return attrs.evolve(
            info,
            status="set aside",
            reason=f"targets hook API {api!r}; this engine provides "
            f"{hookspecs.HOOK_API_VERSION} (declare SPBE_HOOK_API = "
            f"{hookspecs.HOOK_API_VERSION})",
        )
    plugin = obj if _hashable(obj) else _Unhashable(obj)
    try:
        pm.register(plugin, name=name)
    except Exception as exc:
        return attrs.evolve(info, status="set aside", reason=f"cannot register: {exc}")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        pm.unregister(plugin)
        return attrs.evolve(info, status="set aside", reason=f"implements an unknown hook: {exc}")
    info = attrs.evolve(info, hooks=_hooks_of(pm, plugin))
    added: list[str] = []

    def register(source: RubricSource) -> None:
        if not isinstance(source, Traversable | Path):
            raise PluginError(
                "register() takes the path of a rubric TOML file",
                field="register",
                value=source,
                allowed="a pathlib.Path or importlib.resources Traversable",
            )
        stem = source.name.removesuffix(".toml")
        if stem == source.name:
            raise PluginError("a rubric file must be named <rubric id>.toml", field="register", value=source.name)
        registry.add(stem, source, name)
        added.append(stem)

    walks: list[str] = []

    def register_crosswalk(source: RubricSource) -> None:
        if not isinstance(source, Traversable | Path):
            raise PluginError(
                "register() takes the path of a crosswalk TOML file",
                field="register",
                value=source,
                allowed="a pathlib.Path or importlib.resources Traversable",
            )
        walks.append("__".join(registry.crosswalks.add(source, name)))

    # Through pluggy, this plugin's implementations only: wrappers and ``specname`` work as pluggy defines them.
    others = [other for other in pm.get_plugins() if other is not plugin]
    hook = "spbe_register_rubrics"
    try:
        pm.subset_hook_caller(hook, remove_plugins=others)(register=register)
        hook = "spbe_register_crosswalks"
        pm.subset_hook_caller(hook, remove_plugins=others)(register=register_crosswalk)
    except Exception as exc:
        registry.discard_plugin(name)
        registry.crosswalks.discard_plugin(name)
        pm.unregister(plugin)
        reason = str(exc) if isinstance(exc, PluginError | RubricError) else f"{type(exc).__name__}: {exc}"
        return attrs.evolve(info, status="set aside", reason=f"{hook} failed: {reason}")
    return attrs.evolve(info, rubrics=tuple(added), crosswalks=tuple(walks))


def validate_plugins(
    pm: pluggy.PluginManager, registry: RubricRegistry, infos: Iterable[PluginInfo]
) -> tuple[PluginInfo, ...]:
    """Load every registered rubric and compile its plan; set aside each plugin behind a failure.

    A rubric that fails to load or validate sets aside the plugin that
    registered it; a plan that fails to compile sets aside the plugin whose
    hook answered wrongly (or raised). Setting a plugin aside withdraws its
    rubrics and hooks, so the check repeats until every remaining rubric loads
    and compiles. Returns ``infos`` with the set-aside plugins marked.
    """
    result = list(infos)
    withdrawn: set[str] = set()
    while True:
        fault = _first_fault(pm, registry)
        if fault is None:
            return tuple(result)
        culprit, owner, reason = fault
        if culprit in withdrawn:  # its hooks are gone yet the fault stays: the rubric itself is at fault
            culprit = owner
        if culprit in withdrawn:  # pragma: no cover - withdrawing the owner removes its rubrics
            return tuple(result)
        withdrawn.add(culprit)
        registry.discard_plugin(culprit)
        registry.crosswalks.discard_plugin(culprit)
        plugin = pm.get_plugin(culprit)
        if plugin is not None:
            pm.unregister(plugin)
        for n, info in enumerate(result):
            if info.name == culprit:
                result[n] = attrs.evolve(info, status="set aside", reason=reason)
        if not any(info.name == culprit for info in result):  # pragma: no cover - every plugin has an info
            result.append(PluginInfo(culprit, status="set aside", reason=reason))


def _first_fault(pm: pluggy.PluginManager, registry: RubricRegistry) -> tuple[str, str, str] | None:
    """Return (plugin at fault, plugin owning the rubric, reason) for the first failing rubric."""
    for rubric_id in registry.ids():
        owner = registry.plugin_of(rubric_id)
        try:
            rubric = registry.get(rubric_id, name_plugin=False)
        except RubricError as exc:
            return owner, owner, f"rubric {rubric_id} fails to load: {exc}"
        try:
            compile_plan(rubric, pm)
        except PluginError as exc:
            culprit = exc.plugin if exc.plugin and exc.plugin != _DEFAULTS else owner
            return culprit, owner, f"rubric {rubric_id} fails to compile: {exc}"
    return None
