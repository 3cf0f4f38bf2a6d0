"""metrics.league.unit_leagues (both unit leagues from one metric query per period, the Ringkasan path)
must give exactly what league_for(by="opd") and league_for(by="camat") give one at a time."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics import screens
from analytics.metrics.league import league_for, unit_leagues
from analytics.rules.periods import Period
from analytics.rules.policy import load_policy

TZ = "Asia/Jakarta"
END = pd.Timestamp("2025-11-20 12:00", tz=TZ)
AS_OF = END.tz_convert("UTC")


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    from analytics.demo.load import load_demo
    from analytics.store import connect

    path = tmp_path_factory.mktemp("unit-leagues") / "demo.duckdb"
    c = connect(path)
    load_demo(c, seed=11, months=4, rows=4000, end=END, out_dir=path.parent)
    # Edge cases the prefix split must survive: a unit name holding the separator, and a unit
    # of unknown kind (the OPD league keeps it, the camat league does not).
    first, second = [r[0] for r in c.execute(
        "SELECT unit FROM complaints WHERE unit IS NOT NULL GROUP BY unit ORDER BY count(*) DESC LIMIT 2").fetchall()]
    c.execute("UPDATE complaints SET unit = 'camat:' || unit WHERE unit = $u", {"u": first})
    c.execute("UPDATE complaints SET unit_kind = NULL WHERE unit = $u", {"u": second})
    yield c
    c.close()


def _assert_same(got, want):
    assert (got.by, got.period, got.previous, got.as_of, got.policy) == (want.by, want.period, want.previous,
                                                                        want.as_of, want.policy)
    pd.testing.assert_frame_equal(got.table, want.table)
    pd.testing.assert_series_equal(got.regency, want.regency)
    pd.testing.assert_series_equal(got.previous_regency, want.previous_regency)


PERIODS = {
    "two months": Period(date(2025, 9, 1), date(2025, 10, 31)),
    "all history (no previous data)": Period(date(2025, 7, 1), date(2025, 11, 20)),
    "before the data (empty)": Period(date(2020, 1, 1), date(2020, 1, 31)),
}


@pytest.mark.parametrize("name", PERIODS)
@pytest.mark.parametrize("policy", [None, "kota-bandung"])
def test_unit_leagues_equal_league_for_one_at_a_time(con, name, policy):
    period = PERIODS[name]
    opd, camat = unit_leagues(con, period=period, as_of=AS_OF, policy=load_policy(policy))
    _assert_same(opd, league_for(con, by="opd", period=period, as_of=AS_OF, policy=load_policy(policy)))
    _assert_same(camat, league_for(con, by="camat", period=period, as_of=AS_OF, policy=load_policy(policy)))


def test_unit_leagues_with_filters_and_the_edge_units(con):
    period = PERIODS["two months"]
    channel = con.execute("SELECT channel FROM complaints WHERE channel IS NOT NULL LIMIT 1").fetchone()[0]
    filters = {"channel": [channel]}
    opd, camat = unit_leagues(con, period=period, as_of=AS_OF, policy=load_policy(None), filters=filters)
    _assert_same(opd, league_for(con, by="opd", period=period, as_of=AS_OF, policy=load_policy(None), filters=filters))
    _assert_same(camat, league_for(con, by="camat", period=period, as_of=AS_OF, policy=load_policy(None), filters=filters))
    opd, camat = unit_leagues(con, period=period, as_of=AS_OF, policy=load_policy(None))
    # The renamed unit is still a whole name in its own league, and the unknown-kind unit is an OPD.
    assert any(g.startswith("camat:") for g in opd.table["group"]) or any(
        g.startswith("camat:") for g in camat.table["group"])
    kindless = con.execute("SELECT any_value(unit) FROM complaints WHERE unit_kind IS NULL AND unit IS NOT NULL"
                           ).fetchone()[0]
    assert kindless in set(opd.table["group"]) and kindless not in set(camat.table["group"])


def test_overview_uses_the_same_leagues(con):
    period = PERIODS["two months"]
    got = screens.overview(con, period, AS_OF, load_policy(None))
    _assert_same(got.league, league_for(con, by="opd", period=period, as_of=AS_OF, policy=load_policy(None)))
    _assert_same(got.camat, league_for(con, by="camat", period=period, as_of=AS_OF, policy=load_policy(None)))


def test_weekly_review_uses_the_same_leagues(con):
    got = screens.weekly_review(con, "2025-W40", AS_OF, load_policy(None))
    period = screens.iso_week("2025-W40")
    at = min(AS_OF, period.utc_bounds(TZ)[1] - pd.Timedelta(microseconds=1))
    _assert_same(got.opd, league_for(con, by="opd", period=period, as_of=at, policy=load_policy(None)))
    _assert_same(got.camat, league_for(con, by="camat", period=period, as_of=at, policy=load_policy(None)))
