"""Bearer-token authentication: tokens from the settings, compared in constant time.

With no tokens configured the service is open (it listens on loopback by
default). With tokens, every ``/v1`` request and ``/metrics`` must carry
``Authorization: Bearer <token>``; the health, readiness and documentation
routes stay open. Endpoints that write (the archive's) take a
:class:`TokenCheck` as their guard whatever the settings: with no token
configured it refuses every caller.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from .problems import ServiceProblem

__all__ = ["TokenCheck"]

_CHALLENGE = {"www-authenticate": 'Bearer realm="spbe"'}


class TokenCheck:
    """A Litestar guard that admits a request carrying one of the configured bearer tokens."""

    def __init__(self, tokens: Iterable[str]) -> None:
        self._tokens = tuple(token.encode() for token in tokens)

    def admits(self, header: str | None) -> bool:
        """Tell whether an ``Authorization`` header value carries a known token (every token compared)."""
        if not header or not self._tokens:
            return False
        scheme, _, credentials = header.partition(" ")
        if scheme.lower() != "bearer":
            return False
        given = credentials.strip().encode()
        found = False
        for token in self._tokens:  # no early exit: the time does not tell which token came close
            found |= hmac.compare_digest(given, token)
        return found

    def __call__(self, connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        """Refuse the request with 401 unless it carries a configured token."""
        if not self.admits(connection.headers.get("authorization")):
            raise ServiceProblem(
                401,
                "a bearer token is required: send 'Authorization: Bearer <token>'",
                kind="Unauthorized",
                headers=_CHALLENGE,
                field="authorization",
            )
