"""`spbe rubric new`: the scaffolded plugin loads, scores exactly as its base, and passes the kit.

The real `pip install` and `pytest` of a scaffolded plugin run once in CI
(`.ci/run`); here the plugin is loaded from its directory, in-process.
"""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit

from spbe_engine import Engine
from spbe_engine._scaffold import Scaffold, load_plugin_module, new_rubric_plugin
from spbe_engine.cli import main
from spbe_engine.testing import check_rubric


@pytest.fixture
def scaffold(engine: Engine, tmp_path: Path) -> Iterator[Scaffold]:
    made = new_rubric_plugin(engine, "spbe-2025-rev", "spbe-2024", tmp_path)
    yield made
    sys.modules.pop(made.package, None)


def test_scaffold_layout(scaffold: Scaffold) -> None:
    """The project has its pyproject with the entry point, the module, rubric, golden cases and a kit test."""
    project = tomllib.loads((scaffold.root / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["name"] == "spbe-rubric-spbe-2025-rev"
    assert project["project"]["entry-points"]["spbe_engine"] == {"spbe-2025-rev": "spbe_rubric_spbe_2025_rev"}
    assert "spbe-engine" in project["project"]["dependencies"][0]
    source = scaffold.root / "src" / "spbe_rubric_spbe_2025_rev"
    assert {p.name for p in source.iterdir()} >= {"__init__.py", "spbe-2025-rev.toml", "spbe-2025-rev.golden.toml"}
    compile(scaffold.test_file.read_text(encoding="utf-8"), str(scaffold.test_file), "exec")
    assert "assert_rubric_conforms" in scaffold.test_file.read_text(encoding="utf-8")


def test_rubric_is_derived_in_full_with_comments_kept(scaffold: Scaffold) -> None:
    """The TOML is the base written out in full (no extends), its comments kept, marked as derived."""
    text = scaffold.rubric_file.read_text(encoding="utf-8")
    data = tomlkit.parse(text)
    assert data["id"] == "spbe-2025-rev" and data["years"] == []  # 2025 is governed by spbe-2025
    assert "extends" not in data
    assert data["meta"]["derived_from"] == "spbe-2024"
    assert "derived" in data["title"]
    assert "R59 Lampiran I Tabel 13" in text  # a source comment of the base survives
    assert "the predikat was assigned on the UNROUNDED index" in text  # and the 2024 guide's header
    assert len(data["indicators"]) == 47 and data["rounding"]["predikat_on"] == "exact"


def test_scaffolded_plugin_passes_the_kit(engine: Engine, scaffold: Scaffold) -> None:
    """As generated, the plugin registers its rubric, scores as its base, and passes every check."""
    module = load_plugin_module(scaffold)
    mine = Engine.from_plugins((scaffold.package, module), entry_points=True)
    assert mine.plugin_of("spbe-2025-rev").name == scaffold.package
    levels = {f"I{n}": 1 + n % 5 for n in range(1, 48)}
    same = engine.score(levels, rubric="spbe-2024").exact_index
    assert mine.score(levels, rubric="spbe-2025-rev").exact_index == same
    report = check_rubric("spbe-2025-rev", mine, max_examples=10)
    assert report.ok, str(report)
    assert report.result("golden").status == "passed"


def test_spbe_rubric_new_cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The command writes the project, says what to do next, and refuses to overwrite or reuse ids."""
    assert (
        main(
            [
                "rubric",
                "new",
                "kota-contoh-2025",
                "--from",
                "spbe-2018",
                "--path",
                str(tmp_path),
                "--year",
                "2025",
                "--title",
                "Evaluasi Internal Kota Contoh 2025",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "pip install -e '.[testing]'" in out
    package = tmp_path / "spbe-rubric-kota-contoh-2025" / "src" / "spbe_rubric_kota_contoh_2025"
    rubric = package / "kota-contoh-2025.toml"
    assert tomlkit.parse(rubric.read_text(encoding="utf-8"))["title"] == "Evaluasi Internal Kota Contoh 2025"
    sys.modules.pop("spbe_rubric_kota_contoh_2025", None)
    for args, needle in [
        (["kota-contoh-2025", "--from", "spbe-2018"], "already exists"),
        (["spbe-2024", "--from", "spbe-2021"], "already installed"),
        (["Bad_ID", "--from", "spbe-2021"], "not a rubric id"),
        (["x-2025", "--from", "spbe-1999"], "unknown rubric"),
    ]:
        assert main(["rubric", "new", *args, "--path", str(tmp_path)]) == 2
        assert needle in capsys.readouterr().err


def test_scaffold_from_a_base_without_published_cases(engine: Engine, tmp_path: Path) -> None:
    """pemdi-2026 ships no published cases: the scaffold derives indicator-level ones, and the kit passes."""
    made = new_rubric_plugin(engine, "pemdi-rev-2027", "pemdi-2026", tmp_path)
    try:
        module = load_plugin_module(made)
        mine = Engine.from_plugins((made.package, module), entry_points=True)
        report = check_rubric("pemdi-rev-2027", mine, max_examples=5)
        assert report.ok, str(report)
        assert report.result("golden").status == "passed"
    finally:
        sys.modules.pop(made.package, None)
    cases = tomllib.loads(made.golden_file.read_text(encoding="utf-8"))["cases"]
    assert len(cases) == 4 and all("not a published result" in case["source"] for case in cases)
    assert {p.relative_to(made.root).as_posix() for p in made.files} == {
        "src/spbe_rubric_pemdi_rev_2027/pemdi-rev-2027.toml",
        "src/spbe_rubric_pemdi_rev_2027/pemdi-rev-2027.criteria.toml",
        "src/spbe_rubric_pemdi_rev_2027/pemdi-rev-2027.golden.toml",
        "src/spbe_rubric_pemdi_rev_2027/__init__.py",
        "tests/test_conformance.py",
        "pyproject.toml",
        "README.md",
    }
    assert all(p.is_file() for p in made.files)


def test_derived_cases_catch_a_reweighting_inside_an_aspect(engine: Engine, scaffold: Scaffold) -> None:
    """Moving half a point of weight between two indicators of one aspect keeps every domain weight,
    so the published (domain-level) cases still pass, yet a derived indicator-level case fails."""
    from decimal import Decimal

    data = tomlkit.parse(scaffold.rubric_file.read_text(encoding="utf-8"))
    indicators = data["indicators"]
    first, second = [ind_id for ind_id, spec in indicators.items() if spec["parent"] == "A8"][:2]
    indicators[first]["weight"] = str(Decimal(str(indicators[first]["weight"])) + Decimal("0.5"))
    indicators[second]["weight"] = str(Decimal(str(indicators[second]["weight"])) - Decimal("0.5"))
    scaffold.rubric_file.write_text(tomlkit.dumps(data), encoding="utf-8")
    module = load_plugin_module(scaffold)
    mine = Engine.from_plugins((scaffold.package, module), entry_points=True)
    report = check_rubric("spbe-2025-rev", mine, checks=["golden"])
    golden = report.result("golden")
    assert golden.status == "failed"
    assert "of 11 golden cases differ from what was published" in golden.message  # 7 published + 4 derived
    failing = [line for line in golden.example.splitlines() if "published" in line]
    assert failing and all(line.lstrip("- ").startswith("derived: uneven levels") for line in failing), golden.example


def test_a_failed_scaffold_leaves_nothing(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A scaffold that fails part-way leaves no folder behind, so the same command can be run again."""
    import spbe_engine._scaffold as scaffold_module

    def broken(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(scaffold_module, "_verify", broken)
    with pytest.raises(OSError, match="disk full"):
        new_rubric_plugin(engine, "spbe-2025-rev", "spbe-2024", tmp_path)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.undo()
    assert main(["rubric", "new", "spbe-2025-rev", "--from", "spbe-2024", "--path", str(tmp_path)]) == 0
    assert "tests/test_conformance.py" in capsys.readouterr().out
    sys.modules.pop("spbe_rubric_spbe_2025_rev", None)
