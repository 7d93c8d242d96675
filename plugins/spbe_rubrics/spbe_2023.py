"""Rubric plugin ``spbe-2023``.

PermenPANRB 59/2020 with Pedoman MenPANRB 6/2023: evaluation 2023, predikat on the rounded index.

All of the rubric is data (``rubric_versions/spbe-2023.toml``); the engine's
default hooks read it, so this plugin only registers the file.
"""

from collections.abc import Callable

from spbe_engine import hookimpl

from . import rubric_file

SPBE_HOOK_API = 1


@hookimpl
def spbe_register_rubrics(register: Callable[..., None]) -> None:
    """Register spbe-2023."""
    register(rubric_file("spbe-2023"))
