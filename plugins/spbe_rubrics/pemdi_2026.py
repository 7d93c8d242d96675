"""Rubric plugin ``pemdi-2026``.

PermenPANRB 8/2026, Indeks Pemerintah Digital: 7 aspects, 20 indicators, no domain level.

All of the rubric is data (``rubric_versions/pemdi-2026.toml``); the engine's
default hooks read it, so this plugin only registers the file and the crosswalk into it.
"""

from . import DataPlugin

plugin = DataPlugin("pemdi-2026", crosswalks_from=("spbe-2024",))
