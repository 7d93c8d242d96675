"""The official SPBE rubrics, each a plugin registered through the ``spbe_engine`` entry points.

The plugin modules live in ``plugins/spbe_rubrics/`` and their data in
``rubric_versions/`` at the top of the repository. The wheel packs the data
as ``spbe_rubrics/rubric_versions`` (crosswalks: ``spbe_rubrics/crosswalks``); an editable install reads it from the
checkout. Each module registers its rubric exactly as a third-party plugin
would.

Every official rubric is all data, so each module is one :class:`DataPlugin`
naming its rubric (and the crosswalk files that lead into it); a rubric that
ever needs behaviour the data cannot express gets hook implementations in its
own module instead.
"""

from collections.abc import Callable, Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from spbe_engine import RubricSource, hookimpl


def rubric_file(rubric_id: str) -> Traversable:
    """Return the bundled TOML file of an official rubric version."""
    packaged = files(__name__) / "rubric_versions"
    if not packaged.is_dir():  # an editable install: the data stays in the checkout
        packaged = Path(__file__).resolve().parents[2] / "rubric_versions"
    return packaged / f"{rubric_id}.toml"


def crosswalk_file(source: str, target: str) -> Traversable:
    """Return the bundled TOML file of a crosswalk between two official rubric versions."""
    packaged = files(__name__) / "crosswalks"
    if not packaged.is_dir():  # an editable install: the data stays in the checkout
        packaged = Path(__file__).resolve().parents[2] / "crosswalks"
    return packaged / f"{source}__{target}.toml"


class DataPlugin:
    """A rubric plugin that registers one bundled rubric file and the crosswalks into it."""

    SPBE_HOOK_API = 1

    def __init__(self, rubric_id: str, *, crosswalks_from: Sequence[str] = ()) -> None:
        self.rubric_id = rubric_id
        self.crosswalks_from = tuple(crosswalks_from)

    def __repr__(self) -> str:
        return f"DataPlugin({self.rubric_id!r})"

    @hookimpl
    def spbe_register_rubrics(self, register: Callable[[RubricSource], None]) -> None:
        """Register the rubric's bundled TOML file."""
        register(rubric_file(self.rubric_id))

    @hookimpl
    def spbe_register_crosswalks(self, register: Callable[[RubricSource], None]) -> None:
        """Register the bundled crosswalk files from earlier rubrics into this one."""
        for source in self.crosswalks_from:
            register(crosswalk_file(source, self.rubric_id))
