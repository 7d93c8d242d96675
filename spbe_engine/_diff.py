"""Compare two rubric versions: what was added, removed, renamed, moved, reweighted or re-ruled.

:func:`diff_rubrics` is a pure function over two :class:`~spbe_engine.models.Rubric`
objects; :func:`inheritance` describes what a derived rubric (``extends``)
states itself and what it takes from its base, from the raw file data. Both
return frozen records whose ``to_json()`` holds only strings, ints, lists and
dicts (numbers as exact decimal strings), so programs can rely on the shape.

How indicators (and groups) are paired across versions: first by identical
name where the name is unique in both versions (so an indicator that kept
its name under a new id is *re-identified*, not removed and added), then by
id (same id, other name: *renamed*). What is left is *removed* or *added*.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

import attrs

from ._numbers import format_exact
from .models import Group, Indicator, Rubric

__all__ = ["Change", "Inheritance", "RubricDiff", "diff_rubrics", "inheritance"]

#: The sections a change belongs to, in the order they are reported.
SECTIONS = ("rubric", "legal_basis", "years", "rounding", "bands", "scales", "groups", "indicators")


@attrs.frozen
class Change:
    """One difference between two rubric versions.

    ``section`` is one of :data:`SECTIONS`; ``action`` one of ``added``,
    ``removed``, ``renamed`` (same id, other name), ``re-identified`` (same
    name, other id), ``moved`` (other parent group), ``reweighted`` or
    ``changed``. ``subject`` names the item (an id, ``old → new`` for a
    re-identified one, a band's predikat or a field); ``old`` and ``new`` are
    the values as text (``None`` where there is none).
    """

    section: str
    action: str
    subject: str
    field: str = ""
    old: str | None = None
    new: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the change as plain JSON data."""
        return attrs.asdict(self)


@attrs.frozen
class Inheritance:
    """What a derived rubric writes down itself and what it inherits from its base.

    ``states`` lists the dotted paths the derived file sets (``rounding.predikat_on``,
    ``indicators.I45.name``); ``removes`` the ids it drops from the base;
    ``inherited`` the base's top-level sections (and ``indicators``/``groups``
    with a count) it takes unchanged.
    """

    rubric: str
    base: str
    states: tuple[str, ...]
    removes: tuple[str, ...]
    inherited: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the record as plain JSON data."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in attrs.asdict(self).items()}


@attrs.frozen
class RubricDiff:
    """The differences from rubric ``old`` to rubric ``new``, section by section."""

    old: str
    new: str
    changes: tuple[Change, ...]
    inheritance: tuple[Inheritance, ...] = ()

    @property
    def identical(self) -> bool:
        """Tell whether the two versions score and read the same (no change at all)."""
        return not self.changes

    def in_section(self, section: str) -> tuple[Change, ...]:
        """Return the changes of one section."""
        return tuple(change for change in self.changes if change.section == section)

    def counts(self) -> dict[str, int]:
        """Return how many changes each action has (``{"renamed": 3, ...}``)."""
        return dict(Counter(change.action for change in self.changes))

    def to_json(self) -> dict[str, Any]:
        """Return the diff as plain JSON data."""
        return {
            "old": self.old,
            "new": self.new,
            "identical": self.identical,
            "counts": self.counts(),
            "changes": [change.to_json() for change in self.changes],
            "inheritance": [record.to_json() for record in self.inheritance],
        }


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(str(item) for item in value)
    return str(value)


_Item = TypeVar("_Item", Group, Indicator)


def _pair(old: Sequence[_Item], new: Sequence[_Item]) -> tuple[list[tuple[_Item, _Item]], list[_Item], list[_Item]]:
    """Pair items by unique identical name first, then by id; return pairs, removed and added."""
    old_names = Counter(item.name for item in old)
    new_names = Counter(item.name for item in new)
    new_by_name = {item.name: item for item in new if new_names[item.name] == 1}
    pairs: list[tuple[_Item, _Item]] = []
    taken_old: set[str] = set()
    taken_new: set[str] = set()
    for item in old:
        match = new_by_name.get(item.name) if old_names[item.name] == 1 else None
        if match is not None:
            pairs.append((item, match))
            taken_old.add(item.id)
            taken_new.add(match.id)
    new_by_id = {item.id: item for item in new if item.id not in taken_new}
    for item in old:
        if item.id not in taken_old and item.id in new_by_id:
            pairs.append((item, new_by_id.pop(item.id)))
            taken_old.add(item.id)
    removed = [item for item in old if item.id not in taken_old]
    added = [item for item in new if item.id in new_by_id]
    order = {item.id: n for n, item in enumerate(new)}
    pairs.sort(key=lambda pair: order[pair[1].id])
    return pairs, removed, added


def _members(
    section: str,
    old: Sequence[_Item],
    new: Sequence[_Item],
    describe: Callable[[_Item], str],
    extra: Callable[[_Item, _Item, str], Iterable[Change]],
    group_ids: Mapping[str, str],
) -> list[Change]:
    """Report the changes of paired items and the removed and added ones.

    ``group_ids`` maps old group ids to the new ids of their paired groups, so
    an item whose parent was merely re-identified does not count as moved.
    """
    pairs, removed, added = _pair(old, new)
    changes: list[Change] = []
    for before, after in pairs:
        subject = after.id
        if before.id != after.id:
            subject = f"{before.id} → {after.id}"
            changes.append(Change(section, "re-identified", subject, "id", before.id, after.id))
        if before.name != after.name:
            changes.append(Change(section, "renamed", subject, "name", before.name, after.name))
        parent = group_ids.get(before.parent, before.parent) if before.parent else None
        if parent != after.parent:
            # Say where the old parent went when its id changed, so "A5 → A5" is not a riddle.
            was = before.parent if parent == before.parent else f"{before.parent} (now {parent})"
            changes.append(Change(section, "moved", subject, "parent", was, after.parent))
        if before.weight != after.weight:
            changes.append(
                Change(
                    section,
                    "reweighted",
                    subject,
                    "weight",
                    format_exact(before.weight),
                    format_exact(after.weight),
                )
            )
        changes.extend(extra(before, after, subject))
    changes.extend(Change(section, "removed", item.id, "", describe(item), None) for item in removed)
    changes.extend(Change(section, "added", item.id, "", None, describe(item)) for item in added)
    return changes


def _group_extra(before: Group, after: Group, subject: str) -> Iterable[Change]:
    if before.kind != after.kind:
        yield Change("groups", "changed", subject, "kind", before.kind, after.kind)


def _indicator_extra(before: Indicator, after: Indicator, subject: str) -> Iterable[Change]:
    for field in ("scale", "code"):
        if getattr(before, field) != getattr(after, field):
            yield Change(
                "indicators",
                "changed",
                subject,
                field,
                getattr(before, field),
                getattr(after, field),
            )


def _fields(section: str, subject: str, old: object, new: object, names: Iterable[str]) -> list[Change]:
    return [
        Change(section, "changed", subject, name, _text(getattr(old, name)), _text(getattr(new, name)))
        for name in names
        if getattr(old, name) != getattr(new, name)
    ]


def _bands(old: Rubric, new: Rubric) -> list[Change]:
    changes: list[Change] = []
    before = {band.predikat: band for band in old.bands}
    after = {band.predikat: band for band in new.bands}
    for predikat, band in after.items():
        if predikat not in before:
            changes.append(
                Change(
                    "bands",
                    "added",
                    predikat,
                    "",
                    None,
                    f"{format_exact(band.lower)}..{format_exact(band.upper)}",
                )
            )
            continue
        for field in ("lower", "upper"):
            if getattr(before[predikat], field) != getattr(band, field):
                changes.append(
                    Change(
                        "bands",
                        "changed",
                        predikat,
                        field,
                        format_exact(getattr(before[predikat], field)),
                        format_exact(getattr(band, field)),
                    )
                )
    changes.extend(
        Change(
            "bands",
            "removed",
            predikat,
            "",
            f"{format_exact(band.lower)}..{format_exact(band.upper)}",
            None,
        )
        for predikat, band in before.items()
        if predikat not in after
    )
    return changes


def _scales(old: Rubric, new: Rubric) -> list[Change]:
    changes: list[Change] = []

    def ladder(scale_id: str, rubric: Rubric) -> str:
        return ", ".join(level.label for level in rubric.scales[scale_id].levels)

    for scale_id, scale in new.scales.items():
        if scale_id not in old.scales:
            changes.append(Change("scales", "added", scale_id, "", None, ladder(scale_id, new)))
            continue
        previous = old.scales[scale_id]
        if previous.name != scale.name:
            changes.append(Change("scales", "renamed", scale_id, "name", previous.name, scale.name))
        names_before = {level.number: level.name for level in previous.levels}
        names_after = {level.number: level.name for level in scale.levels}
        worth_before = {level.number: level.worth for level in previous.levels}
        worth_after = {level.number: level.worth for level in scale.levels}
        for number in sorted(names_before.keys() & names_after.keys()):
            if worth_before[number] != worth_after[number]:
                changes.append(
                    Change(
                        "scales",
                        "changed",
                        f"{scale_id} level {number}",
                        "value",
                        format_exact(worth_before[number]),
                        format_exact(worth_after[number]),
                    )
                )
        for number in sorted(names_before.keys() | names_after.keys()):
            if names_before.get(number) != names_after.get(number):
                action = (
                    "added" if number not in names_before else "removed" if number not in names_after else "renamed"
                )
                changes.append(
                    Change(
                        "scales",
                        action,
                        f"{scale_id} level {number}",
                        "name",
                        names_before.get(number),
                        names_after.get(number),
                    )
                )
    changes.extend(
        Change("scales", "removed", scale_id, "", ladder(scale_id, old), None)
        for scale_id in old.scales
        if scale_id not in new.scales
    )
    return changes


def diff_rubrics(old: Rubric, new: Rubric, inheritance: Sequence[Inheritance] = ()) -> RubricDiff:
    """Return what changed from rubric ``old`` to rubric ``new``.

    Covers title, ``extends``, legal basis, evaluation years, rounding and the
    predikat rule, bands, level scales (names of every level), groups and
    indicators (added, removed, renamed, re-identified, moved, reweighted, scale
    or code changed). Notes and level criteria texts are not compared.
    ``inheritance`` records (from :func:`inheritance`) are carried along for
    display.
    """
    changes: list[Change] = []
    changes += _fields("rubric", "rubric", old, new, ("title", "extends"))
    changes += _fields(
        "legal_basis",
        "legal basis",
        old.legal_basis,
        new.legal_basis,
        ("regulation", "title", "enacted", "promulgated", "gazette", "source"),
    )
    if old.years != new.years:
        changes.append(Change("years", "changed", "years", "years", _text(old.years), _text(new.years)))
    changes += _fields("rounding", "rounding", old.rounding, new.rounding, ("places", "mode", "predikat_on"))
    changes += _bands(old, new)
    changes += _scales(old, new)

    def group_text(group: Group) -> str:
        return f"{group.name} ({group.kind}, weight {format_exact(group.weight)})"

    def indicator_text(indicator: Indicator) -> str:
        return f"{indicator.name} (in {indicator.parent}, weight {format_exact(indicator.weight)})"

    group_pairs, _, _ = _pair(old.groups, new.groups)
    group_ids = {before.id: after.id for before, after in group_pairs}
    changes += _members("groups", old.groups, new.groups, group_text, _group_extra, group_ids)
    changes += _members("indicators", old.indicators, new.indicators, indicator_text, _indicator_extra, group_ids)
    return RubricDiff(old.id, new.id, tuple(changes), tuple(inheritance))


def _leaves(data: Mapping[str, Any], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for key, value in data.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            paths.extend(_leaves(value, f"{path}."))
        else:
            paths.append(path)
    return paths


def inheritance(rubric_id: str, own: Mapping[str, Any], base: Mapping[str, Any]) -> Inheritance:
    """Describe what the derived rubric file ``own`` states and what it inherits from ``base``.

    ``own`` is the derived rubric's file as written (not merged); ``base`` the
    resolved raw data of the rubric it extends.
    """
    skip = {"schema", "id", "extends", "remove", "criteria", "_criteria_source"}
    states = tuple(path for path in _leaves({k: v for k, v in own.items() if k not in skip}))
    removed = own.get("remove", {}) if isinstance(own.get("remove"), Mapping) else {}
    removes = tuple(f"{kind}.{item}" for kind, ids in removed.items() for item in ids)
    inherited: list[str] = []
    for key, value in base.items():
        if key in skip or key in ("years", "title", "legal_basis", "notes"):
            continue
        if key in ("indicators", "groups") and isinstance(value, Mapping):
            mine = own.get(key, {}) if isinstance(own.get(key), Mapping) else {}
            gone = set(removed.get(key, ()))
            kept = [item for item in value if item not in mine and item not in gone]
            if kept:
                inherited.append(f"{key} ({len(kept)} of {len(value)} unchanged)")
        elif key not in own:
            inherited.append(key)
        elif isinstance(value, Mapping) and isinstance(own[key], Mapping):
            inherited.extend(f"{key}.{sub}" for sub in value if sub not in own[key])
    return Inheritance(rubric_id, str(own.get("extends", "")), states, removes, tuple(inherited))
