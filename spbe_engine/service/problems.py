"""RFC 9457 problem details: every error the service answers, with the engine's own message.

An engine error keeps the one line the CLI prints (``spbe: error: …``) as its
``detail`` and its parts (``field``, ``value``, ``allowed``) as members. An
unexpected fault answers 500 with an ``error_id`` that the log line of its
traceback carries too; no stack trace ever leaves the server.
"""

from __future__ import annotations

import logging
import uuid
from http import HTTPStatus
from typing import Any

import attrs
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from ..errors import CrosswalkError, IncompleteError, InputError, SpbeError, UnknownRubricError

__all__ = ["PROBLEM_JSON", "Problem", "ServiceProblem", "exception_handlers", "problem_body", "problem_response"]

PROBLEM_JSON = "application/problem+json"
#: The scope key where a problem leaves its kind, for the metrics.
ERROR_KIND = "spbe.error_kind"
#: The scope key of the request id (set by the observing middleware).
REQUEST_ID = "spbe.request_id"

log = logging.getLogger("spbe_engine.service")


@attrs.frozen(kw_only=True)
class Problem:
    """An RFC 9457 problem: what went wrong, and the engine's field, value and what is allowed."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    #: The kind of error (the engine's exception class, or the service's own kind).
    kind: str
    #: The input field at fault, where known (``levels``, ``I4``, ``rubric_sha256``, ``body``).
    field: str | None = None
    #: The value that was refused, as text.
    value: str | None = None
    #: What would have been accepted.
    allowed: str | None = None
    #: The request's id, as in the access log and the ``x-request-id`` header.
    request_id: str | None = None
    #: Set on a 500: the id of the log line holding the fault's traceback.
    error_id: str | None = None
    #: On a 409 pin mismatch: the hash the request pinned.
    requested_sha256: str | None = None
    #: On a 409 pin mismatch: the hash of the rubric this service has.
    installed_sha256: str | None = None


class ServiceProblem(Exception):
    """An error the service answers with a given status (a limit, a pin, an unknown rubric, a content type)."""

    def __init__(self, status: int, detail: str, *, kind: str, headers: dict[str, str] | None = None, **members: Any):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.headers = headers or {}
        self.members = members


#: Status of an engine error raised while handling a request body: understood, but not scorable.
_ENGINE_STATUS: list[tuple[type[SpbeError], int]] = [
    (IncompleteError, 422),
    (UnknownRubricError, 422),
    (CrosswalkError, 422),
    (InputError, 422),
    (SpbeError, 422),
]

_ENCODER = msgspec.json.Encoder()


def _text(value: Any) -> str | None:
    """Return a member as text that encodes whatever it holds (an odd character is escaped, never a failure)."""
    return None if value is None else str(value).encode("utf-8", "backslashreplace").decode("utf-8")


def problem_response(
    request: Request[Any, Any, Any], status: int, detail: str, *, kind: str, **members: Any
) -> Response[bytes]:
    """Return a problem+json response, recording its kind for the metrics."""
    scope: dict[str, Any] = request.scope  # type: ignore[assignment]  # the service's own keys ride along
    scope[ERROR_KIND] = kind
    headers = members.pop("headers", None) or {}
    problem = Problem(
        title=HTTPStatus(status).phrase,
        status=status,
        detail=_text(detail) or "",
        kind=kind,
        request_id=scope.get(REQUEST_ID),
        **{key: _text(value) for key, value in members.items()},  # type: ignore[arg-type]
    )
    return Response(problem_body(problem), status_code=status, media_type=PROBLEM_JSON, headers=headers)


def problem_body(problem: Problem) -> bytes:
    """Return a problem as its JSON body (members without a value left out)."""
    return _ENCODER.encode({k: v for k, v in attrs.asdict(problem).items() if v is not None})


def _spbe(request: Request[Any, Any, Any], exc: SpbeError) -> Response[bytes]:
    status = next(code for kind, code in _ENGINE_STATUS if isinstance(exc, kind))
    return problem_response(
        request, status, str(exc), kind=type(exc).__name__, field=exc.field, value=exc.value, allowed=exc.allowed
    )


def _service(request: Request[Any, Any, Any], exc: ServiceProblem) -> Response[bytes]:
    return problem_response(request, exc.status, exc.detail, kind=exc.kind, headers=exc.headers, **exc.members)


def _validation(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    extra = exc.extra if isinstance(exc.extra, list) and exc.extra else [{}]
    first = extra[0] if isinstance(extra[0], dict) else {}
    field = first.get("key")
    message = first.get("message") or exc.detail
    detail = f"{field}: {message}" if field else str(message)
    return problem_response(request, 400, detail, kind="ValidationError", field=field)


def _http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    kinds = {404: "NotFound", 405: "MethodNotAllowed", 413: "TooLarge", 401: "Unauthorized"}
    return problem_response(
        request, status, str(exc.detail), kind=kinds.get(status, "HTTPError"), headers=dict(exc.headers or {})
    )


def _unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    error_id = uuid.uuid4().hex[:16]
    log.error(
        "unexpected fault %s handling %s %s (request %s)",
        error_id,
        request.method,
        request.url.path,
        request.scope.get(REQUEST_ID),
        exc_info=exc,
    )
    return problem_response(
        request, 500, f"an unexpected fault; the server log has it under {error_id}", kind="Internal", error_id=error_id
    )


def exception_handlers() -> dict[type[Exception] | int, Any]:
    """Return the handlers turning every exception into a problem response."""
    return {
        SpbeError: _spbe,
        ServiceProblem: _service,
        ValidationException: _validation,
        HTTPException: _http,
        Exception: _unexpected,
    }
