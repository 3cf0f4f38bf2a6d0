"""The audit log: an append-only table of who did what with the data, and when.

Recorded: logins and refused logins, logouts, imports (dashboard and CLI), demo loads and clears,
every download, and every reveal of personal data. Pure: a connection (or cursor) in; the caller
says who acted, so the dashboard, the CLI and the tests share one writer. Times are UTC instants.
docs/security.md shows how to read the log.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pandas as pd

ACTIONS: tuple[str, ...] = ("login", "logout", "denied", "import", "demo", "download", "reveal", "commitment",
                            "backup", "ledger")
# The Data page shows the newest rows; the full log stays in the table (and the CLI prints more).
RECENT_LIMIT = 200


def record(
    con: duckdb.DuckDBPyConnection,
    *,
    who: str,
    action: str,
    role: str | None = None,
    unit: str | None = None,
    detail: dict | None = None,
    at: datetime | None = None,
) -> None:
    """Append one row. ``detail`` is stored as JSON (keep it small: names, counts, ids)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; actions: {', '.join(ACTIONS)}")
    con.execute(
        "INSERT INTO audit_log (occurred_at, who, role, unit, action, detail) "
        "VALUES ($at, $who, $role, $unit, $action, $detail)",
        {
            "at": at or datetime.now(UTC),
            "who": str(who),
            "role": role,
            "unit": unit,
            "action": action,
            "detail": None if detail is None else json.dumps(detail, ensure_ascii=False, default=str, sort_keys=True),
        },
    )


def recent(
    con: duckdb.DuckDBPyConnection, limit: int = RECENT_LIMIT, action: str | None = None, who: str | None = None
) -> pd.DataFrame:
    """The newest ``limit`` rows (optionally one action / one actor), newest first.

    Columns: id, occurred_at (UTC), who, role, unit, action, detail (JSON text).
    """
    return con.execute(
        "SELECT id, occurred_at, who, role, unit, action, detail FROM audit_log "
        "WHERE ($action IS NULL OR action = $action) AND ($who IS NULL OR who = $who) "
        "ORDER BY id DESC LIMIT $n",
        {"action": action, "who": who, "n": int(limit)},
    ).df()
