"""The real OpenID Connect provider for the browser login tests: panva/oidc-provider from npm,
started by the test on a loopback port with one static client and a few accounts
(tests/browser/oidc/provider.mjs).

Its packages are installed from tests/browser/oidc/package-lock.json with ``npm ci`` into the
git-ignored tests/browser/oidc/node_modules: by ``scripts/setup.sh dev`` (so ``./test.sh`` and CI
have them), or here on first use. Without node/npm the login tests are skipped with the reason,
except under CI (``PANTAU_CI=1``, set by .ci/run), where a missing provider is a failure.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent / "oidc"
LOCK_FILE = HERE / "package-lock.json"
MODULES = HERE / "node_modules"
STAMP = MODULES / ".pantau-lock.sha"  # the lock file node_modules was installed from


def _unavailable(reason: str) -> None:
    if os.environ.get("PANTAU_CI"):
        pytest.fail(f"the OpenID Connect provider for the login tests is required in CI: {reason}")
    pytest.skip(f"login tests need the real OpenID Connect provider: {reason}")


def _lock_sum() -> str:
    return hashlib.sha256(LOCK_FILE.read_bytes()).hexdigest()


def ensure_installed() -> str:
    """Path of ``node``, after ``npm ci`` if node_modules is missing or older than the lock file."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        _unavailable("node and npm are not installed (Node.js 20 or newer)")
    want = _lock_sum()
    if STAMP.exists() and STAMP.read_text().strip() == want:
        return node
    with open(HERE / ".install.lock", "w") as guard:  # git-ignored; two runs never install at once
        fcntl.flock(guard, fcntl.LOCK_EX)
        if not (STAMP.exists() and STAMP.read_text().strip() == want):
            done = subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=HERE,
                                  capture_output=True, text=True, timeout=300)
            if done.returncode != 0:
                _unavailable(f"npm ci failed in {HERE}:\n{done.stderr[-2000:]}")
            STAMP.write_text(want + "\n")
    return node


@contextmanager
def oidc_provider(folder: Path, *, client: dict, accounts: dict) -> Iterator[str]:
    """The provider on a free loopback port; yields its issuer URL (``http://127.0.0.1:<port>``).
    Only the process started here is stopped."""
    node = ensure_installed()
    config = folder / "oidc-provider.json"
    config.write_text(json.dumps({"port": 0, "client": client, "accounts": accounts}), encoding="utf-8")
    log_path = folder / "oidc-provider.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([node, str(HERE / "provider.mjs"), str(config)], cwd=HERE,
                                stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        issuer = _wait_ready(proc, log_path)
        yield issuer
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def _wait_ready(proc: subprocess.Popen, log_path: Path, timeout: float = 30) -> str:
    found: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            if line.startswith("READY ") and not found:
                found.append(line.split()[1])

    threading.Thread(target=read, daemon=True).start()  # also keeps the pipe drained
    deadline = time.monotonic() + timeout
    while not found:
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the OpenID Connect provider did not start (exit {proc.poll()}):\n"
                        f"{log_path.read_text()[-3000:]}")
        time.sleep(0.05)
    return found[0]
