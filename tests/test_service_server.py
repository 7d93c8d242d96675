"""The real server: `spbe serve` as a subprocess on a free loopback port, called over HTTP, stopped by its PID.

The docs' client examples (curl, Python httpx, JavaScript fetch under node,
PHP curl) run against it as written, with the port put in; many concurrent
requests each get the answer in-process scoring gives.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from spbe_engine import Assessment, Engine, SpbeError
from spbe_engine.report import card_to_json

from .conftest import EXAMPLES, ROOT
from .server_process import running_server

httpx = pytest.importorskip("httpx")
pytest.importorskip("litestar", reason="the service extra is not installed")

DOC = ROOT / "docs" / "service.md"
_FENCE = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _tool(name: str) -> None:
    """Skip without a client tool here; in CI (which installs them) its absence is a failure."""
    if shutil.which(name) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is missing in CI: .ci/run installs the examples' tools")
        pytest.skip(f"{name} is not installed")


class Server:
    """A running `spbe serve`: its base URL and the file its stderr (the access log) goes to."""

    def __init__(self, port: int, log: Path) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.port = port
        self.log = log


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Start `spbe serve --workers 2` on a free port, wait for /readyz, and stop it by its PID afterwards."""
    log = tmp_path_factory.mktemp("server") / "stderr.log"
    with running_server(log, "--workers", "2") as url:
        yield Server(int(url.rsplit(":", 1)[1]), log)


def _examples(language: str) -> list[str]:
    blocks = [code for lang, code in _FENCE.findall(DOC.read_text(encoding="utf-8")) if lang == language]
    assert blocks, f"docs/service.md has no {language} example"
    return blocks


def _on(server: Server, code: str) -> str:
    return code.replace("http://127.0.0.1:8000", server.base)


def _run(command: list[str], tmp_path: Path) -> str:
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, f"{command[0]} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_served_over_http(server: Server) -> None:
    """The server answers on loopback: health, readiness, the document and a score, with a request id."""
    assert httpx.get(f"{server.base}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{server.base}/openapi.json").json()["openapi"].startswith("3.1")
    response = httpx.post(
        f"{server.base}/v1/score",
        json={"rubric": "spbe-2024", "levels": {f"I{n}": 4 for n in range(1, 48)}},
        headers={"x-request-id": "server-test-1"},
    )
    assert response.json()["predikat"] == "Sangat Baik" and response.headers["x-request-id"] == "server-test-1"


def test_docs_curl_examples_run(server: Server, tmp_path: Path) -> None:
    """Each curl example of docs/service.md runs against the server and gets a success answer."""
    _tool("curl")
    for code in _examples("sh"):
        if "curl" not in code:
            continue
        script = (
            "set -euo pipefail\ncd "
            + str(ROOT)
            + "\n"
            + _on(server, code).replace("-o pemdi-2026.json", f"-o {tmp_path}/r.json")
        )
        out = _run(["bash", "-c", script], tmp_path)
        assert "1.53" in out and "Kab. Pacitan" in out and "etag" in out.lower()


def test_docs_python_example_runs(server: Server, tmp_path: Path) -> None:
    """The httpx example of docs/service.md runs as written (its asserts hold) against the server."""
    code = next(block for block in _examples("python") if "httpx" in block)
    out = _run([sys.executable, "-c", _on(server, code)], tmp_path)
    assert "Contoh Pemerintah Kabupaten" in out


def test_docs_javascript_example_runs(server: Server, tmp_path: Path) -> None:
    """The fetch example of docs/service.md runs under node against the server."""
    _tool("node")
    script = tmp_path / "example.mjs"
    script.write_text(_on(server, _examples("js")[0]), encoding="utf-8")
    out = _run(["node", str(script)], tmp_path)
    assert "3.00 Baik" in out and "Kab. A: Baik (ok)" in out and "pemdi-2026: 20 indicators" in out


def test_docs_php_example_runs(server: Server, tmp_path: Path) -> None:
    """The curl example in PHP of docs/service.md runs against the server (CI installs php-cli and php-curl)."""
    _tool("php")
    script = tmp_path / "example.php"
    script.write_text(_on(server, _examples("php")[0]), encoding="utf-8")
    out = _run(["php", str(script)], tmp_path)
    assert "index 1.53, predikat Kurang" in out and "Kab. A: 3.50 Baik (ok)" in out and "Kab. B: 2.60 Cukup (ok)" in out
    assert "20 indicators, weights summing to 100" in out


def _random_assessment(rng: random.Random, engine: Engine) -> dict[str, Any]:
    rubric = rng.choice(["spbe-2018", "spbe-2021", "spbe-2023", "spbe-2024", "pemdi-2026"])
    ids = engine.plan(rubric).indicator_ids
    if rng.random() < 0.25:  # published values, as text: candidates and all
        top = engine.rubric(rubric).top_groups
        return {"rubric": rubric, "domains": {g.id: f"{rng.randint(100, 500) / 100:.2f}" for g in top}}
    return {"rubric": rubric, "levels": {i: rng.randint(1, 5) for i in ids}, "instansi": f"i{rng.randint(0, 99)}"}


def _expected(engine: Engine, body: dict[str, Any]) -> tuple[int, Any]:
    assessment = Assessment(
        levels=body.get("levels", {}),
        aggregates=body.get("domains", {}),
        rubric=body["rubric"],
        instansi=body.get("instansi"),
    )
    try:
        return 200, card_to_json(engine.score(assessment))
    except SpbeError as exc:  # the service answers the same refusal, 422
        return 422, str(exc)


def test_concurrent_requests_equal_in_process_scoring(server: Server, engine: Engine) -> None:
    """240 requests from 16 threads at once: each answer equals what in-process scoring gives."""
    rng = random.Random(11)
    bodies = [_random_assessment(rng, engine) for _ in range(240)]
    with httpx.Client(base_url=server.base, timeout=60, limits=httpx.Limits(max_connections=16)) as api:

        def call(body: dict[str, Any]) -> tuple[int, Any]:
            response = api.post("/v1/score", json=body)
            return response.status_code, response.json() if response.status_code == 200 else response.json()["detail"]

        with ThreadPoolExecutor(16) as pool:
            answers = list(pool.map(call, bodies))
    for body, answer in zip(bodies, answers, strict=True):
        assert answer == _expected(engine, body), body
    assert {status for status, _ in answers} >= {200, 422}


def test_concurrent_batches_stream_the_cli_rows(server: Server, capsys: pytest.CaptureFixture[str]) -> None:
    """Batches sent at once each stream the rows `spbe batch` writes for the same file."""
    from spbe_engine.cli import main

    path = EXAMPLES / "published-domains.csv"
    assert main(["batch", str(path)]) in (0, 1)
    expected = capsys.readouterr().out.replace(str(path), "body")

    def call(_: int) -> str:
        headers = {"content-type": "text/csv", "accept": "text/csv"}
        return httpx.post(f"{server.base}/v1/batch", content=path.read_bytes(), headers=headers, timeout=60).text

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(call, range(16))) == {expected}


def test_access_log_lines_reach_stderr(server: Server) -> None:
    """The server writes one JSON access line per request to stderr, with the request id."""
    httpx.get(f"{server.base}/healthz", headers={"x-request-id": "log-check-7"})
    deadline = time.monotonic() + 10
    while "log-check-7" not in server.log.read_text(encoding="utf-8", errors="replace"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    line = next(line for line in server.log.read_text(encoding="utf-8").splitlines() if "log-check-7" in line)
    assert json.loads(line)["route"] == "/healthz"
