"""Calendar maths for the demo: holidays, daily volume, working-day delays, fast time formatting.

Times are int64 seconds since the epoch on the *local* (WIB, UTC+7) wall clock; ``NEVER`` marks a
stage not reached. Nothing here reads the clock: the reference time is always passed in.
"""

from __future__ import annotations

from functools import lru_cache

import holidays
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86_400
HOUR = 3_600
NEVER = np.iinfo(np.int64).max
WEEKMASK = "1111100"
# Volume multiplier by weekday, Monday first.
WEEKDAY_FACTOR = np.array([1.12, 1.06, 1.0, 0.98, 0.88, 0.52, 0.42])
HOLIDAY_FACTOR = 0.45
OFFICE_OPEN, OFFICE_CLOSE = 7.5 * HOUR, 16.5 * HOUR
WORKDAY_SECONDS = OFFICE_CLOSE - OFFICE_OPEN
EMPTY = pa.scalar("", pa.large_string())  # all text is large_string: what pandas' str dtype holds


def holiday_calendar(first_year: int, last_year: int) -> tuple[np.ndarray, np.ndarray]:
    """(non-working days, Idul Fitri first days) as datetime64[D]: national public holidays and
    the government's cuti bersama, from the ``holidays`` package."""
    cal = holidays.country_holidays(
        "ID",
        years=range(first_year, last_year + 1),
        categories=("public", "government"),
        language="en_US",
    )
    days = np.array(sorted(cal.keys()), dtype="datetime64[D]")
    eid = np.array(
        sorted(d for d, name in cal.items() if "Eid al-Fitr" in name and "Joint" not in name
               and "Second" not in name),
        dtype="datetime64[D]",
    )  # fmt: skip
    return days, eid


def daily_weights(days: np.ndarray, off: np.ndarray, eid: np.ndarray, rng: np.random.Generator):
    """Relative complaint volume for each day (datetime64[D]): a gentle upward trend, a launch
    ramp, the weekday rhythm, holidays, the Lebaran exodus and day-to-day noise."""
    n = len(days)
    frac = np.arange(n) / max(n - 1, 1)
    w = 1.0 + 0.35 * frac
    w *= np.clip(0.55 + 0.45 * np.arange(n) / 35.0, None, 1.0)  # adoption in the first weeks
    weekday = (days.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    w *= WEEKDAY_FACTOR[weekday]
    w *= np.where(np.isin(days, off) & (weekday < 5), HOLIDAY_FACTOR, 1.0)
    for e in eid:  # mudik before, the holiday itself, the slow return after
        o = (days - e).astype(np.int64)
        w *= np.select(
            [(o >= -10) & (o <= -4), (o >= -3) & (o <= 4), (o >= 5) & (o <= 10), (o >= 11) & (o <= 14)],
            [0.82, 0.28, 0.65, 0.88],
            1.0,
        )
    return w * rng.gamma(30.0, 1.0 / 30.0, n)


class WorkCalendar:
    """Working days (Mon-Fri minus holidays and cuti bersama) over a range of day numbers (days
    since the epoch), answered by table look-ups so millions of queries stay cheap. Days past the
    table clamp to its last working day; callers keep the table well beyond the reference time."""

    def __init__(self, first_day: int, last_day: int, off: np.ndarray):
        self.first = int(first_day)
        days = np.arange(first_day, last_day + 1)
        self.work = np.is_busday(days.astype("datetime64[D]"), weekmask=WEEKMASK, holidays=off)
        self.bdays = days[self.work]
        self.rank = np.searchsorted(self.bdays, days, side="left")  # first working day >= day

    def _pos(self, day: np.ndarray) -> np.ndarray:
        return np.clip(day - self.first, 0, len(self.work) - 1)

    def is_workday(self, day: np.ndarray) -> np.ndarray:
        return self.work[self._pos(day)]

    def offset(self, day: np.ndarray, k: np.ndarray) -> np.ndarray:
        """The k-th working day after ``day`` rolled forward to a working day (numpy's
        busday_offset(roll='forward')), as day numbers."""
        i = np.clip(self.rank[self._pos(day)] + k, 0, len(self.bdays) - 1)
        return self.bdays[i]


def add_workdays(t: np.ndarray, d: np.ndarray, rng: np.random.Generator, cal: WorkCalendar) -> np.ndarray:
    """``t`` plus a delay of ``d`` working days (float; inf = never). Work starts at the next
    office opening when ``t`` falls outside office hours or on a non-working day; a delay under
    one working day is counted in office hours, a longer one lands on the n-th following working
    day at an office-ish time of day. Weekends and holidays are skipped; exactness isn't the
    point. NEVER in ``t`` or inf in ``d`` gives NEVER."""
    out = np.full(len(t), NEVER, dtype=np.int64)
    live = np.flatnonzero((t != NEVER) & np.isfinite(d))
    tt, dd = t[live], d[live]
    day = tt // DAY
    tod = tt - day * DAY
    work = cal.is_workday(day)
    late = work & (tod >= OFFICE_CLOSE)
    moved = (~work) | late | (tod < OFFICE_OPEN)
    start_day = cal.offset(day, late.astype(np.int64))
    start = np.where(moved, start_day * DAY + int(OFFICE_OPEN), tt)
    whole = np.minimum(dd, 10_000).astype(np.int64)
    short = whole == 0
    clock = np.clip(rng.normal(11.0 * HOUR, 2.4 * HOUR, len(tt)), OFFICE_OPEN, 19.5 * HOUR)
    res = np.where(
        short,
        start + (dd * WORKDAY_SECONDS).astype(np.int64),
        cal.offset(start // DAY, whole) * DAY + clock.astype(np.int64),
    )
    out[live] = np.maximum(res, tt)
    return out


@lru_cache(maxsize=1)
def _clock_strings() -> pa.Array:
    s = np.arange(DAY)
    text = [f"{h:02d}:{m:02d}:{x:02d}+07:00" for h, m, x in zip(s // 3600, s // 60 % 60, s % 60)]
    return pa.array([*text, ""], type=pa.large_string())  # index DAY = empty


def format_times(t: np.ndarray) -> pa.Array:
    """ISO 8601 with +07:00 (e.g. 2025-06-13T09:14:05+07:00); '' for NEVER. Built from a table of
    day strings and a table of clock strings, so a million stamps take a fraction of a second."""
    never = t == NEVER
    if never.all():
        return pa.array([""] * len(t), type=pa.large_string())
    day = np.where(never, 0, t // DAY)
    d0 = int(day[~never].min())
    d1 = int(day[~never].max())
    day_text = np.char.add(np.datetime_as_string(np.arange(d0, d1 + 1).astype("datetime64[D]")), "T")
    day_table = pa.array([*day_text.tolist(), ""], type=pa.large_string())
    day_idx = np.where(never, d1 - d0 + 1, day - d0)
    clock_idx = np.where(never, DAY, t - day * DAY)
    return pc.binary_join_element_wise(day_table.take(day_idx), _clock_strings().take(clock_idx), EMPTY)


def lookup(codes: np.ndarray, labels) -> pa.Array:
    """labels[codes] as a string array."""
    return pa.array(list(labels), type=pa.large_string()).take(np.asarray(codes, dtype=np.int64))


def decimals(v: np.ndarray, places: int = 6) -> pa.Array:
    """Numbers rounded to ``places`` decimals as text ('' for NaN), e.g. -6.254321."""
    nan = np.isnan(v)
    text = pc.cast(pa.array(np.round(np.where(nan, 0.0, v), places), mask=nan), pa.large_string())
    return pc.fill_null(text, EMPTY)
