"""The service's settings: limits, auth tokens, CORS origins, read from arguments or ``SPBE_SERVICE_*`` variables.

``spbe serve`` leaves them in the environment, so every worker process builds
the same settings with :meth:`Settings.from_env`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from ..errors import InputError

__all__ = ["ARCHIVE_ENV", "ENV_PREFIX", "Settings"]

#: Every setting can be given as an environment variable named ``SPBE_SERVICE_<FIELD>`` (upper case).
ENV_PREFIX = "SPBE_SERVICE_"
#: The variable ``spbe archive`` reads its database URL from; the service reads it first, for the same archive.
ARCHIVE_ENV = "SPBE_DB"

_TOKEN_FIELDS = ("tokens", "archive_read_tokens", "archive_write_tokens")

_MIB = 1024 * 1024


def _positive(instance: object, attribute: attrs.Attribute[Any], value: float) -> None:
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        raise InputError("must be a positive number", field=attribute.name, value=value)


@attrs.frozen(kw_only=True)
class Settings:
    """What a service instance allows and who may call it.

    Sizes are bytes, times seconds. ``tokens`` empty means no authentication;
    ``cors_origins`` empty means no CORS headers at all.
    """

    #: Largest body of a JSON request (score, gap).
    max_body_bytes: int = attrs.field(default=1 * _MIB, validator=_positive)
    #: Largest body of a batch request (batch, rescore, impact): about a million indicator-level CSV rows.
    max_batch_bytes: int = attrs.field(default=512 * _MIB, validator=_positive)
    #: Most rows in one batch request (counted by lines for CSV and JSON Lines, by elements for a JSON array).
    max_batch_rows: int = attrs.field(default=1_000_000, validator=_positive)
    #: Rows an impact request may hold in memory (an impact report keeps every row).
    max_impact_rows: int = attrs.field(default=100_000, validator=_positive)
    #: Deepest nesting of arrays and objects a JSON body may have (an assessment needs 3).
    max_json_depth: int = attrs.field(default=32, validator=_positive)
    #: Time to answer a JSON request, body included.
    request_timeout: float = attrs.field(default=30.0, validator=_positive)
    #: Time to receive a batch body; the rows then stream out as they are scored.
    batch_body_timeout: float = attrs.field(default=600.0, validator=_positive)
    #: Bearer tokens that may call /v1 (compared in constant time); none: no authentication.
    tokens: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset)
    #: Origins allowed to call from a browser; none: no CORS headers.
    cors_origins: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    #: Write a JSON line per request to the ``spbe_engine.service.access`` logger.
    access_log: bool = True
    #: Where batch bodies are spooled while they are scored (default: the system's temporary folder).
    temp_dir: str | None = None
    #: The archive served under ``/v1/archive`` (a SQLite file or a database URL); none: those routes answer 404.
    archive_url: str | None = attrs.field(default=None, repr=False)  # it may hold a password
    #: Bearer tokens that may read the archive; none: the service's ``tokens`` read it.
    archive_read_tokens: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset, repr=False)
    #: Bearer tokens that may write to the archive (import, rescore) and read it; none: no writes at all.
    archive_write_tokens: frozenset[str] = attrs.field(default=frozenset(), converter=frozenset, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``SPBE_SERVICE_*`` variables; unset ones keep their defaults.

        Tokens come from ``SPBE_SERVICE_TOKENS`` (separated by commas or
        spaces) and from the file named by ``SPBE_SERVICE_TOKENS_FILE`` (one
        per line, ``#`` starts a comment); the archive's from
        ``SPBE_SERVICE_ARCHIVE_READ_TOKENS`` and ``..._WRITE_TOKENS`` and their
        ``_FILE`` variables, alike. CORS origins from
        ``SPBE_SERVICE_CORS_ORIGINS`` (commas or spaces). The archive is the
        one ``spbe archive`` uses, ``SPBE_DB``, else
        ``SPBE_SERVICE_ARCHIVE_URL`` (``spbe serve --db URL`` sets ``SPBE_DB``
        for its workers); but never the default file ``spbe archive`` falls
        back to: a service opens only an archive it was told to.
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in attrs.fields(cls):
            raw = env.get(ENV_PREFIX + field.name.upper())
            if raw is None or field.name in (*_TOKEN_FIELDS, "cors_origins", "archive_url"):
                continue
            values[field.name] = _parse(field.name, raw, field.type)
        for name in _TOKEN_FIELDS:
            values[name] = _tokens(env, ENV_PREFIX + name.upper())
        archive_url = (env.get(ARCHIVE_ENV) or env.get(ENV_PREFIX + "ARCHIVE_URL") or "").strip()
        values["archive_url"] = archive_url or None
        values["cors_origins"] = tuple(_words(env.get(ENV_PREFIX + "CORS_ORIGINS", "")))
        return cls(**values)  # type: ignore[arg-type]


def _tokens(env: Mapping[str, str], name: str) -> frozenset[str]:
    """Read the tokens of variable ``name`` (words) and of the file ``name_FILE`` names (one per line)."""
    tokens = set(_words(env.get(name, "")))
    token_file = env.get(name + "_FILE")
    if token_file:
        tokens |= _token_file(Path(token_file), name + "_FILE")
    return frozenset(tokens)


def _words(text: str) -> list[str]:
    return [word for word in text.replace(",", " ").split() if word]


def _parse(name: str, raw: str, kind: object) -> object:
    text = raw.strip()
    try:
        if kind in ("int", int):
            return int(text.replace("_", ""))
        if kind in ("float", float):
            return float(text)
        if kind in ("bool", bool):
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(text)
    except ValueError:
        raise InputError(f"cannot read the setting as {kind}", field=ENV_PREFIX + name.upper(), value=raw) from None
    return text or None


def _token_file(path: Path, variable: str) -> set[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read the tokens file: {exc.strerror}", field=variable, value=str(path)) from None
    return {line.split("#", 1)[0].strip() for line in lines} - {""}
