"""The bulk JSON Lines reader gives exactly what the row-by-row path gives: as JSON Lines, CSV and row results."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from spbe_engine import Engine
from spbe_engine.batch import _blocks, _lines, _results, write_scores

if not _blocks.available():  # pragma: no cover - the fast extra is missing
    pytest.skip("needs the fast extra (numpy, pyarrow)", allow_module_level=True)

ENGINE = Engine.default()
IDS = [f"I{n}" for n in range(1, 48)]

LEVEL = st.one_of(
    st.integers(1, 5),
    st.sampled_from([9, 0, -1, 3.0, 3.5, "3", True, None, 10**30, "x"]),
)
INSTANSI = st.sampled_from(["Kota A", "Kab. B, Barat", 'Q "R"', "Ñusa\tX", 7, None])
YEAR = st.sampled_from([2024, 2023, 2022, 2019, "2024", "", 1999, "soon", None])
RUBRIC = st.sampled_from([None, None, "spbe-2024", " spbe-2023 ", "nope", " ", "", 5])


@st.composite
def jsonl_text(draw: st.DrawFn) -> str:
    plain = draw(st.booleans(), label="canonical rows only")
    with_rubric = draw(st.booleans())
    lines = []
    for _ in range(draw(st.integers(0, 25))):
        kind = draw(st.sampled_from(["row"] * 8 + ([] if plain else ["blank", "odd", "compact", "reordered"])))
        if kind == "blank":
            lines.append(draw(st.sampled_from(["", "  "])))
            continue
        row: dict[str, object] = {
            "instansi": draw(INSTANSI) if not plain else "Kota A",
            "year": draw(YEAR) if not plain else draw(st.sampled_from([2024, 2023])),
        }
        if with_rubric:
            row["rubric"] = draw(RUBRIC) if not plain else "spbe-2024"
        for ident in IDS:
            row[ident] = draw(LEVEL) if not plain else draw(st.integers(1, 5))
        if not plain and draw(st.booleans()):
            del row[draw(st.sampled_from(IDS))]
        text = json.dumps(row, ensure_ascii=False)
        if kind == "odd":
            text = draw(st.sampled_from(["[1, 2]", "{", '{"I1": 1, "I1": 2}', '"x"', text[:-1] + ', "D1": 2.5}']))
        elif kind == "compact":
            text = json.dumps(row, separators=(",", ":"))
        elif kind == "reordered":
            text = json.dumps(dict(reversed(list(row.items()))))
        lines.append(text)
    end = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    text = end.join(lines)
    return text + (end if draw(st.booleans()) else "")


def _written(path: Path, rubric: str | None, *, as_json: bool, fast: bool) -> tuple[str, tuple[int, int]]:
    out = io.StringIO()
    counts = write_scores(ENGINE, path, out, rubric, as_json=as_json, fast=fast)
    return out.getvalue(), counts


@given(
    text=jsonl_text(),
    rubric=st.sampled_from([None, None, "spbe-2024"]),
    block=st.sampled_from([64, 700, 1 << 20]),
)
def test_bulk_json_lines_equal_row_path(
    tmp_path_factory: pytest.TempPathFactory, text: str, rubric: str | None, block: int
) -> None:
    """Same output bytes (JSON Lines and CSV), counts and row results as the row path, whatever the block size."""
    path = tmp_path_factory.mktemp("batch") / "in.jsonl"
    path.write_bytes(text.encode("utf-8"))
    note(text)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_lines, "BLOCK_CHARS", block)
        for as_json in (True, False):
            assert _written(path, rubric, as_json=as_json, fast=True) == _written(
                path, rubric, as_json=as_json, fast=False
            )
        bulk = list(ENGINE.score_file(path, rubric, fast=True))
    assert bulk == list(ENGINE.score_file(path, rubric, fast=False))
    assert [r.message for r in bulk] == [r.message for r in ENGINE.score_file(path, rubric, fast=False)]


def test_bulk_path_really_is_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Canonical rows are scored in bulk (the per-row scorer is never called for them)."""
    path = tmp_path / "in.jsonl"
    rows = [{"instansi": f"K{n}", "year": 2024, **{i: 1 + (n + k) % 5 for k, i in enumerate(IDS)}} for n in range(50)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    expected = _written(path, None, as_json=True, fast=False)
    monkeypatch.setattr(_results, "score_row", lambda *a: pytest.fail("row path used"))
    monkeypatch.setattr(_blocks, "score_row", lambda *a: pytest.fail("row path used"))
    assert _written(path, None, as_json=True, fast=True) == expected
    assert [r.status for r in ENGINE.score_file(path, fast=True)] == ["ok"] * 50
