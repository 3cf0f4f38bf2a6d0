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
    con: duckdb.DuckDBPyConnection, *, seed: int, months: int, rows: int, end: pd.Timestamp, out_dir: Path | None = None,
    region: str | None = None,
) -> ImportReport:
    """Generate a synthetic regency's export (Pantau template CSV) and import it as source
    ``demo``: Kab. Bekasi by default, or any kab/kota ``region`` names (its real kecamatan, desa
    and camat offices, the national OPD list). The store is flagged as demo so the dashboard says
    so on every page."""
    from analytics.demo.generate import write_demo_csv
    from analytics.rules.regions import resolve_region

    slug = resolve_region(region) if region else config.DEMO_REGION
    if slug is None:
        raise ValueError(f"unknown region {region!r}; `python -m analytics regions` lists them")
    if store.complaint_count(con) > 0 and store.get_meta(con, "is_demo") != "1":
        raise ValueError("this store holds real data; build the demo in another store with --db PATH")
    out_dir = out_dir or DEMO_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    path = write_demo_csv(out_dir / f"demo-{slug}-seed{seed}.csv", seed=seed, months=months, rows=rows, end=end,
                          region_dir=region_dir(slug, out_dir))
    store.set_meta(con, "is_demo", "1")
    store.set_meta(con, "region", slug)
    return import_file(con, path, fmt="pantau", source=DEMO_SOURCE, region=slug, snapshot_at=end,
                       now=end.to_pydatetime())


def region_dir(slug: str, out_dir: Path) -> Path:
    """The folder the generator reads a regency from: a hand-made registry as it is; a kab/kota of
    the national registry written out once in the same layout (units: its camat offices and the
    national OPD list; desa polygons only where the registry ships them)."""
    import json

    from analytics.rules.regions import REGIONS_DIR, curated_regions, load_region, region_geojson

    if slug in curated_regions():
        return REGIONS_DIR / slug
    folder = out_dir / "regions" / slug
    if (folder / "units.csv").is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    r = load_region(slug)
    r.kecamatan.to_csv(folder / "kecamatan.csv", index=False)
    r.desa.to_csv(folder / "desa.csv", index=False)
    for level in ("kecamatan", "desa"):
        (folder / f"{level}.geojson").write_text(json.dumps(region_geojson(slug, level)), encoding="utf-8")
    r.units.to_csv(folder / "units.csv", index=False)  # last: its presence marks a complete folder
    return folder


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
