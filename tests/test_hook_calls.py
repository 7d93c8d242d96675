"""Hooks are called through pluggy: wrappers, ``specname`` and call order behave as pluggy defines them.

The engine still names the plugin behind every answer (in errors and in
``Provenance.hooks_answered_by``), so these tests check both the value a hook
call gives and who it is credited to.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Generator, Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest

from spbe_engine import Engine, Indicator, PluginError, Rounding, Rubric, hookimpl

from .rubric_helpers import FilePlugin, engine_with, variant

OWN = "test-2021"
ALL_THREES = {f"I{n}": 3 for n in range(1, 48)}
# 3 + 2.75 * 2 / 100 = 3.055: the rubric's half_up to two places publishes 3.06.
ONE_HIGH = dict(ALL_THREES, I32=5)


def _plugin(**hooks: object) -> types.SimpleNamespace:
    # A hook plugin beside the one that registers test-2021: it declares the rubric it applies to.
    return types.SimpleNamespace(SPBE_HOOK_API=1, SPBE_APPLIES_TO=(OWN,), **hooks)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return variant(tmp_path, lambda text: text)


# -- wrappers -----------------------------------------------------------------------------------
def test_a_wrapper_changes_the_answer_and_is_credited(path: Path) -> None:
    """A new-style wrapper receives the answer pluggy chose and its return value is used."""

    @hookimpl(wrapper=True)
    def spbe_rounding(rubric: Rubric) -> Generator[None, Rounding | None, Rounding | None]:
        rounding = yield
        if rubric.id != OWN or rounding is None:
            return rounding
        return attrs.evolve(rounding, places=1, mode="down")

    engine = engine_with(path, wrap=_plugin(spbe_rounding=spbe_rounding))
    card = engine.score(ONE_HIGH, rubric=OWN)
    assert str(card.index) == "3.0"  # 3.055 rounded down to one place
    assert engine.plan(OWN).rounding == Rounding(places=1, mode="down", predikat_on="rounded")
    assert card.provenance.hooks_answered_by == {"spbe_rounding": ("wrap",)}
    # Another rubric: the wrapper handed the default answer on unchanged, so nobody but the data answered.
    assert engine.score(ALL_THREES, rubric="spbe-2024").provenance.hooks_answered_by == {}
    assert str(engine.score(ONE_HIGH, rubric="spbe-2021").index) == "3.06"


def test_an_observing_wrapper_sees_the_answer_once_and_changes_nothing(path: Path) -> None:
    """A wrapper that only watches runs once per hook call, sees the winning answer, and is not credited."""
    seen: list[tuple[str, Rounding | None]] = []

    @hookimpl(wrapper=True)
    def spbe_rounding(rubric: Rubric) -> Generator[None, Rounding | None, Rounding | None]:
        rounding = yield
        seen.append((rubric.id, rounding))
        return rounding

    engine = engine_with(path, watch=_plugin(spbe_rounding=spbe_rounding))
    plan = engine.plan(OWN)
    assert seen == [(OWN, plan.rubric.rounding)]
    assert plan.answered_by == {}
    assert str(engine.score(ONE_HIGH, rubric=OWN).index) == "3.06"


def test_an_old_style_hookwrapper_can_force_the_result(path: Path) -> None:
    """An old-style ``hookwrapper=True`` implementation works too, through pluggy's own result object."""

    @hookimpl(hookwrapper=True)
    def spbe_indicator_values(rubric: Rubric, indicator: Indicator) -> Generator[None, Any, None]:
        outcome = yield
        if rubric.id == OWN and indicator.id == "I1":
            outcome.force_result({level: Fraction(level) if level != 3 else Fraction(7, 2) for level in range(1, 6)})

    engine = engine_with(path, old=_plugin(spbe_indicator_values=spbe_indicator_values))
    card = engine.score(ALL_THREES, rubric=OWN)
    assert card.exact_index == 3 + Fraction(13, 10) * Fraction(1, 2) / 100
    assert card.provenance.hooks_answered_by == {"spbe_indicator_values": ("old",)}


def test_a_wrapper_returning_a_bad_value_is_named(path: Path) -> None:
    """A wrapper that turns a good answer into a bad one is named as the plugin at fault."""

    @hookimpl(wrapper=True)
    def spbe_rounding(rubric: Rubric) -> Generator[None, Rounding | None, object]:
        rounding = yield
        return "half_up" if rubric.id == OWN else rounding

    engine = engine_with(path, spoiler=_plugin(spbe_rounding=spbe_rounding))
    with pytest.raises(PluginError, match="plugin 'spoiler', hook spbe_rounding: must return a Rounding") as info:
        engine.plan(OWN)
    assert info.value.plugin == "spoiler"
    validated = Engine.from_plugins(FilePlugin(path), ("spoiler", _plugin(spbe_rounding=spbe_rounding)), validate=True)
    spoiler = next(p for p in validated.plugins if p.name == "spoiler")
    assert not spoiler.active and "must return a Rounding" in spoiler.reason
    assert validated.plan(OWN).rounding == validated.rubric(OWN).rounding


def test_a_wrapper_that_raises_is_named(path: Path) -> None:
    """An exception raised in a wrapper names the wrapper's plugin, not the plugin that answered."""

    @hookimpl(wrapper=True)
    def spbe_rounding(rubric: Rubric) -> Generator[None, Rounding | None, Rounding | None]:
        rounding = yield
        if rubric.id == OWN:
            raise LookupError("no rounding table")
        return rounding

    @hookimpl(specname="spbe_rounding")
    def answer(rubric: Rubric) -> Rounding | None:
        return Rounding(places=3) if rubric.id == OWN else None

    engine = engine_with(path, answers=_plugin(answer=answer), crashy=_plugin(spbe_rounding=spbe_rounding))
    with pytest.raises(PluginError, match="plugin 'crashy', hook spbe_rounding raised LookupError") as info:
        engine.plan(OWN)
    assert info.value.plugin == "crashy"


def test_a_wrapper_that_is_no_generator_is_set_aside(path: Path) -> None:
    """A "wrapper" that is a plain function is refused when its plugin loads, with pluggy's reason."""

    @hookimpl(wrapper=True)
    def spbe_rounding(rubric: Rubric) -> Rounding:
        return Rounding(places=1)

    engine = engine_with(path, broken=_plugin(spbe_rounding=spbe_rounding))
    broken = next(p for p in engine.plugins if p.name == "broken")
    assert not broken.active and "not a generator function" in broken.reason
    assert engine.plan(OWN).rounding == engine.rubric(OWN).rounding


# -- specname ---------------------------------------------------------------------------------------
def test_a_specname_register_hook_registers_a_rubric_that_scores(path: Path) -> None:
    """``@hookimpl(specname="spbe_register_rubrics")`` on a differently named function registers its rubric."""

    @hookimpl(specname="spbe_register_rubrics")
    def provide_rubrics(register: Callable[[Path], None]) -> None:
        register(path)

    engine = Engine.from_plugins(("named", _plugin(provide_rubrics=provide_rubrics)))
    info = next(p for p in engine.plugins if p.name == "named")
    assert info.active and info.rubrics == (OWN,) and info.hooks == ("spbe_register_rubrics",)
    assert engine.plugin_of(OWN).name == "named"
    card = engine.score(ALL_THREES, rubric=OWN)
    assert card.exact_index == 3 and card.provenance.plugin == "named"


def test_a_class_based_plugin_with_specname_methods(path: Path) -> None:
    """Methods named freely, bound to their ``specname`` hooks, register and answer."""

    class Plugin:
        SPBE_HOOK_API = 1

        @hookimpl(specname="spbe_register_rubrics")
        def rubrics(self, register: Callable[[Path], None]) -> None:
            register(path)

        @hookimpl(specname="spbe_rounding")
        def rounding(self, rubric: Rubric) -> Rounding | None:
            return Rounding(places=1, mode="half_up") if rubric.id == OWN else None

    engine = Engine.from_plugins(("classy", Plugin()))
    card = engine.score(ONE_HIGH, rubric=OWN)
    assert str(card.index) == "3.1"
    assert card.provenance.hooks_answered_by == {"spbe_rounding": ("classy",)}


def test_one_plugin_registering_rubrics_twice_through_specname(tmp_path: Path) -> None:
    """Two register implementations of one plugin (one by ``specname``) both run: every rubric registers."""
    first = variant(tmp_path, lambda text: text, rubric_id="one-2021")
    second = variant(tmp_path, lambda text: text, rubric_id="two-2021")

    @hookimpl
    def spbe_register_rubrics(register: Callable[[Path], None]) -> None:
        register(first)

    @hookimpl(specname="spbe_register_rubrics")
    def more(register: Callable[[Path], None]) -> None:
        register(second)

    engine = Engine.from_plugins(("both", _plugin(spbe_register_rubrics=spbe_register_rubrics, more=more)))
    assert engine.rubric_ids() == ("one-2021", "two-2021")
    assert set(next(p for p in engine.plugins if p.name == "both").rubrics) == {"one-2021", "two-2021"}


def test_a_register_wrapper_wraps_only_its_own_plugin(tmp_path: Path) -> None:
    """A wrapper of ``spbe_register_rubrics`` runs around its own plugin's registration, not another's."""
    mine = variant(tmp_path, lambda text: text, rubric_id="mine-2021")
    theirs = variant(tmp_path, lambda text: text, rubric_id="theirs-2021")
    calls: list[str] = []

    @hookimpl
    def spbe_register_rubrics(register: Callable[[Path], None]) -> None:
        register(mine)

    @hookimpl(wrapper=True, specname="spbe_register_rubrics")
    def around(register: Callable[[Path], None]) -> Generator[None, list[None], list[None]]:
        calls.append("before")
        result = yield
        calls.append("after")
        return result

    @hookimpl(specname="spbe_register_rubrics")
    def other(register: Callable[[Path], None]) -> None:
        register(theirs)

    engine = Engine.from_plugins(
        ("wrapped", _plugin(spbe_register_rubrics=spbe_register_rubrics, around=around)),
        ("other", _plugin(other=other)),
    )
    assert calls == ["before", "after"]  # once, around its own plugin's registration only
    assert engine.plugin_of("mine-2021").name == "wrapped" and engine.plugin_of("theirs-2021").name == "other"


# -- call order -----------------------------------------------------------------------------------
def test_tryfirst_wins_and_is_credited(path: Path) -> None:
    """Of two plugins answering one hook, the ``tryfirst`` one wins, whatever the registration order."""

    @hookimpl(tryfirst=True)
    def eager(rubric: Rubric) -> Rounding | None:
        return Rounding(places=1) if rubric.id == OWN else None

    @hookimpl
    def plain(rubric: Rubric) -> Rounding | None:
        return Rounding(places=3) if rubric.id == OWN else None

    # "plain" registers last, so without tryfirst pluggy would ask it first.
    engine = engine_with(path, eager=_plugin(spbe_rounding=eager), plain=_plugin(spbe_rounding=plain))
    assert engine.plan(OWN).rounding.places == 1
    assert engine.plan(OWN).answered_by == {"spbe_rounding": ("eager",)}


def test_the_last_registered_plugin_answers_first(path: Path) -> None:
    """Without tryfirst/trylast pluggy asks the plugin registered last first; the engine credits it."""

    def rounding(places: int) -> Callable[[Rubric], Rounding | None]:
        def spbe_rounding(rubric: Rubric) -> Rounding | None:
            return Rounding(places=places) if rubric.id == OWN else None

        return hookimpl(spbe_rounding)

    engine = engine_with(path, early=_plugin(spbe_rounding=rounding(1)), late=_plugin(spbe_rounding=rounding(3)))
    assert engine.plan(OWN).rounding.places == 3
    assert engine.plan(OWN).answered_by == {"spbe_rounding": ("late",)}


def test_a_plugin_whose_implementations_straddle_another_is_refused(path: Path) -> None:
    """One plugin implementing a hook twice, with another plugin called in between, is named and refused."""

    @hookimpl(tryfirst=True, specname="spbe_rounding")
    def before(rubric: Rubric) -> Rounding | None:
        return None

    @hookimpl(trylast=True, specname="spbe_rounding")
    def after(rubric: Rubric) -> Rounding | None:
        return None

    @hookimpl
    def spbe_rounding(rubric: Rubric) -> Rounding | None:
        return None

    engine = engine_with(path, split=_plugin(before=before, after=after), middle=_plugin(spbe_rounding=spbe_rounding))
    with pytest.raises(PluginError, match="plugin 'split', hook spbe_rounding: implemented more than once") as info:
        engine.plan(OWN)
    assert info.value.plugin == "split"


def test_hooks_of_a_plugin_that_only_answers_others_rubrics_are_not_credited(path: Path) -> None:
    """A plugin that returns ``None`` for a rubric is asked but not credited; the data answers."""
    asked: list[str] = []

    @hookimpl
    def spbe_indicator_values(rubric: Rubric, indicator: Indicator) -> Mapping[int, Fraction] | None:
        asked.append(indicator.id)
        return None

    engine = engine_with(path, shy=_plugin(spbe_indicator_values=spbe_indicator_values))
    assert engine.plan(OWN).answered_by == {}
    assert asked == [f"I{n}" for n in range(1, 48)]  # once per indicator: no second call without wrappers
