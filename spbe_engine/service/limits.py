"""Time limits: a JSON request must be answered within the configured time, body included.

Batch routes bound the time their body takes to arrive instead (see
:mod:`.spool`): their rows then stream out for as long as scoring takes.
"""

from __future__ import annotations

import anyio

from .asgi import App, Message, Middleware, Receive, Scope, Send
from .problems import ERROR_KIND, PROBLEM_JSON, REQUEST_ID, Problem, problem_body

__all__ = ["STREAMING_PATHS", "time_limit"]

#: Routes whose body arrives within the batch body time (``batch_body_timeout``, see :mod:`.spool`) and whose
#: answer streams, or is worked out, for as long as the batch takes: the batch routes and the archive's import.
STREAMING_PATHS = ("/v1/batch", "/v1/rescore", "/v1/impact", "/v1/archive/import")


def time_limit(seconds: float) -> Middleware:
    """Return a middleware factory answering 503 when a JSON request takes longer than ``seconds``."""

    def middleware(app: App) -> App:
        async def limited(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or scope["path"].startswith(STREAMING_PATHS):
                await app(scope, receive, send)
                return
            started = False

            async def send_tracked(message: Message) -> None:
                nonlocal started
                started = started or message["type"] == "http.response.start"
                await send(message)

            with anyio.move_on_after(seconds) as scope_:
                await app(scope, receive, send_tracked)
            if scope_.cancelled_caught and not started:
                scope[ERROR_KIND] = "Timeout"
                body = problem_body(
                    Problem(
                        title="Service Unavailable",
                        status=503,
                        detail=f"the request was not answered within {seconds:g} s",
                        kind="Timeout",
                        request_id=scope.get(REQUEST_ID),
                    )
                )
                headers = [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": 503, "headers": headers})
                await send({"type": "http.response.body", "body": body})

        return limited

    return middleware
