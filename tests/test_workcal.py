"""The working-day calendar: national list, local overrides, vectorised arithmetic.

Every expected value is counted by hand from the 2025 SKB list (docs/calendar.md). Around Lebaran
2025 the days off are: Fri 28 Mar (cuti Nyepi), Sat 29 Mar (Nyepi), Mon 31 Mar - Tue 1 Apr (Idul
Fitri), Wed 2 - Fri 4 Apr and Mon 7 Apr (cuti bersama).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analytics.rules.workcal import (
    DEFAULT_OVERRIDE_PATH,
    WorkCalendar,
    add_working_days,
    deadlines,
    elapsed_working_days,
    holiday_table,
    is_working_day,
    load_calendar,
    local_dates,
    read_overrides,
)
from tests.conftest import real_file

CAL = load_calendar(override_path=None)  # shipped override file: changes nothing
WIB = "Asia/Jakarta"


def D(*days: str) -> np.ndarray:  # noqa: N802 - reads like a literal
    return np.array(days, dtype="datetime64[D]")


def utc(*stamps: str | None) -> pd.Series:
    return pd.Series(pd.to_datetime(list(stamps), utc=True, format="ISO8601")).astype("datetime64[us, UTC]")


def wib(*stamps: str | None) -> pd.Series:
    """Wall-clock times in Jakarta, returned as UTC like the canonical model stores them."""
    local = pd.Series(pd.to_datetime(list(stamps), format="ISO8601")).dt.tz_localize(WIB)
    return local.dt.tz_convert("UTC").astype("datetime64[us, UTC]")


# --- the national list -------------------------------------------------------------------------


@pytest.mark.realdata
def test_national_list_equals_canonical_csv_2023_2026() -> None:
    path = real_file("holidays", "id_holidays_2023_2026_python_holidays.csv")
    canonical = pd.read_csv(path)[["date", "type", "name_id"]]
    canonical = canonical.sort_values(["date", "type"], ignore_index=True)
    ours = holiday_table(range(2023, 2027))
    ours = ours.assign(date=ours["date"].dt.strftime("%Y-%m-%d"))[["date", "type", "name_id"]]
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), canonical, check_dtype=False)


@pytest.mark.parametrize(("year", "working"), [(2023, 239), (2024, 238), (2025, 237), (2026, 240)])
def test_working_days_per_year_match_source_reference_figures(year: int, working: int) -> None:
    days = np.arange(np.datetime64(f"{year}-01-01"), np.datetime64(f"{year + 1}-01-01"))
    assert is_working_day(CAL, days).sum() == working


def test_cuti_bersama_and_libur_nasional_are_days_off() -> None:
    got = is_working_day(CAL, D("2025-04-02", "2025-04-07", "2025-08-18", "2025-06-06", "2025-04-08", "2025-08-19"))
    assert got.tolist() == [False, False, False, False, True, True]


def test_busdaycalendar_view_agrees_with_numpy() -> None:
    # 2025-08-14 + 3 working days skips Sun 17 Aug and cuti bersama Mon 18 Aug (ecosystem notes).
    bdc = CAL.busdaycalendar
    assert np.busday_offset("2025-08-14", 3, roll="forward", busdaycal=bdc) == np.datetime64("2025-08-20")
    assert np.busday_count("2025-06-02", "2025-06-09", busdaycal=bdc) == 4


# --- add_working_days / elapsed ---------------------------------------------------------------


def test_lebaran_2025_five_working_days_after_thursday_27_march_is_monday_14_april() -> None:
    # 8, 9, 10, 11 Apr (Tue-Fri) and Mon 14 Apr; everything from 28 Mar to 7 Apr is off.
    assert add_working_days(CAL, D("2025-03-27"), 5)[0] == np.datetime64("2025-04-14")
    assert add_working_days(CAL, D("2025-03-27"), 1)[0] == np.datetime64("2025-04-08")


def test_add_working_days_over_17_august_cuti_bersama() -> None:
    assert add_working_days(CAL, D("2025-08-14"), 3)[0] == np.datetime64("2025-08-20")
    assert add_working_days(CAL, D("2025-08-15"), 1)[0] == np.datetime64("2025-08-19")


def test_add_working_days_zero_negative_array_and_missing() -> None:
    starts = D("2025-04-08", "2025-04-05", "2025-04-08", "NaT", "2025-04-08")
    got = add_working_days(CAL, starts, np.array([-1, 0, 2, 1, np.nan]))
    assert got.astype(str).tolist() == ["2025-03-27", "2025-04-05", "2025-04-10", "NaT", "NaT"]


def test_add_working_days_refuses_fractions_and_leaving_the_calendar() -> None:
    with pytest.raises(ValueError, match="whole days"):
        add_working_days(CAL, D("2025-04-08"), 1.5)
    with pytest.raises(ValueError, match="outside the calendar"):
        add_working_days(CAL, D("2050-12-28"), 10)
    with pytest.raises(ValueError, match="outside the working-day calendar"):
        add_working_days(CAL, D("1989-12-31"), 1)


def test_elapsed_counts_working_days_after_start_up_to_end() -> None:
    t0 = wib("2025-03-27 10:00", "2025-04-08 09:00", "2025-04-08 09:00", "2025-08-15 16:00", None)
    t1 = wib("2025-04-14 08:00", "2025-04-08 23:59", "2025-04-20 09:00", "2025-08-19 08:00", "2025-08-19 08:00")
    got = elapsed_working_days(CAL, t0, t1, WIB)
    # 8-11 + 14 Apr = 5; same day = 0; 9-11, 14-17 Apr (Good Friday 18 off) = 7; 19 Aug = 1; NaN.
    np.testing.assert_array_equal(got, [5.0, 0.0, 7.0, 1.0, np.nan])


def test_local_date_of_a_utc_evening_is_the_next_day_in_jakarta() -> None:
    ts = utc("2025-06-05T18:30Z", "2025-06-05T16:59:59Z", None)
    assert local_dates(ts, WIB).astype(str).tolist() == ["2025-06-06", "2025-06-05", "NaT"]
    assert local_dates(ts, "Asia/Jayapura").astype(str).tolist() == ["2025-06-06", "2025-06-06", "NaT"]
    # 6 Jun 2025 is Idul Adha: received at 01:30 WIB, the complaint arrives on a holiday.
    assert not is_working_day(CAL, local_dates(ts, WIB)[:1])[0]


def test_utc_evening_changes_the_count_when_the_wib_day_is_a_working_day() -> None:
    # Thu 14 Aug 18:00Z is Fri 15 Aug 01:00 WIB; the first working day after Fri 15 Aug is Tue 19.
    t0 = utc("2025-08-14T18:00Z")
    assert elapsed_working_days(CAL, t0, utc("2025-08-15T09:00Z"), WIB)[0] == 0.0
    assert deadlines(CAL, t0, days=1, tz=WIB)[0] == pd.Timestamp("2025-08-19 23:59:59.999999", tz=WIB)


def test_timestamps_must_be_tz_aware_and_dates_must_be_dates() -> None:
    with pytest.raises(ValueError, match="tz-aware"):
        local_dates(pd.Series(pd.to_datetime(["2025-01-01 10:00"])), WIB)
    with pytest.raises(ValueError, match="local_dates"):
        is_working_day(CAL, utc("2025-01-02T00:00Z"))
    # An entirely missing column may arrive untyped.
    assert np.isnat(local_dates(pd.Series([None, None]), WIB)).all()


# --- deadlines --------------------------------------------------------------------------------


def test_day_deadline_is_the_last_microsecond_of_the_nth_working_day() -> None:
    got = deadlines(CAL, wib("2025-03-27 10:00", None), days=5, tz=WIB)
    assert str(got.dtype) == "datetime64[us, UTC]"
    assert got[0] == pd.Timestamp("2025-04-14 23:59:59.999999", tz=WIB)
    assert got[0] == pd.Timestamp("2025-04-14 16:59:59.999999", tz="UTC")
    assert pd.isna(got[1])


def test_hour_deadline_counts_calendar_hours_through_weekends() -> None:
    # Fri 15 Aug 10:00 WIB + 24 h = Sat 16 Aug 10:00 WIB; + 1.5 h = 11:30.
    t0 = wib("2025-08-15 10:00", "2025-08-15 10:00")
    got = deadlines(CAL, t0, days=np.nan, hours=np.array([24, 1.5]), tz=WIB)
    assert got.tolist() == [pd.Timestamp("2025-08-16 10:00", tz=WIB), pd.Timestamp("2025-08-15 11:30", tz=WIB)]


def test_deadline_rows_mix_days_hours_and_none() -> None:
    t0 = wib("2025-03-27 10:00", "2025-03-27 10:00", "2025-03-27 10:00")
    got = deadlines(CAL, t0, days=np.array([3, np.nan, np.nan]), hours=np.array([np.nan, 24, np.nan]), tz=WIB)
    assert got[0] == pd.Timestamp("2025-04-10 23:59:59.999999", tz=WIB)
    assert got[1] == pd.Timestamp("2025-03-28 10:00", tz=WIB)
    assert pd.isna(got[2])
    with pytest.raises(ValueError, match="both"):
        deadlines(CAL, t0, days=3, hours=24, tz=WIB)


# --- local overrides --------------------------------------------------------------------------

OVERRIDES = """
[[add]]
date = 2025-10-21
name = "Hari Jadi Kabupaten (contoh)"
source = "test"

[[remove]]
date = 2025-04-07
reason = "cuti bersama Idul Fitri: layanan tetap buka"

[[workday]]
date = 2025-04-12
reason = "Sabtu masuk kerja pengganti"
"""


@pytest.fixture
def local_cal(tmp_path: Path) -> WorkCalendar:
    path = tmp_path / "overrides.toml"
    path.write_text(OVERRIDES, encoding="utf-8")
    return load_calendar(range(2024, 2027), override_path=path)


def test_a_worked_saturday_counts(local_cal: WorkCalendar) -> None:
    assert is_working_day(local_cal, D("2025-04-12", "2025-04-19")).tolist() == [True, False]
    # Fri 11 Apr -> Sat 12 Apr is one working day; Fri 11 -> Mon 14 is two.
    assert elapsed_working_days(local_cal, D("2025-04-11"), D("2025-04-12", "2025-04-14")).tolist() == [1.0, 2.0]
    assert add_working_days(local_cal, D("2025-04-11"), 1)[0] == np.datetime64("2025-04-12")
    assert local_cal.extra_workdays.astype(str).tolist() == ["2025-04-12"]


def test_a_removed_holiday_is_worked_and_an_added_one_is_not(local_cal: WorkCalendar) -> None:
    assert is_working_day(local_cal, D("2025-04-07", "2025-10-21")).tolist() == [True, False]
    # Lebaran example with 7 Apr worked and Sat 12 Apr worked: 7, 8, 9, 10, 11 Apr.
    assert add_working_days(local_cal, D("2025-03-27"), 5)[0] == np.datetime64("2025-04-11")
    assert np.datetime64("2025-04-07") not in local_cal.holidays
    assert np.datetime64("2025-10-21") in local_cal.holidays


def test_shipped_override_file_parses_and_changes_nothing() -> None:
    added, removed, workdays = read_overrides(DEFAULT_OVERRIDE_PATH)
    assert len(added) == len(removed) == len(workdays) == 0
    assert load_calendar(range(2025, 2026)) == load_calendar(range(2025, 2026), override_path=DEFAULT_OVERRIDE_PATH)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[[added]]\ndate = 2025-01-02\n", "unknown table"),
        ("[[add]]\ndate = 2025-01-02\nwhy = 'x'\n", "unknown key"),
        ("[[add]]\nname = 'no date'\n", "missing date"),
        ("[[add]]\ndate = '2025-13-01'\n", "bad date"),
        ("[[add]]\ndate = 2025-01-02T08:00:00\n", "has a time"),
        ("[[add]]\ndate = 2025-01-02\n[[add]]\ndate = 2025-01-02\n", "more than once"),
        ("[[add]]\ndate = 2025-01-02\n[[remove]]\ndate = 2025-01-02\n", "in both"),
        ("[[remove]]\ndate = 2025-01-02\n", "not a national holiday"),
        ("[[workday]]\ndate = 2025-01-02\n", "already a working day"),
        ("add = 1\n", "array of tables"),
        ("[[add]\n", "not valid TOML"),
    ],
)
def test_bad_override_file_names_file_and_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "bad-overrides.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=problem) as err:
        load_calendar(range(2025, 2026), override_path=path)
    assert "bad-overrides.toml" in str(err.value)


def test_missing_explicit_override_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not found"):
        load_calendar(range(2025, 2026), override_path=tmp_path / "nope.toml")


def test_calendar_is_hashable_comparable_and_read_only() -> None:
    a, b = load_calendar(range(2025, 2026)), load_calendar(range(2025, 2026))
    assert a == b and hash(a) == hash(b)
    assert a != load_calendar(range(2024, 2026))
    with pytest.raises(ValueError):
        a.holidays[0] = np.datetime64("2025-01-02")
    assert "2025-01-01..2025-12-31" in repr(a)


# --- properties ---------------------------------------------------------------------------------

# A calendar with worked Saturdays scattered over the range, so the properties cover them too.
_SATURDAYS = np.arange(np.datetime64("2015-01-03"), np.datetime64("2035-12-31"), 7 * 5)  # every 5th
SAT_CAL = WorkCalendar(holidays=CAL.holidays, first=CAL.first, last=CAL.last, extra_workdays=_SATURDAYS)
dates = st.dates(min_value=dt.date(2016, 1, 1), max_value=dt.date(2034, 1, 1)).map(np.datetime64)
cals = st.sampled_from([CAL, SAT_CAL])


@settings(max_examples=200, deadline=None)
@given(cal=cals, a=dates, b=dates)
def test_elapsed_never_negative_and_matches_busday_count(cal: WorkCalendar, a: np.datetime64, b: np.datetime64) -> None:
    d0, d1 = min(a, b), max(a, b)
    got = elapsed_working_days(cal, D(str(d0)), D(str(d1)))[0]
    assert got >= 0
    if cal is CAL:  # national only: numpy's busday_count over (d0, d1] must agree
        assert got == np.busday_count(d0 + 1, d1 + 1, busdaycal=cal.busdaycalendar)


@settings(max_examples=200, deadline=None)
@given(cal=cals, a=dates, b=dates, c=dates)
def test_elapsed_is_monotone_in_t1_and_additive(
    cal: WorkCalendar, a: np.datetime64, b: np.datetime64, c: np.datetime64
) -> None:
    d0, d1, d2 = sorted([a, b, c])
    e01, e02, e12 = (elapsed_working_days(cal, D(str(x)), D(str(y)))[0] for x, y in ((d0, d1), (d0, d2), (d1, d2)))
    assert e01 <= e02
    assert e02 == e01 + e12


@settings(max_examples=200, deadline=None)
@given(cal=cals, d=dates, n=st.integers(min_value=0, max_value=60))
def test_elapsed_undoes_add_working_days(cal: WorkCalendar, d: np.datetime64, n: int) -> None:
    end = add_working_days(cal, D(str(d)), n)
    assert elapsed_working_days(cal, D(str(d)), end)[0] == n
    if n > 0:
        assert is_working_day(cal, end)[0]


@settings(max_examples=200, deadline=None)
@given(
    t0=st.datetimes(min_value=dt.datetime(2016, 1, 1), max_value=dt.datetime(2033, 12, 31), timezones=st.just(dt.UTC)),
    hours=st.integers(min_value=0, max_value=24 * 90),
)
def test_elapsed_on_timestamps_is_monotone(t0: dt.datetime, hours: int) -> None:
    start = pd.Series([pd.Timestamp(t0)] * 2).astype("datetime64[us, UTC]")
    later = start + pd.to_timedelta([hours, hours + 30], unit="h")
    e = elapsed_working_days(CAL, start, later, WIB)
    assert 0 <= e[0] <= e[1]


def test_a_league_over_2012_data_runs_and_its_comparison_period_too(con, tmp_path) -> None:
    """Data from before 2015 (NYC 311 2012-2019, Kansas City 2015 with a comparison period in 2014)
    stopped every league with "date outside the working-day calendar"."""
    import pandas as pd

    from analytics.importers.ingest import import_file
    from analytics.rules.periods import Period
    from analytics.rules.policy import load_policy
    from analytics.screens import league_for

    path = tmp_path / "old.csv"
    path.write_text("id,received_at,dispatched_at,first_response_at,status,opd\n" + "".join(
        f"OLD-{i},2012-01-0{2 + i % 5}T08:00:00+07:00,2012-01-0{2 + i % 5}T09:00:00+07:00,"
        f"2012-01-1{i % 5}T09:00:00+07:00,ditindaklanjuti,Dinas Lingkungan Hidup\n" for i in range(12)))
    import_file(con, path, region="kab-bekasi")
    whole_year = Period(pd.Timestamp("2012-01-01").date(), pd.Timestamp("2012-12-31").date())
    league = league_for(con, by="opd", period=whole_year, as_of=pd.Timestamp("2013-01-01", tz="UTC"),
                        policy=load_policy("sp4n-lapor"))
    assert int(league.table["decided"].sum()) == 12  # the 2011 comparison period is empty, not an error
