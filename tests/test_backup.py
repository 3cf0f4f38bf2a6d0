"""Backups and restores of the store (analytics/live/backup.py, ``python -m analytics backup`` and
``restore``).

- A restored backup is the same store: the same league (the CLI's JSON, compared exactly), the
  same rows in every table, the same meta, sequences that go on where the store was.
- A restore never overwrites (the path, or only its .wal, exists) and refuses a damaged backup or a
  file without a Pantau manifest, leaving nothing behind; a failed backup leaves nothing either.
- --keep removes only older files named like Pantau backups.
- A backup taken while another cursor of the same connection imports is one snapshot: every table
  from before the import, or every table from after it.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from analytics import store
from analytics.importers.ingest import Actor, import_file
from analytics.live import backup
from analytics.live.backup import (
    RestoreRefused,
    backup_store,
    default_backup_dir,
    prune_backups,
    read_manifest,
    restore_store,
)
from analytics.security import audit
from analytics.store.schema import migrations
from tests.app_fixtures import DEMO_END
from tests.helpers import fingerprint, template_csv

LATEST = migrations()[-1][0]  # the schema this Pantau writes

NOW = datetime(2025, 11, 20, 19, 30, tzinfo=UTC)
# Every table of the store: a restored store must hold each one row for row.
TABLES = ("complaints", "status_history", "import_batches", "quarantine", "meta", "audit_log", "commitments",
          "login_sessions", "schema_migrations")
SEQUENCES = ("import_batch_seq", "commitment_seq", "audit_seq")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory) -> Path:
    """A small demo store with a row in every table that has a sequence, built once per module."""
    from analytics.demo.load import load_demo

    folder = tmp_path_factory.mktemp("backup_demo")
    path = folder / "pantau.duckdb"
    con = store.connect(path)
    load_demo(con, seed=7, months=6, rows=3000, end=DEMO_END, out_dir=folder / "out")
    audit.record(con, who="cli:test", role="cli", action="demo", at=NOW)
    con.execute("INSERT INTO commitments (unit, text, due_on, made_week, created_at) "
                "VALUES ('Dinas Kesehatan', 'Tutup tunggakan', DATE '2025-12-01', '2025-W47', $t)", {"t": NOW})
    con.execute("INSERT INTO login_sessions VALUES ('s1', 'a@b.id', 'keycloak', 'analis', NULL, $t, $t, NULL)",
                {"t": NOW})
    con.close()
    return path


@pytest.fixture
def live(demo_file, tmp_path) -> Path:
    """A copy of the demo store this test may change, in its own folder."""
    path = tmp_path / "live" / "pantau.duckdb"
    path.parent.mkdir()
    shutil.copyfile(demo_file, path)
    return path


def _backup(path: Path, to: Path, *, keep: int | None = None, now: datetime = NOW) -> backup.BackupResult:
    con = store.connect(path)
    try:
        return backup_store(con.cursor(), to, keep=keep, now=now)
    finally:
        con.close()


def _rows(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i},2025-11-{1 + i % 18:02d}T09:00:00+07:00,,,,,menunggu_verifikasi,Dinas Kesehatan,,,,,,,,,"
            for i in range(n)]


def _contents(path: Path) -> dict:
    """Rows (count and content hash) of every table, and the next value of every sequence."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {t: con.execute(f"SELECT count(*), sum(hash(x)) FROM {t} x").fetchall()[0] for t in TABLES}
        # currval-free: the sequences' position as the catalog reports it
        out["sequences"] = dict(con.execute(
            "SELECT sequence_name, last_value FROM duckdb_sequences() ORDER BY 1").fetchall())
        return out
    finally:
        con.close()


def _league_json(path: Path, by: str, capsys) -> list:
    from analytics.cli.main import main

    capsys.readouterr()
    assert main(["league", "--by", by, "--db", str(path), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _cli(argv: list[str]) -> int:
    """Run analytics.cli.backup through a parser of its own commands (cli.main registers them)."""
    from analytics.cli import backup as cli_backup
    from analytics.cli.main import _add_db

    parser = argparse.ArgumentParser(prog="python -m analytics")
    cli_backup.add_commands(parser.add_subparsers(dest="command", required=True), _add_db)
    return cli_backup.run(parser.parse_args(argv))


def _leftovers(folder: Path) -> list[str]:
    """Temporary files a backup or restore must never leave (hidden names, .tmp, .wal)."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix in (".tmp", ".wal"))


def test_a_restored_backup_is_the_same_store(live, tmp_path, capsys):
    result = _backup(live, default_backup_dir(live))
    assert result.path == live.parent / "cadangan" / "pantau-20251120-193000.duckdb"
    assert result.complaints == 3000 and result.batches == 1 and result.schema_version == LATEST
    manifest = read_manifest(result.path)
    assert manifest["source"] == "pantau.duckdb" and manifest["created_at"] == "2025-11-20T19:30:00+00:00"
    assert manifest["sha256"] == result.sha256 and manifest["bytes"] == result.bytes == result.path.stat().st_size
    assert manifest["tables"]["complaints"] == 3000 and manifest["tables"]["login_sessions"] == 1

    restored = restore_store(result.path, tmp_path / "pulih" / "kabupaten.duckdb")
    assert restored.complaints == 3000 and restored.schema_version == restored.backup_schema_version == LATEST
    assert _contents(restored.path) == _contents(live)
    con_a, con_b = (duckdb.connect(str(p), read_only=True) for p in (live, restored.path))
    try:
        assert fingerprint(con_a) == fingerprint(con_b)
        assert dict(con_a.execute("SELECT * FROM meta").fetchall()) == dict(con_b.execute("SELECT * FROM meta").fetchall())
    finally:
        con_a.close()
        con_b.close()
    for by in ("opd", "kecamatan"):
        league = _league_json(live, by, capsys)
        assert league and _league_json(restored.path, by, capsys) == league
    # The restored store goes on where the store was: its next batch id is not one already used.
    con = store.connect(restored.path)
    try:
        assert con.execute("SELECT nextval('import_batch_seq')").fetchall()[0][0] == 2
        assert con.execute("SELECT nextval('commitment_seq')").fetchall()[0][0] == 2
    finally:
        con.close()
    assert _leftovers(restored.path.parent) == [] and _leftovers(result.path.parent) == []


def test_the_cli_backs_up_and_restores(live, tmp_path, capsys):
    to = tmp_path / "cadangan-lain"
    assert _cli(["backup", "--db", str(live), "--to", str(to), "--keep", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("cadangan dibuat / backup written: " + str(to / "pantau-"))
    assert re.search(rf"^  \d+,\d MB · 3\.000 aduan / complaints · 1 impor / imports · skema / schema v{LATEST} · \d+,\d detik / s$", out, re.M)
    (made,) = to.glob("pantau-*.duckdb")
    new = tmp_path / "baru.duckdb"
    assert _cli(["restore", str(made), "--db", str(new)]) == 0
    out = capsys.readouterr().out
    assert f"dipulihkan / restored: {new} (dari / from {made.name})" in out and "3.000 aduan" in out
    assert _cli(["restore", str(made), "--db", str(new)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("DITOLAK / REFUSED ") and "already exists" in err
    assert _cli(["backup", "--db", str(tmp_path / "tidak-ada.duckdb")]) == 2
    assert "does not exist" in capsys.readouterr().err and not (tmp_path / "tidak-ada.duckdb").exists()


def test_the_cli_backs_up_through_a_serving_connection(live, tmp_path, capsys):
    """Run by a serving dashboard (store.lent: the command gets a cursor of the server's
    connection), the backup leaves that connection open, attached to nothing else."""
    con = store.connect(live)
    try:
        with store.lent(live, con):
            assert _cli(["backup", "--db", str(live), "--keep", "2"]) == 0
        assert "3.000 aduan" in capsys.readouterr().out
        assert con.execute("SELECT database_name FROM duckdb_databases() WHERE NOT internal").fetchall() == [("pantau",)]
        assert store.complaint_count(con) == 3000
    finally:
        con.close()
    assert len(list(default_backup_dir(live).glob("pantau-*.duckdb"))) == 1


@pytest.mark.parametrize("taken", ["baru.duckdb", "baru.duckdb.wal"])
def test_restore_never_overwrites(live, tmp_path, taken):
    made = _backup(live, tmp_path / "cadangan")
    folder = tmp_path / "tujuan"
    folder.mkdir()
    (folder / taken).write_bytes(b"milik orang lain")
    with pytest.raises(RestoreRefused, match="already exists"):
        restore_store(made.path, folder / "baru.duckdb")
    assert sorted(p.name for p in folder.iterdir()) == [taken]
    assert (folder / taken).read_bytes() == b"milik orang lain"


def test_restore_refuses_a_damaged_backup_and_leaves_nothing(live, tmp_path):
    made = _backup(live, tmp_path / "cadangan")
    data = bytearray(made.path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 16] = bytes(b ^ 0xFF for b in data[middle:middle + 16])
    made.path.write_bytes(bytes(data))
    folder = tmp_path / "tujuan"
    with pytest.raises(RestoreRefused, match="sha256 does not match its manifest"):
        restore_store(made.path, folder / "pulih" / "baru.duckdb")
    assert not folder.exists()  # not even the folders it made for the new store


def test_restore_refuses_what_is_not_a_pantau_backup(live, tmp_path):
    loose = tmp_path / "pantau-20251120-193000.duckdb"
    shutil.copyfile(live, loose)  # a DuckDB file, but no manifest says what it is
    with pytest.raises(RestoreRefused, match="not a Pantau backup: no manifest"):
        restore_store(loose, tmp_path / "a.duckdb")
    loose.with_suffix(".json").write_text('{"format": "something-else"}', encoding="utf-8")
    with pytest.raises(RestoreRefused, match="not a Pantau backup"):
        restore_store(loose, tmp_path / "a.duckdb")
    with pytest.raises(RestoreRefused, match="backup not found"):
        restore_store(tmp_path / "tidak-ada.duckdb", tmp_path / "a.duckdb")
    # A backup from a newer Pantau (a schema this one does not know) is not opened.
    made = _backup(live, tmp_path / "cadangan")
    manifest = json.loads(made.manifest.read_text(encoding="utf-8"))
    made.manifest.write_text(json.dumps({**manifest, "schema_version": 99}), encoding="utf-8")
    with pytest.raises(RestoreRefused, match="schema v99 is newer"):
        restore_store(made.path, tmp_path / "a.duckdb")
    assert not (tmp_path / "a.duckdb").exists() and _leftovers(tmp_path) == []


def test_restore_migrates_a_backup_of_an_older_schema(live, tmp_path):
    con = duckdb.connect(str(live))  # a store as Pantau left it at schema v5
    con.execute("ALTER TABLE complaints DROP COLUMN due_at")
    con.execute("ALTER TABLE complaints DROP COLUMN source_on_time")
    for table in ("unit_history", "ledger_appeals", "ledger_cases", "ledger_units", "ledger_versions"):  # v7, v8
        con.execute(f"DROP TABLE {table}")
    con.execute("DROP SEQUENCE ledger_appeal_seq")
    con.execute("DELETE FROM schema_migrations WHERE version >= 6")
    try:
        made = backup_store(con, tmp_path / "cadangan", keep=None, now=NOW)
    finally:
        con.close()
    assert made.schema_version == 5
    restored = restore_store(made.path, tmp_path / "baru.duckdb")
    assert (restored.backup_schema_version, restored.schema_version, restored.complaints) == (5, LATEST, 3000)


def test_keep_prunes_only_older_pantau_backups(live, tmp_path):
    to = tmp_path / "cadangan"
    to.mkdir()
    old = [f"pantau-2025111{d}-020000" for d in range(5)]
    for stem in old:
        (to / f"{stem}.duckdb").write_bytes(b"x")
        (to / f"{stem}.json").write_text("{}", encoding="utf-8")
    decoys = ["pantau-20240101-000000.duckdb.bak", "Pantau-20240101-000000.duckdb", "pantau-latest.duckdb",
              "pantau-2024010-000000.duckdb", "pantau-20240101-000000.duckdb.wal", "catatan.txt",
              "kabupaten.duckdb", "pantau-20240101-000000.json"]  # a manifest without its backup: not ours to judge
    for name in decoys:
        (to / name).write_bytes(b"jangan dihapus")
    (to / "pantau-20240102-000000.duckdb").mkdir()  # a folder with a backup's name
    made = _backup(live, to, keep=3)
    assert made.removed == tuple(to / f"{stem}.duckdb" for stem in old[:3])
    kept = sorted(p.name for p in to.glob("pantau-2025*"))
    assert kept == [f"{old[3]}.duckdb", f"{old[3]}.json", f"{old[4]}.duckdb", f"{old[4]}.json",
                    made.path.name, made.manifest.name]
    assert all((to / name).read_bytes() == b"jangan dihapus" for name in decoys)
    assert (to / "pantau-20240102-000000.duckdb").is_dir()
    # A clock set back does not make the new backup the first to go, though its name sorts first.
    earlier = _backup(live, to, keep=1, now=datetime(2025, 1, 1, tzinfo=UTC))
    assert earlier.removed == (to / f"{old[3]}.duckdb", to / f"{old[4]}.duckdb")
    assert sorted(p.name for p in to.glob("pantau-2025*.duckdb")) == [earlier.path.name, made.path.name]
    assert prune_backups(to, 1) == (earlier.path,) and not earlier.manifest.exists()
    with pytest.raises(backup.BackupRefused, match="keep at least 1"):
        _backup(live, to, keep=0)


def test_a_failed_backup_leaves_nothing_and_detaches(live, tmp_path, monkeypatch):
    real = backup._table_counts

    def copy_breaks(con, catalog):  # noqa: ANN001
        if catalog.startswith("pantau_backup_"):
            raise duckdb.IOException("disk penuh / disk full")
        return real(con, catalog)

    monkeypatch.setattr(backup, "_table_counts", copy_breaks)
    con = store.connect(live)
    try:
        with pytest.raises(duckdb.IOException, match="disk full"):
            backup_store(con.cursor(), tmp_path / "cadangan", keep=3, now=NOW)
        attached = con.execute("SELECT database_name FROM duckdb_databases() WHERE NOT internal").fetchall()
        assert attached == [("pantau",)]
        assert store.complaint_count(con) == 3000  # the connection is usable, no transaction left open
        # A cursor in a transaction of its own is refused by DuckDB; that transaction stays the caller's.
        cur = con.cursor()
        cur.execute("BEGIN TRANSACTION READ ONLY")
        with pytest.raises(duckdb.TransactionException):
            backup_store(cur, tmp_path / "cadangan", keep=None, now=NOW)
        cur.execute("COMMIT")
    finally:
        con.close()
    assert list((tmp_path / "cadangan").iterdir()) == []


def _import_batch(cur, folder: Path, prefix: str, n: int) -> None:  # noqa: ANN001
    csv = template_csv(folder / f"{prefix}.csv", _rows(prefix, n))
    import_file(cur, csv, fmt="pantau", source="demo", region="kab-bekasi", snapshot_at=None,
                now=DEMO_END.to_pydatetime() + timedelta(days=1), actor=Actor(who="cli:test", role="cli"))


def _state(tables: dict[str, int]) -> tuple[int, ...]:
    return tuple(tables[t] for t in ("complaints", "status_history", "import_batches", "audit_log"))


def test_a_backup_is_one_snapshot_while_an_import_commits(live, tmp_path, monkeypatch):
    """The import commits on another cursor, in another thread, after the backup has read the store
    and before it copies (the hook waits for it): the copy holds the store as before the import,
    in every table. Without the snapshot held from the first read, it would copy the after-state."""
    real = backup._table_counts
    con = store.connect(live)
    before = after = None

    def import_meanwhile(cur, catalog):  # noqa: ANN001
        nonlocal before, after
        counts = real(cur, catalog)
        if catalog == "pantau" and before is None:
            before = _state(counts)
            worker = threading.Thread(target=_import_batch, args=(con.cursor(), tmp_path, "BK-", 500))
            worker.start()
            worker.join()
            after = _state(real(con.cursor(), "pantau"))
        return counts

    monkeypatch.setattr(backup, "_table_counts", import_meanwhile)
    try:
        made = backup_store(con.cursor(), tmp_path / "cadangan", keep=None, now=NOW)
    finally:
        con.close()
    assert after == (before[0] + 500, before[1] + 500, before[2] + 1, before[3] + 1)
    assert _state(read_manifest(made.path)["tables"]) == before
    assert _state({t: _contents(made.path)[t][0] for t in TABLES}) == before
    restored = restore_store(made.path, tmp_path / "baru.duckdb")
    assert restored.complaints == before[0]


def test_backups_taken_while_imports_run_are_each_one_state(live, tmp_path, monkeypatch):
    """Imports of 100 complaints commit one after another on a cursor in a thread while backups
    run on another cursor: each backup holds a state the store was in after some import (every
    table), never a mix. An import must have committed between a backup's first read of the store
    and the end of its copy (timed by a spy on the counts) in at least two backups, so the test
    cannot pass without the two overlapping; copying table by table fails it."""
    real = backup._table_counts
    windows: list[list[float]] = []  # per backup: [first read done, copy done]

    def timed(cur, catalog):  # noqa: ANN001
        if catalog.startswith("pantau_backup_"):
            windows[-1].append(time.perf_counter())
        counts = real(cur, catalog)
        if catalog == "pantau":
            windows.append([time.perf_counter()])
        return counts

    monkeypatch.setattr(backup, "_table_counts", timed)
    con = store.connect(live)
    # Ballast (a table the copy carries like any other) so that a copy lasts long enough for
    # imports to commit during it: the demo's few thousand rows copy in milliseconds.
    con.execute("CREATE TABLE ballast AS SELECT range AS i, 'x' || range AS s FROM range(1000000)")
    states = {_state(real(con.cursor(), "pantau"))}
    commits: list[float] = []
    stop = threading.Event()
    failures: list[BaseException] = []

    def importer() -> None:
        cur = con.cursor()
        try:
            for k in range(400):
                if stop.is_set():
                    return
                _import_batch(cur, tmp_path, f"T{k}-", 100)
                commits.append(time.perf_counter())  # the import returns right after its COMMIT
                states.add(_state(real(cur, "pantau")))
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    worker = threading.Thread(target=importer)
    made, overlapped = [], 0
    try:
        worker.start()
        for i in range(40):
            made.append(backup_store(con.cursor(), tmp_path / "cadangan", keep=None, now=NOW + timedelta(seconds=i)))
            first_read, copied = windows[-1]
            overlapped += any(first_read < t < copied for t in list(commits))
            if overlapped >= 2 or failures:
                break
    finally:
        stop.set()
        worker.join()
        con.close()
    assert failures == []
    assert overlapped >= 2, f"imports committed during {overlapped} of {len(made)} copies: the test proved nothing"
    for m in made:
        found = _state({t: _contents(m.path)[t][0] for t in TABLES})
        assert found in states, f"{m.path.name} mixes states: {found} not in {sorted(states)}"
