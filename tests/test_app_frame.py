"""The dashboard frame, the shared widgets and the Data page, through streamlit's AppTest.

Each test points $PANTAU_DB at its own file and clears Streamlit's process-wide caches before
and after (the cached connection would otherwise keep serving the previous test's store).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analytics.importers.errors import RefusedFile
from analytics.store import connect
from tests.helpers import HEADER, template_csv
from ui.i18n import t
from ui.nav import PAGES, page_file

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")  # absolute: AppTest resolves relative paths from this file
TIMEOUT = 30
DEMO_END = pd.Timestamp("2025-11-20T12:00:00+07:00")
SECRETS = ("Rahasia Sekali", "0899-RAHASIA", "isi aduan pribadi")
ROWS = [
    "A1,2025-11-02T09:00:00+07:00,,,,,menunggu_verifikasi,Dinas Kesehatan,Cikarang Barat,,Jalan,Pengaduan,WA,,,,"
    ",Budi,0812,jalan rusak",
    "A2,2025-11-03T09:00:00+07:00,,,,,menunggu_verifikasi,Dinas Entah,Kecamatan Antah,,Jalan,Pengaduan,WA,,,,"
    ",,,",
    "B1,2025-11-05T09:00:00+07:00,,,,31/02/2025,selesai,Dinas Kesehatan,Cikarang Barat,,Jalan,Pengaduan,WA,,,9,"
    ",Rahasia Sekali,0899-RAHASIA,isi aduan pribadi",
]
PERSONAL_HEADER = HEADER + ",reporter_name,reporter_contact,text"


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()  # closes the cached connection (on_release)


@pytest.fixture
def db_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "pantau.duckdb"
    monkeypatch.setenv("PANTAU_DB", str(path))
    _clear_caches()
    yield path
    _clear_caches()


@pytest.fixture
def demo_db(db_file, tmp_path) -> Path:
    from analytics.demo.load import load_demo

    con = connect(db_file)
    load_demo(con, seed=7, months=2, rows=300, end=DEMO_END, out_dir=tmp_path / "demo")
    con.close()
    return db_file


@pytest.fixture
def real_db(db_file, tmp_path, monkeypatch) -> Path:
    """Real (non-demo) data, served open to analysts: these tests look at the Data page's
    contents; tests/test_roles.py covers login and roles."""
    from analytics.importers.ingest import import_file

    users = tmp_path / "pantau-users.toml"
    users.write_text('[access]\nallow_open = true\nopen_role = "analis"\n', encoding="utf-8")
    monkeypatch.setenv("PANTAU_USERS", str(users))

    con = connect(db_file)
    csv = template_csv(tmp_path / "ekspor-november.csv", ROWS, header=PERSONAL_HEADER)
    import_file(con, csv, region="kab-bekasi", snapshot_at=pd.Timestamp("2025-11-06T12:00:00+07:00"))
    con.close()
    return db_file


def _app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success", "code"):
        parts += [str(e.value) for e in getattr(at, kind)]
    for df in at.dataframe:
        parts.append(df.value.to_string())
    return "\n".join(parts)


# --- the frame -------------------------------------------------------------------------------


def test_empty_store_shows_the_first_run_page(db_file):
    at = _app()
    assert not at.exception
    assert [e.value for e in at.title] == ["Ringkasan"]
    text = _texts(at)
    assert "Selamat datang di Pantau" in text
    assert "python -m analytics import" in text and "python -m analytics demo" in text
    assert "halaman Data" in text
    assert not [i for i in at.info if "Data demo" in i.value]
    assert t("page.coming_soon", lang="id") not in text  # the page body did not run (st.stop)


def test_first_run_page_loads_the_demo_through_the_app(db_file, tmp_path, monkeypatch):
    # The CLI cannot write while the dashboard holds the file; the button goes through the app.
    monkeypatch.setattr("analytics.demo.load.DEMO_DIR", tmp_path / "demo")
    at = _app()
    at.button(key="firstrun_demo").click().run()
    assert not at.exception
    assert _demo_lines(at, "Data demo")
    assert "Selamat datang di Pantau" not in _texts(at)


def _demo_lines(at, words: str) -> list:
    """The demo banner: a caption with a badge (ui.frame.page_frame)."""
    return [c for c in at.caption if f"science: {words}]" in c.value]


def test_demo_store_shows_the_banner_and_freshness(demo_db):
    at = _app()
    assert not at.exception
    banners = _demo_lines(at, "Data demo")  # one line on a phone; the whole sentence in its tooltip
    assert banners and "Data demo: aduan sintetis Kab. Bekasi" in banners[0].proto.help
    # The data line (its age and the stale warning: tests/test_freshness.py).
    assert any(c.value.startswith("Kab. Bekasi · data per 20 Nov 2025") for c in at.caption)
    assert "Selamat datang di Pantau" not in _texts(at)


def test_english_via_the_url(demo_db):
    at = _app(lang="en")
    assert not at.exception
    assert [e.value for e in at.title] == ["Overview"]
    assert _demo_lines(at, "Demo data")
    assert at.segmented_control(key="lang").value == "en"


@pytest.mark.parametrize(("file", "url", "title_key", "icon"), PAGES, ids=[p[1] for p in PAGES])
def test_every_page_loads(demo_db, file, url, title_key, icon):
    at = _app()
    at.switch_page(file).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.title] == [t(title_key, lang="id")]
    assert not at.error


@pytest.mark.parametrize("file", [p[0] for p in PAGES], ids=[p[1] for p in PAGES])
def test_every_page_handles_an_empty_store(db_file, file):
    at = _app()
    at.switch_page(file).run()
    assert not at.exception, at.exception


def test_page_file_lookup():
    assert page_file("data") == "pages/data.py"
    with pytest.raises(ValueError, match="unknown page"):
        page_file("nope")
    for file, *_ in PAGES:
        assert (ROOT / file).is_file(), file


def test_a_failing_panel_shows_a_warning_not_a_traceback():
    def app():
        import streamlit as st

        from ui.frame import panel

        with panel("Grafik", title=True):
            st.write("half drawn")
            raise RuntimeError("boom")
        with panel("Tabel"):
            st.write("still here")

    at = AppTest.from_function(app, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert [w.value for w in at.warning] == [t("panel.failed", lang="id", name="Grafik")]
    assert [s.value for s in at.subheader] == ["Grafik"]
    texts = [m.value for m in at.markdown]
    assert "still here" in texts and "half drawn" not in texts


def test_stop_passes_through_a_panel():
    def app():
        import streamlit as st

        from ui.frame import panel

        with panel("A"):
            st.stop()
        st.write("not reached")

    at = AppTest.from_function(app, default_timeout=TIMEOUT).run()
    assert not at.exception and not at.warning and not at.markdown


# --- the shared widgets ----------------------------------------------------------------------


def test_resolve_period():
    from analytics.rules.periods import resolve_period
    from ui.widgets import period_label

    today = date(2025, 11, 20)  # a Thursday
    p = resolve_period("minggu", today)
    assert (p.start, p.end, p.days) == (date(2025, 11, 17), today, 4)
    assert (p.previous().start, p.previous().end) == (date(2025, 11, 10), date(2025, 11, 13))
    p = resolve_period("bulan", today)
    assert (p.start, p.end) == (date(2025, 11, 1), today)
    assert (p.previous().start, p.previous().end) == (date(2025, 10, 1), date(2025, 10, 20))
    p = resolve_period("30h", today)
    assert (p.start, p.days) == (date(2025, 10, 22), 30)
    assert (p.previous().start, p.previous().end) == (date(2025, 9, 22), date(2025, 10, 21))
    p = resolve_period("custom", today, date(2025, 6, 30), date(2025, 6, 1))  # reversed: swapped
    assert (p.start, p.end) == (date(2025, 6, 1), date(2025, 6, 30))
    assert resolve_period("nonsense", today).preset == "30h"
    assert resolve_period("bulan", date(2025, 3, 31)).previous().end == date(2025, 2, 28)
    assert period_label(resolve_period("30h", today)) == "22 Okt 2025 – 20 Nov 2025"
    assert period_label(resolve_period("custom", today, today, today), "en") == "20 Nov 2025"


def test_period_bounds_are_utc_instants_of_local_days():
    from analytics.rules.periods import Period

    lo, hi = Period(date(2025, 6, 1), date(2025, 6, 30)).utc_bounds("Asia/Jayapura")
    assert lo == pd.Timestamp("2025-05-31 15:00", tz="UTC")
    assert hi == pd.Timestamp("2025-06-30 15:00", tz="UTC")


def _widgets_app():
    from datetime import date

    import streamlit as st

    from ui.widgets import period_picker, policy_selector, unit_selector

    period = period_picker(date(2025, 11, 20))
    unit = unit_selector([("DINKES", "Dinas Kesehatan"), ("DISDIK", "Dinas Pendidikan")])
    policy = policy_selector()
    st.write(f"{period.preset}|{period.start}|{period.end}|{unit}|{policy.name}")


def _result(at: AppTest) -> list[str]:
    return at.markdown[-1].value.split("|")


def test_widgets_defaults():
    at = AppTest.from_function(_widgets_app, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert _result(at) == ["30h", "2025-10-22", "2025-11-20", "None", "sp4n-lapor"]


def test_widgets_deep_link():
    at = AppTest.from_function(_widgets_app, default_timeout=TIMEOUT)
    at.query_params.update({"periode": "custom", "dari": "2025-06-01", "sampai": "2025-06-30", "unit": "DISDIK",
                            "kebijakan": "permenpan-62-2018"})
    at.run()
    assert not at.exception
    assert _result(at) == ["custom", "2025-06-01", "2025-06-30", "DISDIK", "permenpan-62-2018"]


def test_widgets_ignore_bad_links():
    at = AppTest.from_function(_widgets_app, default_timeout=TIMEOUT)
    at.query_params.update({"periode": "tahunan", "unit": "'; DROP TABLE complaints", "kebijakan": "../etc"})
    at.run()
    assert not at.exception
    assert _result(at) == ["30h", "2025-10-22", "2025-11-20", "None", "sp4n-lapor"]


def test_period_change_in_session():
    at = AppTest.from_function(_widgets_app, default_timeout=TIMEOUT).run()
    at.segmented_control(key="periode").set_value("bulan").run()
    assert _result(at)[:3] == ["bulan", "2025-11-01", "2025-11-20"]
    at.selectbox(key="unit").set_value("DINKES").run()
    assert _result(at)[3] == "DINKES"


# --- the Data page ---------------------------------------------------------------------------


def _data_page(**state) -> AppTest:
    at = _app()
    at.switch_page("pages/data.py")
    for k, v in state.items():
        at.session_state[k] = v
    return at.run()


def test_data_page_empty_store(db_file):
    at = _data_page()
    assert not at.exception
    text = _texts(at)
    assert t("data.empty_hint", lang="id") in text
    assert t("data.history.empty", lang="id") in text
    assert len(at.get("file_uploader")) == 2  # export + mapping file
    assert at.button[0].disabled  # nothing uploaded yet
    assert at.selectbox(key="data_region").value == "auto"  # an empty store has no regency yet


def test_data_page_filled_store(real_db):
    at = _data_page()
    assert not at.exception
    text = _texts(at)
    assert [m.value for m in at.metric] == ["2", "1"]  # complaints stored, imports
    assert "Ekspor terbaru diambil: **6 Nov 2025 12.00 WIB**" in text
    history = at.dataframe[0].value
    assert history.iloc[0][t("data.col.file", lang="id")] == "ekspor-november.csv"
    assert history.iloc[0][t("data.report.quarantined", lang="id")] == "1"
    assert "waktu tidak terbaca" in text and "penilaian di luar 1-5" in text
    assert "Dinas Entah" in text and "Kecamatan Antah" in text
    assert "•••" in text
    for secret in SECRETS:
        assert secret not in text
    assert not at.get("selectbox") or all(s.key != "data_region" for s in at.selectbox)


def test_data_page_in_english(real_db):
    at = _app(lang="en")
    at.switch_page("pages/data.py").run()
    assert not at.exception
    text = _texts(at)
    assert "Import history" in text and "time cannot be read" in text


def test_data_page_shows_a_refused_file(db_file):
    outcome = {"kind": "refused", "file": "laporan_*x*.csv", "problem": "not a known export format",
               "expected": ["Tracking ID", "received_at"]}
    at = _data_page(data_outcome=outcome)
    assert not at.exception
    assert "ditolak" in at.error[0].value and "not a known export format" in at.error[0].value
    assert "\\*x\\*" in at.error[0].value  # file names cannot inject markdown
    assert "Tracking ID, received_at" in [c.value for c in at.code]


def test_data_page_shows_an_import_report(db_file, tmp_path):
    from ui.db import import_upload

    con = connect(tmp_path / "other.duckdb")
    data = "\n".join([PERSONAL_HEADER, *ROWS]).encode()
    report = import_upload(con, "ekspor.csv", data, region="kab-bekasi")
    con.close()
    at = _data_page(data_outcome={"kind": "ok", "report": report})
    assert not at.exception
    assert at.success[0].value == "ekspor.csv diimpor (impor #1)."
    cards = {m.label: m.value for m in at.metric}
    assert cards[t("data.report.read", lang="id")] == "3"
    assert cards[t("data.report.quarantined", lang="id")] == "1"
    assert "Dinas Entah" in _texts(at)


# --- imports through the app's connection (AppTest cannot upload files) ----------------------


def test_import_upload(tmp_path):
    from analytics.store import status
    from ui.db import import_upload

    con = connect(tmp_path / "s.duckdb")
    data = "\n".join([PERSONAL_HEADER, *ROWS]).encode()
    before = status.data_version(con)
    report = import_upload(con, "../../etc/ekspor minggu 45.csv", data, fmt="auto", region="kab-bekasi")
    assert report.file_name == "ekspor minggu 45.csv"  # no directory part survives
    assert (report.rows_read, report.rows_new, report.rows_quarantined) == (3, 2, 1)
    assert report.unknown_units == {"Dinas Entah": 1}
    assert status.data_version(con) != before
    again = import_upload(con, "copy.csv", data)
    assert again.already_imported and again.previous_batch_id == 1
    con.close()


def test_import_upload_refused_file_changes_nothing(tmp_path):
    from analytics.store import status
    from ui.db import import_upload

    con = connect(tmp_path / "s.duckdb")
    with pytest.raises(RefusedFile) as info:
        import_upload(con, "lain.csv", b"nomor,tanggal,keluhan\n1,2025-01-01,jalan rusak\n")
    assert "not a known export format" in info.value.problem and "Tracking ID" in info.value.expected
    assert status.data_version(con) == "0:0:0"
    con.close()


def test_import_upload_into_a_demo_store_is_refused(tmp_path):
    from analytics.demo.load import load_demo
    from ui.db import clear_demo_data, import_upload

    con = connect(tmp_path / "s.duckdb")
    load_demo(con, seed=7, months=1, rows=50, end=DEMO_END, out_dir=tmp_path / "demo")
    data = "\n".join([PERSONAL_HEADER, *ROWS]).encode()
    with pytest.raises(RefusedFile, match="demo"):
        import_upload(con, "ekspor.csv", data)
    assert clear_demo_data(con) == 50
    assert import_upload(con, "ekspor.csv", data, region="kab-bekasi").rows_new == 2
    con.close()


def test_import_upload_with_a_mapping_file(tmp_path):
    from ui.db import import_upload

    con = connect(tmp_path / "s.duckdb")
    mapping = (ROOT / "data" / "mappings" / "nyc-311.toml").read_bytes()
    csv = (
        b"Unique Key,Created Date,Closed Date,Status,Agency,Borough,Complaint Type,Open Data Channel Type,"
        b"Latitude,Longitude\n"
        b"1,06/01/2025 09:00:00 AM,06/02/2025 10:00:00 AM,Closed,NYPD,BROOKLYN,Noise,PHONE,40.6,-73.9\n"
    )
    report = import_upload(con, "nyc.csv", csv, fmt="mapping", mapping_name="nyc-311.toml", mapping_data=mapping)
    assert report.rows_new == 1 and report.format == "mapping"
    con.close()


def test_safe_file_name():
    from ui.db import safe_file_name

    assert safe_file_name("C:\\Users\\x\\Laporan Ringkas.xlsx") == "Laporan Ringkas.xlsx"
    assert safe_file_name("a/b/../c.csv") == "c.csv"
    assert safe_file_name("..") == "upload.csv"
    assert safe_file_name("laporan;rm -rf.csv") == "laporan_rm -rf.csv"


def test_cached_query_goes_stale_after_an_import(db_file, tmp_path):
    from analytics.store import status
    from ui import db

    con = db.cursor()
    v0 = status.data_version(con)
    assert db.cached_query(con, v0, status.freshness).complaints == 0
    data = "\n".join([PERSONAL_HEADER, *ROWS]).encode()
    db.import_upload(con, "ekspor.csv", data, region="kab-bekasi")
    assert db.cached_query(con, v0, status.freshness).complaints == 0  # same key: cached
    con = db.cursor()  # the next run: a run's cursor keeps the snapshot it started with
    v1 = status.data_version(con)
    assert db.cached_query(con, v1, status.freshness).complaints == 2


def test_a_run_reads_a_cached_result_once_and_end_run_closes_its_cursors(db_file):
    """Within one run (one cursor) the same cached read is the same object (unpickled once);
    another run gets its own copy; end_run closes the cursors this thread's run took."""
    import duckdb

    from analytics.store import status
    from ui import db

    run1, run2 = db.cursor(), db.cursor()
    v = status.data_version(run1)
    first = db.cached_query(run1, v, status.freshness)
    assert db.cached_query(run1, v, status.freshness) is first
    assert db.cached_query(run2, v, status.freshness) is not first
    assert db.cached_query(run2, v, status.freshness) == first
    db.end_run()
    for cur in (run1, run2):
        with pytest.raises(duckdb.Error):
            cur.execute("SELECT 1")
    db.end_run()  # nothing left to close: a no-op
    assert db.cursor().execute("SELECT 1").fetchall() == [(1,)]  # the shared connection stays open
    assert db.cached_query(object(), "v", _double, 21) == 42  # a handle without weak references: no memo


def _double(_con, x: int) -> int:
    return 2 * x


def test_ui_and_pages_never_allow_html():
    for path in [*ROOT.joinpath("ui").glob("*.py"), *ROOT.joinpath("pages").glob("*.py"), ROOT / "dashboard.py"]:
        assert "unsafe_allow_html" not in path.read_text(encoding="utf-8"), path
