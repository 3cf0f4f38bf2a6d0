"""``backup`` and ``restore``: a consistent copy of the store while it serves, and a new store
made from one (analytics/live/backup.py).

Exit status: 0 done; 2 refused (the message says why; nothing was written); 1 a copy that did
not come out equal to its source (nothing was kept); 3, through cli.main, a store held by another
process.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from analytics import config, store

if TYPE_CHECKING:
    from analytics.live.backup import BackupResult, RestoreResult

DEFAULT_KEEP = 14  # two weeks of daily backups (deploy/pantau-backup.timer)


def add_commands(sub, add_db) -> None:  # noqa: ANN001 - argparse internals
    p = sub.add_parser("backup", help="copy the store, consistent while it serves, to <db folder>/cadangan/")
    add_db(p)
    p.add_argument("--to", help="folder for the backups (default: cadangan/ beside the database)")
    p.add_argument("--keep", type=int, default=DEFAULT_KEEP,
                   help=f"keep the newest N Pantau backups in the folder, remove older ones (default {DEFAULT_KEEP}; "
                        "0: remove none)")
    r = sub.add_parser("restore", help="make a NEW database file from a backup (never overwrites)")
    r.add_argument("backup", metavar="BACKUP", help="a pantau-YYYYMMDD-HHMMSS.duckdb with its .json manifest")
    r.add_argument("--db", required=True, help="the database file to create; it must not exist")


def run(args: argparse.Namespace) -> int:
    from analytics.live.backup import BackupFailed, BackupRefused, RestoreRefused

    try:
        return _backup(args) if args.command == "backup" else _restore(args)
    except (BackupRefused, RestoreRefused) as exc:
        print(f"DITOLAK / REFUSED {exc}", file=sys.stderr)
        return 2
    except BackupFailed as exc:
        print(f"GAGAL / FAILED {exc}", file=sys.stderr)
        return 1


def _backup(args: argparse.Namespace) -> int:
    from analytics.live.backup import BackupRefused, backup_store, default_backup_dir

    db = config.db_path(args.db)
    if not db.is_file():  # store.connect would make an empty store only to back it up
        raise BackupRefused(f"{db}: basis data tidak ada / the database does not exist")
    from analytics.cli.audit import cli_actor
    from analytics.security import audit

    con = store.connect(db)
    try:
        result = backup_store(con, Path(args.to) if args.to else default_backup_dir(db),
                              keep=args.keep or None, now=datetime.now(UTC))
        # A backup is a copy of everything, personal data included: the log says who took it.
        audit.record(con, who=getattr(args, "acting_as", None) or cli_actor(), role="cli", action="backup",
                     detail={"file": result.path.name, "sha256": result.sha256, "bytes": result.bytes})
    finally:
        con.close()
    print(backup_lines(result))
    return 0


def _restore(args: argparse.Namespace) -> int:
    from analytics.live.backup import restore_store

    print(restore_lines(restore_store(args.backup, args.db)))
    return 0


def _mb(n: int) -> str:
    from analytics.textfmt import fmt_num

    return f"{fmt_num(n / 1_000_000, 1)} MB"  # MB = 1.000.000 byte, as disk tools count


def backup_lines(r: BackupResult) -> str:
    """What a backup did, one fact a line, Indonesian first."""
    from analytics.textfmt import fmt_int, fmt_num

    lines = [
        f"cadangan dibuat / backup written: {r.path}",
        f"  {_mb(r.bytes)} · {fmt_int(r.complaints)} aduan / complaints · {fmt_int(r.batches)} impor / imports · "
        f"skema / schema v{r.schema_version} · {fmt_num(r.seconds, 1)} detik / s",
        f"  sha256 {r.sha256} (manifes / manifest {r.manifest.name})",
    ]
    lines += [f"  dihapus, lebih lama dari yang disimpan / removed, older than those kept: {p.name}" for p in r.removed]
    return "\n".join(lines)


def restore_lines(r: RestoreResult) -> str:
    """What a restore did, one fact a line, Indonesian first."""
    from analytics.textfmt import fmt_int, fmt_num

    migrated = (f" (cadangan v{r.backup_schema_version}, dimutakhirkan / backup v{r.backup_schema_version}, migrated)"
                if r.backup_schema_version != r.schema_version else "")
    return "\n".join([
        f"dipulihkan / restored: {r.path} (dari / from {r.backup.name})",
        f"  {_mb(r.bytes)} · {fmt_int(r.complaints)} aduan / complaints · {fmt_int(r.batches)} impor / imports · "
        f"skema / schema v{r.schema_version}{migrated} · {fmt_num(r.seconds, 1)} detik / s",
        f"  buka dengan / open with: PANTAU_DB={r.path}",
    ])
