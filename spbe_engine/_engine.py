"""The embedding API: an :class:`Engine` holds the loaded plugins, the rubrics and their plans.

An engine has no global state and is safe to share across threads: rubrics
and plans are immutable once built, and building them is guarded by a lock.
"""

from __future__ import annotations

import importlib.metadata
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pluggy

from ._plan import ScoringPlan, compile_plan
from ._registry import PluginInfo, RubricRegistry, load_plugins
from ._rubric_file import load_criteria
from ._scoring import Provenance, ScoreCard, score_aggregates, score_levels, score_mapping
from .errors import InputError
from .models import Assessment, IndicatorCriteria, Rubric

if TYPE_CHECKING:  # these modules load on first use: `spbe score` never needs them
    from pathlib import Path

    from ._crosswalk import Crosswalk
    from ._diff import RubricDiff
    from ._gap import GapPlan
    from ._impact import Impact
    from .batch import BatchResult, BatchRow, RowResult
    from .rescore import MissingPolicy, Rescored

__all__ = ["Engine", "Recipe", "engine_version"]

_NO_ASSESSMENT = Assessment()


def engine_version() -> str:
    """Return the installed version of spbe-engine."""
    try:
        return importlib.metadata.version("spbe-engine")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0+unknown"


@attrs.frozen(kw_only=True)
class Recipe:
    """How an engine's plugins were loaded, so an engine like it can be built again (in another process too)."""

    #: whether the installed entry points were loaded.
    entry_points: bool = True
    #: the ``(name, module_or_object)`` plugins passed in code, in order.
    plugins: tuple[tuple[str, object], ...] = ()


@attrs.frozen(kw_only=True)
class _Planned:
    """A compiled plan, its provenance, and the plugins it was compiled under."""

    plugins: list[tuple[str, object]]
    plan: ScoringPlan
    provenance: Provenance


class Engine:
    """Score assessments under any registered rubric.

    Build one with :meth:`default` (built-in and installed plugins) or
    :meth:`from_plugins` (explicit plugins, for tests and embedders).
    """

    def __init__(
        self,
        pm: pluggy.PluginManager,
        registry: RubricRegistry,
        plugins: tuple[PluginInfo, ...] = (),
        *,
        recipe: Recipe | None = None,
    ) -> None:
        self._pm = pm
        self._registry = registry
        self._plugins = plugins
        self._recipe = recipe
        self._plans: dict[str, _Planned] = {}
        self._lock = threading.RLock()
        self._version = engine_version()

    @classmethod
    def default(cls, *, strict: bool | None = None, validate: bool = False) -> Engine:
        """Load every rubric plugin installed in the ``spbe_engine`` entry-point group.

        ``strict`` (default: the ``SPBE_STRICT_PLUGINS`` environment variable)
        raises :class:`~spbe_engine.errors.PluginError` if any plugin is set aside.
        ``validate`` reads every rubric and compiles every plan now, setting
        aside a plugin whose rubric or hooks fail; by default rubrics are read
        lazily, on first use, so a cold start stays cheap.
        """
        return cls(*load_plugins(strict=strict, validate=validate), recipe=Recipe())

    @classmethod
    def from_plugins(
        cls,
        *plugins: object | tuple[str, object],
        entry_points: bool = False,
        strict: bool | None = None,
        validate: bool = False,
    ) -> Engine:
        """Build an engine from the given plugin modules or objects (and, optionally, the installed ones)."""
        named = [p if isinstance(p, tuple) else (getattr(p, "__name__", repr(p)), p) for p in plugins]
        recipe = Recipe(entry_points=entry_points, plugins=tuple(named))
        return cls(*load_plugins(named, entry_points=entry_points, strict=strict, validate=validate), recipe=recipe)

    @property
    def recipe(self) -> Recipe | None:
        """Return how this engine's plugins were loaded (``None`` for an engine built from a plugin manager)."""
        return self._recipe

    def without(self, *names: str) -> Engine:
        """Return a new engine loaded as this one was, leaving out the named plugins (lazily, never strict).

        The conformance kit's isolation check compares the two. Raises
        ``ValueError`` for an engine that was not built by :meth:`default` or
        :meth:`from_plugins`.
        """
        if self._recipe is None:
            raise ValueError(
                "this engine was built from a plugin manager; build it with Engine.default or from_plugins"
            )
        loaded = load_plugins(self._recipe.plugins, entry_points=self._recipe.entry_points, strict=False, exclude=names)
        return Engine(*loaded, recipe=self._recipe)

    # -- rubrics ----------------------------------------------------------------
    @property
    def plugin_manager(self) -> pluggy.PluginManager:
        """Return the pluggy plugin manager (for inspection; hooks are consulted through plans)."""
        return self._pm

    @property
    def plugins(self) -> tuple[PluginInfo, ...]:
        """Return every plugin the engine tried to load, active or set aside."""
        return self._plugins

    def rubric_ids(self) -> tuple[str, ...]:
        """Return the ids of every registered rubric."""
        return self._registry.ids()

    def rubric(self, rubric_id: str) -> Rubric:
        """Return a rubric by id, loading and validating it on first use."""
        return self._registry.get(rubric_id)

    def rubrics(self) -> tuple[Rubric, ...]:
        """Return every registered rubric (loading all of them)."""
        return tuple(self.rubric(rubric_id) for rubric_id in self.rubric_ids())

    def rubric_for_year(self, year: int) -> Rubric:
        """Return the rubric that governs evaluations of ``year``.

        Only the ``years`` each rubric file states are read to decide; then
        the one rubric chosen is loaded and validated.
        """
        return self.rubric(self._registry.for_year(year))

    def rubric_data(self, rubric_id: str, *, resolved: bool = True) -> dict[str, Any]:
        """Return a rubric's raw file data: resolved (``extends`` folded in) or as its file states it.

        For tools that compare or derive rubrics (``spbe rubric diff``); the
        data is plain Python (decimals as :class:`~decimal.Decimal`), a fresh
        copy the caller may change.
        """
        import copy

        return copy.deepcopy(self._registry.raw(rubric_id) if resolved else self._registry.own(rubric_id))

    def plugin_of(self, rubric_id: str) -> PluginInfo:
        """Return the plugin that registered a rubric."""
        name = self._registry.plugin_of(rubric_id)
        return next(info for info in self._plugins if info.name == name)

    def criteria(self, rubric_id: str) -> Mapping[str, IndicatorCriteria]:
        """Return the level criteria texts of a rubric (empty if it ships none)."""
        source = self.rubric(rubric_id).criteria_source
        return {} if source is None else load_criteria(source)

    def diff(self, old: str, new: str) -> RubricDiff:
        """Return what changed from rubric ``old`` to ``new``, with what each that ``extends`` another inherits."""
        from ._diff import Inheritance, diff_rubrics, inheritance

        before, after = self.rubric(old), self.rubric(new)
        records: list[Inheritance] = []
        for rubric in (before, after):
            if rubric.extends is not None and rubric.id not in {r.rubric for r in records}:
                own = self.rubric_data(rubric.id, resolved=False)
                records.append(inheritance(rubric.id, own, self.rubric_data(rubric.extends)))
        return diff_rubrics(before, after, records)

    def crosswalk(self, source: str, target: str) -> Crosswalk:
        """Return the crosswalk from rubric ``source`` to ``target``, validated (generated for identities).

        Raises :class:`~spbe_engine.errors.CrosswalkError` naming the registered
        crosswalks when none joins the two.
        """
        source, target = self._registry.canonical(source), self._registry.canonical(target)
        registry = self._registry
        return registry.crosswalks.find(source, target, self.rubric, frozenset(self.rubric_ids()), registry.is_official)

    def crosswalk_pairs(self) -> tuple[tuple[str, str], ...]:
        """Return the ``(from, to)`` pairs of every registered crosswalk file."""
        return self._registry.crosswalks.pairs()

    def crosswalk_plugin(self, pair: tuple[str, str]) -> str:
        """Return the name of the plugin that registered the crosswalk file of a ``(from, to)`` pair."""
        return self._registry.crosswalks.plugin_of(pair)

    def plan(self, rubric_id: str) -> ScoringPlan:
        """Return the compiled scoring plan of a rubric.

        Compiled on first use and kept by this engine (engines share no
        plans); registering or unregistering a plugin on
        :attr:`plugin_manager` compiles afresh.
        """
        return self._planned(rubric_id).plan

    def _planned(self, rubric_id: str) -> _Planned:
        """Return the plan of a rubric with its provenance, checking the plugins are unchanged."""
        entry = self._plans.get(rubric_id)
        if entry is not None and entry.plugins == self._pm.list_name_plugin():
            return entry
        rubric_id = self._registry.canonical(rubric_id)
        with self._lock:
            plugins = self._pm.list_name_plugin()
            entry = self._plans.get(rubric_id)
            if entry is None or entry.plugins != plugins:  # another thread may have compiled it meanwhile
                rubric = self.rubric(rubric_id)
                plan = compile_plan(rubric, self._pm, self._registry.scope(rubric_id, self._pm))
                entry = _Planned(plugins=plugins, plan=plan, provenance=self._provenance(plan))
                self._plans[rubric_id] = entry
            return entry

    def pinned(self, rubric_id: str, sha256: str) -> Rubric:
        """Return a rubric after checking its content hash is ``sha256``; refuse any other content.

        Pin the rubric an archive was scored under: a service that stores
        ``card.rubric_sha256`` can insist on the very same rubric data later.
        """
        rubric = self.rubric(rubric_id)
        if not isinstance(sha256, str) or sha256.strip().lower() != rubric.sha256:
            raise InputError(
                f"rubric {rubric_id} does not have the pinned content hash",
                field="sha256",
                value=sha256,
                allowed=f"{rubric.sha256} (the installed {rubric_id})",
            )
        return rubric

    def _provenance(self, plan: ScoringPlan) -> Provenance:
        info = self.plugin_of(plan.rubric.id)
        return Provenance(
            engine_version=self._version,
            rubric_id=plan.rubric.id,
            rubric_sha256=plan.rubric.sha256,
            plugin=info.name,
            plugin_distribution=info.distribution,
            plugin_version=info.version,
            hooks_answered_by=plan.answered_by,
        )

    # -- scoring ----------------------------------------------------------------
    def resolve_rubric_id(self, assessment: Assessment, rubric: str | None = None) -> str:
        """Pick the rubric: the argument, else the assessment's own, else its evaluation year."""
        if rubric is not None:
            return self._registry.canonical(rubric)  # raises UnknownRubricError naming the choices
        if assessment.rubric is not None:
            return self._registry.canonical(assessment.rubric)
        if assessment.year is not None:
            return self.rubric_for_year(assessment.year).id
        raise InputError(
            "no rubric: name one, or give the evaluation year", field="rubric", allowed=", ".join(self.rubric_ids())
        )

    def score(
        self,
        assessment: Assessment | Mapping[str, Any],
        rubric: str | None = None,
        *,
        partial: bool = False,
        sha256: str | None = None,
    ) -> ScoreCard:
        """Score one assessment (or a mapping of indicator id → level) and return its score card.

        ``rubric`` overrides the assessment's own rubric and its year. With
        ``partial``, missing indicators are allowed and the card reports its
        completeness instead of an index. ``sha256`` pins the rubric's content
        (see :meth:`pinned`).
        """
        if not isinstance(assessment, Assessment):
            if not isinstance(assessment, Mapping):
                raise InputError(
                    "expected an Assessment or a mapping of indicator id to level",
                    field="assessment",
                    value=type(assessment).__name__,
                )
            if rubric is not None and sha256 is None:
                # The lean path: a plain mapping of levels under a named rubric.
                planned = self._planned(self.resolve_rubric_id(_NO_ASSESSMENT, rubric))
                return score_mapping(planned.plan, assessment, planned.provenance, partial=partial)
            assessment = Assessment(levels=assessment)
        rubric_id = self.resolve_rubric_id(assessment, rubric)
        if sha256 is not None:
            self.pinned(rubric_id, sha256)
        planned = self._planned(rubric_id)
        try:
            if assessment.aggregates:
                card = score_aggregates(planned.plan, assessment, planned.provenance)
            else:
                card = score_levels(planned.plan, assessment, planned.provenance, partial=partial)
        except InputError as exc:
            if rubric is None and assessment.rubric is None:
                _blame_the_year(exc, assessment.year, planned.plan.rubric)
            raise
        if assessment.printed_index is None and assessment.printed_predikat is None:
            return card
        from ._printed import apply_printed

        return apply_printed(planned.plan, card, assessment)

    def score_many(
        self, data: Any, *, rubric: str, columns: Iterable[str] | None = None, sha256: str | None = None
    ) -> BatchResult:
        """Score many assessments at once under one rubric; return a :class:`~spbe_engine.batch.BatchResult`.

        ``data`` is an iterable of mappings or :class:`Assessment` objects, a
        2-D integer numpy array of levels (columns in the rubric's indicator
        order, or named by ``columns``), a pandas DataFrame or a pyarrow
        Table (indicator columns by name). Results equal :meth:`score` row
        by row; a bad row gets status ``error`` and its message, and the other
        rows are still scored.
        """
        from .batch import score_many

        if sha256 is not None:
            self.pinned(rubric, sha256)
        planned = self._planned(self.resolve_rubric_id(_NO_ASSESSMENT, rubric))
        return score_many(planned.plan, planned.provenance, data, columns=columns)

    def score_each(
        self, assessments: Iterable[Assessment], rubric: str | None = None, *, partial: bool = False
    ) -> Iterable[ScoreCard | InputError]:
        """Score assessments one by one, yielding each card or the error that row raised."""
        for assessment in assessments:
            try:
                yield self.score(assessment, rubric, partial=partial)
            except InputError as exc:
                yield exc

    def score_file(
        self, path: str | Path, rubric: str | None = None, *, partial: bool = False, fast: bool | None = None
    ) -> Iterator[RowResult]:
        """Score every row of a CSV or JSON Lines file, streaming; return an iterator of row results.

        The same rows, results and messages as ``spbe batch`` (see
        :func:`spbe_engine.batch.score_file`): a bad row gets status
        ``error``; an unknown rubric, file type or a missing file is raised
        before this returns. Memory stays bounded whatever the file's size.
        """
        from .batch import score_file

        return score_file(self, path, rubric, partial=partial, fast=fast)

    # -- rubric evolution -------------------------------------------------------
    def rescore(
        self,
        assessment: Assessment | Mapping[str, Any],
        to: str,
        *,
        source: str | None = None,
        missing: str | MissingPolicy | None = None,
    ) -> Rescored:
        """Rescore an assessment under rubric ``to`` through the crosswalk from its own rubric.

        ``source`` overrides the assessment's rubric (else its year decides).
        ``missing`` names the policy for target indicators without a source
        (``"leave"``, ``"impute:lowest"``, ``"impute:group-mean"``,
        ``"impute:overall-mean"``); with none named and some target indicator
        lacking a source, an :class:`~spbe_engine.errors.InputError` lists the
        policies. Published aggregates are carried over only between rubrics
        with identical groups.
        """
        assessment = as_assessment(assessment)
        from .rescore import rescore

        return rescore(self, assessment, to, source=source, missing=missing)

    def gap(self, assessment: Assessment | Mapping[str, Any], target: str, rubric: str | None = None) -> GapPlan:
        """Return the smallest set of raises (fewest steps, then largest gain) reaching predikat ``target``.

        From indicator levels a step raises one indicator by one level; from
        published domain values it moves one domain to its next achievable
        value. The assessment's own rubric (or ``rubric``) and its band rule
        decide. An unreachable target is an :class:`~spbe_engine.errors.InputError`.
        """
        assessment = as_assessment(assessment)
        from ._gap import gap_plan

        return gap_plan(self.plan(self.resolve_rubric_id(assessment, rubric)), assessment, target)

    def impact(
        self,
        assessments: Iterable[Assessment | BatchRow],
        source: str,
        target: str,
        *,
        missing: str | MissingPolicy | None = None,
    ) -> Impact:
        """Measure what moving ``assessments`` from rubric ``source`` to ``target`` changes.

        Accepts assessments or the rows of :func:`~spbe_engine.batch.read_batch`
        (a bad row is counted as an error, not raised). Returns the transition
        matrix, index changes, movers and drivers; see :mod:`spbe_engine._impact`.
        """
        from ._impact import measure_impact
        from .batch import BatchRow

        rows = (
            item
            if isinstance(item, BatchRow)
            else BatchRow(number=n, line=0, columns={"instansi": item.instansi or f"assessment {n}"}, assessment=item)
            for n, item in enumerate(assessments, start=1)
        )

        return measure_impact(self, rows, source, target, missing)


def _blame_the_year(exc: InputError, year: int | None, rubric: Rubric) -> None:
    """Say, on an id the rubric does not know, that the evaluation year chose that rubric and how to pick another."""
    if not exc.problem.startswith(("unknown indicator", "not a top-level")):
        return
    exc.problem += (
        f"; evaluation year {year} selects {rubric.id} ({len(rubric.indicators)} indicators: "
        f"{rubric.indicators[0].id} … {rubric.indicators[-1].id})"
    )
    exc.allowed = f"{exc.allowed}; or name another rubric (--rubric ID, or a 'rubric' field)"


def as_assessment(value: object) -> Assessment:
    """Return an assessment given as one, or as a mapping of indicator id to level; refuse anything else."""
    if isinstance(value, Assessment):
        return value
    if not isinstance(value, Mapping):
        raise InputError(
            "expected an Assessment or a mapping of indicator id to level",
            field="assessment",
            value=type(value).__name__,
        )
    return Assessment(levels=value)
