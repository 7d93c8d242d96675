"""Rubric plugin ``pemdi-draft-2025``: the superseded 2025 draft of the Indeks Pemerintah Digital.

An example of a third-party rubric plugin for spbe-engine: its own
distribution, installed with pip, announced through the ``spbe_engine``
entry-point group, and checked by the conformance kit. All of the rubric is
data (``pemdi-draft-2025.toml`` beside this module); the engine's default
hooks read it, so the plugin only registers the file.
"""

from collections.abc import Callable
from importlib.resources import files

from spbe_engine import RubricSource, hookimpl

#: The spbe-engine hook API this plugin targets.
SPBE_HOOK_API = 1


@hookimpl
def spbe_register_rubrics(register: Callable[[RubricSource], None]) -> None:
    """Register pemdi-draft-2025."""
    register(files(__name__) / "pemdi-draft-2025.toml")
