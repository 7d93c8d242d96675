"""Run the ``spbe`` command line as ``python -m spbe_engine``."""

from .cli import entry

entry()
