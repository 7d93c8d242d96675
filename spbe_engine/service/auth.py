"""Bearer-token authentication: tokens from the settings, compared in constant time.

With no tokens configured the service is open (it listens on loopback by
default). With tokens, every ``/v1`` request and ``/metrics`` must carry
``Authorization: Bearer <token>``; the health, readiness and documentation
routes stay open. Endpoints that write (the archive's) take a
:class:`WriteCheck` as their guard whatever the settings: with no write token
configured it refuses every caller. The archive's reads take the archive
read tokens and write tokens (the service's tokens when no read token is
configured), and are open only when no token of any kind is configured.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from .problems import ServiceProblem

if TYPE_CHECKING:
    from .settings import Settings

__all__ = ["TokenCheck", "WriteCheck", "archive_guards"]

_CHALLENGE = {"www-authenticate": 'Bearer realm="spbe"'}


def _unauthorized() -> ServiceProblem:
    """The answer to a request without a known bearer token: 401 with the challenge."""
    return ServiceProblem(
        401,
        "a bearer token is required: send 'Authorization: Bearer <token>'",
        kind="Unauthorized",
        headers=_CHALLENGE,
        field="authorization",
    )


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
            raise _unauthorized()

    def __bool__(self) -> bool:
        """Tell whether any token is configured."""
        return bool(self._tokens)


class WriteCheck:
    """A guard for the archive's writes: 401 without a known token, 403 for a token that may only read.

    With no write token configured every write is refused (403): a service
    never takes writes from callers it cannot tell apart.
    """

    def __init__(self, writers: Iterable[str], readers: Iterable[str]) -> None:
        self._writers = TokenCheck(writers)
        self._readers = TokenCheck(readers)

    def __call__(self, connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        """Admit a request carrying a write token; refuse every other one."""
        header = connection.headers.get("authorization")
        if not self._writers:
            raise ServiceProblem(
                403,
                "writes to the archive are off: no write token is configured (SPBE_SERVICE_ARCHIVE_WRITE_TOKENS)",
                kind="Forbidden",
                field="authorization",
            )
        if self._writers.admits(header):
            return
        if self._readers.admits(header):
            raise ServiceProblem(
                403, "this token may read the archive, not write to it", kind="Forbidden", field="authorization"
            )
        raise _unauthorized()


def archive_guards(settings: Settings) -> tuple[TokenCheck | None, WriteCheck]:
    """Return the guards of the archive's reads (``None``: open) and writes, from the settings' tokens."""
    readers = (settings.archive_read_tokens or settings.tokens) | settings.archive_write_tokens
    return (TokenCheck(readers) if readers else None), WriteCheck(settings.archive_write_tokens, readers)
