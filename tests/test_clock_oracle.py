"""The SQL stage clock (analytics/metrics/clock_sql.py, run over frames by frame_metrics.stage_clock) against the former numpy
clock kept in tests/clock_oracle.py, row by row, on demo data roughened with the cases the demo
lacks: missing stage times under a status that shows them reached (unknown), estimated times,
hour limits, a policy with classification tiers, and a time zone with daylight saving."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from clock_oracle import oracle_stage_clock
from frame_metrics import stage_clock

from analytics.metrics.clock import OUTPUT_COLUMNS, policy_calendar
from analytics.rules.policy import load_policy
from analytics.rules.workcal import load_calendar

TZ = "Asia/Jakarta"
END = pd.Timestamp("2025-11-20 12:00", tz=TZ)


@pytest.fixture(scope="module")
def complaints(tmp_path_factory) -> pd.DataFrame:
    from analytics.demo.load import load_demo
    from analytics.store import connect
    from analytics.store.reads import complaints_received

    path = tmp_path_factory.mktemp("oracle") / "demo.duckdb"
    con = connect(path)
    load_demo(con, seed=5, months=8, rows=5000, end=END, out_dir=path.parent)
    df = complaints_received(con, None, None)
    con.close()
    rng = np.random.default_rng(11)
    n = len(df)
    # Status says "reached" but the time is gone: the clock must say unknown, not late.
    for col in ("dispatched_at", "first_response_at", "resolved_at", "verified_at"):
        gone = rng.random(n) < 0.03
        df.loc[gone, col] = pd.NaT
    for col, flag in (("verified_at", "verified_est"), ("dispatched_at", "dispatched_est"),
                      ("first_response_at", "first_response_est"), ("resolved_at", "resolved_est")):
        df[flag] = rng.random(n) < 0.1
        # Estimated times lie after a lower bound 0-4 days before them (some left unstored).
        after = df[col] - pd.to_timedelta(rng.integers(0, 96, n), unit="h")
        df[col.replace("_at", "_after")] = after.where(df[flag] & (rng.random(n) < 0.9))
    df.loc[rng.random(n) < 0.02, "status"] = pd.NA
    df.loc[rng.random(n) < 0.05, "classification"] = "Permintaan Informasi"
    df.loc[rng.random(n) < 0.05, "category"] = "Bencana"
    return df


def _same(sql: pd.DataFrame, oracle: pd.DataFrame) -> None:
    assert tuple(sql.columns) == OUTPUT_COLUMNS
    assert len(sql) == len(oracle) > 0
    for col in OUTPUT_COLUMNS:
        a, b = sql[col], oracle[col]
        if isinstance(a.dtype, pd.CategoricalDtype):
            assert a.astype("str").tolist() == b.astype("str").tolist(), col
        elif a.dtype.kind == "f":
            np.testing.assert_array_equal(a.to_numpy(), b.to_numpy(), err_msg=col)
        else:
            assert a.isna().tolist() == b.isna().tolist(), col
            assert (a[a.notna()] == b[b.notna()]).all(), col


@pytest.mark.parametrize("policy", ["sp4n-lapor", "lapor-aa-bekasi", "permenpan-62-2018", "kota-bandung"])
@pytest.mark.parametrize("as_of", ["2025-11-20 12:00", "2025-08-15 17:00"])
def test_sql_clock_matches_the_numpy_oracle(complaints, policy, as_of) -> None:
    pol = load_policy(policy)
    cal = policy_calendar(pol)
    at = pd.Timestamp(as_of, tz=TZ).tz_convert("UTC")
    sql, oracle = stage_clock(complaints, pol, cal, at), oracle_stage_clock(complaints, pol, cal, at)
    _same(sql, oracle)
    assert (sql["state"] == "unknown").any() and sql["estimated"].any()
    assert (sql["state"] == "uncertain").any() and (sql["state"] == "late").any()


@pytest.mark.parametrize("policy", ["sp4n-lapor", "lapor-aa-bekasi"])
def test_the_respons_stage_matches_the_oracle_and_is_asked_for_by_name(complaints, policy) -> None:
    from analytics.metrics.clock import ALL_STAGES

    pol = load_policy(policy)
    cal = policy_calendar(pol)
    at = pd.Timestamp("2025-11-20 12:00", tz=TZ).tz_convert("UTC")
    frame = complaints.copy()
    frame.loc[frame.index[::7], "unit"] = pd.NA  # not yet with a unit: the verifier owns its respons
    sql = stage_clock(frame, pol, cal, at, ALL_STAGES)
    oracle = oracle_stage_clock(frame, pol, cal, at, ("verifikasi", "tindak_lanjut", "penyelesaian", "respons"))
    _same(sql, oracle)
    respons = sql[sql["stage"] == "respons"]
    assert len(respons) == len(frame)  # every complaint, from its receipt
    assert set(respons["owner_kind"].astype("str")) == {"unit", "verifikator"}
    assert (respons["state"] == "on_time").any() and (respons["state"] == "late").any()
    # By default the chain only: respons overlaps it and is never added to it.
    assert "respons" not in set(stage_clock(frame, pol, cal, at)["stage"].astype("str"))


def test_hour_override_and_a_daylight_saving_zone(complaints, tmp_path: Path) -> None:
    path = tmp_path / "ny.toml"
    path.write_text(
        'name = "ny"\nlabel = "N"\ndescription = "d"\ntimezone = "America/New_York"\n'
        "[stages.verifikasi]\ndays = 2\n[stages.tindak_lanjut]\ndays = 5\n"
        '[stages.tindak_lanjut.categories]\n"Bencana" = { hours = 24 }\n'
        "[stages.penyelesaian]\nhours = 30.5\n",
        encoding="utf-8",
    )
    pol = load_policy(path)
    cal = load_calendar(range(2024, 2027), override_path=None)
    at = pd.Timestamp("2025-11-03 09:30", tz="America/New_York")  # the day after the DST change
    _same(stage_clock(complaints, pol, cal, at), oracle_stage_clock(complaints, pol, cal, at))


def test_dates_outside_the_calendar_are_refused(complaints) -> None:
    pol = load_policy("sp4n-lapor")
    short = load_calendar(range(2025, 2026), override_path=None)  # the data starts in 2025-03
    early = complaints.copy()
    early.loc[0, "received_at"] = pd.Timestamp("2024-12-30 10:00", tz="UTC")
    with pytest.raises(ValueError, match="outside the working-day calendar"):
        stage_clock(early, pol, short, END)
