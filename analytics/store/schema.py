"""The store's schema: numbered SQL files in analytics/store/sql (schema_v1.sql, schema_v2.sql, ...).

``migrate`` applies the ones a database has not seen yet, each in its own transaction, and records
them in ``schema_migrations``. Nothing else in Pantau issues DDL.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).resolve().parent / "sql"
_MIGRATION_RE = re.compile(r"^schema_v(\d+)\.sql$")


def migrations() -> list[tuple[int, Path]]:
    """The schema files shipped with this version, in order."""
    found = []
    for path in SQL_DIR.glob("schema_v*.sql"):
        m = _MIGRATION_RE.match(path.name)
        if m:
            found.append((int(m.group(1)), path))
    return sorted(found)


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the store behind ``con`` has table ``name`` (a store opened read-only is not
    migrated). Only the store's own catalog: a backup attached meanwhile has the same tables."""
    return bool(con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = $t AND table_catalog = current_database()",
        {"t": name},
    ).fetchall()[0][0])


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    if not has_table(con, "schema_migrations"):
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
                {"v": version, "t": datetime.now(UTC)},
            )
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        current = max(current, version)
    return current
