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

Precedence (see :mod:`spbe_engine._ownership` and ``docs/hooks.md``): the
official plugins load first, whatever the entry-point names; an id or a
crosswalk between official rubrics that a third party registers sets it
aside, naming both plugins; two third-party plugins claiming one id (or one
crosswalk pair) are both set aside. A plugin's compile-time hooks answer only
for its own rubrics and those it declares (:meth:`RubricRegistry.scope`).
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
from ._crosswalk_file import parse_crosswalk_name
from ._crosswalk_registry import CrosswalkRegistry
from ._ownership import (
    ALL_RUBRICS,
    DEFAULTS,
    Declaration,
    HookScope,
    covers,
    declared,
    official_entry_point,
)
from ._plan import HOOK_BUDGET, compile_plan
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
_DEFAULTS = DEFAULTS

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
    #: announced by the spbe-engine distribution from its ``spbe_rubrics`` package (see ``docs/hooks.md``).
    official: bool = False
    #: the rubrics, beyond its own, its hooks declare to apply to (``("*",)``: every non-official one).
    applies_to: tuple[str, ...] = ()
    #: the longest its hooks took while one rubric's plan compiled, in seconds (measured when validating).
    hook_seconds: float | None = None
    #: what loading noticed without setting the plugin aside (hooks over budget, a year it cannot govern).
    notes: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        """Tell whether the plugin is in use (not set aside)."""
        return self.status == "active"

    @property
    def over_budget(self) -> bool:
        """Tell whether its hooks took longer than the budget (:data:`~spbe_engine._plan.HOOK_BUDGET`) for a rubric."""
        return self.hook_seconds is not None and self.hook_seconds > HOOK_BUDGET


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
        #: The names of the official plugins (see :func:`~spbe_engine._ownership.official_entry_point`).
        self.official: set[str] = set()
        #: The names of the third-party plugins loaded from entry points (installed, not passed in code).
        self.installed: set[str] = set()
        #: What each loaded plugin declares its hooks apply to, beyond its own rubrics.
        self.declarations: dict[str, Declaration] = {}
        #: Rubric ids two third-party plugins claimed: nobody may register them any more.
        self.contested: set[str] = set()
        #: The names of the official entry points, found before any is imported: an official plugin's
        #: entry point is named after its rubric id, so the id stays the official plugin's even when that
        #: plugin fails to import or is set aside (no third party can stand in for it).
        self.reserved: set[str] = set()
        #: The crosswalks plugins registered (see :mod:`spbe_engine._crosswalk_registry`).
        self.crosswalks = CrosswalkRegistry(self.official)

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

    def holder(self, rubric_id: str) -> str | None:
        """Return the plugin that registered a rubric id, if any."""
        entry = self._entries.get(rubric_id)
        return None if entry is None else entry.plugin

    def is_official(self, rubric_id: str) -> bool:
        """Tell whether a rubric was registered by an official plugin."""
        entry = self._entries.get(rubric_id)
        return entry is not None and entry.plugin in self.official

    def is_reserved(self, rubric_id: str) -> bool:
        """Tell whether a rubric id is official, registered or only announced by an official entry point."""
        return rubric_id in self.reserved or self.is_official(rubric_id)

    def scope(self, rubric_id: str, pm: pluggy.PluginManager) -> HookScope:
        """Return whose hooks answer while the rubric's plan compiles.

        The plugin that registered it, every plugin whose declaration covers
        it (an installed third-party plugin never covers an official rubric),
        and the engine's defaults. A plugin registered on the plugin manager
        directly is read for its ``SPBE_APPLIES_TO`` as it stands.
        """
        owner = self.plugin_of(rubric_id)
        official = owner in self.official
        names = {_DEFAULTS, owner}
        for name, plugin in pm.list_name_plugin():
            if name in names or plugin is None:
                continue
            declaration = self.declarations.get(name)
            if declaration is None:
                declaration = declared(plugin, name)
            if covers(declaration, rubric_id, official=official) and not (official and name in self.installed):
                names.add(name)
        return HookScope(plugins=frozenset(names), trusted=frozenset({_DEFAULTS, *(names & self.official)}))

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

        Reads only the ``years`` of each rubric (see :meth:`years`). Where an
        official rubric claims the year, only official claims count: another
        plugin's claim on that year applies only when its rubric is named.
        Several claims that remain (no official one among them) are refused,
        naming them.
        """
        claims = {rubric_id: self.years(rubric_id) for rubric_id in self.ids()}
        governing = [rubric_id for rubric_id, years in claims.items() if year in years]
        official = [rubric_id for rubric_id in governing if self.is_official(rubric_id)]
        if official:
            governing = official
        absent = sorted(self.reserved - self._entries.keys()) if governing and not official else []
        if absent:
            # An official plugin that did not load may govern this year: no third-party claim stands in for it.
            raise UnknownRubricError(
                f"official plugin{'s' if len(absent) > 1 else ''} {', '.join(repr(a) for a in absent)} did not load "
                "(see `spbe plugins`), so which "
                f"rubric governs this year is unknown; the claim of {', '.join(governing)} is not used",
                field="year",
                value=year,
                allowed="name the rubric, or reinstall spbe-engine",
            )
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


@attrs.frozen(kw_only=True)
class _Candidate:
    """A plugin about to be admitted: its name, the object, what is known of it, and where it came from."""

    name: str
    obj: Any
    info: PluginInfo
    installed: bool = False


def load_plugins(
    plugins: Iterable[tuple[str, object]] | None = None,
    *,
    entry_points: bool = True,
    strict: bool | None = None,
    validate: bool = False,
    exclude: Iterable[str] = (),
) -> tuple[pluggy.PluginManager, RubricRegistry, tuple[PluginInfo, ...]]:
    """Build a plugin manager, load the plugins, and collect their rubrics.

    ``plugins`` are extra ``(name, module_or_object)`` pairs (tests and
    embedders use them); ``entry_points`` loads every plugin installed in the
    ``spbe_engine`` entry-point group, the built-in rubrics included. The
    official plugins load first, then the installed third-party ones (by
    entry-point name), then ``plugins`` in the order given. ``exclude`` names
    plugins to leave out (the kit's isolation check builds an engine without
    the plugin under test). ``strict`` (default: the ``SPBE_STRICT_PLUGINS``
    environment variable) turns a set-aside plugin into a
    :class:`PluginError`. ``validate`` reads every rubric and compiles its plan
    now (see :func:`validate_plugins`); otherwise rubrics are read lazily, on
    first use.
    """
    strict = strict_from_env() if strict is None else strict
    left_out = set(exclude)
    pm = pluggy.PluginManager("spbe_engine")
    pm.add_hookspecs(hookspecs)
    pm.register(_defaults, name=_DEFAULTS)
    registry = RubricRegistry()
    infos: list[PluginInfo] = []

    candidates: list[_Candidate] = []
    if entry_points:
        found = [ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP) if ep.name not in left_out]
        ranked = [(official_entry_point(ep.dist.name if ep.dist else None, ep.module), ep) for ep in found]
        registry.reserved.update(ep.name for official, ep in ranked if official)
        # Official plugins first, whatever their names: an id they register is theirs.
        for official, ep in sorted(ranked, key=lambda pair: (not pair[0], pair[1].name)):
            dist = ep.dist
            info = PluginInfo(ep.name, ep.value, dist.name if dist else "", dist.version if dist else "")
            try:
                obj = ep.load()
            except Exception as exc:
                infos.append(
                    attrs.evolve(info, status="set aside", reason=f"import failed: {type(exc).__name__}: {exc}")
                )
                continue
            # Decided again now the module is imported: it must sit in the spbe_rubrics package itself.
            official = official and official_entry_point(dist.name if dist else None, ep.module)
            candidates.append(
                _Candidate(name=ep.name, obj=obj, info=attrs.evolve(info, official=official), installed=not official)
            )
    for name, obj in plugins or ():
        if name not in left_out:
            info = PluginInfo(name, getattr(obj, "__name__", type(obj).__name__))
            candidates.append(_Candidate(name=name, obj=obj, info=info))

    loader = _Loader(pm, registry)
    for candidate in candidates:
        infos.append(loader.admit(candidate))
    infos = [
        attrs.evolve(info, status="set aside", reason=loader.contested[info.name])
        if info.name in loader.contested and info.active
        else info
        for info in infos
    ]
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


def _withdraw(pm: pluggy.PluginManager, registry: RubricRegistry, name: str) -> None:
    """Take a plugin out: its rubrics, its crosswalks and its hooks."""
    registry.discard_plugin(name)
    registry.crosswalks.discard_plugin(name)
    registry.declarations.pop(name, None)
    plugin = pm.get_plugin(name)
    if plugin is not None:
        pm.unregister(plugin)


class _Loader:
    """Admit plugins one by one, applying the precedence rules as each registers its rubrics and crosswalks."""

    def __init__(self, pm: pluggy.PluginManager, registry: RubricRegistry) -> None:
        self.pm = pm
        self.registry = registry
        #: Plugins admitted earlier and set aside since, because a later one claimed the same id: name → reason.
        self.contested: dict[str, str] = {}
        self._pairs: set[tuple[str, str]] = set()

    def _third_party_clash(self, name: str, holder: str, what: str) -> PluginError:
        """Refuse a claim another third-party plugin already made; set that one aside too (neither wins)."""
        if holder not in self.contested:
            self.contested[holder] = (
                f"{what} is also registered by third-party plugin {name!r}: neither is used "
                "(uninstall one, or rename one)"
            )
            _withdraw(self.pm, self.registry, holder)
        return PluginError(
            f"{what} is already registered by third-party plugin {holder!r}: neither is used "
            "(uninstall one, or rename one)",
            field="register",
        )

    def _claim_rubric(self, rubric_id: str, name: str, official: bool) -> None:
        registry = self.registry
        holder = registry.holder(rubric_id)
        if holder is not None and holder in registry.official and not official:
            raise PluginError(
                f"rubric id {rubric_id!r} is official: it belongs to plugin {holder!r} of spbe-engine, "
                f"and plugin {name!r} may not register it",
                field="register",
                allowed="an id of your own",
            )
        if holder is None and rubric_id in registry.reserved and not official:
            raise PluginError(
                f"rubric id {rubric_id!r} is official: it is reserved for spbe-engine's plugin {rubric_id!r}, "
                f"which did not load (see `spbe plugins`), and plugin {name!r} may not stand in for it",
                field="register",
                allowed="an id of your own",
            )
        if rubric_id in registry.contested:
            raise PluginError(
                f"rubric id {rubric_id!r} is claimed by several third-party plugins: nobody may register it",
                field="register",
            )
        if holder is not None and holder != name and not official and holder not in registry.official:
            registry.contested.add(rubric_id)
            raise self._third_party_clash(name, holder, f"rubric id {rubric_id!r}")

    def _claim_crosswalk(self, pair: tuple[str, str], name: str, official: bool) -> None:
        registry = self.registry
        what = f"crosswalk {pair[0]} → {pair[1]}"
        if not official and registry.is_reserved(pair[0]) and registry.is_reserved(pair[1]):
            owners = list(dict.fromkeys(repr(registry.holder(r) or r) for r in pair))
            of = f"plugin {owners[0]}" if len(owners) == 1 else f"plugins {' and '.join(owners)}"
            raise PluginError(
                f"{what} joins two official rubrics (of {of}): crosswalks between official "
                f"rubrics belong to spbe-engine, and plugin {name!r} may not register one",
                field="register",
                allowed="crosswalks that lead to or from a rubric of your own",
            )
        holder = registry.crosswalks.holder(pair)
        if holder is not None and holder in registry.official and not official:
            raise PluginError(
                f"{what} is official: it belongs to plugin {holder!r} of spbe-engine, "
                f"and plugin {name!r} may not register it",
                field="register",
            )
        if pair in self._pairs:
            raise PluginError(
                f"{what} is claimed by several third-party plugins: nobody may register it", field="register"
            )
        if holder is not None and holder != name and not official:
            self._pairs.add(pair)
            raise self._third_party_clash(name, holder, what)

    def _vet(self, candidate: _Candidate) -> tuple[PluginInfo, Declaration]:
        """Check what a plugin states about itself: the hook API it targets and what it declares to apply to."""
        info = candidate.info
        api = getattr(candidate.obj, "SPBE_HOOK_API", None)
        info = attrs.evolve(info, api_version=api)
        if api != hookspecs.HOOK_API_VERSION:
            reason = (
                f"targets hook API {api!r}; this engine provides {hookspecs.HOOK_API_VERSION} "
                f"(declare SPBE_HOOK_API = {hookspecs.HOOK_API_VERSION})"
            )
            return attrs.evolve(info, status="set aside", reason=reason), frozenset()
        try:
            declaration = declared(candidate.obj, candidate.name)
        except PluginError as exc:
            return attrs.evolve(info, status="set aside", reason=str(exc)), frozenset()
        info = attrs.evolve(info, applies_to=("*",) if declaration == ALL_RUBRICS else tuple(sorted(declaration)))
        official_ids = [] if declaration == ALL_RUBRICS else sorted(filter(self.registry.is_official, declaration))
        if candidate.installed and official_ids:
            reason = (
                f"declares its hooks apply to official rubric {', '.join(official_ids)} (of plugin "
                f"{self.registry.plugin_of(official_ids[0])!r}); an installed plugin may apply only to "
                "rubrics that are not official"
            )
            return attrs.evolve(info, status="set aside", reason=reason), declaration
        return info, declaration

    def admit(self, candidate: _Candidate) -> PluginInfo:
        """Register one plugin; on any fault undo it and return it set aside with the reason."""
        pm, registry = self.pm, self.registry
        name, obj = candidate.name, candidate.obj
        info, declaration = self._vet(candidate)
        if not info.active:
            return info
        plugin = obj if _hashable(obj) else _Unhashable(obj)
        try:
            pm.register(plugin, name=name)
        except Exception as exc:
            # pluggy's message may end in a dump of every plugin registered ("{...}"): leave that out.
            lines = [line.strip() for line in str(exc).splitlines() if line.strip() and not line.startswith("{")]
            return attrs.evolve(info, status="set aside", reason=f"cannot register: {'; '.join(lines)}")
        try:
            pm.check_pending()
        except pluggy.PluginValidationError as exc:
            pm.unregister(plugin)
            return attrs.evolve(info, status="set aside", reason=f"implements an unknown hook: {exc}")
        info = attrs.evolve(info, hooks=_hooks_of(pm, plugin))
        if info.official:
            registry.official.add(name)
        elif candidate.installed:
            registry.installed.add(name)
        registry.declarations[name] = declaration
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
            self._claim_rubric(stem, name, info.official)
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
            self._claim_crosswalk(parse_crosswalk_name(source.name), name, info.official)
            walks.append("__".join(registry.crosswalks.add(source, name)))

        # Through pluggy, this plugin's implementations only: wrappers and ``specname`` work as pluggy defines them.
        others = [other for other in pm.get_plugins() if other is not plugin]
        hook = "spbe_register_rubrics"
        try:
            pm.subset_hook_caller(hook, remove_plugins=others)(register=register)
            hook = "spbe_register_crosswalks"
            pm.subset_hook_caller(hook, remove_plugins=others)(register=register_crosswalk)
        except Exception as exc:
            _withdraw(pm, registry, name)
            registry.official.discard(name)
            registry.installed.discard(name)
            reason = str(exc) if isinstance(exc, PluginError | RubricError) else f"{type(exc).__name__}: {exc}"
            return attrs.evolve(info, status="set aside", reason=f"{hook} failed: {reason}")
        return attrs.evolve(info, rubrics=tuple(added), crosswalks=tuple(walks))


def validate_plugins(
    pm: pluggy.PluginManager, registry: RubricRegistry, infos: Iterable[PluginInfo]
) -> tuple[PluginInfo, ...]:
    """Load every registered rubric and compile its plan; set aside each plugin behind a failure.

    A rubric that fails to load or validate sets aside the plugin that
    registered it; a plan that fails to compile sets aside the plugin whose
    hook answered wrongly, raised, or changed the rubric it was given.
    Setting a plugin aside withdraws its rubrics and hooks, so the check
    repeats until every remaining rubric loads and compiles. Returns
    ``infos`` with the set-aside plugins marked, and each active plugin's
    hook time (``hook_seconds``) and notes: hooks over the budget, and years
    its rubrics claim that another rubric governs.
    """
    result = list(infos)
    withdrawn: set[str] = set()
    seconds: dict[str, dict[str, float]] = {}
    while True:
        fault = _first_fault(pm, registry, seconds)
        if fault is None:
            return tuple(_annotated(result, registry, seconds))
        culprit, owner, reason = fault
        if culprit in withdrawn:  # its hooks are gone yet the fault stays: the rubric itself is at fault
            culprit = owner
        if culprit in withdrawn:  # pragma: no cover - withdrawing the owner removes its rubrics
            return tuple(result)
        withdrawn.add(culprit)
        _withdraw(pm, registry, culprit)
        for n, info in enumerate(result):
            if info.name == culprit:
                result[n] = attrs.evolve(info, status="set aside", reason=reason)
        if not any(info.name == culprit for info in result):  # pragma: no cover - every plugin has an info
            result.append(PluginInfo(culprit, status="set aside", reason=reason))


def _annotated(
    infos: list[PluginInfo], registry: RubricRegistry, seconds: dict[str, dict[str, float]]
) -> list[PluginInfo]:
    """Add each active plugin's hook time and notes (over budget; years it claims but does not govern)."""
    notes: dict[str, list[str]] = {}
    for name, spent in seconds.items():
        rubric_id, longest = max(spent.items(), key=lambda item: item[1])
        if longest > HOOK_BUDGET:
            notes.setdefault(name, []).append(
                f"hooks over budget: {longest:.2f} s compiling {rubric_id} "
                f"(budget {HOOK_BUDGET:.2f} s per rubric; the kit's budget check fails it)"
            )
    for line, plugin in _year_notes(registry):
        notes.setdefault(plugin, []).append(line)
    out = []
    for info in infos:
        if info.active:
            timed = seconds.get(info.name)
            info = attrs.evolve(
                info,
                hook_seconds=round(max(timed.values()), 4) if timed else info.hook_seconds,
                notes=(*info.notes, *notes.get(info.name, ())),
            )
        out.append(info)
    return out


def _year_notes(registry: RubricRegistry) -> list[tuple[str, str]]:
    """Note, per rubric, the years it claims but cannot govern: an official rubric's, or another's as well."""
    claims: dict[int, list[str]] = {}
    for rubric_id in registry.ids():
        for year in registry.years(rubric_id):
            claims.setdefault(year, []).append(rubric_id)
    shared: dict[tuple[str, tuple[str, ...], bool], list[int]] = {}
    for year, ids in sorted(claims.items()):
        governing = tuple(rubric_id for rubric_id in ids if registry.is_official(rubric_id))
        for rubric_id in ids:
            if len(ids) > 1 and not registry.is_official(rubric_id):
                others = governing or tuple(other for other in ids if other != rubric_id)
                shared.setdefault((rubric_id, others, bool(governing)), []).append(year)
    found: list[tuple[str, str]] = []
    for (rubric_id, others, official), years in shared.items():
        listed = ", ".join(str(year) for year in years)
        if official:
            line = (
                f"rubric {rubric_id} claims {listed}, which official {', '.join(others)} governs: "
                f"scoring by year stays official there; name {rubric_id} to use it"
            )
        else:
            named = ", ".join(f"{other} (plugin {registry.plugin_of(other)!r})" for other in others)
            line = f"rubric {rubric_id} claims {listed}, as does {named}: scoring by those years needs a rubric named"
        found.append((line, registry.plugin_of(rubric_id)))
    return found


def _first_fault(
    pm: pluggy.PluginManager, registry: RubricRegistry, seconds: dict[str, dict[str, float]]
) -> tuple[str, str, str] | None:
    """Return (plugin at fault, plugin owning the rubric, reason) for the first failing rubric.

    Fills ``seconds`` (plugin → rubric → seconds its hooks took) as it compiles.
    """
    seconds.clear()
    for rubric_id in registry.ids():
        owner = registry.plugin_of(rubric_id)
        try:
            rubric = registry.get(rubric_id, name_plugin=False)
        except RubricError as exc:
            return owner, owner, f"rubric {rubric_id} fails to load: {exc}"
        try:
            plan = compile_plan(rubric, pm, registry.scope(rubric_id, pm))
        except PluginError as exc:
            culprit = exc.plugin if exc.plugin and exc.plugin != _DEFAULTS else owner
            return culprit, owner, f"rubric {rubric_id} fails to compile: {exc}"
        for name, spent in plan.hook_seconds.items():
            seconds.setdefault(name, {})[rubric_id] = spent
    return None
