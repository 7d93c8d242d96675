"""The workbench's service side, in process: the page and its assets, and reading and writing assessment files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from spbe_engine import Engine, InputError
from spbe_engine.inputs import read_assessment
from spbe_engine.report import card_to_json

from .conftest import EXAMPLES
from .service_helpers import client


@pytest.fixture(scope="module")
def api() -> Any:
    with client(Engine.default(strict=True)) as test_client:
        yield test_client


def test_the_page_is_at_the_root_and_the_api_reference_at_docs(api: Any) -> None:
    """/ is the workbench (its assets under /workbench/, none in the OpenAPI document); /docs is the reference."""
    page = api.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'src="/workbench/app.js"' in page.text and '<html lang="id">' in page.text
    for asset in ("app.js", "api.js", "i18n.js", "style.css"):
        assert api.get(f"/workbench/{asset}").status_code == 200
    assert api.get("/workbench/../workbench.py").status_code == 404
    assert "ScoreRequest" in api.get("/docs").text
    assert not [path for path in api.get("/openapi.json").json()["paths"] if "workbench" in path or path == "/"]


@pytest.mark.parametrize("name", ["levels-2024.toml", "bandar-lampung-2022.toml"])
@pytest.mark.parametrize("file_format", ["toml", "json"])
def test_an_example_file_reads_and_writes_back_to_the_same_assessment(
    api: Any, tmp_path: Path, name: str, file_format: str
) -> None:
    """Read by the service, written back as TOML or JSON: the engine's reader gets the same assessment."""
    source = EXAMPLES / name
    form = api.post("/v1/assessments/read", json={"name": name, "text": source.read_text(encoding="utf-8")})
    assert form.status_code == 200, form.text
    written = api.post("/v1/assessments/write", json={**form.json(), "format": file_format}).json()
    assert written["name"].endswith(f".{file_format}")
    again = tmp_path / f"again.{file_format}"
    again.write_text(written["text"], encoding="utf-8")
    before, after = read_assessment(source), read_assessment(again)
    if file_format == "toml":
        assert after == before
    else:  # JSON keeps published values as exact text ("2.00"), which the engine reads as that decimal
        assert after.levels == before.levels and after.instansi == before.instansi
    engine = Engine.default()
    assert card_to_json(engine.score(after)) == card_to_json(engine.score(before))


def test_a_bad_file_is_refused_naming_the_uploaded_file(api: Any, tmp_path: Path) -> None:
    """The reader's own message, with the uploaded file's name in place of any temporary path."""
    text = "[levels]\nI1 = 3\nI1 = 4\n"
    bad = tmp_path / "ganda.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        read_assessment(bad)
    answer = api.post("/v1/assessments/read", json={"name": "ganda.toml", "text": text})
    assert answer.status_code == 422
    assert answer.json()["detail"] == str(refused.value).replace(str(bad), "ganda.toml")
    assert "spbe-upload" not in answer.text
    other = api.post("/v1/assessments/read", json={"name": "catatan.txt", "text": "I1 = 3"})
    assert other.status_code == 422 and other.json()["value"] == ".txt"


def test_writing_checks_the_assessment_first(api: Any) -> None:
    """A level the rubric does not have, or an unknown field, is refused with the engine's message; nothing written."""
    answer = api.post("/v1/assessments/write", json={"rubric": "spbe-2024", "levels": {"I1": 9}})
    assert answer.status_code == 422 and answer.json()["field"] == "I1"
    answer = api.post("/v1/assessments/write", json={"rubric": "spbe-2024", "levels": {"I1": 3}, "colour": "red"})
    assert answer.status_code == 422 and answer.json()["field"] == "colour"
    answer = api.post("/v1/assessments/write", json={"levels": {"I1": 3}, "metadata": {"note": None}})
    assert answer.status_code == 422 and answer.json()["field"] in ("metadata", "rubric")


def test_browser_tests_skip_here_but_fail_in_ci(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without Chromium a browser test skips with the reason; with CI set it fails instead."""
    from . import workbench_helpers

    monkeypatch.setattr(workbench_helpers, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setattr(workbench_helpers.shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="Chromium is not installed"):
        workbench_helpers.chromium_path()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run the browser tests"):
        workbench_helpers.chromium_path()
