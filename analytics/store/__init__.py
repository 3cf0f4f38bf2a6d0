"""The DuckDB store: opening it (creating and migrating its schema, analytics/store/schema.py) and
its ``meta`` key-value table. The package is the store: ``store.connect(path)`` opens it; the
named reads are in ``store.reads``, what the Data page shows in ``store.status``.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from analytics.store.schema import migrate


class StoreLocked(RuntimeError):
    """Another process holds the database file; the caller can retry later."""


# The store a server process lends to a command it runs for another process (analytics.live.owner):
# (resolved path, the server's connection). A context variable, so only the thread running that
# command sees it.
_lent: contextvars.ContextVar[tuple[Path, duckdb.DuckDBPyConnection] | None] = contextvars.ContextVar(
    "pantau_lent_store", default=None)


@contextmanager
def lent(path: str | Path, con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Within this block, on this thread, ``connect(path)`` returns a cursor of ``con`` instead of
    opening the file: DuckDB lets one process write a file, and a serving dashboard is that process."""
    token = _lent.set((Path(path).resolve(), con))
    try:
        yield
    finally:
        _lent.reset(token)


def _lent_cursor(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection | None:
    held = _lent.get()
    if held is None or held[0] != path.resolve():
        return None
    cur = held[1].cursor()
    cur.execute("SET TimeZone = 'UTC'")
    if read_only:  # one snapshot for the whole command, as a page run reads
        cur.execute("BEGIN TRANSACTION READ ONLY")
    return cur


def connect(path: str | Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store (creating and migrating it unless read-only).

    A file held by another process raises ``StoreLocked`` with a message a person can act on.
    Inside ``lent(path, con)`` it returns a cursor of ``con`` (closing it leaves ``con`` open).
    """
    path = Path(path)
    cur = _lent_cursor(path, read_only)
    if cur is not None:
        return cur
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


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """ROLLBACK after a failed write; a failed COMMIT or a write conflict has already ended the
    transaction, and then there is nothing left to roll back."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


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
