"""What the archive's routes answer: the ``to_json()`` of the archive's records, described as types.

Every body is written by the archive's own ``to_json()`` (the JSON ``spbe
archive … --json`` prints); these TypedDicts only say what it holds, so the
OpenAPI document describes the real answers (schemathesis checks them).
Times are ISO 8601 text in UTC; indices are exact text (``"2.15"``), never floats.
"""

from typing import Any, NotRequired, TypedDict

__all__ = [
    "ArchiveAudit",
    "ArchiveHistory",
    "ArchiveImport",
    "ArchiveRescore",
    "ArchiveRun",
    "ArchiveRunDiff",
    "AssessmentPage",
    "AssessmentShown",
    "InstansiPage",
    "RunPage",
    "ScoringPage",
]


class ArchiveInstansi(TypedDict):
    id: int
    name: str
    category: str | None
    region: str | None
    code: str | None


class ArchiveAssessment(TypedDict):
    id: int
    instansi: str
    instansi_id: int
    year: int | None
    rubric: str | None
    kind: str
    scores: dict[str, Any]
    printed_index: str | None
    printed_predikat: str | None
    source: str | None
    origin_file: str
    origin_sha256: str | None
    origin_row: int | None
    origin_line: int | None
    content_sha256: str
    import_run: int | None
    imported_at: str
    input: NotRequired[dict[str, Any]]


class ArchiveScoring(TypedDict):
    id: int
    assessment_id: int
    run: int
    kind: str
    rubric_id: str | None
    rubric_sha256: str | None
    source_rubric_id: str | None
    source_rubric_sha256: str | None
    crosswalk_sha256: str | None
    missing_policy: str | None
    engine_version: str
    plugin: str | None
    plugin_version: str | None
    status: str
    index: str | None
    predikat: str | None
    comparability: str | None
    result: dict[str, Any]
    scored_at: str


class ArchiveRun(TypedDict):
    id: int
    uuid: str
    kind: str
    params: dict[str, Any]
    command: str
    started_at: str
    finished_at: str
    rows: int
    counts: dict[str, Any]
    outcome: str
    engine_version: str


class _Paging(TypedDict):
    #: The ``after`` of the next page; ``null`` on the last page.
    next: int | None
    #: The path and query of the next page (the same filters and limit); ``null`` on the last page.
    next_url: str | None
    #: Items over all pages, when the request asked for it with ``total=true``; else ``null``.
    total: int | None


class ScoringPage(_Paging):
    items: list[ArchiveScoring]


class AssessmentPage(_Paging):
    items: list[ArchiveAssessment]


class InstansiPage(_Paging):
    items: list[ArchiveInstansi]


class RunPage(_Paging):
    items: list[ArchiveRun]


class ArchiveHistoryEntry(TypedDict):
    assessment: ArchiveAssessment
    scoring: ArchiveScoring | None


class ArchiveHistory(TypedDict):
    instansi: ArchiveInstansi
    entries: list[ArchiveHistoryEntry]


class AssessmentShown(TypedDict):
    assessment: ArchiveAssessment
    instansi: ArchiveInstansi
    scorings: list[ArchiveScoring]


class ArchiveChange(TypedDict):
    assessment_id: int
    instansi: str
    year: int | None
    index_a: str | None
    index_b: str | None
    predikat_a: str | None
    predikat_b: str | None
    status_a: str
    status_b: str
    delta: str | None


class ArchiveRunDiff(TypedDict):
    run_a: ArchiveRun
    run_b: ArchiveRun
    common: int
    only_a: int
    only_b: int
    unchanged: int
    not_comparable: int
    transitions: dict[str, dict[str, int]]
    movers: list[ArchiveChange]
    predikat_changes: list[ArchiveChange]
    status_changes: list[ArchiveChange]


class DuplicateRow(TypedDict):
    row: int
    assessment: int | None
    content_sha256: str


class RefusedRow(TypedDict):
    row: int
    line: int
    message: str


class ArchiveImport(TypedDict):
    run: ArchiveRun
    file: str
    imported: int
    duplicates: int
    refused: int
    statuses: dict[str, int]
    duplicate_rows: list[DuplicateRow]
    refused_rows: list[RefusedRow]


class ArchiveRescore(TypedDict):
    run: ArchiveRun
    adopted: bool
    adopted_rows: int
    statuses: dict[str, int]
    comparability: dict[str, int]


class ArchiveFinding(TypedDict):
    kind: str
    instansi: str
    year: int | None
    assessments: list[dict[str, Any]]
    explanation: str


class ArchiveAudit(TypedDict):
    checked: int
    findings: list[ArchiveFinding]
