"""Properties of rubric evolution (crosswalks and rescoring), checked on drawn assessments."""

from __future__ import annotations

from hypothesis import given, note
from hypothesis import strategies as st

from spbe_engine import Assessment, Engine
from spbe_engine._evolution_checks import (
    check_coverage,
    check_identity_rescore,
    check_rescore_bounds,
    check_rescore_monotone,
)
from spbe_engine.rescore import MISSING_POLICIES

ENGINE = Engine.default(strict=True)
SPBE_IDS = [ind.id for ind in ENGINE.rubric("spbe-2024").indicators]
SPBE_2018_IDS = [ind.id for ind in ENGINE.rubric("spbe-2018").indicators]


def _levels(ids: list[str]) -> st.SearchStrategy[dict[str, int]]:
    return st.fixed_dictionaries({i: st.integers(1, 5) for i in ids})


@given(
    levels=_levels(SPBE_IDS),
    pair=st.sampled_from(
        [
            ("spbe-2021", "spbe-2024"),
            ("spbe-2023", "spbe-2025"),
            ("spbe-2024", "spbe-2024"),
            ("spbe-2025", "spbe-2021"),
        ]
    ),
)
def test_identity_crosswalk_changes_nothing(levels: dict[str, int], pair: tuple[str, str]) -> None:
    """Crosswalking to a rubric with identical indicators keeps every level and the exact index."""
    note(f"{pair[0]} → {pair[1]}: {levels}")
    check_identity_rescore(ENGINE, pair[0], pair[1], levels)


@given(
    levels=_levels(SPBE_IDS),
    keep=st.sets(st.sampled_from(SPBE_IDS), min_size=1),
    policy=st.sampled_from(MISSING_POLICIES),
)
def test_coverage_lies_between_0_and_1(levels: dict[str, int], keep: set[str], policy: str) -> None:
    """Whatever the input lacks and whatever the policy, coverage is in [0, 1] and the index within bounds."""
    given_levels = {k: v for k, v in levels.items() if k in keep}
    note(f"levels={given_levels} policy={policy}")
    done = ENGINE.rescore(Assessment(levels=given_levels, rubric="spbe-2024"), "pemdi-2026", missing=policy)
    check_coverage(done)
    check_rescore_bounds(ENGINE, done)


@given(levels=_levels(SPBE_2018_IDS), policy=st.sampled_from(MISSING_POLICIES))
def test_structure_change_coverage(levels: dict[str, int], policy: str) -> None:
    """spbe-2018 → spbe-2021 (a structure change): coverage and bounds hold under every policy."""
    done = ENGINE.rescore(Assessment(levels=levels, rubric="spbe-2018"), "spbe-2021", missing=policy)
    check_coverage(done)
    check_rescore_bounds(ENGINE, done)


@given(
    levels=_levels(SPBE_IDS),
    raised=st.sampled_from(SPBE_IDS),
    route=st.sampled_from(
        [
            ("spbe-2021", "spbe-2024", None),
            ("spbe-2024", "pemdi-2026", "impute:lowest"),
            ("spbe-2024", "pemdi-2026", "leave"),
            ("spbe-2024", "pemdi-2026", "impute:overall-mean"),
        ]
    ),
)
def test_rescoring_is_monotone(levels: dict[str, int], raised: str, route: tuple[str, str, str | None]) -> None:
    """Raising one source level never lowers the rescored index (or, for a partial card, its range)."""
    source, target, missing = route
    note(f"{source} → {target} ({missing}); raise {raised} from {levels}")
    check_rescore_monotone(ENGINE, levels, raised, source, target, missing)


@given(levels=_levels(SPBE_IDS))
def test_fully_covered_rescoring_respects_bounds(levels: dict[str, int]) -> None:
    """A fully covered rescoring gives a complete card whose index lies in the target scale's range."""
    done = ENGINE.rescore(Assessment(levels=levels, rubric="spbe-2023"), "spbe-2024")
    assert done.coverage == 1 and done.card.complete
    check_rescore_bounds(ENGINE, done)
