"""The inbox (analytics/live/inbox.py, ``python -m analytics watch``): good, refused and
half-written files, snapshots arriving out of order, and a real watcher process.

Imports run as ``python -m analytics import`` children, as in production. The exports are
"Laporan Ringkas" CSVs whose title block carries "Tanggal Generate" (the snapshot the inbox orders
by); the hand case is tests/test_uncertain.py's: three complaints and four exports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from analytics import store
from analytics.live.inbox import Inbox, is_candidate
from analytics.store import status

ROOT = Path(__file__).resolve().parents[1]
UNIT = "Dinas Sosial Kabupaten Bandung"
SNAPS = {
    "S1": ("2025-07-14 17:00:00", {"A": "Belum Terverifikasi", "B": "Belum Terverifikasi", "C": "Belum Terverifikasi"}),
    "S2": ("2025-07-17 12:00:00", {"A": "Didisposisi", "B": "Belum Terverifikasi", "C": "Belum Terverifikasi"}),
    "S3": ("2025-07-18 12:00:00", {"A": "Didisposisi", "C": "Belum Terverifikasi"}),
    "S4": ("2025-07-21 12:00:00", {"A": "Didisposisi", "B": "Didisposisi", "C": "Didisposisi"}),
}


def _export(folder: Path, name: str, snap: str, *, file_name: str | None = None) -> Path:
    at, rows = SNAPS[snap]
    path = folder / (file_name or f"{name}.csv")
    path.write_text(
        "Laporan Ringkas,\nNama Instansi,Pemerintah Kabupaten Bandung\n"
        f"Tanggal Generate,{at}\n"
        "Tracking ID,Tanggal Laporan Masuk,Waktu Laporan Masuk,Instansi Terdisposisi,Status Laporan\n"
        + "".join(f"{sid},14 Jul 2025,09:00:00,{UNIT if st != 'Belum Terverifikasi' else ''},{st}\n"
                  for sid, st in rows.items()), encoding="utf-8")
    return path


def _snapshots(db: Path) -> list[pd.Timestamp]:
    con = store.connect(db, read_only=True)
    try:
        rows = con.execute("SELECT snapshot_at FROM import_batches ORDER BY batch_id").fetchall()
    finally:
        con.close()
    return [pd.Timestamp(r[0]) for r in rows]


def _stage_times(db: Path) -> list[tuple]:
    con = store.connect(db, read_only=True)
    try:
        return con.execute("SELECT source_id, status, verified_at, verified_after, dispatched_at, dispatched_after "
                           "FROM complaints ORDER BY source_id").fetchall()
    finally:
        con.close()


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def inbox(tmp_path) -> Inbox:
    folder = tmp_path / "kotak-masuk"
    folder.mkdir()
    return Inbox(folder, tmp_path / "pantau.duckdb", region="kab-bandung", settle_s=2.0, clock=Clock())


def test_good_refused_and_half_written_files(inbox):
    clock = inbox.clock
    good = _export(inbox.folder, "ringkas-s1", "S1")
    bad = inbox.folder / "rusak.csv"
    bad.write_text("ini,bukan\nekspor,apa pun\n", encoding="utf-8")
    growing = inbox.folder / "besar.csv"
    growing.write_text("Laporan Ringkas,\n", encoding="utf-8")
    (inbox.folder / "masih.csv.part").write_text("x", encoding="utf-8")
    (inbox.folder / ".tersembunyi.csv").write_text("x", encoding="utf-8")
    (inbox.folder / "catatan.docx").write_text("x", encoding="utf-8")

    assert inbox.step() == []  # first sight: nothing has been unchanged for the settle time yet
    clock.t += 1.0
    with growing.open("a", encoding="utf-8") as f:  # still being written
        f.write("Nama Instansi,Pemerintah Kabupaten Bandung\n")
    clock.t += 1.5
    handled = {h.name: h for h in inbox.step()}
    assert set(handled) == {"ringkas-s1.csv", "rusak.csv"}  # not besar.csv: it changed 1,5 s ago

    ok = handled["ringkas-s1.csv"]
    assert ok.outcome == "diimpor" and ok.moved_to.parent.name == "diimpor" and not good.exists()
    report = json.loads(ok.moved_to.with_name(ok.moved_to.name + ".laporan.json").read_text())
    assert report["rows_new"] == 3 and report["hasil"] == "diimpor"
    assert "3 baru" in ok.moved_to.with_name(ok.moved_to.name + ".laporan.txt").read_text()

    no = handled["rusak.csv"]
    assert no.outcome == "ditolak" and no.moved_to.parent.name == "ditolak" and not bad.exists()
    refusal = json.loads(no.moved_to.with_name(no.moved_to.name + ".laporan.json").read_text())
    assert refusal["hasil"] == "ditolak" and "DITOLAK" in refusal["alasan"]

    clock.t += 2.5  # the growing file is now complete (it is still not an export: refused, not lost)
    assert [(h.name, h.outcome) for h in inbox.step()] == [("besar.csv", "ditolak")]
    left = sorted(p.name for p in inbox.folder.iterdir() if p.is_file())
    assert left == [".tersembunyi.csv", "catatan.docx", "masih.csv.part"]
    assert store_count(inbox.db) == 3


def store_count(db: Path) -> int:
    con = store.connect(db, read_only=True)
    try:
        return store.complaint_count(con)
    finally:
        con.close()


def test_files_ready_together_go_in_snapshot_order_and_a_late_old_one_changes_nothing_it_should_not(inbox, tmp_path):
    # S2 and S3 land together, S3 with the older modification time: the snapshot decides, not the clock.
    s3 = _export(inbox.folder, "b-ekspor", "S3")
    s2 = _export(inbox.folder, "c-ekspor", "S2")
    os.utime(s3, (time.time() - 600, time.time() - 600))
    _export(inbox.folder, "a-ekspor", "S1")
    inbox.ready()
    inbox.clock.t += 3
    assert [h.name for h in inbox.step()] == ["a-ekspor.csv", "c-ekspor.csv", "b-ekspor.csv"]
    assert not s2.exists()
    snaps = _snapshots(inbox.db)
    assert snaps == sorted(snaps)
    # S4 arrives, then (late) nothing else: the store equals importing S1..S4 in order by hand.
    _export(inbox.folder, "d-ekspor", "S4")
    inbox.ready()
    inbox.clock.t += 3
    inbox.step()
    by_hand = tmp_path / "tangan.duckdb"
    for i, snap in enumerate(("S1", "S2", "S3", "S4")):
        path = _export(tmp_path, f"h{i}", snap)
        done = subprocess.run([sys.executable, "-m", "analytics", "import", str(path), "--db", str(by_hand),
                               "--region", "kab-bandung"], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    assert _stage_times(inbox.db) == _stage_times(by_hand)


def test_an_older_export_arriving_late_only_fills_gaps(inbox, tmp_path):
    for snap, name in (("S1", "satu"), ("S2", "dua"), ("S4", "empat")):
        _export(inbox.folder, name, snap)
        inbox.ready()
        inbox.clock.t += 3
        assert [h.outcome for h in inbox.step()] == ["diimpor"]
    before = _stage_times(inbox.db)
    _export(inbox.folder, "tiga-terlambat", "S3")  # Friday's export, found on Monday evening
    inbox.ready()
    inbox.clock.t += 3
    assert [h.outcome for h in inbox.step()] == ["diimpor"]
    after = _stage_times(inbox.db)
    # The newer S4 stays the truth for what it says; C's dispatch is now known to be after Friday.
    assert [r[:2] for r in after] == [r[:2] for r in before]
    assert len(_snapshots(inbox.db)) == 4


def test_is_candidate(tmp_path):
    for name, ok in (("a.csv", True), ("B.XLSX", True), ("c.txt", True), ("d.csv.part", False),
                     ("e.xlsx.crdownload", False), (".f.csv", False), ("~$g.xlsx", False), ("h.pdf", False)):
        (tmp_path / name).write_text("x")
        assert is_candidate(tmp_path / name) is ok, name


def test_the_watcher_process_picks_up_a_file_and_keeps_running_after_a_refusal(tmp_path):
    """The real command: a refused file first, then a good one; both handled, the watcher alive."""
    folder = tmp_path / "kotak"
    folder.mkdir()
    db = tmp_path / "pantau.duckdb"
    proc = subprocess.Popen([sys.executable, "-m", "analytics", "watch", str(folder), "--db", str(db),
                             "--region", "kab-bandung", "--settle", "0.5"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        (folder / "rusak.tmp").write_text("ini,bukan\nekspor,apa pun\n", encoding="utf-8")
        os.replace(folder / "rusak.tmp", folder / "rusak.csv")
        _wait_for(lambda: any((folder / "ditolak").glob("*rusak.csv")), 60)
        written = _export(tmp_path, "s1", "S1")
        os.replace(written, folder / "s1.csv")  # complete at once, as a sender that renames
        t0 = time.monotonic()
        _wait_for(lambda: any((folder / "diimpor").glob("*s1.csv.laporan.json")), 60)
        picked = time.monotonic() - t0
        assert proc.poll() is None
    finally:
        proc.terminate()
        out = proc.communicate(timeout=30)[0]
    assert proc.returncode == 0, out
    assert store_count(db) == 3
    print(f"picked up and imported in {picked:.1f} s")
    assert picked < 30, out  # the 10 s target is measured by the benchmark, on a quiet machine


def _wait_for(cond, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


def test_the_data_page_read_lists_the_inbox_imports(inbox):
    _export(inbox.folder, "s1", "S1")
    (inbox.folder / "rusak.csv").write_text("ini,bukan\nekspor,apa pun\n", encoding="utf-8")
    inbox.ready()
    inbox.clock.t += 3
    inbox.step()
    con = store.connect(inbox.db, read_only=True)
    try:
        rows = status.inbox_imports(con)
    finally:
        con.close()
    # s1.csv's snapshot (14 Jul 2025) is older than rusak.csv's modification time: s1 first, so newest last.
    assert list(rows["file"]) == ["rusak.csv", "s1.csv"]
    by_file = rows.set_index("file")
    assert by_file.loc["s1.csv", "rows_new"] == 3 and pd.isna(by_file.loc["s1.csv", "refused"])
    assert "not a known export format" in by_file.loc["rusak.csv", "refused"]
    assert pd.isna(by_file.loc["rusak.csv", "batch"])


def test_the_data_page_shows_the_inbox(inbox, monkeypatch, tmp_path):
    from tests.app_fixtures import clear_caches
    from tests.role_fixtures import run_as, users_toml
    from ui.i18n import t

    _export(inbox.folder, "s1", "S1")
    (inbox.folder / "rusak.csv").write_text("ini,bukan\nekspor,apa pun\n", encoding="utf-8")
    inbox.ready()
    inbox.clock.t += 3
    inbox.step()
    users = tmp_path / "pantau-users.toml"
    users.write_text(users_toml(), encoding="utf-8")
    monkeypatch.setenv("PANTAU_DB", str(inbox.db))
    monkeypatch.setenv("PANTAU_USERS", str(users))
    clear_caches()
    try:
        at = run_as("analis@bekasikab.go.id", "pages/data.py")
        assert not at.exception
        tables = [df.value for df in at.dataframe]
        inbox_rows = next(tb for tb in tables if t("data.inbox.col.result", lang="id") in tb.columns)
        results = list(inbox_rows[t("data.inbox.col.result", lang="id")])
        assert results[0].startswith("ditolak: ") and results[1].startswith("diimpor (#1): 3 baru"), results
        assert list(inbox_rows[t("data.col.file", lang="id")]) == ["rusak.csv", "s1.csv"]
    finally:
        clear_caches()


def test_one_watcher_per_inbox(tmp_path):
    import fcntl

    folder = tmp_path / "kotak"
    folder.mkdir()
    with (folder / ".pantau-watch.lock").open("a") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _export(folder, "s1", "S1")
        once = subprocess.run([sys.executable, "-m", "analytics", "watch", str(folder), "--db",
                               str(tmp_path / "p.duckdb"), "--once", "--settle", "0"], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    assert once.returncode == 0 and "another watcher" in once.stderr
    assert (folder / "s1.csv").exists()  # untouched: the other watcher has it
    once = subprocess.run([sys.executable, "-m", "analytics", "watch", str(folder), "--db",
                           str(tmp_path / "p.duckdb"), "--once", "--settle", "0.2", "--region", "kab-bandung"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert once.returncode == 0, once.stderr
    assert "s1.csv: diimpor" in once.stdout and not (folder / "s1.csv").exists()
