"""Score a rubric in fresh processes under other hash seeds (the kit's ``hash_seeds`` check).

One process hashes strings with one seed, so a hook that hands out weights in
``set()`` order answers alike every time within it, and the ``determinism``
check passes. Here the engine is rebuilt in fresh Python processes with other
``PYTHONHASHSEED`` values, the rubric's plan compiled and a handful of
assessments scored there, and everything compared with this process.

The child process runs this module (``python -m spbe_engine.testing.fresh``),
reading its request as JSON on stdin. It needs neither hypothesis nor pytest.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import types
from collections.abc import Mapping, Sequence
from typing import Any

from .._engine import Engine, Recipe
from .._numbers import format_exact
from .._plan import ScoringPlan

__all__ = [
    "SEEDS",
    "Unreproducible",
    "describe_difference",
    "fresh_summaries",
    "plan_summary",
    "reference",
    "sample_levels",
]

#: The ``PYTHONHASHSEED`` of each fresh process.
SEEDS = (1, 2)
#: Seconds a fresh process may take before it counts as failed.
TIMEOUT = 120
#: Parts of a summary and the hook that decides each.
HOOK_OF = {
    "values": "spbe_indicator_values",
    "weights": "spbe_weights",
    "bands": "spbe_predikat_bands",
    "rounding": "spbe_rounding",
}


class Unreproducible(Exception):
    """The engine cannot be rebuilt in another process (a plugin built in this one, say)."""


def reference(obj: object) -> str | None:
    """Return ``"module"`` or ``"module:attribute"`` naming an importable plugin object, or ``None``."""
    if isinstance(obj, types.ModuleType):
        own = obj.__name__
        return own if own != "__main__" and sys.modules.get(own) is obj else None
    for where in dict.fromkeys((getattr(obj, "__module__", None), type(obj).__module__)):
        module = sys.modules.get(where) if isinstance(where, str) and where != "__main__" else None
        if module is None:
            continue
        for attribute, value in vars(module).items():
            if value is obj:
                return f"{where}:{attribute}"
    return None


def _recipe_json(recipe: Recipe | None) -> dict[str, Any]:
    if recipe is None:
        raise Unreproducible("the engine was built from a plugin manager, not from Engine.default or from_plugins")
    plugins = []
    for name, obj in recipe.plugins:
        found = reference(obj)
        if found is None:
            raise Unreproducible(
                f"plugin {name!r} was built in this process and cannot be imported in another "
                "(install it, or pass a module or a module-level object)"
            )
        plugins.append([name, found])
    return {"entry_points": recipe.entry_points, "plugins": plugins}


def _rebuild(request: Mapping[str, Any]) -> Engine:
    import importlib

    plugins: list[tuple[str, object]] = []
    for name, ref in request["plugins"]:
        module_name, _, attribute = str(ref).partition(":")
        module = importlib.import_module(module_name)
        plugins.append((str(name), getattr(module, attribute) if attribute else module))
    return Engine.from_plugins(*plugins, entry_points=bool(request["entry_points"]), strict=False)


def sample_levels(plan: ScoringPlan, count: int = 6) -> list[dict[str, int]]:
    """Return a handful of assessments: every indicator lowest, highest, then seeded random levels."""
    low = dict(zip(plan.indicator_ids, plan.level_low, strict=True))
    high = dict(zip(plan.indicator_ids, plan.level_high, strict=True))
    draw = random.Random(f"{plan.rubric.id}:{plan.rubric.sha256}")  # a str seed is hashed with sha512, not hash()
    mixed = [
        {i: draw.randint(lo, hi) for i, lo, hi in zip(plan.indicator_ids, plan.level_low, plan.level_high, strict=True)}
        for _ in range(max(0, count - 2))
    ]
    return [low, high, *mixed]


def plan_summary(engine: Engine, rubric_id: str, assessments: Sequence[Mapping[str, int]]) -> dict[str, Any]:
    """Return a rubric's compiled plan and the scores of ``assessments`` as plain JSON data (exact numbers as text)."""
    plan = engine.plan(rubric_id)
    cards = []
    for levels in assessments:
        card = engine.score(dict(levels), rubric=rubric_id)
        cards.append(
            {
                "exact": format_exact(card.exact_index) if card.exact_index is not None else None,
                "index": str(card.index),
                "predikat": card.predikat,
                "groups": {g.id: format_exact(g.value) if g.value is not None else None for g in card.groups},
            }
        )
    return {
        "values": {
            i: {str(level): format_exact(v) for level, v in table.items()}
            for i, table in zip(plan.indicator_ids, plan.values, strict=True)
        },
        "weights": {
            **{i: format_exact(w) for i, w in zip(plan.indicator_ids, plan.weights, strict=True)},
            **{g: format_exact(w) for g, w in plan.group_weights.items()},
        },
        "bands": [[b.predikat, format_exact(b.lower), format_exact(b.upper)] for b in plan.bands],
        "rounding": [plan.rounding.places, plan.rounding.mode, plan.rounding.predikat_on],
        "cards": cards,
    }


def describe_difference(here: Any, there: Any, path: str = "") -> str:
    """Return where two summaries first differ, and how (``weights.D1: 13 here, 33/2 there``)."""
    if isinstance(here, dict) and isinstance(there, dict):
        for key in [*here, *(k for k in there if k not in here)]:
            if here.get(key) != there.get(key):
                return describe_difference(here.get(key), there.get(key), f"{path}.{key}" if path else str(key))
    if isinstance(here, list) and isinstance(there, list) and len(here) == len(there):
        for n, (a, b) in enumerate(zip(here, there, strict=True)):
            if a != b:
                return describe_difference(a, b, f"{path}[{n}]")
    return f"{path or 'value'}: {here} in this process, {there} in the fresh one"


def _environment(seed: int) -> dict[str, str]:
    env = dict(os.environ, PYTHONHASHSEED=str(seed))
    # The child imports the plugins this process imported, from where this process found them.
    env["PYTHONPATH"] = os.pathsep.join(path for path in sys.path if path)
    return env


def fresh_summaries(
    engine: Engine, rubric_id: str, assessments: Sequence[Mapping[str, int]], seeds: Sequence[int] = SEEDS
) -> dict[int, dict[str, Any]]:
    """Rebuild the engine in one fresh process per seed (run side by side) and return each one's summary.

    Raises :class:`Unreproducible` where the engine cannot be rebuilt
    elsewhere, and ``RuntimeError`` (with the child's own message) where the
    child fails.
    """
    request = json.dumps({**_recipe_json(engine.recipe), "rubric": rubric_id, "assessments": list(assessments)})
    children = {
        seed: subprocess.Popen(  # this very interpreter, running this very module
            [sys.executable, "-m", __name__],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_environment(seed),
            text=True,
            encoding="utf-8",
        )
        for seed in seeds
    }
    answers: dict[int, tuple[int | None, str, str]] = {}
    for seed, child in children.items():  # every child is waited for (or killed) before anything is decided
        try:
            out, err = child.communicate(request, timeout=TIMEOUT)
            answers[seed] = (child.returncode, out, err)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
            answers[seed] = (None, "", f"no answer within {TIMEOUT} s")
    found: dict[int, dict[str, Any]] = {}
    problems: list[str] = []
    for seed, (code, out, err) in answers.items():
        answer = json.loads(out) if code == 0 and out.strip() else None
        if not isinstance(answer, dict):
            last = (err.strip().splitlines() or ["no output"])[-1]
            problems.append(f"PYTHONHASHSEED={seed}: the fresh process failed: {last}")
        elif "unreproducible" in answer:
            raise Unreproducible(str(answer["unreproducible"]))
        elif "error" in answer:
            problems.append(f"PYTHONHASHSEED={seed}: {answer['error']}")
        else:
            found[seed] = answer
    if problems:
        raise RuntimeError("; ".join(problems))
    return found


def main() -> None:
    """Serve one request: rebuild the engine, compile the rubric, score the assessments, print JSON."""
    from ..errors import SpbeError

    request = json.load(sys.stdin)
    try:
        engine = _rebuild(request)
    except (ImportError, AttributeError) as exc:
        print(json.dumps({"unreproducible": f"cannot import a plugin here: {type(exc).__name__}: {exc}"}))
        return
    try:
        print(json.dumps(plan_summary(engine, request["rubric"], request["assessments"])))
    except SpbeError as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))


if __name__ == "__main__":
    main()
