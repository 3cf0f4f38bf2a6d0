"""The BKPSDM's report of a closed month (analytics/ledger/report.py): PDF and XLSX.

Hand case, policy sp4n-lapor (verify within 3 working days, follow up within 5), October 2025,
Kab. Bekasi, closed at the data moment Wed 5 Nov 2025 12.00 WIB:

    id  unit     received  dispatched  responded         tindak lanjut due   state
    A   DINKES   Wed 1     Thu 2       Fri 3             Thu 9 Okt           on time
    B   DINKES   Mon 6     Tue 7       Fri 24            Tue 14 Okt          late, 8 working days
    C   DINKES   Mon 13    Tue 14      -                 Tue 21 Okt          open past the deadline
    D   DINKES   Thu 2     Fri 10      -                 Fri 17 Okt          open past the deadline
    F   DINSOS   Mon 13    Tue 14      (27 Okt, 30 Okt]  Tue 21 Okt          late (estimated)
    E   DINSOS   Mon 20    Tue 21      (27 Okt, 30 Okt]  Tue 28 Okt          uncertain: deadline inside

E and F were exported on 27 Okt as dispatched and on 30 Okt as followed up, with no response time:
the response is estimated at 30 Okt 12.00, known to be after 27 Okt 12.00. Verification (the
verifier's): all six due in October, D's (due Tue 7 Okt, dispatched Fri 10) late, the rest on time.

DINKES appeals B with a text that looks like a formula; the analis accepts. So DINKES: due 4, on
time 1, counted 3 (B, C, D), appealed 1, accepted 1, final count 2, final rate 1 / (1 + 2) = 33,3%,
tier C (under 70). DINSOS: due 2, on time 0, counted 1 (F), uncertain 1 (E, listed, not counted),
final rate 0 / (0 + 1) = 0,0%. The verifier: due 6, on time 5, counted 1, 5 / 6 = 83,3%, tier B.
"""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pypdfium2 as pdfium
import pytest

from analytics import store
from analytics.importers.ingest import import_file
from analytics.ledger.appeals import decide_appeal, file_appeal
from analytics.ledger.close import close_month, reopen_month
from analytics.ledger.model import LedgerError
from analytics.ledger.read import ledger_month
from analytics.ledger.report import report_bytes, report_setting, write_report
from analytics.rules.policy import load_policy
from analytics.security.access import Viewer
from tests.helpers import template_csv

MONTH = "2025-10"
AS_OF = pd.Timestamp("2025-11-05T12:00+07:00")
ANALIS = Viewer(role="analis", email="analis@bekasikab.go.id")
DINKES = Viewer(role="unit", unit="DINKES", email="staf@dinkes.bekasikab.go.id")
FORMULA = '=HYPERLINK("http://contoh.invalid/x","klik") bukan wewenang kami'
REASON = "data tanggal tanggapan B salah di ekspor"


def _row(cid: str, received: str, dispatched: str = "", responded: str = "", status: str = "didisposisi",
         opd: str = "Dinas Kesehatan") -> str:
    return f"{cid},{received},,{dispatched},{responded},,{status},{opd},Cikarang Barat,,Jalan,Pengaduan,WA,,,,"


def _e(status: str) -> str:
    return _row("E", "2025-10-20T09:00+07:00", "2025-10-21T10:00+07:00", "", status, "Dinas Sosial")


def _f(status: str) -> str:
    return _row("F", "2025-10-13T09:00+07:00", "2025-10-14T10:00+07:00", "", status, "Dinas Sosial")


def _pdf_text(path_or_bytes: Path | bytes) -> list[str]:
    doc = pdfium.PdfDocument(str(path_or_bytes) if isinstance(path_or_bytes, Path) else path_or_bytes)
    return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]


def _flat(pages: list[str]) -> str:
    """The text with line breaks as spaces (a paragraph wraps where the page is narrow)."""
    return " ".join(" ".join(pages).split())


@pytest.fixture(scope="module")
def ledger(tmp_path_factory):
    """The store closed, appealed, reported; then reopened and reported; then closed again as
    version 2 and reported. Every report is written here, once; the tests read them."""
    d = tmp_path_factory.mktemp("ledger-report")
    con = store.connect(d / "s.duckdb")
    early = [("2025-10-27T12:00+07:00", [_e("didisposisi"), _f("didisposisi")]),
             ("2025-10-30T12:00+07:00", [_e("ditindaklanjuti"), _f("ditindaklanjuti")])]
    for i, (at, rows) in enumerate(early):
        import_file(con, template_csv(d / f"early{i}.csv", rows), region="kab-bekasi", snapshot_at=pd.Timestamp(at),
                    now=datetime(2025, 11, 1, tzinfo=UTC))
    rows = [_row("A", "2025-10-01T09:00+07:00", "2025-10-02T10:00+07:00", "2025-10-03T10:00+07:00", "ditindaklanjuti"),
            _row("B", "2025-10-06T09:00+07:00", "2025-10-07T10:00+07:00", "2025-10-24T10:00+07:00", "ditindaklanjuti"),
            _row("C", "2025-10-13T09:00+07:00", "2025-10-14T10:00+07:00"),
            _row("D", "2025-10-02T09:00+07:00", "2025-10-10T10:00+07:00"),
            _e("ditindaklanjuti"), _f("ditindaklanjuti")]
    import_file(con, template_csv(d / "nov.csv", rows), region="kab-bekasi", snapshot_at=AS_OF,
                now=datetime(2025, 11, 5, 6, tzinfo=UTC))
    policy = load_policy("sp4n-lapor")
    close_month(con, MONTH, as_of=AS_OF, policy=policy, actor=ANALIS, now=datetime(2025, 11, 6, 2, tzinfo=UTC))
    appeal = file_appeal(con, MONTH, source_id="B", stage="tindak_lanjut", reason="waktu_salah", text=FORMULA,
                         actor=DINKES, now=datetime(2025, 11, 7, 3, tzinfo=UTC))
    decide_appeal(con, appeal, accept=True, note="@benar: tanggapan 10 Okt", actor=ANALIS,
                  now=datetime(2025, 11, 10, 4, tzinfo=UTC))
    out = {"con": con, "hash": ledger_month(con, MONTH).version.content_sha256, "dir": d}
    out["full"] = write_report(con, MONTH, d / "full", viewer=ANALIS)
    out["unit"] = write_report(con, MONTH, d / "unit", viewer=DINKES)
    out["en"] = write_report(con, MONTH, d / "en", viewer=ANALIS, lang="en")
    reopen_month(con, MONTH, reason=REASON, actor=ANALIS, now=datetime(2025, 11, 11, 2, tzinfo=UTC))
    out["reopened"] = write_report(con, MONTH, d / "reopened", viewer=ANALIS)
    close_month(con, MONTH, as_of=AS_OF, policy=policy, actor=ANALIS, now=datetime(2025, 11, 11, 3, tzinfo=UTC))
    out["old"] = write_report(con, MONTH, d / "old", version=1, viewer=ANALIS)
    out["v2"] = write_report(con, MONTH, d / "v2", viewer=ANALIS)
    yield out
    con.close()


def _files(paths: list[Path]) -> dict[str, Path]:
    return {p.suffix: p for p in paths}


def _unit_rows(path: Path) -> dict[str, dict[str, object]]:
    ws = openpyxl.load_workbook(path)["Ringkasan"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    at = next(i for i, r in enumerate(rows) if r[:2] == ["Jenis", "Kode unit"])
    header = rows[at]
    return {r[1]: dict(zip(header, r, strict=True)) for r in rows[at + 1:] if r[1]}


def _case_rows(path: Path) -> list[dict[str, object]]:
    ws = openpyxl.load_workbook(path)["Kasus"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_files_are_named_by_month_and_version(ledger):
    assert sorted(p.name for p in ledger["full"]) == ["buku-tukin-2025-10-v1.pdf", "buku-tukin-2025-10-v1.xlsx"]
    assert all(p.is_file() and p.stat().st_size > 1000 for p in ledger["full"])
    assert sorted(p.name for p in ledger["v2"]) == ["buku-tukin-2025-10-v2.pdf", "buku-tukin-2025-10-v2.xlsx"]


def test_workbook_holds_each_units_figures(ledger):
    units = _unit_rows(_files(ledger["full"])[".xlsx"])
    assert list(units) == ["DINKES", "DINSOS", "VERIFIKATOR"]  # OPD by name, then the verifier
    figures = ("Jatuh tempo", "Tepat waktu", "Dihitung", "Tidak pasti", "Keberatan", "Diterima", "Dihitung akhir",
               "Tepat waktu akhir (%)", "Kelas")
    got = {code: tuple(row[k] for k in figures) for code, row in units.items()}
    # No Kelas for any: fewer than 10 judged stages each (the league's volume rule).
    assert got == {"DINKES": (4, 1, 3, 0, 1, 1, 2, 33.3, None),
                   "DINSOS": (2, 0, 1, 1, 0, 0, 1, 0.0, None),
                   "VERIFIKATOR": (6, 5, 1, 0, 0, 0, 1, 83.3, None)}
    assert (units["DINKES"]["Terlambat"], units["DINKES"]["Terbuka lewat batas"]) == (1, 2)


def test_workbook_lists_every_case_in_words_and_local_time(ledger):
    cases = _case_rows(_files(ledger["full"])[".xlsx"])
    by = {(c["ID aduan"], c["Tahap"]): c for c in cases}
    assert sorted(by) == [("B", "Tindak lanjut"), ("C", "Tindak lanjut"), ("D", "Tindak lanjut"),
                          ("D", "Verifikasi"), ("E", "Tindak lanjut"), ("F", "Tindak lanjut")]
    b = by["B", "Tindak lanjut"]
    assert b["Batas waktu (WIB)"] == datetime(2025, 10, 14, 23, 59, 59)  # end of Tue 14 Okt, local
    assert b["Selesai (WIB)"] == datetime(2025, 10, 24, 10, 0)
    assert (b["Keadaan"], b["Dihitung"], b["Hari kerja lewat"], b["Asal waktu"]) == ("Terlambat", "ya", 8, "dilaporkan sumber")
    assert (b["Alasan"], b["Isi keberatan"], b["Diajukan oleh"], b["Keputusan"], b["Diputus oleh"]) == (
        "Waktu di data salah", FORMULA, DINKES.email, "Diterima", ANALIS.email)
    assert b["Diputus pada (WIB)"] == datetime(2025, 11, 10, 11, 0)
    assert b["Dihitung akhir"] == "tidak"
    c = by["C", "Tindak lanjut"]
    assert (c["Selesai (WIB)"], c["Keadaan"], c["Asal waktu"], c["Dihitung akhir"]) == (
        None, "Terbuka lewat batas", "masih terbuka", "ya")
    e = by["E", "Tindak lanjut"]
    assert (e["Keadaan"], e["Dihitung"], e["Asal waktu"]) == ("Tidak pasti — tidak dihitung", "tidak",
                                                              "diperkirakan dari snapshot")
    assert (e["Selesai (WIB)"], e["Diperkirakan setelah (WIB)"]) == (datetime(2025, 10, 30, 12), datetime(2025, 10, 27, 12))
    assert by["F", "Tindak lanjut"]["Keadaan"] == "Terlambat"
    assert by["D", "Verifikasi"]["Unit"] == "Verifikator (Diskominfo)"


def test_formula_looking_text_stays_text(ledger):
    path = _files(ledger["full"])[".xlsx"]
    ws = openpyxl.load_workbook(path)["Kasus"]
    cells = [c for row in ws.iter_rows() for c in row if c.value in (FORMULA, "@benar: tanggapan 10 Okt")]
    assert len(cells) == 2
    for cell in cells:
        assert cell.data_type == "s" and cell.quotePrefix  # shown as text, and stays text when edited
    with zipfile.ZipFile(path) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any("<f>" in s or "<f " in s for s in sheets)  # no formula anywhere


def test_content_sha256_is_in_both_files(ledger):
    files, full = _files(ledger["full"]), ledger["hash"]
    pages = _pdf_text(files[".pdf"])
    assert full in pages[0]  # in full on page one
    assert all(f"sha256 {full[:12]}" in p for p in pages)  # and its head in every footer
    assert all(f"Halaman {i} dari {len(pages)}" in p for i, p in enumerate(pages, 1))
    assert "python -m analytics ledger show --month 2025-10 --version 1 --format json" in _flat(pages)
    meta = {r[0]: r[1] for r in openpyxl.load_workbook(files[".xlsx"])["Ringkasan"].iter_rows(values_only=True)}
    assert meta["sha256 isi"] == full


def test_pdf_says_what_is_counted_in_words(ledger):
    text = _flat(_pdf_text(_files(ledger["full"])[".pdf"]))
    for words in ("Buku Catatan Kinerja Penanganan Aduan — Oktober 2025", "Kabupaten Bekasi",
                  "Ditutup 6 Nov 2025 09.00 WIB oleh analis@bekasikab.go.id", "Saat data 5 Nov 2025 12.00 WIB",
                  "sp4n-lapor", "sampai akhir 13 Nov 2025", "1 diajukan: 1 diterima, 0 ditolak, 0 menunggu keputusan",
                  "tepat waktu ÷ (tepat waktu + dihitung akhir)", "33,3%", "83,3%",
                  "Tidak pasti — tidak dihitung", "Terbuka lewat batas", "masih terbuka", "dilaporkan sumber",
                  "diperkirakan dari snapshot, setelah 27 Okt 2025 12.00 WIB", "Waktu di data salah",
                  FORMULA, "Diterima oleh analis@bekasikab.go.id"):
        assert words in text, words
    assert "VERSI LAMA" not in text and "DIBUKA KEMBALI" not in text


def test_a_unit_account_gets_its_own_unit_only(ledger):
    files = _files(ledger["unit"])
    assert list(_unit_rows(files[".xlsx"])) == ["DINKES"]
    assert {c["Kode unit"] for c in _case_rows(files[".xlsx"])} == {"DINKES"}
    text = _flat(_pdf_text(files[".pdf"]))
    assert "hanya unit DINKES" in text and "unit DINKES · sha256" in text
    assert "Dinas Sosial" not in text and "DINSOS" not in text and "Verifikator (Diskominfo)" not in text
    assert ledger["hash"] in text  # the same version, the same hash to check against


def test_a_reopened_version_says_so(ledger):
    reopened = _flat(_pdf_text(_files(ledger["reopened"])[".pdf"]))
    assert "dibuka kembali pada 11 Nov 2025 09.00 WIB" in reopened and REASON in reopened
    assert "Versi 2 belum ditutup" in reopened and "DIBUKA KEMBALI" in reopened
    old_pages = _pdf_text(_files(ledger["old"])[".pdf"])
    assert "VERSI LAMA — sudah ada versi 2" in _flat(old_pages)
    assert all("VERSI LAMA" in p for p in old_pages)  # on every page: the footer
    meta = [r for r in openpyxl.load_workbook(_files(ledger["old"])[".xlsx"])["Ringkasan"].iter_rows(values_only=True)]
    assert ("Status versi", "VERSI LAMA") in [r[:2] for r in meta]
    assert ("Alasan dibuka kembali", REASON) in [r[:2] for r in meta]
    current = _flat(_pdf_text(_files(ledger["v2"])[".pdf"]))
    assert "VERSI LAMA" not in current and "Versi 2 dari 2 · berlaku" in current
    # the accepted appeal carried over to version 2 (the case is still counted): same final figures
    assert _unit_rows(_files(ledger["v2"])[".xlsx"])["DINKES"]["Dihitung akhir"] == 2


def test_english_report(ledger):
    pages = _pdf_text(_files(ledger["en"])[".pdf"])
    text = _flat(pages)
    assert "Record of Complaint Handling Performance — October 2025" in text
    assert "Page 1 of" in pages[0] and "Uncertain — not counted" in text and "33.3%" in text


def test_report_bytes_needs_no_disk_and_matches_the_file(ledger):
    con = ledger["con"]
    m = ledger_month(con, MONTH, version=2, viewer=ANALIS)
    files = report_bytes(m, lang="id", **report_setting(con, m, ANALIS))
    assert sorted(files) == ["buku-tukin-2025-10-v2.pdf", "buku-tukin-2025-10-v2.xlsx"]
    assert files["buku-tukin-2025-10-v2.pdf"] == _files(ledger["v2"])[".pdf"].read_bytes()  # the same bytes


def test_refused_without_a_closed_month_and_nothing_written(ledger):
    out = ledger["dir"] / "never"
    with pytest.raises(LedgerError, match="belum ditutup"):
        write_report(ledger["con"], "2025-09", out)
    with pytest.raises(LedgerError, match="tidak punya versi 7"):
        write_report(ledger["con"], MONTH, out, version=7)
    assert not out.exists()
