"""A real `spbe serve` for the tests: a subprocess on a free loopback port, ready at /readyz, stopped by its PID."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .conftest import ROOT


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(log: Path, *args: str, env: Mapping[str, str] | None = None) -> Iterator[str]:
    """Run `spbe serve --port PORT ARGS` until /readyz answers; yield its base URL; stop it by its PID.

    The server's stderr (its access log) goes to ``log``. The environment is
    this process's without any ``SPBE_SERVICE_*`` setting or ``SPBE_DB``, plus ``env``.
    """
    import httpx

    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SPBE_SERVICE_") and k != "SPBE_DB"}
    environment.update(env or {})
    command = [sys.executable, "-m", "spbe_engine", "serve", "--port", str(port), *args]
    with open(log, "wb") as stderr:
        proc = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=stderr)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not become ready"
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:  # pragma: no cover - a server that ignores SIGTERM
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
