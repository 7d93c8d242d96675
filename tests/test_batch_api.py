"""Engine.score_many: exact, and equal to Engine.score row by row, band edges included."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from spbe_engine import Assessment, Engine, InputError, Rubric, hookimpl
from spbe_engine._plan import ScoringPlan
from spbe_engine.batch import score_many
from spbe_engine.models import Indicator

from .rubric_helpers import engine_with, variant

np = pytest.importorskip("numpy")

ENGINE = Engine.default()
RUBRICS = ENGINE.rubric_ids()


def reachable(plan: ScoringPlan) -> dict[int, tuple[int, ...]]:
    """Map every achievable numerator to one choice of levels (plan order) that reaches it."""
    # Per indicator, each total keeps the total before it and the level taken: the first path found,
    # without copying a whole path for every (total, level) tried (this runs at import, per rubric).
    back: list[dict[int, tuple[int, int]]] = []
    totals: dict[int, tuple[int, int]] = {0: (0, 0)}
    for table in plan.contributions:
        step: dict[int, tuple[int, int]] = {}
        for total in totals:
            for level, contribution in table.items():
                step.setdefault(total + contribution, (total, level))
        back.append(step)
        totals = step
    paths: dict[int, tuple[int, ...]] = {}
    for end in totals:
        levels: list[int] = []
        total = end
        for step in reversed(back):
            total, level = step[total]
            levels.append(level)
        paths[end] = tuple(reversed(levels))
    return paths


def edge_rows(plan: ScoringPlan) -> list[tuple[int, ...]]:
    """Return levels landing exactly on, and just either side of, every band edge under the band rule."""
    paths = reachable(plan)
    sums = sorted(paths)
    targets: set[int] = set()
    for threshold in plan.exact_thresholds:
        targets.update(n for n in sums if abs(n - threshold) <= 1)
        below = [n for n in sums if n < threshold]
        above = [n for n in sums if n >= threshold]
        targets.update(below[-1:] + above[:1])
    for threshold in plan.rounded_thresholds:
        below = [n for n in sums if plan.rounded_units(n) < threshold]
        above = [n for n in sums if plan.rounded_units(n) >= threshold]
        targets.update(below[-1:] + above[:1])
    return [paths[n] for n in sorted(targets)]


EDGES = {rubric_id: edge_rows(ENGINE.plan(rubric_id)) for rubric_id in RUBRICS}


def test_edges_are_real_edges() -> None:
    """The constructed edge rows include indices exactly equal to a band's lower edge."""
    plan = ENGINE.plan("spbe-2024")
    exact = {plan.exact(plan.numerator(row)) for row in EDGES["spbe-2024"]}
    assert any(band.lower in exact for band in plan.bands[1:])


def level_rows(plan: ScoringPlan, rubric_id: str) -> st.SearchStrategy[list[tuple[int, ...]]]:
    fair = st.tuples(
        *(
            st.integers(low - 1, high + 1) if n % 7 == 0 else st.integers(low, high)
            for n, (low, high) in enumerate(zip(plan.level_low, plan.level_high, strict=True))
        )
    )
    return st.lists(st.one_of(st.sampled_from(EDGES[rubric_id]), fair), min_size=1, max_size=30)


# Built once per rubric, not once per example (hypothesis validates a new strategy object on its
# first draw, which for 47 columns costs more than the draw); the rows drawn are the same.
LEVEL_ROWS = {rubric_id: level_rows(ENGINE.plan(rubric_id), rubric_id) for rubric_id in RUBRICS}


def expected(rubric_id: str, ids: tuple[str, ...], row: tuple[int, ...]) -> tuple[Any, ...]:
    try:
        card = ENGINE.score(dict(zip(ids, row, strict=True)), rubric=rubric_id)
    except InputError as exc:
        return ("error", str(exc))
    return ("ok", card.index, card.exact_index, card.predikat)


def got(result: Any, row: int) -> tuple[Any, ...]:
    if result.status[row] != "ok":
        return ("error", result.message[row])
    return ("ok", result.index(row), result.exact_index(row), result.predikat[row])


@pytest.mark.parametrize("rubric_id", RUBRICS)
@given(data=st.data())
def test_score_many_equals_score(rubric_id: str, data: st.DataObject) -> None:
    """score_many over an int64 matrix and over mappings gives, row by row, exactly what score gives."""
    plan = ENGINE.plan(rubric_id)
    rows = data.draw(LEVEL_ROWS[rubric_id], label="rows")
    ids = plan.indicator_ids
    from_matrix = ENGINE.score_many(np.asarray(rows, dtype=np.int64), rubric=rubric_id)
    from_maps = ENGINE.score_many([dict(zip(ids, row, strict=True)) for row in rows], rubric=rubric_id)
    for n, row in enumerate(rows):
        note(f"row {n}: {dict(zip(ids, row, strict=True))}")
        want = expected(rubric_id, ids, row)
        assert got(from_matrix, n) == want
        assert got(from_maps, n) == want


@pytest.mark.parametrize("rubric_id", RUBRICS)
def test_every_edge_row(rubric_id: str) -> None:
    """Every constructed band-edge row scores the same in bulk as alone."""
    plan = ENGINE.plan(rubric_id)
    rows = EDGES[rubric_id]
    result = ENGINE.score_many(np.asarray(rows, dtype=np.int64), rubric=rubric_id)
    for n, row in enumerate(rows):
        assert got(result, n) == expected(rubric_id, plan.indicator_ids, row)


@pytest.mark.parametrize("change", [{"int64_safe": False}, {"slopes": None, "int64_safe": False}])
def test_python_int_fallbacks(change: Mapping[str, Any]) -> None:
    """Plans that may overflow int64 (or are not affine) score with Python ints, to the same results."""
    plan = ENGINE.plan("spbe-2023")
    rows = [*EDGES["spbe-2023"], tuple(9 for _ in plan.indicator_ids)]
    fast = score_many(
        plan,
        ENGINE.score({"I1": 1}, rubric="spbe-2023", partial=True).provenance,
        np.asarray(rows, dtype=np.int64),
    )
    slow = score_many(attrs.evolve(plan, **change), fast.provenance, np.asarray(rows, dtype=np.int64))
    assert slow.numerator.dtype == object
    assert [got(slow, n) for n in range(len(rows))] == [got(fast, n) for n in range(len(rows))]


def test_huge_denominator_is_not_int64_safe(tmp_path: Path) -> None:
    """Weights with large prime denominators make the plan refuse int64 and still score exactly."""
    primes = [1_000_003, 1_000_033]

    @hookimpl
    def spbe_indicator_values(rubric: Rubric, indicator: Indicator) -> Mapping[int, Fraction] | None:
        if rubric.id != "test-2021" or indicator.id not in ("I1", "I2"):
            return None
        prime = primes[indicator.id == "I2"]
        return {lv: Fraction(lv) + (Fraction(1, prime) if 1 < lv < 5 else 0) for lv in range(1, 6)}

    path = variant(tmp_path, lambda text: text)
    engine = engine_with(
        path,
        huge=type(
            "P",
            (),
            {
                "SPBE_HOOK_API": 1,
                "SPBE_APPLIES_TO": ("test-2021",),
                "spbe_indicator_values": staticmethod(spbe_indicator_values),
            },
        )(),
    )
    plan = engine.plan("test-2021")
    assert plan.slopes is None
    rows = np.asarray([[lv] * len(plan.indicator_ids) for lv in range(1, 6)], dtype=np.int64)
    result = engine.score_many(rows, rubric="test-2021")
    for n, row in enumerate(rows.tolist()):
        card = engine.score(dict(zip(plan.indicator_ids, row, strict=True)), rubric="test-2021")
        assert (result.exact_index(n), result.index(n), result.predikat[n]) == (
            card.exact_index,
            card.index,
            card.predikat,
        )


def test_mappings_without_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    """score_many over mappings works with numpy absent, giving lists."""
    monkeypatch.setitem(sys.modules, "numpy", None)
    rows = [{f"I{n}": 3 for n in range(1, 48)}, {"I1": 3}, "not a row"]
    result = ENGINE.score_many(rows, rubric="spbe-2024")
    assert isinstance(result.units, list)
    assert result.status == ["ok", "error", "error"]
    assert result.indices()[0] == Decimal("3.00")
    assert result.predikat == ["Baik", None, None]
    assert result.errors()[0][0] == 2 and "missing indicator levels" in result.errors()[0][1]
    assert "expected an Assessment" in result.message[2]


def test_assessments_and_aggregates() -> None:
    """Assessments are scored by their levels; an aggregate assessment is a per-row error."""
    levels = {f"I{n}": 4 for n in range(1, 48)}
    rows = [Assessment(levels=levels, instansi="X"), Assessment(aggregates={"D1": "3.00"})]
    result = ENGINE.score_many(rows, rubric="spbe-2024")
    assert result.index(0) == ENGINE.score(levels, rubric="spbe-2024").index
    assert list(result.ok) == [True, False]
    assert "aggregates" in result.message[1]


def test_columns_reorder_and_refuse() -> None:
    """columns= names array columns in any order; unknown or duplicate names are refused up front."""
    plan = ENGINE.plan("spbe-2024")
    ids = list(reversed(plan.indicator_ids))
    rows = np.asarray([EDGES["spbe-2024"][0][::-1]], dtype=np.int64)
    result = ENGINE.score_many(rows, rubric="spbe-2024", columns=ids)
    assert got(result, 0) == expected("spbe-2024", plan.indicator_ids, EDGES["spbe-2024"][0])
    with pytest.raises(InputError, match="unknown indicator"):
        ENGINE.score_many(rows, rubric="spbe-2024", columns=["X1", *ids[1:]])
    with pytest.raises(InputError, match="given twice"):
        ENGINE.score_many(rows, rubric="spbe-2024", columns=[ids[1], *ids[1:]])
    with pytest.raises(InputError, match="columns"):
        ENGINE.score_many(rows[:, :5], rubric="spbe-2024")
    with pytest.raises(InputError, match="integers"):
        ENGINE.score_many(rows.astype(float), rubric="spbe-2024")
    missing = ENGINE.score_many(rows[:, :46], rubric="spbe-2024", columns=ids[:46])
    assert "missing indicator levels: I1" in missing.message[0]


def test_dataframe_and_arrow() -> None:
    """DataFrames and Arrow tables: indicator columns by name, NaN is missing, other columns ignored."""
    pd = pytest.importorskip("pandas")
    pa = pytest.importorskip("pyarrow")
    plan = ENGINE.plan("spbe-2023")
    rows = EDGES["spbe-2023"][:4]
    frame = pd.DataFrame(rows, columns=list(plan.indicator_ids))
    frame.insert(0, "instansi", ["A", "B", "C", "D"])
    frame.loc[1, "I7"] = None  # a missing level turns the column to floats
    frame.loc[2, "I8"] = 9
    for data in (frame, pa.Table.from_pandas(frame)):
        result = ENGINE.score_many(data, rubric="spbe-2023")
        assert list(result.status) == ["ok", "error", "error", "ok"]
        assert "missing indicator levels: I7" in result.message[1]
        assert "I8: level out of range (got 9)" in result.message[2]
        assert got(result, 3) == expected("spbe-2023", plan.indicator_ids, rows[3])
    table = result.to_pandas()
    assert table["index"][0] == result.index(0) and table.attrs["denominator"] == plan.denominator
    arrow = result.to_arrow()
    assert arrow.column("index").to_pylist()[3] == result.index(3)


def test_plan_cache_follows_plugins(tmp_path: Path) -> None:
    """Each engine keeps its own plans (none shared), compiled once, and recompiled when its plugins change."""
    fresh = Engine.default()
    assert fresh.plan("spbe-2024") is not ENGINE.plan("spbe-2024")
    assert fresh.plan("spbe-2024") == ENGINE.plan("spbe-2024") and fresh.plan("spbe-2024") is fresh.plan("spbe-2024")
    path = variant(tmp_path, lambda text: text)
    engine = engine_with(path)
    before = engine.plan("test-2021")
    assert engine.plan("test-2021") is before

    @hookimpl
    def spbe_weights(rubric: Rubric, group: Any) -> Mapping[str, int] | None:
        if rubric.id != "test-2021" or group is None or group.id != "A8":
            return None
        return {"I42": 8, "I43": 2, "I44": 2, "I45": 2, "I46": 2, "I47": 2}

    plugin = type("W", (), {"SPBE_APPLIES_TO": ("test-2021",), "spbe_weights": staticmethod(spbe_weights)})()
    engine.plugin_manager.register(plugin, name="late")
    after = engine.plan("test-2021")
    assert after is not before and after.weights != before.weights
    engine.plugin_manager.unregister(plugin)
    assert engine.plan("test-2021").weights == before.weights


def test_pinned_sha256() -> None:
    """A pinned content hash is checked; a mismatch is refused with the installed hash named."""
    rubric = ENGINE.rubric("spbe-2024")
    levels = {f"I{n}": 3 for n in range(1, 48)}
    assert ENGINE.score(levels, rubric="spbe-2024", sha256=rubric.sha256).index == Decimal("3.00")
    assert ENGINE.pinned("spbe-2024", rubric.sha256.upper()) is rubric
    with pytest.raises(InputError, match="pinned content hash") as caught:
        ENGINE.score(levels, rubric="spbe-2024", sha256="0" * 64)
    assert rubric.sha256 in str(caught.value)
    with pytest.raises(InputError, match="pinned"):
        ENGINE.score_many([levels], rubric="spbe-2024", sha256="0" * 64)


def test_lean_card_matches_full_card() -> None:
    """A card from a plain mapping has the same details as one from an Assessment, and is not aliased."""
    levels = dict(zip(ENGINE.plan("spbe-2024").indicator_ids, EDGES["spbe-2024"][0], strict=True))
    lean = ENGINE.score(levels, rubric="spbe-2024")
    full = ENGINE.score(Assessment(levels=dict(levels)), rubric="spbe-2024")
    levels["I1"] = 5 if levels["I1"] != 5 else 1
    assert lean == full
    assert lean.indicators == full.indicators and lean.groups == full.groups


@pytest.fixture(scope="module")
def sums_2023() -> tuple[int, ...]:
    """Every achievable numerator of spbe-2023's plan, enumerated once for the rounding variants below."""
    return tuple(sorted(reachable(ENGINE.plan("spbe-2023"))))


@pytest.mark.parametrize("mode", ["half_up", "half_even", "down"])
@pytest.mark.parametrize("rule", ["rounded", "exact"])
def test_integer_rounding_and_bands_match_the_plan(mode: str, rule: str, sums_2023: tuple[int, ...]) -> None:
    """The vectorised rounding and band rule equal the plan's scalar ones, for every mode and rule."""
    from spbe_engine import Rounding
    from spbe_engine.batch import _vector as vector

    for places in (0, 1, 2, 3):
        plan = attrs.evolve(ENGINE.plan("spbe-2023"), rounding=Rounding(places, mode, rule))  # type: ignore[arg-type]
        assert plan.contributions == ENGINE.plan("spbe-2023").contributions  # so sums_2023 are its numerators
        numerators = np.asarray(sums_2023, dtype=np.int64)
        units = vector.rounded_units(plan, numerators)
        bands = vector.bands(plan, numerators, units)
        assert units.tolist() == [plan.rounded_units(n) for n in numerators.tolist()]
        assert bands.tolist() == [plan.band_of(n) for n in numerators.tolist()]


def test_affine_but_too_large_for_int64(tmp_path: Path) -> None:
    """Weights with huge denominators keep the plan affine but not int64-safe; Python ints score it exactly."""
    big = [1_000_000_007, 998_244_353, 2_147_483_647]

    @hookimpl
    def spbe_weights(rubric: Rubric, group: Any) -> Mapping[str, Fraction] | None:
        if rubric.id != "test-2021" or group is None or group.id != "A8":
            return None
        shifts = [Fraction(1, p) for p in big]
        return {
            "I42": 3 + shifts[0],
            "I43": 3 - shifts[0] + shifts[1],
            "I44": 3 - shifts[1] + shifts[2],
            "I45": 3 - shifts[2],
            "I46": Fraction(3),
            "I47": Fraction(3),
        }

    path = variant(tmp_path, lambda text: text)
    big_weights = {"SPBE_HOOK_API": 1, "SPBE_APPLIES_TO": ("test-2021",), "spbe_weights": staticmethod(spbe_weights)}
    engine = engine_with(path, big=type("B", (), big_weights)())
    plan = engine.plan("test-2021")
    assert plan.slopes is not None
    assert not plan.int64_safe
    rows = [tuple((n + k) % 5 + 1 for k in range(len(plan.indicator_ids))) for n in range(5)]
    result = engine.score_many(np.asarray(rows, dtype=np.int64), rubric="test-2021")
    assert result.numerator.dtype == object
    for n, row in enumerate(rows):
        card = engine.score(dict(zip(plan.indicator_ids, row, strict=True)), rubric="test-2021")
        assert (result.exact_index(n), result.index(n), result.predikat[n]) == (
            card.exact_index,
            card.index,
            card.predikat,
        )


@pytest.mark.parametrize(
    ("data", "columns", "needle"),
    [
        ("I1,I2", None, "iterable of rows"),
        ({"I1": 3}, None, "iterable of rows"),
        ([{"I1": 3}], ["I1"], "columns= names the columns"),
    ],
)
def test_score_many_refuses_whole_call_mistakes(data: Any, columns: Any, needle: str) -> None:
    """Input that is not rows at all is refused up front, naming what is accepted."""
    with pytest.raises(InputError, match=needle):
        ENGINE.score_many(data, rubric="spbe-2024", columns=columns)
