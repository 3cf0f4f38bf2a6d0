"""A store held by a serving process takes commands from other processes (analytics/live/owner.py).

The holder here is this test process (``owner.serve``, as app.py does at start-up); the other side
is a real ``python -m analytics`` in a subprocess, which finds the store locked and hands its
command over. The browser test (tests/browser/test_concurrent_sessions.py) does the same against
a real Streamlit server.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from analytics import store
from analytics.cli.main import dispatch
from analytics.importers.ingest import import_file
from analytics.live import owner
from tests.helpers import template_csv

ROOT = Path(__file__).resolve().parents[1]


def _rows(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i},2025-06-{1 + i % 28:02d}T09:00:00+07:00,,,,,menunggu_verifikasi,Dinas Kesehatan,,,,,,,,,"
            for i in range(n)]


def _cli(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "analytics", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def held(tmp_path):
    path = tmp_path / "pantau.duckdb"
    con = store.connect(path)
    import_file(con, template_csv(tmp_path / "seed.csv", _rows("S", 20)), region="kab-bekasi")
    con.close()
    held = owner.serve(path, run=dispatch)
    yield held
    owner.release(path)


def _count(o: owner.Owner) -> int:
    cur = o.connection.cursor()
    try:
        return store.complaint_count(cur)
    finally:
        cur.close()


def test_the_address_file_is_private_and_goes_with_the_owner(held):
    address = owner.owner_file(held.path)
    assert stat.S_IMODE(address.stat().st_mode) == 0o600
    info = json.loads(address.read_text())
    assert info["pid"] == os.getpid() and info["port"] == held.port and len(info["token"]) >= 32
    owner.release(held.path)
    assert not address.exists()


def test_an_import_from_another_process_runs_through_the_holder(held, tmp_path):
    work = tmp_path / "kerja"
    work.mkdir()
    template_csv(work / "baru.csv", _rows("N", 30))
    page = held.connection.cursor()  # a page run's snapshot, open during the import
    page.execute("BEGIN TRANSACTION READ ONLY")
    before = store.complaint_count(page)
    # Relative paths, another working directory: the server resolves nothing itself.
    result = _cli("import", "baru.csv", "--db", os.path.relpath(held.path, work), "--json", cwd=work)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report[0]["rows_new"] == 30 and report[0]["file_name"] == "baru.csv"
    assert store.complaint_count(page) == before == 20  # the page's snapshot is unchanged
    page.close()
    assert _count(held) == 50
    assert held.handled == 1
    # A read command through the holder prints what it prints on the free file.
    through = _cli("summary", "--db", str(held.path), "--format", "json")
    assert through.returncode == 0, through.stderr
    assert json.loads(through.stdout)["received"] == 50
    # Refusals come back as refusals: exit 2, the message, nothing written.
    bad = tmp_path / "rusak.csv"
    bad.write_text("bukan,ekspor\n1,2\n", encoding="utf-8")
    refused = _cli("import", str(bad), "--db", str(held.path))
    assert refused.returncode == 2 and "DITOLAK" in refused.stderr, refused
    assert _count(held) == 50
    owner.release(held.path)
    direct = _cli("summary", "--db", str(held.path), "--format", "json", "--wait", "0")
    assert direct.returncode == 0, direct.stderr
    assert json.loads(direct.stdout) == json.loads(through.stdout)


def test_a_wrong_token_or_a_bad_request_changes_nothing(held, tmp_path):
    def send(payload: bytes) -> dict:
        with socket.create_connection(("127.0.0.1", held.port), timeout=10) as s:
            s.sendall(payload)
            return json.loads(s.makefile("rb").readline())

    new = template_csv(tmp_path / "n.csv", _rows("N", 5))
    args = {"command": "import", "files": [str(new)], "db": str(held.path), "format": None, "mapping": None,
            "tz": None, "region": None, "source": None, "snapshot": None, "lang": "id", "json": True,
            "via": "cli", "wait": 0}
    wrong = send(json.dumps({"token": "x" * 43, "args": args}).encode() + b"\n")
    assert wrong["exit"] == 3 and "token" in wrong["stderr"]
    assert send(b"not json\n")["exit"] == 2
    restore = send(json.dumps({"token": held.token, "args": {"command": "restore"}}).encode() + b"\n")
    assert restore["exit"] == 2 and "not run by the server" in restore["stderr"]
    assert _count(held) == 20


def test_a_stale_address_file_is_ignored(tmp_path):
    """A crashed server leaves its file; the next command opens the store itself."""
    path = tmp_path / "pantau.duckdb"
    store.connect(path).close()
    owner.owner_file(path).write_text(json.dumps({"pid": 2**22 + 12345, "port": 9, "token": "x"}))
    result = _cli("import", str(template_csv(tmp_path / "n.csv", _rows("N", 5))), "--db", str(path),
                  "--region", "kab-bekasi", "--wait", "5")
    assert result.returncode == 0, result.stderr
    con = store.connect(path, read_only=True)
    try:
        assert store.complaint_count(con) == 5
    finally:
        con.close()
