"""The bulk CSV reader gives exactly what the row-by-row path gives: as CSV text and as row results."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from spbe_engine import Engine
from spbe_engine.batch import _blocks, _results, write_scores
from spbe_engine.cli.progress import progress_bar

if not _blocks.available():  # pragma: no cover - the fast extra is missing
    pytest.skip("needs the fast extra (numpy, pyarrow)", allow_module_level=True)

ENGINE = Engine.default()
IDS = [f"I{n}" for n in range(1, 48)]

LEVEL = st.one_of(
    st.sampled_from(["1", "2", "3", "4", "5"]),
    st.sampled_from(["9", "0", "", " 3", "+3", "3.0", "0x3", "x", "03", "-1", "99999999999999999999"]),
)
INSTANSI = st.one_of(st.sampled_from(["Kota A", "Kab. B", "X-Ray"]), st.sampled_from(['"Q, R"', "", "0x"]))
YEAR = st.sampled_from(["2024", "2023", "2022", "2019", "", "1999", "soon"])
RUBRIC = st.sampled_from(["", "", "spbe-2024", " spbe-2023 ", "nope", " "])
# Module-level like the others: hypothesis does not cache sampled_from, and validating a new one
# for each of up to 25 x 47 cells cost as much as drawing the cells.
PLAIN_LEVEL = st.sampled_from("12345")
PLAIN_KIND = st.sampled_from(["row"] * 8)
ANY_KIND = st.sampled_from(["row"] * 8 + ["blank", "short", "odd"])


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    plain = draw(st.booleans(), label="plain rows only")
    columns = ["instansi", "year", *(["rubric"] if draw(st.booleans()) else []), *IDS]
    lines = [",".join(columns)]
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(PLAIN_KIND if plain else ANY_KIND)
        if kind == "blank":
            lines.append("")
            continue
        cells = {
            "instansi": draw(INSTANSI) if not plain else "Kota A",
            "year": draw(YEAR),
            "rubric": draw(RUBRIC),
        }
        levels = [draw(LEVEL) if not plain else draw(PLAIN_LEVEL) for _ in IDS]
        row = [cells.get(name, "") for name in columns[: len(columns) - len(IDS)]] + levels
        if kind == "short":
            row = row[:-1]
        lines.append(",".join(row))
    end = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    text = end.join(lines)
    return text + (end if draw(st.booleans()) else "")


def row_path(path: Path, rubric: str | None) -> tuple[str, tuple[int, int]]:
    out = io.StringIO()
    counts = write_scores(ENGINE, path, out, rubric, fast=False)
    return out.getvalue(), counts


def fast_path(path: Path, rubric: str | None) -> tuple[str, tuple[int, int]]:
    out = io.StringIO()
    counts = write_scores(ENGINE, path, out, rubric, fast=True)
    return out.getvalue(), counts


@given(
    text=csv_text(),
    rubric=st.sampled_from([None, None, "spbe-2024"]),
    block=st.sampled_from([64, 700, 1 << 20]),
)
def test_fast_csv_equals_row_path(
    tmp_path_factory: pytest.TempPathFactory, text: str, rubric: str | None, block: int
) -> None:
    """Same output lines, row counts and error counts as the row-by-row path, whatever the block size."""
    path = tmp_path_factory.mktemp("batch") / "in.csv"
    path.write_bytes(text.encode("utf-8"))
    note(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_blocks, "BLOCK_CHARS", block)
        assert fast_path(path, rubric) == row_path(path, rubric)
        bulk = list(ENGINE.score_file(path, rubric, fast=True))
    assert bulk == list(ENGINE.score_file(path, rubric, fast=False))


def test_fast_path_really_is_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Plain rows are scored in bulk (the per-row scorer is never called for them)."""
    path = tmp_path / "in.csv"
    path.write_text(
        "instansi,year,"
        + ",".join(IDS)
        + "\n"
        + "".join(f"K{n},2024," + ",".join(str(1 + (n + k) % 5) for k in range(47)) + "\n" for n in range(50)),
        encoding="utf-8",
    )
    expected = row_path(path, None)
    monkeypatch.setattr(_results, "score_row", lambda *a: pytest.fail("row path used"))
    monkeypatch.setattr(_blocks, "score_row", lambda *a: pytest.fail("row path used"))
    assert fast_path(path, None) == expected
    assert [r.status for r in ENGINE.score_file(path, fast=True)] == ["ok"] * 50


def test_empty_file_and_header_only(tmp_path: Path) -> None:
    """An empty file is refused as before; a header alone gives no output."""
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(Exception, match="the file is empty"):
        fast_path(empty, None)
    header = tmp_path / "header.csv"
    header.write_text("instansi,year,I1\n", encoding="utf-8")
    assert fast_path(header, None) == row_path(header, None) == ("", (0, 0))


def test_progress_bar_only_when_shown(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No bar when not shown (piped output); a shown bar advances without touching stdout."""
    path = tmp_path / "in.csv"
    path.write_text("instansi\n", encoding="utf-8")
    with progress_bar(path, shown=False) as advance:
        advance(5)
    with progress_bar(path, shown=True) as advance:
        advance(5)
    assert capsys.readouterr().out == ""


def test_cli_piped_has_no_progress(tmp_path: Path) -> None:
    """Through click's runner (not a terminal) the output is the CSV alone, and matches the row path."""
    from click.testing import CliRunner

    from spbe_engine.cli.app import cli

    path = tmp_path / "in.csv"
    path.write_text("instansi,year," + ",".join(IDS) + "\nA,2024," + ",".join("3" * 47) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["batch", str(path)])
    assert result.exit_code == 0
    assert result.output == row_path(path, None)[0]
