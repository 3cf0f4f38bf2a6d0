"""Estimated times carry their interval (docs/metrics.md, "States": `uncertain`).

A "Laporan Ringkas" export has statuses, not stage times. Imported day after day, the snapshot
that first shows a complaint dispatched bounds its dispatch: after the export before it, by this
one. Hand case, policy sp4n-lapor (verify within 3 working days), week of 14 Jul 2025 (no
holidays), every complaint received Monday 14 Jul 09.00 WIB, so verification is due at the end of
Thursday 17 Jul:

    export   S1 Mon 14 17.00   S2 Thu 17 12.00   S3 Fri 18 12.00   S4 Mon 21 12.00
    A        belum             didisposisi                                            -> (S1, S2]: on time
    B        belum             belum             (not in export)   didisposisi      -> (S2, S4]: uncertain
    C        belum             belum             belum             didisposisi      -> (S3, S4]: late
"""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.importers.ingest import import_file
from analytics.rules.periods import Period
from analytics.rules.policy import load_policy
from analytics.screens import headline_numbers, league_for, league_rows
from analytics.store import schema

TZ = "Asia/Jakarta"
HEAD = "Tracking ID,Tanggal Laporan Masuk,Waktu Laporan Masuk,Instansi Terdisposisi,Status Laporan\n"
UNIT = "Dinas Sosial Kabupaten Bandung"
SNAPS = {
    "S1": ("2025-07-14 17:00", {"A": "Belum Terverifikasi", "B": "Belum Terverifikasi", "C": "Belum Terverifikasi"}),
    "S2": ("2025-07-17 12:00", {"A": "Didisposisi", "B": "Belum Terverifikasi", "C": "Belum Terverifikasi"}),
    "S3": ("2025-07-18 12:00", {"A": "Didisposisi", "C": "Belum Terverifikasi"}),
    "S4": ("2025-07-21 12:00", {"A": "Didisposisi", "B": "Didisposisi", "C": "Didisposisi"}),
}
AS_OF = pd.Timestamp("2025-07-21 12:00", tz=TZ)


def _import_all(con, tmp_path, names=("S1", "S2", "S3", "S4")) -> None:
    for name in names:
        at, rows = SNAPS[name]
        path = tmp_path / f"{name}.csv"
        path.write_text(HEAD + "".join(
            f"{sid},14 Jul 2025,09:00:00,{UNIT if status != 'Belum Terverifikasi' else ''},{status}\n"
            for sid, status in rows.items()))
        import_file(con, path, region="kab-bandung", snapshot_at=pd.Timestamp(at, tz=TZ))


def _verification(con) -> dict[str, str]:
    from analytics.metrics.clock import clock_in_store

    lo, hi = Period(pd.Timestamp("2025-07-14").date(), pd.Timestamp("2025-07-14").date()).utc_bounds(TZ)
    clock = clock_in_store(con, lo, hi, AS_OF.tz_convert("UTC"), load_policy("sp4n-lapor"))
    ver = clock[clock["stage"] == "verifikasi"]
    return dict(zip(ver["source_id"], ver["state"].astype("str"), strict=True))


def test_the_interval_of_each_estimate_is_stored(con, tmp_path):
    _import_all(con, tmp_path)
    rows = con.execute(
        "SELECT source_id, dispatched_at, dispatched_after, dispatched_est FROM complaints ORDER BY source_id"
    ).df().set_index("source_id")
    at = {k: pd.Timestamp(v[0], tz=TZ) for k, v in SNAPS.items()}
    assert rows["dispatched_est"].all()
    assert [pd.Timestamp(t) for t in rows["dispatched_at"]] == [at["S2"], at["S4"], at["S4"]]
    # B was missing from S3: it was last seen undispatched in S2.
    assert [pd.Timestamp(t) for t in rows["dispatched_after"]] == [at["S1"], at["S2"], at["S3"]]


def test_a_deadline_inside_the_interval_is_uncertain_and_counts_for_no_one(con, tmp_path):
    _import_all(con, tmp_path)
    assert _verification(con) == {"A": "on_time", "B": "uncertain", "C": "late"}
    week = Period(pd.Timestamp("2025-07-14").date(), pd.Timestamp("2025-07-20").date())
    head = headline_numbers(con, week, AS_OF.tz_convert("UTC"), load_policy("sp4n-lapor"))
    ver = head.by_stage["verifikasi"]
    assert (ver.due, ver.due_on_time, ver.due_late, ver.due_uncertain) == (3, 1, 1, 1)
    assert ver.on_time_pct == 50.0  # 1 / (1 + 1): B is in neither
    assert head.as_dict()["by_stage"]["verifikasi"]["due_uncertain"] == 1


def test_one_snapshot_alone_judges_no_dispatch_it_did_not_see(con, tmp_path):
    # S4 alone: every complaint first seen dispatched, no lower bound: "reached, time unknown".
    _import_all(con, tmp_path, ("S4",))
    assert set(_verification(con).values()) == {"unknown"}


def test_the_unit_league_counts_an_uncertain_follow_up_for_no_one(con, tmp_path):
    _import_all(con, tmp_path)
    # A's follow-up: dispatched in (S1, S2]; 5 working days from S2's date is Thu 24 Jul, from
    # S1's date Mon 21 Jul. A response first seen on Wed 23 Jul 12.00 (after S5 Tue 22 Jul 12.00)
    # is on time against the latest deadline and late against the earliest: uncertain.
    for name, at, status in (("S5", "2025-07-22 12:00", "Didisposisi"), ("S6", "2025-07-23 12:00", "Ditindaklanjuti")):
        path = tmp_path / f"{name}.csv"
        path.write_text(HEAD + f"A,14 Jul 2025,09:00:00,{UNIT},{status}\n")
        import_file(con, path, region="kab-bandung", snapshot_at=pd.Timestamp(at, tz=TZ))
    july = Period(pd.Timestamp("2025-07-01").date(), pd.Timestamp("2025-07-31").date())
    rows = league_rows(league_for(con, by="opd", period=july, policy=load_policy("sp4n-lapor"),
                                  as_of=pd.Timestamp("2025-07-31 12:00", tz=TZ).tz_convert("UTC")))
    row = rows.set_index("unit_code").iloc[0]
    # B's and C's follow-ups (dispatched by S4 at the latest, due Mon 28 Jul) are surely overdue
    # on 31 Jul; A's is in neither count.
    assert (row["uncertain"], row["on_time"], row["late"], row["open_overdue"], row["decided"]) == (1, 0, 0, 2, 2)


def test_times_estimated_before_version_4_get_a_valid_lower_bound(tmp_path):
    from analytics import store

    path = tmp_path / "old.duckdb"
    con = store.connect(path)
    _import_all(con, tmp_path)
    # As a store written before the bound was kept: drop it and the migration's record.
    from analytics.rules.model import ESTIMATED_AFTER

    for col in ESTIMATED_AFTER.values():  # fixed column names of the model, not input
        con.execute(f"ALTER TABLE complaints DROP COLUMN {col}")
    con.execute("DELETE FROM schema_migrations WHERE version = 4")
    con.close()
    con = store.connect(path)
    assert schema.schema_version(con) >= 4
    after = dict(con.execute("SELECT source_id, dispatched_after FROM complaints").fetchall())
    at = {k: pd.Timestamp(v[0], tz=TZ) for k, v in SNAPS.items()}
    # The last recorded status change before the estimate: C's status did not change in S3, so
    # its recovered bound is S1 (looser than S3, still true).
    assert {k: pd.Timestamp(v) for k, v in after.items()} == {"A": at["S1"], "B": at["S1"], "C": at["S1"]}
    assert _verification(con) == {"A": "on_time", "B": "uncertain", "C": "uncertain"}
    con.close()


@pytest.mark.parametrize("policy", ["sp4n-lapor", "kota-bandung"])
def test_reported_times_never_read_uncertain(con, policy):
    from analytics.demo.load import load_demo

    load_demo(con, seed=3, months=2, rows=600, end=pd.Timestamp("2025-11-20 12:00", tz=TZ))
    n = con.execute("SELECT count(*) FROM complaints WHERE dispatched_est OR first_response_est").fetchall()[0][0]
    assert n == 0
    head = headline_numbers(con, Period(pd.Timestamp("2025-09-20").date(), pd.Timestamp("2025-11-19").date()),
                            pd.Timestamp("2025-11-20 12:00", tz=TZ).tz_convert("UTC"), load_policy(policy))
    assert head.units.due_on_time + head.units.due_late > 0
    assert all(s.due_uncertain == 0 for s in head.by_stage.values())
