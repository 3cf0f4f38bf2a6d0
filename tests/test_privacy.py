"""Masking personal data: phone numbers, NIK and e-mails inside free text, the identity columns,
the Rahasia/Anonim rules, exports, and Anonim identity never reaching the store."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analytics.security.privacy import (
    EMAIL_MASK,
    MASK,
    NIK_MASK,
    PHONE_MASK,
    for_export,
    is_personal_key,
    mask_complaints,
    mask_text,
    strip_anonymous,
)

P, N, E = PHONE_MASK, NIK_MASK, EMAIL_MASK


@pytest.mark.parametrize(("text", "expected"), [
    # mobile numbers as citizens type them
    ("hubungi 0812-3456-7890 ya", f"hubungi {P} ya"),
    ("0812 3456 7890", P),
    ("081234567890", P),
    ("HP:081234567890.", f"HP:{P}."),
    ("WA +62 812 3456 7890", f"WA {P}"),
    ("+6281234567890", P),
    ("62812345678", P),
    ("(+62)812.3456.789", P),
    ("+62-812-3456-7890, terima kasih", f"{P}, terima kasih"),
    # land lines with an area code
    ("kantor (022) 7654321", f"kantor {P}"),
    ("telp 021-8765432", f"telp {P}"),
    ("+62 21 8765432", P),
    # NIK: any 16-digit number, plain or grouped with one kind of separator
    ("NIK 3216014505900001", f"NIK {N}"),
    ("nik: 3216 0145 0590 0001", f"nik: {N}"),
    ("32.16.01.450590.0001", N),
    ("3216-0145-0590-0001 kk", f"{N} kk"),
    ("NIK 3216014505900001 2 orang", f"NIK {N} 2 orang"),
    # e-mails (before numbers: the local part can hold digits)
    ("kirim ke budi.s@gmail.com", f"kirim ke {E}"),
    ("x+1@bekasikab.go.id dan 0812345678901@mail.id", f"{E} dan {E}"),
])
def test_mask_text_masks_personal_numbers_and_addresses(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", [
    "tanggal 02-11-2025 jam 09.30",  # dates and times
    "2025-11-02 09.00.00 12",  # a date and time run together: 16 digits, three kinds of separator
    "Rp 150.000 dan Rp 1.250.000",  # amounts
    "tiket LAPOR 1234567",  # short ids
    "0812345",  # too short to be a mobile number
    "32160112345600012",  # 17 digits: not a NIK (and no 16-digit piece of a longer run)
    "321601123456001",  # 15 digits
    "RT 03 RW 05, km 12",
    "jam 08.00 sampai 16.00",
])
def test_mask_text_leaves_ordinary_numbers(text):
    assert mask_text(text) == text


def test_mask_text_keeps_missing_values_and_is_linear_on_huge_text():
    assert mask_text(None) is None and pd.isna(mask_text(float("nan")))
    huge = ("jalan rusak 0812-3456-7890 " * 20_000) + "9" * 100_000  # a 640 kB cell
    out = mask_text(huge)
    assert out.count(P) == 20_000 and "0812" not in out


@pytest.mark.parametrize(("key", "personal"), [
    ("reporter_name", True), ("Nama Pelapor", True), ("No HP", True), ("no_telp", True), ("NIK", True),
    ("Alamat", True), ("E-mail", True), ("Isi Laporan Awal", True), ("text", True), ("WhatsApp", True),
    ("unit", False), ("Kategori", False), ("kecamatan", False), ("source_id", False), ("status", False),
])
def test_personal_column_names(key, personal):
    assert is_personal_key(key) is personal


ROWS = pd.DataFrame({
    "source_id": ["A", "B", "C", "D"],
    "anonymous": [False, False, True, False],
    "confidential": [False, True, False, False],
    "reporter_name": ["Siti", "Rahmat", None, ""],
    "reporter_contact": ["0812-1111-2222", "0857", None, None],
    "text": ["telp 0813 3333 4444", "nomor saya 085777778888", "WA 081299998888", None],
})


def test_without_the_right_identity_is_masked_and_text_numbers_hidden():
    out = mask_complaints(ROWS, identity=False, full_text=False)
    names = list(out["reporter_name"])
    assert names[:2] == [MASK, MASK] and pd.isna(names[2]) and names[3] == ""  # empty stays empty
    assert list(out["reporter_contact"])[:2] == [MASK, MASK]
    assert list(out["text"])[:3] == [f"telp {P}", f"nomor saya {P}", f"WA {P}"]
    assert ROWS.loc[0, "reporter_name"] == "Siti"  # the input frame is not changed


def test_with_the_right_rahasia_and_anonim_stay_protected():
    out = mask_complaints(ROWS, identity=True, full_text=True)
    assert out.loc[0, "reporter_name"] == "Siti" and out.loc[0, "text"] == "telp 0813 3333 4444"
    assert out.loc[1, "reporter_name"] == MASK and out.loc[1, "text"] == f"nomor saya {P}"  # Rahasia
    assert out.loc[2, "text"] == f"WA {P}"  # Anonim: the text could name them


def test_strip_anonymous_empties_identity_of_anonim_rows_only():
    rows = ROWS.assign(reporter_name=["Siti", "Rahmat", "Anon", "X"], reporter_contact=["1", "2", "3", "4"])
    out = strip_anonymous(rows)
    assert out["reporter_name"].isna().tolist() == [False, False, True, False]
    assert out["reporter_contact"].isna().tolist() == [False, False, True, False]
    assert out.loc[2, "text"] == "WA 081299998888"  # text is kept (and masked on display)


def test_export_drops_personal_columns_and_masks_text_cells():
    frame = pd.DataFrame({"unit": ["Dinas 0812-3456-7890"], "Nama Pelapor": ["Siti"], "text": ["x"], "n": [1]})
    out = for_export(frame)
    assert list(out.columns) == ["unit", "n"]
    assert out.loc[0, "unit"] == f"Dinas {P}" and out.loc[0, "n"] == 1


def test_migration_v3_clears_identity_that_older_versions_stored_for_anonim(tmp_path):
    from analytics import store
    from analytics.store import schema

    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute((schema.SQL_DIR / "schema_v1.sql").read_text(encoding="utf-8"))
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)")
    con.execute("INSERT INTO schema_migrations VALUES (1, now())")
    for sid, anon in (("A", True), ("B", False)):
        con.execute(
            "INSERT INTO complaints (source, source_id, received_at, status, anonymous, reporter_name, "
            "reporter_contact, first_batch_id, last_batch_id, last_snapshot_at) "
            "VALUES ('x', $id, now(), 'selesai', $anon, 'Nama', '0812', 1, 1, now())", {"id": sid, "anon": anon})
    con.close()
    con = store.connect(path)
    rows = con.execute("SELECT source_id, reporter_name, reporter_contact FROM complaints ORDER BY 1").fetchall()
    assert rows == [("A", None, None), ("B", "Nama", "0812")]
    assert con.execute("SELECT count(*) FROM audit_log").fetchall() == [(0,)]
    con.close()
