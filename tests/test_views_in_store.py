"""The page views compute in the store (one row per group back, not the period's complaints).
Over frames loaded with complaints_received, the same one metric/clock definition (league.
group_metrics, sla.stage_clock) and plain pandas must give the same tables, as the pages had
them before the work moved into DuckDB."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from frame_metrics import group_metrics, stage_clock

from analytics import screens
from analytics.metrics.clock import policy_calendar
from analytics.rules.periods import Period
from analytics.rules.policy import load_policy
from analytics.store.reads import complaints_received

TZ = "Asia/Jakarta"
AS_OF = pd.Timestamp("2025-11-20 12:00", tz=TZ).tz_convert("UTC")
PERIOD = Period(date(2025, 9, 1), date(2025, 10, 31))


@pytest.fixture(scope="module")
def demo_con(tmp_path_factory):
    from analytics.demo.load import load_demo
    from analytics.store import connect

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = connect(path)
    load_demo(con, seed=5, months=4, rows=5000, end=pd.Timestamp("2025-11-20 12:00", tz=TZ), out_dir=path.parent)
    yield con
    con.close()


def _frames(con, period, filters=None, policy="sp4n-lapor"):
    pol = load_policy(policy)
    cal = policy_calendar(pol)
    cur = complaints_received(con, *period.utc_bounds(pol.timezone), filters)
    return cur, stage_clock(cur, pol, cal, AS_OF), cal, pol


def test_map_view_equals_the_frame_computation(demo_con):
    cur, clock, cal, pol = _frames(demo_con, PERIOD)
    got = screens.map_view(demo_con, PERIOD, AS_OF, load_policy("sp4n-lapor"), lens="received")
    pd.testing.assert_frame_equal(got.kecamatan, group_metrics(cur, clock, "kecamatan", AS_OF, cal, pol.timezone))
    desa = cur[cur["desa_code"].notna()].groupby(["desa_code", "desa"]).size().rename("complaints").reset_index()
    assert len(desa) > 0
    pd.testing.assert_frame_equal(got.desa, desa, check_dtype=False)
    placed = cur.loc[cur["lat"].notna() & cur["lon"].notna(), ["lat", "lon", "kecamatan", "status"]]
    pd.testing.assert_frame_equal(got.points, placed.reset_index(drop=True))
    assert got.unplaced == int(cur["kecamatan_code"].isna().sum())


def test_map_points_are_capped_in_store_order(demo_con, monkeypatch):
    monkeypatch.setattr(screens, "POINTS_LIMIT", 7)
    cur, *_ = _frames(demo_con, PERIOD)
    got = screens.map_view(demo_con, PERIOD, AS_OF, load_policy(None))
    placed = cur.loc[cur["lat"].notna() & cur["lon"].notna(), ["lat", "lon", "kecamatan", "status"]]
    pd.testing.assert_frame_equal(got.points, placed.head(7).reset_index(drop=True))


@pytest.mark.parametrize(("dims", "filters"), [
    (("category",), None),
    (("unit", "week"), None),
    (("kecamatan", "month"), {"channel": ["WhatsApp", "Website"]}),
    (("classification",), {"unit_kind": ["camat"]}),
])
def test_analysis_table_equals_the_frame_computation(demo_con, dims, filters):
    cur, clock, cal, pol = _frames(demo_con, PERIOD, filters, "lapor-aa-bekasi")
    assert not cur.empty
    want = group_metrics(cur, clock, dims, AS_OF, cal, pol.timezone)
    got = screens.analysis_table(demo_con, PERIOD, AS_OF, load_policy("lapor-aa-bekasi"), filters, dims, lens="received")
    assert len(got) > 1
    pd.testing.assert_frame_equal(got, want)


def test_analysis_table_is_empty_without_complaints_and_refuses_bad_dims(demo_con):
    got = screens.analysis_table(demo_con, PERIOD, AS_OF, load_policy(None), {"unit": ["no such unit"]}, ("category",))
    assert got.empty and list(got.columns) == []
    with pytest.raises(ValueError, match="group by one or two"):
        screens.analysis_table(demo_con, PERIOD, AS_OF, load_policy(None), None, ("category", "unit", "week"))


def test_unit_view_equals_the_frame_computation(demo_con):
    from analytics.metrics.breaches import breaches

    busiest = demo_con.execute("SELECT unit_code FROM complaints GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").fetchall()
    got = screens.unit_view(demo_con, busiest[0][0], PERIOD, AS_OF, load_policy("sp4n-lapor"))
    cur, _, *_ = _frames(demo_con, PERIOD, {"unit": [got.unit]})
    # Open breaches are the now lens: every complaint of the unit received by as_of, any period.
    _, history, *_ = _frames(demo_con, Period(date(2015, 1, 1), AS_OF.date()), {"unit": [got.unit]})
    b = breaches(history, ("open_overdue", "at_risk"))
    want_b = b[b["owner_kind"] == "unit"].reset_index(drop=True)
    assert len(want_b) > 0
    pd.testing.assert_frame_equal(got.open_breaches, want_b)
    assert got.overdue_now == int((want_b["state"] == "open_overdue").sum())
    for col, table in (("category", got.categories), ("channel", got.channels)):
        want = cur.groupby(col, dropna=False).size().rename("complaints").reset_index()
        pd.testing.assert_frame_equal(table, want.sort_values("complaints", ascending=False).reset_index(drop=True),
                                      check_dtype=False)
    placed = cur.loc[cur["lat"].notna() & cur["lon"].notna(), ["source_id", "lat", "lon", "status"]]
    assert len(placed) > 0
    pd.testing.assert_frame_equal(got.points, placed.reset_index(drop=True))
    # Another unit's viewer: the same figures, none of the rows.
    other = screens.unit_view(demo_con, busiest[0][0], PERIOD, AS_OF, load_policy("sp4n-lapor"), unit_scope="SOMEONE-ELSE")
    assert other.rows_hidden and other.points.empty and other.open_breaches.empty
    pd.testing.assert_frame_equal(other.categories, got.categories)
