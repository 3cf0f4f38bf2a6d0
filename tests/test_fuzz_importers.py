"""Fuzzing the importers: whatever file arrives, the import ends in a clean report or a RefusedFile.

Properties checked for every generated file (docs/robustness.md lists them in plain words):
- ``import_file`` returns an ImportReport or raises RefusedFile; any other exception is a bug.
- A refusal names the file and says what is wrong, and leaves the store exactly as it was.
- A clean import accounts for every row read: stored (new + updated + unchanged) + quarantined +
  exact duplicates == rows read, and the store grew by exactly what the report says.
- A failure anywhere inside the import transaction leaves the store exactly as it was.

Runtime: the "pantau-ci" profile (default) runs a fixed, derandomized set of examples sized for a
2-core CI machine. ``PANTAU_FUZZ_PROFILE=pantau-deep`` runs many random examples for a local hunt.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analytics import store
from analytics.importers.errors import RefusedFile
from analytics.importers.ingest import import_file
from analytics.importers.statuses import STATUS_ALIASES
from tests.helpers import HEADER, fingerprint, template_csv

settings.register_profile(
    "pantau-ci",
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI failures reproduce, no flakiness
    database=None,  # no .hypothesis/ folder written in a clean clone
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)
settings.register_profile(
    "pantau-deep", parent=settings.get_profile("pantau-ci"), max_examples=600, derandomize=False
)
FUZZ = settings(parent=settings.get_profile(os.environ.get("PANTAU_FUZZ_PROFILE", "pantau-ci")))

PANTAU_COLS = HEADER.split(",")
SP4N_COLS = ["Tracking ID", "Tanggal Laporan Masuk", "Waktu Laporan Masuk", "Kategori", "Instansi Terdisposisi",
             "Status Laporan", "Tipe Laporan (Anonim/Rahasia)", "Isi Laporan Awal"]
SEED_ROW = "S1,2025-06-02T09:00:00+07:00,,,,,menunggu_verifikasi,Dinas Kesehatan,Cikarang Barat,,Puskesmas,,WhatsApp,,,,"

# --- values a real export (or a hostile one) can hold ---------------------------------------------

HOSTILE = [
    "<script>window.__pwned=1</script>", "<img src=x onerror=alert(1)>", "'; DROP TABLE complaints; --",
    "Robert'); DELETE FROM meta;--", "**bold** _x_ [link](javascript:alert(1)) $x^2$", "\u202eRTL\u200b\u200d\ufeff",
    "=HYPERLINK(\"http://evil.example\",\"klik\")", "+62 812 3456 7890", "-1+1", "@SUM(A1:A9)", "=1+1", "\t=cmd|' /C calc'!A0",
]
DATE_TEXTS = [
    "2025-06-02T09:00:00+07:00", "2025-06-02 09:00:00", "2025-06-02", "2025-06-02T02:00:00Z", "29 Mei 2023",
    "17 Agu 2025", "1 Desember 2024", "29 May 2023", "29/05/2023", "05/29/2023 10:00:00 PM", "2023/05/29",
    "2025-02-29", "2025-13-45", "0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00", "45000", "45000.5", "-1",
    "2025-06-02T25:61:00", "2025-06-02T09:00:00+99:00", "1e10", "", "  ", "nan", "NaT", "None", "tomorrow",
    "2025-06-02T09:00:00.123456789Z", "02-Jun-2025", "Senin, 2 Juni 2025",
]
TIME_TEXTS = ["04:05:34", "4:05", "23:59:59", "24:00:00", "99:99:99", "12:00 PM", "", "0.5"]
NUMBER_TEXTS = ["-6,2345", "107.1", "1e400", "-1e400", "1e19", "NaN", "inf", "3", "9", "0", "-2", "1.5", "", "x"]
CELL_WORDS = sorted(STATUS_ALIASES) + ["Dinas Kesehatan", "Cikarang Barat", "Anonim", "Rahasia", "ya", "0"]

safe_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)
cell = st.one_of(
    st.sampled_from(DATE_TEXTS),
    st.sampled_from(TIME_TEXTS),
    st.sampled_from(NUMBER_TEXTS),
    st.sampled_from(CELL_WORDS),
    st.sampled_from(HOSTILE),
    st.from_regex(r"[A-Z]{0,3}\d{1,8}", fullmatch=True),  # ids
    safe_text,
    st.sampled_from(['"', '""', ",", ";", "\t", "|", "a\nb", "a\r\nb", "\r", " lead", "trail ", "\x00", "\x1a"]),
)
# Huge cells are sampled, not generated character by character (shrinking a 1 MB string is slow).
huge_cell = st.sampled_from([1_000, 100_000, 1_000_000]).map(lambda n: "x" * n)


@st.composite
def csv_files(draw) -> bytes:
    """A CSV as some system or spreadsheet might write it: header or not, title rows above,
    ragged rows, quoted newlines, any delimiter, and the encodings Excel uses."""
    kind = draw(st.sampled_from(["pantau", "pantau-subset", "sp4n", "random", "none"]))
    if kind == "pantau":
        header = list(PANTAU_COLS)
    elif kind == "pantau-subset":
        extra = draw(st.lists(st.sampled_from(PANTAU_COLS[2:] + ["text", "anonymous", "reporter_name"]),
                              unique=True, max_size=8))
        header = draw(st.permutations(["id", "received_at", *extra]))
    elif kind == "sp4n":
        header = draw(st.permutations(SP4N_COLS))
    elif kind == "random":
        header = draw(st.lists(safe_text, min_size=1, max_size=6))
    else:
        header = None
    width = len(header) if header else draw(st.integers(1, 8))
    rows = draw(st.lists(st.lists(cell, min_size=0, max_size=width + 2), max_size=12))
    if draw(st.booleans()) and rows:
        rows[draw(st.integers(0, len(rows) - 1))][0:1] = [draw(huge_cell)]
    if draw(st.booleans()) and rows and header:  # repeat a row: an exact duplicate
        rows.append(list(rows[0]))
    title = draw(st.lists(st.lists(safe_text, max_size=3), max_size=3))
    delim = draw(st.sampled_from([",", ";", "\t", "|"]))
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delim, lineterminator=draw(st.sampled_from(["\n", "\r\n"])),
                        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])))
    writer.writerows(title + ([header] if header else []) + rows)
    text = out.getvalue()
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom", "cp1252"]))
    if encoding == "utf-16-le-bom":  # Excel "Unicode Text"
        return b"\xff\xfe" + text.encode("utf-16-le", errors="surrogatepass")
    if encoding == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be", errors="surrogatepass")
    return text.encode(encoding, errors="replace")


_XLSX_ILLEGAL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"}
xlsx_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters=_XLSX_ILLEGAL),
                    max_size=30)
xlsx_cell = st.one_of(
    st.none(),
    xlsx_text,
    st.sampled_from(DATE_TEXTS + NUMBER_TEXTS + CELL_WORDS + HOSTILE),
    st.integers(-(2**63), 2**63),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.times(),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3000)),
    st.sampled_from(["=1/0", "=NOW()", '=HYPERLINK("http://x","y")', "=A1", "#N/A", "#VALUE!"]),
)


@st.composite
def xlsx_files(draw) -> bytes:
    """A workbook written by openpyxl: typed cells (numbers, dates, times, booleans, formulas
    without cached values), empty leading sheets, title rows, the header anywhere or nowhere."""
    book = openpyxl.Workbook()
    sheets = [book.active] + [book.create_sheet(f"S{i}") for i in range(draw(st.integers(0, 2)))]
    ws = sheets[-1]  # any sheets before it stay empty: the importer must skip them
    for row in draw(st.lists(st.lists(xlsx_text, max_size=3), max_size=3)):
        ws.append(row)
    header = draw(st.sampled_from([PANTAU_COLS, SP4N_COLS, ["id", "received_at"], None]))
    if header:
        ws.append(header)
    for row in draw(st.lists(st.lists(xlsx_cell, max_size=(len(header) if header else 6) + 1), max_size=10)):
        ws.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# --- the store and the checks ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory) -> Path:
    """A store holding one complaint of Kab. Bekasi: later imports update it or add to it."""
    folder = tmp_path_factory.mktemp("fuzz")
    path = folder / "seed.duckdb"
    con = store.connect(path)
    import_file(con, template_csv(folder / "seed.csv", [SEED_ROW]), region="kab-bekasi")
    con.execute("CHECKPOINT")
    con.close()
    return path


@contextmanager
def fresh_copy(seed: Path):
    """Each example gets its own copy of the seeded store, so examples cannot affect each other
    and hypothesis can replay a failing one exactly."""
    with TemporaryDirectory(prefix="pantau-fuzz-") as tmp:
        path = Path(tmp) / "store.duckdb"
        shutil.copyfile(seed, path)
        con = store.connect(path)
        try:
            yield con, Path(tmp)
        finally:
            con.close()


def _counts(con) -> dict[str, int]:
    return {t: con.execute("SELECT count(*) FROM " + t).fetchall()[0][0]  # fixed table names
            for t in ("complaints", "status_history", "import_batches", "quarantine")}


def import_and_check(con, path: Path, **kw) -> None:
    """Import ``path`` and assert the properties in the module docstring."""
    before, counts_before = fingerprint(con), _counts(con)
    try:
        report = import_file(con, path, **kw)
    except RefusedFile as exc:
        message = str(exc)
        assert message.startswith(path.name + ": "), message
        assert exc.problem.strip() and "Traceback" not in message
        assert fingerprint(con) == before, "a refused file changed the store"
        return
    stored = report.rows_new + report.rows_updated + report.rows_unchanged
    assert stored + report.rows_quarantined + report.rows_duplicate == report.rows_read, report
    after = _counts(con)
    if report.already_imported:
        assert fingerprint(con) == before
        return
    assert after["complaints"] - counts_before["complaints"] == report.rows_new
    assert after["quarantine"] - counts_before["quarantine"] == report.rows_quarantined
    assert after["import_batches"] - counts_before["import_batches"] == 1
    assert sum(report.quarantine_reasons.values()) >= report.rows_quarantined


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


# --- the properties -------------------------------------------------------------------------------

@FUZZ
@given(data=st.binary(max_size=3000), name=st.sampled_from(["f.csv", "f.xlsx", "f.txt", "f"]))
@example(data=b"PK\x03\x04" + b"\x00" * 64, name="f.xlsx")
@example(data=b"\xff\xfe\x00", name="f.csv")  # says UTF-16, odd byte count
@example(data=b"\xef\xbb\xbf", name="f.csv")  # a BOM and nothing else
def test_random_bytes(seeded_store, data, name):
    with fresh_copy(seeded_store) as (con, tmp):
        import_and_check(con, _write(tmp, name, data))


@FUZZ
@given(data=csv_files())
@example(data=(HEADER + "\nA1,2025-06-02,,,,,,,,,,,,inf,nan,1e400,1e19\n").encode())
@example(data=(HEADER + "\n").encode())  # only a header
@example(data=("\ufeff" + HEADER.replace(",", "\t") + "\r\nA1\t29 Mei 2023\r\n").encode("utf-16-le"))
def test_odd_csv(seeded_store, data):
    with fresh_copy(seeded_store) as (con, tmp):
        import_and_check(con, _write(tmp, "export.csv", data), region="kab-bekasi")


@FUZZ
@given(data=xlsx_files())
def test_odd_xlsx(seeded_store, data):
    with fresh_copy(seeded_store) as (con, tmp):
        import_and_check(con, _write(tmp, "export.xlsx", data), region="kab-bekasi")


MAPPING = """
[source]
name = "fuzz"
timezone = "Asia/Makassar"
[columns]
source_id = "No"
received_at = "Masuk"
resolved_at = "Selesai"
status = "Status"
unit = "Dinas"
lat = "Lat"
[formats]
datetime = ["%d/%m/%Y %H:%M", "%d-%m-%Y"]
[extract]
unit = "^([^,]*)"
[status]
"Beres" = "selesai"
"""


@FUZZ
@given(rows=st.lists(st.lists(cell, min_size=0, max_size=7), max_size=10))
def test_mapping_file_layout(seeded_store, rows):
    with fresh_copy(seeded_store) as (con, tmp):
        out = io.StringIO()
        csv.writer(out).writerows([["No", "Masuk", "Selesai", "Status", "Dinas", "Lat"], *rows])
        mapping = _write(tmp, "fuzz.toml", MAPPING.encode())
        import_and_check(con, _write(tmp, "other.csv", out.getvalue().encode()), mapping=mapping)


INDO_MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
               "November", "Desember"]
DATE_STYLES = {  # SP4N-LAPOR! "Tanggal Laporan Masuk" as different exports and spreadsheets write it
    "iso": lambda d: d.isoformat(),
    "indo": lambda d: f"{d.day} {INDO_MONTHS[d.month - 1]} {d.year}",
    "indo-abbr": lambda d: f"{d.day:02d}-{INDO_MONTHS[d.month - 1][:3]}-{d.year}",
    "english": lambda d: d.strftime("%d %B %Y"),
    "english-abbr": lambda d: d.strftime("%d %b. %Y"),
    "slash": lambda d: d.strftime("%d/%m/%Y"),  # day/month order cannot be told apart: refused per row
}


# Mixed date formats in one column: each value either parses to exactly the day it names or
# sends its row to quarantine; none is silently read as another date.
@FUZZ
@given(days=st.lists(st.tuples(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)),
                               st.sampled_from(sorted(DATE_STYLES))), min_size=1, max_size=8))
def test_mixed_date_formats(seeded_store, days):
    rows = [f"M{i},{DATE_STYLES[style](d)},04:05:34,Belum Terverifikasi" for i, (d, style) in enumerate(days)]
    with fresh_copy(seeded_store) as (con, tmp):
        path = template_csv(tmp / "lapor.csv", rows,
                            header="Tracking ID,Tanggal Laporan Masuk,Waktu Laporan Masuk,Status Laporan")
        # A snapshot (and import time) after every drawn day: a time more than a day after the
        # snapshot is quarantined (validate.FUTURE_SLACK), and the default snapshot is the wall clock.
        after = datetime(2031, 1, 1, tzinfo=UTC)
        import_and_check(con, path, region="kab-bekasi", snapshot_at=after, now=after)
        got = dict(con.execute("SELECT source_id, received_at FROM complaints WHERE source = 'sp4n-lapor'").fetchall())
        quarantined = {r[0] for r in con.execute("SELECT source_id FROM quarantine").fetchall()}
    for i, (d, style) in enumerate(days):
        if style == "slash":
            assert f"M{i}" in quarantined and f"M{i}" not in got
        else:  # "Waktu Laporan Masuk" is UTC in this export
            assert got[f"M{i}"] == datetime(d.year, d.month, d.day, 4, 5, 34, tzinfo=UTC), (style, d)


# --- failure inside the transaction ---------------------------------------------------------------

class FailingConnection:
    """A connection that raises on the ``fail_at``-th statement after BEGIN (ROLLBACK passes):
    an I/O error or a killed worker at any point of the write."""

    def __init__(self, con, fail_at: int):
        self._con, self._fail_at, self._in_tx, self.statements = con, fail_at, False, 0

    def execute(self, sql, *args, **kwargs):
        text = str(sql).strip().upper()
        if text.startswith("BEGIN"):
            self._in_tx = True
        elif self._in_tx and not text.startswith("ROLLBACK"):
            self.statements += 1
            if self.statements == self._fail_at:
                raise RuntimeError(f"injected failure at statement {self._fail_at}")
        return self._con.execute(sql, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._con, name)


@FUZZ
@given(fail_at=st.integers(1, 12), with_bad_row=st.booleans(), update_seed=st.booleans())
def test_failure_mid_import_rolls_back(seeded_store, fail_at, with_bad_row, update_seed):
    rows = ["N1,2025-06-03T09:00:00+07:00,,,,,didisposisi,Dinas Kesehatan,,,,,,,,,",
            "N2,2025-06-03T10:00:00+07:00,2025-06-03T11:00:00+07:00,,,,terverifikasi,,,,,,,,,,"]
    if with_bad_row:
        rows.append("N3,not a date,,,,,,,,,,,,,,,")
    if update_seed:
        rows.append(SEED_ROW.replace("menunggu_verifikasi", "selesai").replace(",,,,,selesai", ",,,,2025-06-05T09:00:00+07:00,selesai"))
    with fresh_copy(seeded_store) as (con, tmp):
        path = template_csv(tmp / "n.csv", rows)
        before = fingerprint(con)
        flaky = FailingConnection(con, fail_at)
        try:
            report = import_file(flaky, path, region="kab-bekasi")
        except RuntimeError as exc:
            assert "injected failure" in str(exc)
            assert fingerprint(con) == before, f"store changed after a failure at statement {fail_at}"
            # The store is usable and the same file imports fine afterwards.
            report = import_file(con, path, region="kab-bekasi")
            assert not report.already_imported
        else:
            assert fail_at > flaky.statements  # the import had fewer statements than fail_at
        assert report.rows_new + report.rows_updated + report.rows_unchanged + report.rows_quarantined == len(rows)


def test_cli_refuses_random_bytes_with_exit_2(tmp_path, capsys):
    from analytics.cli import main as cli

    bad = _write(tmp_path, "foto.csv", bytes(range(256)) * 4)
    assert cli.main(["import", str(bad), "--db", str(tmp_path / "s.duckdb")]) == cli.EXIT_REFUSED
    err = capsys.readouterr().err
    assert "foto.csv" in err and "binary" in err and "Traceback" not in err


def test_strategies_reach_both_outcomes(seeded_store):
    """Guard against a fuzz test that only ever exercises refusals: a plain example of each
    generator family imports rows (so the count properties above are actually checked)."""
    with fresh_copy(seeded_store) as (con, tmp):
        utf16 = ("\ufeff" + HEADER.replace(",", "\t") + "\r\nU1\t2025-06-02T09:00:00\r\n").encode("utf-16-le")
        assert import_file(con, _write(tmp, "u.csv", utf16), region="kab-bekasi").rows_new == 1
        cp = (HEADER.replace(",", ";") + "\r\nW1;2025-06-02;;;;;;;;;Caf\u00e9 \u2013 x\r\n").encode("cp1252")
        assert import_file(con, _write(tmp, "w.csv", cp), region="kab-bekasi").rows_new == 1
        book = openpyxl.Workbook()
        book.active.append(["id", "received_at"])
        book.active.append(["X1", datetime(2025, 6, 2, 9)])
        book.active.append(["X2", "=HYPERLINK(\"http://x\",\"y\")"])
        buf = io.BytesIO()
        book.save(buf)
        report = import_file(con, _write(tmp, "x.xlsx", buf.getvalue()), region="kab-bekasi")
        assert report.rows_new == 1 and report.rows_read in (1, 2)
        assert con.execute("SELECT count(*) FROM complaints").fetchall()[0][0] == 4


