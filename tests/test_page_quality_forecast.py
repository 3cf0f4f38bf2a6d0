"""Closure quality and the breach forecast where leaders look (issue 18), through AppTest:
Ringkasan's "Diperkirakan lewat batas minggu ini", the Unit page's open stages by risk and its
on-time rate without flagged complaints with the flagged cases, Peringkat's column and ⚑ mark.

Every number on the page is compared with a direct call of the analytics (analytics.metrics.
forecast.forecast, analytics.metrics.quality.quality_for) on the same store, made through the
app's own process-wide connection after the page ran (DuckDB keeps one configuration per file in
a process). A store whose units' stages cannot be judged (an SP4N "Laporan Ringkas" export: no
dispatch times) says in one line that nothing can be forecast, never 0.
"""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from analytics import screens
from analytics.metrics.forecast import forecast
from analytics.metrics.quality import quality_for
from analytics.metrics.registry import METRICS
from analytics.rules.periods import reference_day, resolve_period
from analytics.rules.policy import load_policy
from analytics.store import status
from tests.app_fixtures import clear_caches, demo_db, demo_file, empty_db  # noqa: F401 - pytest fixtures
from tests.app_fixtures import open_page as _page
from tests.conftest import real_file
from tests.helpers import template_csv
from ui import db
from ui import quality_ui as qu
from ui.fmt import fmt_int, fmt_num, fmt_pct
from ui.i18n import t

POLICY = load_policy("sp4n-lapor")
TZ = "Asia/Jakarta"
UNIT_PAGE, PERINGKAT = "pages/unit.py", "pages/peringkat.py"


def _all(at: AppTest, kind: str) -> list:
    found = []

    def walk(node) -> None:
        if getattr(node, "type", None) == kind:
            found.append(node)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def _texts(at: AppTest) -> list[str]:
    return [str(e.value) for kind in ("markdown", "caption", "info", "warning", "success") for e in getattr(at, kind)]


def _links(at: AppTest, word: str) -> list:
    return [link for link in _all(at, "page_link") if word in link.proto.label]


def _metric(at: AppTest, label: str) -> str:
    found = [m.value for m in at.metric if m.label == label]
    assert len(found) == 1, [m.label for m in at.metric]
    return found[0]


def _frame(at: AppTest, first_column: str, second_column: str) -> pd.DataFrame:
    found = [d.value for d in at.dataframe if list(d.value.columns[:2]) == [first_column, second_column]]
    assert len(found) == 1, [list(d.value.columns) for d in at.dataframe]
    return found[0]


def _moment() -> tuple:
    """(cursor, as_of, the default 30-day period) of the store the app has open."""
    con = db.connection().cursor()
    fresh = status.freshness(con)
    today = reference_day(fresh.latest_snapshot_at, TZ, fresh.latest_received_at)
    return con, fresh.latest_snapshot_at, resolve_period("30h", today)


# --- Ringkasan -----------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["id", "en"])
def test_ringkasan_forecast_panel_shows_the_forecasts_numbers(demo_db, lang):
    at = _page(lang=lang)
    assert not at.exception, at.exception
    con, as_of, _ = _moment()
    fc = forecast(con, as_of, POLICY)
    # The regency's total (the verifier's included, as Lewat batas) and the stages falling due.
    assert _metric(at, t("ringkasan.forecast.total", lang=lang)) == fmt_num(fc.expected_breaches, 1, lang=lang)
    assert _metric(at, t("ringkasan.forecast.due", lang=lang)) == fmt_int(int(fc.units["due_soon"].sum()), lang=lang)
    # The units most at risk, most first, each a link to its Unit page; the verifier has no page.
    units = fc.units[(fc.units["owner_kind"] == "unit") & (fc.units["expected_breaches"] >= 0.05)].head(screens.TOP_N)
    links = _links(at, {"id": "diperkirakan lewat batas", "en": "expected to breach"}[lang])
    assert 3 <= len(links) <= 5
    assert [link.proto.query_string for link in links] == [f"unit={code}" for code in units["unit_code"]]
    assert [link.proto.label.split(": ")[1].split(" ")[0] for link in links] == [
        fmt_num(v, 1, lang=lang) for v in units["expected_breaches"]]
    verifier = fc.units.loc[fc.units["owner_kind"] == "verifikator", "expected_breaches"].sum()
    assert t("ringkasan.forecast.verifier", lang=lang, n=fmt_num(verifier, 1, lang=lang)) in " ".join(_texts(at))


def test_ringkasan_forecast_comes_after_the_first_screen_answers(demo_db):
    """The headline, the two answer cards and the worst units stay first; the forecast follows
    the other two cards (it never pushes the answers down the phone's first screen)."""
    at = _page()
    assert not at.exception, at.exception
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["Tepat waktu (%)", "Lewat batas", "Aduan", "Median respons (hari kerja)"]
    assert labels[4:6] == [t("ringkasan.forecast.total", lang="id"), t("ringkasan.forecast.due", lang="id")]
    markdown = [m.value for m in at.markdown]
    assert markdown.index("**Terburuk**") < markdown.index(f"**{t('ringkasan.panel.forecast', lang='id')}**")
    links = [link.proto.label for link in _all(at, "page_link")]
    first_forecast = next(i for i, label in enumerate(links) if "diperkirakan lewat batas" in label)
    assert all("skor" in label for label in links[:first_forecast])  # only the worst units before it


# --- Unit ------------------------------------------------------------------------------------------


def test_unit_lists_its_open_stages_by_risk_capped_with_see_all(demo_db):
    at = _page(UNIT_PAGE, unit="DSDABMBK")
    assert not at.exception, at.exception
    con, as_of, _ = _moment()
    stages = forecast(con, as_of, POLICY, unit="DSDABMBK").stages
    stages = stages[stages["owner_kind"] == "unit"].reset_index(drop=True)
    assert len(stages) > 10  # the busiest OPD: enough to cap
    table = _frame(at, "ID aduan", "Peluang")
    assert list(table.columns) == ["ID aduan", "Peluang", "Batas waktu", "Tahap"]
    assert list(table["ID aduan"]) == list(stages["id"].head(10))
    assert list(table["Peluang"]) == [fmt_pct(p, 0) for p in stages["p_breach"].head(10)]
    assert table["Peluang"].str.fullmatch(r"\d{1,3}%").all()  # "72%"
    assert table["Batas waktu"].str.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}").all()
    mine = forecast(con, as_of, POLICY).units.set_index("unit_code").loc["DSDABMBK"]
    assert any(x.startswith(f"**{fmt_num(mine['expected_breaches'], 1)}** dari {fmt_int(mine['due_soon'])} tahap")
               for x in _texts(at))
    see_all = at.toggle(key="unit_risiko_semua")
    assert see_all.label == t("unit.forecast.all", lang="id", n=fmt_int(len(stages)))
    see_all.set_value(True).run()
    assert not at.exception, at.exception
    assert list(_frame(at, "ID aduan", "Peluang")["ID aduan"]) == list(stages["id"])


def test_unit_shows_its_rate_without_flagged_closures_and_the_cases(demo_db):
    at = _page(UNIT_PAGE, unit="DINSOS")  # the demo's unit answering at the deadline
    assert not at.exception, at.exception
    con, as_of, period = _moment()
    q = quality_for(con, period, as_of, POLICY, unit="DINSOS")
    row = q.units.set_index("unit_code").loc["DINSOS"]
    cards = {m.label: m.value for m in at.metric}
    assert cards["Tepat waktu (%)"] == fmt_pct(row["on_time_rate"]) == f"{row['on_time_pct']:.1f}%".replace(".", ",")
    assert cards[t("league.head.unflagged", lang="id")] == fmt_pct(row["on_time_rate_unflagged"])
    assert abs(row["on_time_pct"] - row["on_time_pct_unflagged"]) >= 5  # a gap worth a question
    texts = _texts(at)
    assert sum("bukan hukuman" in x for x in texts) == 1  # said once, in one caption
    assert any(x.startswith(f"**{fmt_int(row['flagged'])}** aduan bertanda") and "Mepet tenggat" in x for x in texts)
    cases = _frame(at, "ID aduan", "Tanda")
    assert list(cases["ID aduan"]) == list(q.cases["id"].head(10))
    assert list(cases["Tanda"]) == [", ".join(METRICS[s].label("id") for s in signals)
                                    for signals in q.cases["signals"].head(10)]
    at.toggle(key="unit_tanda_semua").set_value(True).run()
    assert not at.exception, at.exception
    assert list(_frame(at, "ID aduan", "Tanda")["ID aduan"]) == list(q.cases["id"])


def test_unit_in_english(demo_db):
    at = _page(UNIT_PAGE, unit="DINSOS", lang="en")
    assert not at.exception, at.exception
    subheaders = [s.value for s in at.subheader]
    assert "Breach risk this week" in subheaders and "Closure quality" in subheaders
    assert list(_frame(at, "Complaint ID", "Chance").columns) == ["Complaint ID", "Chance", "Deadline", "Stage"]
    assert list(_frame(at, "Complaint ID", "Signals").columns) == ["Complaint ID", "Signals"]
    assert "Unflagged" in [m.label for m in at.metric]
    assert any("never a penalty" in x for x in _texts(at))


# --- Peringkat -------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["id", "en"])
def test_peringkat_has_the_unflagged_rate_beside_the_on_time_rate_and_marks_a_gap(demo_db, lang):
    at = _page(PERINGKAT, lang=lang)
    assert not at.exception, at.exception
    assert not at.warning
    con, as_of, period = _moment()
    units = quality_for(con, period, as_of, POLICY).units.set_index("unit")
    on_time, unflagged = METRICS["on_time_rate"].label(lang), METRICS["on_time_pct_unflagged"].label(lang)
    table = at.dataframe[0].value
    columns = list(table.columns)
    assert columns.index(unflagged) == columns.index(on_time) + 1
    ranked = screens.league_for(con, by="opd", period=period, as_of=as_of, policy=POLICY).table
    ranked = ranked[ranked["ranked"]].reset_index(drop=True)
    assert list(table[unflagged]) == [fmt_pct(units["on_time_rate_unflagged"].get(u), lang=lang) for u in ranked["group"]]
    gap = (units["on_time_pct"] - units["on_time_pct_unflagged"]).abs().round(1) >= 5
    marked = [bool(gap.get(u, False)) for u in ranked["group"]]
    assert any(marked)  # the demo's deadline unit
    assert [cell.startswith(qu.FLAG) for cell in table[on_time]] == marked
    flagged = next(c.value for c in at.caption if c.value.startswith(qu.FLAG))
    for row in ranked[marked].itertuples():
        assert f"{row.short} {fmt_pct(row.on_time_rate, lang=lang)} → " in flagged


def test_peringkat_by_kecamatan_has_no_unit_quality(demo_db):
    at = _page(PERINGKAT, menurut="kecamatan")
    assert not at.exception, at.exception
    assert METRICS["on_time_pct_unflagged"].label("id") not in at.dataframe[0].value.columns


# --- nothing to forecast: a store whose units cannot be judged --------------------------------------


SNAPSHOT = pd.Timestamp("2025-11-20T12:00:00+07:00")


def _ringkas_row(cid: str, received: str, status: str, unit: str, resolved: str = "") -> str:
    """A row as an SP4N "Laporan Ringkas" export gives it: receipt and status, no dispatch or
    follow-up times."""
    return f"{cid},{received},,,,{resolved},{status},{unit},Cikarang Barat,,Jalan,Pengaduan,SP4N,,,,"


RINGKAS_ROWS = [
    _ringkas_row("R-1", "2025-11-03T09:00:00+07:00", "didisposisi", "Dinas Kesehatan"),
    _ringkas_row("R-2", "2025-11-04T09:00:00+07:00", "ditindaklanjuti", "Dinas Kesehatan"),
    _ringkas_row("R-3", "2025-11-05T09:00:00+07:00", "selesai", "Dinas Kesehatan", "2025-11-12T09:00:00+07:00"),
    _ringkas_row("R-4", "2025-11-06T09:00:00+07:00", "didisposisi", "Dinas Perhubungan"),
]


@pytest.fixture
def ringkas_db(tmp_path, monkeypatch):
    from analytics.importers.ingest import import_file
    from analytics.store import connect

    path = tmp_path / "pantau.duckdb"
    con = connect(path)
    import_file(con, template_csv(tmp_path / "ringkas.csv", RINGKAS_ROWS), region="kab-bekasi", snapshot_at=SNAPSHOT)
    con.close()
    users = tmp_path / "users.toml"
    users.write_text("[access]\nallow_open = true\n", encoding="utf-8")  # real (non-demo) data, no login
    monkeypatch.setenv("PANTAU_DB", str(path))
    monkeypatch.setenv("PANTAU_USERS", str(users))
    clear_caches()
    yield path
    clear_caches()


def _says_it_cannot_forecast(at: AppTest, lang: str = "id") -> None:
    assert not at.exception, at.exception
    texts = _texts(at)
    assert texts.count(t("ringkasan.forecast.none", lang=lang)) == 1
    labels = [m.label for m in at.metric]
    assert t("ringkasan.forecast.total", lang=lang) not in labels and t("ringkasan.forecast.due", lang=lang) not in labels
    assert not _links(at, "diperkirakan") and not _links(at, "expected to breach")
    assert not any("0,0" in x or "0.0" in x for x in texts)  # never a false 0


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_store_without_dispatch_times_says_it_cannot_forecast(ringkas_db, lang):
    at = _page(lang=lang)
    _says_it_cannot_forecast(at, lang)
    con, as_of, _ = _moment()
    fc = forecast(con, as_of, POLICY)
    assert fc.stages.empty and fc.expected_breaches == 0  # no open stage is timed: 0 is what a bare number would say


def test_its_unit_page_says_it_cannot_forecast_either(ringkas_db):
    at = _page(UNIT_PAGE, unit="DINKES")
    _says_it_cannot_forecast(at)
    assert t("unit.panel.quality", lang="id") in [s.value for s in at.subheader]


@pytest.mark.realdata
def test_the_real_sp4n_bandung_export_says_it_cannot_forecast(tmp_path, monkeypatch):
    from analytics.importers.ingest import import_file
    from analytics.store import connect

    path = tmp_path / "bdg.duckdb"
    con = connect(path)
    import_file(con, real_file("sp4n-lapor-kab-bandung", "laporan_ringkas_kab_bandung_2021_2024.xlsx"))
    con.close()
    users = tmp_path / "users.toml"
    users.write_text("[access]\nallow_open = true\n", encoding="utf-8")
    monkeypatch.setenv("PANTAU_DB", str(path))
    monkeypatch.setenv("PANTAU_USERS", str(users))
    clear_caches()
    try:
        _says_it_cannot_forecast(_page())
    finally:
        clear_caches()


# --- an empty store, the viewer's scope, the mark's threshold ----------------------------------------


@pytest.mark.parametrize("file", [None, UNIT_PAGE, PERINGKAT])
def test_no_exception_on_an_empty_store(empty_db, file):
    at = _page(file)
    assert not at.exception, at.exception
    assert not any(t("ringkasan.forecast.none", lang="id") in x for x in _texts(at))  # the first-run page only


def test_a_unit_viewers_rows_are_its_own_and_the_figures_stay_regency_wide(demo_db):
    _page()  # opens the app's connection on the demo store
    con, as_of, period = _moment()
    whole = screens.breach_forecast(con, as_of, POLICY)
    own = screens.breach_forecast(con, as_of, POLICY, unit_scope="DSDABMBK")
    assert set(own.forecast.stages["unit_code"]) == {"DSDABMBK"}
    pd.testing.assert_frame_equal(own.forecast.units, whole.forecast.units)
    assert own.expected == whole.expected and own.state == whole.state == "forecast"
    q = screens.closure_quality(con, period, as_of, POLICY, unit_scope="DINSOS")
    assert set(q.cases["unit_code"]) == {"DINSOS"}
    pd.testing.assert_frame_equal(q.units, quality_for(con, period, as_of, POLICY).units)


def test_the_mark_reads_the_rates_as_published():
    units = pd.DataFrame({"on_time_pct": [94.9, 94.9, 90.0, 80.0, None],
                          "on_time_pct_unflagged": [89.9, 90.0, 95.0, None, 70.0]})
    assert list(screens.quality_gap(units)) == [True, False, True, False, False]


def test_the_display_helpers_keep_rows_and_say_a_deadline_as_its_limit_counts():
    table = pd.DataFrame({"group": ["Dinas A", "Dinas B", "Dinas C"]})
    frame = pd.DataFrame({"Unit": ["A", "B", "C"], "Tepat waktu (%)": ["94,9%", "71,6%", "100,0%"], "Skor": ["1", "2", "3"]})
    units = pd.DataFrame({"unit": ["Dinas B", "Dinas A"], "on_time_rate_unflagged": [0.713, 0.852],
                          "on_time_pct": [71.6, 94.9], "on_time_pct_unflagged": [71.3, 85.2]})
    out = qu.league_with_quality(frame, table, units, screens.quality_gap(units), "id")
    assert list(out.columns) == ["Unit", "Tepat waktu (%)", "Tepat waktu tanpa aduan bertanda (%)", "Skor"]
    assert list(out["Tepat waktu (%)"]) == ["⚑ 94,9%", "71,6%", "100,0%"]  # matched by name, not by position
    assert list(out["Tepat waktu tanpa aduan bertanda (%)"]) == ["85,2%", "71,3%", "–"]  # C: not in the quality table
    assert qu.signal_words(("at_deadline", "ping_pong"), "en") == "At the deadline, Ping-pong"
    deadline = pd.Timestamp("2025-11-24 16:59:59.999999", tz="UTC")
    assert qu.deadline_text(deadline, 3.0, TZ, "id") == "24 Nov 2025"  # the end of that working day
    assert qu.deadline_text(pd.Timestamp("2025-11-21 03:05", tz="UTC"), float("nan"), TZ, "id") == "21 Nov 2025 10.05 WIB"
