"""The exceptions spbe-engine raises: one small hierarchy an embedder can catch.

Every error carries where it happened (``file``), what was wrong (``field`` and
``value``) and what would have been accepted (``allowed``), and renders as one
line a person can act on::

    SpbeError
    ├── RubricError          a rubric file or rubric plugin is unsound
    │   ├── UnknownRubricError   no registered rubric has that id or governs that year
    │   └── CrosswalkError       a crosswalk file is unsound, or no crosswalk joins two rubrics
    ├── InputError           an assessment, a batch row or an input file is bad
    │   └── IncompleteError      indicators are missing and no partial score was asked for
    └── PluginError          a plugin failed to load or a hook returned a bad value
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "CrosswalkError",
    "IncompleteError",
    "InputError",
    "PluginError",
    "RubricError",
    "SpbeError",
    "UnknownRubricError",
    "short_repr",
]

#: How many characters of a value's repr an error message shows.
REPR_CHARS = 120


def short_repr(value: Any, limit: int = REPR_CHARS) -> str:
    """Return ``repr(value)`` on one line, cut to ``limit`` characters with an ellipsis.

    An error names the value it refused; a whole parsed rubric or a long
    hook answer would bury the message, so only its start is shown.
    """
    try:
        text = repr(value)
    except Exception:  # a value whose repr fails is still named, by its type
        text = f"<{type(value).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class SpbeError(Exception):
    """Base of every error the engine raises on purpose."""

    def __init__(
        self,
        problem: str,
        *,
        file: str | None = None,
        field: str | None = None,
        value: Any = None,
        allowed: str | None = None,
    ) -> None:
        super().__init__(problem)
        self.problem = problem
        self.file = file
        self.field = field
        self.value = value
        self.allowed = allowed

    def __str__(self) -> str:
        where = ": ".join(part for part in (self.file, _clip(self.field)) if part)
        text = self.problem
        if self.value is not None:
            text = f"{text} (got {short_repr(self.value)})"
        if self.allowed:
            text = f"{text}; allowed: {self.allowed}"
        return f"{where}: {text}" if where else text

    def with_file(self, file: str) -> SpbeError:
        """Return this error with ``file`` filled in where it was still unknown."""
        if self.file is None:
            self.file = file
        return self


#: A field or value longer than this is cut short in the message (the attribute keeps it whole).
_SHOWN = 120


def _clip(text: str | None) -> str | None:
    if text is None or len(text) <= _SHOWN:
        return text
    return f"{text[: _SHOWN - 20]}… ({len(text)} characters)"


def _shown(value: Any) -> str:
    """Render a value for the one-line message: its repr, cut short if long."""
    try:
        text = repr(value)
    except ValueError:  # a whole number of more digits than Python will write out
        return f"a whole number of {value.bit_length()} bits"
    return _clip(text) or ""


class RubricError(SpbeError):
    """A rubric's data or a rubric plugin is unsound."""


class UnknownRubricError(RubricError):
    """No registered rubric has the requested id, or none governs the requested year."""


class CrosswalkError(RubricError):
    """A crosswalk file is unsound, or no crosswalk joins the two rubrics asked for."""


class InputError(SpbeError):
    """An assessment, a batch row or an input file is malformed or out of range."""


class IncompleteError(InputError):
    """Indicators are missing and the caller did not ask for a partial score."""


class PluginError(SpbeError):
    """A plugin failed to load, or one of its hooks returned a value of the wrong kind."""

    #: The name of the plugin at fault, where it is known (a hook that answered wrongly).
    plugin: str | None = None
