"""What the service answers: the JSON the CLI prints, described as types for the OpenAPI document.

Every JSON body is rendered by the same functions the CLI uses
(:mod:`spbe_engine.report`, :mod:`spbe_engine.batch`); these TypedDicts only
say what those renderings hold, so the document describes the real
responses (schemathesis checks each response against them). Numbers are
strings: exact decimals (``"3.45"``) or ratios (``"46/11"``), never floats.
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

__all__ = [
    "AssessmentFile",
    "AssessmentForm",
    "Card",
    "Crosswalk",
    "CrosswalkPair",
    "Diff",
    "Gap",
    "Health",
    "Impact",
    "Plugin",
    "Ready",
    "Rubric",
    "RubricSummary",
    "WorksheetForm",
    "WorksheetNotes",
]


class RubricRef(TypedDict):
    id: str
    sha256: str


class GroupValue(TypedDict):
    id: str
    kind: str
    name: str
    weight: str
    index: str | None
    exact: str | None
    contribution: str | None
    candidates: list[str]
    completeness: str


class IndicatorValue(TypedDict):
    id: str
    name: str
    parent: str
    weight: str
    level: int | None
    level_name: str | None
    value: str | None
    contribution: str | None


class Provenance(TypedDict):
    engine_version: str
    plugin: str
    plugin_distribution: str
    plugin_version: str
    rubric_id: str
    rubric_sha256: str
    hooks_answered_by: dict[str, list[str]]


class Classification(TypedDict):
    exact: str
    published: str
    classified_value: str
    predikat: str
    band: str


class Rounding(TypedDict):
    mode: str
    places: int


class Explanation(TypedDict):
    predikat_on: str
    rounding: Rounding
    steps: list[str]
    classification: list[Classification]


class Printed(TypedDict):
    index: str | None
    predikat: str | None
    verdict: str
    message: str


class Card(TypedDict):
    """A score card, as ``spbe score --json`` prints it (``explanation`` with ``--explain``)."""

    instansi: str | None
    year: int | None
    rubric: RubricRef
    source: str
    index: str | None
    exact_index: str | None
    index_candidates: list[str]
    exact_candidates: list[str]
    predikat: str | None
    predikat_candidates: list[str]
    predikat_on: str
    index_range: list[str]
    complete: bool
    completeness: str
    partial_index: str | None
    domains: list[GroupValue]
    groups: list[GroupValue]
    engine_version: str
    provenance: Provenance
    metadata: dict[str, Any]
    printed: Printed | None
    indicators: list[IndicatorValue]
    explanation: NotRequired[Explanation]


class RubricSummary(TypedDict):
    """One rubric in the listing, as ``spbe rubrics --json`` prints it."""

    id: str
    title: str
    legal_basis: str
    years: list[int]
    counts: dict[str, int]
    extends: str | None
    plugin: str
    distribution: str
    version: str
    sha256: str


class LegalBasis(TypedDict):
    regulation: str
    title: str
    enacted: str
    promulgated: str
    gazette: str
    source: str


class RubricRounding(TypedDict):
    places: int
    mode: str
    predikat_on: str


class ScaleLevel(TypedDict):
    name: str
    description: str


class Scale(TypedDict):
    name: str
    levels: dict[str, ScaleLevel]


class Band(TypedDict):
    predikat: str
    lower: str
    upper: str


class Criteria(TypedDict):
    explanation: str
    levels: dict[str, str]


class RubricIndicator(TypedDict):
    id: str
    name: str
    weight: str
    scale: str
    note: NotRequired[str]
    criteria: NotRequired[Criteria]


class RubricGroup(TypedDict):
    id: str
    kind: str
    name: str
    weight: str
    groups: list[RubricGroup]
    indicators: list[RubricIndicator]


class Rubric(TypedDict):
    """A rubric's whole tree, as ``spbe rubric show --json [--criteria]`` prints it."""

    id: str
    title: str
    years: list[int]
    extends: str | None
    sha256: str
    legal_basis: LegalBasis
    rounding: RubricRounding
    scales: dict[str, Scale]
    bands: list[Band]
    tree: list[RubricGroup]
    notes: list[str]


class Change(TypedDict):
    section: str
    action: str
    subject: str
    field: str
    old: str | None
    new: str | None


class Inheritance(TypedDict):
    rubric: str
    base: str
    states: list[str]
    removes: list[str]
    inherited: list[str]


class Diff(TypedDict):
    """What changed between two rubrics, as ``spbe rubric diff A B --json`` prints it."""

    old: str
    new: str
    identical: bool
    counts: dict[str, int]
    changes: list[Change]
    inheritance: list[Inheritance]


CrosswalkPair = TypedDict("CrosswalkPair", {"from": str, "to": str, "plugin": str})
CrosswalkPair.__doc__ = "A registered crosswalk, as ``spbe crosswalk --json`` lists it."


class CrosswalkTarget(TypedDict):
    id: str
    name: str
    sources: list[str]
    combine: str | None
    weights: list[str] | None
    level_rounding: str | None
    mark: str
    basis: str
    reason: str
    reference: str


Crosswalk = TypedDict(
    "Crosswalk",
    {
        "from": str,
        "to": str,
        "title": str,
        "notes": list[str],
        "generated": bool,
        "origin": str,
        "unmapped_weight": str,
        "targets": list[CrosswalkTarget],
    },
)
Crosswalk.__doc__ = "How a crosswalk maps every target indicator, as ``spbe crosswalk FROM TO --json`` prints it."


class Plugin(TypedDict):
    """One plugin, active or set aside with its reason, as ``spbe plugins --json`` prints it."""

    name: str
    distribution: str
    version: str
    module: str
    hook_api: int | None
    rubrics: list[str]
    hooks: list[str]
    status: str
    reason: str


class GapStart(TypedDict):
    index: str
    exact_index: str
    predikat: str


GapStep = TypedDict(
    "GapStep",
    {
        "step": int,
        "item": str,
        "name": str,
        "from": str,
        "to": str,
        "gain": str,
        "index": str,
        "published": str,
        "predikat": str,
    },
)


class Gap(TypedDict):
    """The fewest raises reaching a predikat, as ``spbe gap FILE --target P --json`` prints it."""

    rubric: str
    granularity: Literal["indicator", "group"]
    target: str
    start: GapStart
    total_steps: int
    total_gain: str
    end_index: str
    steps: list[GapStep]
    notes: list[str]


class ImpactSummary(TypedDict):
    rows: int
    determinate: int
    ambiguous: int
    partial: int
    errors: int
    predikat_changed: int
    predikat_changed_with_same_index: int
    change_min: str | None
    change_median: str | None
    change_mean: str | None
    change_max: str | None


class Matrix(TypedDict):
    rows: list[str]
    columns: list[str]
    counts: list[list[int]]


class Bin(TypedDict):
    low: str
    high: str
    rows: int


class ImpactRow(TypedDict):
    row: int
    instansi: str
    before: list[str]
    after: list[str]
    index_before: str | None
    index_after: str | None
    index_candidates_before: list[str]
    index_candidates_after: list[str]
    change: str | None
    change_basis: str | None


class Driver(TypedDict):
    id: str
    name: str
    before: str | None
    after: str | None
    change: str | None
    drives: str | None


class ImpactError(TypedDict):
    row: int
    instansi: str
    message: str


Impact = TypedDict(
    "Impact",
    {
        "from": str,
        "to": str,
        "missing_policy": str | None,
        "summary": ImpactSummary,
        "matrix": Matrix,
        "histogram": list[Bin],
        "movers": list[ImpactRow],
        "drivers": list[Driver],
        "ambiguous": list[ImpactRow],
        "partial": list[ImpactRow],
        "errors": list[ImpactError],
    },
)
Impact.__doc__ = "What moving a batch from one rubric to another changes, as ``spbe impact --json`` prints it."


class Health(TypedDict):
    """The process is up."""

    status: Literal["ok"]


class Ready(TypedDict):
    """The engine has loaded every rubric and compiled its plan.

    ``archive`` says whether the archive under /v1/archive can be used now:
    ``ready``, ``none`` (none configured) or ``unavailable: <the reason>``.
    Scoring is ready either way, so an unavailable archive does not make the
    service unready.
    """

    status: Literal["ready"]
    rubrics: list[str]
    engine_version: str
    archive: str


class PublishedForm(TypedDict):
    index: NotRequired[str]
    predikat: NotRequired[str]


class AssessmentForm(TypedDict):
    """An assessment in the structured form of an assessment file, as the engine read it."""

    instansi: NotRequired[str]
    year: NotRequired[int]
    rubric: NotRequired[str]
    levels: NotRequired[dict[str, Any]]
    domains: NotRequired[dict[str, str]]
    published: NotRequired[PublishedForm]
    metadata: NotRequired[dict[str, Any]]


class AssessmentFile(TypedDict):
    """An assessment file to save: a suggested name, its media type and its text."""

    name: str
    media_type: str
    text: str


class WorksheetNotes(TypedDict):
    """What a filled worksheet says beside its levels (the ``worksheet`` object of ``spbe score FILE.xlsx --json``)."""

    template_version: int
    rubric_id: str
    rubric_sha256: str
    provisional_index: str | None
    agrees: bool | None
    notes: list[str]


class WorksheetForm(AssessmentForm):
    """A filled worksheet read back: the assessment in its structured form, and the worksheet's notes."""

    worksheet: WorksheetNotes
