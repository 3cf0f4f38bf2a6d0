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
    strip_anonymous_raw,
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


# --- formats people actually type (issue "Hardening", item 5) -------------------------------------
# Each number below is masked as a whole: the text around it is kept exactly as written, whatever
# Unicode it uses. NB = no-break space, full-width digits are what phone keyboards in CJK mode and
# some PDF exports produce.
NB, EN, EM, HY, NBH, MINUS, THIN, NNB = "\u00a0", "\u2013", "\u2014", "\u2010", "\u2011", "\u2212", "\u2009", "\u202f"


def _wide(s: str) -> str:
    """``s`` in full-width characters (U+FF01..U+FF5E), spaces as the ideographic space."""
    return "".join("\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s)


PHONE_FORMATS = [
    ("hubungi (0812) 1051 7051", f"hubungi {P}"),
    (f"0812{EN}1051{EN}7051", P),
    (f"0812{EM}1051{EM}7051", P),
    (f"0812{HY}1051{HY}7051", P),
    (f"0812{NBH}1051{NBH}7051", P),
    (f"0812{MINUS}1051{MINUS}7051", P),
    (f"hp{NB}0812{NB}1051{NB}7051", f"hp{NB}{P}"),
    (f"0812{THIN}1051{NNB}7051", P),
    ("0812 - 1051 - 7051", P),
    ("08 12 10 71 70 71", P),
    ("+62 (812) 1101-7101", P),
    ("628 1211 117 111", P),
    ("(+62) 812 1051 7051", P),
    ("+62-812-1051-7051", P),
    ("0062 812 1051 7051", P),
    (_wide("081210517051"), P),
    (_wide("+62 812 1051 7051"), P),
    ("0812/1051/7051", P),
    ("0812_1051_7051", P),
    ("0812.1051.7051", P),
    ("(0812 1051 7051)", P),
    ("telp (021) 8765 4321 kantor", f"telp {P} kantor"),
    ("+62 21 8765 4321", P),
    # two numbers in a row are two phones, not one long number half masked
    ("0812-1051-7051 0813-2222-3333", f"{P} {P}"),
    ("0812 1051 7051 / 0813 2222 3333", f"{P} / {P}"),
    ("0812-1051-7051-0813-2222-3333", f"{P}-{P}"),
    ("0812-1051-7051/0813-2222-3333/0856-1234-5678", f"{P}/{P}/{P}"),
    # a time, a date or small numbers next to a number are not taken into it (or cut it)
    ("buka 08.00-16.00 0812 1051 7051", f"buka 08.00-16.00 {P}"),
    ("0812-1051-7051/13-06-2025", f"{P}/13-06-2025"),
    ("RT 05 05 0812-1051-7051", f"RT 05 {P}"),
    ("0812-1051-7051-123456", f"{P}-123456"),
    ("+62 812.345.678", P),
    # the text around is kept as written, also where folding changed its length (ligature, ellipsis)
    ("\ufb01le: 0812 1051 7051\u2026 \u2460", f"\ufb01le: {P}\u2026 \u2460"),
    (f"\ufb01 {_wide('0812')}{EN}1051{EN}7051 \ufb02", f"\ufb01 {P} \ufb02"),
]

NIK_FORMATS = [
    ("32.16.10-545059-0105", N),
    ("NIK 3216 1064-5059 0106", f"NIK {N}"),
    ("321610/845059/0108", N),
    ("3216_1064_5059_0106", N),
    (f"3216{NB}1064{NB}5059{NB}0106", N),
    (f"3216{EN}1064{EN}5059{EN}0106", N),
    (_wide("3216106450590106"), N),
    ("nik 6271 0145 0590 0001 kalteng", f"nik {N} kalteng"),  # Kalimantan Tengah: starts with 62
    ("3216 0145 0590 0001 2 orang", f"{N} 2 orang"),
    ("3216-0145-0590-0001/3216-0145-0590-0002", f"{N}/{N}"),
    ("3216-0145-0590-0001-3216-0145-0590-0002", f"{N}-{N}"),
    ("NIK 3216 0145 0590 0001, 0812 1051 7051", f"NIK {N}, {P}"),
]

EMAIL_FORMATS = [
    ("joão1m4@mail.id", E),
    ("email: joão1m4@mail.id.", f"email: {E}."),
    ("budi(at)mail.id", E),
    ("budi (at) mail.id", E),
    ("budi [at] gmail.com", E),
    ("budi (AT) gmail (dot) com", E),
    ("budi @ gmail.com", E),
    ("budi@ gmail.com", E),
    ("budi @gmail.com", E),
    ("budi@gmail", E),
    ("kirim ke budi.s@kantor ya", f"kirim ke {E} ya"),
    (_wide("budi@mail.id"), E),
    ("séverine.ñ@correo.es", E),
]


@pytest.mark.parametrize(("text", "expected"), PHONE_FORMATS + NIK_FORMATS + EMAIL_FORMATS)
def test_mask_text_masks_every_format_in_the_table(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", [
    "13-06-2025",
    "2025/06/13",
    "tanggal 01-02-2025 10.30 di kantor",
    "05/06/2025 08.30.00",
    "Rp 1.250.000",
    "Rp 62.500.000.000",
    "anggaran 62.500.000.000",
    "LAP-2025-000123",
    "nomor LAP-2025-000123 dan LAP-2025-000124",
    "RT 03/RW 05",
    "RT 003/005 Desa Telaga Asih",
    "jam 08.00-16.00 dan 13.00-16.00",
    "surat 027/1234/Diskominfo/2025",
    "rapat @ balai desa",
    "lapor ke @pemkab_bekasi",
    "harga 10rb @ pcs",
    "rapat (at) kantor desa",  # "(at)" with no address ending after it
    "05 1.250.000 03",  # a small number, an amount and another: not one phone
    "1.250.000 1.250.000 03",  # nor one NIK
    "pukul 09.30-12.00 s/d 13.00",
    "koordinat -6.2841 107.0912",
])
def test_mask_text_leaves_dates_amounts_ids_and_rt_rw_readable(text):
    assert mask_text(text) == text


@pytest.mark.parametrize("text", [
    "0 1-2/3_4(5)6 7.8 9 " * 5_000,  # every separator between single digits
    "0812-" * 25_000,  # one endless "phone"
    "0" * 50_000 + " " + "62" * 25_000,
    "3216 " * 25_000,
    ("a." * 50_000) + "@",  # a long local part with no domain
    "a @ " * 30_000,
    "x(at)" * 25_000,
    "\u2013".join(["0812"] * 25_000) + "\u00a0" * 1000,  # non-ASCII: the folding path
])
def test_mask_text_is_linear_on_100kb_of_digits_and_separators(text):
    import time

    start = time.perf_counter()
    out = mask_text(text)
    assert isinstance(out, str)
    assert time.perf_counter() - start < 5  # generous: a backtracking pattern takes minutes here


def test_personal_column_names_with_dots_and_brackets():
    assert is_personal_key("No.HP") and is_personal_key("no.hp") and is_personal_key("No. Telp/WA")
    assert is_personal_key("E-mail (pelapor)") and not is_personal_key("keterangan")


def test_strip_anonymous_raw_empties_identity_and_masks_the_rest_of_anonim_rows():
    raw = [
        {"id": "A", "reporter_name": "Siti", "no.hp": "0812 1051 7051", "keterangan": "WA 0812-1051-7051"},
        {"id": "B", "reporter_name": "Anon", "no.hp": "0813 2222 3333", "keterangan": "WA 0813-2222-3333",
         "pengirim": "Nama Asli"},
    ]
    out = strip_anonymous_raw(raw, [False, True], identity_columns=("pengirim",))
    assert out[0] == raw[0]  # a named report's raw row is stored as it came
    assert out[1] == {"id": "B", "reporter_name": None, "no.hp": None, "keterangan": f"WA {P}", "pengirim": None}
    assert raw[1]["reporter_name"] == "Anon"  # the input is not changed


def test_mask_raw_masks_by_content_as_well_as_by_column_name():
    import json

    from analytics.store.status import mask_raw

    raw = json.dumps({"id": "A", "No.HP": "0812 1051 7051", "keterangan": "hubungi (0812) 1051 7051",
                      "catatan": "joão1m4@mail.id", "opd": "Dinas Kesehatan", "kosong": ""})
    shown = json.loads(mask_raw(raw))
    assert shown == {"id": "A", "No.HP": MASK, "keterangan": f"hubungi {P}", "catatan": E,
                     "opd": "Dinas Kesehatan", "kosong": ""}
