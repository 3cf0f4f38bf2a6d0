"""Limits on what one import may cost and what it may store (docs/robustness.md, "Limits").

- A workbook is read in a child process, within limits on its unpacked size, its cells, the
  child's memory and time: a zip bomb is refused with the figure and the limit, and the
  importing process (the dashboard server) never unpacks it.
- The audit row of an import is written in the import's own transaction (CLI and upload).
- A header naming one column twice is refused; a stage time outside the plausible window goes to
  quarantine; a CLI date outside the working-day calendar is refused with the accepted range.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from analytics.cli import main as cli
from analytics.importers.errors import RefusedFile
from analytics.importers.ingest import import_file
from tests.helpers import HEADER, fingerprint, template_csv

GOOD = "A1,2025-06-02T09:00:00+07:00,,,,,menunggu_verifikasi,Dinas Kesehatan,Cikarang Barat,,Puskesmas,Pengaduan,WhatsApp,,,,"
LIMIT_VARS = ("PANTAU_XLSX_MAX_CELLS", "PANTAU_XLSX_MAX_UNPACKED_MB", "PANTAU_XLSX_MAX_MEMORY_MB", "PANTAU_XLSX_TIMEOUT_S")


@pytest.fixture(autouse=True)
def default_limits(monkeypatch):
    for var in LIMIT_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def seeded(con, tmp_path):
    import_file(con, template_csv(tmp_path / "seed.csv", [GOOD]), region="kab-bekasi")
    return con


# --- workbooks written as XML, so a test can build any sheet (and a bomb) in milliseconds ----------

_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
          '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Default Extension="xml" ContentType="application/xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
          '<Override PartName="/xl/worksheets/sheet1.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
          '<Override PartName="/xl/sharedStrings.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_BOOK = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
         '<sheets><sheet name="Laporan Ringkas" sheetId="1" r:id="rId1"/></sheets></workbook>')
_BOOK_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
              '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'worksheet" Target="worksheets/sheet1.xml"/>'
              '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
              'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
_SST = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        '<si><t>Dinas Pekerjaan Umum dan Penataan Ruang</t></si></sst>')


def write_xlsx(path: Path, rows, dimension: str | None = None) -> Path:
    """A one-sheet workbook whose sheet XML is ``rows`` (an iterable of ``<row>`` strings) under
    ``<dimension ref=...>`` when given; shared string 0 is an OPD name."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in [("[Content_Types].xml", _TYPES), ("_rels/.rels", _RELS), ("xl/workbook.xml", _BOOK),
                           ("xl/_rels/workbook.xml.rels", _BOOK_RELS), ("xl/sharedStrings.xml", _SST)]:
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            if dimension:
                f.write(f'<dimension ref="{dimension}"/>'.encode())
            f.write(b"<sheetData>")
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) == 4096:
                    f.write("".join(batch).encode())
                    batch = []
            f.write(("".join(batch) + "</sheetData></worksheet>").encode())
    return path


def text_row(values: list[str | None], r: int | None = None) -> str:
    cells = "".join('<c t="inlineStr"><is><t>' + v + "</t></is></c>" if v is not None else "<c/>" for v in values)
    return (f'<row r="{r}">' if r else "<row>") + cells + "</row>"


def bomb_rows(rows: int, cols: int):
    """The attack run's bomb, scaled: ``rows`` rows of ``cols`` copies of one shared string."""
    cells = '<c t="s"><v>0</v></c>' * cols
    return (f'<row r="{r}">{cells}</row>' for r in range(1, rows + 1))


def template_rows(n: int):
    yield text_row(HEADER.split(","))
    for i in range(n):
        yield text_row([f"X{i}", "2025-06-02T09:00:00+07:00", None, None, None, None, "menunggu_verifikasi",
                        "Dinas Kesehatan", "Cikarang Barat", None, "Puskesmas", "Pengaduan", "WhatsApp"])


def refused(con, path: Path, **kw) -> RefusedFile:
    before = fingerprint(con)
    with pytest.raises(RefusedFile) as info:
        import_file(con, path, **kw)
    assert fingerprint(con) == before
    assert str(info.value).startswith(path.name + ": ")
    return info.value


# --- 7. workbooks within limits -------------------------------------------------------------------

def test_the_attack_runs_bomb_is_refused_from_its_declared_size(seeded, tmp_path):
    """The 4,4 MB workbook declared <dimension ref="A1:BL1048000">: 67 072 000 cells, refused
    before a cell is read (here with its first rows only, so the test takes milliseconds)."""
    path = write_xlsx(tmp_path / "bom.xlsx", bomb_rows(50, 64), dimension="A1:BL1048000")
    problem = refused(seeded, path).problem
    assert "lembar 'Laporan Ringkas' berisi 67.072.000 sel (A1:BL1048000)" in problem
    assert "sheet 'Laporan Ringkas' holds 67,072,000 cells" in problem
    assert "limit of 15,000,000 cells (PANTAU_XLSX_MAX_CELLS)" in problem


def test_a_zip_bomb_is_refused_from_its_unpacked_size(seeded, tmp_path, monkeypatch):
    """20 000 rows x 64 copies of one string: 27 MB of XML in ~0,1 MB of zip."""
    monkeypatch.setenv("PANTAU_XLSX_MAX_UNPACKED_MB", "10")
    path = write_xlsx(tmp_path / "bom.xlsx", bomb_rows(20_000, 64), dimension="A1:BL20000")
    assert path.stat().st_size < 1_000_000
    problem = refused(seeded, path).problem
    assert "berukuran 27 MB setelah dibuka, melebihi batas 10 MB" in problem
    assert "unpacks to 27 MB, over the limit of 10 MB (PANTAU_XLSX_MAX_UNPACKED_MB)" in problem


def test_a_bomb_that_hides_its_size_is_counted_and_refused(seeded, tmp_path, monkeypatch):
    """No <dimension>, or one that lies: the cells are counted (or the grid measured) and the
    child stops at the limit."""
    monkeypatch.setenv("PANTAU_XLSX_MAX_CELLS", "100000")
    for name, dimension in [("tanpa-ukuran.xlsx", None), ("bohong.xlsx", "A1")]:
        path = write_xlsx(tmp_path / name, bomb_rows(20_000, 64), dimension=dimension)
        problem = refused(seeded, path).problem
        assert "over the limit of 100,000 cells (PANTAU_XLSX_MAX_CELLS)" in problem, problem


def test_cells_far_apart_are_refused_by_the_area_they_span(seeded, tmp_path, monkeypatch):
    """Two cells, A1 and T60000, make a grid of 1 200 000 cells."""
    monkeypatch.setenv("PANTAU_XLSX_MAX_CELLS", "1000000")
    rows = [text_row(["id", "received_at"], 1), '<row r="60000"><c r="T60000" t="inlineStr"><is><t>x</t></is></c></row>']
    problem = refused(seeded, write_xlsx(tmp_path / "jauh.xlsx", rows)).problem
    assert "1.200.000 sel (60.000 baris x 20 kolom)" in problem and "1,200,000 cells (60,000 rows x 20 columns)" in problem


def test_a_reader_that_dies_is_a_refusal_and_the_importer_lives_on(seeded, tmp_path):
    """Cells at A1 and XFD1048576 without a <dimension>: the reader allocates every cell between
    them and aborts. That killed the whole process (the dashboard server) before; now only the
    child dies, and the next workbook imports."""
    from analytics.importers.workbook import read_workbook  # noqa: F401 - the module that keeps the abort away

    rows = [text_row(["id", "received_at"], 1),
            '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>']
    problem = refused(seeded, write_xlsx(tmp_path / "luas.xlsx", rows)).problem
    assert "the workbook reader stopped abruptly" in problem and "berhenti mendadak" in problem
    report = import_file(seeded, write_xlsx(tmp_path / "baik.xlsx", template_rows(3)))
    assert report.rows_new == 3


def test_a_child_over_its_memory_or_time_limit_is_stopped(seeded, tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "besar.xlsx", template_rows(40_000))
    monkeypatch.setenv("PANTAU_XLSX_MAX_MEMORY_MB", "1")  # a child holds more than that when it starts
    problem = refused(seeded, path).problem
    assert "more than 1 MB of memory (limit PANTAU_XLSX_MAX_MEMORY_MB); reading was stopped" in problem
    monkeypatch.delenv("PANTAU_XLSX_MAX_MEMORY_MB")
    monkeypatch.setenv("PANTAU_XLSX_TIMEOUT_S", "0.05")
    problem = refused(seeded, path).problem
    assert "took longer than the limit of 0,05 s / " not in problem
    assert "took longer than the limit of 0.05 s (PANTAU_XLSX_TIMEOUT_S)" in problem and "0,05 detik" in problem
    monkeypatch.delenv("PANTAU_XLSX_TIMEOUT_S")
    assert import_file(seeded, path).rows_new == 40_000  # the helper recovered from both kills


def test_the_workbook_is_read_in_another_process(seeded, tmp_path, monkeypatch):
    """The importing process never parses a workbook: with pandas' Excel reader broken here, the
    import still works (the child has its own)."""
    def broken(*args, **kwargs):
        raise AssertionError("the importing process parsed the workbook itself")

    monkeypatch.setattr(pd, "read_excel", broken)
    monkeypatch.setattr(pd, "ExcelFile", broken)
    report = import_file(seeded, write_xlsx(tmp_path / "ekspor.xlsx", template_rows(5)))
    assert report.rows_new == 5


def test_an_uploaded_bomb_is_refused_on_the_data_page(tmp_path, monkeypatch):
    from analytics.store import connect
    from ui.db import import_upload

    monkeypatch.setenv("PANTAU_XLSX_MAX_UNPACKED_MB", "10")
    data = write_xlsx(tmp_path / "x.xlsx", bomb_rows(20_000, 64), dimension="A1:BL20000").read_bytes()
    con = connect(tmp_path / "s.duckdb")
    with pytest.raises(RefusedFile) as info:
        import_upload(con, "laporan.xlsx", data, region="kab-bekasi")
    assert str(info.value).startswith("laporan.xlsx: ") and "PANTAU_XLSX_MAX_UNPACKED_MB" in info.value.problem
    con.close()


def test_limits_come_from_the_environment(monkeypatch):
    from analytics.importers.workbook import WorkbookLimits

    assert WorkbookLimits.from_env() == WorkbookLimits(15_000_000, 1024, 5120, 300.0)
    monkeypatch.setenv("PANTAU_XLSX_MAX_CELLS", "5_000_000")
    monkeypatch.setenv("PANTAU_XLSX_TIMEOUT_S", "12.5")
    assert WorkbookLimits.from_env() == WorkbookLimits(5_000_000, 1024, 5120, 12.5)
    monkeypatch.setenv("PANTAU_XLSX_MAX_UNPACKED_MB", "banyak")
    with pytest.raises(ValueError, match="PANTAU_XLSX_MAX_UNPACKED_MB='banyak' is not a positive number"):
        WorkbookLimits.from_env()


# --- 10. the audit row commits with the import ----------------------------------------------------

def _crash_on_import_audit(monkeypatch):
    """A process killed right where the audit row of an import is written."""
    from analytics.security import audit

    real = audit.record

    def record(con, **kw):
        if kw.get("action") == "import" and "refused" not in (kw.get("detail") or {}):
            raise RuntimeError("killed")
        return real(con, **kw)

    monkeypatch.setattr(audit, "record", record)


def _batches_and_audit(db: Path) -> tuple[int, int, int]:
    import duckdb

    with duckdb.connect(str(db), read_only=True) as c:
        return tuple(c.execute(q).fetchall()[0][0] for q in (
            "SELECT count(*) FROM import_batches", "SELECT count(*) FROM complaints",
            "SELECT count(*) FROM audit_log WHERE action = 'import'"))


def test_cli_import_and_its_audit_row_commit_together(tmp_path, monkeypatch, capsys):
    db = tmp_path / "cli.duckdb"
    good = template_csv(tmp_path / "ekspor.csv", [GOOD])
    with monkeypatch.context() as m:
        _crash_on_import_audit(m)
        with pytest.raises(RuntimeError, match="killed"):
            cli.main(["import", str(good), "--db", str(db), "--region", "kab-bekasi"])
    assert _batches_and_audit(db) == (0, 0, 0)  # neither: not an import without its audit row
    assert cli.main(["import", str(good), "--db", str(db), "--region", "kab-bekasi"]) == 0
    assert _batches_and_audit(db) == (1, 1, 1)
    capsys.readouterr()
    assert cli.main(["audit", "--db", str(db), "--format", "json"]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["who"].startswith("cli:") and row["role"] == "cli"
    import duckdb

    with duckdb.connect(str(db), read_only=True) as c:
        batch = c.execute("SELECT batch_id FROM import_batches").fetchall()[0][0]
    assert json.loads(row["detail"]) == {"file": "ekspor.csv", "batch": batch, "rows_read": 1, "rows_new": 1}


def test_upload_import_and_its_audit_row_commit_together(tmp_path, monkeypatch):
    from analytics.security.access import Viewer
    from analytics.store import connect
    from ui.db import import_upload

    db = tmp_path / "s.duckdb"
    data = template_csv(tmp_path / "ekspor.csv", [GOOD]).read_bytes()
    analis = Viewer("analis", email="analis@bekasikab.go.id")
    con = connect(db)
    with monkeypatch.context() as m:
        _crash_on_import_audit(m)
        with pytest.raises(RuntimeError, match="killed"):
            import_upload(con, "ekspor.csv", data, region="kab-bekasi", viewer=analis)
    report = import_upload(con, "ekspor.csv", data, region="kab-bekasi", viewer=analis)
    rows = con.execute("SELECT who, role, detail FROM audit_log WHERE action = 'import'").fetchall()
    con.close()
    assert _batches_and_audit(db) == (1, 1, 1)
    assert rows[0][:2] == ("analis@bekasikab.go.id", "analis")
    assert json.loads(rows[0][2])["batch"] == report.batch_id


# --- 11. repeated columns, implausible times, CLI dates -------------------------------------------

@pytest.mark.parametrize("header, name, where", [
    (HEADER.replace("status,", "ID,status,"), "id", "kolom A dan G"),  # named as first written
    (HEADER + ",opd", "opd", "kolom H dan R"),
    (HEADER.replace("opd", "OPD") + ",  Opd ", "OPD", "kolom H dan R"),
])
def test_a_column_named_twice_is_refused(seeded, tmp_path, header, name, where):
    width = header.count(",") + 1
    row = ",".join((GOOD.split(",") + ["Dinas Sosial"] * width)[:width])
    problem = refused(seeded, template_csv(tmp_path / "dua.csv", [row], header=header)).problem
    assert f"kolom '{name}' muncul 2 kali di baris judul ({where})" in problem
    assert f"the column '{name}' appears 2 times in the header row" in problem


def test_a_column_named_twice_is_refused_in_sp4n_and_mapped_layouts(seeded, tmp_path):
    sp4n = tmp_path / "ringkas.csv"
    sp4n.write_text("Tracking ID,Tanggal Laporan Masuk,Status Laporan,Tracking ID\n"
                    "1,2025-06-02,Selesai,2\n", encoding="utf-8")
    assert "the column 'Tracking ID' appears 2 times in the header row (columns A and D)" in refused(seeded, sp4n).problem
    mapping = tmp_path / "m.toml"
    mapping.write_text('[source]\nname = "aduan-kota"\n[columns]\nsource_id = "Nomor"\nreceived_at = "Masuk"\n'
                       'unit = "Dinas"\n', encoding="utf-8")
    other = tmp_path / "lain.csv"
    other.write_text("Nomor,Masuk,Dinas,dinas\n1,2025-06-02,Dinas Kesehatan,Dinas Sosial\n", encoding="utf-8")
    assert "the column 'Dinas' appears 2 times" in refused(seeded, other, mapping=mapping).problem


def test_times_outside_the_plausible_window_are_quarantined(con, tmp_path):
    snapshot = pd.Timestamp("2025-06-30T12:00:00+07:00")
    rows = {
        "Y1": "0001-01-01T00:00:00+00:00",  # a filler date
        "Y9999": "9999-12-31T23:59:00+07:00",
        "EARLY": "1999-12-31T23:59:00+07:00",  # a minute before the window
        "FIRST": "2000-01-01T00:00:00+07:00",  # its first minute
        "LATE23": "2025-07-01T11:00:00+07:00",  # 23 h after the snapshot: clocks, zones
        "LATE25": "2025-07-01T13:00:00+07:00",  # 25 h after it
    }
    lines = [f"{k},{v},,,,,menunggu_verifikasi,Dinas Kesehatan,,,,,,,,," for k, v in rows.items()]
    lines.append("RES,2025-06-02T09:00:00+07:00,,,,9999-01-01,selesai,Dinas Kesehatan,,,,,,,,,")
    report = import_file(con, template_csv(tmp_path / "waktu.csv", lines), region="kab-bekasi", snapshot_at=snapshot)
    assert report.quarantine_reasons == {"time_out_of_range": 5}
    reasons = dict(con.execute("SELECT source_id, reasons FROM quarantine").fetchall())
    assert set(reasons) == {"Y1", "Y9999", "EARLY", "LATE25", "RES"}
    assert reasons["Y1"] == "time_out_of_range:received_at=0001-01-01T00:00:00+00:00"
    assert reasons["RES"] == "time_out_of_range:resolved_at=9999-01-01"
    stored = {r[0] for r in con.execute("SELECT source_id FROM complaints").fetchall()}
    assert stored == {"FIRST", "LATE23"}


@pytest.mark.parametrize("snapshot", ["0001-01-01", "9999-12-31T00:00:00+07:00", "1999-12-31"])
def test_an_implausible_snapshot_is_refused(seeded, tmp_path, snapshot):
    path = template_csv(tmp_path / "ekspor.csv", [GOOD.replace("A1", "A2")])
    problem = refused(seeded, path, snapshot_at=pd.Timestamp(snapshot)).problem
    assert "is before 2000-01-01 or more than a day after now" in problem and snapshot[:4] in problem


@pytest.mark.parametrize("args", [
    ["league", "--from", "0001-01-01"], ["league", "--from", "2025-01-01", "--to", "9999-12-31"],
    ["breaches", "--from", "0000-01-01"], ["league", "--as-of", "0001-01-01T00:00"], ["summary", "--to", "1900-01-01"],
])
def test_cli_dates_outside_the_calendar_name_the_accepted_range(seeded, db_path, args, capsys):
    from analytics.rules.workcal import DEFAULT_YEARS

    seeded.close()
    assert cli.main([*args, "--db", str(db_path)]) == 2
    err = capsys.readouterr().err
    first, last = f"{DEFAULT_YEARS.start + 1}-01-01", f"{DEFAULT_YEARS.stop - 2}-12-31"
    assert f"dates must be between {first} and {last}" in err and f"tanggal harus antara {first} dan {last}" in err
    assert "Traceback" not in err and "out of range" not in err
