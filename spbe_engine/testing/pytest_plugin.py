"""The kit's pytest plugin (entry point ``pytest11``): ``pytest --spbe-rubric ID`` runs every check.

Options (all repeatable where it makes sense):

- ``--spbe-rubric ID``: run the kit against this installed rubric (repeat for more);
- ``--spbe-check NAME``: run only these checks; ``--spbe-skip NAME``: not these;
- ``--spbe-profile fast|ci|repro`` and ``--spbe-max-examples N``.

Each check becomes one test item, ``spbe-kit[<rubric>]::<check>``. It also
collects golden-case files (``*.golden.toml``) given on the command line or
under the test paths, one item per case. Loading the plugin imports neither
hypothesis nor the engine, so it never breaks a pytest run that does not use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_ENGINE_KEY = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("spbe", "spbe-engine conformance kit")
    group.addoption(
        "--spbe-rubric",
        action="append",
        default=[],
        metavar="ID",
        help="run the conformance kit against this installed rubric (repeatable)",
    )
    group.addoption(
        "--spbe-check", action="append", default=[], metavar="NAME", help="run only this kit check (repeatable)"
    )
    group.addoption(
        "--spbe-skip", action="append", default=[], metavar="NAME", help="do not run this kit check (repeatable)"
    )
    group.addoption(
        "--spbe-profile", default=None, metavar="NAME", help="kit hypothesis profile: fast (default), ci or repro"
    )
    group.addoption(
        "--spbe-max-examples",
        type=int,
        default=None,
        metavar="N",
        help="examples per kit property (overrides the profile)",
    )


def _engine(config: pytest.Config) -> Any:
    if _ENGINE_KEY not in config.stash:
        from spbe_engine import Engine

        config.stash[_ENGINE_KEY] = Engine.default()
    return config.stash[_ENGINE_KEY]


class KitItem(pytest.Item):
    """One kit check on one rubric."""

    def __init__(self, *, rubric: str, check: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rubric = rubric
        self.check = check

    def runtest(self) -> None:
        from .runner import check_rubric

        config = self.config
        report = check_rubric(
            self.rubric,
            _engine(config),
            checks=[self.check],
            max_examples=config.getoption("spbe_max_examples"),
            profile=config.getoption("spbe_profile"),
        )
        result = report.results[0]
        if result.status == "skipped":
            pytest.skip(result.message)
        if not result.passed:
            raise KitFailure(str(report))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, KitFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int, str]:
        return f"spbe-kit/{self.rubric}", 0, f"{self.rubric}::{self.check}"


class KitRubric(pytest.Collector):
    """The node the kit's items of one rubric hang from (``spbe-kit[ID]::CHECK``)."""

    def collect(self) -> list[pytest.Item | pytest.Collector]:
        return []  # items are added in pytest_collection_modifyitems


class KitFailure(AssertionError):
    """A kit check failed; its message is the readable report."""


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    rubrics = config.getoption("spbe_rubric")
    if not rubrics:
        return
    try:
        from . import require_hypothesis

        require_hypothesis()
        from .checks import CHECKS
    except ImportError as exc:
        raise pytest.UsageError(str(exc)) from None
    chosen = config.getoption("spbe_check") or list(CHECKS)
    skipped = set(config.getoption("spbe_skip"))
    unknown = [name for name in [*chosen, *skipped] if name not in CHECKS]
    if unknown:
        raise pytest.UsageError(
            f"--spbe-check/--spbe-skip: unknown check {unknown[0]!r}; the checks are: {', '.join(CHECKS)}"
        )
    engine = _engine(config)
    for rubric in rubrics:
        if rubric not in engine.rubric_ids():
            aside = "".join(f"; plugin {p.name} was set aside: {p.reason}" for p in engine.plugins if not p.active)
            raise pytest.UsageError(
                f"--spbe-rubric: no installed rubric {rubric!r}; installed: "
                f"{', '.join(engine.rubric_ids()) or 'none'}{aside}"
            )
        node = KitRubric.from_parent(session, name=f"spbe-kit[{rubric}]", nodeid=f"spbe-kit[{rubric}]")
        for name in chosen:
            if name not in skipped:
                items.append(KitItem.from_parent(node, name=name, rubric=rubric, check=name))


class GoldenFile(pytest.File):
    """A ``*.golden.toml`` file: one test item per published case."""

    def collect(self) -> Iterator[pytest.Item]:
        from spbe_engine._rubric_file import read_toml

        from .golden import load_golden

        rubric = read_toml(self.path).get("rubric") or self.path.name.removesuffix(".golden.toml")
        for case in load_golden(self.path):
            yield GoldenItem.from_parent(self, name=case.name, rubric=str(rubric), case=case)


class GoldenItem(pytest.Item):
    """One golden case: the engine must reproduce what was published."""

    def __init__(self, *, rubric: str, case: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rubric = rubric
        self.case = case

    def runtest(self) -> None:
        from .golden import check_case

        problems = check_case(_engine(self.config), self.rubric, self.case)
        if problems:
            raise KitFailure(
                f"rubric {self.rubric}, golden case {self.case.name} [{self.case.source}]: {'; '.join(problems)}"
            )

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, KitFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.rubric}: {self.case.name}"


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.name.endswith(".golden.toml"):
        return GoldenFile.from_parent(parent, path=file_path)
    return None
