"""The conformance kit: every official rubric passes it, and its three ways to run it work as documented."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest
from hypothesis import Phase, find, settings
from hypothesis import strategies as st

from spbe_engine import Engine, RubricError, hookimpl
from spbe_engine.cli import main
from spbe_engine.testing import (
    CHECKS,
    INSTALL_HINT,
    KIT_VERSION,
    assert_rubric_conforms,
    check_rubric,
    golden_cases,
    load_golden,
    strategies,
)
from spbe_engine.testing.profiles import PROFILES, settings_for
from spbe_engine.testing.properties import Subject, run_property
from spbe_engine.testing.structural import CheckFailure

from .conftest import ROOT
from .rubric_helpers import example_plugin

#: Every rubric of an official plugin, read from the installed entry points (a new one is covered unasked).
OFFICIAL = tuple(sorted(r for info in Engine.default().plugins if info.official for r in info.rubrics))
#: The official rubrics with published results to check against (no results published yet for the others).
WITH_GOLDEN = ("spbe-2018", "spbe-2021", "spbe-2023", "spbe-2024")


def test_every_official_rubric_is_covered() -> None:
    """The built-in plugins were all found, and the ones with golden cases are among them."""
    assert {"spbe-2025", "pemdi-2026", *WITH_GOLDEN} <= set(OFFICIAL)


@pytest.mark.parametrize("rubric_id", OFFICIAL)
def test_official_rubric_conforms(engine: Engine, rubric_id: str) -> None:
    """Every official rubric passes every check of the kit, golden cases included."""
    report = assert_rubric_conforms(rubric_id, engine)
    assert [r.name for r in report.results] == list(CHECKS)
    # Every check passes; only a rubric with no published results may skip its golden cases.
    skipped = {r.name for r in report.results if r.status == "skipped"}
    assert skipped <= ({"golden"} if rubric_id not in WITH_GOLDEN else set()), str(report)
    assert all(r.passed for r in report.results if r.name not in skipped), str(report)
    assert report.kit_version == KIT_VERSION


@pytest.mark.parametrize("rubric_id", WITH_GOLDEN)
def test_official_rubrics_ship_golden_cases_with_sources(engine: Engine, rubric_id: str) -> None:
    """Each official rubric has golden cases, each naming its source."""
    cases = golden_cases(engine, rubric_id)
    assert len(cases) >= 3
    assert all(case.source and case.expect for case in cases)


def _swapped_levels(rubric_id: str, indicator_id: str) -> Engine:
    """An engine whose plugin scores levels 2 and 3 of one indicator the wrong way round (not monotone)."""

    @hookimpl
    def spbe_indicator_values(rubric, indicator):  # type: ignore[no-untyped-def]
        if rubric.id == rubric_id and indicator.id == indicator_id:
            return {1: 1, 2: 3, 3: 2, 4: 4, 5: 5}
        return None

    return Engine.from_plugins(
        (
            "broken",
            types.SimpleNamespace(
                SPBE_HOOK_API=1, SPBE_APPLIES_TO=(rubric_id,), spbe_indicator_values=spbe_indicator_values
            ),
        ),
        entry_points=True,
    )


def test_assert_rubric_conforms_raises_a_readable_report(tmp_path: Path) -> None:
    """A failing rubric raises AssertionError whose text names rubric, check and the fault."""
    broken = _swapped_levels("spbe-2024", "I5")
    with pytest.raises(AssertionError) as info:
        assert_rubric_conforms("spbe-2024", broken, checks=["monotonicity"], max_examples=5)
    text = str(info.value)
    assert "rubric spbe-2024" in text and "check monotonicity" in text and "I5" in text
    assert "DOES NOT CONFORM" in text


def test_property_failure_names_rubric_property_and_smallest_assessment(engine: Engine) -> None:
    """A failing property is shrunk; the report names the rubric, the property and the smallest levels."""

    def body(subject: Subject, data: st.DataObject) -> None:
        from hypothesis import note

        levels = data.draw(subject.levels, label="levels")
        note(f"rubric {subject.rubric_id}, assessment: {strategies.describe_levels(levels)}")
        assert levels["I7"] < 3, "I7 reached level 3"

    # The machinery under test is rubric-agnostic: pemdi-2026's 20 indicators shrink in a third of the
    # time spbe-2024's 47 take (test_spbe_check_fails_a_broken_rubric shrinks a 47-indicator one).
    with pytest.raises(CheckFailure) as info:
        run_property(engine, "pemdi-2026", "demo", body, settings_for("repro", 60))
    failure = info.value
    assert failure.message.startswith("I7 reached level 3")
    assert "all 20 at 1 except I7=3" in failure.example
    assert failure.example.startswith("rubric pemdi-2026, property demo:")


def test_skip_lists_and_check_selection(engine: Engine) -> None:
    """A reasoned skip list is reported with its reasons; unknown check names are refused."""
    report = check_rubric("spbe-2021", engine, checks=["weights", "golden"], skip={"golden": "checked elsewhere"})
    assert [(r.name, r.status) for r in report.results] == [("weights", "passed"), ("golden", "skipped")]
    assert report.result("golden").message == "checked elsewhere"
    assert report.ok
    with pytest.raises(ValueError, match="unknown check 'bound'"):
        check_rubric("spbe-2021", engine, checks=["bound"])


def test_profiles(monkeypatch: pytest.MonkeyPatch) -> None:
    """fast is the default, ci is thorough, repro is derandomized; max_examples overrides any."""
    monkeypatch.delenv("SPBE_KIT_PROFILE", raising=False)
    assert settings_for().max_examples == PROFILES["fast"].max_examples
    assert settings_for("ci").max_examples > settings_for("fast").max_examples
    assert settings_for("repro").derandomize
    assert settings_for("ci", max_examples=7).max_examples == 7
    with pytest.raises(ValueError, match="unknown kit profile"):
        settings_for("slow")
    monkeypatch.setenv("SPBE_KIT_PROFILE", "repro")
    assert settings_for().derandomize


# find()'s own search budget (2000 examples), fixed so that a run on a fresh clone is the
# run everywhere: no example database (a stored example would skip the search and the
# shrink), derandomized, and no explain phase (it only annotates a failure report, which
# find never prints, and on 37-key dicts it costs seconds per call).
FIND = settings(max_examples=2000, database=None, derandomize=True, phases=[Phase.generate, Phase.shrink])


def test_strategies_draw_valid_and_malformed_inputs(engine: Engine) -> None:
    """The public strategies give valid levels the engine scores, and malformed ones it refuses.

    Each search is shrunk to its smallest example, which is asserted whole.
    """
    rubric = engine.rubric("spbe-2018")
    lowest = {ind.id: rubric.scale_of(ind.id).numbers[0] for ind in rubric.indicators}  # 5/2018 starts at level 0
    levels = find(strategies.levels(rubric), lambda lv: lv["I35-2"] == 4, settings=FIND)
    assert levels == {**lowest, "I35-2": 4}
    assert engine.score(levels, rubric="spbe-2018").complete
    bad, field = find(strategies.malformed_levels(rubric), lambda pair: pair[1] == "I3", settings=FIND)
    assert field == "I3" and bad["I3"] not in rubric.scale_of("I3").numbers
    assert bad == {**lowest, "I3": 6}  # the first fault naming I3 ("out of range"), above the scale
    drawn, published = find(strategies.published_assessments(engine, "spbe-2024"), lambda pair: True, settings=FIND)
    assert set(published.aggregates) == {"D1", "D2", "D3", "D4"}
    assert set(drawn.values()) == {1}


def test_golden_file_errors_name_file_and_field(tmp_path: Path) -> None:
    """A malformed golden file is refused with the file and the field named."""
    path = tmp_path / "x.golden.toml"
    path.write_text(
        'schema = 1\n[[cases]]\nname = "a"\nsource = "b"\nlevels = { I1 = 3 }\n'
        'expect = { index = 3.00, colour = "red" }\n',
        encoding="utf-8",
    )
    with pytest.raises(RubricError) as info:
        load_golden(path)
    assert str(path) in str(info.value) and "cases[0].expect.colour" in str(info.value)


def test_import_spbe_engine_does_not_import_hypothesis() -> None:
    """Embedders never pay for the test tools: the core and the kit's package stub import no hypothesis."""
    code = (
        "import sys, spbe_engine, spbe_engine.testing, spbe_engine.testing.pytest_plugin; "
        "sys.exit(int('hypothesis' in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# Make hypothesis unimportable, as on a machine without the testing extra.
_BLOCK = (
    "import sys\n"
    "class _Block:\n"
    "    def find_spec(self, name, path=None, target=None):\n"
    "        if name.split('.')[0] == 'hypothesis':\n"
    "            raise ImportError('No module named ' + repr(name))\n"
    "sys.meta_path.insert(0, _Block())\n"
)


def test_spbe_check_without_the_testing_extra_says_how_to_install() -> None:
    """Without hypothesis, `spbe check` says in one line how to install the kit, and exits 2."""
    code = _BLOCK + "from spbe_engine.cli import main\nsys.exit(main(['check']))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert INSTALL_HINT in proc.stderr and "Traceback" not in proc.stderr


def test_pytest_plugin_is_harmless_without_hypothesis(tmp_path: Path) -> None:
    """With hypothesis missing, pytest still runs; only --spbe-rubric reports the missing extra."""
    (tmp_path / "test_x.py").write_text("def test_x():\n    assert 1 + 1 == 2\n", encoding="utf-8")
    run = _BLOCK + "import pytest\nsys.exit(pytest.main(sys.argv[1:]))"
    # --assert=plain: pytest's assertion-rewriting import hook would otherwise sit before the
    # blocker and load hypothesis itself (it rewrites the modules of pytest11 distributions).
    # schemathesis (the service tests' dev dependency) is itself a pytest plugin built on hypothesis: off too.
    off = ["-p", "no:hypothesispytest", "-p", "no:schemathesis", "-p", "no:cacheprovider"]
    base = [sys.executable, "-c", run, *off, "-q", "--assert=plain"]
    plain = subprocess.run([*base, str(tmp_path)], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert plain.returncode == 0, plain.stdout + plain.stderr
    kit = subprocess.run(
        [*base, str(tmp_path), "--spbe-rubric", "spbe-2024"], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert kit.returncode != 0 and INSTALL_HINT in kit.stdout + kit.stderr


def test_pytest_option_runs_the_whole_kit(tmp_path: Path) -> None:
    """`pytest --spbe-rubric spbe-2024` runs one item per check against the installed rubric."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--spbe-rubric",
            "spbe-2024",
            "--spbe-max-examples",
            "5",
            "--spbe-skip",
            "malformed",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(CHECKS) - 1} passed" in proc.stdout


def test_pytest_collects_golden_files(tmp_path: Path) -> None:
    """A golden file on the command line becomes one test per published case."""
    golden = ROOT / "rubric_versions" / "spbe-2024.golden.toml"
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(golden)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(load_golden(golden))} passed" in proc.stdout


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_spbe_check_reports_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    """`spbe check ID` prints each check's result and a verdict; a conforming rubric exits 0."""
    code, out, _ = run(capsys, "check", "spbe-2023", "--max-examples", "5")
    assert code == 0
    assert "spbe-2023: conforms" in out and "1 of 1 rubrics conform" in out
    for name in CHECKS:
        assert name in out


def test_spbe_check_json(capsys: pytest.CaptureFixture[str]) -> None:
    """`spbe check --json` gives every check's status for programs."""
    code, out, _ = run(capsys, "check", "spbe-2021", "spbe-2024", "--check", "bands", "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] and data["kit_version"] == KIT_VERSION
    assert [(r["rubric"], [c["status"] for c in r["checks"]]) for r in data["rubrics"]] == [
        ("spbe-2021", ["passed"]),
        ("spbe-2024", ["passed"]),
    ]


def test_spbe_check_fails_a_broken_rubric(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A rubric that does not conform makes `spbe check` exit 1 and show the smallest failing example."""
    broken = _swapped_levels("spbe-2021", "I3")
    monkeypatch.setattr(Engine, "default", classmethod(lambda cls, **kw: broken))
    code, out, _ = run(capsys, "check", "spbe-2021", "--check", "monotonicity", "--max-examples", "5")
    assert code == 1
    text = " ".join(out.split())
    assert "DOES NOT CONFORM" in text and "smallest failing example" in text
    assert "I3 at 2; then I3 raised to 3" in text


def test_spbe_check_unknown_rubric_or_check(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown rubric or check name is a usage error (exit 2) naming the choices."""
    code, _, err = run(capsys, "check", "spbe-1999")
    assert code == 2 and "spbe-2024" in err
    code, _, err = run(capsys, "check", "--check", "bound")
    assert code == 2 and "monotonicity" in err


def test_example_third_party_plugin_conforms(tmp_path: Path) -> None:
    """The out-of-tree example plugin (examples/spbe-rubric-pemdi-draft) passes the kit, loaded from its tree.

    CI also installs it with pip and runs it through `pytest --spbe-rubric` and `spbe check`.
    """
    with example_plugin() as module:
        engine = Engine.from_plugins(("example", module), entry_points=True)
        report = check_rubric("pemdi-draft-2025", engine, max_examples=10)
    assert report.ok, str(report)
    assert report.result("golden").passed


def test_every_check_is_documented() -> None:
    """docs/kit.md describes every named check of the kit."""
    text = (ROOT / "docs" / "kit.md").read_text(encoding="utf-8")
    for name in CHECKS:
        assert f"| `{name}` |" in text, name


def test_spbe_check_names_set_aside_plugins(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plugin the engine set aside registers no rubric; `spbe check` says so and why."""
    engine = Engine.from_plugins(("future-rubric", types.SimpleNamespace(SPBE_HOOK_API=2)), entry_points=True)
    monkeypatch.setattr(Engine, "default", classmethod(lambda cls, **kw: engine))
    code, _, err = run(capsys, "check", "spbe-2024", "--check", "golden")
    assert code == 0
    assert "plugin future-rubric was set aside" in err and "hook API 2" in err
