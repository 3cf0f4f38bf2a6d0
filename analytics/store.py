"""The DuckDB store: opening it, creating and migrating its schema, small read helpers.

Schema changes are numbered SQL files in analytics/sql (schema_v1.sql, schema_v2.sql, ...);
``migrate`` applies the ones a database has not seen yet, each in its own transaction, and records
them in ``schema_migrations``. Nothing else in Pantau issues DDL.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

SQL_DIR = Path(__file__).resolve().parent / "sql"
_MIGRATION_RE = re.compile(r"^schema_v(\d+)\.sql$")


class StoreLocked(RuntimeError):
    """Another process holds the database file; the caller can retry later."""


def migrations() -> list[tuple[int, Path]]:
    """The schema files shipped with this version, in order."""
    found = []
    for path in SQL_DIR.glob("schema_v*.sql"):
        m = _MIGRATION_RE.match(path.name)
        if m:
            found.append((int(m.group(1)), path))
    return sorted(found)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Bring the schema up to date; returns the version now in force."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)"
    )
    # Apply every shipped migration not yet recorded, not only those above the highest: a store
    # made on a branch may have v3 without v2 (they were written in parallel), and must get v2.
    applied = {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    current = schema_version(con)
    for version, path in migrations():
        if version in applied:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(path.read_text(encoding="utf-8"))
            con.execute(
                "INSERT INTO schema_migrations VALUES ($v, $t)",
                {"v": version, "t": datetime.now(timezone.utc)},
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        current = max(current, version)
    return current


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


def load_complaints(con: duckdb.DuckDBPyConnection, *, with_personal: bool = False) -> pd.DataFrame:
    """Every complaint as a frame; personal fields are left out unless asked for."""
    from analytics.model import CANONICAL_COLUMNS, PERSONAL_FIELDS

    cols = [c for c in CANONICAL_COLUMNS if with_personal or c not in PERSONAL_FIELDS]
    quoted = ", ".join(f'"{c}"' for c in cols)  # fixed whitelist from the model, not user input
    return con.execute("SELECT " + quoted + " FROM complaints").df()
