"""spbe-engine: exact, plugin-based scoring of Indonesia's SPBE and Indeks Pemdi evaluations.

The public API is what this module exports; everything else may change.

>>> from spbe_engine import Engine
>>> engine = Engine.default()
>>> card = engine.score({f"I{n}": 3 for n in range(1, 48)}, rubric="spbe-2024")
>>> str(card.index), card.predikat
('3.00', 'Baik')
"""

from typing import TYPE_CHECKING, Any

from .engine import Engine, engine_version
from .errors import (
    CrosswalkError,
    IncompleteError,
    InputError,
    PluginError,
    RubricError,
    SpbeError,
    UnknownRubricError,
)
from .hookspecs import HOOK_API_VERSION, hookimpl, hookspec
from .models import (
    Assessment,
    Band,
    Group,
    Indicator,
    IndicatorCriteria,
    LegalBasis,
    Level,
    LevelScale,
    PredikatOn,
    Rounding,
    Rubric,
    ScoreSource,
)
from .plan import ScoringPlan
from .registry import PluginInfo
from .scoring import GroupScore, IndicatorScore, Provenance, ScoreCard

__version__ = engine_version()

if TYPE_CHECKING:
    from .batch import BatchResult
    from .crosswalk import Crosswalk, IndicatorMapping
    from .gap import GapPlan, GapStep
    from .impact import Impact
    from .rescore import MissingPolicy, Rescored

# Names whose modules load on first use, so `import spbe_engine` (and `spbe score`) stays cheap.
_LAZY = {
    "BatchResult": "batch",
    "Crosswalk": "crosswalk",
    "IndicatorMapping": "crosswalk",
    "GapPlan": "gap",
    "GapStep": "gap",
    "Impact": "impact",
    "MissingPolicy": "rescore",
    "Rescored": "rescore",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is not None:
        import importlib

        return getattr(importlib.import_module(f".{module}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "HOOK_API_VERSION",
    "Assessment",
    "Band",
    "BatchResult",
    "Crosswalk",
    "CrosswalkError",
    "Engine",
    "GapPlan",
    "GapStep",
    "Group",
    "GroupScore",
    "Impact",
    "IncompleteError",
    "Indicator",
    "IndicatorCriteria",
    "IndicatorMapping",
    "IndicatorScore",
    "InputError",
    "LegalBasis",
    "Level",
    "LevelScale",
    "MissingPolicy",
    "PluginError",
    "PluginInfo",
    "PredikatOn",
    "Provenance",
    "Rescored",
    "Rounding",
    "Rubric",
    "RubricError",
    "ScoreCard",
    "ScoreSource",
    "ScoringPlan",
    "SpbeError",
    "UnknownRubricError",
    "__version__",
    "hookimpl",
    "hookspec",
]
