"""The real SP4N-LAPOR! Kab. Bandung "Laporan Ringkas" export (2021-2024, taken 14 Nov 2025) read as
a leader would: it has receipt times and statuses, no dispatch or follow-up times. Nothing in it
can be judged on time or late, so nothing may read as "all well".
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from analytics import screens
from analytics.rules.periods import default_period
from analytics.rules.policy import load_policy
from analytics.store import status
from tests.app_fixtures import clear_caches, open_page
from tests.conftest import real_file

pytestmark = pytest.mark.realdata
POLICY = load_policy("sp4n-lapor")


@pytest.fixture(scope="module")
def bandung(tmp_path_factory):
    from analytics.importers.ingest import import_file
    from analytics.store import connect

    path = tmp_path_factory.mktemp("bandung") / "pantau.duckdb"
    con = connect(path)
    import_file(con, real_file("sp4n-lapor-kab-bandung", "laporan_ringkas_kab_bandung_2021_2024.xlsx"))
    con.close()
    return path


@pytest.fixture
def served_bandung(bandung, monkeypatch, tmp_path):
    """The dashboard (AppTest) on the Bandung store, open access; caches cleared around it."""
    users = tmp_path / "users.toml"
    users.write_text("[access]\nallow_open = true\n", encoding="utf-8")
    monkeypatch.setenv("PANTAU_DB", str(bandung))
    monkeypatch.setenv("PANTAU_USERS", str(users))
    clear_caches()
    yield bandung
    clear_caches()


def test_opens_on_the_datas_last_30_days_with_coverage_not_a_rate(bandung):
    con = duckdb.connect(str(bandung), read_only=True)
    try:
        fresh = status.freshness(con)
        period = default_period(fresh.latest_snapshot_at, POLICY.timezone, None, None, fresh.latest_received_at)
        assert period.end == date(2024, 12, 31)  # not the empty window ending 14 Nov 2025
        head = screens.headline_numbers(con, period, fresh.latest_snapshot_at, POLICY)
        follow = head.coverage.set_index("stage").loc["tindak_lanjut"]
        assert follow["absent"] > 0 and follow["reported"] + follow["estimated"] == 0
        assert head.units.on_time_pct is None  # never 100%, never 0%
        ov = screens.overview(con, period, fresh.latest_snapshot_at, POLICY)
        assert "tidak memuat waktu tindak lanjut" in ov.coverage.note("id")
        assert next(k.value for k in ov.kpis if k.metric == "on_time_rate") is None
    finally:
        con.close()


def test_ringkasan_and_peringkat_say_why_instead_of_all_well(served_bandung):
    try:
        for page in (None, "pages/peringkat.py"):
            at = open_page(page)
            assert not at.exception, at.exception
            text = "\n".join(str(e.value) for kind in ("markdown", "caption", "info", "warning", "success")
                             for e in getattr(at, kind))
            assert "Bagus" not in text
            assert "tidak memuat waktu tindak lanjut" in text, page
            assert "Volume kecil" not in text, page
    finally:
        clear_caches()


def test_open_past_the_respons_limit_is_a_real_figure_per_unit(bandung):
    """What one Ringkas export can judge exactly: complaints unanswered more than 8 working days
    after receipt (the respons stage), per unit; never added to the chain's Lewat batas."""
    con = duckdb.connect(str(bandung), read_only=True)
    try:
        fresh = status.freshness(con)
        at = fresh.latest_snapshot_at
        respons = screens.respons_now(con, at, POLICY, None)
        assert respons is not None and respons.limit_days == 8
        assert not respons.units.empty and respons.units["open_overdue"].min() > 0
        # Independently: complaints in an open status, with a unit and no response, received more
        # than 8 working days before the data moment (the export's last receipts are 13 months
        # before it, so every open one is past the limit).
        open_codes = ("menunggu_verifikasi", "menunggu_kelengkapan", "terverifikasi", "didisposisi")
        expected = con.execute(
            "SELECT count(*) FROM complaints WHERE status IN $open AND unit IS NOT NULL AND first_response_at IS NULL",
            {"open": list(open_codes)}).fetchall()[0][0]
        assert int(respons.units["open_overdue"].sum()) == expected > 0
        period = default_period(at, POLICY.timezone, None, None, fresh.latest_received_at)
        head = screens.headline_numbers(con, period, at, POLICY).as_dict()
        assert head["by_stage"]["respons"]["overdue_now"] == respons.total
        # Lewat batas counts the chain only: the verification stages overdue, not respons again.
        assert head["overdue_now"] == head["by_stage"]["verifikasi"]["overdue_now"]
        ov = screens.overview(con, period, at, POLICY)
        assert ov.respons is not None and ov.respons.total == respons.total
    finally:
        con.close()


def test_ringkasan_shows_the_respons_figure_first(served_bandung):
    try:
        at = open_page(None)
        assert not at.exception, at.exception
        captions = " ".join(str(c.value) for c in at.caption)
        assert "lebih dari 8 hari kerja sejak diterima" in captions
        titles = [str(h.value) for kind in ("header", "subheader", "markdown") for h in getattr(at, kind)]
        assert any("Belum ditanggapi melewati batas" in x for x in titles), titles
        assert not any("Terbaik" in x for x in titles)  # no empty best list
        links = [str(p.label) for p in at.get("page_link")]
        assert any("belum ditanggapi" in label for label in links), links
    finally:
        clear_caches()


def test_the_unit_page_of_a_ringkas_export_says_unanswered_not_zero_overdue(served_bandung):
    """Ringkasan's "Pemkab Bandung: N belum ditanggapi" link opens a page that shows the same N,
    not "Lewat batas 0" (its own stages cannot be judged without dispatch times)."""
    con = duckdb.connect(str(served_bandung), read_only=True)
    try:
        respons = screens.respons_now(con, status.freshness(con).latest_snapshot_at, POLICY, None)
    finally:
        con.close()
    top = respons.units.iloc[0]
    try:
        at = open_page("pages/unit.py", unit=str(top["group_code"]))
        assert not at.exception, at.exception
        cards = {str(m.label): str(m.value) for m in at.metric}
        label = next(k for k in cards if k.startswith("Belum ditanggapi"))
        assert cards[label] == str(int(top["open_overdue"])), cards
        assert "Lewat batas" not in cards  # 0 would read as "all well"
        warnings = " ".join(str(w.value) for w in at.warning)
        assert "tanpa waktu tidak dinilai" in warnings or "tidak memuat waktu" in warnings, warnings
    finally:
        clear_caches()
