"""Rubric TOML files are validated on load; every fault is one error naming file, field and value."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from spbe_engine import RubricError

from .rubric_helpers import engine_with, variant, write_rubric


def load(tmp_path: Path, edit, rubric_id: str = "test-2021"):
    path = variant(tmp_path, edit, rubric_id)
    return engine_with(path).rubric(rubric_id), path


def test_copy_loads_with_same_content_hash_as_data(tmp_path: Path) -> None:
    """An unchanged copy loads; only the id (which is content) changes the hash."""
    rubric, _ = load(tmp_path, lambda text: text)
    assert len(rubric.indicators) == 47
    assert sum(ind.weight for ind in rubric.indicators) == 100


def test_float_weights_are_read_exactly(tmp_path: Path) -> None:
    """`weight = 2.75` is read from its TOML text, never through a binary float."""
    rubric, _ = load(tmp_path, lambda text: text)
    assert rubric.indicator("I32").weight == Fraction(11, 4)
    assert rubric.indicator("I1").weight == Fraction(13, 10)


@pytest.mark.parametrize(
    ("edit", "field", "needle"),
    [
        (
            lambda t: t.replace(
                'name = "Tingkat Kematangan Layanan Publik Sektor 3"\nweight = 3.00',
                'name = "Tingkat Kematangan Layanan Publik Sektor 3"\nweight = 2.00',
            ),
            "groups.A8.weight",
            "sum to 17",
        ),
        (
            lambda t: t.replace('name = "Layanan SPBE"\nweight = 45.50', 'name = "Layanan SPBE"\nweight = 44.50'),
            "groups",
            "sum to 99",
        ),
        (
            lambda t: t.replace('predikat = "Cukup"\nlower = 1.80', 'predikat = "Cukup"\nlower = 1.90'),
            "bands[1]",
            "gap",
        ),
        (
            lambda t: t.replace('predikat = "Cukup"\nlower = 1.80', 'predikat = "Cukup"\nlower = 1.70'),
            "bands[1]",
            "overlaps",
        ),
        (
            lambda t: t.replace(
                'predikat = "Memuaskan"\nlower = 4.20\nupper = 5.00',
                'predikat = "Memuaskan"\nlower = 4.20\nupper = 4.90',
            ),
            "bands",
            "cover",
        ),
        (
            lambda t: t.replace('[indicators.I5]\nparent = "A1"', '[indicators.I5]\nparent = "A9"'),
            "indicators.I5.parent",
            "no such group",
        ),
        (
            lambda t: t.replace('[indicators.I5]\nparent = "A1"', '[indicators.I5]\nparnet = "A1"'),
            "indicators.I5.parnet",
            "unknown field",
        ),
        (lambda t: t.replace('scale = "service"', 'scale = "servis"', 1), "scale", "no such level scale"),
        (lambda t: t.replace("weight = 1.30", 'weight = "1,30"', 1), "indicators.I1.weight", "decimal"),
        (lambda t: t.replace("weight = 1.30", "weight = -1.30", 1), "indicators.I1.weight", "negative"),
        (lambda t: t.replace("places = 2 ", "places = 9 "), "rounding.places", "0 to 6"),
        (
            lambda t: t.replace('predikat_on = "rounded"', 'predikat_on = "sometimes"'),
            "rounding.predikat_on",
            "unknown rule",
        ),
        (lambda t: t.replace("schema = 1", "schema = 7"), "schema", "format version"),
        (lambda t: t.replace("years = [2021, 2022]", "years = [2021, 2021]"), "years", "twice"),
    ],
)
def test_unsound_rubric(tmp_path: Path, edit, field: str, needle: str) -> None:
    """Unsound rubric data is refused with the file and field named."""
    with pytest.raises(RubricError) as info:
        load(tmp_path, edit)
    message = str(info.value)
    assert needle in message
    assert field in message
    assert "test-2021.toml" in message


def test_malformed_and_duplicate_key(tmp_path: Path) -> None:
    """Malformed TOML and duplicate keys are reported with the file."""
    path = write_rubric(tmp_path, "broken", 'schema = 1\nid = "broken"\nid = "again"\n')
    with pytest.raises(RubricError, match="malformed TOML"):
        engine_with(path).rubric("broken")


def test_id_must_match_file_name(tmp_path: Path) -> None:
    """The file's id must be the id it is registered under (its file name)."""
    path = variant(tmp_path, lambda t: t.replace('id = "test-2021"', 'id = "other"'))
    with pytest.raises(RubricError, match="does not match"):
        engine_with(path).rubric("test-2021")


def test_extends_and_remove(tmp_path: Path) -> None:
    """A derived rubric writes only what changes; inherited data and removals resolve."""
    text = """schema = 1
id = "derived"
extends = "spbe-2024"
title = "Derived"
years = [2099]
[legal_basis]
regulation = "Test"
[indicators.I1]
name = "Renamed"
"""
    path = write_rubric(tmp_path, "derived", text)
    rubric = engine_with(path).rubric("derived")
    assert rubric.indicator("I1").name == "Renamed"
    assert rubric.indicator("I1").weight == Fraction(13, 10)
    assert rubric.rounding.predikat_on == "exact"
    assert rubric.legal_basis.enacted == ""  # legal basis is the derived rubric's own
    path = write_rubric(tmp_path, "derived", text + '[remove]\nindicators = ["I47"]\n')
    with pytest.raises(RubricError, match="sum to 15"):
        engine_with(path).rubric("derived")


def test_extends_unknown_base(tmp_path: Path) -> None:
    """Extending an unregistered rubric names the registered ones."""
    path = write_rubric(
        tmp_path,
        "orphan",
        'schema = 1\nid = "orphan"\nextends = "nope"\ntitle = "x"\nyears = [2099]\n[legal_basis]\nregulation = "x"\n',
    )
    with pytest.raises(RubricError, match="unknown rubric"):
        engine_with(path).rubric("orphan")
