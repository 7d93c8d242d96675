"""Run the kit against one rubric and report: :func:`check_rubric`, :func:`assert_rubric_conforms`."""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

import attrs

from .._engine import Engine
from .._plan import ScoringPlan
from ..errors import PluginError, SpbeError, UnknownRubricError
from . import KIT_VERSION
from .checks import CHECKS, CheckSkipped, Context, owner_of
from .profiles import profile_name, settings_for
from .structural import CheckFailure

__all__ = ["CheckResult", "KitReport", "assert_rubric_conforms", "check_rubric", "run_check"]

PASSED, FAILED, SKIPPED, BLOCKED = "passed", "failed", "skipped", "blocked"


@attrs.frozen
class CheckResult:
    """The outcome of one check on one rubric.

    ``status`` is ``passed``, ``failed``, ``skipped`` (by a skip list, or the
    check does not apply) or ``blocked`` (the rubric does not compile, and the
    fault belongs to another check). ``example`` holds the smallest failing
    assessment (hypothesis's falsifying draws and notes) where there is one.
    """

    rubric: str
    name: str
    status: str
    message: str = ""
    example: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """Tell whether the check passed."""
        return self.status == PASSED

    @property
    def failed(self) -> bool:
        """Tell whether the check found a fault."""
        return self.status == FAILED


@attrs.frozen
class KitReport:
    """Every check's result for one rubric; ``ok`` when none failed or was blocked."""

    rubric: str
    results: tuple[CheckResult, ...]
    kit_version: str = KIT_VERSION
    profile: str = ""

    @property
    def ok(self) -> bool:
        """Tell whether the rubric conforms: no check failed or was blocked."""
        return all(result.status in (PASSED, SKIPPED) for result in self.results)

    @property
    def failed(self) -> tuple[str, ...]:
        """Return the names of the checks that failed."""
        return tuple(result.name for result in self.results if result.failed)

    def result(self, name: str) -> CheckResult:
        """Return one check's result by name."""
        for result in self.results:
            if result.name == name:
                return result
        raise KeyError(name)

    def __str__(self) -> str:
        lines = [
            f"spbe conformance kit {self.kit_version}: rubric {self.rubric}"
            f"{f' (profile {self.profile})' if self.profile else ''}: "
            f"{'conforms' if self.ok else 'DOES NOT CONFORM'}"
        ]
        for result in self.results:
            lines.append(f"  {result.status.upper():8} {result.name}: {result.message}")
            if result.example and not result.passed:
                lines.extend(f"      {line}" for line in result.example.splitlines())
        return "\n".join(lines)


def _skip_reasons(skip: Iterable[str] | Mapping[str, str]) -> dict[str, str]:
    if isinstance(skip, Mapping):
        return {str(k): str(v) for k, v in skip.items()}
    return dict.fromkeys(skip, "skipped by the caller")


def _names(checks: Iterable[str] | None, skip: Mapping[str, str]) -> list[str]:
    names = list(CHECKS) if checks is None else list(checks)
    unknown = [n for n in [*names, *skip] if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown check {unknown[0]!r}; the checks are: {', '.join(CHECKS)}")
    return names


def run_check(name: str, context: Context) -> CheckResult:
    """Run one named check and return its result; a crash inside a check is a failure, not an exception."""
    check = CHECKS[name]
    start = time.perf_counter()
    try:
        note = check(context)
        status, message, example = PASSED, note or check.summary, ""
    except CheckSkipped as exc:
        status, message, example = SKIPPED, str(exc), ""
    except CheckFailure as exc:
        status, message, example = FAILED, exc.message, exc.example
    except SpbeError as exc:
        status, message, example = FAILED, f"{type(exc).__name__}: {exc}", ""
    except Exception as exc:
        status, message, example = FAILED, f"crashed: {type(exc).__name__}: {exc}", ""
    seconds = time.perf_counter() - start
    if status == FAILED:
        message = f"rubric {context.rubric_id}, check {name}: {message} ({_plugins_behind(context)})"
    return CheckResult(context.rubric_id, name, status, message, example, seconds)


def _plugins_behind(context: Context) -> str:
    """Name the plugins a failure may lie with: the one that registered the rubric, and those whose hooks answered."""
    try:
        owner = context.engine.plugin_of(context.rubric_id).name
    except (SpbeError, StopIteration):  # pragma: no cover - a compiled rubric has a plugin
        owner = "?"
    answered = sorted({n for names in context.plan.answered_by.values() for n in names} - {owner})
    shown = f"rubric of plugin {owner!r}"
    return shown + (f"; hooks answered by plugin {', '.join(repr(n) for n in answered)}" if answered else "")


def check_rubric(
    rubric_id: str,
    engine: Engine | None = None,
    *,
    checks: Iterable[str] | None = None,
    skip: Iterable[str] | Mapping[str, str] = (),
    max_examples: int | None = None,
    profile: str | None = None,
) -> KitReport:
    """Run the conformance kit against one registered rubric and return the report.

    ``engine`` defaults to :meth:`Engine.default` (every installed plugin).
    ``checks`` limits the run to the named checks (default: all of
    :data:`CHECKS`); ``skip`` names checks not to run, or maps each to the
    reason (a reasoned skip list). ``profile`` is ``fast`` (default), ``ci``
    or ``repro``; ``max_examples`` overrides its example count. Never raises
    for a faulty rubric: every fault is a failed check in the report.
    """
    engine = engine or Engine.default()
    reasons = _skip_reasons(skip)
    names = _names(checks, reasons)
    chosen = settings_for(profile, max_examples)
    start = time.perf_counter()
    plan: ScoringPlan | None = None
    fault: SpbeError | None = None
    try:
        plan = engine.plan(rubric_id)
    except UnknownRubricError:
        raise
    except SpbeError as exc:
        fault = exc
    except Exception as exc:  # the plan names the plugin and hook of a hook's fault (a PluginError, above)
        fault = PluginError(f"compiling the rubric raised {type(exc).__name__}: {exc}")
    load_seconds = time.perf_counter() - start
    results = []
    owner = owner_of(fault) if fault is not None else ""
    for name in names:
        if name in reasons:
            results.append(CheckResult(rubric_id, name, SKIPPED, reasons[name]))
        elif fault is not None:
            if name == owner:
                results.append(
                    CheckResult(
                        rubric_id,
                        name,
                        FAILED,
                        f"rubric {rubric_id}, check {name}: the engine refuses the rubric: {fault}",
                        seconds=load_seconds,
                    )
                )
            elif name == "loads":
                results.append(
                    CheckResult(rubric_id, name, FAILED, f"rubric {rubric_id} does not compile (see check {owner})")
                )
            else:
                results.append(
                    CheckResult(rubric_id, name, BLOCKED, f"not run: the rubric does not compile (see check {owner})")
                )
        else:
            assert plan is not None
            result = run_check(name, Context(engine, rubric_id, plan, chosen))
            if name == "loads":  # loading and compiling happened above; report its time here
                result = attrs.evolve(result, seconds=result.seconds + load_seconds)
            results.append(result)
    return KitReport(rubric_id, tuple(results), KIT_VERSION, profile_name(profile))


def assert_rubric_conforms(rubric_id: str, engine: Engine | None = None, **kwargs: object) -> KitReport:
    """Run :func:`check_rubric` and raise ``AssertionError`` with the readable report if any check fails."""
    report = check_rubric(rubric_id, engine, **kwargs)  # type: ignore[arg-type]
    if not report.ok:
        raise AssertionError(str(report))
    return report
