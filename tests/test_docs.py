"""Docs that cannot drift: every hook documented with its exact signature and tested; doc examples run.

Rules the collector applies to fenced ```python blocks in ``README.md`` and
``docs/*.md``:

- a block whose whole content is one ``def hook(...) -> T`` line is a hook
  signature: it must be a hookspec's exact signature (checked, not run);
- a block preceded by ``<!-- no-run -->`` is skipped (use sparingly);
- every other block is executed, in order, in one namespace per file, with
  the repository root as working directory (so ``examples/`` paths work);
- except on the pages in ``STANDALONE`` (the kit reference and the tutorial),
  where each block runs on its own in a fresh namespace, as a reader who
  copies just that block would run it;
- an expression statement whose trailing comment is itself a Python
  expression (``card.predikat  # 'Baik'``) is checked: the statement's value
  must equal the comment's value. Prose comments are left alone.
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import tokenize
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import hookspecs

from . import test_hooks
from .conftest import ROOT

HOOKS_DOC = ROOT / "docs" / "hooks.md"
DOC_FILES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])
NO_RUN = "<!-- no-run -->"
#: Pages whose every python block must run on its own: a reader copies any one of them.
STANDALONE = frozenset({ROOT / "docs" / "kit.md", ROOT / "docs" / "tutorial.md"})
_FENCE = re.compile(r"^```python[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _hookspecs() -> dict[str, Callable[..., Any]]:
    return {name: fn for name, fn in vars(hookspecs).items() if callable(fn) and hasattr(fn, "spbe_engine_spec")}


def _signature_text(fn: Callable[..., Any]) -> str:
    """Spell a hookspec's signature as the docs show it (annotations as written in the source)."""
    sig = inspect.signature(fn)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"def {fn.__name__}({params}) -> {sig.return_annotation}"


def _blocks(path: Path) -> list[tuple[int, str, bool]]:
    """Return each python block of a file: its line number, code, and whether it is marked no-run."""
    text = path.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip().splitlines()
        found.append((line, match.group(1), bool(before) and before[-1].strip() == NO_RUN))
    return found


def _is_signature(code: str) -> bool:
    lines = [line for line in code.strip().splitlines() if line.strip()]
    return len(lines) == 1 and lines[0].startswith("def ") and not lines[0].rstrip().endswith(":")


def _hook_sections() -> dict[str, str]:
    text = HOOKS_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## (.+?)\s*$", text, flags=re.MULTILINE)
    return {parts[n]: parts[n + 1] for n in range(1, len(parts), 2) if parts[n].startswith("spbe_")}


def _prose(section: str) -> str:
    return " ".join(section.split())


def test_every_hook_is_documented_with_its_exact_signature() -> None:
    """Each hookspec has a section in docs/hooks.md showing its signature spelled exactly as in the code."""
    sections = _hook_sections()
    specs = _hookspecs()
    assert set(sections) == set(specs), "docs/hooks.md sections must match the hookspecs one to one"
    for name, fn in specs.items():
        shown = [code.strip() for _, code, _ in _blocks_of_text(sections[name]) if _is_signature(code)]
        assert shown == [_signature_text(fn)], f"docs/hooks.md: the signature of {name} differs from the code"


def _blocks_of_text(text: str) -> list[tuple[int, str, bool]]:
    return [(0, match.group(1), False) for match in _FENCE.finditer(text)]


def test_firstresult_is_documented_as_the_code_declares() -> None:
    """A hook's section says `firstresult` exactly when its spec is firstresult."""
    sections = _hook_sections()
    for name, fn in _hookspecs().items():
        firstresult = fn.spbe_engine_spec["firstresult"]  # type: ignore[attr-defined]
        prose = _prose(sections[name])
        says_not = "(not `firstresult`)" in prose
        assert ("`firstresult`" in prose and not says_not) == firstresult, name


def test_every_hook_has_versionadded() -> None:
    """Each hookspec's docstring says when it was added, and the docs say the same version."""
    sections = _hook_sections()
    for name, fn in _hookspecs().items():
        match = re.search(r"\.\. versionadded:: (\S+)", fn.__doc__ or "")
        assert match, f"{name}: add a '.. versionadded::' note to its docstring"
        assert f"*Added in version {match.group(1)}.*" in sections[name], f"docs/hooks.md: {name}"


def test_every_hook_has_a_test() -> None:
    """tests/test_hooks.py has a test named after each hook (test_<hook name>) that exercises it."""
    missing = [name for name in _hookspecs() if not callable(getattr(test_hooks, f"test_{name}", None))]
    assert not missing, f"add tests/test_hooks.py::test_<hook> for {missing}"
    for name in _hookspecs():
        source = inspect.getsource(getattr(test_hooks, f"test_{name}"))
        assert name in source.split(":", 1)[1], f"test_{name} must exercise the hook it is named after"


def _comments(code: str) -> dict[int, str]:
    return {
        tok.start[0]: tok.string[1:].strip()
        for tok in tokenize.generate_tokens(io.StringIO(code).readline)
        if tok.type == tokenize.COMMENT
    }


def _run(code: str, namespace: dict[str, Any], where: str) -> None:
    tree = ast.parse(code, filename=where)
    comments = _comments(code)
    for stmt in tree.body:
        comment = comments.get(stmt.end_lineno or 0) if isinstance(stmt, ast.Expr) else None
        expected_code = None
        if comment:
            try:
                expected_code = compile(comment, where, "eval")
            except SyntaxError:
                expected_code = None  # a prose comment
        if expected_code is None:
            exec(compile(ast.Module([stmt], []), where, "exec"), namespace)
            continue
        assert isinstance(stmt, ast.Expr)
        value = eval(compile(ast.Expression(stmt.value), where, "eval"), namespace)
        expected = eval(expected_code, {"Decimal": Decimal, "Fraction": Fraction, **namespace})
        assert value == expected, f"{where}, line {stmt.lineno}: the docs say {comment}, the code gives {value!r}"


_RUNNABLE = [
    (path, line) for path in DOC_FILES for line, code, no_run in _blocks(path) if not no_run and not _is_signature(code)
]


def _run_file(path: Path) -> dict[int, Exception | None]:
    """Run a doc file's runnable blocks once, in order, in one namespace; return each block's outcome by line.

    Once a block fails, the blocks after it (whose scene it sets) are not run; their outcome says so.
    On a STANDALONE page each block gets a fresh namespace and runs whatever the others do.
    """
    outcomes: dict[int, Exception | None] = {}
    namespace: dict[str, Any] = {"__name__": "__doc_example__"}
    failed = ""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        for line, code, no_run in _blocks(path):
            if no_run or _is_signature(code):
                continue
            where = f"{path.relative_to(ROOT)}:{line}"
            if path in STANDALONE:
                namespace = {"__name__": "__doc_example__"}
            if failed:
                outcomes[line] = AssertionError(f"{where} not run: the block at {failed} before it fails")
                continue
            try:
                _run(code, namespace, where)
            except Exception as exc:
                outcomes[line] = exc
                failed = "" if path in STANDALONE else where
            else:
                outcomes[line] = None
    return outcomes


@pytest.fixture(scope="module")
def doc_outcomes() -> dict[Path, dict[int, Exception | None]]:
    """The outcome of every block of each doc file, filled when a test first asks for the file."""
    return {}


@pytest.mark.parametrize(
    ("path", "line"),
    _RUNNABLE,
    ids=[f"{path.relative_to(ROOT)}:{line}" for path, line in _RUNNABLE],
)
def test_doc_example_runs(path: Path, line: int, doc_outcomes: dict[Path, dict[int, Exception | None]]) -> None:
    """The python example at this place in the docs runs, and its value comments hold."""
    if path not in doc_outcomes:
        # Each file's blocks run once, not once per block: the earlier blocks set every later block's scene.
        doc_outcomes[path] = _run_file(path)
    if line not in doc_outcomes[path]:
        pytest.fail(f"no runnable block at {path}:{line}")  # pragma: no cover
    outcome = doc_outcomes[path][line]
    if outcome is not None:
        raise outcome


def test_the_collector_finds_examples() -> None:
    """The docs do carry runnable examples (the README's Python API at least, and every STANDALONE page)."""
    assert any(path.name == "README.md" for path, _ in _RUNNABLE)
    assert {path for path, _ in _RUNNABLE} >= STANDALONE


def test_value_comments_are_checked() -> None:
    """A value comment that disagrees with the code fails; a prose comment is not checked."""
    with pytest.raises(AssertionError, match="the docs say 3"):
        _run("1 + 1  # 3\n", {}, "example")
    _run("1 + 1  # two, as prose\n", {}, "example")
