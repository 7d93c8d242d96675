"""Rubric plugin ``pemdi-2026``.

PermenPANRB 8/2026, Indeks Pemerintah Digital: 7 aspects, 20 indicators, no domain level.

All of the rubric is data (``rubric_versions/pemdi-2026.toml``); the engine's
default hooks read it, so this plugin only registers the file.
"""

from collections.abc import Callable

from spbe_engine import hookimpl

from . import crosswalk_file, rubric_file

SPBE_HOOK_API = 1


@hookimpl
def spbe_register_rubrics(register: Callable[..., None]) -> None:
    """Register pemdi-2026."""
    register(rubric_file("pemdi-2026"))


@hookimpl
def spbe_register_crosswalks(register: Callable[..., None]) -> None:
    """Register the crosswalk spbe-2024 → pemdi-2026 (``crosswalks/spbe-2024__pemdi-2026.toml``)."""
    register(crosswalk_file("spbe-2024", "pemdi-2026"))
