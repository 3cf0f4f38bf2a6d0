"""Reporting periods: inclusive ranges of local dates, and the UTC instants that bound them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd


@dataclass(frozen=True)
class Period:
    """Local dates ``start``..``end`` inclusive, in the policy's zone."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of equal length that ends the day before this one starts."""
        return Period(self.start - timedelta(days=self.days), self.start - timedelta(days=1))

    def utc_bounds(self, tz: str) -> tuple[pd.Timestamp, pd.Timestamp]:
        """[start, end) as UTC instants: local midnight of ``start`` to local midnight after ``end``."""
        lo = pd.Timestamp(self.start).tz_localize(tz).tz_convert("UTC")
        hi = pd.Timestamp(self.end + timedelta(days=1)).tz_localize(tz).tz_convert("UTC")
        return lo, hi


def local_today(as_of: pd.Timestamp, tz: str) -> date:
    return pd.Timestamp(as_of).tz_convert(tz).date()


def this_week(as_of: pd.Timestamp, tz: str) -> Period:
    """Monday of as_of's ISO week to as_of's local date."""
    d = local_today(as_of, tz)
    return Period(d - timedelta(days=d.weekday()), d)


def this_month(as_of: pd.Timestamp, tz: str) -> Period:
    d = local_today(as_of, tz)
    return Period(d.replace(day=1), d)


def last_days(as_of: pd.Timestamp, tz: str, n: int = 30) -> Period:
    d = local_today(as_of, tz)
    return Period(d - timedelta(days=n - 1), d)


def iso_week(label: str) -> Period:
    """``2025-W24`` -> Monday..Sunday of that ISO week."""
    try:
        year, week = label.upper().split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError as exc:
        raise ValueError(f"not an ISO week: {label!r} (expected e.g. 2025-W24)") from exc
    return Period(monday, monday + timedelta(days=6))
