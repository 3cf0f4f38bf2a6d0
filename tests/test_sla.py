"""The per-stage SLA clock, on hand-counted cases around Lebaran and 17 Agustus 2025.

Days off used below (SKB 2025): Fri 28 Mar - Mon 7 Apr except weekends already counted (Nyepi,
Idul Fitri and cuti bersama), Fri 18 Apr (Good Friday), Fri 6 Jun (Idul Adha), Mon 9 Jun and
Mon 18 Aug (cuti bersama).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from frame_metrics import stage_clock

from analytics.metrics.clock import OUTPUT_COLUMNS, STAGES, STATES, policy_calendar
from analytics.rules.model import STAGE_TIMES
from analytics.rules.policy import load_policy
from analytics.rules.workcal import load_calendar

WIB = "Asia/Jakarta"
CAL = load_calendar(range(2024, 2027), override_path=None)
SP4N = load_policy("sp4n-lapor")


def T(stamp: str) -> pd.Timestamp:  # noqa: N802 - reads like a literal
    """A Jakarta wall-clock time as a tz-aware timestamp."""
    return pd.Timestamp(stamp, tz=WIB)


def frame(*rows: dict) -> pd.DataFrame:
    """Complaints from dicts of Jakarta wall-clock times (missing keys = NaT) and other fields."""
    out = pd.DataFrame({"source": "uji", "source_id": [str(i + 1) for i in range(len(rows))]})
    for col in STAGE_TIMES:
        values = [T(r[col]) if r.get(col) else pd.NaT for r in rows]
        out[col] = pd.Series(values, dtype="datetime64[us, UTC]")
    for key in sorted({k for r in rows for k in r} - set(STAGE_TIMES)):
        out[key] = [r.get(key) for r in rows]
    return out


def clock(df: pd.DataFrame, as_of: str, policy=SP4N, cal=CAL) -> pd.DataFrame:  # noqa: ANN001
    return stage_clock(df, policy, cal, T(as_of))


def row(result: pd.DataFrame, stage: str, source_id: str = "1") -> pd.Series:
    hit = result[(result["stage"] == stage) & (result["source_id"] == source_id)]
    assert len(hit) == 1
    return hit.iloc[0]


LEBARAN = {  # received, verified and dispatched on Thu 27 Mar 2025
    "received_at": "2025-03-27 10:00",
    "verified_at": "2025-03-27 11:00",
    "dispatched_at": "2025-03-27 14:00",
}


def test_lebaran_tindak_lanjut_deadline_is_end_of_monday_14_april() -> None:
    r = row(clock(frame(LEBARAN), "2025-04-01 12:00"), "tindak_lanjut")
    assert r["deadline"] == T("2025-04-14 23:59:59.999999")
    assert r["state"] == "open"  # as_of 1 Apr: next working day is 8 Apr, deadline 14 Apr
    assert r["working_days_elapsed"] == 0.0  # every day since 27 Mar is a day off
    assert (r["limit_days"], np.isnan(r["limit_hours"])) == (5.0, True)
    v = row(clock(frame(LEBARAN), "2025-04-01 12:00"), "verifikasi")
    assert (v["state"], v["ended_at"], v["working_days_elapsed"]) == ("on_time", T("2025-03-27 14:00"), 0.0)
    assert v["deadline"] == T("2025-04-10 23:59:59.999999")  # 8, 9, 10 Apr


@pytest.mark.parametrize(
    ("first_response", "state", "elapsed", "over"),
    [
        ("2025-04-14 23:59:59.999999", "on_time", 5.0, 0.0),  # ending on the deadline instant is on time
        ("2025-04-15 00:00", "late", 6.0, 1.0),
        ("2025-04-20 09:00", "late", 8.0, 3.0),  # Sun 20 Apr: 8-11 and 14-17 Apr; Good Friday 18 Apr off
    ],
)
def test_ended_stage_on_time_or_late(first_response: str, state: str, elapsed: float, over: float) -> None:
    df = frame({**LEBARAN, "first_response_at": first_response})
    r = row(clock(df, "2025-05-01 12:00"), "tindak_lanjut")
    assert (r["state"], r["working_days_elapsed"], r["working_days_over"]) == (state, elapsed, over)
    assert r["ended_at"] == T(first_response)


@pytest.mark.parametrize(
    ("as_of", "state", "elapsed", "over"),
    [
        ("2025-04-10 09:00", "open", 3.0, 0.0),  # Thu; next working day Fri 11, deadline Mon 14
        ("2025-04-11 16:00", "at_risk", 4.0, 0.0),  # Fri: the next working day (Mon) is the deadline
        ("2025-04-14 08:00", "at_risk", 5.0, 0.0),  # the deadline is today
        ("2025-04-14 23:59:59.999999", "at_risk", 5.0, 0.0),  # on the deadline instant: not overdue
        ("2025-04-15 00:00", "open_overdue", 6.0, 1.0),
        ("2025-04-22 10:00", "open_overdue", 10.0, 5.0),  # 15, 16, 17, 21, 22 Apr
    ],
)
def test_open_stage_states_as_of(as_of: str, state: str, elapsed: float, over: float) -> None:
    r = row(clock(frame(LEBARAN), as_of), "tindak_lanjut")
    assert (r["state"], r["working_days_elapsed"], r["working_days_over"]) == (state, elapsed, over)
    assert pd.isna(r["ended_at"])


def test_at_risk_reaches_across_the_17_august_long_weekend() -> None:
    # Dispatched Mon 11 Aug: 12, 13, 14, 15, 19 Aug -> deadline Tue 19 Aug (18 Aug is cuti bersama).
    df = frame({"received_at": "2025-08-11 08:00", "dispatched_at": "2025-08-11 09:00"})
    assert row(clock(df, "2025-08-14 10:00"), "tindak_lanjut")["state"] == "open"  # next working day: 15 Aug
    r = row(clock(df, "2025-08-15 10:00"), "tindak_lanjut")  # next working day: Tue 19 Aug
    assert (r["state"], r["deadline"]) == ("at_risk", T("2025-08-19 23:59:59.999999"))
    r = row(clock(df, "2025-08-20 09:00"), "tindak_lanjut")
    assert (r["state"], r["working_days_over"]) == ("open_overdue", 1.0)


def test_utc_evening_is_the_next_day_in_jakarta() -> None:
    # 2025-06-05T18:30Z is Fri 6 Jun 01:30 WIB, Idul Adha; 9 Jun is cuti bersama: 10, 11, 12 Jun.
    df = frame({"received_at": "2025-06-06 01:30", "verified_at": "2025-06-10 09:00"})
    assert df.loc[0, "received_at"] == pd.Timestamp("2025-06-05T18:30Z")
    r = row(clock(df, "2025-06-30 12:00"), "verifikasi")
    assert r["deadline"] == T("2025-06-12 23:59:59.999999")
    assert (r["state"], r["working_days_elapsed"]) == ("on_time", 1.0)
    # Thu 14 Aug 18:00Z = Fri 15 Aug 01:00 WIB: 19, 20, 21 Aug (the UTC date would give 20 Aug).
    df = frame({"received_at": "2025-08-15 01:00"})
    assert df.loc[0, "received_at"] == pd.Timestamp("2025-08-14T18:00Z")
    assert row(clock(df, "2025-08-15 09:00"), "verifikasi")["deadline"] == T("2025-08-21 23:59:59.999999")


BEKASI = load_policy("lapor-aa-bekasi")


@pytest.mark.parametrize(
    ("first_response", "as_of", "state", "over"),
    [
        ("2025-08-16 09:00", "2025-08-20 09:00", "on_time", 0.0),  # Saturday answer within 24 h
        ("2025-08-16 10:00", "2025-08-20 09:00", "on_time", 0.0),  # exactly at the deadline
        ("2025-08-18 08:00", "2025-08-20 09:00", "late", 0.0),  # late, but 17 and 18 Aug are days off
        ("2025-08-19 08:00", "2025-08-20 09:00", "late", 1.0),
        (None, "2025-08-15 20:00", "at_risk", 0.0),  # deadline Sat 16 Aug, before the next working day
        (None, "2025-08-16 10:00", "at_risk", 0.0),  # on the deadline instant
        (None, "2025-08-16 10:00:00.000001", "open_overdue", 0.0),
        (None, "2025-08-20 09:00", "open_overdue", 2.0),  # 19, 20 Aug
    ],
)
def test_hour_limit_counts_calendar_hours(first_response: str | None, as_of: str, state: str, over: float) -> None:
    df = frame(
        {"received_at": "2025-08-15 08:00", "dispatched_at": "2025-08-15 10:00", "first_response_at": first_response}
    )
    r = row(clock(df, as_of, policy=BEKASI), "tindak_lanjut")
    assert r["deadline"] == T("2025-08-16 10:00")
    assert (r["state"], r["working_days_over"], r["limit_hours"]) == (state, over, 24.0)
    assert np.isnan(r["limit_days"])


def test_estimated_times_are_used_and_flagged() -> None:
    df = frame(
        {**LEBARAN, "dispatched_est": True, "first_response_at": "2025-04-09 10:00", "first_response_est": False},
        {**LEBARAN, "dispatched_est": False, "first_response_at": "2025-04-09 10:00", "first_response_est": True},
        {**LEBARAN, "dispatched_est": False, "first_response_at": "2025-04-30 10:00", "first_response_est": True},
    )
    out = clock(df, "2025-04-10 12:00")
    got = {(r.stage, r.source_id): r.estimated for r in out.itertuples()}
    # 1: the dispatch (end of verifikasi, start of tindak_lanjut) is estimated -> both flagged.
    # 2: only the first response is estimated -> tindak_lanjut flagged.
    # 3: the estimated first response lies after as_of, so it is not used yet -> not flagged.
    assert got == {
        ("verifikasi", "1"): True, ("verifikasi", "2"): False, ("verifikasi", "3"): False,
        ("tindak_lanjut", "1"): True, ("tindak_lanjut", "2"): True, ("tindak_lanjut", "3"): False,
    }  # fmt: skip
    assert out["estimated"].dtype == bool


def test_missing_estimate_columns_mean_reported_times() -> None:
    out = clock(frame(LEBARAN), "2025-04-10 12:00")
    assert not out["estimated"].any()


def test_verification_ends_with_the_verification_when_nothing_is_dispatched() -> None:
    df = frame({"received_at": "2025-04-08 09:00", "verified_at": "2025-04-14 09:00"})  # rejected late
    out = clock(df, "2025-04-20 12:00")
    r = row(out, "verifikasi")
    # Due Fri 11 Apr (9, 10, 11); verified Mon 14 Apr: one working day over.
    assert (r["state"], r["ended_at"], r["working_days_over"]) == ("late", T("2025-04-14 09:00"), 1.0)
    assert (r["owner_kind"], row(out, "tindak_lanjut")["owner_kind"]) == ("verifikator", "unit")


def test_not_started_and_ends_after_as_of() -> None:
    df = frame(
        {
            "received_at": "2025-04-08 09:00",
            "dispatched_at": "2025-04-09 09:00",
            "first_response_at": "2025-04-10 09:00",
        },
    )
    out = clock(df, "2025-04-08 12:00")  # before the dispatch
    v, t = row(out, "verifikasi"), row(out, "tindak_lanjut")
    # Due Fri 11 Apr, two working days after the next one (9 Apr): open, not yet at risk.
    assert (v["state"], pd.isna(v["ended_at"]), v["working_days_elapsed"]) == ("open", True, 0.0)
    assert t["state"] == "not_started"
    assert pd.isna(t["started_at"]) and pd.isna(t["deadline"]) and pd.isna(t["ended_at"])
    assert np.isnan(t["working_days_elapsed"]) and t["working_days_over"] == 0.0
    never_dispatched = clock(frame({"received_at": "2025-04-08 09:00"}), "2025-04-08 12:00")
    assert row(never_dispatched, "tindak_lanjut")["state"] == "not_started"


def test_saturday_worked_and_removed_holiday_from_override_file(tmp_path: Path) -> None:
    path = tmp_path / "kalender.toml"
    path.write_text("[[workday]]\ndate = 2025-04-12\n", encoding="utf-8")
    sat = load_calendar(range(2025, 2026), override_path=path)
    r = row(clock(frame(LEBARAN), "2025-04-11 12:00", cal=sat), "tindak_lanjut")
    assert (r["deadline"], r["state"]) == (T("2025-04-12 23:59:59.999999"), "at_risk")  # 8-12 Apr
    path.write_text("[[remove]]\ndate = 2025-04-07\n", encoding="utf-8")
    worked = load_calendar(range(2025, 2026), override_path=path)
    r = row(clock(frame(LEBARAN), "2025-04-11 12:00", cal=worked), "tindak_lanjut")
    assert (r["deadline"], r["working_days_elapsed"]) == (T("2025-04-11 23:59:59.999999"), 5.0)  # 7-11 Apr


def test_policy_calendar_follows_the_policy_file(tmp_path: Path) -> None:
    (tmp_path / "kalender.toml").write_text("[[workday]]\ndate = 2025-04-12\n", encoding="utf-8")
    path = tmp_path / "lokal.toml"
    path.write_text(
        'name = "lokal"\nlabel = "L"\ndescription = "d"\ncalendar = "kalender.toml"\n'
        "[stages.tindak_lanjut]\ndays = 5\n",
        encoding="utf-8",
    )
    policy = load_policy(path)
    cal = policy_calendar(policy, range(2025, 2026))
    r = row(clock(frame(LEBARAN), "2025-04-11 12:00", policy=policy, cal=cal), "tindak_lanjut")
    assert r["deadline"] == T("2025-04-12 23:59:59.999999")


def test_only_limited_stages_appear_with_classification_tiers() -> None:
    df = frame(
        {**LEBARAN, "classification": "Permintaan Informasi", "resolved_at": "2025-04-09 10:00"},
        {**LEBARAN, "classification": "Pengaduan Berkadar Pengawasan"},
        {**LEBARAN, "classification": None},
    )
    out = clock(df, "2025-04-10 12:00", policy=load_policy("permenpan-62-2018"))
    assert out["stage"].unique().tolist() == ["penyelesaian"]
    assert out["limit_days"].tolist() == [2.0, 60.0, 14.0]
    assert out["state"].tolist() == ["on_time", "open", "open"]  # 8, 9 Apr -> due 9 Apr; resolved 9 Apr
    assert out["deadline"].iloc[0] == T("2025-04-09 23:59:59.999999")
    sp4n = clock(df, "2025-04-10 12:00")
    assert sp4n["stage"].tolist() == ["verifikasi"] * 3 + ["tindak_lanjut"] * 3  # no penyelesaian limit


def test_category_hour_override_inside_a_day_policy(tmp_path: Path) -> None:
    path = tmp_path / "bencana.toml"
    path.write_text(
        'name = "bencana"\nlabel = "B"\ndescription = "d"\n[stages.tindak_lanjut]\ndays = 5\n'
        '[stages.tindak_lanjut.categories]\n"Bencana" = { hours = 24 }\n',
        encoding="utf-8",
    )
    df = frame({**LEBARAN, "category": "Bencana"}, {**LEBARAN, "category": "Jalan Berlubang"})
    out = clock(df, "2025-03-28 15:00", policy=load_policy(path))
    assert out["deadline"].tolist() == [T("2025-03-28 14:00"), T("2025-04-14 23:59:59.999999")]
    assert out["state"].tolist() == ["open_overdue", "open"]
    assert out["working_days_over"].tolist() == [0.0, 0.0]  # overdue on a cuti bersama: 0 working days


def test_output_columns_types_and_context() -> None:
    df = frame({**LEBARAN, "unit": "Dinas PUTR", "unit_code": "putr", "kecamatan": "Baleendah", "channel": "WhatsApp"})
    out = clock(df, "2025-04-10 12:00")
    assert tuple(out.columns) == OUTPUT_COLUMNS
    assert out["unit"].tolist() == ["Dinas PUTR"] * 2 and out["channel"].tolist() == ["WhatsApp"] * 2
    assert out["category"].isna().all()  # absent in the input: NA, not an error
    assert str(out["deadline"].dtype) == "datetime64[us, UTC]"
    assert list(out["state"].cat.categories) == list(STATES)
    assert list(out["stage"].cat.categories) == list(STAGES)
    assert out["received_at"].tolist() == [T("2025-03-27 10:00")] * 2


def test_empty_input_gives_empty_frame_with_columns() -> None:
    out = clock(frame(LEBARAN).iloc[:0], "2025-04-10 12:00")
    assert len(out) == 0 and tuple(out.columns) == OUTPUT_COLUMNS


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        stage_clock(frame(LEBARAN), SP4N, CAL, pd.Timestamp("2025-04-10 12:00"))
    with pytest.raises(ValueError, match="first_response_at"):
        stage_clock(frame(LEBARAN).drop(columns="first_response_at"), SP4N, CAL, T("2025-04-10"))


def test_status_past_a_stage_with_missing_times_is_unknown_not_overdue() -> None:
    df = frame(
        # Imported already closed, no stage times ("reached, time unknown"): nothing can be judged.
        {"received_at": "2025-03-03 09:00", "status": "selesai"},
        # Archived by the verifier at an unknown time; never dispatched.
        {"received_at": "2025-03-03 09:00", "status": "diarsipkan"},
        # Dispatched at an unknown time after verification: the verification time is not the end.
        {"received_at": "2025-03-03 09:00", "verified_at": "2025-03-04 09:00", "status": "didisposisi"},
        # Verified, not yet dispatched: the literal rule ends verifikasi at verified_at.
        {"received_at": "2025-03-03 09:00", "verified_at": "2025-03-04 09:00", "status": "terverifikasi"},
        # Status the clock does not know, or none: the time-based rules alone.
        {"received_at": "2025-03-03 09:00", "status": "entah"},
        {**LEBARAN, "status": "ditindaklanjuti"},
    )
    out = clock(df, "2025-04-30 12:00")
    got = {(r.stage, r.source_id): r.state for r in out.itertuples()}
    assert got == {
        ("verifikasi", "1"): "unknown", ("tindak_lanjut", "1"): "unknown",
        ("verifikasi", "2"): "unknown", ("tindak_lanjut", "2"): "not_started",
        ("verifikasi", "3"): "unknown", ("tindak_lanjut", "3"): "unknown",
        ("verifikasi", "4"): "on_time", ("tindak_lanjut", "4"): "not_started",
        ("verifikasi", "5"): "open_overdue", ("tindak_lanjut", "5"): "not_started",
        ("verifikasi", "6"): "on_time", ("tindak_lanjut", "6"): "unknown",
    }  # fmt: skip
    unknown = out[out["state"] == "unknown"]
    assert unknown["ended_at"].isna().all() and unknown["working_days_elapsed"].isna().all()
    assert (unknown["working_days_over"] == 0).all()
    # Started at a known time: its deadline is still shown (row 6: dispatched 27 Mar -> 14 Apr).
    assert row(out, "tindak_lanjut", "6")["deadline"] == T("2025-04-14 23:59:59.999999")
