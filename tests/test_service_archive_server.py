"""`spbe serve --db sqlite:///…` as a subprocess: the archive served over real HTTP, and the docs' archive examples.

The ```bash blocks of docs/service.md (the archive's curl examples; the
```sh blocks are the scoring examples tests/test_service_server.py runs) run
as written against this server, with ``TOKEN`` holding its write token.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT

httpx = pytest.importorskip("httpx")
pytest.importorskip("litestar", reason="the service extra is not installed")
pytest.importorskip("sqlalchemy", reason="the archive extra is not installed")

from spbe_engine.archive import Archive  # noqa: E402

from .server_process import running_server  # noqa: E402

DOC = ROOT / "docs" / "service.md"
TOKEN = "docs-example-writer"
_FENCE = re.compile(r"^```bash\n(.*?)^```", re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """Start `spbe serve --db` on a fresh archive with a write token; stop it by its PID afterwards."""
    folder = tmp_path_factory.mktemp("served")
    Archive.init(folder / "archive.sqlite").close()
    log = folder / "stderr.log"
    url = f"sqlite:///{folder / 'archive.sqlite'}"
    with running_server(log, "--db", url, env={"SPBE_SERVICE_ARCHIVE_WRITE_TOKENS": TOKEN}) as base:
        yield base, log


def test_docs_archive_examples_run(served: tuple[str, Path]) -> None:
    """The archive's curl examples of docs/service.md run in order on a fresh archive; history needs the token."""
    if shutil.which("curl") is None:
        if os.environ.get("CI"):
            pytest.fail("curl is missing in CI")
        pytest.skip("curl is not installed")
    base, log = served
    blocks = _FENCE.findall(DOC.read_text(encoding="utf-8"))
    assert blocks, "docs/service.md has no ```bash archive example"
    script = "set -euo pipefail\n" + "\n".join(blocks).replace("http://127.0.0.1:8000", base)
    proc = subprocess.run(
        ["bash", "-c", script],
        cwd=ROOT,
        env={**os.environ, "TOKEN": TOKEN},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert '"imported":621' in out and "Pemerintah Kab. Nias Barat" in out and "Pemerintah Kota Bandar Lampung" in out
    assert "serving the archive at sqlite:///" in log.read_text(encoding="utf-8")

    # History served over HTTP: 401 without the token, every year in order with it.
    path = "/v1/archive/instansi/Kota Bandar Lampung/history"
    assert httpx.get(base + path, timeout=30).status_code == 401
    response = httpx.get(base + path, headers={"authorization": f"Bearer {TOKEN}"}, timeout=30)
    assert response.status_code == 200, response.text
    entries = response.json()["entries"]
    assert [(e["assessment"]["year"], e["scoring"]["rubric_id"]) for e in entries] == [
        (2023, "spbe-2023"),
        (2023, "spbe-2024"),
    ]
