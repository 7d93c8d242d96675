"""Rubric plugin ``spbe-2025``.

PermenPANRB 59/2020 in the 2025 transition year (Surat MenPANRB B/66/PD.02/2025), derived from spbe-2024.

All of the rubric is data (``rubric_versions/spbe-2025.toml``); the engine's
default hooks read it, so this plugin only registers the file.
"""

from collections.abc import Callable

from spbe_engine import hookimpl

from . import rubric_file

SPBE_HOOK_API = 1


@hookimpl
def spbe_register_rubrics(register: Callable[..., None]) -> None:
    """Register spbe-2025."""
    register(rubric_file("spbe-2025"))
