"""pemdi-draft-2025 passes the spbe-engine conformance kit and registers like any rubric."""

from spbe_engine import Engine
from spbe_engine.testing import assert_rubric_conforms

RUBRIC = "pemdi-draft-2025"


def test_rubric_conforms() -> None:
    """Every check of the kit passes, the golden cases included."""
    report = assert_rubric_conforms(RUBRIC)
    assert report.result("golden").passed


def test_installed_as_a_plugin() -> None:
    """The rubric comes from this distribution, through the entry-point group."""
    engine = Engine.default()
    info = engine.plugin_of(RUBRIC)
    assert info.distribution == "spbe-rubric-pemdi-draft"
    assert [g.kind for g in engine.rubric(RUBRIC).groups] == ["aspect"] * 9
