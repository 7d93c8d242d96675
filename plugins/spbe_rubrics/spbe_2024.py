"""Rubric plugin ``spbe-2024``.

PermenPANRB 59/2020 with Pedoman MenPANRB 3/2024: evaluation 2024, predikat on the unrounded index.

All of the rubric is data (``rubric_versions/spbe-2024.toml``); the engine's
default hooks read it, so this plugin only registers the file.
"""

from collections.abc import Callable

from spbe_engine import hookimpl

from . import rubric_file

SPBE_HOOK_API = 1


@hookimpl
def spbe_register_rubrics(register: Callable[..., None]) -> None:
    """Register spbe-2024."""
    register(rubric_file("spbe-2024"))
