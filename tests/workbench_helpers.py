"""Helpers for the workbench's browser tests: a real `spbe serve`, Debian's Chromium, screenshots, assessments.

The browser is Debian's Chromium driven by Playwright through its executable
path (never a downloaded browser). Where Chromium or Playwright is missing the
browser tests skip with the reason; under ``CI`` (whose ``.ci/run`` installs
Chromium) they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT
from .server_process import running_server

__all__ = ["SCREENSHOTS", "browser", "chromium_path", "missing", "running_server", "screenshot"]

#: Where the browser tests leave their screenshots (CI keeps the folder; git ignores it).
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
#: Debian's Chromium (``apt-get install chromium``); SPBE_TEST_CHROMIUM names another one.
CHROMIUM = os.environ.get("SPBE_TEST_CHROMIUM", "/usr/bin/chromium")


def missing(reason: str) -> None:
    """Skip a browser test for ``reason``; in CI, where everything is installed, fail instead."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI must run the browser tests: .ci/run installs chromium")
    pytest.skip(reason)


def chromium_path() -> str:
    """Return the Chromium executable, or skip (fail in CI) when there is none."""
    found = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    if not found:
        missing(f"Chromium is not installed (looked for {CHROMIUM})")
    return str(found)


@contextmanager
def browser() -> Iterator[Any]:
    """Launch Debian's Chromium headless through Playwright; yield the Browser."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Playwright is not installed (pip install '.[dev]')")
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True)
        try:
            yield launched
        finally:
            launched.close()


def screenshot(page: Any, name: str, *, full_page: bool = False) -> Path:
    """Save a PNG of the page under artifacts/screenshots/ and print where it went."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"screenshot: {path}")
    return path
