"""Rubric plugin ``spbe-2018-raw0``: PermenPANRB 5/2018 with level 0 scored 0 (an option; governs no year).

All of the rubric is data (``rubric_versions/spbe-2018-raw0.toml``, derived
from spbe-2018); the engine's default hooks read it, so this plugin only
registers the file.
"""

from . import DataPlugin

plugin = DataPlugin("spbe-2018-raw0")
