"""Scaffold a new rubric version as its own plugin distribution (``spbe rubric new``).

The new rubric's TOML is the base rubric written out in full (its ``extends``
chain folded in) with tomlkit, so the base's comments, source notes and
layout survive; only ``id``, ``title``, ``years``, the notes and a ``[meta]``
record of where it came from change. Written in full rather than with
``extends`` on purpose: a published rubric version must not change when the
base's plugin is updated or uninstalled, it must read on its own, and its
diff against the base shows exactly what the new version changed.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import shutil
import sys
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import tomlkit
from tomlkit.items import Table

from ._engine import Engine, engine_version
from .errors import InputError, RubricError

__all__ = ["RUBRIC_ID", "Scaffold", "derive_document", "load_plugin_module", "new_rubric_plugin"]

#: What a new rubric id may look like: lower-case words and digits joined by hyphens.
RUBRIC_ID = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
# Keys a derived rubric states for itself: replaced whole, never merged (as in rubric_file).
_OWN = {"years", "title", "legal_basis", "notes", "extends", "golden"}


@attrs.frozen(kw_only=True)
class Scaffold:
    """What ``new_rubric_plugin`` wrote: the project directory, its main files, and every file written."""

    root: Path
    package: str
    rubric_file: Path
    golden_file: Path
    test_file: Path
    files: tuple[Path, ...] = ()


def _document(path: Path) -> tomlkit.TOMLDocument:
    return tomlkit.parse(path.read_text(encoding="utf-8"))


def _merge(target: Any, layer: Any) -> None:
    """Fold one derived layer into a document: tables merge key by key, everything else is replaced."""
    for key, value in layer.items():
        if key == "remove":
            continue
        current = target.get(key)
        if isinstance(value, Table | dict) and isinstance(current, Table | dict) and key not in _OWN:
            _merge(current, value)
        else:
            target[key] = value
    for kind, ids in dict(layer.get("remove", {})).items():
        for item_id in ids:
            target[kind].pop(item_id, None)


def _header(path: Path) -> list[str]:
    """Return the comment lines a rubric file opens with (its own account of what it is)."""
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.removeprefix("#").removeprefix(" "))
    return lines


def derive_document(engine: Engine, base_id: str) -> tuple[tomlkit.TOMLDocument, Path, list[str]]:
    """Return the base rubric as one self-contained document, the file its criteria live beside,
    and the header comments of the derived layers folded in (the root file keeps its own)."""
    chain: list[Path] = []
    rubric_id: str | None = base_id
    while rubric_id is not None:
        path = Path(engine.rubric(rubric_id).source)
        if not path.is_file():
            raise RubricError("the base rubric is not a file on disk; cannot copy it", field="--from", value=base_id)
        chain.append(path)
        rubric_id = _document(path).get("extends")
    document = _document(chain[-1])
    headers: list[str] = []
    for path in reversed(chain[:-1]):
        _merge(document, _document(path))
        headers = [f"From {path.name}:", *_header(path), "", *headers]
    document.pop("extends", None)
    return document, chain[-1], headers


def _package_name(rubric_id: str) -> str:
    return "spbe_rubric_" + rubric_id.replace("-", "_")


def new_rubric_plugin(
    engine: Engine,
    rubric_id: str,
    base_id: str,
    directory: Path,
    *,
    years: list[int] | None = None,
    title: str | None = None,
) -> Scaffold:
    """Write a plugin distribution for a new rubric version derived from ``base_id``; return what was written."""
    if not RUBRIC_ID.match(rubric_id):
        raise InputError(
            "not a rubric id",
            field="ID",
            value=rubric_id,
            allowed="lower-case words and digits joined by hyphens, e.g. spbe-2025",
        )
    if rubric_id in engine.rubric_ids():
        raise InputError("a rubric with this id is already installed", field="ID", value=rubric_id, allowed="a new id")
    base = engine.rubric(base_id)
    dist = f"spbe-rubric-{rubric_id}"
    root = directory / dist
    if root.exists():
        raise InputError(
            "the target directory already exists; not overwriting it", file=str(root), allowed="another --path or ID"
        )
    package = _package_name(rubric_id)
    year_note = ""
    if years is None:
        # Claim the year after the base, unless a registered rubric already governs it: two
        # rubrics claiming one year would make scoring by year ambiguous.
        following = max(base.years, default=dt.date.today().year - 1) + 1
        holders = [r for r in engine.rubric_ids() if following in engine.rubric(r).years]
        years = [] if holders else [following]
        if holders:
            year_note = (
                f"years left empty: {following} is governed by {', '.join(holders)}; "
                "set the evaluation years this version governs before publishing it."
            )
    title = title or f"{base.title}, derived as {rubric_id}"

    document, base_dir_file, headers = derive_document(engine, base_id)
    stamp = dt.date.today().isoformat()
    guide = [
        f"{rubric_id}: derived from {base_id} (sha256 {base.sha256[:12]}) by `spbe rubric new`, "
        f"spbe-engine {engine_version()}, {stamp}.",
        f"The whole of {base_id} is written out below (no `extends`), so this version stays the same",
        f"whatever later happens to {base_id}. The comments are {base_id}'s sources: change what the new",
        "regulation or technical guide changes, say where each change comes from, update [legal_basis],",
        f"notes and {rubric_id}.golden.toml, then run `pytest` (or `spbe check {rubric_id}`).",
        "",
        *headers,
    ]
    document["id"] = rubric_id
    document["title"] = title
    document["years"] = years
    notes = tomlkit.array()
    notes.multiline(True)
    notes.append(f"Derived from {base_id} (sha256 {base.sha256}) on {stamp}; nothing changed yet.")
    if year_note:
        notes.append(year_note)
    for note in base.notes:
        notes.append(note)
    document["notes"] = notes
    document["golden"] = f"{rubric_id}.golden.toml"
    meta = tomlkit.table()
    meta["derived_from"] = base_id
    meta["base_sha256"] = base.sha256
    meta["generated_by"] = f"spbe rubric new (spbe-engine {engine_version()})"
    document["meta"] = meta

    # Everything is written into a scratch folder beside the target and moved into place only once
    # the rubric loads and scores as its base does: a failure leaves nothing behind.
    directory.mkdir(parents=True, exist_ok=True)
    scratch = directory / f".{dist}.partial-{uuid.uuid4().hex[:12]}"
    scratch.mkdir()
    try:
        scaffold = _write(engine, scratch, document, guide, base_dir_file, rubric_id, base_id, title, dist, package)
        _verify(engine, scaffold, rubric_id, base_id)
        if root.exists():
            raise InputError(
                "the target directory already exists; not overwriting it",
                file=str(root),
                allowed="another --path or ID",
            )
        scratch.rename(root)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return attrs.evolve(
        scaffold,
        root=root,
        rubric_file=root / scaffold.rubric_file.relative_to(scratch),
        golden_file=root / scaffold.golden_file.relative_to(scratch),
        test_file=root / scaffold.test_file.relative_to(scratch),
        files=tuple(root / f.relative_to(scratch) for f in scaffold.files),
    )


def _write(
    engine: Engine,
    root: Path,
    document: tomlkit.TOMLDocument,
    guide: list[str],
    base_dir_file: Path,
    rubric_id: str,
    base_id: str,
    title: str,
    dist: str,
    package: str,
) -> Scaffold:
    """Write every file of the distribution under ``root``; return what was written."""
    written: list[Path] = []

    def write(path: Path, text: str) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
        return path

    source = root / "src" / package
    criteria_name = document.get("criteria")
    if criteria_name is not None:
        criteria = _document(base_dir_file.parent / str(criteria_name))
        criteria["rubric"] = rubric_id
        document["criteria"] = f"{rubric_id}.criteria.toml"
        write(source / f"{rubric_id}.criteria.toml", tomlkit.dumps(criteria))
    rubric_file = write(source / f"{rubric_id}.toml", _commented(guide, document))
    golden_file = write(source / f"{rubric_id}.golden.toml", _golden(engine, base_id, rubric_id))
    write(source / "__init__.py", _MODULE.format(id=rubric_id, base=base_id, title=title))
    test_file = write(root / "tests" / "test_conformance.py", _TEST.format(id=rubric_id))
    major_minor = ".".join(engine_version().split(".")[:2])
    write(
        root / "pyproject.toml",
        _PYPROJECT.format(dist=dist, id=rubric_id, base=base_id, package=package, engine=major_minor),
    )
    write(root / "README.md", _README.format(dist=dist, id=rubric_id, base=base_id, package=package))
    return Scaffold(
        root=root,
        package=package,
        rubric_file=rubric_file,
        golden_file=golden_file,
        test_file=test_file,
        files=tuple(written),
    )


def load_plugin_module(scaffold: Scaffold) -> ModuleType:
    """Import a scaffolded plugin's module from its directory (without installing it)."""
    init = scaffold.root / "src" / scaffold.package / "__init__.py"
    spec = importlib.util.spec_from_file_location(scaffold.package, init, submodule_search_locations=[str(init.parent)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[scaffold.package] = module  # importlib.resources.files(__name__) looks it up by name
    spec.loader.exec_module(module)
    return module


def _verify(engine: Engine, scaffold: Scaffold, rubric_id: str, base_id: str) -> None:
    """Load the written rubric and make sure it scores exactly as the base does."""
    module = load_plugin_module(scaffold)
    try:
        mine = Engine.from_plugins((scaffold.package, module)).rubric(rubric_id)
    finally:
        sys.modules.pop(scaffold.package, None)
    base = engine.rubric(base_id)
    for part in ("scales", "groups", "indicators", "bands", "rounding"):
        if getattr(mine, part) != getattr(base, part):  # pragma: no cover - a scaffold bug, not user input
            raise RubricError(
                f"the scaffolded rubric's {part} differ from {base_id}'s", file=str(scaffold.rubric_file), field=part
            )


#: How many indicator-level golden cases the scaffold derives from the base's arithmetic.
DERIVED_CASES = 4


def _golden(engine: Engine, base_id: str, rubric_id: str) -> str:
    """Start the golden cases: the base's published results, and indicator-level cases computed under the base.

    Published cases at domain level cannot see a reweighting inside an
    aspect (the domain value is given, not computed), so the scaffold adds
    cases of uneven indicator levels with the base's exact index and
    predikat: any change of weights, values, rounding or bands inside the
    tree moves at least one of them. A base with no published cases gets
    the derived ones alone.
    """
    from .testing.golden import golden_file

    path = golden_file(engine, base_id)
    base = engine.rubric(base_id)
    if path is not None:
        document = _document(path)
        lines = [
            f"Golden cases of {rubric_id}: copied from {base_id}, whose published results they are, then",
            f"{DERIVED_CASES} cases of uneven indicator levels computed under {base_id} (sha256 {base.sha256[:12]}).",
        ]
    else:
        document = tomlkit.document()
        document["schema"] = 1
        document["cases"] = tomlkit.aot()
        lines = [
            f"Golden cases of {rubric_id}: {base_id} ships no published results, so these are",
            f"{DERIVED_CASES} cases of uneven indicator levels computed under {base_id} (sha256 {base.sha256[:12]}).",
        ]
    document["rubric"] = rubric_id
    cases = document["cases"]
    for case in _derived_cases(engine, base_id):
        cases.append(case)
    lines += [
        f"They hold for {rubric_id} only while it keeps {base_id}'s arithmetic. Replace them with",
        f"results published under {rubric_id} (with their sources) as soon as there are any; a case",
        "that fails after you change a rule shows that the change matters (then recompute or drop it).",
    ]
    return _commented(lines, document)


def _derived_cases(engine: Engine, base_id: str) -> list[tomlkit.items.Table]:
    """Return indicator-level cases (rising, falling and two seeded patterns) scored under the base."""
    import random

    from ._numbers import format_exact

    plan = engine.plan(base_id)
    ids = plan.indicator_ids
    spans = list(zip(plan.level_low, plan.level_high, strict=True))
    chooser = random.Random(f"{base_id}:{engine.rubric(base_id).sha256}")  # the same cases for the same base
    patterns = {
        "rising": [lo + n % (hi - lo + 1) for n, (lo, hi) in enumerate(spans)],
        "falling": [hi - n % (hi - lo + 1) for n, (lo, hi) in enumerate(spans)],
        "seeded 1": [chooser.randint(lo, hi) for lo, hi in spans],
        "seeded 2": [chooser.randint(lo, hi) for lo, hi in spans],
    }
    out = []
    for name, levels in list(patterns.items())[:DERIVED_CASES]:
        card = engine.score(dict(zip(ids, levels, strict=True)), rubric=base_id)
        case = tomlkit.table()
        case["name"] = f"derived: uneven levels, {name} (computed under {base_id})"
        case["source"] = f"computed by spbe rubric new under {base_id}; not a published result"
        level_table = tomlkit.inline_table()
        level_table.update(dict(zip(ids, levels, strict=True)))
        case["levels"] = level_table
        expect = tomlkit.inline_table()
        expect.update(
            {
                "index": str(card.index),
                "predikat": str(card.predikat),
                "exact_index": format_exact(card.exact_index),  # type: ignore[arg-type]
            }
        )
        case["expect"] = expect
        out.append(case)
    return out


def _commented(lines: list[str], document: tomlkit.TOMLDocument) -> str:
    """Put a comment block above a document (the base's own header comments follow it)."""
    return "".join(f"# {line}".rstrip() + "\n" for line in lines) + "#\n" + tomlkit.dumps(document)


_MODULE = '''"""Rubric plugin ``{id}`` for spbe-engine: {title}.

Scaffolded from ``{base}`` by ``spbe rubric new``. All of the rubric is data:
``{id}.toml`` beside this module, with its golden cases in
``{id}.golden.toml``. The engine's default hooks read the data, so the
plugin only registers the file; implement other hooks here only for what the
data cannot express (see the hook reference, docs/hooks.md).
"""

from collections.abc import Callable
from importlib.resources import files

from spbe_engine import RubricSource, hookimpl

#: The spbe-engine hook API this plugin targets.
SPBE_HOOK_API = 1


@hookimpl
def spbe_register_rubrics(register: Callable[[RubricSource], None]) -> None:
    """Register {id}."""
    register(files(__name__) / "{id}.toml")
'''

_TEST = '''"""{id} passes the spbe-engine conformance kit (run: pytest)."""

from spbe_engine.testing import assert_rubric_conforms

RUBRIC = "{id}"


def test_rubric_conforms() -> None:
    """Every check of the kit passes, the golden cases included."""
    report = assert_rubric_conforms(RUBRIC)
    assert report.ok
'''

_PYPROJECT = """[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[project]
name = "{dist}"
version = "0.1.0"
description = "Rubric {id} for spbe-engine (derived from {base})."
readme = "README.md"
requires-python = ">=3.11"
dependencies = ["spbe-engine>={engine}"]

[project.optional-dependencies]
# The conformance kit and pytest, for this plugin's own tests.
testing = ["spbe-engine[testing]>={engine}"]

# How spbe-engine finds the rubric: the same entry-point group as the official ones.
[project.entry-points.spbe_engine]
{id} = "{package}"

[tool.hatch.build.targets.wheel]
packages = ["src/{package}"]

[tool.pytest.ini_options]
# tests/ runs the whole kit; src/ holds {id}.golden.toml, one test per published case.
testpaths = ["tests", "src"]
addopts = ["--strict-markers", "--strict-config", "-ra", "-p", "no:cacheprovider"]
xfail_strict = true
filterwarnings = ["error"]
"""

_README = """# {dist}

Rubric `{id}` for spbe-engine, derived from `{base}` by `spbe rubric new`.

- `src/{package}/{id}.toml`: the rubric (weights, bands, scales, rounding, sources);
- `src/{package}/{id}.golden.toml`: published results it must reproduce, and indicator-level cases
  computed under `{base}`;
- `src/{package}/__init__.py`: the plugin (registers the file; add hooks only for what data cannot say);
- `tests/test_conformance.py`: runs the spbe-engine conformance kit.

In the virtual environment where spbe-engine is installed (from a clone of
spbe-engine: `python3 -m venv .venv && . .venv/bin/activate && python -m pip
install '.[testing]'`; from a package index once it is published there:
`python -m pip install 'spbe-engine[testing]'`):

```sh
python -m pip install -e '.[testing]'   # install the plugin and the kit
python -m pytest                        # the whole kit, and one test per golden case
spbe check {id}                         # the same checks, as a report
spbe rubrics                            # {id} is listed with its plugin and hash
```

Publish: `python -m build` then `python -m twine upload dist/*`.
"""
