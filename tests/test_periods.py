"""One Period: the comparison period a page names is the one its numbers use.

Before, the period buttons had their own Period ("Bulan ini" on 20 Nov compared with 1-20 Oct)
while the KPIs were computed against the 20 days before (12-31 Oct).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics import screens
from analytics.metrics.league import league_for
from analytics.rules.periods import Period, resolve_period
from analytics.rules.policy import load_policy
from tests.app_fixtures import DEMO_END, demo_db, demo_file, open_page  # noqa: F401 - pytest fixtures

NOV_20 = date(2025, 11, 20)  # a Thursday


@pytest.mark.parametrize(("preset", "start", "previous", "shift_days"), [
    ("bulan", date(2025, 11, 1), (date(2025, 10, 1), date(2025, 10, 20)), 31),
    ("minggu", date(2025, 11, 17), (date(2025, 11, 10), date(2025, 11, 13)), 7),
    ("30h", date(2025, 10, 22), (date(2025, 9, 22), date(2025, 10, 21)), 30),
])
def test_each_preset_names_its_comparison_and_judges_it_at_the_same_point(preset, start, previous, shift_days):
    p = resolve_period(preset, NOV_20)
    assert (p.start, p.end, p.preset) == (start, NOV_20, preset)
    assert (p.previous().start, p.previous().end) == previous
    as_of = DEMO_END.tz_convert("UTC")
    assert p.previous_as_of(as_of) == as_of - pd.Timedelta(days=shift_days)


def test_a_month_to_date_on_the_31st_compares_with_the_shorter_month():
    p = resolve_period("bulan", date(2025, 3, 31))
    assert (p.previous().start, p.previous().end) == (date(2025, 2, 1), date(2025, 2, 28))


def test_custom_and_cli_periods_compare_with_the_days_just_before():
    p = Period(date(2025, 6, 1), date(2025, 6, 30))
    assert (p.previous().start, p.previous().end) == (date(2025, 5, 2), date(2025, 5, 31))


def test_bulan_ini_numbers_compare_with_the_same_days_last_month(demo_db):
    """On 20 Nov, "Bulan ini": the KPIs' previous values are those of 1-20 Oct judged on 20 Oct,
    and the page's caption names 1-20 Oct."""
    import duckdb

    policy = load_policy(None)
    period = resolve_period("bulan", NOV_20)
    as_of = DEMO_END.tz_convert("UTC")
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        ov = screens.overview(con, period, as_of, policy)
        october = league_for(con, by="opd", period=Period(date(2025, 10, 1), date(2025, 10, 20)),
                             as_of=as_of - pd.Timedelta(days=31), policy=policy)
        twenty_days_before = league_for(con, by="opd", period=Period(date(2025, 10, 12), date(2025, 10, 31)),
                                        as_of=as_of - pd.Timedelta(days=20), policy=policy)
    finally:
        con.close()
    assert ov.league.previous == Period(date(2025, 10, 1), date(2025, 10, 20), "bulan")
    before = {k.metric: k.previous for k in ov.kpis}
    assert before["complaints"] == october.regency["complaints"]
    assert before["on_time_rate"] == pytest.approx(october.regency["on_time_rate"])
    # The old rule's numbers differ, so this test would have failed before the fix.
    assert before["complaints"] != twenty_days_before.regency["complaints"]

    at = open_page(None, periode="bulan")
    assert not at.exception, at.exception
    captions = [str(c.value) for c in at.caption]
    assert any("1 Okt 2025 – 20 Okt 2025" in c for c in captions), captions


def test_default_periods_end_on_the_datas_last_day():
    """The real Kab. Bandung export ends 31 Dec 2024 and was taken 14 Nov 2025: its default
    windows end on its last day, not on an empty November 2025."""
    from analytics.rules.periods import default_period, reference_day

    tz = "Asia/Jakarta"
    taken = pd.Timestamp("2025-11-14T10:00:00+07:00")
    last = pd.Timestamp("2024-12-31T16:00:00+07:00")
    assert reference_day(taken, tz, last) == date(2024, 12, 31)
    assert default_period(taken, tz, None, None, last) == Period(date(2024, 12, 2), date(2024, 12, 31))
    # Live data (a complaint this morning): the data moment's own day.
    assert reference_day(taken, tz, pd.Timestamp("2025-11-14T07:30:00+07:00")) == date(2025, 11, 14)
    assert reference_day(taken, tz, None) == date(2025, 11, 14)
    # An explicit --to wins.
    assert default_period(taken, tz, None, "2025-06-30", last).end == date(2025, 6, 30)
