"""unit_history (schema v8): the units a complaint was seen with, snapshot by snapshot, for the
ping-pong signal (docs/metrics.md, "Closure quality")."""

from __future__ import annotations

import pandas as pd

from analytics import store
from analytics.importers.ingest import import_file
from tests.helpers import template_csv

TZ = "Asia/Jakarta"


def _row(cid: str, opd: str) -> str:
    return f"{cid},2025-10-01T09:00+07:00,,2025-10-01T10:00+07:00,,,didisposisi,{opd},,,,,,,,,"


def _history(con) -> list[tuple]:
    return con.execute("SELECT source_id, unit_code, unit_raw FROM unit_history WHERE source_id NOT LIKE 'Z%' "
                       "ORDER BY observed_at, source_id").fetchall()


def test_every_unit_a_complaint_is_seen_with_is_kept_in_order(tmp_path):
    con = store.connect(tmp_path / "p.duckdb")
    try:
        days = ["2025-10-02", "2025-10-03", "2025-10-06", "2025-10-07"]
        units = [("Dinas Kesehatan", "Dinas Kesehatan"), ("Dinas Perhubungan", "Dinas Kesehatan"),
                 ("Dinas Kesehatan", "Dinas Kesehatan"), ("Dinas Kesehatan", "Dinas Kesehatan")]
        for day, (a, b) in zip(days, units, strict=True):
            # (a line naming the day: the same bytes twice would be "already imported")
            import_file(con, template_csv(tmp_path / f"{day}.csv", [_row("A", a), _row("B", b), _row(f"Z{day}", a)]),
                        region="kab-bekasi", snapshot_at=pd.Timestamp(f"{day} 12:00", tz=TZ))
        assert _history(con) == [("A", "DINKES", "Dinas Kesehatan"), ("B", "DINKES", "Dinas Kesehatan"),
                                 ("A", "DISHUB", "Dinas Perhubungan"), ("A", "DINKES", "Dinas Kesehatan")]
        # An older export arriving late changes nothing it should not (the newer one stays the truth).
        import_file(con, template_csv(tmp_path / "late.csv", [_row("A", "Dinas Perhubungan")]), region="kab-bekasi",
                    snapshot_at=pd.Timestamp("2025-10-02 18:00", tz=TZ))
        assert len(_history(con)) == 4
        # A name the registry does not know is history too (no code; the name is kept).
        import_file(con, template_csv(tmp_path / "x.csv", [_row("E", "Dinas Entah")]), region="kab-bekasi",
                    snapshot_at=pd.Timestamp("2025-10-08 12:00", tz=TZ))
        assert _history(con)[-1] == ("E", None, "Dinas Entah")
    finally:
        con.close()
