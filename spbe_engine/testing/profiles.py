"""Hypothesis settings profiles of the kit: ``fast`` (default), ``ci`` (thorough), ``repro`` (derandomized).

Each is also registered with hypothesis as ``spbe-<name>``, so
``pytest --hypothesis-profile=spbe-ci`` selects it for hypothesis itself. The
kit picks a profile from its ``profile`` argument, else the
``SPBE_KIT_PROFILE`` environment variable, else ``fast``.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

__all__ = ["DEFAULT_PROFILE", "PROFILES", "PROFILE_ENV", "profile_name", "settings_for"]

PROFILE_ENV = "SPBE_KIT_PROFILE"
DEFAULT_PROFILE = "fast"

_COMMON = {
    "deadline": None,  # scoring is microseconds; a slow shared CI box must not fail a sound rubric
    "database": None,  # the kit runs from anywhere (spbe check); it must not litter .hypothesis/
    "report_multiple_bugs": False,  # one failure, shrunk to its smallest assessment, per check
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.filter_too_much],
    # No "explain" phase: on 47-indicator assessments it costs seconds per failure and
    # annotates every level with "or any other generated value"; the kit's notes say more.
    "phases": [Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
}

#: The kit's profiles by name.
PROFILES: dict[str, settings] = {
    "fast": settings(max_examples=40, **_COMMON),  # type: ignore[arg-type]
    "ci": settings(max_examples=300, **_COMMON),  # type: ignore[arg-type]
    # Same examples on every run of the same code: rerun a failure exactly as it was reported.
    "repro": settings(max_examples=40, derandomize=True, print_blob=True, **_COMMON),  # type: ignore[arg-type]
}

for _name, _profile in PROFILES.items():
    settings.register_profile(f"spbe-{_name}", _profile)


def profile_name(profile: str | None = None) -> str:
    """Return the profile in effect: the argument, else ``SPBE_KIT_PROFILE``, else ``fast``."""
    return (profile or os.environ.get(PROFILE_ENV) or DEFAULT_PROFILE).removeprefix("spbe-")


def settings_for(profile: str | None = None, max_examples: int | None = None) -> settings:
    """Return the settings of a profile (by name), with ``max_examples`` overriding its count."""
    name = profile_name(profile)
    if name not in PROFILES:
        raise ValueError(f"unknown kit profile {name!r}; allowed: {', '.join(PROFILES)}")
    chosen = PROFILES[name]
    if max_examples is not None:
        if max_examples < 1:
            raise ValueError(f"max_examples must be at least 1, got {max_examples}")
        chosen = settings(chosen, max_examples=max_examples)
    return chosen
