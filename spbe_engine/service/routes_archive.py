"""The archive under ``/v1/archive``: listings, an instansi's history, runs and their diffs, import and rescore.

A thin layer over :class:`spbe_engine.archive.Archive`: each route calls one
of its methods on the one archive the service opened (:mod:`.archive_access`)
and answers its record's ``to_json()``, the JSON ``spbe archive … --json``
prints. The database work runs in worker threads, never on the event loop.
Listings page by cursor (``after``, the ``next`` of the previous page): the
archive only grows, so a cursor never skips or repeats an item the way an
offset does when rows arrive between two pages, and each page costs one
indexed range scan however deep it is.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import anyio
import attrs
from litestar import Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody, KwargDefinition, PathParameter, QueryParameter
from litestar.types import Guard

from ..errors import InputError, SpbeError
from . import archive_responses as out
from .archive_access import ArchiveAccess, archive_problem
from .problems import PROBLEM_JSON, Problem, ServiceProblem
from .replies import json_response, rubric_or_404
from .requests import known_fields
from .routes_batch import BatchOperation
from .spool import body_suffix, spool
from .state import ServiceState
from .stream import clean_error, without_path

__all__ = ["ArchiveRescoreRequest", "archive_routes"]

#: The largest id a path or filter may hold: 2**53 - 1, exact in JSON Schema's numbers and in JavaScript.
MAX_ID = 2**53 - 1
#: Most items on one page.
MAX_LIMIT = 1000

# Text a filter may hold: anything but NUL, which PostgreSQL cannot store or compare.
_TEXT = r"^[^\x00]*$"
# What ``year=`` takes, exactly as ``spbe archive --where year=…`` reads it.
_YEARS = r"^[0-9]{1,4}(\.\.[0-9]{1,4})?(,[0-9]{1,4}(\.\.[0-9]{1,4})?)*$"

_MEANING = {
    400: "A filter, limit or cursor is malformed (the message names it and what is allowed).",
    401: "A bearer token is required (tokens are configured), or the one sent is not known.",
    403: "The token may read but not write, or no write token is configured: writes are off.",
    404: "No archive is configured, or no run, assessment or instansi has that id or name.",
    409: "A concurrent writer stored the same content first; try again.",
    413: "The body, or the number of rows, is over the service's limit.",
    415: "The body's content type is not CSV, JSON Lines or JSON.",
    422: "The engine refused the request: an unknown filter or missing-data policy, a body it cannot read.",
    500: "An unexpected fault; error_id finds its message in the server log.",
    503: "The archive cannot be used now: missing, unreachable, locked, read-only, or of another schema "
    "(the message says which and what to do).",
}


def _problems(*codes: int) -> dict[int, ResponseSpec]:
    return {
        code: ResponseSpec(
            generate_examples=False, data_container=Problem, description=_MEANING[code], media_type=PROBLEM_JSON
        )
        for code in sorted({400, 401, 404, 500, 503, *codes})
    }


def _ok(container: Any, text: str) -> ResponseSpec:
    return ResponseSpec(generate_examples=False, data_container=container, description=text)


def _text(description: str) -> Any:
    return QueryParameter(description=description, pattern=_TEXT)


def _id(description: str) -> Any:
    return QueryParameter(description=description, ge=1, le=MAX_ID)


def _path_id(description: str) -> Any:
    return PathParameter(description=description, ge=1, le=MAX_ID)


Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description=f"Items per page (at most {MAX_LIMIT}).")]
After = Annotated[
    int | None, QueryParameter(ge=1, le=MAX_ID, description="The cursor: the `next` of the previous page.")
]
Total = Annotated[
    bool, QueryParameter(description="Also count the items over all pages (one more query; off by default).")
]
# Checked by _filters, with a message saying what is allowed (Litestar's would quote the pattern).
Year = Annotated[
    str | None,
    QueryParameter(description="Evaluation year: 2024, 2021,2023 or 2021..2023.", schema_extra={"pattern": _YEARS}),
]
InstansiName = Annotated[str | None, _text("An instansi, by its exact name (any case, spaces collapsed).")]
Category = Annotated[str | None, _text("The instansi's category.")]
Region = Annotated[str | None, _text("The instansi's region.")]
Source = Annotated[str | None, _text("Who printed the figures (the import's source).")]
Kind = Annotated[
    Literal["levels", "aggregates", "printed"] | None, QueryParameter(description="What the assessment holds.")
]
ImportRun = Annotated[int | None, QueryParameter(name="import", ge=1, le=MAX_ID, description="The import run.")]


@contextlib.contextmanager
def _archive_errors() -> Iterator[None]:
    """Turn the archive's errors into problem answers (the engine's errors keep their own: 422)."""
    from ..archive import ArchiveError

    try:
        yield
    except ArchiveError as exc:
        raise archive_problem(exc) from None


@contextlib.contextmanager
def _answers() -> Iterator[None]:
    """Turn the archive's errors into problem answers; a malformed filter, limit or cursor is a 400."""
    try:
        with _archive_errors():
            yield
    except InputError as exc:
        raise ServiceProblem(
            400, str(exc), kind="InputError", field=exc.field, value=exc.value, allowed=exc.allowed
        ) from None


def _filters(**given: Any) -> dict[str, str]:
    """Return the given filters as ``--where`` keys and values; a year outside the documented form is a 400."""
    year = given.get("year")
    if year is not None and re.fullmatch(_YEARS, year) is None:
        raise ServiceProblem(
            400,
            f"year: not an evaluation year (got {year!r}); allowed: 2024, 2021,2023 or 2021..2023",
            kind="InputError",
            field="year",
            value=year,
            allowed="2024, 2021,2023 or 2021..2023",
        )
    return {key.rstrip("_"): str(value) for key, value in given.items() if value is not None}


def _page(request: Request[Any, Any, Any], page: Any, total: int | None) -> Response[bytes]:
    """Answer a page with its cursor, the link to the next page, and the total when asked for."""
    data = page.to_json()
    data["next_url"] = None
    if page.next is not None:
        query = [(k, v) for k, v in request.query_params.multi_items() if k != "after"]
        data["next_url"] = request.url.path + "?" + urlencode([*query, ("after", str(page.next))])
    data["total"] = total
    return json_response(data)


def _command(request: Request[Any, Any, Any]) -> str:
    """The command a run records for a request: the method, path and query (never a header or token)."""
    query = request.url.query
    return f"spbe serve: {request.method} {request.url.path}" + (f"?{query}" if query else "")


@attrs.frozen(kw_only=True)
class ArchiveRescoreRequest:
    """One rescore of the archive's assessments, as ``spbe archive rescore`` takes it."""

    to: Annotated[str, KwargDefinition(description="The rubric to rescore under (e.g. pemdi-2026).")]
    where: Annotated[
        dict[str, str],
        KwargDefinition(
            description="Which assessments, as --where KEY=VALUE: year (2024, 2021..2023), instansi, category, "
            "region, source, kind, import. None: all."
        ),
    ] = attrs.field(factory=dict)
    missing: Annotated[
        str | None,
        KwargDefinition(
            description="For target indicators without a source: leave, impute:lowest, impute:group-mean, "
            "impute:overall-mean."
        ),
    ] = None


def archive_routes(state: ServiceState, access: ArchiveAccess, read: Guard | None, write: Guard) -> list[Any]:
    """Return the archive's routes for one app (mounted under ``/v1/archive``)."""
    reads: list[Guard] = [read] if read is not None else []
    return [*_listing_routes(access, reads), *_record_routes(access, reads), *_write_routes(state, access, write)]


def _listing_routes(access: ArchiveAccess, reads: list[Guard]) -> list[Any]:
    """Return the paged listings: scorings, assessments, instansi, runs."""
    tags = ["archive"]

    def listing(
        request: Request[Any, Any, Any],
        what: Literal["scorings", "assessments", "instansi"],
        where: Mapping[str, str],
        limit: int,
        after: int | None,
        total: bool,
    ) -> Response[bytes]:
        with _answers():
            archive = access.get()
            page = getattr(archive, what)(where, limit=limit, after=after)
            count = archive.count(what, where) if total else None
        return _page(request, page, count)

    @get(
        "/scorings",
        summary="List scorings, filtered and paged",
        tags=tags,
        guards=reads,
        sync_to_thread=True,
        responses={200: _ok(out.ScoringPage, "One page of scorings, oldest first."), **_problems()},
    )
    def scorings(
        request: Request[Any, Any, Any],
        year: Year = None,
        rubric: Annotated[str | None, _text("The rubric the scoring was made under.")] = None,
        instansi: InstansiName = None,
        predikat: Annotated[str | None, _text("The scoring's predikat (e.g. Baik).")] = None,
        status: Annotated[str | None, _text("The scoring's status: ok, partial or error.")] = None,
        comparability: Annotated[str | None, _text("A rescoring's comparability: full, partial, none.")] = None,
        run: Annotated[int | None, _id("The run that made the scoring.")] = None,
        category: Category = None,
        region: Region = None,
        source: Source = None,
        kind: Kind = None,
        import_: ImportRun = None,
        limit: Limit = 50,
        after: After = None,
        total: Total = False,
    ) -> Response[bytes]:
        """Scorings of recorded runs with their full results, as ``spbe archive list --format json``."""
        where = _filters(
            year=year, rubric=rubric, instansi=instansi, predikat=predikat, status=status,
            comparability=comparability, run=run, category=category, region=region, source=source, kind=kind,
            import_=import_,
        )  # fmt: skip
        return listing(request, "scorings", where, limit, after, total)

    @get(
        "/assessments",
        summary="List assessments, filtered and paged",
        tags=tags,
        guards=reads,
        sync_to_thread=True,
        responses={200: _ok(out.AssessmentPage, "One page of assessments, oldest first."), **_problems()},
    )
    def assessments(
        request: Request[Any, Any, Any],
        year: Year = None,
        instansi: InstansiName = None,
        category: Category = None,
        region: Region = None,
        source: Source = None,
        kind: Kind = None,
        import_: ImportRun = None,
        limit: Limit = 50,
        after: After = None,
        total: Total = False,
    ) -> Response[bytes]:
        """Imported assessments with their origin (file, row, hash); their scorings are under /scorings."""
        where = _filters(
            year=year, instansi=instansi, category=category, region=region, source=source, kind=kind, import_=import_
        )
        return listing(request, "assessments", where, limit, after, total)

    @get(
        "/instansi",
        summary="List instansi, filtered and paged",
        tags=tags,
        guards=reads,
        sync_to_thread=True,
        responses={200: _ok(out.InstansiPage, "One page of instansi, by id."), **_problems()},
    )
    def instansi_list(
        request: Request[Any, Any, Any],
        instansi: InstansiName = None,
        category: Category = None,
        region: Region = None,
        limit: Limit = 50,
        after: After = None,
        total: Total = False,
    ) -> Response[bytes]:
        """Every instansi the archive knows: id, name, category, region, code."""
        where = _filters(instansi=instansi, category=category, region=region)
        return listing(request, "instansi", where, limit, after, total)

    @get(
        "/runs",
        summary="List recorded runs, newest first",
        tags=tags,
        guards=reads,
        sync_to_thread=True,
        responses={200: _ok(out.RunPage, "One page of runs, newest first."), **_problems()},
    )
    def runs(
        request: Request[Any, Any, Any],
        kind: Annotated[
            Literal["import", "rescore"] | None, QueryParameter(description="Only runs of this kind.")
        ] = None,
        limit: Limit = 50,
        after: Annotated[
            int | None, QueryParameter(ge=1, le=MAX_ID, description="The cursor: the `next` of the previous page.")
        ] = None,
    ) -> Response[bytes]:
        """Imports and rescores: parameters, command, times, rows, counts, outcome (``spbe archive runs``)."""
        with _answers():
            page = access.get().runs(limit=limit, after=after, kind=kind)
        return _page(request, page, None)

    return [scorings, assessments, instansi_list, runs]


def _record_routes(access: ArchiveAccess, reads: list[Guard]) -> list[Any]:
    """Return the routes of single records: an assessment, a history, a run, a diff, the audit."""
    tags = ["archive"]

    @get(
        "/assessments/{assessment_id:int}",
        summary="One assessment, with every scoring of it",
        tags=tags,
        guards=reads,
        sync_to_thread=True,
        responses={200: _ok(out.AssessmentShown, "As `spbe archive show ID --json`."), **_problems()},
    )
    def assessment(assessment_id: Annotated[int, _path_id("The assessment's id.")]) -> Response[bytes]:
        """What was imported (scores, printed figures, origin, input row) and every scoring of it."""
        with _answers():
            return json_response(access.get().show(assessment_id).to_json())

    @get(
        "/instansi/{name:str}/history",
        summary="One instansi's history: every year, every rubric",
        tags=tags,
        guards=reads,
        sync_to_thread=True,
        responses={200: _ok(out.ArchiveHistory, 'As `spbe archive history "NAME" --json`.'), **_problems()},
    )
    def history(
        name: Annotated[
            str,
            PathParameter(
                description="The instansi: its id, code, exact name, or a unique part of its name.", pattern=_TEXT
            ),
        ],
    ) -> Response[bytes]:
        """Every assessment of the instansi, oldest year first, each with every scoring (in run order)."""
        with _answers():
            return json_response(access.get().history(name).to_json())

    @get(
        "/runs/{run_id:int}",
        summary="One recorded run",
        tags=tags,
        guards=reads,
        sync_to_thread=True,
        responses={200: _ok(out.ArchiveRun, "The run, as `spbe archive runs --format json` lists it."), **_problems()},
    )
    def run(run_id: Annotated[int, _path_id("The run's number.")]) -> Response[bytes]:
        """A run's kind, parameters, command, times, rows, counts and outcome."""
        with _answers():
            return json_response(access.get().run(run_id).to_json())

    @get(
        "/runs/{run_a:int}/diff/{run_b:int}",
        summary="What changed between two runs",
        tags=tags,
        guards=reads,
        sync_to_thread=True,
        responses={200: _ok(out.ArchiveRunDiff, "As `spbe archive diff A B --json`."), **_problems()},
    )
    def diff(
        run_a: Annotated[int, _path_id("The first run.")],
        run_b: Annotated[int, _path_id("The second run.")],
        top: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="How many movers to list.")] = 10,
    ) -> Response[bytes]:
        """Over the assessments both runs scored: movers, predikat and status changes, transition counts."""
        with _answers():
            return json_response(access.get().diff(run_a, run_b, top=top).to_json())

    @get(
        "/audit",
        summary="Printed figures their own values refute",
        tags=tags,
        guards=reads,
        sync_to_thread=True,
        responses={200: _ok(out.ArchiveAudit, "As `spbe archive audit --json`."), **_problems()},
    )
    def audit() -> Response[bytes]:
        """Printed indices or predikat the values beside them do not admit; instansi-years whose sources disagree."""
        with _answers():
            return json_response(access.get().audit().to_json())

    return [assessment, history, run, diff, audit]


def _write_routes(state: ServiceState, access: ArchiveAccess, write: Guard) -> list[Any]:
    """Return the routes that write: import and rescore (a write token is needed)."""
    tags = ["archive"]

    @post(
        "/import",
        summary="Import assessments (CSV, JSON Lines or JSON) and score each",
        tags=tags,
        guards=[write],
        status_code=200,
        operation_class=BatchOperation,
        request_max_body_size=state.settings.max_batch_bytes,
        responses={
            200: _ok(out.ArchiveImport, "As `spbe archive import FILE --json`: counts, duplicates, refused rows."),
            **_problems(403, 409, 413, 415, 422),
        },
    )
    async def import_rows(
        request: Request[Any, Any, Any],
        source: Annotated[str | None, _text("Who printed these figures (for rows without a source column).")] = None,
        file: Annotated[
            str, QueryParameter(description="The name recorded as the rows' file.", pattern=_TEXT, max_length=200)
        ] = "body",
    ) -> Response[bytes]:
        """Import the rows of the body as one run; the same content again is reported as duplicates, not stored.

        Each new assessment is scored under its own rubric. A bad row is
        listed in ``refused_rows`` with its message; the others are still
        imported.
        """
        await anyio.to_thread.run_sync(access.get)  # refuse before reading the body when there is no archive
        settings = state.settings
        spooled = await spool(
            request.stream(),
            body_suffix(request.headers.get("content-type")),
            max_rows=settings.max_batch_rows,
            max_depth=settings.max_json_depth,
            timeout=settings.batch_body_timeout,
            folder=settings.temp_dir,
        )
        command = _command(request)

        def work() -> dict[str, Any]:
            with _archive_errors():
                # A row holding a NUL character (which PostgreSQL cannot store) is refused by the importer,
                # on either backend; the other rows are imported.
                report = access.get().import_file(spooled.path, source=source, command=command, origin=file)
            return report.to_json()

        try:
            data = await anyio.to_thread.run_sync(work)
        except SpbeError as exc:
            raise clean_error(exc, spooled.path) from None
        finally:
            spooled.remove()
        for row in data["refused_rows"]:
            row["message"] = without_path(row["message"], spooled.path)
        return json_response(data)

    @post(
        "/rescore",
        summary="Rescore archived assessments under another rubric, as one run",
        tags=tags,
        guards=[write],
        status_code=200,
        responses={
            200: _ok(out.ArchiveRescore, "As `spbe archive rescore --json`: the run, statuses, comparability."),
            **_problems(403, 409, 422),
        },
    )
    async def rescore(request: Request[Any, Any, Any], data: JSONBody[ArchiveRescoreRequest]) -> Response[bytes]:
        """Score the selected assessments under ``to`` through the crosswalks; the run's summary answers.

        A run killed part-way is adopted by the next rescore with the same
        parameters (``adopted``); its scorings are visible once it is recorded.
        """
        await known_fields(request, ArchiveRescoreRequest)
        texts = [data.to, data.missing or "", *data.where, *data.where.values()]
        if any("\x00" in text for text in texts):
            raise InputError("a NUL character", field="body", allowed="text without NUL characters")
        rubric_or_404(state.engine, data.to)
        command = _command(request)

        def work() -> dict[str, Any]:
            with _archive_errors():
                report = access.get().rescore(data.to, where=data.where, missing=data.missing, command=command)
            return report.to_json()

        return json_response(await anyio.to_thread.run_sync(work))

    return [import_rows, rescore]
