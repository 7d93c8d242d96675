"""The archive's bulk paths say what the engine's row path says, byte for byte, and their caches follow the rubric.

The archive scores and rescores complete levels in bulk (stored JSON read as
one byte matrix, crosswalk levels keyed by what their rule depends on,
``score_many``'s texts and encoded results kept across batches in a memo,
result texts filled into a template). The oracle here is the batch tools'
row path (:func:`spbe_engine.batch.score_row` / ``rescore_row``), which
never takes any of those shortcuts.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from spbe_engine import Engine
from spbe_engine.archive import Archive, ArchiveError, checks, compute, rescoring
from spbe_engine.archive.compute import Item, Memo, rescore_items, score_items
from spbe_engine.archive.records import dump
from spbe_engine.batch import BatchRow, rescore_row, score_row
from spbe_engine.models import Assessment
from spbe_engine.rescore import MissingPolicy

from .archive_helpers import BACKENDS, database, level_rows, write_csv
from .rubric_helpers import FilePlugin, variant

INDICATORS = [f"I{n}" for n in range(1, 48)]
LOWEST = MissingPolicy.parse("impute:lowest")


def _row(levels: Mapping[str, Any]) -> BatchRow:
    return BatchRow(number=0, line=0, columns={}, assessment=Assessment(levels=levels, year=2024))


def _row_score(engine: Engine, levels: Mapping[str, Any], rubric: str) -> tuple[str, str]:
    """Return what the batch row path gives a row: its status and, for a scored row, its result columns as JSON."""
    result = score_row(engine, _row(levels), rubric, True)
    return result.status.value, dump(result.values) if result.error is None else ""


def _row_rescore(engine: Engine, levels: Mapping[str, Any], source: str, to: str) -> tuple[str, str]:
    result, _ = rescore_row(engine, _row(levels), to, source, LOWEST)
    return result.status.value, dump(result.values) if result.error is None else ""


def _outcome(outcome: compute.Outcome) -> tuple[str, str]:
    return outcome.status, outcome.result if outcome.status != "error" else ""


def _items(rows: list[dict[str, Any]], rubric: str) -> list[Item]:
    """Items as the archive reads them from the database: the stored JSON text, not a mapping."""
    return [Item(key=n, kind="levels", text=dump(levels), year=2024, rubric=rubric) for n, levels in enumerate(rows)]


# Mostly complete one-digit levels (the byte-matrix path), some that are not: a level of 10 or 0, a level as
# text, a missing or an extra indicator (each must take the ordinary path and still agree).
_level = st.one_of(st.integers(1, 5), st.sampled_from([0, 10, "3", 2.5, True]))


@st.composite
def _levels(draw: st.DrawFn) -> dict[str, Any]:
    levels: dict[str, Any] = {i: draw(st.integers(1, 5), label=i) for i in INDICATORS}
    odd = draw(st.sampled_from(["none"] * 6 + ["value", "missing", "extra"]), label="odd")
    if odd == "value":
        levels[draw(st.sampled_from(INDICATORS))] = draw(_level, label="odd value")
    elif odd == "missing":
        del levels[draw(st.sampled_from(INDICATORS))]
    elif odd == "extra":
        levels["I48"] = 3
    return levels


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_levels(), min_size=1, max_size=30))
def test_bulk_scoring_gives_the_row_paths_result_text(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Every stored row scored in bulk has the status and the very JSON text the batch row path gives it."""
    got = [_outcome(o) for o in score_items(engine, _items(rows, "spbe-2024"))]
    for levels, outcome in zip(rows, got, strict=True):
        note(dump(levels))
        assert outcome == _row_score(engine, levels, "spbe-2024")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(_levels(), min_size=1, max_size=30))
def test_bulk_rescoring_gives_the_row_paths_result_text(engine: Engine, rows: list[dict[str, Any]]) -> None:
    """Every stored row rescored in bulk through a crosswalk has the row path's status and JSON text."""
    for source, to in (("spbe-2024", "pemdi-2026"), ("spbe-2021", "spbe-2024"), ("spbe-2024", "spbe-2018")):
        got = [_outcome(o) for o in rescore_items(engine, _items(rows, source), to, LOWEST)]
        for levels, outcome in zip(rows, got, strict=True):
            note(f"{source} → {to}: {dump(levels)}")
            assert outcome == _row_rescore(engine, levels, source, to)


def test_a_memo_kept_across_batches_changes_no_result(engine: Engine) -> None:
    """Batches rescored with one memo (as a run does) give what each batch gives with a memo of its own."""
    rows = level_rows(120, seed=7)
    levels = [{k: v for k, v in row.items() if k in INDICATORS} for row in rows]
    assert all(len(row) == len(INDICATORS) for row in levels)
    shared: Memo = {}
    for start in range(0, len(levels), 40):
        items = _items(levels[start : start + 40], "spbe-2024")
        kept = [o.result for o in rescore_items(engine, items, "pemdi-2026", LOWEST, shared)]
        alone = [o.result for o in rescore_items(engine, items, "pemdi-2026", LOWEST, {})]
        assert kept == alone
    assert shared, "the memo is used"


@pytest.mark.parametrize("combine", ["single", "mean", "min", "max", "weighted"])
def test_derived_levels_equal_the_mappings_own_level_for_every_rule(combine: str) -> None:
    """A target level read through the memo's key (sum, least, greatest, one level, the tuple) is mapping.level."""
    from fractions import Fraction

    from spbe_engine import IndicatorMapping

    sources = ("A", "B", "C", "D")
    weights = (Fraction(1, 10), Fraction(2, 10), Fraction(3, 10), Fraction(4, 10)) if combine == "weighted" else ()
    mapping = IndicatorMapping("T", sources, combine, weights, "half_even", "approximate", "project judgement")
    levels = np.random.default_rng(3).integers(0, 6, size=(400, 4))
    memo: dict[Any, int] = {}
    for half in (levels[:200], levels[200:]):  # the second half meets keys the first one memoised
        got = compute._derived(np, mapping, half, memo).tolist()
        assert got == [mapping.level(tuple(row)) for row in half.tolist()]


# -- caches that must not outlive the rubric they were made under -----------------------------------------------
def _renamed(tmp_path: Path, name: str) -> Engine:
    """An engine whose rubric test-2021 calls its third band ``name`` (the same id, another content hash)."""
    folder = tmp_path / name.replace(" ", "-")
    folder.mkdir()
    path = variant(folder, lambda text: text.replace('predikat = "Baik"', f'predikat = "{name}"'))
    return Engine.from_plugins(FilePlugin(path), entry_points=True)


def test_a_memo_made_under_one_rubric_is_not_used_under_a_changed_one(tmp_path: Path) -> None:
    """Scoring and rescoring with a memo filled under another version of the rubric give the new rubric's texts.

    The memo is filled with a row in the renamed band only; the next call puts a row of another band first,
    so the bulk path's own check (its first row against the row path) passes and only the cache could be stale.
    """
    before, after = _renamed(tmp_path, "Baik"), _renamed(tmp_path, "Baik Sekali Diubah")
    assert before.rubric("test-2021").sha256 != after.rubric("test-2021").sha256
    baik, other = dict.fromkeys(INDICATORS, 3), dict.fromkeys(INDICATORS, 5)
    memo: Memo = {}
    (first,) = score_items(before, _items([baik], "test-2021"), memo)
    assert '"Baik"' in first.result
    scored = [_outcome(o) for o in score_items(after, _items([other, baik], "test-2021"), memo)]
    assert scored == [_row_score(after, levels, "test-2021") for levels in (other, baik)]
    assert '"Baik Sekali Diubah"' in scored[1][1]
    rescore_items(before, _items([baik], "spbe-2024"), "test-2021", LOWEST, memo)
    rows = [other, baik]
    rescored = [_outcome(o) for o in rescore_items(after, _items(rows, "spbe-2024"), "test-2021", LOWEST, memo)]
    assert rescored == [_row_rescore(after, levels, "spbe-2024", "test-2021") for levels in rows]


# -- the committing thread --------------------------------------------------------------------------------------
@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def filled(request: pytest.FixtureRequest, tmp_path: Path, engine: Engine) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        with Archive.init(url, engine=engine) as archive:
            archive.import_file(write_csv(tmp_path / "levels.csv", level_rows(30)))
        yield url


def test_a_failed_commit_stops_the_rescore_with_the_batches_before_it_kept(
    filled: str, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch whose insert fails (in the committing thread) ends the rescore with that error; no run shows."""
    real = rescoring.insert_scorings
    calls = itertools.count()

    def failing(connection: Any, outcomes: Any, uuid: str) -> None:
        if next(calls) == 1:
            raise ArchiveError("the disk is full", kind="database")
        real(connection, outcomes, uuid)

    monkeypatch.setattr(rescoring, "insert_scorings", failing)
    with Archive(filled, engine=engine) as archive:
        with pytest.raises(ArchiveError, match="the disk is full"):
            archive.rescore("pemdi-2026", missing="impute:lowest", batch_rows=10)
        assert archive.runs(kind="rescore").items == ()
        (pending,) = archive.unfinished()
        assert pending["scorings_so_far"] == 10  # the first batch was committed, the second rolled back
        monkeypatch.setattr(rescoring, "insert_scorings", real)
        done = archive.rescore("pemdi-2026", missing="impute:lowest", batch_rows=10)
        assert done.adopted and done.adopted_rows == 10 and done.run.rows == 30


# -- verify, chunk by chunk (on PostgreSQL the next chunk is read in a thread) ---------------------------------------
def test_verify_in_small_chunks_reports_what_one_chunk_reports(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mismatches, drift and counts are the same whether the scorings are read 7 at a time or all at once."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    before = Engine.from_plugins(FilePlugin(variant(tmp_path / "a", lambda t: t)), entry_points=True)
    renamed = variant(tmp_path / "b", lambda t: t.replace('predikat = "Baik"', 'predikat = "Baik (revisi)"'))
    after = Engine.from_plugins(FilePlugin(renamed), entry_points=True)
    rows = level_rows(40, seed=5)
    for row in rows:
        row["rubric"] = "test-2021"
    with Archive.init(db_url, engine=before) as archive:
        archive.import_file(write_csv(tmp_path / "levels.csv", rows))
        archive.rescore("spbe-2024")
    with Archive(db_url, engine=after) as archive:
        whole = archive.verify().to_json()
        monkeypatch.setattr(checks, "_CHUNK", 7)
        seen: list[int] = []
        chunked = archive.verify(progress=lambda done, total: seen.append(done)).to_json()
    assert whole["not_reproduced"] > 0 and whole["drift"]
    assert chunked == whole
    assert seen == sorted(seen) and len(seen) == -(-whole["checked"] // 7) and seen[-1] == whole["checked"]


def test_a_failed_read_ends_verify_with_that_error(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database error while reading a later chunk (in the reading thread on PostgreSQL) reaches the caller."""
    with Archive.init(db_url) as archive:
        archive.import_file(write_csv(tmp_path / "levels.csv", level_rows(20)))
        real = checks._read

        def failing(connection: Any, query: Any) -> Iterator[Any]:
            chunks = real(connection, query)
            yield next(chunks)
            raise ArchiveError("the connection was lost", kind="database")

        monkeypatch.setattr(checks, "_CHUNK", 5)
        monkeypatch.setattr(checks, "_read", failing)
        with pytest.raises(ArchiveError, match="the connection was lost"):
            archive.verify()
        monkeypatch.setattr(checks, "_read", real)
        assert archive.verify().checked == 20  # the connection is usable again
