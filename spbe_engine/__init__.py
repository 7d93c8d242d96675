"""spbe-engine: exact, plugin-based scoring of Indonesia's SPBE and Indeks Pemdi evaluations.

The public API is what this module exports; everything else may change.

>>> from spbe_engine import Engine
>>> engine = Engine.default()
>>> card = engine.score({f"I{n}": 3 for n in range(1, 48)}, rubric="spbe-2024")
>>> str(card.index), card.predikat
('3.00', 'Baik')
"""

from typing import TYPE_CHECKING, Any

from ._engine import Engine, engine_version
from ._plan import ScoringPlan
from ._printed import PrintedCheck, PrintedVerdict
from ._registry import PluginInfo, RubricSource
from ._scoring import GroupScore, IndicatorScore, Provenance, ScoreCard
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
    FrozenDict,
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

__version__ = engine_version()

if TYPE_CHECKING:
    from ._crosswalk import Crosswalk, IndicatorMapping
    from ._gap import GapPlan, GapStep
    from ._impact import Impact
    from .batch import BatchResult, BatchRow, RowResult, RowStatus
    from .rescore import MissingPolicy, Rescored

# Names whose modules load on first use, so `import spbe_engine` (and `spbe score`) stays cheap.
_LAZY = {
    "BatchResult": "batch",
    "BatchRow": "batch",
    "RowResult": "batch",
    "RowStatus": "batch",
    "Crosswalk": "_crosswalk",
    "IndicatorMapping": "_crosswalk",
    "GapPlan": "_gap",
    "GapStep": "_gap",
    "Impact": "_impact",
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
    "BatchRow",
    "Crosswalk",
    "CrosswalkError",
    "Engine",
    "FrozenDict",
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
    "PrintedCheck",
    "PrintedVerdict",
    "Provenance",
    "Rescored",
    "Rounding",
    "RowResult",
    "RowStatus",
    "Rubric",
    "RubricError",
    "RubricSource",
    "ScoreCard",
    "ScoreSource",
    "ScoringPlan",
    "SpbeError",
    "UnknownRubricError",
    "__version__",
    "hookimpl",
    "hookspec",
]
