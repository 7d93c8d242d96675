"""Read crosswalk TOML files (with tomlkit) into validated :class:`~spbe_engine._crosswalk.Crosswalk` objects.

The parsing edge for crosswalks, checked against both rubrics on load: every
target indicator appears exactly once; sources exist in the source rubric;
the rule, its weights (exact, positive, summing to 1), the level rounding,
the mark and the basis are from the allowed sets; an ``approximate`` or
``none`` mapping says why; an ``exact`` one has one source on the same level
scale; and combined source levels always fall within the target scale, a
source scale reaching below it only where the mapping says
``below_scale = "lowest"``. The format is documented in ``docs/evolution.md``.
"""

from __future__ import annotations

from fractions import Fraction
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from ._crosswalk import BASES, COMBINE_RULES, LEVEL_ROUNDINGS, MARKS, Crosswalk, IndicatorMapping
from ._numbers import BOUNDS, OutOfBoundsError, parse_exact
from ._rubric_file import read_toml
from .errors import CrosswalkError
from .models import Rubric

__all__ = ["CROSSWALK_SCHEMA", "load_crosswalk", "parse_crosswalk_name"]

#: The crosswalk file format version this engine reads.
CROSSWALK_SCHEMA = 1

_TOP_KEYS = {"schema", "from", "to", "title", "notes", "targets"}
_TARGET_KEYS = {
    "sources",
    "combine",
    "weights",
    "level_rounding",
    "mark",
    "basis",
    "reason",
    "reference",
    "below_scale",
}
#: What a mapping may do with a level below the target scale (a 5/2018 level 0 into 59/2020's 1-5).
BELOW_SCALE_RULES: tuple[str, ...] = ("lowest",)


def parse_crosswalk_name(name: str) -> tuple[str, str]:
    """Split a file name ``<from>__<to>.toml`` into the two rubric ids."""
    stem = name.removesuffix(".toml")
    parts = stem.split("__")
    if stem == name or len(parts) != 2 or not all(parts):
        raise CrosswalkError(
            "a crosswalk file must be named <from rubric id>__<to rubric id>.toml",
            field="register",
            value=name,
        )
    return parts[0], parts[1]


def _fail(file: str, field: str, problem: str, value: Any = None, allowed: str | None = None) -> CrosswalkError:
    return CrosswalkError(problem, file=file, field=field, value=value, allowed=allowed)


def _weight(file: str, field: str, value: Any) -> Fraction:
    try:
        return parse_exact(value)
    except OutOfBoundsError as exc:
        raise _fail(file, field, str(exc), str(value), f"a decimal number with {BOUNDS}") from None
    except ValueError:
        raise _fail(
            file,
            field,
            "must be an exact number",
            value,
            'a decimal such as "0.25" or a ratio "1/3"',
        ) from None


def load_crosswalk(source: Traversable | Path, source_rubric: Rubric, target_rubric: Rubric) -> Crosswalk:
    """Read and validate a crosswalk file against its two rubrics."""
    file = str(source)
    raw = read_toml(source, error=CrosswalkError)
    for key in raw:
        if key not in _TOP_KEYS:
            raise _fail(file, key, "unknown field", allowed=", ".join(sorted(_TOP_KEYS)))
    if raw.get("schema") != CROSSWALK_SCHEMA:
        raise _fail(file, "schema", "unsupported crosswalk schema", raw.get("schema"), str(CROSSWALK_SCHEMA))
    for key, rubric in (("from", source_rubric), ("to", target_rubric)):
        if raw.get(key) != rubric.id:
            raise _fail(file, key, "does not match the file name", raw.get(key), rubric.id)
    title = raw.get("title", "")
    notes = raw.get("notes", [])
    if not isinstance(title, str) or not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise _fail(file, "title", "title must be a string and notes a list of strings")
    targets = raw.get("targets")
    if not isinstance(targets, dict):
        raise _fail(file, "targets", "missing", allowed="a [targets.<indicator>] table per target indicator")
    wanted = [i.id for i in target_rubric.indicators]
    for target in targets:
        if target not in wanted:
            raise _fail(
                file,
                f"targets.{target}",
                f"not an indicator of rubric {target_rubric.id}",
                allowed=f"{wanted[0]} … {wanted[-1]}",
            )
    missing = [t for t in wanted if t not in targets]
    if missing:
        raise _fail(
            file,
            "targets",
            f"target indicators without a mapping: {', '.join(missing)}",
            allowed='every target indicator, with mark = "none" where it has no source',
        )
    mappings = tuple(_mapping(file, t, targets[t], source_rubric, target_rubric) for t in wanted)
    return Crosswalk(source_rubric.id, target_rubric.id, title, mappings, tuple(notes), origin=file)


def _mapping(  # noqa: PLR0912, PLR0915 - one pass over a mapping file, each branch a check naming its field
    file: str, target: str, data: Any, source: Rubric, target_rubric: Rubric
) -> IndicatorMapping:
    where = f"targets.{target}"
    if not isinstance(data, dict):
        raise _fail(file, where, "must be a table")
    for key in data:
        if key not in _TARGET_KEYS:
            raise _fail(file, f"{where}.{key}", "unknown field", allowed=", ".join(sorted(_TARGET_KEYS)))
    mark = data.get("mark")
    if mark not in MARKS:
        raise _fail(file, f"{where}.mark", "unknown mark", mark, ", ".join(MARKS))
    basis = data.get("basis")
    if basis not in BASES:
        raise _fail(file, f"{where}.basis", "unknown basis", basis, ", ".join(BASES))
    reason, reference = data.get("reason", ""), data.get("reference", "")
    if not isinstance(reason, str) or not isinstance(reference, str):
        raise _fail(file, where, "reason and reference must be strings")
    if mark != "exact" and not reason.strip():
        raise _fail(file, f"{where}.reason", f"a {mark!r} mapping must say why", allowed="a sentence")
    sources = data.get("sources", [])
    if mark == "none":
        if sources or "combine" in data or "weights" in data:
            raise _fail(file, where, 'a mapping marked "none" has no sources, combine or weights')
        return IndicatorMapping(target, (), "single", (), "half_up", "none", basis, reason, reference)
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) for s in sources):
        raise _fail(file, f"{where}.sources", "must list at least one source indicator id", sources)
    for src in sources:
        if not source.has_indicator(src):
            raise _fail(file, f"{where}.sources", f"not an indicator of rubric {source.id}", src)
    if len(set(sources)) != len(sources):
        raise _fail(file, f"{where}.sources", "lists an indicator twice", sources)
    combine = data.get("combine", "single")
    if combine not in COMBINE_RULES:
        raise _fail(file, f"{where}.combine", "unknown rule", combine, ", ".join(COMBINE_RULES))
    if combine == "single" and len(sources) != 1:
        raise _fail(
            file,
            f"{where}.combine",
            '"single" takes exactly one source',
            sources,
            "mean, min, max or weighted for several sources",
        )
    weights: tuple[Fraction, ...] = ()
    if combine == "weighted":
        raw_weights = data.get("weights")
        if not isinstance(raw_weights, list) or len(raw_weights) != len(sources):
            raise _fail(
                file,
                f"{where}.weights",
                "must give one weight per source, in the same order",
                raw_weights,
            )
        weights = tuple(_weight(file, f"{where}.weights", w) for w in raw_weights)
        if any(w <= 0 for w in weights) or sum(weights, Fraction(0)) != 1:
            raise _fail(
                file,
                f"{where}.weights",
                "must be positive and sum to exactly 1",
                [str(w) for w in weights],
            )
    elif "weights" in data:
        raise _fail(file, f"{where}.weights", 'weights belong to combine = "weighted" only')
    # A mean or a weighting can fall between levels: the rounding to a whole level must be named.
    can_split = combine in ("mean", "weighted")
    level_rounding = data.get("level_rounding")
    if can_split and level_rounding not in LEVEL_ROUNDINGS:
        raise _fail(
            file,
            f"{where}.level_rounding",
            f'combine = "{combine}" can give a non-integer; name how it becomes a level',
            level_rounding,
            ", ".join(LEVEL_ROUNDINGS),
        )
    if not can_split and level_rounding is not None:
        raise _fail(file, f"{where}.level_rounding", f'combine = "{combine}" always gives a whole level')
    target_scale = target_rubric.scale_of(target).numbers
    below_scale = data.get("below_scale")
    if below_scale is not None and below_scale not in BELOW_SCALE_RULES:
        raise _fail(file, f"{where}.below_scale", "unknown rule", below_scale, ", ".join(BELOW_SCALE_RULES))
    reaches_below = False
    for src in sources:
        numbers = source.scale_of(src).numbers
        reaches_below = reaches_below or numbers[0] < target_scale[0]
        if (numbers[0] < target_scale[0] and below_scale is None) or numbers[-1] > target_scale[-1]:
            raise _fail(
                file,
                f"{where}.sources",
                f"source {src} has levels {numbers[0]}-{numbers[-1]}, outside "
                f"the target scale {target_scale[0]}-{target_scale[-1]}",
                src,
                'below the target scale only with below_scale = "lowest"' if numbers[0] < target_scale[0] else None,
            )
    if below_scale is not None and not reaches_below:
        raise _fail(file, f"{where}.below_scale", "no source level lies below the target scale", below_scale, "omit it")
    if mark == "exact" and (len(sources) != 1 or source.scale_of(sources[0]).numbers != target_scale):
        raise _fail(
            file,
            f"{where}.mark",
            '"exact" needs one source on a scale with the same levels',
            sources,
            'mark it "approximate" with the reason',
        )
    return IndicatorMapping(
        target,
        tuple(sources),
        combine,
        weights,
        level_rounding or "half_up",
        mark,
        basis,
        reason,
        reference,
        floor=target_scale[0] if below_scale is not None else None,
    )
