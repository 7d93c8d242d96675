"""Rubric plugin ``spbe-2023``.

PermenPANRB 59/2020 with Pedoman MenPANRB 6/2023: evaluation 2023, predikat on the rounded index.

All of the rubric is data (``rubric_versions/spbe-2023.toml``); the engine's
default hooks read it, so this plugin only registers the file.
"""

from . import DataPlugin

plugin = DataPlugin("spbe-2023")
