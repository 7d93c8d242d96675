"""Helpers every route uses: JSON bodies, the documented error answers, rubric look-ups and pins."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response
from litestar.openapi.datastructures import ResponseSpec

from ..errors import InputError, UnknownRubricError
from .problems import PROBLEM_JSON, Problem, ServiceProblem

__all__ = ["check_pin", "json_response", "problems", "rubric_or_404"]

# Decimals (published values a caller sent in ``metadata``) are written as text, as the CLI's JSON Lines do.
_ENCODER = msgspec.json.Encoder()

_MEANING = {
    400: "The request is malformed: not JSON, a field of the wrong type, a duplicate key, nested too deeply.",
    401: "A bearer token is required (only when the service is configured with tokens).",
    404: "No rubric (or crosswalk) has that id.",
    408: "The body did not arrive in time.",
    409: "The rubric's content hash is not the one the request pinned (rubric_sha256).",
    413: "The body, or the number of rows, is over the service's limit.",
    415: "The body's content type is not one the endpoint reads.",
    422: "The engine refused the assessment: the message names the field, the value and what is allowed.",
    500: "An unexpected fault; error_id finds its traceback in the server log.",
    503: "Not ready yet.",
}


def problems(*codes: int) -> dict[int, ResponseSpec]:
    """Return the documented problem answers of an endpoint (RFC 9457, application/problem+json)."""
    return {
        code: ResponseSpec(
            generate_examples=False, data_container=Problem, description=_MEANING[code], media_type=PROBLEM_JSON
        )
        for code in sorted({400, *codes, 500})
    }


def json_response(data: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> Response[bytes]:
    """Return JSON rendered by the CLI's renderers (strings for every number) as a response."""
    return Response(_ENCODER.encode(data), status_code=status, media_type="application/json", headers=headers)


def rubric_or_404(engine: Any, rubric_id: str) -> Any:
    """Return a rubric by id, looked up in the registry only; an unknown id is a 404 naming the known ones."""
    try:
        return engine.rubric(rubric_id)
    except UnknownRubricError as exc:
        raise ServiceProblem(
            404, str(exc), kind="UnknownRubricError", field=exc.field or "rubric", value=exc.value, allowed=exc.allowed
        ) from None


def check_pin(engine: Any, rubric_id: str, sha256: str | None) -> None:
    """Refuse with 409, naming both hashes, when a pinned content hash is not the installed rubric's."""
    if sha256 is None:
        return
    try:
        engine.pinned(rubric_id, sha256)
    except InputError as exc:
        installed = engine.rubric(rubric_id).sha256
        raise ServiceProblem(
            409,
            f"{exc.problem}: the request pinned {sha256}, this service has {installed}",
            kind="PinMismatch",
            field="rubric_sha256",
            value=sha256,
            allowed=exc.allowed,
            requested_sha256=sha256,
            installed_sha256=installed,
        ) from None
