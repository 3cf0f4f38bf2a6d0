"""Schema migrations: every shipped version is applied once, including one missing below the highest."""

from __future__ import annotations

from analytics import store
from analytics.store import schema


def _tables(con) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}


def test_fresh_store_gets_every_migration_once(tmp_path):
    con = store.connect(tmp_path / "p.duckdb")
    versions = [v for (v,) in con.execute("SELECT version FROM schema_migrations ORDER BY version").fetchall()]
    assert versions == [v for v, _ in schema.migrations()]
    assert schema.migrate(con) == versions[-1]  # a second run applies nothing
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchall()[0][0] == len(versions)
    con.close()


def test_a_version_missing_below_the_highest_is_still_applied(tmp_path):
    # As on a store made from a branch that had v3 (audit log) before v2 (commitments) existed.
    path = tmp_path / "p.duckdb"
    con = store.connect(path)
    con.execute("DROP TABLE commitments")
    con.execute("DROP SEQUENCE commitment_seq")
    con.execute("DELETE FROM schema_migrations WHERE version = 2")
    con.close()
    con = store.connect(path)
    assert "commitments" in _tables(con)
    assert 2 in {v for (v,) in con.execute("SELECT version FROM schema_migrations").fetchall()}
    con.close()
