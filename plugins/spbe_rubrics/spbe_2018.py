"""Rubric plugin ``spbe-2018``: PermenPANRB 5/2018 (Pedoman Evaluasi SPBE): evaluations 2018-2020.

All of the rubric is data (``rubric_versions/spbe-2018.toml``); the engine's
default hooks read it, so this plugin only registers the file.
"""

from collections.abc import Callable

from spbe_engine import hookimpl

from . import rubric_file

SPBE_HOOK_API = 1


@hookimpl
def spbe_register_rubrics(register: Callable[..., None]) -> None:
    """Register spbe-2018."""
    register(rubric_file("spbe-2018"))
