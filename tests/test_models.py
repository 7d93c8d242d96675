"""The engine's records: keyword-only construction, enums for what used to be strings."""

from __future__ import annotations

import json

import pytest

from spbe_engine import Engine, PredikatOn, Rounding, ScoreCard, ScoreSource
from spbe_engine.report import card_to_json

from .conftest import EXAMPLES


def test_enums_compare_and_serialize_as_their_text(engine: Engine) -> None:
    """A card's source and band rule are enums that still read, compare and dump as the words they were."""
    card = engine.score({f"I{n}": 3 for n in range(1, 48)}, rubric="spbe-2024")
    assert card.source is ScoreSource.LEVELS and card.source == "levels"
    assert card.predikat_on is PredikatOn.EXACT and f"{card.predikat_on}" == "exact"
    data = json.loads(json.dumps(card_to_json(card)))
    assert data["source"] == "levels" and data["predikat_on"] == "exact"
    from spbe_engine.inputs import read_assessment

    published = engine.score(read_assessment(EXAMPLES / "bandar-lampung-2022.toml"))
    assert published.source is ScoreSource.AGGREGATES and published.predikat_on is PredikatOn.ROUNDED


def test_rounding_reads_the_band_rule_and_refuses_others() -> None:
    """Rounding takes the rule as text or enum; an unknown rule is refused when the value is built."""
    assert Rounding(predikat_on="exact").predikat_on is PredikatOn.EXACT  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="sometimes"):
        Rounding(predikat_on="sometimes")  # type: ignore[arg-type]


def test_records_are_keyword_only() -> None:
    """The wide records take keywords only: a positional call cannot put a value in the wrong field."""
    with pytest.raises(TypeError):
        ScoreCard("spbe-2024", "0" * 64)  # type: ignore[misc]
