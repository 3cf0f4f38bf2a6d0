"""Putting the demo regency into a store, and taking it out again."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from analytics import config, store
from analytics.importers.ingest import ImportReport, import_file

DEMO_SOURCE = "demo"
DEMO_DIR = config.DATA_DIR / "demo"


def load_demo(
    con: duckdb.DuckDBPyConnection, *, seed: int, months: int, rows: int, end: pd.Timestamp, out_dir: Path | None = None
) -> ImportReport:
    """Generate the synthetic Kab. Bekasi export (Pantau template CSV) and import it as source
    ``demo``. The store is flagged as demo so the dashboard says so on every page."""
    from analytics.demo.generate import write_demo_csv

    if store.complaint_count(con) > 0 and store.get_meta(con, "is_demo") != "1":
        raise ValueError("this store holds real data; build the demo in another store with --db PATH")
    out_dir = out_dir or DEMO_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    path = write_demo_csv(out_dir / f"demo-kab-bekasi-seed{seed}.csv", seed=seed, months=months, rows=rows, end=end)
    store.set_meta(con, "is_demo", "1")
    store.set_meta(con, "region", config.DEMO_REGION)
    return import_file(
        con, path, fmt="pantau", source=DEMO_SOURCE, region=config.DEMO_REGION, snapshot_at=end, now=end.to_pydatetime()
    )


def clear_demo(con: duckdb.DuckDBPyConnection) -> int:
    """Remove every demo complaint, its history, batches and quarantine; returns how many."""
    n = con.execute("SELECT count(*) FROM complaints WHERE source = $s", {"s": DEMO_SOURCE}).fetchall()[0][0]
    con.execute("BEGIN TRANSACTION")
    try:
        params = {"s": DEMO_SOURCE}
        con.execute(
            "DELETE FROM quarantine WHERE batch_id IN (SELECT batch_id FROM import_batches WHERE source = $s)", params
        )
        con.execute("DELETE FROM status_history WHERE source = $s", params)
        con.execute("DELETE FROM complaints WHERE source = $s", params)
        con.execute("DELETE FROM import_batches WHERE source = $s", params)
        con.execute("DELETE FROM meta WHERE key = 'is_demo'")
        if con.execute("SELECT count(*) FROM complaints").fetchall()[0][0] == 0:
            con.execute("DELETE FROM meta WHERE key = 'region'")
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return int(n)
