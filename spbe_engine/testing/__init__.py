"""The spbe-engine conformance kit: prove a rubric plugin sound with hypothesis.

Public and versioned (:data:`KIT_VERSION`). Needs the ``testing`` extra
(from a clone: ``python3 -m pip install '.[testing]'``), which brings hypothesis and pytest;
``import spbe_engine`` never imports them. Three ways to run it:

- ``pytest --spbe-rubric ID`` (the pytest plugin this package installs);
- ``spbe check [ID ...]`` on the command line;
- from a plugin's own tests::

      from spbe_engine.testing import assert_rubric_conforms
      assert_rubric_conforms("spbe-2024")

The named checks are :data:`CHECKS`; strategies for your own properties are in
:mod:`spbe_engine.testing.strategies`; golden cases in
:mod:`spbe_engine.testing.golden`. See ``docs/kit.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._extras import install_hint

#: The version of the kit: its check names, their meaning and the public API below.
KIT_VERSION = "1.1"

#: What to install when hypothesis is missing.
INSTALL_HINT = install_hint("testing")

if TYPE_CHECKING:
    from . import golden, strategies
    from .checks import CHECKS, Check
    from .golden import GoldenCase, golden_cases, load_golden
    from .profiles import PROFILES
    from .runner import CheckResult, KitReport, assert_rubric_conforms, check_rubric

__all__ = [
    "CHECKS",
    "INSTALL_HINT",
    "KIT_VERSION",
    "PROFILES",
    "Check",
    "CheckResult",
    "GoldenCase",
    "KitReport",
    "assert_rubric_conforms",
    "check_rubric",
    "golden",
    "golden_cases",
    "load_golden",
    "require_hypothesis",
    "strategies",
]

_WHERE = {
    "CHECKS": "checks",
    "Check": "checks",
    "CheckResult": "runner",
    "KitReport": "runner",
    "assert_rubric_conforms": "runner",
    "check_rubric": "runner",
    "GoldenCase": "golden",
    "golden_cases": "golden",
    "load_golden": "golden",
    "PROFILES": "profiles",
}


def require_hypothesis() -> None:
    """Raise ImportError saying how to install the kit if hypothesis is missing."""
    import importlib

    try:
        importlib.import_module("hypothesis")  # importing, not just finding: a broken install counts too
    except ImportError:
        raise ImportError(f"the spbe-engine conformance kit needs hypothesis: {INSTALL_HINT}") from None


def __getattr__(name: str) -> Any:
    # Imported on first use, so the pytest plugin (which loads this package in
    # every pytest run) costs nothing and works without hypothesis installed.
    import importlib

    if name in ("strategies", "golden"):
        if name == "strategies":
            require_hypothesis()
        return importlib.import_module(f"{__name__}.{name}")
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if module != "golden":
        require_hypothesis()
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
