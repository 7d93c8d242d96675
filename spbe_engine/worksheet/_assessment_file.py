"""An empty assessment file (TOML or JSON) for a rubric, of the kind ``spbe score`` reads."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from ._layout import INSTANSI_FIELDS

if TYPE_CHECKING:
    from .._engine import Engine

__all__ = ["empty_assessment"]


def empty_assessment(engine: Engine, rubric_id: str, kind: str) -> str:
    """Return the text of an empty assessment file for a rubric: ``kind`` is ``"toml"`` or ``"json"``.

    TOML lists every indicator as a commented line with its scale, to be
    uncommented and filled; JSON (which has no comments) has an empty
    ``levels`` object. Either is refused by ``spbe score`` until levels are given.
    """
    rubric = engine.rubric(rubric_id)
    metadata = {key: "" for key, _ in INSTANSI_FIELDS if key not in ("instansi", "year")}
    if kind == "json":
        data = {"instansi": "", "year": None, "rubric": rubric.id, "levels": {}, "metadata": metadata}
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    lines = [
        f"# An assessment under {rubric.id}: {rubric.title}",
        f"# (rubric content sha256 {rubric.sha256}). Fill in, uncomment each level, then: spbe score FILE",
        'instansi = ""',
        f"# year = {rubric.years[0] if rubric.years else 2024}",
        f'rubric = "{rubric.id}"',
        "",
        "[metadata]",
        *(f'{key} = ""' for key in metadata),
        "",
        "[levels]",
    ]
    parent = None
    for indicator in rubric.indicators:
        if indicator.parent != parent:
            parent = indicator.parent
            group = rubric.group(parent)
            lines.append(f"# {group.id} {group.name}")
        scale = rubric.scales[indicator.scale]
        span = f"{scale.numbers[0]}-{scale.numbers[-1]}"
        lines.append(f"# {indicator.id} =   # {span}: {indicator.name}")
    return "\n".join(lines) + "\n"
