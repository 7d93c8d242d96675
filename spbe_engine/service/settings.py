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

__all__ = ["ENV_PREFIX", "Settings"]

#: Every setting can be given as an environment variable named ``SPBE_SERVICE_<FIELD>`` (upper case).
ENV_PREFIX = "SPBE_SERVICE_"

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

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read settings from ``SPBE_SERVICE_*`` variables; unset ones keep their defaults.

        Tokens come from ``SPBE_SERVICE_TOKENS`` (separated by commas or
        spaces) and from the file named by ``SPBE_SERVICE_TOKENS_FILE`` (one
        per line, ``#`` starts a comment). CORS origins from
        ``SPBE_SERVICE_CORS_ORIGINS`` (commas or spaces).
        """
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in attrs.fields(cls):
            raw = env.get(ENV_PREFIX + field.name.upper())
            if raw is None or field.name in ("tokens", "cors_origins"):
                continue
            values[field.name] = _parse(field.name, raw, field.type)
        tokens = set(_words(env.get(ENV_PREFIX + "TOKENS", "")))
        token_file = env.get(ENV_PREFIX + "TOKENS_FILE")
        if token_file:
            tokens |= _token_file(Path(token_file))
        values["tokens"] = frozenset(tokens)
        values["cors_origins"] = tuple(_words(env.get(ENV_PREFIX + "CORS_ORIGINS", "")))
        return cls(**values)  # type: ignore[arg-type]


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


def _token_file(path: Path) -> set[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(
            f"cannot read the tokens file: {exc.strerror}", field=ENV_PREFIX + "TOKENS_FILE", value=str(path)
        ) from None
    return {line.split("#", 1)[0].strip() for line in lines} - {""}
