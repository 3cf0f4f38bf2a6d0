"""Starting and stopping a dashboard server for a browser test: ``streamlit run app.py`` (the
dashboard behind Pantau's HTTP guard, as run.sh starts it) on a free loopback port with its own store (and, for the login tests, its own secrets and users file).
The shared ``app_url`` fixture (conftest.py) serves the demo store for the whole session; tests that
write or need another configuration start their own here. Only the process started here is stopped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(db: Path, log_path: Path, *, env: dict[str, str] | None = None, args: tuple[str, ...] = (),
          port: int | None = None, script: str = "app.py") -> Iterator[tuple[str, subprocess.Popen]]:
    """The dashboard with PANTAU_DB=db (plus ``env``, extra ``args`` for streamlit run) on ``port``
    or a free loopback port; yields (url, process). The caller may stop the process early
    (``stop(proc)``) to release the store."""
    port = port or free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", script, "--server.headless=true",
             "--server.address=127.0.0.1", f"--server.port={port}", "--browser.gatherUsageStats=false",
             "--server.fileWatcherType=none", *args],
            cwd=ROOT, env={**os.environ, "PANTAU_DB": str(db), **(env or {})}, stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 45
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start (exit {proc.poll()}):\n{log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield url, proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    """Stop our own server process by its handle (a no-op when it has already exited)."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
