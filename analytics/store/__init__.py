"""The DuckDB store: opening it (creating and migrating its schema, analytics/store/schema.py) and
its ``meta`` key-value table. The package is the store: ``store.connect(path)`` opens it; the
named reads are in ``store.reads``, what the Data page shows in ``store.status``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from analytics.store.schema import migrate


class StoreLocked(RuntimeError):
    """Another process holds the database file; the caller can retry later."""


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store (creating and migrating it unless read-only).

    A file held by another process raises ``StoreLocked`` with a message a person can act on.
    """
    path = Path(path)
    if read_only and not path.exists():
        raise FileNotFoundError(f"database {path} does not exist yet (import data or run the demo)")
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise StoreLocked(
                f"database {path} is in use by another process; try again when it has finished"
            ) from exc
        raise
    # Display conversions happen in Python with the region's zone; SQL works in UTC.
    con.execute("SET TimeZone = 'UTC'")
    if not read_only:
        migrate(con)
    return con


def get_meta(con: duckdb.DuckDBPyConnection, key: str, default: str | None = None) -> str | None:
    rows = con.execute("SELECT value FROM meta WHERE key = $k", {"k": key}).fetchall()
    return rows[0][0] if rows else default


def set_meta(con: duckdb.DuckDBPyConnection, key: str, value: str) -> None:
    con.execute(
        "INSERT INTO meta VALUES ($k, $v) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        {"k": key, "v": value},
    )


def complaint_count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("SELECT count(*) FROM complaints").fetchall()[0][0]


def quarantined_count(con: duckdb.DuckDBPyConnection) -> int:
    """Rows an import refused (kept whole in ``quarantine``): real data too, personal data included."""
    return con.execute("SELECT count(*) FROM quarantine").fetchall()[0][0]
