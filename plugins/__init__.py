"""The official SPBE rubrics, each a plugin registered through the ``spbe_engine`` entry points.

In the repository these modules live in ``plugins/`` and their data in
``rubric_versions/``; the wheel packs them as the ``spbe_rubrics`` package,
with the data under ``spbe_rubrics/rubric_versions``. Each module registers
its rubric exactly as a third-party plugin would.
"""

from importlib.resources import files
from importlib.resources.abc import Traversable


def rubric_file(rubric_id: str) -> Traversable:
    """Return the bundled TOML file of an official rubric version."""
    return files(__name__) / "rubric_versions" / f"{rubric_id}.toml"
