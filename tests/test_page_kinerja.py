"""Catatan Kinerja (pages/kinerja.py, ui/ledger_ui.py) through AppTest, as each role of
tests/role_fixtures.py: what each sees and may do, the forms (close, appeal, decide, reopen), a
refused action (the ledger's message as st.error, nothing changed), deep links that respect
roles, an empty store, a store with no closed month, and English.

The store is the hand case of tests/test_ledger.py (October 2025, judged as of 5 Nov 2025 12.00
WIB, policy sp4n-lapor) with ids that say whose they are, plus two cases of Dinas Perhubungan:

    DINKES  KES-A on time; KES-B late 8 wd; KES-C open 11 wd; KES-D open 13 wd (and its
            verification late 3 wd, the verifier's): 4 due, 1 on time, 3 counted -> 25,0%, C
    DISHUB  HUB-B late; HUB-C open
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app_fixtures import clear_caches, empty_db  # noqa: F401 - pytest fixtures
from tests.app_fixtures import open_page as _open
from tests.helpers import template_csv
from tests.role_fixtures import plain, role_store, roles_db, run_as, users_toml, visible_text  # noqa: F401
from ui.i18n import t

PAGE = "pages/kinerja.py"
TZ = "Asia/Jakarta"
AS_OF = pd.Timestamp("2025-11-05 12:00", tz=TZ)
PIMPINAN, ANALIS, DINKES, DISHUB = ("bupati@bekasikab.go.id", "analis@bekasikab.go.id", "dinkes@bekasikab.go.id",
                                    "dishub@bekasikab.go.id")


def _row(cid: str, received: str, dispatched: str = "", response: str = "", status: str = "didisposisi",
         opd: str = "Dinas Kesehatan") -> str:
    return f"{cid},{received},,{dispatched},{response},,{status},{opd},Cikarang Barat,,Jalan,Pengaduan,WA,,,,"


ROWS = [
    _row("KES-A", "2025-10-01T09:00+07:00", "2025-10-02T10:00+07:00", "2025-10-03T10:00+07:00", "ditindaklanjuti"),
    _row("KES-B", "2025-10-06T09:00+07:00", "2025-10-07T10:00+07:00", "2025-10-24T10:00+07:00", "ditindaklanjuti"),
    _row("KES-C", "2025-10-13T09:00+07:00", "2025-10-14T10:00+07:00"),
    _row("KES-D", "2025-10-02T09:00+07:00", "2025-10-10T10:00+07:00"),
    _row("HUB-B", "2025-10-06T09:00+07:00", "2025-10-07T10:00+07:00", "2025-10-24T10:00+07:00", "ditindaklanjuti",
         opd="Dinas Perhubungan"),
    _row("HUB-C", "2025-10-13T09:00+07:00", "2025-10-14T10:00+07:00", opd="Dinas Perhubungan"),
]
KES = ("KES-B", "KES-C", "KES-D")
HUB = ("HUB-B", "HUB-C")


def _viewer(email: str):
    from analytics.security.access import Viewer
    from tests.role_fixtures import USERS

    role, unit = USERS[email]
    return Viewer(role=role, unit=unit, email=email)


@pytest.fixture(scope="session")
def october_store(tmp_path_factory) -> Path:
    from analytics.importers.ingest import import_file
    from analytics.store import connect

    folder = tmp_path_factory.mktemp("kinerja")
    path = folder / "pantau.duckdb"
    con = connect(path)
    import_file(con, template_csv(folder / "oktober.csv", ROWS), region="kab-bekasi", snapshot_at=AS_OF,
                now=AS_OF.to_pydatetime())
    con.close()
    return path


@pytest.fixture
def ledger_db(october_store, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the October store per test, with the role tests' users file."""
    db = tmp_path / "pantau.duckdb"
    shutil.copy(october_store, db)
    users = tmp_path / "pantau-users.toml"
    users.write_text(users_toml(), encoding="utf-8")
    monkeypatch.setenv("PANTAU_DB", str(db))
    monkeypatch.setenv("PANTAU_USERS", str(users))
    clear_caches()
    yield db
    clear_caches()


def _before_app(db: Path, fn) -> object:  # noqa: ANN001
    """``fn(con)`` on the store before the app opens it (the app then holds the file)."""
    from analytics.store import connect

    con = connect(db)
    try:
        return fn(con)
    finally:
        con.close()


def _close(con, *, now: datetime | None = None) -> int:  # noqa: ANN001
    from analytics.ledger.close import close_month
    from analytics.rules.policy import load_policy

    return close_month(con, "2025-10", as_of=AS_OF, policy=load_policy("sp4n-lapor"), actor=_viewer(ANALIS),
                       now=now or datetime.now(UTC))


def _appeal(con, case_id: str = "KES-B", who: str = DINKES) -> int:  # noqa: ANN001
    from analytics.ledger.appeals import file_appeal

    return file_appeal(con, "2025-10", source_id=case_id, stage="tindak_lanjut", reason="waktu_salah",
                       text="Surat tanggapan bertanggal 10 Okt terlampir.", actor=_viewer(who), now=datetime.now(UTC))


@pytest.fixture
def closed(ledger_db) -> Path:
    _before_app(ledger_db, _close)
    return ledger_db


@pytest.fixture
def appealed(ledger_db) -> tuple[Path, int]:
    return ledger_db, _before_app(ledger_db, lambda con: (_close(con), _appeal(con))[1])


def _app_cursor():  # noqa: ANN202
    """A cursor on the app's own connection (the app holds the file read-write in this process)."""
    from ui import db as ui_db

    return ui_db.connection().cursor()


def _ledger_state() -> tuple:
    cur = _app_cursor()
    try:
        return tuple(cur.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                     for table in ("ledger_versions", "ledger_units", "ledger_cases", "ledger_appeals"))
    finally:
        cur.close()


def _ids(text: str) -> set[str]:
    return {i for i in (*KES, *HUB, "KES-A") if i in text}


def _forms(at: AppTest) -> set[str]:
    """Keys of the action controls drawn (close, reopen, appeal, decide)."""
    keys = {b.key for b in at.button if b.key} | {x.key for x in at.text_area if x.key}
    return {k for k in keys if k.startswith("kinerja_")}


def _markdown(at: AppTest) -> str:
    return plain("\n".join(m.value for m in at.markdown))


def _error_text(at: AppTest) -> str:
    return plain("\n".join(e.value for e in at.error))


# --- no data, no closed month ------------------------------------------------------------------------


def test_an_empty_store_shows_the_first_run_page_without_exception(empty_db):  # noqa: F811
    at = _open(PAGE)
    assert not at.exception, at.exception
    assert not at.dataframe and not at.metric and not _forms(at)


@pytest.mark.parametrize("email", [PIMPINAN, DINKES])
def test_no_closed_month_says_so_in_one_line_and_offers_no_form_to_others(roles_db, email):  # noqa: F811
    at = run_as(email, PAGE)
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [t("kinerja.none", lang="id")]
    assert not _forms(at) and not at.dataframe and not at.metric and not at.error


def test_an_analis_closes_the_first_month_through_the_form(ledger_db):
    at = run_as(ANALIS, PAGE)
    assert not at.exception, at.exception
    assert [i.value for i in at.info] == [t("kinerja.none", lang="id")]
    # the last finished month at the data moment (5 Nov 2025) is the default
    assert at.selectbox(key="kinerja_close_month").value == "2025-10"
    assert at.selectbox(key="kebijakan").value == "sp4n-lapor"
    at.button(key="kinerja_close_submit").click().run()
    assert not at.exception, at.exception
    assert t("kinerja.close.done", lang="id", month="Oktober 2025", n=1) in [s.value for s in at.success]
    line = _markdown(at)
    assert "**Oktober 2025** · versi 1 · ditutup " in line and "keberatan sampai" in line
    versions = _ledger_state()[0]
    assert len(versions) == 1 and versions[0][:2] == ("2025-10", 1) and versions[0][3] == ANALIS
    assert pd.Timestamp(versions[0][4]) == AS_OF  # judged at the store's latest snapshot


# --- who sees what --------------------------------------------------------------------------------


def test_pimpinan_sees_every_unit_worst_first_and_no_form(closed):
    at = run_as(PIMPINAN, PAGE)
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["Unit", "Dihitung akhir", "Tepat waktu akhir", "Kelas"]
    rows = {r["Unit"]: (r["Dihitung akhir"], r["Tepat waktu akhir"], r["Kelas"]) for _, r in table.iterrows()}
    assert rows["Dinkes"] == ("3", "25,0%", "–")  # 4 judged stages: no Kelas (the volume rule)
    assert list(table["Unit"])[0] in ("Dinkes", "Dishub")  # worst first
    assert "3 unit · " in plain(visible_text(at))
    assert not _forms(at) and not at.error
    assert len(at.get("download_button")) == 2
    # the worst unit's cases by default, any unit by ?unit=
    assert _ids(at.dataframe[1].value.to_csv()) in ({*KES}, {*HUB})
    at = run_as(PIMPINAN, PAGE, unit="DISHUB")
    assert _ids(at.dataframe[1].value.to_csv()) == set(HUB)


def test_a_unit_account_sees_its_own_figures_and_cases_only(closed):
    at = run_as(DINKES, PAGE)
    assert not at.exception, at.exception
    cards = {m.label: m.value for m in at.metric}
    assert cards == {"Jatuh tempo": "4", "Tepat waktu": "1", "Dihitung": "3", "Dihitung akhir": "3",
                     "Tepat waktu akhir": "25,0%", "Kelas": "–"}
    text = visible_text(at)
    assert _ids(text) == set(KES) and not any(i in text for i in HUB)
    cases = at.dataframe[0].value
    assert list(cases.columns) == ["ID aduan", "Tahap", "Batas waktu", "Selesai", "Keadaan", "Hari kerja lewat",
                                   "Asal waktu", "Keberatan", "Catatan keputusan"]
    b = cases.set_index("ID aduan").loc["KES-B"]
    assert (b["Tahap"], b["Keadaan"], b["Hari kerja lewat"], b["Asal waktu"]) == ("Tindak lanjut", "Terlambat", "8",
                                                                                   "dilaporkan")
    assert b["Batas waktu"] == "14 Okt 2025 23.59" and b["Selesai"] == "24 Okt 2025 10.00"
    c = cases.set_index("ID aduan").loc["KES-C"]
    assert (c["Selesai"], c["Asal waktu"], c["Keadaan"]) == ("masih terbuka", "masih terbuka", "Terbuka lewat batas")
    # an appeal form, no close / reopen / decide
    assert _forms(at) == {"kinerja_appeal_submit", "kinerja_appeal_text"}
    assert not any(s.value == t("kinerja.queue", lang="id") for s in at.subheader)


def test_a_unit_account_asking_for_another_unit_gets_its_own_and_a_note(closed):
    at = run_as(DINKES, PAGE, unit="DISHUB", bulan="2025-10")
    assert not at.exception, at.exception
    text = visible_text(at)
    assert t("kinerja.cases.own_only", lang="id", unit="DINKES") in text
    assert _ids(text) == set(KES) and not any(i in text for i in HUB)
    assert not at.error
    at = run_as(DISHUB, PAGE, unit="DINKES")
    assert _ids(visible_text(at)) == set(HUB)


def test_an_unknown_month_in_the_link_shows_a_closed_one(closed):
    at = run_as(PIMPINAN, PAGE, bulan="2025-09")
    assert not at.exception, at.exception
    assert t("kinerja.not_closed", lang="id", month="2025-09") in visible_text(at)
    assert "**Oktober 2025**" in _markdown(at)


# --- appeals ----------------------------------------------------------------------------------------------


def test_a_unit_files_an_appeal_through_the_form(closed):
    at = run_as(DINKES, PAGE)
    case = at.selectbox(key="kinerja_appeal_case")
    assert case.options == ["KES-B · Tindak lanjut · Terlambat", "KES-D · Tindak lanjut · Terbuka lewat batas",
                            "KES-C · Tindak lanjut · Terbuka lewat batas"]
    at.selectbox(key="kinerja_appeal_reason").set_value("bukan_wewenang")
    at.text_area(key="kinerja_appeal_text").input("Jalan provinsi, bukan wewenang kabupaten.")
    at.button(key="kinerja_appeal_submit").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [t("kinerja.appeal.filed", lang="id", no=1)]
    appeals = _ledger_state()[3]
    assert len(appeals) == 1
    row = appeals[0]
    assert ("KES-B", "tindak_lanjut", "bukan_wewenang", DINKES) == (row[5], row[6], row[7], row[9])
    cases = at.dataframe[0].value.set_index("ID aduan")
    assert cases.loc["KES-B", "Keberatan"] == "#1 menunggu"
    assert at.selectbox(key="kinerja_appeal_case").options[0].startswith("KES-D")  # one appeal per case


def test_a_refused_appeal_shows_the_ledgers_message_and_changes_nothing(closed):
    at = run_as(DINKES, PAGE)
    before = _ledger_state()
    at.button(key="kinerja_appeal_submit").click().run()  # no explanation written
    assert not at.exception, at.exception
    assert "tulis penjelasan keberatan" in _error_text(at)
    assert _ledger_state() == before and not at.success


def test_after_the_window_a_unit_is_told_in_one_line(ledger_db):
    _before_app(ledger_db, lambda con: _close(con, now=datetime(2025, 11, 6, 2, 0, tzinfo=UTC)))
    at = run_as(DINKES, PAGE)
    assert not at.exception, at.exception
    assert t("kinerja.appeal.closed", lang="id", date="13 Nov 2025") in [i.value for i in at.info]
    assert "masa keberatan berakhir 13 Nov 2025" in _markdown(at)
    assert not _forms(at)


def test_an_analis_decides_an_appeal_with_a_note(appealed):
    _db, number = appealed
    at = run_as(ANALIS, PAGE)
    assert not at.exception, at.exception
    assert f"**#{number}** · Dinkes · KES-B · Tindak lanjut · Waktu di data salah" in _markdown(at)
    at.button(key=f"kinerja_accept_{number}").click().run()  # no note: refused by the ledger
    assert "tulis catatan keputusan" in _error_text(at)
    assert _ledger_state()[3][0][11] is None
    at.text_area(key=f"kinerja_note_{number}").input("Surat bertanggal 10 Okt dilampirkan.")
    at.button(key=f"kinerja_accept_{number}").click().run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == [t("kinerja.queue.accepted", lang="id", no=number)]
    appeal = _ledger_state()[3][0]
    assert (appeal[11], appeal[12]) == ("accepted", ANALIS)
    assert [i.value for i in at.info][0] == t("kinerja.queue.none", lang="id")
    table = at.dataframe[0].value.set_index("Unit")
    assert table.loc["Dinkes", "Dihitung akhir"] == "2" and table.loc["Dinkes", "Tepat waktu akhir"] == "33,3%"
    at = run_as(DINKES, PAGE)
    cases = at.dataframe[0].value.set_index("ID aduan")
    assert cases.loc["KES-B", "Keberatan"] == "#1 diterima"
    assert cases.loc["KES-B", "Catatan keputusan"] == "Surat bertanggal 10 Okt dilampirkan."


def test_an_appeal_decided_meanwhile_by_another_analis_is_refused_and_kept(appealed):
    from analytics.ledger.appeals import decide_appeal
    from analytics.security.access import Viewer

    _db, number = appealed
    at = run_as(ANALIS, PAGE)
    other = Viewer(role="analis", email="analis2@bekasikab.go.id")
    cur = _app_cursor()
    decide_appeal(cur, number, accept=True, note="Diputus lebih dulu.", actor=other, now=datetime.now(UTC))
    cur.close()
    before = _ledger_state()
    at.text_area(key=f"kinerja_note_{number}").input("Disposisi sudah benar.")
    at.button(key=f"kinerja_reject_{number}").click().run()
    assert not at.exception, at.exception
    error = _error_text(at)
    assert "sudah diputus" in error and "analis2@bekasikab.go.id" in error
    assert _ledger_state() == before


def test_a_unit_and_pimpinan_cannot_decide(appealed):
    _db, number = appealed
    for email in (DINKES, PIMPINAN):
        at = run_as(email, PAGE)
        assert not at.exception, at.exception
        assert f"kinerja_accept_{number}" not in _forms(at) and f"kinerja_note_{number}" not in _forms(at)


# --- reopen, close again, old versions, the data moving on ------------------------------------------


def test_reopen_needs_a_reason_then_close_again_makes_version_2(closed):
    at = run_as(ANALIS, PAGE)
    before = _ledger_state()
    at.button(key="kinerja_reopen_submit").click().run()
    assert "alasan" in _error_text(at) and _ledger_state() == before
    at.text_area(key="kinerja_reopen_reason").input("Ekspor terbaru memperbaiki waktu tanggapan.")
    at.button(key="kinerja_reopen_submit").click().run()
    assert not at.exception, at.exception
    assert "dibuka kembali" in _markdown(at) and ":red-badge[dibuka kembali]" in _markdown(at)
    assert at.selectbox(key="kinerja_close_month").value == "2025-10"
    assert at.button(key="kinerja_close_submit").label == t("kinerja.close.again", lang="id", n=2)
    at.button(key="kinerja_close_submit").click().run()
    assert not at.exception, at.exception
    line = _markdown(at)
    assert "**Oktober 2025** · versi 2 · " in line and "VERSI LAMA" not in line
    at.selectbox(key="versi").set_value("1").run()
    assert "VERSI LAMA" in _markdown(at) and "berlaku versi 2" in _markdown(at)
    assert t("kinerja.reopen.old", lang="id") in visible_text(at)


def test_a_unit_cannot_appeal_a_reopened_month_and_pimpinan_sees_it_reopened(ledger_db):
    from analytics.ledger.close import reopen_month

    _before_app(ledger_db, lambda con: (_close(con), reopen_month(
        con, "2025-10", reason="Data diperbaiki oleh SP4N.", actor=_viewer(ANALIS), now=datetime.now(UTC))))
    at = run_as(DINKES, PAGE)
    assert not at.exception, at.exception
    assert not _forms(at) and t("kinerja.appeal.not_current", lang="id") in visible_text(at)
    at = run_as(PIMPINAN, PAGE)
    assert ":red-badge[dibuka kembali]" in _markdown(at) and "angka belum final" in _markdown(at)


def test_the_data_moving_on_is_counted_like_ledger_show(closed, tmp_path):
    from analytics.cli.ledger import month_doc
    from analytics.importers.ingest import import_file

    later = [r.replace("2025-10-14T10:00+07:00,", "2025-10-14T10:00+07:00,2025-10-20T10:00+07:00", 1)
             .replace(",didisposisi,", ",ditindaklanjuti,") if r.startswith("KES-C,") else r for r in ROWS]
    new_as_of = pd.Timestamp("2025-11-10 12:00", tz=TZ)

    def moved(con):  # noqa: ANN001, ANN202
        import_file(con, template_csv(tmp_path / "november.csv", later), region="kab-bekasi",
                    snapshot_at=new_as_of, now=new_as_of.to_pydatetime())
        return month_doc(con, "2025-10", None, _viewer(PIMPINAN), None)["now_reads_differently"]

    expected = _before_app(closed, moved)
    assert expected == {"no_longer_counted": 1, "newly_counted": 0}
    at = run_as(PIMPINAN, PAGE)
    assert not at.exception, at.exception
    assert t("kinerja.drift", lang="id", gone="1", new="0") in visible_text(at)


# --- English ------------------------------------------------------------------------------------------------


def test_english(closed):
    at = run_as(DINKES, PAGE, lang="en")
    assert not at.exception, at.exception
    assert [e.value for e in at.title] == ["Performance record"]
    assert "**October 2025** · version 1 · closed " in _markdown(at) and "appeals until" in _markdown(at)
    assert {m.label for m in at.metric} == {"Due", "On time", "Counted", "Final count", "Final on-time rate", "Tier"}
    assert list(at.dataframe[0].value.columns)[:3] == ["Complaint id", "Stage", "Deadline"]
    assert at.button(key="kinerja_appeal_submit").label == "File the appeal"
    at.button(key="kinerja_appeal_submit").click().run()
    assert "write what the appeal is about" in _error_text(at)


def test_units_judged_on_few_stages_say_so():
    """A unit whose due stages mostly have no time (a Ringkas export) gets a line saying on how few
    stages its rate stands, instead of a bare 0,0 %."""

    from analytics.ledger.model import UnitFigures
    from analytics.ledger.read import LedgerMonth
    from ui.ledger_ui import unknown_note

    thin = UnitFigures(unit="Verifikator (Diskominfo)", unit_code="VERIFIKATOR", unit_kind="verifikator", due=63,
                       on_time=0, late=0, open_overdue=2, uncertain=0, unknown=61)
    fine = UnitFigures(unit="Dinas Kesehatan", unit_code="DINKES", unit_kind="opd", due=40, on_time=30, late=5,
                       open_overdue=0, uncertain=0, unknown=5)
    month = LedgerMonth(version=None, versions=(), units=(thin, fine), tiers=(("A", 85.0), ("B", 70.0)))
    assert unknown_note(month, {}, "id") == ("Tanpa waktu tercatat, tidak dinilai: Verifikator (Diskominfo) 61 dari "
                                             "63 tahap. Angka unit ini bertumpu pada sedikit tahap.")
    assert unknown_note(LedgerMonth(version=None, versions=(), units=(fine,), tiers=()), {}, "id") == ""
    assert month.tier(thin) is None  # 2 judged stages: no Kelas either
