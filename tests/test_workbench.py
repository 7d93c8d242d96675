"""The workbench page in a real browser: Debian's Chromium (Playwright) against a real `spbe serve`.

One server and one browser for the module; each test opens a fresh page.
Every number the page must show is computed here through the Python engine
(``engine.score``, ``engine.gap``, ``engine.rescore``), never written into
the test. Screenshots go to artifacts/screenshots/ (the path is printed).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import Assessment, Engine, InputError
from spbe_engine.inputs import read_assessment
from spbe_engine.report import card_to_json

from .workbench_helpers import SCREENSHOTS, browser, running_server, screenshot

pytest.importorskip("litestar", reason="the service extra is not installed")
httpx = pytest.importorskip("httpx")

TIMEOUT = 15_000  # ms: a loaded machine scores slowly; a wrong number still fails (it never turns right)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real `spbe serve` on a free loopback port for the whole module."""
    with running_server(tmp_path_factory.mktemp("workbench") / "stderr.log", "--no-access-log") as url:
        yield url


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, launched once for the module."""
    with browser() as launched:
        yield launched


@pytest.fixture
def page(chromium: Any, base: str) -> Iterator[Any]:
    """A fresh page (its own context: no storage shared between tests) with the workbench open."""
    context = chromium.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True)
    context.set_default_timeout(TIMEOUT)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda exc: errors.append(str(exc)))
    opened.goto(f"{base}/")
    opened.wait_for_selector("body[data-ready=true]")
    yield opened
    context.close()
    assert errors == [], f"script errors on the page: {errors}"


def _expect() -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT)
    return expect


def _choose(page: Any, rubric_id: str) -> None:
    """Pick a rubric and wait until the page shows its tree."""
    page.select_option("#rubric", rubric_id)
    page.wait_for_selector(f"body[data-rubric='{rubric_id}']")


def _fill(page: Any, levels: dict[str, int], *, by_click: bool = False) -> None:
    """Choose each indicator's level: by Playwright's check (like a user), or by clicking in one script call."""
    if by_click:
        for ident, level in levels.items():
            page.check(f"input[name='level-{ident}'][value='{level}']")
        return
    page.evaluate(
        """levels => { for (const [id, level] of Object.entries(levels)) {
            document.querySelector(`input[name='level-${id}'][value='${level}']`).click(); } }""",
        levels,
    )


def _shows(page: Any, card: dict[str, Any]) -> None:
    """The page shows the card's index, predikat and unrounded index, as the engine renders them."""
    expect = _expect()
    expect(page.locator("[data-field=index]")).to_have_text(card["index"])
    expect(page.locator("[data-field=predikat]")).to_have_text(card["predikat"])
    expect(page.locator("[data-field=exact-index]")).to_have_text(card["exact_index"])


def _indicators(engine: Engine, rubric_id: str) -> list[str]:
    return [ind.id for ind in engine.rubric(rubric_id).indicators]


def _scored(engine: Engine, rubric_id: str, levels: dict[str, int], **options: Any) -> dict[str, Any]:
    return card_to_json(engine.score(Assessment(levels=levels, rubric=rubric_id), **options))


def _random_levels(engine: Engine, rubric_id: str, seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    return {ident: rng.randint(1, 5) for ident in _indicators(engine, rubric_id)}


def test_page_and_assets_come_from_the_service(base: str, page: Any) -> None:
    """The page loads only from its own origin: no CDN, no other host, every asset served by the package."""
    html = httpx.get(f"{base}/").text
    assets = re.findall(r'(?:src|href)="(/workbench/[^"]+)"', html)
    assert {"/workbench/app.js", "/workbench/style.css"} <= set(assets)
    for asset in assets:
        text = httpx.get(f"{base}{asset}").raise_for_status().text
        assert "http://" not in text and "https://" not in text, asset
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert seen and all(url.startswith((base, "data:")) for url in seen), seen


def test_every_level_gives_the_engine_index(page: Any, engine: Engine) -> None:
    """Every spbe-2024 level chosen by hand: the page shows exactly the index and predikat engine.score gives."""
    levels = _random_levels(engine, "spbe-2024", seed=2024)
    _choose(page, "spbe-2024")
    _fill(page, levels, by_click=True)
    card = _scored(engine, "spbe-2024", levels)
    _shows(page, card)
    for group in card["groups"]:  # domain and aspect values, from the same answer
        row = page.locator("table.groups tbody tr", has=page.locator(f"th:text-is('{group['id']}')"))
        _expect()(row.locator("td").nth(2)).to_have_text(group["index"])
    screenshot(page, "workbench-complete")


def test_changing_one_level_updates_index_and_predikat(page: Any, engine: Engine) -> None:
    """Changing one level after a complete assessment: the page follows the engine's new index and predikat."""
    ids = _indicators(engine, "spbe-2024")
    levels, change, before = {}, ("", 0), {}
    for seed in range(1000):  # a start where one level moves the predikat across a band edge
        levels = _random_levels(engine, "spbe-2024", seed=seed)
        before = _scored(engine, "spbe-2024", levels)
        flips = [
            (ident, level)
            for ident in ids
            for level in range(1, 6)
            if _scored(engine, "spbe-2024", {**levels, ident: level})["predikat"] != before["predikat"]
        ]
        if flips:
            change = flips[0]
            break
    assert change[0], "no start found where one level changes the predikat"
    _choose(page, "spbe-2024")
    _fill(page, levels)
    _shows(page, before)
    page.check(f"input[name='level-{change[0]}'][value='{change[1]}']")
    after = _scored(engine, "spbe-2024", {**levels, change[0]: change[1]})
    assert after["index"] != before["index"] and after["predikat"] != before["predikat"]
    _shows(page, after)


def test_a_partial_assessment_shows_completeness_not_an_index(page: Any, engine: Engine) -> None:
    """With indicators missing, the page shows the engine's completeness and range, and no index."""
    levels = dict(list(_random_levels(engine, "spbe-2024", seed=3).items())[:12])
    _choose(page, "spbe-2024")
    _fill(page, levels)
    card = _scored(engine, "spbe-2024", levels, partial=True)
    expect = _expect()
    expect(page.locator("[data-field=completeness]")).to_have_text(card["completeness"])
    expect(page.locator("[data-field=range]")).to_have_text(" – ".join(card["index_range"]))
    expect(page.locator("[data-field=index]")).to_have_count(0)
    screenshot(page, "workbench-partial")


def _edge_case(engine: Engine, rubric_id: str, *, on_edge: bool) -> tuple[dict[str, int], Fraction]:
    """Find levels whose exact index is on a band edge, or just below one and published (rounded) on it."""
    edges = [band.lower for band in engine.rubric(rubric_id).bands[1:]]
    ids = _indicators(engine, rubric_id)
    rng = random.Random(f"{rubric_id}-{on_edge}")
    for _ in range(100_000):
        start = rng.choice([1, 2, 3, 4])
        levels = {ident: start + rng.randint(0, 1) for ident in ids}
        card = _scored(engine, rubric_id, levels)
        exact, shown = Fraction(card["exact_index"]), Fraction(card["index"])
        for edge in edges:
            if (exact == edge) if on_edge else (shown == edge and exact < edge):
                return levels, edge
    raise AssertionError(f"no band-edge assessment found for {rubric_id}")  # pragma: no cover


@pytest.mark.parametrize("rubric_id", ["spbe-2023", "spbe-2024"])
@pytest.mark.parametrize("on_edge", [True, False], ids=["on-the-edge", "rounded-onto-the-edge"])
def test_a_band_edge_lands_in_the_rubric_s_band(page: Any, engine: Engine, rubric_id: str, on_edge: bool) -> None:
    """An index on a band edge, or rounded onto one, gets the predikat of the rubric's own band rule.

    2023 reads the band from the rounded index, 2024 from the unrounded one: just below an edge, the two
    disagree, and the page must show each rubric's answer and say which rule applied.
    """
    levels, edge = _edge_case(engine, rubric_id, on_edge=on_edge)
    card = _scored(engine, rubric_id, levels)
    rubric = engine.rubric(rubric_id)
    upper = next(band.predikat for band in rubric.bands if band.lower == edge)
    below = next(band.predikat for band in rubric.bands if band.upper == edge)
    on_rounded = card["predikat_on"] == "rounded"
    # The case really sits at the edge: on it, the upper band; rounded onto it, the band of the rule.
    assert card["predikat"] == (upper if on_edge or on_rounded else below)
    _choose(page, rubric_id)
    _fill(page, levels)
    _shows(page, card)
    rule = "dibulatkan" if on_rounded else "tanpa pembulatan"
    _expect()(page.locator("[data-field=band-rule]")).to_contain_text(rule)
    screenshot(page, f"workbench-edge-{rubric_id}-{'on' if on_edge else 'rounded'}")


def test_the_gap_plan_appears(page: Any, engine: Engine) -> None:
    """The gap plan to a higher predikat: the engine's steps, one row each, and its end index."""
    levels = dict.fromkeys(_indicators(engine, "spbe-2024"), 3)
    card = _scored(engine, "spbe-2024", levels)
    bands = [band.predikat for band in engine.rubric("spbe-2024").bands]
    target = bands[bands.index(card["predikat"]) + 1]
    plan = engine.gap(Assessment(levels=levels, rubric="spbe-2024"), target)
    _choose(page, "spbe-2024")
    _fill(page, levels)
    _shows(page, card)
    page.select_option("#gap-target", target)
    page.click("#gap-run")
    expect = _expect()
    expect(page.locator("table.gap-steps tbody tr")).to_have_count(len(plan.steps))
    first = plan.steps[0]
    expect(page.locator("table.gap-steps tbody tr").first).to_contain_text(first.item)
    expect(page.locator("[data-field=gap-summary]")).to_contain_text(f"{len(plan.steps)} langkah")
    screenshot(page, "workbench-gap")


def test_rescoring_through_a_crosswalk_shows_comparability(page: Any, engine: Engine) -> None:
    """The same assessment under pemdi-2026: the engine's index, predikat and comparability mark."""
    levels = _random_levels(engine, "spbe-2024", seed=11)
    rescored = engine.rescore(Assessment(levels=levels, rubric="spbe-2024"), "pemdi-2026", missing="impute:group-mean")
    card = card_to_json(rescored.card)
    _choose(page, "spbe-2024")
    _fill(page, levels)
    _shows(page, _scored(engine, "spbe-2024", levels))
    page.select_option("#rescore-to", "pemdi-2026")
    page.select_option("#rescore-missing", "impute:group-mean")
    page.click("#rescore-run")
    expect = _expect()
    expect(page.locator("[data-field=rescore-to-result]")).to_have_text(
        f"pemdi-2026: {card['index']} {card['predikat']}"
    )
    expect(page.locator("[data-field=comparability]")).to_contain_text(f"({rescored.comparability})")
    marks = {mapping.mark for mapping in rescored.crosswalk.mappings}
    for mark in marks:
        expect(page.locator("table.crosswalk")).to_contain_text(f"({mark})")


@pytest.mark.parametrize("suffix", ["toml", "json"])
def test_save_and_reload_round_trip(page: Any, engine: Engine, tmp_path: Path, suffix: str) -> None:
    """Saved as TOML or JSON, the file is one `spbe score` reads; opened again, the page has every level back."""
    levels = _random_levels(engine, "spbe-2024", seed=5)
    del levels["I30"]  # a partial assessment saves and reloads as it is
    _choose(page, "spbe-2024")
    page.fill("#instansi", "Kabupaten Contoh")
    _fill(page, levels)
    _expect()(page.locator("[data-field=completeness]")).to_have_text(
        _scored(engine, "spbe-2024", levels, partial=True)["completeness"]
    )
    with page.expect_download() as download:
        page.click(f"#save-{suffix}")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == f".{suffix}"
    read = read_assessment(saved)  # the engine's own reader, as `spbe score FILE` uses it
    assert dict(read.levels) == levels and read.instansi == "Kabupaten Contoh" and read.rubric == "spbe-2024"

    page.click("#clear")
    _expect()(page.locator("input[name^='level-']:checked[value='']")).to_have_count(
        len(_indicators(engine, "spbe-2024"))
    )
    page.fill("#instansi", "")
    page.set_input_files("#load", str(saved))
    _expect()(page.locator("#file-status")).to_have_text(f"Dibuka: {saved.name}")
    checked = page.evaluate(
        """() => Object.fromEntries([...document.querySelectorAll("input[name^='level-']:checked")]
            .filter(i => i.value !== "").map(i => [i.name.slice(6), Number(i.value)]))"""
    )
    assert checked == levels
    assert page.input_value("#instansi") == "Kabupaten Contoh"


def test_the_worksheet_goes_out_and_comes_back_through_the_page(page: Any, engine: Engine, tmp_path: Path) -> None:
    """Download the rubric's worksheet by keyboard, fill it with openpyxl, open it: the engine's index, and its notes.

    The sheet's own provisional index is set wrong on purpose: the page shows the engine's index all the same,
    and the worksheet's note that the two disagree.
    """
    openpyxl = pytest.importorskip("openpyxl")
    _choose(page, "spbe-2024")
    assert ".xlsx" in (page.get_attribute("#load", "accept") or "").split(",")
    page.fill("#instansi", "Kota Contoh")
    page.focus("#download-xlsx")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "lke-spbe-2024.xlsx"
    template = tmp_path / "template.xlsx"
    download.value.save_as(template)

    levels = _random_levels(engine, "spbe-2024", seed=12)
    card = _scored(engine, "spbe-2024", levels)
    book = openpyxl.load_workbook(template)
    sheet = book["LKE"]
    column = [cell.value for cell in sheet[5]].index("Level") + 1
    for row in range(6, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value in levels:
            sheet.cell(row=row, column=column, value=levels[sheet.cell(row=row, column=1).value])
    sheet["C2"] = float(card["index"]) + 1  # what a spreadsheet's stale formula might have saved
    filled = tmp_path / "lke-kota-contoh.xlsx"
    book.save(filled)

    page.click("#clear")
    page.fill("#instansi", "")
    page.set_input_files("#load", str(filled))
    _expect()(page.locator("#file-status")).to_have_text(f"Dibuka: {filled.name}")
    _shows(page, card)
    assert page.input_value("#instansi") == "Kota Contoh"
    _expect()(page.locator("#file-notes li")).to_have_count(1)
    _expect()(page.locator("#file-notes li")).to_contain_text(f"disagrees with the engine's {card['index']}")
    screenshot(page, "workbench-worksheet")


def test_a_bad_file_is_refused_with_the_engine_s_message(page: Any, tmp_path: Path) -> None:
    """A file the engine cannot read: the page shows the reader's message naming the file and field."""
    bad = tmp_path / "rusak.toml"
    bad.write_text('rubric = "spbe-2024"\n[levels]\nI1 = "tinggi"\nI2 = 3\nI2 = 4\n', encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_assessment(bad)
    page.set_input_files("#load", str(bad))
    _expect()(page.locator("#file-status")).to_have_text(str(refused.value).replace(str(bad), bad.name))


def test_a_keyboard_only_run_completes_an_assessment(page: Any, engine: Engine) -> None:
    """Tab to each indicator's level group and pick a level with the arrow keys: the engine's index appears."""
    rubric_id = "pemdi-2026"
    rubric = engine.rubric(rubric_id)
    rng = random.Random(26)
    levels = {ident: rng.randint(1, 5) for ident in _indicators(engine, rubric_id)}
    page.focus("#rubric")
    page.keyboard.press("Home")  # select by keyboard: the first option, then down to the wanted rubric
    rubric_ids = page.eval_on_selector_all("#rubric option", "options => options.map(o => o.value)")
    for _ in range(rubric_ids.index(rubric_id)):
        page.keyboard.press("ArrowDown")
    _expect()(page.locator("#rubric-info")).to_contain_text(rubric.title)
    ids = page.eval_on_selector_all("fieldset[data-indicator]", "sets => sets.map(f => f.dataset.indicator)")
    assert sorted(ids) == sorted(levels)
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == f"level-{ids[0]}":
            break
    else:  # pragma: no cover - a focus order that never reaches the indicators
        pytest.fail("Tab never reached the first indicator's levels")
    for ident in ids:
        assert page.evaluate("document.activeElement.name") == f"level-{ident}"
        numbers = [level.number for level in rubric.scales[rubric.indicator(ident).scale].levels]
        for _ in range(numbers.index(levels[ident]) + 1):  # from "not assessed", one step per level
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Tab")
    _shows(page, _scored(engine, rubric_id, levels))
    screenshot(page, "workbench-keyboard")


def test_no_serious_accessibility_violations(page: Any, engine: Engine) -> None:
    """axe-core finds no serious or critical violation: empty, scored with a plan and a rescore, in English too."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    report: dict[str, list[str]] = {}

    def serious() -> list[str]:
        results = axe.run(page)
        # Every finding, of any impact, is kept beside the screenshots for the record.
        report[f"{len(report) + 1}: {page.url}"] = [
            f"{v['id']} ({v['impact']}): {len(v['nodes'])} nodes" for v in results.response["violations"]
        ]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS.parent / "axe-report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
        return [
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    assert serious() == []
    levels = _random_levels(engine, "spbe-2024", seed=1)
    _choose(page, "spbe-2024")
    _fill(page, levels)
    _shows(page, _scored(engine, "spbe-2024", levels))
    page.click("#gap-run")
    page.select_option("#rescore-to", "spbe-2023")
    page.click("#rescore-run")
    _expect()(page.locator("[data-field=comparability]")).to_be_visible()
    page.click("#explain-box summary")
    assert serious() == []
    page.click("#lang-en")
    assert serious() == []


def test_english_switch_keeps_the_rubric_s_own_texts(page: Any, engine: Engine) -> None:
    """The page speaks Indonesian by default and English on request; rubric names and criteria stay as given."""
    expect = _expect()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    _choose(page, "spbe-2024")
    name = engine.rubric("spbe-2024").indicators[0].name
    legend = page.locator("fieldset[data-indicator] legend").first
    expect(legend).to_contain_text(name)
    page.click("#lang-en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("SPBE self-assessment workbench")
    expect(legend).to_contain_text(name)
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # kept for the tab


def test_print_summary_hides_the_controls(page: Any, engine: Engine) -> None:
    """On paper: the result and the chosen levels, without buttons, pickers or unchosen levels."""
    levels = _random_levels(engine, "spbe-2024", seed=9)
    _choose(page, "spbe-2024")
    _fill(page, levels)
    _shows(page, _scored(engine, "spbe-2024", levels))
    page.emulate_media(media="print")
    expect = _expect()
    expect(page.locator("#gap-run")).to_be_hidden()
    expect(page.locator("#save-toml")).to_be_hidden()
    expect(page.locator("[data-field=index]")).to_be_visible()
    first = next(iter(levels))
    expect(page.locator(f"#ind-{first} .choice:visible")).to_have_count(1)
    screenshot(page, "workbench-print")


def test_the_api_answers_behind_the_page_are_json(base: str) -> None:
    """The files the page saves read back through /v1/assessments/read to the same assessment."""
    form = {"instansi": "Kota Contoh", "rubric": "spbe-2024", "levels": {"I1": 3, "I2": 4}}
    written = httpx.post(f"{base}/v1/assessments/write", json={**form, "format": "toml"}).raise_for_status().json()
    read = httpx.post(f"{base}/v1/assessments/read", json={"name": written["name"], "text": written["text"]})
    assert read.json() == form
    assert (
        json.loads(httpx.post(f"{base}/v1/assessments/write", json={**form, "format": "json"}).json()["text"]) == form
    )
