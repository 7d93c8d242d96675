"""The hook specifications of spbe-engine (pluggy project name ``spbe_engine``).

A rubric plugin is a module (or object) that implements some of these hooks
with ``@spbe_engine.hookimpl`` and is announced through the ``spbe_engine``
entry-point group. Hooks are consulted once, when a rubric's scoring plan is
compiled; they are never called per assessment. Every hook but
:func:`spbe_register_rubrics` is ``firstresult``: the first implementation
that returns something other than ``None`` wins, so a plugin returns ``None``
for every rubric it does not own. The engine's own defaults (read from the
rubric's TOML data) run last.

Hook API version: :data:`HOOK_API_VERSION`. A plugin states the version it
targets as a module attribute ``SPBE_HOOK_API = 1``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from .models import Band, Group, Indicator, Rounding, Rubric
    from .registry import RubricSource

__all__ = ["HOOK_API_VERSION", "hookimpl", "hookspec"]

#: The version of this hook API. It changes only when a hook's meaning or
#: signature changes incompatibly.
HOOK_API_VERSION = 1

hookspec = pluggy.HookspecMarker("spbe_engine")
hookimpl = pluggy.HookimplMarker("spbe_engine")

#: An exact number as hooks may return it (never a float).
Exact = Fraction | Decimal | int


@hookspec
def spbe_register_rubrics(register: Callable[[RubricSource], None]) -> None:
    """Register the rubric versions this plugin provides.

    Call ``register(source)`` once per rubric. ``source`` is the path of a
    rubric TOML file named ``<rubric id>.toml`` (a :class:`pathlib.Path` or an
    :mod:`importlib.resources` ``Traversable``), for example
    ``register(files(__package__) / "rubric_versions" / "spbe-2024.toml")``.
    The host refuses an id already registered, records which plugin
    registered it, and reads the file lazily, the first time the rubric is
    used. Return nothing.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def spbe_indicator_values(rubric: Rubric, indicator: Indicator) -> Mapping[int, Exact] | None:
    """Return the value each answer (level) of ``indicator`` scores, or ``None``.

    Indicator scoring: maps every allowed level number of the indicator's
    scale to its exact value. The keys must be exactly the scale's levels and
    the values must lie within the scale's range. The default scores level
    *n* as *n* (PermenPANRB 59/2020 Lampiran I B.3: "nilai indikator sama
    dengan tingkat kematangan"). ``firstresult``: the first non-``None``
    answer is used.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def spbe_weights(rubric: Rubric, group: Group | None) -> Mapping[str, Exact] | None:
    """Return the weights of the members of ``group`` (the top level if ``None``), or ``None``.

    Domain/aspect weighting: maps the id of every direct member of the group
    (sub-groups and indicators) to its weight in percent of the whole index.
    The weights must be non-negative and sum to the group's weight (to 100 at
    the top). The default reads them from the rubric data. ``firstresult``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def spbe_predikat_bands(rubric: Rubric) -> Sequence[Band] | None:
    """Return the predikat bands, lowest first, or ``None``.

    Predikat thresholds: each :class:`~spbe_engine.models.Band` holds
    ``lower <= value < upper``; the top band also holds its ``upper``. Bands
    must be contiguous and cover the index range exactly. The default reads
    them from the rubric data. ``firstresult``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def spbe_rounding(rubric: Rubric) -> Rounding | None:
    """Return the rounding rule and the value the predikat is assigned on, or ``None``.

    This is where technical guides differ while the regulation stays: in the
    2023 evaluation the predikat was read off the rounded index
    (``predikat_on="rounded"``), in 2024 off the unrounded one
    (``predikat_on="exact"``). The default reads ``[rounding]`` from the
    rubric data. ``firstresult``.

    .. versionadded:: 0.1
    """
