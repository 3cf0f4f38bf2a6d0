"""Concurrency at the Python level: many readers and one writer in one process, and a second
process that finds the database held.

- A page run's cursor (ui.db.cursor) reads one snapshot: an import committing in the middle of
  the run is not seen until the next run, so numbers on one screen never mix old and new.
- N threads, each with its own cursor, read while one cursor imports: every read sees a state
  that existed (before or after some import), never an error, never a mix.
- ``python -m analytics import`` while another process holds the file exits 3 with a message,
  and succeeds when retried after that process has finished; nothing is lost.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from analytics import store
from analytics.importers.ingest import import_file
from analytics.store import status
from tests.app_fixtures import clear_caches
from tests.helpers import template_csv

ROOT = Path(__file__).resolve().parents[1]
READERS = 4


def _rows(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i},2025-06-{1 + i % 28:02d}T09:00:00+07:00,,,,,menunggu_verifikasi,Dinas Kesehatan,,,,,,,,,"
            for i in range(n)]


@pytest.fixture
def app_store(tmp_path, monkeypatch):
    """A store with 500 complaints that ui.db serves (PANTAU_DB), caches cleared around the test."""
    path = tmp_path / "pantau.duckdb"
    con = store.connect(path)
    import_file(con, template_csv(tmp_path / "seed.csv", _rows("S", 500)), region="kab-bekasi")
    con.close()
    monkeypatch.setenv("PANTAU_DB", str(path))
    clear_caches()
    yield path
    clear_caches()


def _state(cur) -> tuple[int, int, str]:
    """What a page shows: complaints and batches (two separate queries in freshness) and the
    data version (a third)."""
    fresh = status.freshness(cur)
    return fresh.complaints, fresh.batches, status.data_version(cur)


def test_a_page_run_reads_one_snapshot(app_store, tmp_path):
    from ui import db

    page = db.cursor()
    before = _state(page)
    report = db.import_upload(db.connection(), "new.csv", template_csv(tmp_path / "n.csv", _rows("N", 40)).read_bytes())
    assert report.rows_new == 40
    assert _state(page) == before, "a running page saw an import that committed after it started"
    after = _state(db.cursor())
    assert after[:2] == (before[0] + 40, before[1] + 1)


def test_page_cursor_refuses_writes_loudly(app_store):
    import duckdb

    from ui import db

    with pytest.raises(duckdb.Error, match="read-only"):
        store.set_meta(db.cursor(), "x", "y")


def test_readers_see_old_or_new_never_a_mix_or_an_error(app_store, tmp_path):
    from ui import db

    files = [template_csv(tmp_path / f"b{k}.csv", _rows(f"B{k}-", 150 + 50 * k)).read_bytes() for k in range(3)]
    first = _state(db.cursor())
    seen: list[tuple] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def reader() -> None:
        try:
            while not done.is_set():
                cur = db.cursor()  # one per "run", as page_frame does
                seen.append(_state(cur))
                cur.close()
        except BaseException as exc:  # noqa: BLE001 - any error fails the test below
            errors.append(exc)

    threads = [threading.Thread(target=reader) for _ in range(READERS)]
    for th in threads:
        th.start()
    states = [first[:2]]
    try:
        for k, data in enumerate(files):
            time.sleep(0.05)
            report = db.import_upload(db.connection(), f"b{k}.csv", data)
            c, b = states[-1]
            states.append((c + report.rows_new, b + 1))
    finally:
        time.sleep(0.05)
        done.set()
        for th in threads:
            th.join(timeout=30)
    assert not errors, errors
    assert len(seen) > READERS * 3, "readers hardly ran; the test proves nothing"
    valid = set(states)
    mixed = [s for s in seen if s[:2] not in valid]
    assert not mixed, f"reads that mixed two states: {mixed[:5]} (valid: {valid})"
    versions: dict[tuple, set] = {}
    for s in seen:
        versions.setdefault(s[:2], set()).add(s[2])
    assert all(len(v) == 1 for v in versions.values()), f"one state, several data versions: {versions}"
    final = _state(db.cursor())
    assert final[:2] == states[-1] == (first[0] + 150 + 200 + 250, first[1] + 3)


HOLDER = """
import sys, time
from analytics import store
con = store.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()  # hold the file until the test says so
con.close()
"""


def test_cli_import_while_another_process_holds_the_store(tmp_path):
    """A holder that is not a serving dashboard (another command): the import waits ``--wait``
    seconds, says it waits, and exits 3 with a message if the store stays held; it succeeds on retry."""
    db_file = tmp_path / "held.duckdb"
    con = store.connect(db_file)
    import_file(con, template_csv(tmp_path / "seed.csv", _rows("S", 20)), region="kab-bekasi")
    con.close()
    new = template_csv(tmp_path / "new.csv", _rows("N", 30))
    cmd = [sys.executable, "-m", "analytics", "import", str(new), "--db", str(db_file)]
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_file)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        locked = subprocess.run([*cmd, "--wait", "2"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert locked.returncode == 3, locked
        assert "menunggu" in locked.stderr and "waiting" in locked.stderr
        assert "in use by another process" in locked.stderr and "Traceback" not in locked.stderr
    finally:
        holder.communicate("done\n", timeout=30)  # our own child: it closes the store and exits
    retry = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert retry.returncode == 0, retry.stderr
    con = store.connect(db_file)
    try:
        assert store.complaint_count(con) == 50  # nothing lost, nothing doubled
    finally:
        con.close()


def test_cli_import_waits_for_a_holder_that_lets_go(tmp_path):
    """Two commands at once (cron and a person): the second waits and then imports by itself."""
    db_file = tmp_path / "held.duckdb"
    con = store.connect(db_file)
    import_file(con, template_csv(tmp_path / "seed.csv", _rows("S", 20)), region="kab-bekasi")
    con.close()
    new = template_csv(tmp_path / "new.csv", _rows("N", 30))
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_file)], cwd=ROOT, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        waiting = subprocess.Popen([sys.executable, "-m", "analytics", "import", str(new), "--db", str(db_file),
                                    "--wait", "60"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   text=True)
        time.sleep(3)
        assert waiting.poll() is None, waiting.communicate()
    finally:
        holder.communicate("done\n", timeout=30)
    out, err = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, err
    assert "menunggu" in err, err
    con = store.connect(db_file)
    try:
        assert store.complaint_count(con) == 50
    finally:
        con.close()
