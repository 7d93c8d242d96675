"""The workbench behind bearer tokens: the page stays open, asks for a token on a 401, and keeps it in the tab only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from spbe_engine import Assessment, Engine
from spbe_engine.report import card_to_json

from .workbench_helpers import browser, running_server, screenshot

pytest.importorskip("litestar", reason="the service extra is not installed")
httpx = pytest.importorskip("httpx")

TOKEN = "workbench-test-token-1"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`spbe serve` with a bearer token configured."""
    with running_server(
        tmp_path_factory.mktemp("tokens") / "stderr.log", "--no-access-log", env={"SPBE_SERVICE_TOKENS": TOKEN}
    ) as url:
        yield url


def test_the_page_asks_for_a_token_and_keeps_it_in_the_tab(base: str, engine: Engine) -> None:
    """/ answers without a token while /v1 refuses; the page asks, then scores with the token from sessionStorage."""
    from playwright.sync_api import expect

    assert httpx.get(f"{base}/").status_code == 200
    assert httpx.get(f"{base}/v1/rubrics").status_code == 401
    with browser() as chromium:
        context = chromium.new_context()
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(f"{base}/")
        dialog = page.locator("#token-dialog")
        expect(dialog).to_be_visible()
        screenshot(page, "workbench-token")
        page.fill("#token", TOKEN)
        page.keyboard.press("Enter")
        page.wait_for_selector("body[data-ready=true]")
        page.select_option("#rubric", "spbe-2024")
        page.wait_for_selector("body[data-rubric='spbe-2024']")
        levels = {ind.id: 4 for ind in engine.rubric("spbe-2024").indicators}
        page.evaluate(
            """levels => { for (const [id, level] of Object.entries(levels)) {
                document.querySelector(`input[name='level-${id}'][value='${level}']`).click(); } }""",
            levels,
        )
        card = card_to_json(engine.score(Assessment(levels=levels, rubric="spbe-2024")))
        expect(page.locator("[data-field=index]")).to_have_text(card["index"])
        stored: dict[str, Any] = page.evaluate(
            "() => ({session: sessionStorage.getItem('spbe-workbench-token'), local: localStorage.length})"
        )
        assert stored == {"session": TOKEN, "local": 0}
        # A new tab (a new context) starts without it and asks again.
        other = chromium.new_context().new_page()
        other.goto(f"{base}/")
        expect(other.locator("#token-dialog")).to_be_visible()
        context.close()
