"""analytics.store.status: the Data page's reads, on a small store built from code."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from analytics.importers.ingest import import_file
from analytics.store import status as sv
from analytics.store.reads import units_in_store
from tests.helpers import HEADER, template_csv

PERSONAL_HEADER = HEADER + ",reporter_name,reporter_contact,text"
ROWS = [
    # known unit, kecamatan and desa
    "A1,2025-06-02T09:00:00+07:00,,,,,menunggu_verifikasi,Dinas Kesehatan,Cikarang Barat,,Puskesmas,"
    "Pengaduan,WhatsApp,,,,,Budi,0812-1,jalan rusak",
    # unknown unit and kecamatan (twice), unknown desa
    "A2,2025-06-03T09:00:00+07:00,,,,,menunggu_verifikasi,Dinas Entah Berantah,Kecamatan Antah,Desa Tak Ada,"
    "Jalan,Pengaduan,WhatsApp,,,,,Siti,0812-2,lampu mati",
    "A3,2025-06-04T09:00:00+07:00,,,,,menunggu_verifikasi,Dinas Entah Berantah,Kecamatan Antah,,"
    "Jalan,Pengaduan,WhatsApp,,,,,,,",
    # quarantined: unreadable resolved time, rating out of range; carries personal data
    "B1,2025-06-05T09:00:00+07:00,,,,31/02/2025,selesai,Dinas Kesehatan,Cikarang Barat,,Jalan,Pengaduan,"
    "WhatsApp,,,9,,Rahasia Sekali,0899-RAHASIA,isi aduan pribadi",
]


@pytest.fixture
def filled(con, tmp_path):
    path = template_csv(tmp_path / "ekspor.csv", ROWS, header=PERSONAL_HEADER)
    import_file(con, path, region="kab-bekasi", snapshot_at=pd.Timestamp("2025-06-06 12:00", tz="Asia/Jakarta"))
    return con


def test_empty_store(con):
    assert sv.data_version(con) == "0:0:0"
    fresh = sv.freshness(con)
    assert fresh == sv.Freshness(None, None, None, 0, 0)
    assert sv.import_history(con).rows.empty
    assert sv.quarantine_rows(con).rows.empty
    assert sv.quarantine_reason_counts(con).empty
    assert all(c.rows.empty for c in sv.unknown_names(con).values())
    assert units_in_store(con).empty


def test_data_version_changes_with_every_import(filled, tmp_path):
    before = sv.data_version(filled)
    assert before == "1:1:3"
    more = template_csv(tmp_path / "more.csv", [ROWS[0].replace("A1,", "C1,", 1)], header=PERSONAL_HEADER)
    import_file(filled, more, region="kab-bekasi")
    assert sv.data_version(filled) != before


def test_freshness(filled):
    fresh = sv.freshness(filled)
    assert fresh.complaints == 3 and fresh.batches == 1
    assert fresh.latest_snapshot_at == pd.Timestamp("2025-06-06 05:00", tz="UTC")
    assert fresh.latest_received_at == pd.Timestamp("2025-06-04 02:00", tz="UTC")
    assert str(fresh.latest_received_at.tz) == "UTC"


def test_import_history_newest_first_and_capped(filled, tmp_path):
    for i in range(3):
        p = template_csv(tmp_path / f"f{i}.csv", [ROWS[0].replace("A1,", f"D{i},", 1)], header=PERSONAL_HEADER)
        import_file(filled, p, region="kab-bekasi")
    history = sv.import_history(filled)
    assert list(history.rows["batch_id"]) == [4, 3, 2, 1]
    assert list(history.rows["file_name"])[-1] == "ekspor.csv"
    assert not history.truncated
    first = history.rows.iloc[-1]
    assert (first["rows_read"], first["rows_new"], first["rows_quarantined"]) == (4, 3, 1)
    capped = sv.import_history(filled, limit=2)
    assert list(capped.rows["batch_id"]) == [4, 3] and capped.truncated and capped.limit == 2


def test_quarantine_rows_are_masked_and_labelled(filled):
    q = sv.quarantine_rows(filled)
    assert len(q.rows) == 1 and not q.truncated
    row = q.rows.iloc[0]
    assert (row["batch_id"], row["source_id"], row["file_name"]) == (1, "B1", "ekspor.csv")
    assert row["row_number"] == 5  # header is line 1
    assert "bad_time" in row["reasons"] and "rating_out_of_range" in row["reasons"]
    raw = json.loads(row["raw"])
    assert raw["reporter_name"] == raw["reporter_contact"] == raw["text"] == sv.MASK
    assert raw["id"] == "B1" and raw["resolved_at"] == "31/02/2025"
    flat = " ".join(str(v) for v in q.rows.iloc[0].to_dict().values())
    for secret in ("Rahasia Sekali", "0899-RAHASIA", "isi aduan pribadi"):
        assert secret not in flat
    assert set(q.rows.columns) == {"batch_id", "file_name", "row_number", "source_id", "reasons", "raw"}


def test_quarantine_reason_counts(filled):
    counts = sv.quarantine_reason_counts(filled)
    assert dict(zip(counts["code"], counts["rows"])) == {"bad_time": 1, "rating_out_of_range": 1}


@pytest.mark.parametrize(
    ("raw", "masked_keys", "kept"),
    [
        ({"tracking id": "1", "isi laporan awal": "x", "isi laporan akhir": "y", "judul laporan": "z"},
         {"isi laporan awal", "isi laporan akhir", "judul laporan"}, {"tracking id"}),
        ({"Nama Pelapor": "Budi", "No HP": "0812", "E-mail": "a@b", "Kategori": "Jalan"},
         {"Nama Pelapor", "No HP", "E-mail"}, {"Kategori"}),
        ({"isi laporan awal_2": "dup header", "reporter_name": None, "text": ""},
         {"isi laporan awal_2"}, {"reporter_name", "text"}),  # empty values stay empty
        ({"Instansi Terdisposisi": "Dinas X", "Status Laporan": "Selesai"}, set(), {"Instansi Terdisposisi"}),
    ],
)
def test_mask_raw(raw, masked_keys, kept):
    out = json.loads(sv.mask_raw(json.dumps(raw)))
    for k in masked_keys:
        assert out[k] == sv.MASK, k
    for k in kept:
        assert out[k] == raw[k], k


def test_mask_raw_unreadable_rows_are_masked_whole():
    assert sv.mask_raw("not json") == sv.MASK
    assert sv.mask_raw("[1, 2]") == sv.MASK
    assert sv.mask_raw(None) == ""


def test_label_reasons():
    assert sv.label_reasons("missing_id") == "ID aduan kosong"
    assert sv.label_reasons("missing_id; bad_time:resolved_at=31/02", "en") == (
        "complaint id is empty; time cannot be read (resolved_at=31/02)"
    )
    assert sv.label_reasons("unknown_status=Dibatalkan") == "status tidak dikenal (Dibatalkan)"
    assert sv.label_reasons("new_code:x") == "new_code (x)"  # unknown code: shown as is
    assert sv.label_reasons("") == ""


def test_unknown_names(filled):
    names = sv.unknown_names(filled)
    assert set(names) == {"unit", "kecamatan", "desa"}
    assert names["unit"].rows.to_dict("records") == [{"name": "Dinas Entah Berantah", "complaints": 2}]
    assert names["kecamatan"].rows.to_dict("records") == [{"name": "Kecamatan Antah", "complaints": 2}]
    assert names["desa"].rows.to_dict("records") == [{"name": "Desa Tak Ada", "complaints": 1}]
    capped = sv.unknown_names(filled, limit=0)
    assert capped["unit"].rows.empty and capped["unit"].truncated


def test_units_in_store(filled):
    units = units_in_store(filled)
    assert list(units.columns) == ["code", "name", "complaints"]
    assert units.to_dict("records") == [
        # an unknown unit has no code: listed under its name
        {"code": "Dinas Entah Berantah", "name": "Dinas Entah Berantah", "complaints": 2},
        {"code": "DINKES", "name": "Dinas Kesehatan Kabupaten Bekasi", "complaints": 1},
    ]


def test_store_views_binds_values_and_never_imports_streamlit():
    from pathlib import Path

    src = Path(sv.__file__).read_text(encoding="utf-8")
    assert "import streamlit" not in src
    assert ".format(" not in src
