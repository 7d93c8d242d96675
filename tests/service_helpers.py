"""Helpers for the service tests: an in-process client over an app, and the CLI's output to compare with."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from spbe_engine import Engine
from spbe_engine.cli import main

pytest.importorskip("litestar", reason="the service extra is not installed")

from litestar.testing import TestClient

from spbe_engine.service import Settings, create_app

ALL_THREES = {f"I{n}": 3 for n in range(1, 48)}


@contextmanager
def client(engine: Engine, **settings: Any) -> Iterator[TestClient[Any]]:
    """Yield an in-process client of an app over ``engine`` with the given settings (started and stopped)."""
    app = create_app(engine, Settings(access_log=False, **settings))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    """Run ``spbe ARGV`` and return its JSON output."""
    assert main(list(argv)) in (0, 1)
    return json.loads(capsys.readouterr().out)


def cli_text(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``spbe ARGV``; return its exit code, stdout and stderr."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
