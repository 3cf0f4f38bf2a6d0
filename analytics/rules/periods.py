"""Reporting periods: inclusive runs of local dates, the period each is compared with, and the
UTC instants that bound them.

There is one Period. Its ``preset`` says how its days were chosen (the period buttons: "minggu",
"bulan", "30h", or "custom"), because that decides what it is compared with: this week so far
against the same weekdays last week, this month so far against the same days of last month,
anything else against the equally long run of days just before. The caption that names the
comparison and every "previous period" number read the same ``previous()``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

# The period buttons' codes (also their URL values: ``?periode=bulan``).
PRESETS: tuple[str, ...] = ("minggu", "bulan", "30h", "custom")
DEFAULT_PRESET = "30h"


@dataclass(frozen=True)
class Period:
    """Local dates ``start``..``end`` inclusive, in the policy's zone, chosen as ``preset``."""

    start: date
    end: date
    preset: str = "custom"

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period to compare with: the same weekdays last week ("minggu"), the same days of
        last month ("bulan", cut at the month's last day), otherwise the equally long run of
        days that ends the day before this one starts."""
        if self.preset == "minggu":
            return Period(self.start - timedelta(days=7), self.end - timedelta(days=7), self.preset)
        if self.preset == "bulan":
            first = (self.start.replace(day=1) - timedelta(days=1)).replace(day=1)
            last_day = calendar.monthrange(first.year, first.month)[1]
            return Period(first, first.replace(day=min(self.end.day, last_day)), self.preset)
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1), self.preset)

    def previous_as_of(self, as_of: pd.Timestamp) -> pd.Timestamp:
        """The moment the previous period is judged at: ``as_of`` moved back by as much as the
        previous period starts earlier, so both are judged at the same point of their own cycle."""
        return as_of - pd.Timedelta(self.start - self.previous().start)

    def utc_bounds(self, tz: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        """[start, end) as UTC instants: local midnight of ``start`` to local midnight after ``end``."""
        lo = pd.Timestamp(self.start).tz_localize(tz).tz_convert("UTC")
        hi = pd.Timestamp(self.end + timedelta(days=1)).tz_localize(tz).tz_convert("UTC")
        return lo, hi


def resolve_period(preset: str | None, today: date, start: date | None = None, end: date | None = None) -> Period:
    """The days a period button means on ``today`` (an unknown code gives the default).

    minggu: Monday of this week .. today.  bulan: the 1st .. today.  30h: the last 30 days
    including today.  custom: ``start`` .. ``end`` (swapped if reversed; a missing end is today,
    a missing start gives the 30-day window).
    """
    if preset == "minggu":
        return Period(today - timedelta(days=today.weekday()), today, preset)
    if preset == "bulan":
        return Period(today.replace(day=1), today, preset)
    if preset == "custom":
        end = end or today
        start = start or end - timedelta(days=29)
        if start > end:
            start, end = end, start
        return Period(start, end, preset)
    return Period(today - timedelta(days=29), today, DEFAULT_PRESET)


def default_period(
    as_of: pd.Timestamp, tz: str, start: str | None, end: str | None, last_received: pd.Timestamp | None = None,
) -> Period:
    """The CLI's --from/--to as local dates. Defaults: the 30 days ending at the data's last day,
    the earlier of as_of's local date and the last complaint's receipt (an export that ended a
    year before it was imported opens on its own last 30 days, not on an empty window)."""
    last = reference_day(as_of, tz, last_received)
    end_d = pd.Timestamp(end).date() if end else last
    start_d = pd.Timestamp(start).date() if start else end_d - pd.Timedelta(days=29)
    return Period(start_d, end_d)


def reference_day(as_of: pd.Timestamp, tz: str, last_received: pd.Timestamp | None = None) -> date:
    """The day the default periods end on ("minggu ini", "30 hari"): the data moment's local
    date, or the last complaint's receipt date when that is earlier (data that stopped before it
    was exported or imported)."""
    day = pd.Timestamp(as_of).tz_convert(tz).date()
    if last_received is not None:
        day = min(day, pd.Timestamp(last_received).tz_convert(tz).date())
    return day


def iso_week(label: str) -> Period:
    """``2025-W24`` -> Monday..Sunday of that ISO week."""
    try:
        year, week = label.upper().split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError as exc:
        raise ValueError(f"not an ISO week: {label!r} (expected e.g. 2025-W24)") from exc
    return Period(monday, monday + timedelta(days=6))
