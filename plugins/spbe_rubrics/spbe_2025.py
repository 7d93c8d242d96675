"""Rubric plugin ``spbe-2025``.

PermenPANRB 59/2020 in the 2025 transition year (Surat MenPANRB B/66/PD.02/2025), derived from spbe-2024.

All of the rubric is data (``rubric_versions/spbe-2025.toml``); the engine's
default hooks read it, so this plugin only registers the file.
"""

from . import DataPlugin

plugin = DataPlugin("spbe-2025")
