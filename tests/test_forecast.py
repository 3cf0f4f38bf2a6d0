"""The breach forecast (analytics/metrics/forecast.py, docs/forecast.md) on histories small enough
to compute by hand, and the command that prints it.

Hand case, Kab. Bekasi, policy sp4n-lapor (tindak lanjut within 5 working days), October and
November 2025 (no holidays), as of Wed 19 Nov 2025 12.00 WIB (a working day, half of it gone),
every complaint received an hour before its dispatch (its verification: 0 working days):

    DINKES  ten follow-ups dispatched Mon 6 Oct 10.00, answered 1, 2, ..., 10 working days later
            X dispatched Fri 14 Nov, open: 3 working days so far, sits at 3 - ½ + ½·½ = 2,75
            Y dispatched Mon 17 Nov, open: 2 working days so far, at 1,75
            Z dispatched Mon 3 Nov, open past its deadline (Mon 10 Nov): 12 so far, at 11,75
    DISHUB  one answered after 2 working days (Thu 9 Oct), one on Saturday 11 Oct after 3 working
            days (an end on a day off counts half a day more: 3,5; it would be late for a 3-day limit)
            W dispatched Tue 18 Nov, open: 1 working day so far, at 0,75

DINKES's curve (Kaplan–Meier; events 1..10, censored at 1,75, 2,75 and 11,75; 13 at risk):
S(1) = 12/13, S(2) = 12/13·10/11 = 360/429, S(3) = ·8/9 = 320/429, S(4) = 280/429,
S(5) = 240/429, ..., S(10) = 40/429. Between k - ½ and k (inside working day k) S is read
linearly: S(2,75) = (360 + 320)/2/429 = 340/429, S(1,75) = (396 + 360)/2/429 = 378/429.
p_breach(X) = S(5)/S(2,75) = 240/340 = 12/17; p_breach(Y) = 240/378 = 40/63; both are due by
Wed 26 Nov (the 5th working day after 19 Nov), so DINKES expects 12/17 + 40/63 breaches.
With min_events = 10 DINKES has its own curve; DISHUB (2 ended) borrows the regency's.
"""

from __future__ import annotations

import argparse
import json
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from analytics import store
from analytics.cli import forecast as forecast_cli
from analytics.importers.ingest import import_file
from analytics.metrics.clock import policy_calendar
from analytics.metrics.forecast import (
    deadline_position,
    forecast,
    kaplan_meier,
    open_stage_risk,
    position,
    survival_at,
)
from analytics.rules.policy import load_policy
from tests.helpers import template_csv

TZ = "Asia/Jakarta"
AS_OF = pd.Timestamp("2025-11-19 12:00", tz=TZ)
OCT_WORKDAYS = ["07", "08", "09", "10", "13", "14", "15", "16", "17", "20"]  # 1st..10th after Mon 6 Oct


def _row(cid: str, unit: str, dispatched: str, response: str = "") -> str:
    d = pd.Timestamp(dispatched)
    received = (d - pd.Timedelta(hours=1)).isoformat()
    status = "ditindaklanjuti" if response else "didisposisi"
    return f"{cid},{received},,{d.isoformat()},{response},,{status},{unit},Cikarang Barat,,Jalan,Pengaduan,WA,,,,"


ROWS = [
    *[_row(f"K{i + 1}", "Dinas Kesehatan", "2025-10-06T10:00+07:00", f"2025-10-{day}T11:00+07:00")
      for i, day in enumerate(OCT_WORKDAYS)],
    _row("X", "Dinas Kesehatan", "2025-11-14T10:00+07:00"),
    _row("Y", "Dinas Kesehatan", "2025-11-17T10:00+07:00"),
    _row("Z", "Dinas Kesehatan", "2025-11-03T10:00+07:00"),
    _row("H1", "Dinas Perhubungan", "2025-10-07T10:00+07:00", "2025-10-09T11:00+07:00"),
    _row("H2", "Dinas Perhubungan", "2025-10-07T10:00+07:00", "2025-10-11T09:00+07:00"),  # a Saturday
    _row("W", "Dinas Perhubungan", "2025-11-18T10:00+07:00"),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("forecast") / "pantau.duckdb"
    c = store.connect(path)
    import_file(c, template_csv(path.parent / "hand.csv", ROWS), region="kab-bekasi",
                snapshot_at=AS_OF, now=AS_OF.to_pydatetime())
    yield c
    c.close()


@pytest.fixture(scope="module")
def policy():
    return load_policy("sp4n-lapor")


@pytest.fixture(scope="module")
def fc(con, policy):
    return forecast(con, AS_OF, policy, min_events=10)


def _f(n: int, d: int) -> float:
    return float(Fraction(n, d))


# --- The maths by hand ----------------------------------------------------------------------------


def test_kaplan_meier_by_hand():
    # Ten ended after 1..10 working days, two still open having lived past 1,75 and 2,75.
    time = np.array([*range(1, 11), 1.75, 2.75])
    event = np.array([True] * 10 + [False] * 2)
    t, s = kaplan_meier(time, event)
    assert t.tolist() == list(range(1, 11))
    expected = [Fraction(11, 12)]  # 12 at risk at 1
    for at_risk in (10, 8, 7, 6, 5, 4, 3, 2, 1):  # the censored leave after 1 and after 2
        expected.append(expected[-1] * Fraction(at_risk - 1, at_risk))
    assert s == pytest.approx([float(x) for x in expected])
    assert s[-1] == 0.0
    # Weights count rows: the same curve from grouped counts.
    t2, s2 = kaplan_meier(np.array([1, 1, 2]), np.array([True, False, True]), np.array([2, 1, 1]))
    assert t2.tolist() == [1, 2] and s2 == pytest.approx([2 / 4, 0.0])


def test_survival_is_a_step_on_the_half_day_grid_read_linearly_inside_a_working_day():
    t, s = np.array([1.0, 2.0, 3.5]), np.array([0.8, 0.6, 0.3])
    got = survival_at(t, s, np.array([0.0, 0.75, 1.0, 1.5, 1.75, 3.0, 3.5, 9.0]))
    # 0,75: between S(0,5) = 1 and S(1) = 0,8; 1,75: between S(1,5) = 0,8 and S(2) = 0,6; past the
    # last event the last value is carried.
    assert got == pytest.approx([1.0, 0.9, 0.8, 0.8, 0.7, 0.6, 0.3, 0.3])
    assert position(np.array([3, 3, 0]), np.array([True, False, True]), np.array([0.5, 0.5, 0.0])) == pytest.approx(
        [2.75, 3.0, -0.5])


def test_p_breach_where_the_curve_ends_and_beyond_every_history():
    unit = (np.array([1.0, 2.0]), np.array([0.5, 0.0]))  # every stage ended within 2 working days
    regency = (np.array([1.0, 4.0, 8.0]), np.array([0.8, 0.4, 0.2]))
    # Open at 1,5 on the unit's own curve: S(5)/S(1,5) = 0/0,5.
    p, basis = open_stage_risk(unit, np.array([1.5]), np.array([5.0]), regency)
    assert p.tolist() == [0.0] and basis.tolist() == [0]
    # Open at 3 (outlived the unit's every stage): the regency's curve, S(5)/S(3) = 0,4/0,8.
    p, basis = open_stage_risk(unit, np.array([3.0]), np.array([5.0]), regency)
    assert p == pytest.approx([0.5]) and basis.tolist() == [1]
    # Outlived the regency's too: 1, flagged.
    p, basis = open_stage_risk(unit, np.array([3.0]), np.array([5.0]), (np.array([1.0]), np.array([0.0])))
    assert p.tolist() == [1.0] and basis.tolist() == [2]


def test_a_deadline_instant_lies_where_the_clock_counts_it():
    cal = policy_calendar(load_policy("sp4n-lapor"))
    us = lambda t: np.array([pd.Timestamp(t, tz=TZ).tz_convert("UTC").value // 1000])  # noqa: E731
    start = us("2025-11-19 10:00")
    # 24 hours (lapor-aa-bekasi): Thu 20 Nov 10.00 is in the 1st working day, 10/24 of it gone.
    assert deadline_position(cal, TZ, start, us("2025-11-20 10:00")) == pytest.approx([0.5 + 0.5 * 10 / 24])
    # 5 working days: the end of Wed 26 Nov is exactly 5.
    assert deadline_position(cal, TZ, start, us("2025-11-26 23:59:59.999999")) == pytest.approx([5.0], abs=1e-12)
    # A deadline on Saturday 22 Nov: the days off after the 2nd working day.
    assert deadline_position(cal, TZ, start, us("2025-11-22 10:00")) == pytest.approx([2.0])


# --- The store: the same numbers through the SQL clock --------------------------------------------


def test_the_units_curve_is_the_hand_computed_one(fc):
    c = fc.curves[(fc.curves["unit_code"] == "DINKES") & (fc.curves["stage"] == "tindak_lanjut")]
    assert c["t"].tolist() == list(range(1, 11))
    hand = [Fraction(12, 13), Fraction(360, 429), Fraction(320, 429), Fraction(280, 429), Fraction(240, 429),
            Fraction(200, 429), Fraction(160, 429), Fraction(120, 429), Fraction(80, 429), Fraction(40, 429)]
    assert c["S"].tolist() == pytest.approx([float(x) for x in hand])
    h = fc.history.set_index(["unit_code", "stage"])
    assert h.loc[("DINKES", "tindak_lanjut"), ["events", "censored", "curve"]].tolist() == [10, 3, "unit"]
    assert h.loc[("DISHUB", "tindak_lanjut"), ["events", "censored", "curve"]].tolist() == [2, 1, "regency"]
    # The decided stages and the breaches (the naive rate the backtest compares with): K1..K10 and Z
    # decided; K6..K10 late and Z open past its deadline.
    assert h.loc[("DINKES", "tindak_lanjut"), ["decided", "breached"]].tolist() == [11, 6]
    assert fc.fallback_units == ("DISHUB",)


def test_open_stages_get_the_hand_computed_p_breach_and_the_overdue_is_counted_apart(fc):
    s = fc.stages.set_index("id")
    assert set(s.index) == {"X", "Y", "W"}  # Z is past its deadline: a breach already, not a forecast
    assert s.loc["X", "p_breach"] == pytest.approx(_f(12, 17))
    assert s.loc["Y", "p_breach"] == pytest.approx(_f(40, 63))
    assert s.loc[["X", "Y"], "curve"].tolist() == ["unit", "unit"]
    assert s.loc["X", "deadline"] == pd.Timestamp("2025-11-21 23:59:59.999999", tz=TZ)
    assert s.loc["X", "working_days_elapsed"] == 3 and s.loc["X", "limit_days"] == 5
    assert s["due_soon"].all()
    assert fc.window_end == pd.Timestamp("2025-11-26 23:59:59.999999", tz=TZ)
    assert fc.stages["p_breach"].is_monotonic_decreasing  # by risk
    u = fc.units.set_index("unit_code")
    assert u.loc["DINKES", "expected_breaches"] == pytest.approx(_f(12, 17) + _f(40, 63))
    assert u.loc["DINKES", ["open_stages", "due_soon", "overdue", "fallback"]].tolist() == [2, 2, 1, False]


def test_a_small_unit_borrows_the_regencys_curve(fc):
    # The regency's tindak lanjut: DINKES's and DISHUB's stages pooled; DISHUB's Saturday answer at
    # 3,5 (late for a limit of 3), its open W at 0,75.
    reg = fc.curves[(fc.curves["unit_code"] == "*") & (fc.curves["stage"] == "tindak_lanjut")]
    assert 3.5 in reg["t"].tolist()
    t, s = kaplan_meier(np.array([*range(1, 11), 2, 3.5, 1.75, 2.75, 11.75, 0.75]), np.array([True] * 12 + [False] * 4))
    assert reg["t"].tolist() == t.tolist() and reg["S"].tolist() == pytest.approx(s.tolist())
    w = fc.stages.set_index("id").loc["W"]
    assert w["curve"] == "regency"
    assert w["p_breach"] == pytest.approx(survival_at(t, s, 5.0) / survival_at(t, s, 0.75))
    assert fc.units.set_index("unit_code").loc["DISHUB", "fallback"]


def test_with_the_default_twenty_every_unit_borrows_and_one_unit_can_be_asked_for(con, policy):
    fc = forecast(con, AS_OF, policy)
    assert set(fc.stages["curve"]) == {"regency"}
    one = forecast(con, AS_OF, policy, min_events=10, unit="DISHUB")
    assert one.stages["id"].tolist() == ["W"] and one.units["unit_code"].tolist() == ["DISHUB"]
    # What was known then: a day earlier Y had not been dispatched, and K10's answer (20 Oct) was
    # still to come on 17 Oct: censored, not an event.
    early = forecast(con, pd.Timestamp("2025-10-17 12:00", tz=TZ), policy, min_events=1)
    h = early.history.set_index(["unit_code", "stage"]).loc[("DINKES", "tindak_lanjut")]
    assert (h["events"], h["censored"]) == (9, 1)
    # Nothing started in the last day: no curve speaks for the open stages, so no number either.
    bare = forecast(con, AS_OF, policy, history_days=1)
    assert bare.history.empty and set(bare.stages["curve"]) == {"none"} and bare.stages["p_breach"].isna().all()
    assert bare.expected_breaches == 0 and bare.units["open_stages"].sum() == 3


# --- The command ----------------------------------------------------------------------------------


def _run(capsys, db, *argv):
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command")
    forecast_cli.add_commands(sub, lambda p: p.add_argument("--db"))
    args = parser.parse_args(["forecast", "--db", str(db), *argv])
    assert forecast_cli.run(args) == 0
    return capsys.readouterr().out


def test_the_command_prints_json_and_an_indonesian_table(capsys, tmp_path):
    db = tmp_path / "pantau.duckdb"
    c = store.connect(db)
    import_file(c, template_csv(tmp_path / "hand.csv", ROWS), region="kab-bekasi", snapshot_at=AS_OF,
                now=AS_OF.to_pydatetime())
    c.close()
    out = json.loads(_run(capsys, db, "--format", "json", "--min-events", "10", "--as-of", "2025-11-19T12:00"))
    assert out["days"] == 5 and out["policy"] == "sp4n-lapor"
    dinkes = next(u for u in out["units"] if u["unit_code"] == "DINKES")
    assert {"unit", "unit_code", "open_stages", "expected_breaches"} <= set(dinkes)
    assert dinkes["unit"] == "Dinas Kesehatan Kabupaten Bekasi"
    assert dinkes["expected_breaches"] == pytest.approx(_f(12, 17) + _f(40, 63), abs=1e-3)
    assert [(s["id"], s["stage"], s["p_breach"]) for s in dinkes["stages"]] == [
        ("X", "tindak_lanjut", 0.7059), ("Y", "tindak_lanjut", 0.6349)]
    assert dinkes["stages"][0]["deadline"] == "2025-11-21T16:59:59.999999+00:00"
    text = _run(capsys, db, "--min-events", "10", "--as-of", "2025-11-19T12:00", "--unit", "DINKES")
    assert "Perkiraan lewat batas | data per 19 Nov 2025 12.00 WIB" in text
    assert "Diperkirakan lewat batas dalam 5 hari kerja: 1,3 dari 2 tahap" in text
    assert "70,6%" in text and "21 Nov 2025 23.59" in text


def test_an_hour_limit_is_judged_where_its_deadline_instant_lies(con):
    # lapor-aa-bekasi: tindak lanjut within 24 hours. As of Tue 18 Nov 12.00, W (dispatched 10.00 that
    # day) is due Wed 19 Nov 10.00: the 1st working day, 10/24 of it gone, at 0,5 + 0,5·10/24; as_of
    # lies at -½ + ½·½ = -0,25 (the start's own day).
    as_of = pd.Timestamp("2025-11-18 12:00", tz=TZ)
    fc = forecast(con, as_of, load_policy("lapor-aa-bekasi"), min_events=10)
    w = fc.stages.set_index("id").loc["W"]
    assert np.isnan(w["limit_days"]) and w["deadline"] == pd.Timestamp("2025-11-19 10:00", tz=TZ)
    reg = fc.curves[(fc.curves["unit_code"] == "*") & (fc.curves["stage"] == "tindak_lanjut")]
    t, s = reg["t"].to_numpy(), reg["S"].to_numpy()
    assert w["p_breach"] == pytest.approx(survival_at(t, s, 0.5 + 0.5 * 10 / 24) / survival_at(t, s, -0.25))
    assert 0 < w["p_breach"] < 1


def test_the_backtest_replays_what_was_known_and_scores_what_happened(con, policy):
    from benchmarks.forecast import backtest

    # The data's last receipt is Tue 18 Nov 09.00, so the last whole window starts Mon 10 Nov 12.00.
    # Then only Z is open and due (Mon 10 Nov 23.59), 5 working days old: at 4,75. DINKES's curve
    # then: events 1..10, Z censored at 4,75 (11 at risk): S(4) = 7/11, S(5) = 7/11·5/6 = 35/66,
    # S(4,75) = (42 + 35)/2/66; p = 35/38,5 = 10/11. Z was never answered: a breach.
    r = backtest(con, policy, n_moments=1, min_events=10)
    assert r["setting"]["moments"] == [pd.Timestamp("2025-11-10 12:00", tz=TZ).tz_convert("UTC").isoformat()]
    assert (r["stages_forecast"], r["breached"]) == (1, 1)
    assert r["mean_predicted"] == pytest.approx(_f(10, 11))
    assert r["brier"] == pytest.approx((1 - _f(10, 11)) ** 2)
    assert r["unit_mae"] == pytest.approx(1 - _f(10, 11)) and r["unit_bias"] == pytest.approx(_f(10, 11) - 1)
    assert [b["count"] for b in r["reliability"]][9] == 1


def test_a_first_export_with_nothing_ended_forecasts_nothing_rather_than_certain_breach(tmp_path, policy):
    """Complaints awaiting verification in a first export: no stage of that kind has ended, so no
    curve speaks for them: no number (not p = 1 for every one of them)."""
    from analytics import store
    from analytics.importers.ingest import import_file
    from tests.helpers import template_csv

    con = store.connect(tmp_path / "first.duckdb")
    try:
        rows = [f"N{i},2025-10-2{i % 3}T09:00+07:00,,,,,menunggu_verifikasi,,,,,,,,,," for i in range(6)]
        import_file(con, template_csv(tmp_path / "first.csv", rows), region="kab-bekasi",
                    snapshot_at=pd.Timestamp("2025-10-23 12:00", tz=TZ))
        fc = forecast(con, pd.Timestamp("2025-10-23 12:00", tz=TZ), policy)
    finally:
        con.close()
    assert len(fc.stages) == 6 and set(fc.stages["curve"]) == {"none"} and fc.stages["p_breach"].isna().all()
    assert fc.expected_breaches == 0
