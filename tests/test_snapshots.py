"""Snapshots: a newer export updates stored complaints, records status changes, estimates stages."""

from __future__ import annotations

import pandas as pd

from analytics.importers.ingest import import_file

HEAD = "Tracking ID,Tanggal Laporan Masuk,Waktu Laporan Masuk,Instansi Terdisposisi,Status Laporan\n"


def _export(path, rows: list[str]):
    path.write_text(HEAD + "\n".join(rows) + "\n")
    return path


def _row(con, sid: str) -> dict:
    df = con.execute("SELECT * FROM complaints WHERE source_id = $s", {"s": sid}).df()
    return df.iloc[0].to_dict()


def test_status_changes_are_recorded_and_stages_estimated(con, tmp_path):
    t1 = pd.Timestamp("2025-06-02 17:00", tz="Asia/Jakarta")
    t2 = pd.Timestamp("2025-06-04 17:00", tz="Asia/Jakarta")
    t3 = pd.Timestamp("2025-06-10 17:00", tz="Asia/Jakarta")
    first = _export(tmp_path / "s1.csv", [
        "1,2 Jun 2025,02:00:00,,Belum Terverifikasi",
        "2,1 Jun 2025,02:00:00,Dinas Sosial Kabupaten Bandung,Ditutup oleh Admin",
    ])
    import_file(con, first, region="kab-bandung", snapshot_at=t1)
    r2 = _row(con, "2")
    # First seen already closed, with no lower bound: reached, time unknown (not invented).
    assert pd.isna(r2["resolved_at"]) and r2["status"] == "selesai"

    second = _export(tmp_path / "s2.csv", [
        "1,2 Jun 2025,02:00:00,Dinas Sosial Kabupaten Bandung,Didisposisi",
        "2,1 Jun 2025,02:00:00,Dinas Sosial Kabupaten Bandung,Ditutup oleh Admin",
        "3,3 Jun 2025,03:00:00,Dinas Sosial Kabupaten Bandung,Ditutup oleh Sistem",
    ])
    rep = import_file(con, second, region="kab-bandung", snapshot_at=t2)
    assert (rep.rows_new, rep.rows_updated, rep.rows_unchanged) == (1, 1, 1)
    r1 = _row(con, "1")
    assert r1["status"] == "didisposisi"
    assert pd.Timestamp(r1["dispatched_at"]) == t2 and r1["dispatched_est"]
    assert pd.Timestamp(r1["verified_at"]) == t2 and r1["verified_est"]
    assert pd.isna(r1["first_response_at"])
    # Received after the previous snapshot: the first snapshot bounds its stages.
    r3 = _row(con, "3")
    assert pd.Timestamp(r3["resolved_at"]) == t2 and r3["resolved_est"]

    third = _export(tmp_path / "s3.csv", ["1,2 Jun 2025,02:00:00,Dinas Sosial Kabupaten Bandung,Ditutup oleh Sistem"])
    import_file(con, third, region="kab-bandung", snapshot_at=t3)
    r1 = _row(con, "1")
    assert pd.Timestamp(r1["resolved_at"]) == t3 and pd.Timestamp(r1["dispatched_at"]) == t2
    hist = con.execute(
        "SELECT status, observed_at FROM status_history WHERE source_id = '1' ORDER BY observed_at"
    ).fetchall()
    assert [h[0] for h in hist] == ["menunggu_verifikasi", "didisposisi", "selesai"]
    assert [pd.Timestamp(h[1]) for h in hist] == [t1, t2, t3]


def test_older_snapshot_only_fills_gaps(con, tmp_path):
    new = _export(tmp_path / "new.csv", ["1,2 Jun 2025,02:00:00,Dinas Sosial Kabupaten Bandung,Ditutup oleh Admin"])
    old = tmp_path / "old.csv"
    old.write_text(
        "Tracking ID,Tanggal Laporan Masuk,Waktu Laporan Masuk,Instansi Terdisposisi,Status Laporan,Kecamatan\n"
        "1,2 Jun 2025,02:00:00,Dinas Sosial Kabupaten Bandung,Belum Terverifikasi,BALEENDAH\n"
    )
    import_file(con, new, region="kab-bandung", snapshot_at=pd.Timestamp("2025-06-10", tz="UTC"))
    rep = import_file(con, old, region="kab-bandung", snapshot_at=pd.Timestamp("2025-06-03", tz="UTC"))
    r = _row(con, "1")
    assert r["status"] == "selesai"  # the older export does not roll the status back
    assert r["kecamatan"] == "Baleendah"  # but fills what the newer one lacked
    assert rep.rows_updated == 1
