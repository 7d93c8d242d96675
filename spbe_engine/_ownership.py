"""Who owns what: official plugins, what a plugin declares beyond its own rubrics, and whose hooks answer.

The rules (``docs/hooks.md``, "Ownership and precedence"):

- A plugin is *official* when it is announced by an entry point of the
  ``spbe-engine`` distribution itself and its module lives in the
  ``spbe_rubrics`` package shipped with it (:func:`official_entry_point`).
  Nothing a plugin says about itself makes it official; a plugin passed in
  code to :meth:`~spbe_engine.Engine.from_plugins` never is.
- A plugin's compile-time hooks are consulted only for the rubrics it
  registered, unless it declares more in its ``SPBE_APPLIES_TO`` attribute
  (:data:`APPLIES_TO`): rubric ids, or ``"*"`` for every rubric that is not
  official. An official rubric is consulted for by other plugins only where it
  is named explicitly, and only by a plugin the embedder passed in code: an
  installed third-party plugin that names one is set aside when it loads.
- The engine's defaults answer last for every rubric.

This module keeps no state; the registry records who registered what.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import attrs

from .errors import PluginError

__all__ = [
    "ALL_RUBRICS",
    "APPLIES_TO",
    "COMPILE_HOOKS",
    "DEFAULTS",
    "OFFICIAL_DISTRIBUTION",
    "OFFICIAL_PACKAGE",
    "Declaration",
    "HookScope",
    "declared",
    "official_entry_point",
]

#: The distribution whose entry points, and only those, can announce official plugins.
OFFICIAL_DISTRIBUTION = "spbe-engine"
#: The package the official plugin modules live in (shipped inside that distribution).
OFFICIAL_PACKAGE = "spbe_rubrics"
#: The plugin attribute that declares the rubrics, beyond its own, a plugin's hooks apply to.
APPLIES_TO = "SPBE_APPLIES_TO"
#: ``SPBE_APPLIES_TO = "*"``: every rubric that is not official.
ALL_RUBRICS: Literal["*"] = "*"
#: The name the engine's own default hook implementations are registered under.
DEFAULTS = "spbe_engine._defaults"
#: The hooks consulted when a plan compiles (the register hooks run once, when a plugin loads).
COMPILE_HOOKS = frozenset({"spbe_indicator_values", "spbe_weights", "spbe_predikat_bands", "spbe_rounding"})

#: What a plugin declares: a set of rubric ids, or every non-official rubric.
Declaration = frozenset[str] | Literal["*"]


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def official_entry_point(distribution: str | None, module: str) -> bool:
    """Tell whether an entry point announces an official plugin.

    Official means: the entry point belongs to the ``spbe-engine``
    distribution, and the module it names is the ``spbe_rubrics`` package or
    one of its modules. When that module is imported, it must also sit in the
    ``spbe_rubrics`` package directory (so a module of the same name from
    elsewhere is not official).
    """
    if distribution is None or _canonical(distribution) != OFFICIAL_DISTRIBUTION:
        return False
    if module != OFFICIAL_PACKAGE and not module.startswith(f"{OFFICIAL_PACKAGE}."):
        return False
    loaded, package = sys.modules.get(module), sys.modules.get(OFFICIAL_PACKAGE)
    if loaded is None or package is None:
        return True  # not imported yet: the names alone decide
    here, home = getattr(loaded, "__file__", None), getattr(package, "__file__", None)
    if not here or not home:
        return False
    return Path(here).resolve().is_relative_to(Path(home).resolve().parent)


def declared(plugin: object, name: str) -> Declaration:
    """Return what a plugin's ``SPBE_APPLIES_TO`` declares (nothing: an empty set).

    Raises :class:`~spbe_engine.errors.PluginError` for a value that is
    neither ``"*"`` nor a collection of rubric ids.
    """
    value = getattr(plugin, APPLIES_TO, ())
    if value == ALL_RUBRICS:
        return ALL_RUBRICS
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise _bad_declaration(name, value)
    ids = tuple(value)
    if not all(isinstance(rubric_id, str) and rubric_id for rubric_id in ids):
        raise _bad_declaration(name, value)
    return frozenset(ids)


def _bad_declaration(name: str, value: object) -> PluginError:
    error = PluginError(
        f"plugin {name!r}: {APPLIES_TO} must be {ALL_RUBRICS!r} or a tuple of rubric ids",
        field=APPLIES_TO,
        value=value,
        allowed=f'("my-rubric-2025",) or "{ALL_RUBRICS}"',
    )
    error.plugin = name
    return error


def covers(declaration: Declaration, rubric_id: str, *, official: bool) -> bool:
    """Tell whether a declaration reaches a rubric (``"*"`` never reaches an official one)."""
    if declaration == ALL_RUBRICS:
        return not official
    return rubric_id in declaration


@attrs.frozen(kw_only=True)
class HookScope:
    """Which plugins' hooks answer while one rubric's plan compiles, and which of them are trusted.

    ``plugins`` ``None`` means every registered plugin (a plan compiled
    outside an engine). Calls to a plugin outside ``trusted`` are watched:
    the rubric it receives is a copy, checked unchanged after every call.
    """

    plugins: frozenset[str] | None = None
    trusted: frozenset[str] = frozenset({DEFAULTS})

    def allows(self, plugin: str) -> bool:
        """Tell whether a plugin's hooks are consulted."""
        return self.plugins is None or plugin in self.plugins
