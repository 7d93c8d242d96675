"""Rubric plugin ``spbe-2024``.

PermenPANRB 59/2020 with Pedoman MenPANRB 3/2024: evaluation 2024, predikat on the unrounded index.

All of the rubric is data (``rubric_versions/spbe-2024.toml``); the engine's
default hooks read it, so this plugin only registers the file.
"""

from . import DataPlugin

plugin = DataPlugin("spbe-2024")
