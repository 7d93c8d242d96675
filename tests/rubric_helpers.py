"""Helpers for tests that need rubric files and plugins of their own."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from spbe_engine import Engine, hookimpl

from .conftest import ROOT

RUBRICS = ROOT / "rubric_versions"


class FilePlugin:
    """A plugin that registers the given rubric (and crosswalk) files, as a third-party plugin would."""

    SPBE_HOOK_API = 1

    def __init__(self, *paths: Path, crosswalks: tuple[Path, ...] = ()) -> None:
        self.paths = paths
        self.crosswalks = crosswalks

    @hookimpl
    def spbe_register_rubrics(self, register: Callable[[Any], None]) -> None:
        for path in self.paths:
            register(path)

    @hookimpl
    def spbe_register_crosswalks(self, register: Callable[[Any], None]) -> None:
        for path in self.crosswalks:
            register(path)


def write_rubric(tmp_path: Path, rubric_id: str, text: str) -> Path:
    path = tmp_path / f"{rubric_id}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def variant(tmp_path: Path, edit: Callable[[str], str], rubric_id: str = "test-2021") -> Path:
    """Write a copy of spbe-2021.toml under a new id, changed by ``edit``."""
    text = (RUBRICS / "spbe-2021.toml").read_text(encoding="utf-8")
    text = text.replace('id = "spbe-2021"', f'id = "{rubric_id}"').replace('criteria = "spbe-2021.criteria.toml"\n', "")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("golden = ")) + "\n"
    return write_rubric(tmp_path, rubric_id, edit(text))


def engine_with(*paths: Path, **plugins: object) -> Engine:
    """An engine with the built-in rubrics, the given rubric files and extra plugin objects."""
    return Engine.from_plugins(FilePlugin(*paths), *plugins.items(), entry_points=True)


@contextmanager
def example_plugin() -> Iterator[object]:
    """Load the out-of-tree example plugin (pemdi-draft-2025) from its source tree; yield its module."""
    init = ROOT / "examples" / "spbe-rubric-pemdi-draft" / "src" / "spbe_rubric_pemdi_draft" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        "spbe_rubric_pemdi_draft", init, submodule_search_locations=[str(init.parent)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)
