"""The command-centre wall (pages/dinding.py, ui/wall.py) through AppTest: it draws every panel
from the pages' own numbers on the demo store, says "no data" on an empty store, shows what can be
judged on the real Kab. Bandung export (no false 0), keeps unit accounts out, and each tick reads
a fresh snapshot of the store through a cursor of its own that it closes."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import screens
from analytics.rules.periods import DEFAULT_PRESET, resolve_period
from analytics.rules.policy import load_policy
from tests.app_fixtures import DEMO_END, clear_caches, demo_db, demo_file, empty_db, open_page  # noqa: F401
from tests.conftest import real_file
from tests.role_fixtures import role_store, roles_db, run_as  # noqa: F401 - pytest fixtures
from ui import wall
from ui.i18n import t

WALL = "pages/dinding.py"
# In the order drawn: the map comes last, from a fragment of its own (ui.wall.map_tick); CSS shows
# one panel at a time, in the order of ui.wall.PANELS.
PANEL_TITLES = ["Hari ini", "Unit terburuk", "Pelanggaran terbaru", "Kesegaran data", "Peta lewat batas"]


def _texts(at) -> str:
    return "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "header", "subheader")
                     for e in getattr(at, kind))


@pytest.mark.parametrize(("value", "seconds"), [
    (None, 15.0), ("", 15.0), ("30", 30.0), ("1,5", 1.5), ("0.2", 1.0), ("-4", 1.0), ("nan", 15.0),
    ("inf", 15.0), ("1e9", 3600.0), ("<script>", 15.0), ("15 detik", 15.0),
])
def test_rotation_seconds_from_the_url(value, seconds):
    assert wall.rotation_seconds(value) == seconds


def test_panels_turn_in_order():
    assert [wall.panel_at(i) for i in range(7)] == [*wall.PANELS, *wall.PANELS[:2]]
    assert wall.day_label(pd.Timestamp("2026-12-06").date(), "id") == "Minggu, 6 Des 2026"


def test_the_wall_on_the_demo_store(demo_db):
    at = open_page(WALL, putar="20")
    assert not at.exception, at.exception
    assert [e.value for e in at.title] == ["Dinding"]  # kept for the tab and screen readers
    assert [h.value for h in at.header] == PANEL_TITLES  # every panel drawn; CSS shows one at a time
    assert not at.error and not at.warning  # no panel failed
    text = _texts(at)
    assert "**Kab. Bekasi**" in text and " WIB**" in text  # the regency and its time on top
    # Today's intake names the data's day (the store ends on 20 Nov 2025, not today) and Lewat batas
    # now is Ringkasan's card: the same call with the same arguments.
    cards = {m.label: m for m in at.metric}
    assert "Aduan masuk Kamis, 20 Nov 2025" in cards
    policy = load_policy(None)
    as_of = DEMO_END.tz_convert("UTC")
    period = resolve_period(DEFAULT_PRESET, DEMO_END.date())
    ov = screens.overview(_con(demo_db), period, as_of, policy)
    overdue = next(k for k in ov.kpis if k.metric == "open_overdue")
    assert cards["Lewat batas"].value == f"{int(overdue.value):,}".replace(",", ".")
    # The worst units are Ringkasan's worst list (the league Peringkat shows), worst first.
    opd = at.table[0].value
    assert list(opd["Unit"]) == list(ov.worst["opd"]["short"].head(wall.TOP_N))
    assert list(opd["\\#"]) == [str(r) for r in ov.worst["opd"]["rank"].head(wall.TOP_N)]
    # The map is Peta's deck; the breaches Pelanggaran's rows, newest deadline first, no personal data.
    assert len(at.get("deck_gl_json_chart")) == 1
    ids = list(at.table[2].value.iloc[:, 0])  # tables: OPD, camat, breaches, freshness
    assert ids and all(i.startswith("LAA") or "-" in i for i in ids)
    # Freshness: the demo store of 20 Nov 2025 is long stale, and the wall says so in red.
    assert "Data terlambat: demo" in text
    assert any(":red-badge[:material/warning:" in m.value for m in at.markdown)
    assert "● ○ ○ ○ ○ &nbsp; Hari ini" in text  # the first tick shows the first panel


def _con(path):
    from analytics.store import connect

    return connect(path)  # the same configuration as the app's connection in this process: shared


def test_the_wall_in_english(demo_db):
    at = open_page(WALL, lang="en")
    assert not at.exception
    assert [h.value for h in at.header] == ["Today", "Worst units", "Newest breaches", "Data freshness",
                                            "Overdue by area"]


def test_the_wall_on_an_empty_store(empty_db):
    at = open_page(WALL)
    assert not at.exception, at.exception
    assert [h.value for h in at.header] == [t("dinding.empty", lang="id")]
    assert not at.metric and not at.table


def test_a_unit_account_gets_a_message_not_the_wall(roles_db):
    at = run_as("dinkes@bekasikab.go.id", WALL)
    assert not at.exception
    assert [e.value for e in at.title] == ["Dinding"]
    assert t("dinding.unit_only", lang="id") in [i.value for i in at.info]
    assert not at.metric and not at.table and not at.header
    leader = run_as("bupati@bekasikab.go.id", WALL)
    assert not leader.exception and [h.value for h in leader.header] == PANEL_TITLES


@pytest.fixture(scope="module")
def bandung_file(tmp_path_factory):
    from analytics.importers.ingest import import_file
    from analytics.store import connect

    path = tmp_path_factory.mktemp("wall_bandung") / "pantau.duckdb"
    con = connect(path)
    import_file(con, real_file("sp4n-lapor-kab-bandung", "laporan_ringkas_kab_bandung_2021_2024.xlsx"))
    con.close()
    return path


@pytest.mark.realdata
def test_the_real_bandung_export_shows_what_can_be_judged(bandung_file, monkeypatch, tmp_path):
    """Its units' stages cannot be judged (no dispatch times): the wall shows the complaints
    unanswered past the limit, as Ringkasan does, never a Lewat batas of 0."""
    users = tmp_path / "users.toml"
    users.write_text("[access]\nallow_open = true\n", encoding="utf-8")
    monkeypatch.setenv("PANTAU_DB", str(bandung_file))
    monkeypatch.setenv("PANTAU_USERS", str(users))
    clear_caches()
    try:
        at = open_page(WALL)
    finally:
        clear_caches()
    assert not at.exception, at.exception
    assert not at.error and [w.icon for w in at.warning] == [":material/lock_open:"]  # served without login
    labels = [m.label for m in at.metric]
    assert "Belum ditanggapi melewati batas" in labels and "Lewat batas" not in labels
    assert [h.value for h in at.header] == ["Hari ini", "Belum ditanggapi melewati batas", "Pelanggaran terbaru",
                                            "Kesegaran data", "Peta aduan"]
    text = _texts(at)
    assert "ekspor ini tidak memuat waktu disposisi" in text
    assert "Data terlambat: SP4N-LAPOR!" in text  # an export of 2024 read today


def test_each_tick_reads_a_fresh_snapshot_and_closes_its_cursor(demo_file, tmp_path, monkeypatch):
    """The page's cursor is a frozen snapshot; a tick's own context sees an import made after it,
    and its cursor is closed when the tick ends (dashboard.py's end_run runs after full runs only)."""
    import shutil

    import duckdb

    from analytics.security.access import Viewer
    from analytics.store import status
    from ui import db

    path = tmp_path / "pantau.duckdb"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("PANTAU_DB", str(path))
    clear_caches()
    try:
        page = db.cursor()  # what page_frame holds for the whole run
        before = page.execute("SELECT count(*) FROM import_batches").fetchall()[0][0]
        version = status.data_version(page)
        db.write(lambda cur: cur.execute(
            "INSERT INTO import_batches SELECT batch_id + 100, file_name, sha256, format, 'lapor-aa-bupati', agency, "
            "region, snapshot_at + INTERVAL 1 DAY, rows_read, rows_new, rows_updated, rows_unchanged, "
            "rows_quarantined, rows_duplicate, imported_at, report_json FROM import_batches"))
        with wall.fresh_context("id", Viewer("pimpinan")) as ctx:
            tick_con = ctx.con
            assert ctx.as_of == DEMO_END.tz_convert("UTC") + pd.Timedelta(days=1)
            assert ctx.data_version != version  # the key of the tick's cached reads moves on
            assert ctx.con.execute("SELECT count(*) FROM import_batches").fetchall()[0][0] == 2 * before
        assert page.execute("SELECT count(*) FROM import_batches").fetchall()[0][0] == before  # still frozen
        with pytest.raises(duckdb.Error):
            tick_con.execute("SELECT 1").fetchall()  # closed at the end of the tick
        page.close()
    finally:
        clear_caches()


def test_the_soak_reports_growth_per_hour_after_the_warm_up():
    """benchmarks/wall.py: the least-squares slope over the samples after WARMUP_MIN, per hour,
    judged against TARGET_MB_PER_H; `python -m benchmarks` leaves the soak out unless asked."""
    from benchmarks import wall as soak
    from benchmarks.__main__ import parse_args

    minutes = [0, 1, 2, 3, 4, 5]
    assert soak.slope_per_hour(minutes, [500, 400, 100, 101, 102, 103]) == pytest.approx(60.0)  # warm-up left out
    assert soak.slope_per_hour(minutes, [1, 2, 3, None, None, None]) is None  # too few samples after it
    verdict = soak.judge({"js_heap_mb": 3.0, "renderer_mb": 80.0, "server_mb": None})
    assert [(v["status"], v["result"]) for v in verdict] == [("PASS", "+3.0 MiB/h"), ("MISS", "+80.0 MiB/h"),
                                                              ("n/a", "–")]
    assert parse_args([]).wall_minutes == 0
    assert parse_args(["--wall-minutes", "30"]).wall_minutes == 30
    with pytest.raises(SystemExit):
        parse_args(["--wall-minutes", "2"])
