"""Facts from official sources that the bundled data records, pinned where the engine can check them."""

from __future__ import annotations

from spbe_engine import Engine

#: KemenPANRB, slide "Indikator yang beririsan" on KepmenPANRB 962/2021 (scribd 530584683), first page:
#: 59/2020 indicator <- the 5/2018 indicator it overlaps.
OVERLAP_SLIDE = {
    "I1": "I3",
    "I4": "I6",
    "I5": "I5",
    "I32": "I27",
    "I33": "I28",
    "I34": "I29",
    "I35": "I31",
    "I36": "I26",
    "I37": "I25",
}


def test_crosswalk_2018_2021_follows_the_official_overlap_slide(engine: Engine) -> None:
    """Every pair the slide prints is in the crosswalk, marked official with its reference; no other is."""
    walk = engine.crosswalk("spbe-2018", "spbe-2021")
    for target, source in OVERLAP_SLIDE.items():
        mapping = walk.mapping(target)
        assert mapping.sources == (source,) and mapping.basis == "official mapping", target
        assert "530584683" in mapping.reference and mapping.mark == "approximate"
    others = {m.target for m in walk.mappings if m.basis == "official mapping"} - set(OVERLAP_SLIDE)
    assert others == set()
    assert all(m.basis == "project judgement" for m in walk.mappings if m.target not in OVERLAP_SLIDE)


def test_the_slide_gives_5_2018_indicator_6_to_i4_not_i7(engine: Engine) -> None:
    """5/2018 #6 (Kebijakan Internal Integrasi Sistem Aplikasi) feeds I4 only; I7 has no source."""
    walk = engine.crosswalk("spbe-2018", "spbe-2021")
    assert [m.target for m in walk.mappings if "I6" in m.sources] == ["I4"]
    assert "I7" in walk.unmapped
