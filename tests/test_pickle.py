"""Values cross processes: every value type pickles and deep-copies, and workers score as this process does.

Worker processes are started with ``spawn`` (nothing inherited: every value
really travels pickled). The functions they run live at module level here so
a worker can import them; each worker builds its own engine once.
"""

from __future__ import annotations

import copy
import functools
import multiprocessing
import os
import pickle
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

from spbe_engine import Assessment, Engine, InputError, ScoreCard
from spbe_engine.models import FrozenDict

LEVELS = {f"I{n}": 3 for n in range(1, 48)}
HIGH = dict(LEVELS, I1=5, I32=4)
AGGREGATES = {"D1": "2.60", "D2": "3.00", "D3": "2.45", "D4": "3.50"}


@functools.cache
def _engine() -> Engine:
    """The engine of this process (a worker builds its own on first use)."""
    return Engine.default()


def score_in_worker(assessment: Assessment) -> ScoreCard:
    """Score one assessment with this process's engine (run in worker processes); missing levels allowed."""
    return _engine().score(assessment, partial=True)


def _assessments() -> list[Assessment]:
    return [
        Assessment(levels=LEVELS, rubric="spbe-2024", instansi="Kota A", metadata={"row": 1}),
        Assessment(levels=HIGH, year=2023, instansi="Kab. B"),
        Assessment(levels={f"I{n}": 4 for n in range(1, 40)}, rubric="spbe-2021"),  # partial
        Assessment(aggregates={k: Decimal(v) for k, v in AGGREGATES.items()}, rubric="spbe-2024"),
        Assessment(levels={f"I{n}": 2 for n in range(1, 21)}, rubric="pemdi-2026"),
    ]


def _same_card(back: ScoreCard, card: ScoreCard) -> None:
    """Assert a card that travelled equals the original, details included."""
    assert back == card
    assert back.groups == card.groups and back.indicators == card.indicators
    assert back.provenance == card.provenance and back.metadata == card.metadata


# -- every value type round-trips -------------------------------------------------------------------
def _values(engine: Engine) -> dict[str, Any]:
    card = engine.score(Assessment(levels=HIGH, rubric="spbe-2024", metadata={"source": "archive", "row": 7}))
    partial = engine.score(Assessment(levels={"I1": 4, "I2": 2}, rubric="spbe-2024"), partial=True)
    aggregate = engine.score(Assessment(aggregates=AGGREGATES, rubric="spbe-2024"))
    walk = engine.crosswalk("spbe-2024", "pemdi-2026")
    return {
        "Assessment": Assessment(levels=HIGH, instansi="Kota A", year=2024, metadata={"tags": ("a", "b")}),
        "Assessment (aggregates)": Assessment(aggregates={k: Decimal(v) for k, v in AGGREGATES.items()}),
        "Rubric": engine.rubric("spbe-2021"),
        "Rubric (derived)": engine.rubric("spbe-2024"),
        "IndicatorCriteria": engine.criteria("spbe-2021")["I1"],
        "ScoringPlan": engine.plan("spbe-2024"),
        "ScoreCard": card,
        "ScoreCard (partial)": partial,
        "ScoreCard (aggregates)": aggregate,
        "Provenance": card.provenance,
        "GroupScore": card.group("D1"),
        "IndicatorScore": card.indicators[0],
        "Crosswalk": walk,
        "IndicatorMapping": walk.mappings[0],
        "GapPlan": engine.gap(HIGH, "Sangat Baik", rubric="spbe-2024"),
        "GapPlan (aggregates)": engine.gap(Assessment(aggregates=AGGREGATES), "Baik", rubric="spbe-2024"),
        "Rescored": engine.rescore(Assessment(levels=HIGH, rubric="spbe-2024"), "pemdi-2026", missing="impute:lowest"),
        "Impact": engine.impact(
            [Assessment(levels=LEVELS), Assessment(levels=HIGH)], "spbe-2024", "pemdi-2026", missing="impute:lowest"
        ),
        "PluginInfo": engine.plugins[0],
        "FrozenDict": FrozenDict({"I1": 3, "I2": 4}),
    }


NAMES = [
    "Assessment",
    "Assessment (aggregates)",
    "Rubric",
    "Rubric (derived)",
    "IndicatorCriteria",
    "ScoringPlan",
    "ScoreCard",
    "ScoreCard (partial)",
    "ScoreCard (aggregates)",
    "Provenance",
    "GroupScore",
    "IndicatorScore",
    "Crosswalk",
    "IndicatorMapping",
    "GapPlan",
    "GapPlan (aggregates)",
    "Rescored",
    "Impact",
    "PluginInfo",
    "FrozenDict",
]


@pytest.fixture(scope="module")
def values(engine: Engine) -> dict[str, Any]:
    return _values(engine)


def test_every_value_type_is_listed(values: dict[str, Any]) -> None:
    """The round-trip tests cover exactly the values built here."""
    assert list(values) == NAMES


COPIES: dict[str, Callable[[Any], Any]] = {
    "pickle": lambda value: pickle.loads(pickle.dumps(value)),
    "pickle protocol 2": lambda value: pickle.loads(pickle.dumps(value, protocol=2)),
    "deepcopy": copy.deepcopy,
    "copy": copy.copy,
}


@pytest.mark.parametrize("how", list(COPIES))
@pytest.mark.parametrize("name", NAMES)
def test_value_round_trips(values: dict[str, Any], name: str, how: str) -> None:
    """A value pickled (or copied) and restored equals the original, and so do its details."""
    value = values[name]
    back = COPIES[how](value)
    assert type(back) is type(value)
    assert back == value
    if how != "copy":  # deep copies and pickles build new objects
        assert back is not value
    if isinstance(value, ScoreCard):
        _same_card(back, value)
    if name == "Rescored":
        _same_card(back.card, value.card)
        _same_card(back.source_card, value.source_card)
    if name == "Impact":
        assert back.matrix == value.matrix and back.movers() == value.movers()


def test_a_plan_that_travelled_still_works(engine: Engine) -> None:
    """A restored plan has a lock and an empty memo of its own, and reconstructs as the original does."""
    plan = engine.plan("spbe-2024")
    plan.achievable("D1")  # fill the memo before pickling: it must not travel
    back = pickle.loads(pickle.dumps(plan))
    assert back._achievable == {} and back._lock is not plan._lock
    assert back.achievable("D3") == plan.achievable("D3")
    low, high = Fraction(255, 100), Fraction(265, 100)
    assert back.candidates("D1", low, high) == plan.candidates("D1", low, high) != ()
    assert back.numerator([3] * 47) == plan.numerator([3] * 47)


def test_frozen_mapping_is_read_only_hashable_and_equal_to_a_dict() -> None:
    """FrozenDict refuses changes, equals a dict with the same items, hashes by its items, pickles as a dict."""
    frozen = FrozenDict({"I1": 3, "I2": 4})
    assert frozen == {"I2": 4, "I1": 3} and frozen != {"I1": 3}
    assert hash(frozen) == hash(FrozenDict([("I2", 4), ("I1", 3)]))
    assert {frozen: "x"}[FrozenDict({"I1": 3, "I2": 4})] == "x"
    with pytest.raises(TypeError):
        frozen["I1"] = 5  # type: ignore[index]
    with pytest.raises(AttributeError, match="read-only"):
        frozen._data = {}  # type: ignore[misc]
    assert dict(frozen.items()) == {"I1": 3, "I2": 4} and list(frozen) == ["I1", "I2"]
    assert frozen.get("I3", 0) == 0 and "I1" in frozen and len(frozen) == 2
    # What MappingProxyType offered: a dict copy, the union operators (giving dicts), reversed order.
    assert frozen.copy() == {"I1": 3, "I2": 4} and type(frozen.copy()) is dict
    assert frozen | {"I2": 5} == {"I1": 3, "I2": 5} and {"I2": 5, "I9": 1} | frozen == {"I1": 3, "I2": 4, "I9": 1}
    assert list(reversed(frozen)) == ["I2", "I1"]
    assert b"FrozenDict" in pickle.dumps(frozen) and pickle.loads(pickle.dumps(frozen)) == frozen
    source = {"I1": 3}
    copied = FrozenDict(source)
    source["I1"] = 5  # built from a copy: later changes to the source do not show
    assert copied["I1"] == 3
    with pytest.raises(TypeError):
        hash(FrozenDict({"tags": ["a"]}))  # an unhashable value makes the mapping unhashable


def test_assessments_hash_and_do_not_change_with_their_source(engine: Engine) -> None:
    """An Assessment is hashable (its mappings are frozen) and keeps its own copy of the levels."""
    levels = dict(LEVELS)
    assessment = Assessment(levels=levels, rubric="spbe-2024")
    levels["I1"] = 5
    assert assessment.levels["I1"] == 3
    assert hash(assessment) == hash(Assessment(levels=LEVELS, rubric="spbe-2024"))
    assert engine.score(assessment).exact_index == 3


def test_errors_cross_processes_with_their_fields() -> None:
    """An InputError keeps its field, value and allowed text when pickled."""
    error = InputError("level out of range", field="I4", value=9, allowed="whole levels 1 to 5")
    back = pickle.loads(pickle.dumps(error))
    assert (back.field, back.value, back.allowed, str(back)) == (error.field, error.value, error.allowed, str(error))


def test_a_batch_result_pickles_with_a_frozen_mapping_of_failures(engine: Engine) -> None:
    """With its failures in a FrozenDict (what it should hold), a BatchResult pickles and keeps its rows."""
    np = pytest.importorskip("numpy")
    levels = np.full((3, 47), 3, dtype=np.int64)
    levels[1, 3] = 9
    result = engine.score_many(levels, rubric="spbe-2024")
    frozen = attrs.evolve(result, failures=FrozenDict(result.failures))
    back = pickle.loads(pickle.dumps(frozen))
    assert back.indices() == result.indices() and list(back.status) == list(result.status)
    assert back.failures == result.failures and back.errors() == result.errors()
    assert back.provenance == result.provenance


# -- worker processes ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("spawn")) as executor:
        yield executor


def test_scoring_in_a_process_pool_equals_scoring_here(pool: ProcessPoolExecutor, engine: Engine) -> None:
    """Assessments sent to worker processes come back as score cards equal to this process's."""
    assessments = _assessments()
    cards = list(pool.map(score_in_worker, assessments))
    assert len(cards) == len(assessments)
    for assessment, card in zip(assessments, cards, strict=True):
        _same_card(card, score_in_worker(assessment))
    assert cards[2].complete is False and cards[3].source == "aggregates"
    assert cards[0].metadata == {"row": 1} and cards[1].rubric_id == "spbe-2023"


def test_an_error_in_a_worker_arrives_with_its_fields(pool: ProcessPoolExecutor) -> None:
    """A bad assessment scored in a worker raises here the InputError the worker raised, fields intact."""
    bad = Assessment(levels=dict(LEVELS, I4=9), rubric="spbe-2024")
    with pytest.raises(InputError, match="level out of range") as info:
        pool.submit(score_in_worker, bad).result()
    assert (info.value.field, info.value.value) == ("I4", 9)


def test_scoring_on_dask_workers_equals_scoring_here(engine: Engine) -> None:
    """On a local Dask cluster with worker processes, cards scored remotely equal this process's."""
    distributed = pytest.importorskip("distributed")
    assessments = _assessments()
    with (
        distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0") as cluster,
        distributed.Client(cluster) as client,
    ):
        futures = client.map(score_in_worker, assessments, pure=False)
        cards = client.gather(futures)
        workers = set(client.run(os.getpid).values())
    assert len(workers) == 2 and os.getpid() not in workers
    for assessment, card in zip(assessments, cards, strict=True):
        _same_card(card, score_in_worker(assessment))


def test_the_process_pool_recipe_in_the_guide_runs(tmp_path: Path) -> None:
    """The guide's ``jobs.py``, run as a script, scores in worker processes and its own checks hold."""
    guide = Path(__file__).resolve().parent.parent / "docs" / "embedding.md"
    blocks = re.findall(r"```python\n(.*?)```", guide.read_text(encoding="utf-8"), flags=re.DOTALL)
    recipe = next(block for block in blocks if "ProcessPoolExecutor" in block)
    assert 'if __name__ == "__main__":' in recipe and "assert cards ==" in recipe
    (tmp_path / "jobs.py").write_text(recipe, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-W", "error", "jobs.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
