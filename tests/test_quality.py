"""Closure quality (analytics/metrics/quality.py, docs/metrics.md "Closure quality"): each signal on
a hand-made store, the on-time rate without flagged complaints by hand, the thresholds file, the
`quality` command's JSON.

Every store is Kab. Bekasi under sp4n-lapor (follow-up within 5 working days) unless a test says
otherwise, in November 2025 (no holidays), judged as of Thu 20 Nov 2025 12.00 WIB. Mon 3 Nov ->
the follow-up is due at the end of Mon 10 Nov (4, 5, 6, 7, 10 Nov).
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics import store
from analytics.cli import quality as quality_cli
from analytics.cli.main import _add_db
from analytics.importers.ingest import import_file
from analytics.metrics.league import league_for, league_rows
from analytics.metrics.quality import (
    CASE_COLUMNS,
    QUALITY_METRICS,
    SIGNALS,
    UNIT_COLUMNS,
    QualitySettings,
    in_bursts,
    load_quality_settings,
    quality_for,
)
from analytics.metrics.registry import METRICS
from analytics.rules.periods import Period
from analytics.rules.policy import load_policy
from tests.helpers import template_csv

TZ = "Asia/Jakarta"
AS_OF = pd.Timestamp("2025-11-20 12:00", tz=TZ)
NOVEMBER = Period(date(2025, 11, 1), date(2025, 11, 30))
DOCS = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"


def _row(cid: str, opd: str, *, dispatched: str = "2025-11-03T09:00", response: str = "", resolved: str = "",
         status: str = "", rating: str = "", redispatch: str = "", received: str = "2025-11-03T08:00") -> str:
    t = lambda v: f"{v}+07:00" if v else ""  # noqa: E731
    return (f"{cid},{t(received)},,{t(dispatched)},{t(response)},{t(resolved)},{status},{opd},Cikarang Barat,,"
            f"Jalan,Pengaduan,WA,,,{rating},{redispatch}")


def _store(tmp_path: Path, snapshots: list[tuple[str, list[str]]]):
    """A store from one template CSV per snapshot (local time of each export, its rows)."""
    con = store.connect(tmp_path / "pantau.duckdb")
    for i, (when, rows) in enumerate(snapshots):
        # A line naming the snapshot: the same bytes twice would be "already imported".
        day = f"Z{i}," + _row("", "Dinas Pendidikan").split(",", 1)[1]
        import_file(con, template_csv(tmp_path / f"s{i}.csv", [*rows, day]), region="kab-bekasi",
                    snapshot_at=pd.Timestamp(when, tz=TZ), now=pd.Timestamp(when, tz=TZ).to_pydatetime())
    return con


def _quality(con, **kw):
    return quality_for(con, kw.pop("period", NOVEMBER), kw.pop("as_of", AS_OF), load_policy(kw.pop("policy", None)),
                       **kw)


def _flagged(q, signal: str) -> set[str]:
    return set(q.cases.loc[q.cases[signal], "id"])


def _unit(q, code: str) -> pd.Series:
    return q.units.set_index("unit_code").loc[code]


def test_a_reopen_is_seen_across_two_snapshots_and_only_once_the_later_one_is_in(tmp_path):
    """R1 closed on Tue 4 Nov, open again in Thursday's export; R2 stays closed; R3 closes normally."""
    con = _store(tmp_path, [
        ("2025-11-04 12:00", [_row("R1", "Dinas Kesehatan", response="2025-11-03T10:00", resolved="2025-11-04T09:00"),
                              _row("R2", "Dinas Kesehatan", response="2025-11-03T10:00", resolved="2025-11-04T09:00"),
                              _row("R3", "Dinas Kesehatan", response="2025-11-03T10:00")]),
        ("2025-11-06 12:00", [_row("R1", "Dinas Kesehatan", response="2025-11-03T10:00", status="ditindaklanjuti"),
                              _row("R2", "Dinas Kesehatan", response="2025-11-03T10:00", resolved="2025-11-04T09:00"),
                              _row("R3", "Dinas Kesehatan", response="2025-11-03T10:00", resolved="2025-11-05T09:00")]),
    ])
    try:
        q = _quality(con)
        assert _flagged(q, "reopened") == {"R1"}
        assert _unit(q, "DINKES")["reopened"] == 1 and _unit(q, "DINKES")["resolved"] == 3
        assert q.cases.set_index("id").loc["R1", "signals"] == ("reopened",)
        # Judged before Thursday's export, the store did not know it yet.
        assert _flagged(_quality(con, as_of=pd.Timestamp("2025-11-05 12:00", tz=TZ)), "reopened") == set()
    finally:
        con.close()


def _burst(prefix: str, opd: str, start: str, offsets: list[int], field: str = "resolved") -> list[str]:
    t0 = pd.Timestamp(start)
    times = [(t0 + timedelta(seconds=s)).strftime("%Y-%m-%dT%H:%M:%S") for s in offsets]
    if field == "resolved":
        return [_row(f"{prefix}{i:02}", opd, response="2025-11-04T09:00", resolved=t) for i, t in enumerate(times)]
    return [_row(f"{prefix}{i:02}", opd, response=t) for i, t in enumerate(times)]


def test_bulk_closures_count_reported_times_only_and_a_near_miss_is_not_one(tmp_path):
    """Default: 10 complaints of one unit within 10 minutes, both ends included."""
    every_minute = [60 * i for i in range(10)]
    just_inside = [*range(0, 540, 60), 600]   # the 10th exactly 10 minutes after the first
    just_outside = [*range(0, 540, 60), 601]  # ... one second later
    estimated = [_row(f"E{i:02}", "Dinas Sosial", response="2025-11-04T09:00", status="ditindaklanjuti")
                 for i in range(12)]
    con = _store(tmp_path, [
        ("2025-11-04 12:00", estimated),
        ("2025-11-06 12:00", [
            *_burst("B", "Dinas Kesehatan", "2025-11-05 10:00:05", every_minute),
            *_burst("I", "Dinas Lingkungan Hidup", "2025-11-05 10:00:05", just_inside),
            *_burst("N", "Dinas Perhubungan", "2025-11-05 10:00:05", just_outside),
            *_burst("H", "Dinas Kependudukan dan Pencatatan Sipil", "2025-11-05 11:00:00", [0] * 10),
            *_burst("A", "Satuan Polisi Pamong Praja", "2025-11-04 14:00:30", [20 * i for i in range(10)], "response"),
            # Seen answered on Tuesday, closed by Thursday: the closure time is Thursday's export
            # (estimated), the same instant for all twelve, and no sign of a batch.
            *[_row(f"E{i:02}", "Dinas Sosial", response="2025-11-04T09:00", status="selesai") for i in range(12)],
        ]),
    ])
    try:
        assert con.execute("SELECT count(*) FROM complaints WHERE source_id LIKE 'E%' AND resolved_est").fetchall() \
            == [(12,)]
        q = _quality(con)
        bulk = {code: int(_unit(q, code)["bulk_closed"]) for code in ("DINKES", "DLH", "DISHUB", "DINSOS",
                                                                     "DISDUKCAPIL", "SATPOLPP")}
        assert bulk == {"DINKES": 10, "DLH": 10, "DISHUB": 0, "DINSOS": 0, "DISDUKCAPIL": 0, "SATPOLPP": 10}
        # Exactly on the hour reads as a time the source rounded (a date-only 00:00:00); counted
        # when the setting says so.
        q = _quality(con, settings=replace(load_quality_settings(), bulk_skip_on_the_hour=False))
        assert _unit(q, "DISDUKCAPIL")["bulk_closed"] == 10
        # Eleven within the window is still the same burst; nine is not one.
        q = _quality(con, settings=replace(load_quality_settings(), bulk_min_complaints=11))
        assert _unit(q, "DINKES")["bulk_closed"] == 0
        assert _unit(_quality(con, unit="DINKES"), "DINKES")["bulk_closed"] == 10
    finally:
        con.close()


def test_in_bursts_by_hand():
    """n = 3 within 10: ties in any order, groups apart, both ends of the window included."""
    group = np.array([1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 3])
    t = np.array([0, 4, 10, 21, 50, 5, 5, 5, 0, 11, 22])
    assert in_bursts(group, t, 3, 10).tolist() == [True, True, True, False, False,
                                                   True, True, True, False, False, False]
    assert in_bursts(group, t, 3, 21).tolist()[8:] == [False, False, False]
    assert in_bursts(group, t, 3, 22).tolist()[8:] == [True, True, True]
    assert in_bursts(np.array([]), np.array([]), 3, 10).tolist() == []
    # Against the definition itself, on random small cases: some window [s, s + w] starting at an
    # event of the group holds the event and at least n events.
    rng = np.random.default_rng(18)
    for _ in range(200):
        m = int(rng.integers(0, 30))
        order = np.lexsort((t := rng.integers(0, 40, m), g := rng.integers(0, 3, m)))
        g, t, n, w = g[order], t[order], int(rng.integers(2, 6)), int(rng.integers(0, 12))
        same = [g == g[i] for i in range(m)]
        expected = [any((same[i] & (t >= s) & (t <= s + w)).sum() >= n for s in t[same[i] & (t <= t[i]) & (t >= t[i] - w)])
                    for i in range(m)]
        assert in_bursts(g, t, n, w).tolist() == expected


def test_ping_pong_through_unit_changes_across_snapshots_and_redispatch_counts(tmp_path):
    """P goes Dinkes -> Dishub -> Dinkes; Q moves once; M three times; U returns to a name the
    registry does not know (by name: it has no code); X's source counts 3 redispatches, Y's 2."""
    path = {"P": ["Dinas Kesehatan", "Dinas Perhubungan", "Dinas Kesehatan", "Dinas Kesehatan"],
            "Q": ["Dinas Kesehatan", "Dinas Perhubungan", "Dinas Perhubungan", "Dinas Perhubungan"],
            "M": ["Dinas Kesehatan", "Dinas Perhubungan", "Dinas Lingkungan Hidup", "Dinas Sosial"],
            "U": ["Dinas Entah", "Badan Entah", "Dinas Entah", "Dinas Entah"]}
    days = ["2025-11-03 12:00", "2025-11-05 12:00", "2025-11-07 12:00", "2025-11-11 12:00"]
    snapshots = [(day, [*(_row(cid, units[i]) for cid, units in path.items()),
                        _row("X", "Dinas Kesehatan", redispatch="3"), _row("Y", "Dinas Kesehatan", redispatch="2")])
                 for i, day in enumerate(days)]
    con = _store(tmp_path, snapshots)
    try:
        q = _quality(con)
        assert _flagged(q, "ping_pong") == {"P", "M", "U", "X"}
        # Each under the unit it has now, as the league counts it.
        by_id = q.cases.set_index("id")
        assert by_id.loc["P", "unit_code"] == "DINKES" and by_id.loc["M", "unit_code"] == "DINSOS"
        assert by_id.loc["U", "unit"] == "Dinas Entah" and pd.isna(by_id.loc["U", "unit_code"])
        # Before the third export, P had only left Dinkes; M had moved once.
        early = _quality(con, as_of=pd.Timestamp("2025-11-06 12:00", tz=TZ))
        assert _flagged(early, "ping_pong") == {"X"}
    finally:
        con.close()


def _rated(tmp_path):
    """Dinkes, dispatched Mon 3 Nov (follow-up due Mon 10 Nov): L1 on time, resolved, rated 1; L2
    on time, rated 5; L3 late (Wed 12 Nov), rated 4; L4 never answered (open past the deadline);
    L5 on time, not resolved, rated 1; L6 on time, resolved, rated 3."""
    return _store(tmp_path, [("2025-11-14 12:00", [
        _row("L1", "Dinas Kesehatan", response="2025-11-04T10:00", resolved="2025-11-05T10:00", rating="1"),
        _row("L2", "Dinas Kesehatan", response="2025-11-04T10:00", resolved="2025-11-05T10:00", rating="5"),
        _row("L3", "Dinas Kesehatan", response="2025-11-12T10:00", resolved="2025-11-13T10:00", rating="4"),
        _row("L4", "Dinas Kesehatan"),
        _row("L5", "Dinas Kesehatan", response="2025-11-04T10:00", rating="1"),
        _row("L6", "Dinas Kesehatan", response="2025-11-04T10:00", resolved="2025-11-05T10:00", rating="3"),
    ])])


def test_low_rating_after_close_and_the_on_time_rate_without_flagged_complaints_by_hand(tmp_path):
    con = _rated(tmp_path)
    try:
        q = _quality(con)
        assert _flagged(q, "low_rating_after_close") == {"L1"}  # L5 was rated 1 but is not resolved
        dinkes = _unit(q, "DINKES")
        assert dinkes["resolved"] == 4 and dinkes["flagged"] == 1
        # Follow-ups due in November: L1, L2, L5, L6 on time, L3 late, L4 open past the deadline.
        assert (dinkes["decided"], dinkes["on_time"], dinkes["on_time_pct"]) == (6, 4, 66.7)
        # Without L1's stage: L2, L5, L6 on time of L2, L3, L4, L5, L6.
        assert (dinkes["decided_unflagged"], dinkes["on_time_unflagged"], dinkes["on_time_pct_unflagged"]) == (5, 3, 60.0)
        # The league's own figure, by the same formula.
        league = league_rows(league_for(con, by="opd", period=NOVEMBER, as_of=AS_OF, policy=load_policy(None)))
        assert league.set_index("unit_code").loc["DINKES", "on_time_pct"] == 66.7
        q = _quality(con, settings=replace(load_quality_settings(), rating_low=3))
        assert _flagged(q, "low_rating_after_close") == {"L1", "L6"}
    finally:
        con.close()


def test_at_the_deadline_against_the_units_own_pace(tmp_path):
    """Dispatched Mon 3 Nov 10.00, due at the end of Mon 10 Nov (place 5; Tue 4 Nov is place 1).
    Dinkes: 12 answers on Mon 10 Nov, 2 on Tue 4 Nov, 2 late (Wed 12 Nov): final 12 against an
    expected 2 / 4 = 0,5 -> flagged. Dishub: 4, 3, 2, 1 on Tue-Fri and 2 on the last day. DLH:
    6 a day Tue-Fri and 10 on the last day: 10 is not twice its pace of 6."""
    def answers(prefix: str, opd: str, per_day: dict[str, int]) -> list[str]:
        out = []
        for day, n in per_day.items():
            out += [_row(f"{prefix}{day[-2:]}{i:02}", opd, dispatched="2025-11-03T10:00",
                         response=f"{day}T{8 + i % 8:02}:{(7 * i) % 60:02}") for i in range(n)]
        return out

    con = _store(tmp_path, [("2025-11-14 12:00", [
        *answers("A", "Dinas Kesehatan", {"2025-11-10": 12, "2025-11-04": 2, "2025-11-12": 2}),
        *answers("B", "Dinas Perhubungan", {"2025-11-04": 4, "2025-11-05": 3, "2025-11-06": 2, "2025-11-07": 1,
                                            "2025-11-10": 2}),
        *answers("C", "Dinas Lingkungan Hidup", {"2025-11-04": 6, "2025-11-05": 6, "2025-11-06": 6, "2025-11-07": 6,
                                                 "2025-11-10": 10}),
    ])])
    try:
        q = _quality(con)
        a, b, c = (_unit(q, code) for code in ("DINKES", "DISHUB", "DLH"))
        assert (a["deadline_final"], a["deadline_expected"], a["deadline_unit"], a["at_deadline"]) == (12, 0.5, True, 12)
        assert (b["deadline_final"], b["deadline_expected"], b["deadline_unit"], b["at_deadline"]) == (2, 2.5, False, 0)
        assert (c["deadline_final"], c["deadline_expected"], c["deadline_unit"], c["at_deadline"]) == (10, 6.0, False, 0)
        assert _flagged(q, "at_deadline") == {f"A10{i:02}" for i in range(12)}
        # 14 of 16 on time; without the twelve last-day answers, 2 of 4.
        assert (a["on_time_pct"], a["on_time_pct_unflagged"]) == (87.5, 50.0)
        # A lower ratio catches DLH too (10 >= 1,5 x 6).
        q = _quality(con, settings=replace(load_quality_settings(), deadline_ratio=1.5))
        assert _unit(q, "DLH")["at_deadline"] == 10
    finally:
        con.close()


def test_at_the_deadline_counts_working_days_whatever_the_limit(tmp_path):
    """A 96-hour limit from Mon 3 Nov 10.00 ends Fri 7 Nov 10.00: 4 working days, Friday the final
    one. Dinkes answers 10 on Friday morning, Dishub 10 on Tuesday. Under 24 hours (lapor-aa-bekasi)
    the window holds one working day and nothing is judged: its hours are mostly night, and "the
    next morning" would be its last hours."""
    policy = tmp_path / "empat-hari.toml"
    policy.write_text('name = "empat-hari"\nlabel = "96 jam"\ndescription = "uji"\n'
                      '[stages.tindak_lanjut]\nhours = 96\n', encoding="utf-8")
    con = _store(tmp_path, [("2025-11-14 12:00", [
        *(_row(f"A{i}", "Dinas Kesehatan", dispatched="2025-11-03T10:00", response=f"2025-11-07T0{i % 3 + 7}:{i:02}")
          for i in range(10)),
        *(_row(f"B{i}", "Dinas Perhubungan", dispatched="2025-11-03T10:00", response=f"2025-11-04T{8 + i}:00")
          for i in range(10)),
        *(_row(f"C{i}", "Dinas Sosial", dispatched="2025-11-03T10:00", response="2025-11-04T09:00")
          for i in range(10)),
    ])])
    try:
        q = _quality(con, policy=str(policy))
        assert (_unit(q, "DINKES")["deadline_final"], _unit(q, "DINKES")["at_deadline"]) == (10, 10)
        assert _unit(q, "DISHUB")["deadline_expected"] == pytest.approx(10 / 3) and _unit(q, "DISHUB")["at_deadline"] == 0
        q = _quality(con, policy="lapor-aa-bekasi")  # Dinsos answered the next morning, 23 hours on
        assert q.units["deadline_final"].sum() == 0 and q.units["at_deadline"].sum() == 0
    finally:
        con.close()


def test_the_thresholds_file_and_the_registry():
    s = load_quality_settings()
    assert s == QualitySettings()  # data/quality.toml holds the documented defaults
    assert (s.bulk_min_complaints, s.bulk_window_minutes, s.deadline_min_final, s.deadline_ratio) == (10, 10.0, 10, 2.0)
    text = DOCS.read_text(encoding="utf-8")
    for name in QUALITY_METRICS:
        assert name in METRICS and f"`{name}`" in text, name
    assert {*SIGNALS, "on_time_pct_unflagged"} <= set(UNIT_COLUMNS)


def test_a_bad_thresholds_file_names_the_key(tmp_path):
    bad = tmp_path / "q.toml"
    bad.write_text("[bulk]\nmin_complaint = 5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bulk.min_complaint"):
        load_quality_settings(bad)
    bad.write_text("[bulk]\nmin_complaints = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="min_complaints >= 2"):
        load_quality_settings(bad)


def _cli(args: list[str]) -> int:
    parser = argparse.ArgumentParser()
    quality_cli.add_commands(parser.add_subparsers(dest="command", required=True), _add_db)
    return quality_cli.run(parser.parse_args(["quality", *args]))


def test_the_quality_command(tmp_path, capsys):
    con = _rated(tmp_path)
    con.close()
    db = str(tmp_path / "pantau.duckdb")
    common = ["--db", db, "--from", "2025-11-01", "--to", "2025-11-30", "--as-of", "2025-11-20T12:00+07:00"]
    assert _cli([*common, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"as_of", "from", "to", "policy", "unit", "thresholds", "units"} <= set(out)
    dinkes = next(u for u in out["units"] if u["unit_code"] == "DINKES")
    assert set(dinkes) == {"unit", "unit_code", "resolved", "reopened", "bulk_closed", "at_deadline", "ping_pong",
                           "low_rating_after_close", "on_time_pct", "on_time_pct_unflagged", "cases"}
    assert (dinkes["resolved"], dinkes["low_rating_after_close"], dinkes["on_time_pct"],
            dinkes["on_time_pct_unflagged"]) == (4, 1, 66.7, 60.0)
    assert dinkes["cases"] == [{"id": "L1", "source": "pantau", "signals": ["low_rating_after_close"]}]
    assert _cli([*common, "--unit", "Dinas Kesehatan Kabupaten Bekasi", "--format", "json"]) == 0
    assert [u["unit_code"] for u in json.loads(capsys.readouterr().out)["units"]] == ["DINKES"]
    assert _cli(common) == 0
    table = capsys.readouterr().out
    assert "Kualitas penutupan" in table and "Rating rendah setelah selesai" in table and "66,7" in table
    assert "Aduan bertanda: 1" in table and "L1" in table


def test_the_frames_have_their_columns_on_an_empty_period(tmp_path):
    con = _rated(tmp_path)
    try:
        q = _quality(con, period=Period(date(2025, 9, 1), date(2025, 9, 30)), as_of=pd.Timestamp("2025-09-30 12:00", tz=TZ))
        assert q.units.empty and q.cases.empty
        assert list(q.units.columns) == list(UNIT_COLUMNS) and list(q.cases.columns) == list(CASE_COLUMNS)
    finally:
        con.close()
