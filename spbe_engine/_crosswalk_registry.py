"""Keep the registered crosswalks and find one between two rubrics, composing identities where needed.

A crosswalk from ``A`` to ``B`` is, in order of preference: a registered file
for exactly that pair; the generated identity if ``A`` and ``B`` share
indicator ids and level scales; or a registered ``X → Y`` where ``A`` has
the same indicators as ``X`` and ``Y`` the same as ``B`` (for example
``spbe-2023 → pemdi-2026`` through ``spbe-2024 → pemdi-2026``).

Precedence: a route between two official rubrics is composed only of
crosswalks the official plugins registered (a third party cannot register a
crosswalk between two official rubrics at all: it is set aside when it
loads). Elsewhere, official crosswalks are tried before third-party ones.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib.resources.abc import Traversable
from pathlib import Path

import attrs

from ._crosswalk import Crosswalk, identity_crosswalk, same_indicators
from ._crosswalk_file import load_crosswalk, parse_crosswalk_name
from .errors import CrosswalkError, PluginError
from .models import Rubric

__all__ = ["CrosswalkRegistry"]

CrosswalkSource = Traversable | Path


@attrs.frozen
class _Entry:
    source: CrosswalkSource
    plugin: str


class CrosswalkRegistry:
    """The registered crosswalk files: ``(from, to)`` → source, loaded and validated on first use."""

    def __init__(self, official: set[str] | None = None) -> None:
        self._entries: dict[tuple[str, str], _Entry] = {}
        self._loaded: dict[tuple[str, str], Crosswalk] = {}
        self._lock = threading.RLock()
        #: The names of the official plugins (shared with the rubric registry).
        self.official: set[str] = official if official is not None else set()

    def holder(self, pair: tuple[str, str]) -> str | None:
        """Return the plugin that registered the crosswalk file of a pair, if any."""
        entry = self._entries.get(pair)
        return None if entry is None else entry.plugin

    def add(self, source: CrosswalkSource, plugin: str) -> tuple[str, str]:
        """Record a crosswalk file; refuse a pair that is already registered."""
        pair = parse_crosswalk_name(source.name)
        taken = self._entries.get(pair)
        if taken is not None:
            raise PluginError(
                f"crosswalk {pair[0]} → {pair[1]} is already registered by plugin {taken.plugin!r}",
                field="register",
                value=str(source),
            )
        self._entries[pair] = _Entry(source, plugin)
        return pair

    def discard_plugin(self, plugin: str) -> None:
        """Forget every crosswalk a plugin registered (when it is set aside)."""
        with self._lock:
            for pair in [p for p, entry in self._entries.items() if entry.plugin == plugin]:
                del self._entries[pair]
                self._loaded.pop(pair, None)

    def _composable(self, official_only: bool) -> list[tuple[str, str]]:
        """Return the pairs a route may go through: the official ones first, then (unless barred) the others."""
        mine = [pair for pair in self.pairs() if self._entries[pair].plugin in self.official]
        return mine if official_only else mine + [pair for pair in self.pairs() if pair not in mine]

    def pairs(self) -> tuple[tuple[str, str], ...]:
        """Return the registered ``(from, to)`` pairs, sorted."""
        return tuple(sorted(self._entries))

    def plugin_of(self, pair: tuple[str, str]) -> str:
        """Return the plugin that registered a crosswalk file."""
        return self._entries[pair].plugin

    def _load(self, pair: tuple[str, str], rubric: Callable[[str], Rubric]) -> Crosswalk:
        with self._lock:
            if pair not in self._loaded:
                self._loaded[pair] = load_crosswalk(self._entries[pair].source, rubric(pair[0]), rubric(pair[1]))
            return self._loaded[pair]

    def find(
        self,
        source: str,
        target: str,
        rubric: Callable[[str], Rubric],
        known: frozenset[str] | set[str],
        official: Callable[[str], bool] = lambda rubric_id: False,
    ) -> Crosswalk:
        """Return the crosswalk from ``source`` to ``target`` (see the module docstring for the order).

        ``rubric`` returns a rubric by id; ``known`` holds the registered rubric
        ids; ``official`` tells whether a rubric is official.
        """
        a, b = rubric(source), rubric(target)
        if (source, target) in self._entries:
            return self._load((source, target), rubric)
        identity = identity_crosswalk(a, b)
        if identity is not None:
            return identity
        both_official = official(source) and official(target)
        for x, y in self._composable(both_official):
            # A registered crosswalk may name a rubric that is not installed: that is just no route.
            if {x, y} <= known and same_indicators(a, rubric(x)) and same_indicators(rubric(y), b):
                parts = [f"{source} has the indicators of {x}"] if x != source else []
                parts += [f"{target} has the indicators of {y}"] if y != target else []
                why = f"Applied to {source} → {target} through {x} → {y}: {' and '.join(parts)}."
                return self._load((x, y), rubric).retarget(source, target, why)
        have = ", ".join(f"{x} → {y}" for x, y in self.pairs()) or "none"
        raise CrosswalkError(
            f"no crosswalk from {source} to {target}",
            field="crosswalk",
            allowed=f"registered: {have}; or rubrics with the same indicators (identity)",
        )
