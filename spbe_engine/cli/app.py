"""The ``spbe`` command group; each command lives in its own module."""

from __future__ import annotations

import click

from .._engine import Engine, engine_version
from .lazy import LazyGroup

#: Each command's module, imported only when that command runs.
COMMANDS = {
    "rubrics": ".rubrics:rubrics_command",
    "rubric": ".rubrics:rubric_group",
    "score": ".score:score_command",
    "batch": ".batch:batch_command",
    "plugins": ".plugins:plugins_command",
    "rescore": ".rescore:rescore_command",
    "gap": ".gap:gap_command",
    "impact": ".impact:impact_command",
    "crosswalk": ".crosswalk:crosswalk_command",
    "check": ".check:check_command",
    "serve": ".serve:serve_command",
    "archive": ".archive:archive_group",
    "template": ".template:template_command",
}


@click.group(
    cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(engine_version(), prog_name="spbe-engine")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Score SPBE / Indeks Pemdi assessments exactly, under every official rubric."""
    ctx.obj = _LazyEngine()


class _LazyEngine:
    """Build the engine on first use, so ``--help`` costs nothing."""

    def __init__(self) -> None:
        self._engine: Engine | None = None

    def get(self) -> Engine:
        if self._engine is None:
            self._engine = Engine.default()
        return self._engine
