"""The official SPBE rubrics, each a plugin registered through the ``spbe_engine`` entry points.

The plugin modules live in ``plugins/spbe_rubrics/`` and their data in
``rubric_versions/`` at the top of the repository. The wheel packs the data
as ``spbe_rubrics/rubric_versions`` (crosswalks: ``spbe_rubrics/crosswalks``); an editable install reads it from the
checkout. Each module registers its rubric exactly as a third-party plugin
would.
"""

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path


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
