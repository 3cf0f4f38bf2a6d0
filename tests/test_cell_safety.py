"""One rule for every cell Pantau writes to a CSV or XLSX (analytics.security.cells.safe_cell),
and control characters cleaned where files come in (docs/security.md, "Spreadsheet cells").

- Formula-looking text (``=``, ``+``, ``-``, ``@`` first, also full-width ``＝＋－＠`` and after
  leading spaces, tabs or line breaks) is escaped the same way by the dashboard's downloads, the
  review workbook and the CLI's ``--format csv``.
- A NUL (or another C0 control character) in a cell used to pass the import when it came after the
  file's first 4 KB and then broke every XLSX holding it (openpyxl's IllegalCharacterError). The
  import now removes them and counts the cells; every writer removes them anyway, for stores
  filled before.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics import store
from analytics.cli import main as cli
from analytics.importers.ingest import import_file
from analytics.rules.periods import Period
from analytics.rules.policy import load_policy
from analytics.security.cells import is_risky, safe_cell, safe_frame

END = pd.Timestamp("2025-11-20 12:00", tz="Asia/Jakarta")
WEEK = "2025-W46"  # 10..16 Nov 2025: complete at END, and every unit has complaints in it
PERIOD = ("2025-11-01", "2025-11-20")

# Unit names a spreadsheet would run as formulas (the raw text of the export is the unit's name:
# the mapping gives every unit the kind "opd" and no registry).
FORMULAS = (
    '=HYPERLINK("http://contoh.invalid","klik")',
    '=DDE("cmd";"/C calc";"A0")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "＝1+1",  # full-width equals sign: Excel reads it as "="
    "＠SUM(A1)",
)
NUL_UNIT = "=1+1\x00nul"
NUL_ID = "H-NUL\x00ID"

_MAPPING = """
[source]
name = "uji"
unit_kind = "opd"
[columns]
source_id = "No"
received_at = "Masuk"
dispatched_at = "Disposisi"
first_response_at = "Tanggapan"
resolved_at = "Selesai"
status = "Status"
unit = "Dinas"
kecamatan = "Kecamatan"
category = "Kategori"
channel = "Kanal"
text = "Isi"
"""


def _rows(units: list[str], per_unit: int, start: int = 0) -> list[list[str]]:
    rows = []
    n = start
    for unit in units:
        for k in range(per_unit):
            received = END - pd.Timedelta(days=3 + (k % 12), hours=k)
            dispatched = received + pd.Timedelta(hours=1)
            answered = k % 3 != 2
            response = (dispatched + pd.Timedelta(days=k % 11)).isoformat() if answered else ""
            rows.append([f"H-{n}", received.isoformat(), dispatched.isoformat(), response, response,
                         "selesai" if answered else "didisposisi", unit, "Kec A", "Jalan", "WhatsApp",
                         "isi biasa"])
            n += 1
    return rows


def write_export(folder: Path) -> tuple[Path, Path]:
    """A mapped CSV whose first 4 KB are clean and whose later rows carry a NUL in an id and in a
    unit name, and other control characters (SOH, DEL, ESC) in the text fields; free text keeps
    its tab and line break."""
    folder.mkdir(parents=True, exist_ok=True)
    mapping = folder / "uji.toml"
    mapping.write_text(_MAPPING, encoding="utf-8")
    header = ["No", "Masuk", "Disposisi", "Tanggapan", "Selesai", "Status", "Dinas", "Kecamatan", "Kategori",
              "Kanal", "Isi"]
    rows = _rows(["Dinas Biasa", *FORMULAS], 12)
    dirty = _rows([NUL_UNIT], 12, start=len(rows))
    dirty[0][0] = NUL_ID
    dirty[1][7] = "Kec\x01 A"
    dirty[2][8] = "Jalan\x7f"
    dirty[3][10] = "isi\tteks\nbaris kedua\x1b[31m"
    path = folder / "uji.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, quoting=csv.QUOTE_ALL).writerows([header, *rows, *dirty])
    return path, mapping


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """(store path, import report) after importing write_export's file."""
    folder = tmp_path_factory.mktemp("cells")
    path, mapping = write_export(folder / "in")
    data = path.read_bytes()
    assert data.index(b"\x00") > 4096  # past the binary sniffer's window
    db = folder / "pantau.duckdb"
    con = store.connect(db)
    try:
        report = import_file(con, path, mapping=mapping, snapshot_at=END, now=END.to_pydatetime())
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return db, report


@pytest.fixture
def nul_store(imported, tmp_path):
    """A copy of the store with control characters written straight into it, as a store filled
    before the import cleaned them would hold."""
    db = tmp_path / "old.duckdb"
    shutil.copy(imported[0], db)
    con = store.connect(db)
    con.execute("UPDATE complaints SET unit = $u WHERE unit = 'Dinas Biasa'", {"u": "Dinas\x00 Lama\x0b"})
    con.execute("UPDATE complaints SET category = $c, kecamatan = $k", {"c": "=1+1\x00kat\x1f", "k": "Kec\x00"})
    con.close()
    return db


# --- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [
    "=1+1", "+62 812", "-rusak", "@SUM(A1)", "\t=1+1", "\r=1+1", "\n=1+1", "  =1+1", "\u00a0=1+1",
    "\u3000=1+1", "\u200b=1+1", "＝1+1", "＋1", "－1", "＠SUM(A1)", "﹦1+1", "\x00=1+1", "\t", "\rabc",
    '=HYPERLINK("http://x","y")', "=DDE(\"cmd\";\"/C calc\";\"A0\")", "+cmd|' /C calc'!A0",
])
def test_formula_looking_text_is_risky(value):
    assert is_risky(value)
    assert safe_cell(value, "csv").startswith("'")


@pytest.mark.parametrize("value", ["Dinas Kesehatan", "Kec. Cikarang", "1+1", "a=b", "", " ", "–", "—x", "email@x.id",
                                   "#N/A", "0812", "%20"])
def test_plain_text_is_left_alone(value):
    assert not is_risky(value)
    assert safe_cell(value, "csv") == value and safe_cell(value, "xlsx") == value


def test_rule_keeps_numbers_and_missing_values():
    for value in (-1, 2.5, None, pd.NA, pd.Timestamp("2025-01-01"), True):
        assert safe_cell(value, "csv") is value and safe_cell(value, "xlsx") is value


def test_rule_removes_control_characters_but_keeps_tab_and_line_breaks():
    assert safe_cell("a\x00b\x01c\x1fd\x7fe", "xlsx") == "a\x00b\x01c\x1fd\x7fe".translate(
        {0: None, 1: None, 0x1F: None})  # DEL is legal in XLSX: kept, as stored
    assert safe_cell("baris\tsatu\r\nbaris\ndua", "xlsx") == "baris\tsatu\r\nbaris\ndua"
    assert safe_cell("\ufffeX\uffff", "xlsx") == "X"  # not XML characters: openpyxl writes a broken file
    assert safe_cell("=1+1\x00nul", "xlsx") == "=1+1nul"
    assert safe_cell("\x00=1+1", "csv") == "'=1+1"
    assert safe_cell("- poin satu\x00\n- poin dua", "txt") == "- poin satu\n- poin dua"  # a digest: no escaping
    with pytest.raises(ValueError):
        safe_cell("x", "ods")


def test_safe_frame_touches_only_text():
    frame = pd.DataFrame({"unit": ["=1", "ok\x00", None], "n": [-1, 2, 3],
                          "s": pd.array(["@x", pd.NA, "b"], dtype="string")})
    out = safe_frame(frame, "csv")
    assert list(out["unit"][:2]) == ["'=1", "ok"] and pd.isna(out["unit"][2])
    assert list(out["n"]) == [-1, 2, 3] and out["n"].dtype == frame["n"].dtype
    assert out["s"][0] == "'@x" and pd.isna(out["s"][1])
    assert frame["unit"][0] == "=1"  # the caller's frame is not changed


@pytest.mark.parametrize("dtype", [object, "str", pd.StringDtype("python"), "category"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_safe_frame_is_the_rule_cell_by_cell(dtype, fmt):
    """safe_frame skips cells it can tell are unchanged; what it returns is safe_cell's answer."""
    values = ["=1", "ok", "\x00a", "a\x00", "＝1", " =1", "Ab\ufffe", "é=", "-", None, "a\x7f", "\tx", "x\ty",
              "Dinas 1", "9 Jalan", "(catatan)"]
    if dtype is object:
        values += ["\ud800x", "x\udfff"]
    frame = pd.DataFrame({"v": pd.Series(values, dtype=dtype, index=[0] * len(values))})  # repeated labels too
    assert frame["v"].tolist()[:2] == ["=1", "ok"]
    got = safe_frame(frame, fmt)["v"].tolist()
    want = [safe_cell(v, fmt) if isinstance(v, str) else None for v in values]
    assert [None if pd.isna(g) else g for g in got] == want


def test_dashboard_files_use_the_rule():
    from ui import export

    frame = pd.DataFrame({"unit": ["＝1+1", "  =1+1", "Dinas\x00 Nol", "\x00@SUM(A1)"], "n": [1, 2, 3, 4]})
    units = [r[0] for r in csv.reader(io.StringIO(export.csv_bytes(frame).decode("utf-8-sig")))][1:]
    assert units == ["'＝1+1", "'  =1+1", "Dinas Nol", "'@SUM(A1)"]
    ws = load_workbook(io.BytesIO(export.xlsx_bytes(frame, "Peringkat"))).active
    cells = [ws.cell(row=r, column=1) for r in range(2, 6)]
    assert [c.value for c in cells] == ["＝1+1", "  =1+1", "Dinas Nol", "@SUM(A1)"]
    assert [c.quotePrefix for c in cells] == [True, True, False, True]


# --- import ----------------------------------------------------------------------------------------


def test_control_characters_after_the_first_4kb_are_cleaned_and_counted(imported):
    from analytics.cli.report import format_report

    db, report = imported
    assert report.rows_quarantined == 0 and report.rows_read == 12 * (len(FORMULAS) + 2)
    # Cells, not characters: the id, the unit name in each of its 12 rows, kecamatan, category and
    # text (whose tab and line break are kept, and not counted).
    assert report.control_cells == 16
    con = store.connect(db, read_only=True)
    try:
        ids = {r[0] for r in con.execute("SELECT source_id FROM complaints").fetchall()}
        units = {r[0] for r in con.execute("SELECT DISTINCT unit FROM complaints").fetchall()}
        texts = {r[0] for r in con.execute("SELECT text FROM complaints").fetchall()}
        every = con.execute("SELECT string_agg(source_id || unit || kecamatan_raw || category || coalesce(text, ''), '') "
                            "FROM complaints").fetchall()[0][0]
    finally:
        con.close()
    assert "H-NULID" in ids and "=1+1nul" in units and set(FORMULAS) <= units
    assert "isi\tteks\nbaris kedua[31m" in texts  # free text keeps its tab and line break
    assert not any(ch in every for ch in map(chr, [*range(0, 9), 11, 12, *range(14, 32), 127]))
    assert "16 sel berisi karakter kendali dibersihkan" in format_report(report, "id")
    assert "16 cells with control characters cleaned" in format_report(report, "en")


def test_control_characters_in_a_windows_1252_csv(tmp_path, con):
    """The other CSV path (pandas, after the encoding fallback) cleans and counts the same way."""
    from tests.helpers import template_csv

    good = "A{i},2025-06-02T09:00:00+07:00,,,,,menunggu_verifikasi,Dinas Kesehatan,Cikarang Barat,,Puskesmas \u00e9,,,,,,"
    rows = [good.format(i=i) for i in range(80)] + ["B1\x00,2025-06-02T09:00:00+07:00,,,,,menunggu_verifikasi,"
                                                    "Dinas\x02 Kesehatan,Cikarang Barat,,Jalan\x7f,,,,,,"]
    path = template_csv(tmp_path / "w.csv", rows, encoding="cp1252")
    assert path.read_bytes().index(b"\x00") > 4096
    report = import_file(con, path)
    assert report.control_cells == 3 and report.rows_quarantined == 0
    assert con.execute("SELECT unit_raw, category FROM complaints WHERE source_id = 'B1'").fetchall() == [
        ("Dinas Kesehatan", "Jalan")]


def test_control_characters_in_an_xlsx(tmp_path, con):
    """Excel writes a control character as ``_x0000_``; the reader decodes it, the import removes it."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["id", "received_at", "opd", "category"])
    wb.active.append(["X1", "2025-06-02T09:00:00+07:00", "Dinas_x0000_ Kesehatan_x001B_", "Jalan"])
    path = tmp_path / "ctl.xlsx"
    wb.save(path)
    report = import_file(con, path)
    assert report.control_cells == 1
    assert con.execute("SELECT unit_raw FROM complaints").fetchall() == [("Dinas Kesehatan",)]


# --- writers over the imported file ---------------------------------------------------------------------


def _league_rows(db: Path) -> pd.DataFrame:
    from analytics.metrics.league import league_for, league_rows

    con = store.connect(db, read_only=True)
    try:
        policy = load_policy(None)
        period = Period(pd.Timestamp(PERIOD[0]).date(), pd.Timestamp(PERIOD[1]).date())
        return league_rows(league_for(con, by="opd", period=period, as_of=END.tz_convert("UTC"), policy=policy))
    finally:
        con.close()


def _pack(db: Path):  # noqa: ANN202 - analytics.review.pack.ReviewPack
    from analytics.review.pack import assemble

    con = store.connect(db, read_only=True)
    try:
        return assemble(con, WEEK, END.tz_convert("UTC"), load_policy(None))
    finally:
        con.close()


def _check_workbook(data: bytes) -> list:
    wb = load_workbook(io.BytesIO(data))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    risky = [c for c in cells if is_risky(c.value)]
    assert risky and all(c.data_type == "s" and c.quotePrefix for c in risky)
    assert not any("\x00" in c.value for c in cells)
    return cells


@pytest.mark.parametrize("which", ["imported", "nul_store"])
def test_league_xlsx_review_workbook_zip_and_cli_review_are_produced(request, which, tmp_path, capsys):
    from analytics.review.files import pack_files, zip_bytes
    from ui import league_ui

    db = request.getfixturevalue("imported")[0] if which == "imported" else request.getfixturevalue("nul_store")
    rows = _league_rows(db)
    assert set(FORMULAS) <= set(rows["unit"])
    for data in (league_ui.xlsx_bytes(rows, "Peringkat", tz="Asia/Jakarta"), league_ui.csv_bytes(rows)):
        assert data
    units = [c.value for c in _check_workbook(league_ui.xlsx_bytes(rows, "Peringkat"))]
    assert set(FORMULAS) <= set(units)  # kept as they are, as text
    pack = _pack(db)
    _check_workbook(pack_files(pack)[f"tinjauan-{WEEK}.xlsx"])
    with zipfile.ZipFile(io.BytesIO(zip_bytes(pack_files(pack)))) as z:
        _check_workbook(z.read(f"tinjauan-{WEEK}.xlsx"))
        texts = [z.read(name) for name in z.namelist() if name.endswith(".txt")]
    assert texts and not any(b"\x00" in t or b"\x0b" in t for t in texts)
    out = tmp_path / "pack"
    assert cli.main(["review", "--week", WEEK, "--db", str(db), "--as-of", END.isoformat(), "--out", str(out)]) == 0
    _check_workbook((out / f"tinjauan-{WEEK}.xlsx").read_bytes())
    assert (out / f"tinjauan-{WEEK}.pdf").stat().st_size > 0


# --- the CLI ---------------------------------------------------------------------------------------


def _cli_csv(capsys, db: Path, *args: str) -> list[dict]:
    capsys.readouterr()
    assert cli.main([*args, "--db", str(db), "--as-of", END.isoformat(), "--from", PERIOD[0], "--to", PERIOD[1],
                     "--format", "csv"]) == 0
    return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))


def _assert_escaped(values: list[str]) -> None:
    for v in values:
        assert not is_risky(v) or v.startswith("'"), v
        assert not any(ord(ch) < 32 and ch not in "\t\r\n" for ch in v), repr(v)


@pytest.mark.parametrize("store_kind", ["imported", "nul_store"])
def test_cli_league_and_breaches_csv_escape_formulas(request, capsys, store_kind):
    db = request.getfixturevalue("imported")[0] if store_kind == "imported" else request.getfixturevalue("nul_store")
    league = _cli_csv(capsys, db, "league", "--by", "opd")
    units = [r["unit"] for r in league]
    assert {"'" + f for f in FORMULAS} <= set(units)
    _assert_escaped([v for r in league for v in r.values()])
    breaches = _cli_csv(capsys, db, "breaches")
    assert {"'" + f for f in FORMULAS} <= {r["unit"] for r in breaches}
    _assert_escaped([v for r in breaches for v in r.values()])


def test_cli_audit_csv_escapes_formulas(capsys, imported, tmp_path):
    from analytics.security import audit

    db = tmp_path / "audit.duckdb"
    shutil.copy(imported[0], db)
    con = store.connect(db)
    audit.record(con, who="=HYPERLINK(\"http://x\")", role="analis", unit=None, action="download",
                 detail={"file": "x.csv"})
    con.close()
    capsys.readouterr()
    assert cli.main(["audit", "--db", str(db), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert "'=HYPERLINK(\"http://x\")" in {r["who"] for r in rows}
