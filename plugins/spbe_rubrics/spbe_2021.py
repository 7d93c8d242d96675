"""Rubric plugin ``spbe-2021``: PermenPANRB 59/2020 (Pemantauan dan Evaluasi SPBE): evaluations 2021-2022.

All of the rubric is data (``rubric_versions/spbe-2021.toml``); the engine's
default hooks read it, so this plugin only registers the file.
"""

from collections.abc import Callable

from spbe_engine import hookimpl

from . import crosswalk_file, rubric_file

SPBE_HOOK_API = 1


@hookimpl
def spbe_register_rubrics(register: Callable[..., None]) -> None:
    """Register spbe-2021."""
    register(rubric_file("spbe-2021"))


@hookimpl
def spbe_register_crosswalks(register: Callable[..., None]) -> None:
    """Register the crosswalk spbe-2018 → spbe-2021 (``crosswalks/spbe-2018__spbe-2021.toml``)."""
    register(crosswalk_file("spbe-2018", "spbe-2021"))
