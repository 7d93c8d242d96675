"""A score card's JSON is the same whether its plan has rendered those indicators and groups before or not.

``card_to_json`` keeps, on the card's plan, what an indicator at a level and a
complete group at a sum render to. The oracle is a fresh engine, whose plan
has kept nothing: every rendering there is made from that card's own scores.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from spbe_engine import Assessment, Engine
from spbe_engine.report import card_to_json

from .rubric_helpers import FilePlugin, variant

RUBRICS = ("spbe-2018", "spbe-2024", "pemdi-2026")


def _levels(engine: Engine, rubric: str, draw: Any) -> dict[str, int]:
    plan = engine.plan(rubric)
    return {
        i.id: draw(st.sampled_from(sorted(plan.rubric.scales[i.scale].numbers)), label=i.id)
        for i in plan.rubric.indicators
    }


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), rubric=st.sampled_from(RUBRICS))
def test_a_warm_plan_renders_a_card_as_a_cold_one_does(engine: Engine, data: st.DataObject, rubric: str) -> None:
    """The shared engine (its plans warm from every earlier example) gives the JSON a fresh engine gives."""
    levels = _levels(engine, rubric, data.draw)
    warm = card_to_json(engine.score(Assessment(levels=levels), rubric))
    cold = Engine.default()
    note(str(levels))
    assert warm == card_to_json(cold.score(Assessment(levels=levels), rubric))
    assert card_to_json(engine.score(Assessment(levels=levels), rubric), indicators=False) == {
        k: v for k, v in warm.items() if k != "indicators"
    }


def test_changing_what_card_to_json_returned_changes_no_later_card(engine: Engine) -> None:
    """The data returned is the caller's own: changing it leaves the kept renderings as they were."""
    levels = {i.id: 3 for i in engine.rubric("spbe-2024").indicators}
    first = card_to_json(engine.score(Assessment(levels=levels), "spbe-2024"))
    expected = pickle.loads(pickle.dumps(first))
    first["indicators"][0]["contribution"] = "changed"
    first["groups"][0]["candidates"].append("changed")
    first["domains"][0]["exact"] = "changed"
    again = card_to_json(engine.score(Assessment(levels=levels), "spbe-2024"))
    assert again == expected


def test_renderings_belong_to_one_plan_not_to_a_rubric_id(tmp_path: Path) -> None:
    """Two engines whose test-2021 names domain D1 differently each render their own name, in either order."""
    plain = variant(tmp_path, lambda text: text)
    renamed_dir = tmp_path / "renamed"
    renamed_dir.mkdir()
    renamed = variant(renamed_dir, lambda text: text.replace('name = "Kebijakan Internal SPBE"', 'name = "D1 baru"'))
    one = Engine.from_plugins(FilePlugin(plain), entry_points=True)
    two = Engine.from_plugins(FilePlugin(renamed), entry_points=True)
    assert one.rubric("test-2021").sha256 != two.rubric("test-2021").sha256
    levels = {i.id: 4 for i in one.rubric("test-2021").indicators}
    for first, second in ((one, two), (two, one)):
        card_to_json(first.score(Assessment(levels=levels), "test-2021"))
        got = card_to_json(second.score(Assessment(levels=levels), "test-2021"))
        assert got["domains"][0]["name"] == second.rubric("test-2021").group("D1").name
