"""The importers against real exports: the figures in each SOURCE.md must come out of the store."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.importers.ingest import import_file
from tests.conftest import real_file

pytestmark = pytest.mark.realdata

SP4N = ("sp4n-lapor-kab-bandung",)
TOP_OPD = {
    "Dinas Pekerjaan Umum dan Tata Ruang Kab. Bandung": 321,
    "Dinas Sosial Kabupaten Bandung": 148,
    "Dinas Kependudukan dan Pencatatan Sipil Kabupaten Bandung": 118,
    "Dinas Lingkungan Hidup Kab. Bandung": 102,
    "Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu Kab. Bandung": 97,
    "Dinas Perhubungan Kab. Bandung": 94,
    "Dinas Pendidikan Bandung": 72,
    "Pemerintah Kabupaten Bandung": 56,
    "Dinas Pertanian Kabupaten Bandung": 48,
    "Kecamatan Baleendah": 43,
}
STATUS_RAW = {
    "Ditutup oleh Sistem": 1479,
    "Ditutup oleh Admin": 263,
    "Diarsipkan oleh Admin": 97,
    "Ditutup oleh Pelapor": 96,
    "Menunggu Kelengkapan Informasi": 87,
    "Diarsipkan oleh Sistem": 59,
    "Diarsipkan oleh Pelapor": 32,
    "Konten Terblokir": 13,
    "Belum Terverifikasi": 1,
}


def _counts(con, sql: str) -> dict:
    return {k: v for k, v in con.execute(sql).fetchall()}


@pytest.mark.parametrize(
    "name", ["laporan_ringkas_kab_bandung_2021_2024.xlsx", "sp4n_lapor_kab_bandung_2021_2024.csv"]
)
def test_sp4n_reference_figures(con, name):
    report = import_file(con, real_file(*SP4N, name))
    assert report.rows_read == 2127 and report.rows_new == 2127 and report.rows_quarantined == 0
    assert report.region == "kab-bandung"
    assert con.execute("SELECT count(DISTINCT source_id) FROM complaints").fetchall()[0][0] == 2127
    units = _counts(con, "SELECT unit_raw, count(*) FROM complaints GROUP BY 1")
    for opd, n in TOP_OPD.items():
        assert units[opd] == n, opd
    assert units[None] == 233
    assert _counts(con, "SELECT status_raw, count(*) FROM complaints GROUP BY 1") == STATUS_RAW
    assert _counts(con, "SELECT status, count(*) FROM complaints GROUP BY 1")["selesai"] == 1838
    years = _counts(con, "SELECT year(received_at), count(*) FROM complaints GROUP BY 1")
    assert years == {2021: 413, 2022: 408, 2023: 463, 2024: 843}
    channels = _counts(con, "SELECT channel, count(*) FROM complaints GROUP BY 1")
    assert channels["Website"] == 1148 and channels["Android"] == 470 and channels["SMS"] == 42
    # Every "Ditutup ..." row has an OPD; every non-empty OPD name resolves to a registry unit.
    assert con.execute(
        "SELECT count(*) FROM complaints WHERE status = 'selesai' AND unit_raw IS NULL"
    ).fetchall()[0][0] == 0
    assert con.execute(
        "SELECT count(*) FROM complaints WHERE unit_raw IS NOT NULL AND unit_code IS NULL"
    ).fetchall()[0][0] == 0
    # Waktu Laporan Masuk is UTC: stored as given.
    first = con.execute(
        "SELECT received_at FROM complaints WHERE source_id = '5216807'"
    ).fetchall()[0][0]
    assert pd.Timestamp(first) == pd.Timestamp("2023-05-29 04:05:34", tz="UTC")


def test_xlsx_title_block_gives_snapshot_and_agency(con):
    report = import_file(con, real_file(*SP4N, "laporan_ringkas_kab_bandung_2021_2024.xlsx"))
    # Tanggal Generate 2025-11-14: the end of that day in WIB.
    assert report.snapshot_at == pd.Timestamp("2025-11-14 23:59:59", tz="Asia/Jakarta")
    agency = con.execute("SELECT agency FROM import_batches").fetchall()[0][0]
    assert agency == "Pemerintah Kabupaten Bandung"


def test_2024_file_after_full_export_adds_nothing_and_fills_kecamatan(con):
    import_file(con, real_file(*SP4N, "laporan_ringkas_kab_bandung_2021_2024.xlsx"))
    report = import_file(con, real_file(*SP4N, "laporan_ringkas_kab_bandung_2024_lokasi.xlsx"))
    assert report.rows_read == 843 and report.rows_new == 0
    assert report.rows_updated + report.rows_unchanged == 843
    assert con.execute("SELECT count(*) FROM complaints").fetchall()[0][0] == 2127
    filled = con.execute("SELECT count(kecamatan_raw), count(kecamatan_code) FROM complaints").fetchall()[0]
    assert filled == (204, 191)
    # Out-of-area names are kept as given and listed, never dropped.
    assert report.unknown_kecamatan["CIHAMPELAS"] == 3
    assert "MAJENANG" in report.unknown_kecamatan and "MAJALENGKA" in report.unknown_kecamatan
    kept = con.execute("SELECT kecamatan FROM complaints WHERE kecamatan_raw = 'MAJENANG'").fetchall()
    assert kept == [("MAJENANG",)]


def _nyc_reference():
    return {  # agency: (rows, closed, median hours) from nyc-311/SOURCE.md
        "NYPD": (347, 347, 2.20),
        "HPD": (159, 157, 290.24),
        "DSNY": (135, 127, 81.23),
        "DOT": (119, 108, 21.36),
        "DEP": (75, 74, 10.99),
        "DOB": (55, 54, 137.80),
        "DOF": (25, 25, 44.44),
    }


def test_nyc_311_through_mapping(con):
    from analytics.config import PROJECT_DIR

    mapping = PROJECT_DIR / "data" / "mappings" / "nyc-311.toml"
    # tz UTC: the reference did naive wall-clock arithmetic, which UTC reproduces exactly.
    report = import_file(con, real_file("nyc-311", "nyc311_sample_2014_2019.csv"), mapping=mapping, tz="UTC")
    assert report.rows_read == 1000
    stored = _counts(con, "SELECT unit, count(*) FROM complaints GROUP BY 1")
    quarantined = con.execute("SELECT raw_json FROM quarantine").fetchall()
    q_by_agency = pd.Series([pd.read_json(pd.io.common.StringIO(r[0]), typ="series")["agency"] for r in quarantined]).value_counts()
    for agency, (rows, closed, median_h) in _nyc_reference().items():
        assert stored[agency] + int(q_by_agency.get(agency, 0)) == rows, agency
        got = con.execute(
            "SELECT count(*), median(epoch(resolved_at - received_at) / 3600) FROM complaints "
            "WHERE unit = $u AND status = 'selesai' AND resolved_at IS NOT NULL",
            {"u": agency},
        ).fetchall()[0]
        assert got[0] == closed, agency
        assert round(got[1], 2) == pytest.approx(median_h, abs=0.006), agency
    overall = con.execute(
        "SELECT count(*), median(epoch(resolved_at - received_at) / 3600) FROM complaints "
        "WHERE status = 'selesai' AND resolved_at IS NOT NULL"
    ).fetchall()[0]
    assert overall[0] == 969 and round(overall[1], 2) == 12.45


def test_stlouis_through_mapping(con):
    from analytics.config import PROJECT_DIR

    mapping = PROJECT_DIR / "data" / "mappings" / "stlouis-csb.toml"
    files = [real_file("stlouis-csb", f"csb_{y}.csv") for y in (2009, 2010, 2011, 2012)]
    reports = [import_file(con, f, mapping=mapping, tz="UTC") for f in files]
    assert sum(r.rows_read for r in reports) == 8345
    # Closed before created: quarantined with that reason. SOURCE.md counts 144 among CLOSED rows
    # deduplicated on every column; Pantau deduplicates on the mapped fields (rows differing only in
    # unmapped columns such as CALLERTYPE are the same complaint), so recount that way, in pandas.
    raw = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files])
    mapped = raw[["REQUESTID", "DATETIMEINIT", "DATETIMECLOSED", "STATUS", "SUBMITTO", "NEIGHBORHOOD", "PROBLEMCODE"]]
    mapped = mapped.assign(SUBMITTO=mapped["SUBMITTO"].str.split(",").str[0].str.strip()).drop_duplicates()
    init = pd.to_datetime(mapped["DATETIMEINIT"], format="mixed")
    closed = pd.to_datetime(mapped["DATETIMECLOSED"].replace("", None), format="mixed")
    expected_negative = int((closed < init).sum())
    negative = con.execute(
        "SELECT count(*) FROM quarantine WHERE reasons LIKE '%resolved_before_received%'"
    ).fetchall()[0][0]
    assert negative == expected_negative
    assert 140 <= negative <= 150  # the same order as SOURCE.md's 144
    got = con.execute(
        "SELECT median(epoch(resolved_at - received_at) / 3600) FROM complaints WHERE status = 'selesai'"
    ).fetchall()[0][0]
    assert got == pytest.approx(360.4, abs=1.5)
    forestry = con.execute(
        "SELECT median(epoch(resolved_at - received_at) / 3600) FROM complaints "
        "WHERE status = 'selesai' AND unit = 'FORESTRY'"
    ).fetchall()[0][0]
    assert forestry == pytest.approx(309.1, abs=2.5)


def test_nyc_311_without_a_status_table_keeps_every_readable_row(con, tmp_path):
    """Without its [status] table every row used to be quarantined ("Closed", "Open" unknown); now
    the everyday words are known and an unknown one ("Email Sent") keeps its complaint."""
    from analytics.config import PROJECT_DIR
    from analytics.importers.ingest import import_file

    text = (PROJECT_DIR / "data" / "mappings" / "nyc-311.toml").read_text(encoding="utf-8")
    head, _, rest = text.partition("[status]")
    tail = rest[rest.find("\n["):] if "\n[" in rest else ""
    mapping = tmp_path / "nyc-no-status.toml"
    mapping.write_text(head + tail, encoding="utf-8")
    report = import_file(con, real_file("nyc-311", "nyc311_sample_2014_2019.csv"), mapping=mapping, tz="UTC")
    assert report.rows_new == 990  # the 10 that close before they open stay quarantined
    assert report.quarantine_reasons == {"resolved_before_received": 10}
    assert report.unknown_statuses == {"Email Sent": 1}
