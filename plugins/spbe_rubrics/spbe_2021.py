"""Rubric plugin ``spbe-2021``: PermenPANRB 59/2020 (Pemantauan dan Evaluasi SPBE): evaluations 2021-2022.

All of the rubric is data (``rubric_versions/spbe-2021.toml``); the engine's
default hooks read it, so this plugin only registers the file and the crosswalk into it.
"""

from . import DataPlugin

plugin = DataPlugin("spbe-2021", crosswalks_from=("spbe-2018",))
