"""The names of the kit's checks, in the order they run; importable without hypothesis (for ``spbe check --help``)."""

from __future__ import annotations

__all__ = ["CHECK_NAMES"]

#: Every named check of the kit, in run order (:data:`spbe_engine.testing.CHECKS` has one per name).
CHECK_NAMES: tuple[str, ...] = (
    "loads",
    "files",
    "weights",
    "bounds",
    "monotonicity",
    "bands",
    "determinism",
    "hash_seeds",
    "published",
    "malformed",
    "golden",
    "crosswalks",
    "namesakes",
    "gap",
    "isolation",
    "budget",
)
