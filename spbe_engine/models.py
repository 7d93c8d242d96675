"""The value objects of spbe-engine, in one place: what goes into the engine and what comes out.

Inputs, defined here: :class:`Rubric` and its parts (:class:`Group`,
:class:`Indicator`, :class:`LevelScale`, :class:`Level`, :class:`Band`,
:class:`Rounding`, :class:`LegalBasis`, :class:`IndicatorCriteria`),
:class:`Assessment`, and the enums :class:`PredikatOn` and
:class:`ScoreSource`. Outputs, defined beside the code that makes them and
importable from here too: :class:`ScoreCard`, :class:`GroupScore`,
:class:`IndicatorScore`, :class:`Provenance`, :class:`PrintedCheck`,
:class:`PrintedVerdict` (scoring), :class:`PluginInfo` (loading),
:class:`BatchRow`, :class:`RowResult`, :class:`RowStatus` and
:class:`BatchResult` (batch scoring). ``docs/models.md`` lists every field.

All are frozen ``attrs`` classes, records of more than a few fields are
keyword-only, and all pickle and deep-copy. Numbers on the official path are exact:
weights, band edges and values are :class:`~fractions.Fraction`, published
(rounded) figures are :class:`~decimal.Decimal`. Weights are percentages of
the whole index, as the regulations write them (``Indikator 1: 1.30``).
"""

from __future__ import annotations

import enum
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING, Any, TypeVar, overload

import attrs

from ._numbers import ROUNDING_MODES, format_exact

if TYPE_CHECKING:
    from ._printed import PrintedCheck, PrintedVerdict
    from ._registry import PluginInfo
    from ._scoring import GroupScore, IndicatorScore, Provenance, ScoreCard
    from .batch import BatchResult, BatchRow, RowResult, RowStatus

__all__ = [
    "Assessment",
    "Band",
    "BatchResult",
    "BatchRow",
    "FrozenDict",
    "Group",
    "GroupScore",
    "Indicator",
    "IndicatorCriteria",
    "IndicatorScore",
    "LegalBasis",
    "Level",
    "LevelScale",
    "PluginInfo",
    "PredikatOn",
    "PrintedCheck",
    "PrintedVerdict",
    "Provenance",
    "Rounding",
    "RowResult",
    "RowStatus",
    "Rubric",
    "ScoreCard",
    "ScoreSource",
]

# The outputs live beside the code that makes them (which imports this module): load them on first use.
_OUTPUTS = {
    "GroupScore": "._scoring",
    "IndicatorScore": "._scoring",
    "Provenance": "._scoring",
    "ScoreCard": "._scoring",
    "PrintedCheck": "._printed",
    "PrintedVerdict": "._printed",
    "PluginInfo": "._registry",
    "BatchResult": ".batch",
    "BatchRow": ".batch",
    "RowResult": ".batch",
    "RowStatus": ".batch",
}


def __getattr__(name: str) -> Any:
    module = _OUTPUTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module, __package__), name)


class PredikatOn(enum.StrEnum):
    """Which value a predikat is read off: the published (rounded) index, or the exact one."""

    #: The band of the published, rounded index (evaluation 2023).
    ROUNDED = "rounded"
    #: The band of the unrounded index (evaluation 2024).
    EXACT = "exact"


class ScoreSource(enum.StrEnum):
    """What a score card was computed from."""

    #: Indicator levels: the index is exact.
    LEVELS = "levels"
    #: Published, rounded top-level values: the index is reconstructed, with every candidate.
    AGGREGATES = "aggregates"


_K = TypeVar("_K")
_V_co = TypeVar("_V_co", covariant=True)
_T = TypeVar("_T")


class FrozenDict(Mapping[_K, _V_co]):
    """A read-only mapping that pickles, deep-copies, and hashes where its values do.

    It holds its own copy of the mapping it is built from. Unlike
    :class:`types.MappingProxyType` it crosses processes: it pickles as the
    plain dict it holds. It equals any mapping with the same items, as a dict
    does, and its hash is that of its items (so it raises ``TypeError`` when
    a value cannot be hashed).
    """

    __slots__ = ("_data", "_hash")

    _data: dict[_K, _V_co]
    _hash: int | None

    def __init__(self, items: Mapping[_K, _V_co] | Iterable[tuple[_K, _V_co]] = ()) -> None:
        object.__setattr__(self, "_data", dict(items))
        object.__setattr__(self, "_hash", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only")

    def __getitem__(self, key: _K) -> _V_co:
        return self._data[key]

    def __iter__(self) -> Iterator[_K]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    @overload
    def get(self, key: _K, /) -> _V_co | None: ...
    @overload
    def get(self, key: _K, default: _V_co | _T, /) -> _V_co | _T: ...
    def get(self, key: _K, default: object = None, /) -> object:
        """Return the value of ``key``, or ``default`` where there is none."""
        return self._data.get(key, default)

    def keys(self) -> KeysView[_K]:
        """Return the keys (a read-only view)."""
        return self._data.keys()

    def values(self) -> ValuesView[_V_co]:
        """Return the values (a read-only view)."""
        return self._data.values()

    def items(self) -> ItemsView[_K, _V_co]:
        """Return the items (a read-only view)."""
        return self._data.items()

    def copy(self) -> dict[_K, _V_co]:
        """Return a plain dict with the same items (as ``MappingProxyType.copy`` does)."""
        return dict(self._data)

    def __reversed__(self) -> Iterator[_K]:
        return reversed(self._data)

    def __or__(self, other: object) -> dict[Any, Any]:
        return {**self._data, **other} if isinstance(other, Mapping) else NotImplemented

    def __ror__(self, other: object) -> dict[Any, Any]:
        return {**other, **self._data} if isinstance(other, Mapping) else NotImplemented

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenDict):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other.items())
        return NotImplemented

    def __hash__(self) -> int:
        if self._hash is None:
            object.__setattr__(self, "_hash", hash(frozenset(self._data.items())))
        assert self._hash is not None
        return self._hash

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._data!r})"

    def __reduce__(self) -> tuple[type[FrozenDict[_K, _V_co]], tuple[dict[_K, _V_co]]]:
        return (type(self), (self._data,))

    def __copy__(self) -> FrozenDict[_K, _V_co]:
        return self  # immutable: a shallow copy may be the object itself


def _frozen_mapping(value: Mapping[Any, Any] | None) -> Mapping[Any, Any]:
    return value if isinstance(value, FrozenDict) else FrozenDict(value or {})


@attrs.frozen
class Level:
    """One capability level of a scale: its number, name and meaning, and what it scores.

    ``value`` is set where the rubric file scores the level at something
    other than its number (PermenPANRB 5/2018 practice scored a self-assessed
    level 0 as 1); :attr:`worth` is what the level scores either way.
    """

    number: int
    name: str
    description: str = ""
    english: str = ""
    value: Fraction | None = attrs.field(default=None, kw_only=True)

    @property
    def worth(self) -> Fraction:
        """Return what the level scores: its ``value`` where the rubric gives one, else its number."""
        return Fraction(self.number) if self.value is None else self.value

    @property
    def label(self) -> str:
        """Return the level as listings show it: ``"1 Rintisan"``, or ``"0 Tidak ada (scores 1)"`` with a value."""
        text = f"{self.number} {self.name}"
        if self.value is None:
            return text
        return f"{text} (scores {format_exact(self.value)})"


def _levels(levels: Iterable[Level]) -> tuple[Level, ...]:
    return tuple(levels)


@attrs.frozen
class LevelScale:
    """A named ladder of levels (59/2020: *process* Rintisan…Optimum, *service* Informasi…Optimum)."""

    id: str
    name: str
    levels: tuple[Level, ...] = attrs.field(converter=_levels)

    @levels.validator
    def _check_levels(self, _attribute: object, levels: tuple[Level, ...]) -> None:
        numbers = [level.number for level in levels]
        if not numbers or numbers != list(range(numbers[0], numbers[0] + len(numbers))):
            raise ValueError(f"scale {self.id!r}: levels must be consecutive integers, got {numbers}")

    @property
    def numbers(self) -> tuple[int, ...]:
        """Return the allowed level numbers, lowest first."""
        return tuple(level.number for level in self.levels)

    def level(self, number: int) -> Level:
        """Return the level with this number."""
        return self.levels[number - self.levels[0].number]


@attrs.frozen
class Band:
    """A predikat band: ``lower <= value < upper`` (the top band also holds ``upper`` itself)."""

    predikat: str
    lower: Fraction
    upper: Fraction


@attrs.frozen
class Rounding:
    """How published figures are rounded and which value the predikat is assigned on.

    ``predikat_on = "rounded"``: the band is looked up with the published,
    rounded index (evaluation 2023). ``"exact"``: with the unrounded index
    (evaluation 2024).
    """

    places: int = 2
    mode: str = attrs.field(default="half_up")
    predikat_on: PredikatOn = attrs.field(default=PredikatOn.ROUNDED, converter=PredikatOn)

    @mode.validator
    def _check_mode(self, _attribute: object, mode: str) -> None:
        if mode not in ROUNDING_MODES:
            raise ValueError(f"unknown rounding mode {mode!r}")


@attrs.frozen
class LegalBasis:
    """The regulation a rubric encodes and where its text was read."""

    regulation: str
    title: str = ""
    enacted: str = ""
    promulgated: str = ""
    gazette: str = ""
    source: str = ""


@attrs.frozen
class Indicator:
    """A scored indicator: its parent group, weight (% of the index) and level scale."""

    id: str
    name: str
    parent: str
    weight: Fraction
    scale: str
    code: str = ""
    note: str = ""


@attrs.frozen
class IndicatorCriteria:
    """The regulation's explanation of an indicator and its per-level criteria texts."""

    explanation: str
    levels: Mapping[int, str] = attrs.field(converter=_frozen_mapping)


@attrs.frozen
class Group:
    """A domain or aspect: any grouping level of a rubric's tree.

    ``parent`` is ``None`` for a top-level group. ``children`` lists the ids of
    sub-groups and ``indicators`` those of the indicators directly below it.
    """

    id: str
    kind: str
    name: str
    weight: Fraction
    parent: str | None
    children: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


@attrs.frozen
class Rubric:
    """One official (or third-party) rubric version, fully resolved and validated.

    Build one with :func:`spbe_engine._rubric_file.load_rubric`; it checks the
    invariants (weights nest and sum to 100, bands are ordered, contiguous and
    cover the scale) before a ``Rubric`` exists.
    """

    id: str
    title: str
    years: tuple[int, ...]
    legal_basis: LegalBasis
    scales: Mapping[str, LevelScale] = attrs.field(converter=_frozen_mapping)
    groups: tuple[Group, ...]
    indicators: tuple[Indicator, ...]
    bands: tuple[Band, ...]
    rounding: Rounding
    sha256: str
    extends: str | None = None
    notes: tuple[str, ...] = ()
    source: str = ""
    criteria_source: Any = None
    _group_index: Mapping[str, Group] = attrs.field(init=False, repr=False, eq=False)
    _indicator_index: Mapping[str, Indicator] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_group_index", {group.id: group for group in self.groups})
        object.__setattr__(self, "_indicator_index", {ind.id: ind for ind in self.indicators})

    def group(self, group_id: str) -> Group:
        """Return the domain or aspect with this id (``KeyError`` if none)."""
        return self._group_index[group_id]

    def indicator(self, indicator_id: str) -> Indicator:
        """Return the indicator with this id (``KeyError`` if none)."""
        return self._indicator_index[indicator_id]

    def has_group(self, group_id: str) -> bool:
        """Tell whether a domain or aspect with this id exists."""
        return group_id in self._group_index

    def has_indicator(self, indicator_id: str) -> bool:
        """Tell whether an indicator with this id exists."""
        return indicator_id in self._indicator_index

    @property
    def top_groups(self) -> tuple[Group, ...]:
        """Return the top level of the tree: domains, or aspects where there are no domains."""
        return tuple(group for group in self.groups if group.parent is None)

    @property
    def group_kinds(self) -> tuple[str, ...]:
        """Return the grouping levels from the top (``("domain", "aspect")``)."""
        kinds: list[str] = []
        for group in self.groups:
            if group.kind not in kinds:
                kinds.append(group.kind)
        return tuple(kinds)

    def scale_of(self, indicator_id: str) -> LevelScale:
        """Return the level scale an indicator is assessed on."""
        return self.scales[self.indicator(indicator_id).scale]

    def indicators_under(self, group_id: str) -> tuple[str, ...]:
        """Return the ids of every indicator below a group, at any depth, in rubric order."""
        below: list[str] = []
        group = self.group(group_id)
        below.extend(group.indicators)
        for child in group.children:
            below.extend(self.indicators_under(child))
        order = {ind.id: n for n, ind in enumerate(self.indicators)}
        return tuple(sorted(below, key=order.__getitem__))

    def governs(self, year: int) -> bool:
        """Tell whether this rubric governs evaluations of ``year``."""
        return year in self.years


@attrs.frozen
class Assessment:
    """One instansi's assessment: indicator levels, or published aggregate values.

    ``levels`` maps indicator ids to integer levels. ``aggregates`` maps group
    ids (the top level: domains, or aspects in a rubric without domains) to
    published, rounded values. Exactly one of the two is given. ``metadata`` is
    carried through to the score card untouched. ``printed_index`` and
    ``printed_predikat`` are what a published table printed for this row, if
    anything: the score card is narrowed to the candidates that agree with
    them, or says they do not fit (:mod:`spbe_engine._printed`).
    """

    levels: Mapping[str, int] = attrs.field(factory=dict, converter=_frozen_mapping)
    aggregates: Mapping[str, Decimal] = attrs.field(factory=dict, converter=_frozen_mapping)
    instansi: str | None = None
    year: int | None = None
    rubric: str | None = None
    metadata: Mapping[str, Any] = attrs.field(factory=dict, converter=_frozen_mapping)
    printed_index: Decimal | None = None
    printed_predikat: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.levels and self.aggregates:
            raise ValueError("an assessment has either indicator levels or aggregate values, not both")
