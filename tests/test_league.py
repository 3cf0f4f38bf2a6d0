"""Group metrics on a hand-computed frame, and the league/breaches outputs on the demo data
recomputed with plain pandas + numpy business days (an independent code path)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from frame_metrics import group_metrics, stage_clock

from analytics.metrics.clock import policy_calendar
from analytics.rules.policy import load_policy

TZ = "Asia/Jakarta"
AS_OF = pd.Timestamp("2025-06-20 12:00", tz=TZ)


def _t(s: str | None) -> pd.Timestamp:
    return pd.Timestamp(s, tz=TZ).tz_convert("UTC") if s else pd.NaT


def _frame(rows: list[dict]) -> pd.DataFrame:
    base = {"source": "t", "classification": pd.NA, "category": pd.NA, "channel": pd.NA, "kecamatan": "Setu",
            "kecamatan_code": "32.16.18", "rating": np.nan, "redispatch_count": 0, "verified_at": pd.NaT,
            "first_response_at": pd.NaT, "resolved_at": pd.NaT}
    df = pd.DataFrame([{**base, **r} for r in rows])
    for c in ("received_at", "verified_at", "dispatched_at", "first_response_at", "resolved_at"):
        df[c] = pd.to_datetime(df[c], utc=True).astype("datetime64[us, UTC]")
    for c in ("source", "source_id", "status", "unit", "unit_code", "unit_kind", "kecamatan", "kecamatan_code",
              "classification", "category", "channel"):
        df[c] = df[c].astype("str")
    return df


@pytest.fixture(scope="module")
def hand():
    x = {"unit": "Dinas X", "unit_code": "DX", "unit_kind": "opd"}
    rows = [
        {**x, "source_id": "c1", "received_at": _t("2025-06-02 09:00"), "dispatched_at": _t("2025-06-02 10:00"),
         "first_response_at": _t("2025-06-03 10:00"), "status": "ditindaklanjuti"},
        {**x, "source_id": "c2", "received_at": _t("2025-06-02 09:00"), "dispatched_at": _t("2025-06-02 10:00"),
         "first_response_at": _t("2025-06-16 10:00"), "resolved_at": _t("2025-06-17 10:00"), "status": "selesai",
         "rating": 2.0},
        {**x, "source_id": "c3", "received_at": _t("2025-06-02 09:00"), "dispatched_at": _t("2025-06-02 10:00"),
         "status": "didisposisi"},
        {**x, "source_id": "c4", "received_at": _t("2025-06-18 09:00"), "dispatched_at": _t("2025-06-18 10:00"),
         "status": "didisposisi"},
        {**x, "source_id": "c5", "received_at": _t("2025-06-13 09:00"), "dispatched_at": _t("2025-06-13 10:00"),
         "status": "didisposisi", "redispatch_count": 2},
        # A "Laporan Ringkas" complaint: closed, no stage times recorded.
        {"unit": "Kecamatan Setu", "unit_code": "KEC-321618", "unit_kind": "camat", "source_id": "c6",
         "received_at": _t("2025-06-02 09:00"), "dispatched_at": pd.NaT, "status": "selesai"},
    ]
    df = _frame(rows)
    pol = load_policy("sp4n-lapor")
    cal = policy_calendar(pol)
    clock = stage_clock(df, pol, cal, AS_OF.tz_convert("UTC"))
    return df, clock, cal


def test_unit_metrics_by_hand(hand):
    df, clock, cal = hand
    m = group_metrics(df, clock, "opd", AS_OF.tz_convert("UTC"), cal, TZ).set_index("group").loc["Dinas X"]
    # c1 on time; c2 late (deadline end of 11 Jun: 6 Jun Idul Adha, 9 Jun cuti bersama); c3 overdue;
    # c4 open (due 25 Jun); c5 due 20 Jun = as_of's date -> at risk.
    assert (m.complaints, m.on_time, m.late, m.open_overdue, m.at_risk, m.open) == (5, 1, 1, 1, 1, 1)
    assert m.decided == 3 and m.on_time_rate == pytest.approx(1 / 3)
    # response working days: c1 2->3 Jun = 1; c2 2->16 Jun = 8 (3,4,5,10,11,12,13,16).
    assert m.median_response_days == 4.5 and m.p90_response_days == pytest.approx(1 + 0.9 * 7)
    # not resolved: c1 (responded, still open) and c3 (2 Jun -> 20 Jun: 12 wd), c4 (2 wd), c5 (5 wd).
    assert (m.backlog_0_5, m.backlog_6_10, m.backlog_11_20, m.backlog_over_20) == (2, 0, 2, 0)
    assert m.completion_rate == pytest.approx(1 / 5) and m.mean_rating == 2.0 and m.redispatches == 2


def test_unrecorded_stage_is_unknown_not_late(hand):
    df, clock, cal = hand
    m = group_metrics(df, clock, "camat", AS_OF.tz_convert("UTC"), cal, TZ).set_index("group").loc["Kecamatan Setu"]
    assert (m.on_time, m.late, m.open_overdue, m.decided) == (0, 0, 0, 0)
    assert m.unknown == 1 and np.isnan(m.on_time_rate) and np.isnan(m.median_response_days)


def test_verifier_and_area_groupings(hand):
    df, clock, cal = hand
    v = group_metrics(df, clock, "verifikator", AS_OF.tz_convert("UTC"), cal, TZ).iloc[0]
    # Five dispatched within an hour (on time); c6 dispatched at an unrecorded time (unknown).
    assert (v.on_time, v.unknown, v.decided) == (5, 1, 5)
    area = group_metrics(df, clock, "kecamatan", AS_OF.tz_convert("UTC"), cal, TZ)
    assert area["group"].tolist() == ["Setu"] and area["complaints"][0] == 6


# ---- demo data against an independent plain-pandas recomputation -----------------------------

@pytest.fixture(scope="module")
def demo_con(tmp_path_factory):
    from analytics.demo.load import load_demo
    from analytics.store import connect

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    con = connect(path)
    load_demo(con, seed=3, months=6, rows=6000, end=pd.Timestamp("2025-11-20 12:00", tz=TZ),
              out_dir=path.parent)
    yield con
    con.close()


def _plain_tindak_lanjut(df: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    import holidays

    years = range(2023, 2027)
    hol = holidays.country_holidays("ID", years=years, categories=("public", "government"))
    cal = np.busdaycalendar(weekmask="1111100", holidays=np.array(sorted(hol), dtype="datetime64[D]"))
    d = df[df["dispatched_at"].notna() & (df["dispatched_at"] <= as_of)].copy()
    start_day = d["dispatched_at"].dt.tz_convert(TZ).dt.tz_localize(None).to_numpy().astype("datetime64[D]")
    # the 5th working day after the start's local date, counted as numpy does it
    due_day = np.busday_offset(np.busday_offset(start_day, 0, roll="backward", busdaycal=cal), 5, busdaycal=cal)
    due_day = np.where(np.is_busday(start_day, busdaycal=cal), due_day,
                       np.busday_offset(start_day, 4, roll="forward", busdaycal=cal))
    deadline = pd.to_datetime(due_day + np.timedelta64(1, "D")).tz_localize(TZ).tz_convert("UTC") - pd.Timedelta("1us")
    ended = d["first_response_at"].notna() & (d["first_response_at"] <= as_of)
    fr = d["first_response_at"]
    d["state"] = np.select(
        [ended & (fr <= deadline), ended & (fr > deadline), ~ended & (as_of > deadline)],
        ["on_time", "late", "open_overdue"], default="other")
    return d


def test_demo_league_matches_plain_pandas(demo_con):
    from analytics.metrics.league import league_for
    from analytics.rules.periods import Period

    as_of = pd.Timestamp("2025-11-20 12:00", tz=TZ).tz_convert("UTC")
    period = Period(pd.Timestamp("2025-09-01").date(), pd.Timestamp("2025-10-31").date())
    league = league_for(demo_con, by="opd", period=period, as_of=as_of, policy=load_policy("sp4n-lapor"), lens="received")
    lo, hi = period.utc_bounds(TZ)
    df = demo_con.execute("SELECT * FROM complaints WHERE received_at >= $lo AND received_at < $hi",
                          {"lo": lo.to_pydatetime(), "hi": hi.to_pydatetime()}).df()
    plain = _plain_tindak_lanjut(df[df["unit_kind"] != "camat"], as_of)
    expected = plain.groupby("unit")["state"].value_counts().unstack(fill_value=0)
    got = league.table.set_index("group")
    assert len(got) == len(expected)
    for unit, row in expected.iterrows():
        for state in ("on_time", "late", "open_overdue"):
            assert got.loc[unit, state] == row.get(state, 0), (unit, state)
    rate = expected["on_time"] / (expected["on_time"] + expected["late"] + expected["open_overdue"])
    np.testing.assert_allclose(got.loc[rate.index, "on_time_rate"], rate)
    # complaints per unit: plain count of rows with that unit, all statuses
    counts = df[df["unit_kind"] != "camat"].groupby("unit").size()
    assert (got.loc[counts.index, "complaints"] == counts).all()


def test_demo_breaches_match_plain_pandas(demo_con):
    from analytics.metrics.breaches import breaches_for
    from analytics.rules.periods import Period

    as_of = pd.Timestamp("2025-11-20 12:00", tz=TZ).tz_convert("UTC")
    period = Period(pd.Timestamp("2025-09-01").date(), pd.Timestamp("2025-10-31").date())
    b = breaches_for(demo_con, period=period, as_of=as_of, policy=load_policy("sp4n-lapor"), stage="tindak_lanjut",
                     lens="received")
    lo, hi = period.utc_bounds(TZ)
    df = demo_con.execute("SELECT * FROM complaints WHERE received_at >= $lo AND received_at < $hi",
                          {"lo": lo.to_pydatetime(), "hi": hi.to_pydatetime()}).df()
    plain = _plain_tindak_lanjut(df, as_of)
    want = set(plain.loc[plain["state"].isin(["late", "open_overdue"]), "source_id"])
    got = set(b.loc[b["state"].isin(["late", "open_overdue"]), "id"])
    assert got == want and len(want) > 0
    assert b["working_days_over"].is_monotonic_decreasing


@pytest.mark.parametrize("by", ["opd", "camat", "kecamatan", "verifikator"])
def test_store_league_equals_the_league_over_frames(demo_con, by):
    """metrics.league.league_for runs the metric SQL inside the store; compute_league runs it over
    frames loaded with complaints_received. Same complaints, same numbers, same order."""
    from frame_metrics import compute_league

    from analytics.metrics.league import league_for
    from analytics.metrics.ranking import load_ranking_settings
    from analytics.rules.periods import Period
    from analytics.store.reads import complaints_received

    as_of = pd.Timestamp("2025-11-20 12:00", tz=TZ).tz_convert("UTC")
    period = Period(pd.Timestamp("2025-10-01").date(), pd.Timestamp("2025-10-31").date())
    pol = load_policy("lapor-aa-bekasi")
    store = league_for(demo_con, by=by, period=period, as_of=as_of, policy=pol, lens="received")
    frames = compute_league(
        complaints_received(demo_con, *period.utc_bounds(TZ)),
        complaints_received(demo_con, *period.previous().utc_bounds(TZ)),
        by=by, period=period, as_of=as_of, policy=pol, cal=policy_calendar(pol), settings=load_ranking_settings(),
    )
    got, want = store.table.drop(columns="short"), frames.table
    assert len(got) > 0
    pd.testing.assert_frame_equal(got, want)
    pd.testing.assert_series_equal(store.regency, frames.regency, check_names=False)
    pd.testing.assert_series_equal(store.previous_regency, frames.previous_regency, check_names=False)


def test_store_trend_and_breaches_equal_their_frame_versions(demo_con):
    """weekly_trend and breaches_for run in the store; over frames the same functions must
    give the same rows (the one clock and metric SQL either way)."""
    from frame_metrics import weekly_trend as frame_weekly_trend

    from analytics.metrics.breaches import breaches, breaches_for
    from analytics.metrics.summary import weekly_trend
    from analytics.rules.periods import Period
    from analytics.store.reads import complaints_received

    as_of = pd.Timestamp("2025-11-20 12:00", tz=TZ).tz_convert("UTC")
    window = Period(pd.Timestamp("2025-08-25").date(), pd.Timestamp("2025-11-16").date())
    pol = load_policy("sp4n-lapor")
    frame = complaints_received(demo_con, *window.utc_bounds(TZ))
    want = frame_weekly_trend(frame, pol, policy_calendar(pol), as_of)
    assert len(want) == 12
    pd.testing.assert_frame_equal(weekly_trend(demo_con, window, as_of, pol, lens="received"), want)

    got = breaches_for(demo_con, period=window, as_of=as_of, policy=pol, lens="received")
    plain = breaches(stage_clock(frame, pol, policy_calendar(pol), as_of))
    assert len(got) == len(plain) > 0
    key = ["id", "stage"]
    got_sorted = got.sort_values(key).reset_index(drop=True)
    plain_sorted = plain.rename(columns={"source_id": "id"}).sort_values(key).reset_index(drop=True)
    for col in ("state", "deadline", "started_at", "ended_at", "unit_code", "kecamatan", "received_at"):
        pd.testing.assert_series_equal(got_sorted[col], plain_sorted[col], check_dtype=False)
    np.testing.assert_array_equal(got_sorted["working_days_over"], plain_sorted["working_days_over"])
