"""The ASGI middleware around every request: its id, its latency, its metrics and its access-log line.

The request id is the caller's ``x-request-id`` when it is a short token,
else a fresh one; it is echoed in the response and in every problem. The
access log is one JSON object per request on the ``spbe_engine.service.access``
logger: never a body, a token or a header value beyond the request id.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from .asgi import App, Message, Middleware, Receive, Scope, Send
from .metrics import Metrics
from .problems import ERROR_KIND, REQUEST_ID

__all__ = ["ACCESS_LOGGER", "observe"]

ACCESS_LOGGER = "spbe_engine.service.access"
_GOOD_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            text = str(value.decode("latin-1"))
            if _GOOD_ID.fullmatch(text):
                return text
    return uuid.uuid4().hex


def observe(metrics: Metrics, access_log: bool) -> Middleware:
    """Return a middleware factory that times, counts and logs every HTTP request."""
    logger = logging.getLogger(ACCESS_LOGGER)

    def middleware(app: App) -> App:
        async def observed(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            start = time.perf_counter()
            request_id = scope[REQUEST_ID] = _request_id(scope)
            status = 500
            sent = 0

            async def send_observed(message: Message) -> None:
                nonlocal status, sent
                if message["type"] == "http.response.start":
                    status = message["status"]
                    message["headers"] = [*message.get("headers", ()), (b"x-request-id", request_id.encode())]
                elif message["type"] == "http.response.body":
                    sent += len(message.get("body", b""))
                await send(message)

            try:
                await app(scope, receive, send_observed)
            finally:
                seconds = time.perf_counter() - start
                route = scope.get("path_template") or "unmatched"
                metrics.request(route, scope["method"], status, seconds)
                kind = scope.get(ERROR_KIND)
                if kind:
                    metrics.error(str(kind), route)
                if access_log and logger.isEnabledFor(logging.INFO):
                    logger.info(
                        json.dumps(
                            {
                                "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                "request_id": request_id,
                                "method": scope["method"],
                                "path": scope["path"],
                                "route": route,
                                "status": status,
                                "ms": round(seconds * 1000, 3),
                                "bytes_out": sent,
                                "client": (scope.get("client") or ("", 0))[0],
                                **({"error": kind} if kind else {}),
                            }
                        )
                    )

        return observed

    return middleware
