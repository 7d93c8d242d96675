"""The public boundary: which modules are public, what they export, and that no private name crosses modules."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import attrs
import pytest

import spbe_engine
from spbe_engine import models

from .conftest import ROOT

PACKAGE = ROOT / "spbe_engine"
#: The modules an embedder or plugin author may import; every other module is named with a leading underscore.
PUBLIC = {
    "spbe_engine.archive",
    "spbe_engine.batch",
    "spbe_engine.cli",
    "spbe_engine.errors",
    "spbe_engine.hookspecs",
    "spbe_engine.inputs",
    "spbe_engine.models",
    "spbe_engine.report",
    "spbe_engine.rescore",
    "spbe_engine.service",
    "spbe_engine.testing",
    "spbe_engine.worksheet",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_every_module_is_public_by_list_or_private_by_name() -> None:
    """A module is either one of the listed public ones or named with a leading underscore (as pluggy does)."""
    stray = []
    for path in PACKAGE.rglob("*.py"):
        name = _module_name(path)
        if name in {"spbe_engine", "spbe_engine.__main__"}:
            continue
        top = ".".join(name.split(".")[:2])
        # A public module, a module of a public package (whose own __all__ says what is public), or private by name.
        if top in PUBLIC or name.split(".")[1].startswith("_"):
            continue
        stray.append(name)
    assert stray == []


def _resolves_to_module(path: Path, node: ast.ImportFrom, name: str) -> bool:
    base = path.parent
    for _ in range(max(node.level - 1, 0)):
        base = base.parent
    if node.module:
        base = base.joinpath(*node.module.split("."))
    return (base / f"{name}.py").is_file() or (base / name / "__init__.py").is_file()


def test_no_private_name_is_imported_across_modules() -> None:
    """`from x import _name` only ever imports a private module, never a private function or class."""
    offences = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            internal = node.level > 0 or (node.module or "").startswith("spbe_engine")
            for alias in node.names:
                private = internal and alias.name.startswith("_") and not alias.name.startswith("__")
                if private and (node.level == 0 or not _resolves_to_module(path, node, alias.name)):
                    offences.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {alias.name}")
    assert offences == []


@pytest.mark.parametrize("module", sorted(PUBLIC - {"spbe_engine.archive", "spbe_engine.service"}))
def test_public_modules_declare_what_they_export(module: str) -> None:
    """Each public module has an __all__, and every name in it resolves."""
    loaded = importlib.import_module(module)
    names = getattr(loaded, "__all__", None)
    assert names, f"{module} has no __all__"
    for name in names:
        assert getattr(loaded, name) is not None


def test_top_level_exports_the_models_and_plugin_types() -> None:
    """spbe_engine exports every model, RubricSource for typing register(), and nothing private."""
    assert set(models.__all__) <= set(spbe_engine.__all__)
    assert "RubricSource" in spbe_engine.__all__
    for name in spbe_engine.__all__:
        assert not name.startswith("_") or name == "__version__"
        assert getattr(spbe_engine, name) is not None
        if name in models.__all__:
            assert getattr(spbe_engine, name) is getattr(models, name)


def test_models_page_lists_every_model_and_field() -> None:
    """docs/models.md has a section per model naming each public field (or enum value)."""
    import enum

    text = (ROOT / "docs" / "models.md").read_text(encoding="utf-8")
    for name in models.__all__:
        start = text.index(f"### `{name}`")
        section = text[start : text.find("### ", start + 4)]
        obj = getattr(models, name)
        if attrs.has(obj):
            for field in attrs.fields(obj):
                if not field.name.startswith("_"):
                    assert f"`{field.name}`" in section, (name, field.name)
        elif isinstance(obj, type) and issubclass(obj, enum.Enum):
            for member in obj:
                assert f"`{member.value}`" in section, (name, member.value)
