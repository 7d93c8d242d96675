"""The ``spbe`` command group; each command lives in its own module."""

from __future__ import annotations

import click

from ..engine import Engine, engine_version
from . import batch, check, crosswalk, gap, impact, new, plugins, rescore, rubrics, score


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


cli.add_command(rubrics.rubrics_command)
cli.add_command(rubrics.rubric_group)
cli.add_command(score.score_command)
cli.add_command(batch.batch_command)
cli.add_command(plugins.plugins_command)
cli.add_command(rescore.rescore_command)
cli.add_command(gap.gap_command)
cli.add_command(impact.impact_command)
cli.add_command(crosswalk.crosswalk_command)
cli.add_command(check.check_command)
rubrics.rubric_group.add_command(new.new_command)
