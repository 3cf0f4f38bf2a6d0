"""The demo regency's planted habits (analytics/demo/habits.py) show in the closure-quality
signals a leader reads, each at the unit it was planted in, and not elsewhere."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import store
from analytics.demo.load import load_demo
from analytics.metrics.quality import quality_for
from analytics.rules.periods import Period
from analytics.rules.policy import load_policy

END = pd.Timestamp("2025-11-20 12:00", tz="Asia/Jakarta")


@pytest.fixture(scope="module")
def units(tmp_path_factory):
    folder = tmp_path_factory.mktemp("habits")
    con = store.connect(folder / "demo.duckdb")
    try:
        load_demo(con, seed=7, months=12, rows=20_000, end=END, out_dir=folder / "demo")
        q = quality_for(con, Period(pd.Timestamp("2025-05-21").date(), END.date()), END, load_policy("sp4n-lapor"))
    finally:
        con.close()
    return q.units.set_index("unit_code")


def test_each_habit_shows_at_its_unit(units):
    assert units.loc["DLH", "bulk_closed"] >= 24  # a dozen at a time, about monthly
    assert units.loc["DINSOS", "at_deadline"] >= 50
    assert units.loc["DISHUB", "ping_pong"] >= 10
    share = units["low_rating_after_close"] / units["resolved"]
    assert share["PDAM"] > 3 * share.drop("PDAM").median()


def test_other_units_stay_clean_and_the_rate_without_flags_tells_the_story(units):
    others = units.drop(["DLH", "DINSOS", "DISHUB", "PDAM"])
    assert others["bulk_closed"].sum() == 0 and others["at_deadline"].sum() == 0
    dinsos = units.loc["DINSOS"]
    assert dinsos["on_time_pct"] - dinsos["on_time_pct_unflagged"] >= 5  # a good rate that is not all real
