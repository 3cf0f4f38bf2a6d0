"""Bad input: refused files leave the store untouched and say why; bad rows go to quarantine."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analytics.cli import main as cli
from analytics.importers.errors import RefusedFile
from analytics.importers.ingest import import_file
from tests.helpers import HEADER, HEADER_Q, QUARANTINE_ROWS, fingerprint, template_csv

GOOD = "A1,2025-06-02T09:00:00+07:00,,,,,menunggu_verifikasi,Dinas Kesehatan,Cikarang Barat,,Puskesmas,Pengaduan,WhatsApp,,,,"


@pytest.fixture
def seeded(con, tmp_path):
    import_file(con, template_csv(tmp_path / "seed.csv", [GOOD]), region="kab-bekasi")
    return con


def _refused(con, path, **kw) -> RefusedFile:
    before = fingerprint(con)
    with pytest.raises(RefusedFile) as info:
        import_file(con, path, **kw)
    assert fingerprint(con) == before
    return info.value


def test_missing_file(seeded, tmp_path):
    err = _refused(seeded, tmp_path / "nope.csv")
    assert "nope.csv" in str(err) and "not found" in str(err)


def test_empty_file(seeded, tmp_path):
    p = tmp_path / "empty.csv"
    p.write_text("   \n")
    assert "empty" in str(_refused(seeded, p))


def test_binary_file(seeded, tmp_path):
    p = tmp_path / "photo.csv"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    assert "binary" in str(_refused(seeded, p))


def test_unknown_format_names_expected_columns(seeded, tmp_path):
    p = tmp_path / "other.csv"
    p.write_text("nomor,tanggal,keluhan\n1,2025-01-01,jalan rusak\n")
    err = _refused(seeded, p)
    assert "other.csv" in str(err) and "not a known export format" in str(err)
    assert "received_at" in err.expected and "Tracking ID" in err.expected


def test_missing_required_column_for_forced_format(seeded, tmp_path):
    p = tmp_path / "noid.csv"
    p.write_text("received_at,status\n2025-01-01,selesai\n")
    err = _refused(seeded, p, fmt="pantau")
    assert "noid.csv" in str(err) and "id" in err.expected


def test_damaged_workbook(seeded, tmp_path):
    p = tmp_path / "broken.xlsx"
    p.write_bytes(b"PK\x03\x04" + b"\x00garbage" * 50)
    assert "broken.xlsx" in str(_refused(seeded, p))


def test_cli_exit_codes(tmp_path, capsys):
    db = tmp_path / "cli.duckdb"
    good = template_csv(tmp_path / "good.csv", [GOOD])
    assert cli.main(["import", str(good), "--db", str(db), "--region", "kab-bekasi"]) == 0
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n")
    assert cli.main(["import", str(bad), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "expected columns" in err


def test_row_problems_are_quarantined_with_reasons(con, tmp_path):
    rows = [
        GOOD,
        ",2025-06-02T09:00:00+07:00,,,,,,,,,,,,,,,",  # no id
        "B2,31/02/2025,,,,,,,,,,,,,,,",  # received_at that does not parse
        "B3,2025-06-05T09:00:00+07:00,,,,2025-06-01T09:00:00+07:00,selesai,,,,,,,,,,",  # resolved before received
        "B4,2025-06-02T09:00:00+07:00,,,,,menunggu_verifikasi,,,,Sampah,,,,,,",
        "B4,2025-06-02T09:00:00+07:00,,,,,menunggu_verifikasi,,,,Banjir,,,,,,",  # same id, other content
        "B5,2025-06-02T09:00:00+07:00,,,,,sudah beres,,,,,,,,,,",  # unknown status: kept, not quarantined
        "B6,2025-06-02T09:00:00+07:00,,,,,,,,,,,,-6.3,107.1,9,",  # rating out of range
        GOOD,  # exact duplicate: counted, not quarantined
    ]
    report = import_file(con, template_csv(tmp_path / "mixed.csv", rows), region="kab-bekasi")
    assert report.rows_read == 9 and report.rows_new == 2 and report.rows_duplicate == 1
    assert report.rows_quarantined == 6
    assert report.quarantine_reasons == {
        "missing_id": 1,
        "bad_time": 1,
        "resolved_before_received": 1,
        "duplicate_id_conflict": 2,
        "rating_out_of_range": 1,
    }
    assert report.unknown_statuses == {"sudah beres": 1}
    kept = con.execute("SELECT status, status_raw FROM complaints WHERE source_id = 'B5'").fetchall()
    assert kept == [("menunggu_verifikasi", "sudah beres")]  # its times say no stage passed yet
    q = con.execute("SELECT row_number, raw_json, reasons FROM quarantine ORDER BY row_number").df()
    assert q["row_number"].tolist() == [3, 4, 5, 6, 7, 9]  # file lines, header is line 1
    assert json.loads(q["raw_json"][1])["received_at"] == "31/02/2025"
    assert "31/02/2025" in q["reasons"][1]


def test_windows_1252_and_bom_and_semicolons(con, tmp_path):
    row = "C1;2025-06-02T09:00:00+07:00;;;;;menunggu_verifikasi;Dinas Kesehatan;Cikarang Barat;;Pelayanan Puskesmas – antre;Pengaduan;WhatsApp;;;;"
    p = tmp_path / "excel.csv"
    p.write_bytes((HEADER.replace(",", ";") + "\r\n" + row + "\r\n").encode("cp1252"))
    r = import_file(con, p, region="kab-bekasi")
    assert r.rows_new == 1
    p2 = tmp_path / "bom.csv"
    p2.write_bytes("\ufeff".encode() + (HEADER + "\n" + GOOD.replace("A1", "C2") + "\n").encode())
    assert import_file(con, p2, region="kab-bekasi").rows_new == 1
    cats = {r[0] for r in con.execute("SELECT category FROM complaints").fetchall()}
    assert "Pelayanan Puskesmas – antre" in cats


def test_indonesian_month_names_in_sp4n_csv(con, tmp_path):
    p = tmp_path / "lapor.csv"
    p.write_text(
        "Tracking ID,Tanggal Laporan Masuk,Waktu Laporan Masuk,Instansi Terdisposisi,Status Laporan\n"
        "1,29 Mei 2023,04:05:34,,Belum Terverifikasi\n"
        "2,17 Agu 2025,18:30:00,,Belum Terverifikasi\n"
        "3,1 Desember 2024,00:00:00,,Belum Terverifikasi\n"
    )
    import_file(con, p, region="kab-bandung")
    got = dict(con.execute("SELECT source_id, received_at FROM complaints").fetchall())
    assert pd.Timestamp(got["1"]) == pd.Timestamp("2023-05-29 04:05:34", tz="UTC")
    assert pd.Timestamp(got["2"]) == pd.Timestamp("2025-08-17 18:30:00", tz="UTC")
    assert pd.Timestamp(got["3"]) == pd.Timestamp("2024-12-01", tz="UTC")


def test_reimport_same_file_changes_nothing(con, tmp_path):
    p = template_csv(tmp_path / "a.csv", [GOOD])
    import_file(con, p, region="kab-bekasi")
    before = fingerprint(con)
    again = import_file(con, p, region="kab-bekasi")
    assert again.already_imported and again.previous_batch_id == 1
    assert fingerprint(con) == before


def test_failure_halfway_leaves_store_exactly_as_before(seeded, tmp_path, monkeypatch):
    import analytics.importers.ingest as ingest

    before = fingerprint(seeded)
    p = template_csv(tmp_path / "b.csv", [GOOD.replace("A1", "D1"), ",2025-06-02T09:00:00+07:00,,,,,,,,,,,,,,,"])

    def boom(*a, **k):
        raise RuntimeError("disk full")

    # Fails after complaints were written, while writing the batch summary.
    monkeypatch.setattr(ingest, "reason_counts", boom)
    with pytest.raises(RuntimeError):
        import_file(seeded, p, region="kab-bekasi")
    assert fingerprint(seeded) == before


def test_file_from_another_regency_is_refused(seeded, tmp_path):
    p = tmp_path / "bdg.csv"
    p.write_text("Tracking ID,Tanggal Laporan Masuk,Instansi Induk,Status Laporan\n9,1 Jan 2024,Pemerintah Kabupaten Bandung,Belum Terverifikasi\n")
    err = _refused(seeded, p)
    assert "Kabupaten Bandung" in str(err) and "Kabupaten Bekasi" in str(err)


# --- quarantine and personal data (issue "Hardening", item 6; rows in tests/helpers.py) -----------


def test_quarantine_never_stores_anonim_identity(con, tmp_path):
    path = template_csv(tmp_path / "anon.csv", QUARANTINE_ROWS, header=HEADER_Q)
    report = import_file(con, path, region="kab-bekasi")
    assert report.rows_quarantined == 3
    stored = dict(con.execute("SELECT source_id, raw_json || ' ' || reasons FROM quarantine").fetchall())
    for cid in ("Q1", "Q2"):
        row = stored[cid]
        assert not [s for s in ("Anonim Tapi Bernama", "Anonim Kedua", "0899", "anon@mail.id") if s in row], row
    q1 = json.loads(con.execute("SELECT raw_json FROM quarantine WHERE source_id = 'Q1'").fetchall()[0][0])
    assert q1["reporter_name"] is None and q1["reporter_contact"] is None and q1["no.hp"] is None
    assert q1["keterangan"] == "WA [telp] / [email]" and q1["received_at"] == "kemarin sore"
    q3 = json.loads(con.execute("SELECT raw_json FROM quarantine WHERE source_id = 'Q3'").fetchall()[0][0])
    assert q3["reporter_name"] == "Siti Aminah" and q3["no.hp"] == "0812 1111 2222"  # stored, not shown


def test_quarantine_of_a_mapped_layout_drops_the_mapped_identity_of_anonim_rows(con, tmp_path):
    mapping = tmp_path / "kanal.toml"
    mapping.write_text(
        '[source]\nname = "kanal"\n[columns]\nsource_id = "No"\nreceived_at = "Masuk"\n'
        'reporter_name = "Pengirim"\nanonymous = "Rahasiakan"\n',
        encoding="utf-8",
    )
    p = tmp_path / "kanal.csv"
    p.write_text("No,Masuk,Pengirim,Rahasiakan\nK1,bukan tanggal,Nama Sebenarnya,ya\n", encoding="utf-8")
    import_file(con, p, fmt="mapping", mapping=mapping, region="kab-bekasi")
    raw = json.loads(con.execute("SELECT raw_json FROM quarantine").fetchall()[0][0])
    assert raw["pengirim"] is None and raw["masuk"] == "bukan tanggal"


def test_quarantined_rows_reach_the_data_page_masked_by_content(con, tmp_path):
    from analytics.security.privacy import MASK
    from analytics.store import status
    from ui.data_tables import quarantine_table

    import_file(con, template_csv(tmp_path / "anon.csv", QUARANTINE_ROWS, header=HEADER_Q), region="kab-bekasi")
    table = quarantine_table(status.quarantine_rows(con).rows, "id")
    shown = table.to_csv(index=False)
    for secret in ("Siti Aminah", "0812", "1111", "0899", "Anonim", "anon@mail.id"):
        assert secret not in shown, secret
    q3 = json.loads(status.quarantine_rows(con).rows.set_index("source_id").loc["Q3", "raw"])
    assert q3["no.hp"] == MASK and q3["keterangan"] == "hubungi [telp]" and q3["received_at"] == "31/02/2025"



@pytest.mark.parametrize("word", ["proses", "Proses", "dalam penanganan", "In Progress", "closed", "Open", "pending"])
def test_everyday_status_words_are_known(word):
    from analytics.importers.statuses import map_statuses

    assert map_statuses(pd.Series([word])).notna().all()


def test_a_regency_teaches_pantau_its_own_status_words(con, tmp_path, monkeypatch):
    from analytics.importers import statuses

    words = tmp_path / "statuses.toml"
    words.write_text('[status]\n"Sudah Ditanggapi OPD" = "ditindaklanjuti"\n')
    monkeypatch.setattr(statuses, "STATUS_FILE", words)
    monkeypatch.setattr(statuses.regency_statuses, "__defaults__", (words,))
    row = "S1,2025-06-02T09:00:00+07:00,,2025-06-02T10:00:00+07:00,,,Sudah Ditanggapi OPD,,,,,,,,,,"
    report = import_file(con, template_csv(tmp_path / "s.csv", [row]), region="kab-bekasi")
    assert report.unknown_statuses == {} and report.rows_new == 1
    assert con.execute("SELECT status FROM complaints").fetchall() == [("ditindaklanjuti",)]
    words.write_text('[status]\n"x" = "bogus"\n')
    with pytest.raises(ValueError, match="bogus"):
        statuses.regency_statuses(words)
