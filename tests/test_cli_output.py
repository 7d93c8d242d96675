"""Listings at 80 columns and through a pipe: ids and hashes whole, CSV and JSON on request, help uncut."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from spbe_engine import Engine
from spbe_engine.testing.names import CHECK_NAMES

from .test_cli import run

SPBE = [sys.executable, "-c", "from spbe_engine.cli import entry; entry()"]


def piped(*args: str, columns: int = 80) -> str:
    """Run spbe as a subprocess with its output piped (not a terminal) at a given width."""
    env = {**os.environ, "COLUMNS": str(columns)}
    done = subprocess.run([*SPBE, *args], capture_output=True, text=True, env=env, check=True, timeout=120)
    return done.stdout


def test_rubrics_piped_never_split_an_id_or_hash(engine: Engine) -> None:
    """Piped at 80 columns, every rubric id stands alone on a line and every hash is whole."""
    lines = piped("rubrics").splitlines()
    for rubric_id in engine.rubric_ids():
        assert rubric_id in lines
        assert f"  sha256: {engine.rubric(rubric_id).sha256[:12]}" in lines
    assert all(len(line) < 200 for line in lines)


def test_rubrics_csv_has_full_hashes(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    """--format csv gives one record per rubric with the full sha256."""
    code, out, _ = run(capsys, "rubrics", "--format", "csv")
    assert code == 0
    records = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in records] == list(engine.rubric_ids())
    assert all(r["sha256"] == engine.rubric(r["id"]).sha256 for r in records)


def test_plugins_piped_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    """spbe plugins piped lists each plugin as a block; CSV parses with every column."""
    text = piped("plugins")
    assert "spbe-2024\n  distribution: spbe-engine" in text
    code, out, _ = run(capsys, "plugins", "--format", "csv")
    assert code == 0
    records = list(csv.DictReader(io.StringIO(out)))
    assert {"name", "status", "reason", "rubrics"} <= set(records[0])
    assert {r["status"] for r in records} == {"active"}


def test_diff_formats(capsys: pytest.CaptureFixture[str]) -> None:
    """rubric diff: piped blocks keep each changed item whole; CSV and JSON carry the same changes."""
    text = piped("rubric", "diff", "spbe-2021", "spbe-2024")
    code, out, _ = run(capsys, "rubric", "diff", "spbe-2021", "spbe-2024", "--format", "csv")
    assert code == 0
    records = list(csv.DictReader(io.StringIO(out)))
    code, out, _ = run(capsys, "rubric", "diff", "spbe-2021", "spbe-2024", "--json")
    changes = json.loads(out)["changes"]
    assert len(records) == len(changes) > 0
    for record in records:
        assert f"\n{record['item']}\n" in f"\n{text}"


def test_json_and_another_format_conflict(capsys: pytest.CaptureFixture[str]) -> None:
    """--json with --format csv is a usage error, not a silent choice."""
    code, _, err = run(capsys, "rubrics", "--json", "--format", "csv")
    assert code == 2
    assert "--json and --format csv" in err


def test_help_lists_every_check_and_whole_descriptions() -> None:
    """spbe check --help names every check that runs; spbe --help does not cut command descriptions."""
    from spbe_engine.testing import CHECKS

    assert tuple(CHECKS) == CHECK_NAMES
    text = " ".join(piped("check", "--help", columns=200).split())
    assert "|".join(CHECK_NAMES) in text
    top = " ".join(piped("--help").split("Commands:")[1].split())
    assert "..." not in top
    assert "under rubric --to, through the crosswalk." in top


def test_explain_json_carries_the_explanation(capsys: pytest.CaptureFixture[str]) -> None:
    """--explain --json adds the explanation: the steps --explain prints, and each candidate's classification."""
    from .conftest import EXAMPLES

    code, out, _ = run(capsys, "score", str(EXAMPLES / "bandar-lampung-2022.toml"), "--explain", "--json")
    assert code == 0
    explained = json.loads(out)["explanation"]
    assert explained["predikat_on"] == "rounded"
    assert [c["exact"] for c in explained["classification"]] == ["1.53", "1.5325"]
    assert all(c["predikat"] == "Kurang" and c["published"] == "1.53" for c in explained["classification"])
    code, text, _ = run(capsys, "score", str(EXAMPLES / "bandar-lampung-2022.toml"), "--explain")
    flat = " ".join(text.split())
    assert all(" ".join(step.split()) in flat for step in explained["steps"])
    code, out, _ = run(capsys, "score", str(EXAMPLES / "bandar-lampung-2022.toml"), "--json")
    assert "explanation" not in json.loads(out)


def test_rescore_without_from_needs_a_policy_up_front(capsys: pytest.CaptureFixture[str]) -> None:
    """No --from and no --missing, into a rubric every crosswalk into which lacks sources: one usage error."""
    from .conftest import EXAMPLES

    code, out, err = run(capsys, "rescore", str(EXAMPLES / "levels-2024.jsonl"), "--to", "pemdi-2026")
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "--missing" in err and "I6, I7, I8" in err
    code, _, _ = run(capsys, "rescore", str(EXAMPLES / "levels-2024.jsonl"), "--to", "spbe-2025")
    assert code == 0  # an identity crosswalk needs no policy


def test_rubric_ids_case_insensitive_and_suggested(engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    """An id in another case names the rubric; a near miss suggests the nearest ids."""
    from .conftest import EXAMPLES

    card = engine.score({f"I{n}": 3 for n in range(1, 48)}, rubric=" SPBE-2024 ")
    assert card.rubric_id == "spbe-2024" and engine.plan("Spbe-2024") is engine.plan("spbe-2024")
    assert engine.crosswalk("SPBE-2024", "PEMDI-2026").target == "pemdi-2026"
    code, _, err = run(capsys, "score", str(EXAMPLES / "levels-2024.toml"), "--rubric", "pemdi2026")
    assert code == 2 and "did you mean pemdi-2026?" in err


def test_year_that_selects_another_rubric_says_so(engine: Engine) -> None:
    """47 indicators for 2019: the error says 2019 selects spbe-2018 and how to name another rubric."""
    from spbe_engine import Assessment, InputError

    with pytest.raises(InputError) as caught:
        engine.score(Assessment(levels={f"I{n}": 3 for n in range(1, 48)}, year=2019))
    text = str(caught.value)
    assert "evaluation year 2019 selects spbe-2018" in text and "name another rubric" in text
    named = Assessment(levels={f"I{n}": 3 for n in range(1, 48)}, year=2019, rubric="spbe-2021")
    assert engine.score(named).index is not None


def test_json_output_carries_decimal_metadata_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An assessment file whose metadata holds a decimal prints it as its exact text in --json, never an error."""
    path = tmp_path / "a.toml"
    path.write_text(
        "year = 2022\n[domains]\nD1 = 2\nD2 = 1\nD3 = 1\nD4 = 1.88\n[metadata]\nbudget = 12.50\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "score", str(path), "--json")
    assert code == 0, err
    assert json.loads(out)["metadata"] == {"budget": "12.50"}
