"""``python -m analytics audit``: read the audit log (docs/security.md, "Audit log"), and the
actor name the CLI writes to it for its own imports."""

from __future__ import annotations

import argparse
import getpass
import json

from analytics import config, store
from analytics.security import audit
from analytics.security.cells import safe_frame
from analytics.store import schema


def cli_actor(via: str = "cli") -> str:
    """``cli:<os user>`` (``inbox:<os user>`` for the inbox watcher): the CLI runs on the server,
    as whoever is logged in there."""
    try:
        return f"{via}:" + getpass.getuser()
    except Exception:  # no user name in a bare container
        return f"{via}:unknown"


def add_commands(sub, add_db) -> None:
    p = sub.add_parser("audit", help="show the audit log (logins, imports, downloads, reveals), newest first")
    add_db(p)
    p.add_argument("--limit", type=int, default=50, help="rows to show (default 50)")
    p.add_argument("--action", choices=audit.ACTIONS, help="only this action")
    p.add_argument("--who", help="only this actor (an e-mail, open:<role> or cli:<user>)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")


def run(args: argparse.Namespace) -> int:
    # Read-only: reading the log must not need (or take) the writer's lock.
    con = store.connect(config.db_path(args.db), read_only=True)
    try:
        if schema.schema_version(con) < 3:  # a store no Pantau with the audit log has opened yet
            print("store ini belum punya log audit / this store has no audit log yet")
            return 0
        rows = audit.recent(con, limit=args.limit, action=args.action, who=args.who)
    finally:
        con.close()
    rows["occurred_at"] = rows["occurred_at"].dt.tz_convert("UTC").dt.strftime("%Y-%m-%d %H:%M:%S UTC")
    if args.format == "json":
        print(json.dumps(rows.to_dict(orient="records"), ensure_ascii=False, indent=2, default=str))
    elif args.format == "csv":
        print(safe_frame(rows, "csv").to_csv(index=False), end="")
    elif rows.empty:
        print("log audit kosong / the audit log is empty")
    else:
        print(rows.to_string(index=False))
    return 0
