"""Login sessions in the store: one row per login, so a login is logged once and a logout ends it
everywhere.

Streamlit's ``st.login`` keeps the person in a signed cookie that lives 30 days and is valid on
any browser that holds a copy; ``st.logout`` only deletes it from the browser that pressed the
button. Pantau therefore keeps its own record (table ``login_sessions``, schema v5), keyed by
``access.Login.session_id``: ``start`` writes it, with the login's one ``login`` audit row, the
first time a page is drawn for that login; ``end`` marks it ended (and writes ``logout``);
``lookup`` is what every page run checks. Pure: a connection or cursor in, like ``audit``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from analytics.security import audit
from analytics.security.access import Login, Viewer


@dataclass(frozen=True)
class SessionRow:
    session_id: str
    email: str
    started_at: datetime
    ended_at: datetime | None

    @property
    def ended(self) -> bool:
        return self.ended_at is not None


def lookup(con: duckdb.DuckDBPyConnection, session_id: str) -> SessionRow | None:
    """The stored session, or None when no page was drawn for this login yet."""
    rows = con.execute(
        "SELECT session_id, email, started_at, ended_at FROM login_sessions WHERE session_id = $id",
        {"id": session_id},
    ).fetchall()
    return SessionRow(*rows[0]) if rows else None


def start(con: duckdb.DuckDBPyConnection, login: Login, viewer: Viewer, *, provider: str | None = None,
          at: datetime | None = None) -> bool:
    """Record the login and its ``login`` audit row, once: True if this call did, False if the login
    was already recorded (another page load of the same login, perhaps at the same moment).

    ``con`` must be a cursor of its own (it runs a transaction)."""
    at = at or datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    try:
        new = con.execute(
            "INSERT INTO login_sessions (session_id, email, provider, role, unit, issued_at, started_at) "
            "VALUES ($id, $email, $provider, $role, $unit, $issued, $at) ON CONFLICT DO NOTHING RETURNING session_id",
            {"id": login.session_id, "email": viewer.who, "provider": provider, "role": viewer.role,
             "unit": viewer.unit, "issued": login.issued_at, "at": at},
        ).fetchall()
        if new:
            audit.record(con, who=viewer.who, action="login", role=viewer.role, unit=viewer.unit, at=at,
                         detail={"session": login.session_id[:12], "issued_at": login.issued_at.isoformat()})
        con.execute("COMMIT")
    except (duckdb.TransactionException, duckdb.ConstraintException):
        # Two page loads of one login wrote the same row at once: the other one won, and wrote the
        # audit row (DuckDB says so at the insert or at the commit, depending on timing).
        _rollback(con)
        return False
    except Exception:
        _rollback(con)
        raise
    return bool(new)


def end(con: duckdb.DuckDBPyConnection, login: Login, viewer: Viewer, *, provider: str | None = None,
        at: datetime | None = None) -> None:
    """Mark the login ended (the first logout's time is kept) and write its ``logout`` audit row.

    ``con`` must be a cursor of its own (it runs a transaction)."""
    at = at or datetime.now(UTC)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "INSERT INTO login_sessions (session_id, email, provider, role, unit, issued_at, started_at, ended_at) "
            "VALUES ($id, $email, $provider, $role, $unit, $issued, $at, $at) "
            "ON CONFLICT (session_id) DO UPDATE SET ended_at = coalesce(login_sessions.ended_at, excluded.ended_at)",
            {"id": login.session_id, "email": viewer.who, "provider": provider, "role": viewer.role,
             "unit": viewer.unit, "issued": login.issued_at, "at": at},
        )
        audit.record(con, who=viewer.who, action="logout", role=viewer.role, unit=viewer.unit, at=at,
                     detail={"session": login.session_id[:12]})
        con.execute("COMMIT")
    except Exception:
        _rollback(con)
        raise


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    # A failed COMMIT has already ended the transaction; there is nothing left to roll back.
    try:
        con.execute("ROLLBACK")
    except duckdb.TransactionException:
        pass
