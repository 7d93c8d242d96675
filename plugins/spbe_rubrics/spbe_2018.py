"""Rubric plugin ``spbe-2018``: PermenPANRB 5/2018 (Pedoman Evaluasi SPBE): evaluations 2018-2020.

All of the rubric is data (``rubric_versions/spbe-2018.toml``); the engine's
default hooks read it, so this plugin only registers the file.
"""

from . import DataPlugin

plugin = DataPlugin("spbe-2018")
