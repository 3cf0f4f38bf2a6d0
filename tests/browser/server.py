"""A dashboard server of a test's own, on a store of its own (the shared ``app_url`` serves the
demo store for the whole session and must not be stopped or written to).

Same command as tests/browser/conftest.py; only the process started here is stopped.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, _free_port


@contextmanager
def serve(db: Path, log_path: Path) -> Iterator[tuple[str, subprocess.Popen]]:
    """``streamlit run dashboard.py`` with PANTAU_DB=db on a free loopback port; yields (url, process).
    The caller may stop the process early (``stop(proc)``) to release the store."""
    port = _free_port()
    env = {**os.environ, "PANTAU_DB": str(db)}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless=true",
             "--server.address=127.0.0.1", f"--server.port={port}", "--browser.gatherUsageStats=false",
             "--server.fileWatcherType=none"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
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
