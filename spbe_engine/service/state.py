"""What every route of one app shares: the engine, the settings, the metrics and readiness."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from .metrics import Metrics
from .settings import Settings

if TYPE_CHECKING:
    from .. import Engine

__all__ = ["ServiceState"]


@attrs.define(kw_only=True)
class ServiceState:
    """One app's engine, settings and metrics; ``ready`` once every rubric's plan is compiled."""

    engine: Engine
    settings: Settings
    metrics: Metrics = attrs.field(factory=Metrics)
    ready: bool = False
    #: Rubric ids whose plan failed to compile at start-up (their plugin is listed as set aside).
    failed: tuple[str, ...] = ()

    def warm(self) -> None:
        """Compile every rubric's plan now, so the first request pays nothing; then report ready."""
        failed = []
        for rubric_id in self.engine.rubric_ids():
            try:
                self.engine.plan(rubric_id)
            except Exception:
                failed.append(rubric_id)
        self.failed = tuple(failed)
        self.ready = True
