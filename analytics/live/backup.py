"""Backups of the store while it serves, and restoring one into a new store file.

How a backup is taken: ``ATTACH '<temporary file>' AS <alias unique to the call>``, then, in one
transaction on the caller's cursor, ``COPY FROM DATABASE <store> TO <alias>``. Why this and not
``EXPORT DATABASE`` (both tried on DuckDB 2.0.0):

- Both copy one snapshot. A writer on another cursor of the same connection committed 1.000 rows
  into two tables per transaction while five backups of a 2-million-row store ran: every copy
  made by either statement had equal counts in both tables; copying table by table
  (``CREATE TABLE ... AS SELECT`` per table, each its own transaction) mixed them every time.
- Both are complete for this schema: every table with its keys, NOT NULL and defaults; the three
  sequences at their position (``nextval`` in the copy goes on where the store is, so the next
  import's batch id cannot collide); and, tried with a throwaway view, macro, enum type and index,
  those too (the schema has none today).
- ``COPY FROM DATABASE`` makes one DuckDB file that is itself a Pantau store: restoring it is a
  copy and ``store.connect``, it can be opened read-only to look at, and it is one file to hash
  and to rename atomically. ``EXPORT DATABASE`` makes a folder of Parquet files and a
  schema.sql/load.sql that ``IMPORT DATABASE`` executes: a restore would run SQL text read from
  the backup, and a folder is neither one checksum nor one rename.
- The cost is small either way. 30.000 demo complaints: COPY 0,2 s and 6,8 MB (the size of the
  store), EXPORT 0,05 s and 2,0 MB.

The snapshot: DuckDB fixes what a transaction sees of a database at its first read there, not at
BEGIN. So the backup first counts the store's tables (that read fixes the snapshot), copies,
counts the copy, and fails unless the two agree. Imports may commit meanwhile; the copy has the
store as it was at that first read.

The attach is visible to every cursor of the connection (DuckDB attaches per database instance),
hence an alias unique to each call, detached in ``finally``.

Files: ``pantau-YYYYMMDD-HHMMSS.duckdb``, the time in UTC (sortable, unambiguous whatever the
server's zone; the manifest's ``created_at`` says so with its offset), and a JSON manifest
beside it with the same stem. Both are written under a temporary name and renamed without
overwriting; the manifest first and the database last, so a ``.duckdb`` under the naming pattern
is always a complete backup.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import time
import tomllib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from analytics import config, store
from analytics.store import schema

BACKUP_DIR_NAME = "cadangan"
BACKUP_NAME = re.compile(r"^pantau-\d{8}-\d{6}\.duckdb$")
MANIFEST_FORMAT = "pantau-backup"
MANIFEST_VERSION = 1
_CHUNK = 1 << 20
# The restored store's migrations add rows to schema_migrations, so that table is not compared.
_GROWS_ON_RESTORE = "schema_migrations"


class BackupRefused(ValueError):
    """A backup that was not started (bad --keep, the name already taken, not a file store)."""


class RestoreRefused(ValueError):
    """A restore that was not done: nothing was written. The message names the problem."""


class BackupFailed(RuntimeError):
    """A copy that did not come out equal to its source (nothing was kept)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: Path
    bytes: int
    complaints: int
    batches: int
    schema_version: int
    sha256: str
    seconds: float
    removed: tuple[Path, ...]


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    backup: Path
    bytes: int
    complaints: int
    batches: int
    schema_version: int  # in force now (store.connect migrated an older backup)
    backup_schema_version: int
    seconds: float


def default_backup_dir(db_path: str | os.PathLike[str]) -> Path:
    """``<the database's folder>/cadangan/``."""
    return Path(db_path).parent / BACKUP_DIR_NAME


def backup_name(now: datetime) -> str:
    """``pantau-YYYYMMDD-HHMMSS.duckdb`` for ``now`` (aware) in UTC."""
    if now.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(UTC).strftime("pantau-%Y%m%d-%H%M%S.duckdb")


def backup_store(
    con: duckdb.DuckDBPyConnection, to_dir: str | os.PathLike[str], *, keep: int | None, now: datetime
) -> BackupResult:
    """Write a consistent copy of the store behind ``con`` (a connection or one of its cursors,
    not inside a transaction; other cursors may read and write meanwhile) into ``to_dir``, with
    its manifest; then, with ``keep``, remove the oldest Pantau backups there beyond the newest
    ``keep``."""
    started = time.perf_counter()
    if keep is not None and keep < 1:
        raise BackupRefused(f"--keep {keep}: simpan minimal 1 cadangan / keep at least 1 backup")
    catalog, source = _store_file(con)
    to_dir = Path(to_dir)
    to_dir.mkdir(parents=True, exist_ok=True)
    name = backup_name(now)
    final, manifest_path = to_dir / name, (to_dir / name).with_suffix(".json")
    if final.exists() or manifest_path.exists():  # fail before copying; the renames check again
        raise BackupRefused(f"{final} sudah ada, tidak ditimpa / already exists, not overwritten")
    token = uuid.uuid4().hex
    tmp, manifest_tmp = to_dir / f".{name}.{token}.tmp", to_dir / f".{manifest_path.name}.{token}.tmp"
    try:
        counts, version = _copy_store(con, catalog, tmp, token)
        _fsync(tmp)
        digest, size = _sha256(tmp)
        manifest = {
            "format": MANIFEST_FORMAT, "manifest_version": MANIFEST_VERSION, "file": name,
            "created_at": now.astimezone(UTC).isoformat(), "source": source.name, "schema_version": version,
            "complaints": counts.get("complaints", 0), "batches": counts.get("import_batches", 0),
            "tables": counts, "bytes": size, "sha256": digest,
            "pantau_version": pantau_version(), "duckdb_version": duckdb.__version__,
        }
        manifest_tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        _fsync(manifest_tmp)
        # The manifest's name is taken first: of two backups in the same second, one gets it and
        # the other stops before its database is renamed.
        _take_name(manifest_tmp, manifest_path, BackupRefused)
        try:
            _take_name(tmp, final, BackupRefused)
        except BaseException:
            manifest_path.unlink(missing_ok=True)  # ours: we took its name above
            raise
        _fsync(to_dir)
    finally:
        for leftover in (tmp, _wal(tmp), manifest_tmp):
            leftover.unlink(missing_ok=True)
    removed = prune_backups(to_dir, keep, spare=final) if keep is not None else ()
    return BackupResult(
        path=final, manifest=manifest_path, bytes=size, complaints=manifest["complaints"],
        batches=manifest["batches"], schema_version=version, sha256=digest,
        seconds=time.perf_counter() - started, removed=removed,
    )


def prune_backups(to_dir: str | os.PathLike[str], keep: int, *, spare: Path | None = None) -> tuple[Path, ...]:
    """Remove the Pantau backups in ``to_dir`` older than the newest ``keep`` (and their
    manifests); returns the removed backups. Only names matching ``pantau-YYYYMMDD-HHMMSS.duckdb``
    are considered, ordered by that name (UTC, so by age); ``spare`` (the backup just written) is
    never removed, even when a clock set back makes it look oldest."""
    if keep < 1:
        raise BackupRefused(f"--keep {keep}: simpan minimal 1 cadangan / keep at least 1 backup")
    backups = sorted(p for p in Path(to_dir).iterdir() if BACKUP_NAME.match(p.name) and p.is_file())
    removed = []
    for path in backups[: max(len(backups) - keep, 0)]:
        if spare is not None and path == spare:
            continue
        path.unlink()
        manifest = path.with_suffix(".json")
        if manifest.is_file():
            manifest.unlink()
        removed.append(path)
    return tuple(removed)


def restore_store(backup_path: str | os.PathLike[str], new_db: str | os.PathLike[str]) -> RestoreResult:
    """Make ``new_db`` (which must not exist) from a Pantau backup: the bytes are checked against
    the manifest's sha256, the copy is opened with ``store.connect`` (which brings an older schema
    up to date) and counted against the manifest, and only then renamed into place. Raises
    RestoreRefused, leaving nothing behind, when any of that fails."""
    started = time.perf_counter()
    backup, new_db = Path(backup_path), Path(new_db)
    for taken in (new_db, _wal(new_db)):
        if taken.exists() or taken.is_symlink():
            raise RestoreRefused(f"{taken} sudah ada; pemulihan tidak pernah menimpa, pilih berkas baru / already "
                                 "exists; a restore never overwrites anything: choose a new path")
    manifest = read_manifest(backup)
    known = max(v for v, _ in schema.migrations())
    if manifest["schema_version"] > known:
        raise RestoreRefused(f"{backup.name}: skema v{manifest['schema_version']} lebih baru dari Pantau ini (v{known}) "
                             f"/ schema v{manifest['schema_version']} is newer than this Pantau knows (v{known}): "
                             "restore it with the Pantau version that made it")
    made = _missing_dirs(new_db.parent)
    new_db.parent.mkdir(parents=True, exist_ok=True)
    tmp = new_db.parent / f".{new_db.name}.{uuid.uuid4().hex}.restoring"
    done = False
    try:
        digest, size = _copy_hashing(backup, tmp)
        if digest != manifest["sha256"] or size != manifest["bytes"]:
            raise RestoreRefused(f"{backup.name}: sha256 tidak cocok dengan manifesnya, berkas rusak atau diubah / "
                                 "its sha256 does not match its manifest: the file is damaged or was changed")
        counts, version = _open_and_count(tmp, backup)
        expected = {k: v for k, v in manifest["tables"].items() if k != _GROWS_ON_RESTORE}
        found = {k: counts.get(k) for k in expected}
        if found != expected:
            differ = ", ".join(f"{k} {found[k]} != {v}" for k, v in expected.items() if found[k] != v)
            raise RestoreRefused(f"{backup.name}: isi tidak sesuai manifes / does not read as its manifest says: {differ}")
        _take_name(tmp, new_db, RestoreRefused)
        _fsync(new_db.parent)
        done = True
    finally:
        for leftover in (tmp, _wal(tmp)):
            leftover.unlink(missing_ok=True)
        for folder in () if done else made:  # the folders this restore made, deepest first
            with contextlib.suppress(OSError):
                folder.rmdir()
    return RestoreResult(
        path=new_db, backup=backup, bytes=new_db.stat().st_size, complaints=counts.get("complaints", 0),
        batches=counts.get("import_batches", 0), schema_version=version,
        backup_schema_version=manifest["schema_version"], seconds=time.perf_counter() - started,
    )


def read_manifest(backup: Path) -> dict:
    """The manifest beside ``backup`` (same stem, ``.json``), checked for the fields a restore
    reads; RestoreRefused when there is none or it is not a Pantau backup's."""
    if not backup.is_file():
        raise RestoreRefused(f"{backup}: cadangan tidak ditemukan / backup not found")
    path = backup.with_suffix(".json")
    not_ours = f"{backup.name}: bukan cadangan Pantau / not a Pantau backup"
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RestoreRefused(f"{not_ours}: no manifest {path.name} beside it") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RestoreRefused(f"{not_ours}: its manifest {path.name} cannot be read ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise RestoreRefused(f"{not_ours}: {path.name} is not a Pantau backup manifest")
    ints = ("bytes", "schema_version", "complaints", "batches")
    tables = manifest.get("tables")
    if (
        not all(type(manifest.get(k)) is int for k in ints)
        or not isinstance(manifest.get("sha256"), str) or not re.fullmatch(r"[0-9a-f]{64}", manifest["sha256"])
        or not isinstance(tables, dict) or not all(type(v) is int for v in tables.values())
    ):
        raise RestoreRefused(f"{not_ours}: {path.name} lacks or garbles sha256, bytes, schema_version or tables")
    return manifest


def pantau_version() -> str | None:
    """The version in pyproject.toml (Pantau runs from its clone, not as an installed package)."""
    try:
        with open(config.PROJECT_DIR / "pyproject.toml", "rb") as f:
            return str(tomllib.load(f)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None


def _store_file(con: duckdb.DuckDBPyConnection) -> tuple[str, Path]:
    """The store's catalog name and file behind ``con``."""
    rows = con.execute(
        "SELECT database_name, path FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()
    if not rows or not rows[0][1]:
        raise BackupRefused("the connection is not on a store file (an in-memory database has nothing to back up)")
    return rows[0][0], Path(rows[0][1])


def _ident(name: str) -> str:
    """A catalog, schema or table name DuckDB gave us, quoted: a store file named
    ``kabupaten-bekasi.duckdb`` is catalog ``kabupaten-bekasi``, which is not a bare identifier."""
    return '"' + name.replace('"', '""') + '"'


def _table_counts(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    """Rows in every table of ``catalog`` (names from its own catalog, so a table a later
    migration adds is counted too), ``schema.table`` outside the main schema."""
    tables = con.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = $c AND NOT temporary "
        "ORDER BY schema_name, table_name",
        {"c": catalog},
    ).fetchall()
    if not tables:
        return {}
    counts = con.execute("SELECT " + ", ".join(
        f"(SELECT count(*) FROM {_ident(catalog)}.{_ident(s)}.{_ident(t)})" for s, t in tables
    )).fetchall()[0]
    return {(t if s == "main" else f"{s}.{t}"): int(n) for (s, t), n in zip(tables, counts)}


def _copy_store(con: duckdb.DuckDBPyConnection, catalog: str, tmp: Path, token: str) -> tuple[dict[str, int], int]:
    """Copy the store into the new file ``tmp``; returns the copy's table counts and schema
    version. The copy is checkpointed and detached when this returns."""
    alias = f"pantau_backup_{token}"  # ours: letters, digits, underscores
    con.execute(f"ATTACH $path AS {alias}", {"path": str(tmp)})
    try:
        # Outside the try below: a cursor already in a transaction of its own fails here, and
        # that transaction is the caller's to end, not ours to roll back.
        con.execute("BEGIN TRANSACTION")
        try:
            expected = _table_counts(con, catalog)  # the first read: it fixes the snapshot
            con.execute(f"COPY FROM DATABASE {_ident(catalog)} TO {alias}")
            copied = _table_counts(con, alias)
            version = 0
            if "schema_migrations" in copied:
                version = con.execute(f"SELECT coalesce(max(version), 0) FROM {alias}.schema_migrations").fetchall()[0][0]
            con.execute("COMMIT")
        except BaseException:
            _rollback(con)
            raise
        if copied != expected:
            raise BackupFailed(f"the copy's row counts {copied} differ from the store's {expected}")
        con.execute(f"CHECKPOINT {alias}")
    finally:
        con.execute(f"DETACH DATABASE IF EXISTS {alias}")
    if _wal(tmp).exists():  # a copy is only whole in one file, without a log beside it
        raise BackupFailed(f"the copy left a write-ahead log {_wal(tmp).name} after it was detached")
    return copied, int(version)


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    # A failed COMMIT has already ended the transaction; the first error is the one to report.
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def _open_and_count(path: Path, backup: Path) -> tuple[dict[str, int], int]:
    """Open the restored copy as Pantau opens a store (migrating it), count its tables, close it."""
    try:
        con = store.connect(path)
    except duckdb.Error as exc:
        raise RestoreRefused(f"{backup.name}: tidak terbaca sebagai basis data / cannot be opened as a store ({exc})") from None
    try:
        catalog = con.execute("SELECT current_database()").fetchall()[0][0]
        counts = _table_counts(con, catalog)
        version = schema.schema_version(con)
        con.execute("CHECKPOINT")
    finally:
        con.close()
    if _wal(path).exists():
        raise BackupFailed(f"the restored copy left a write-ahead log {_wal(path).name} after it was closed")
    return counts, version


def _take_name(src: Path, dst: Path, refused: type[ValueError]) -> None:
    """Rename ``src`` to ``dst`` without ever replacing an existing ``dst`` (``refused`` if it
    exists): a hard link fails when the name is taken, where ``os.replace`` would silently
    overwrite; then the temporary name goes. On a filesystem without hard links: check, then
    rename (a narrow race, in one folder)."""
    taken = refused(f"{dst} sudah ada, tidak ditimpa / already exists, not overwritten")
    try:
        os.link(src, dst)
    except FileExistsError:
        raise taken from None
    except OSError:
        if dst.exists() or dst.is_symlink():
            raise taken from None
        os.rename(src, dst)
        return
    src.unlink()


def _missing_dirs(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _sha256(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _copy_hashing(src: Path, dst: Path) -> tuple[str, int]:
    """Copy ``src`` to the new file ``dst`` and hash the bytes copied: the bytes checked are the
    bytes restored, with no moment between the check and the copy."""
    h, size = hashlib.sha256(), 0
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        while chunk := fin.read(_CHUNK):
            h.update(chunk)
            fout.write(chunk)
            size += len(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return h.hexdigest(), size


def _fsync(path: Path) -> None:
    """Flush a file's or a folder's entries to disk, so a power cut after the rename keeps it."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
