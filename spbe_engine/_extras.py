"""How to install an optional feature (an extra), worded once for every message and doc that needs it."""

from __future__ import annotations

__all__ = ["install_hint"]


def install_hint(extra: str) -> str:
    """Return how to install an extra: from a clone of spbe-engine, and from a package index once it is there."""
    return (
        f"from a clone of spbe-engine: python3 -m pip install '.[{extra}]' "
        f"(from a package index, once published: pip install 'spbe-engine[{extra}]')"
    )
