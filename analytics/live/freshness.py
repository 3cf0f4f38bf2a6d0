"""How old the data is: per source, its newest snapshot, its age in working days, and whether it
is stale (docs/metrics.md, "How old the data is"). Every page's data line, the command-centre
wall and the review pack take the age and the warning from here.

The one definition:
- a **source** is where complaints come from (``import_batches.source``: ``sp4n-lapor``,
  ``lapor-aa-bupati``, ``demo``, ...); its **snapshot** is the moment its newest import describes
  (``snapshot_at``: when the export was taken);
- a snapshot's **age** at ``now`` is the number of working days d with
  snapshot's date < d <= now's date, both dates in the policy's zone, on the policy's working-day
  calendar (``workcal.elapsed_working_days``, the count the SLA clock uses): a Friday snapshot read
  on Monday is 1 working day old, read on Friday itself 0; a holiday in between does not count.
  The hours since the snapshot are kept too (``hours``), to say "3 jam lalu" on the same day;
- a source is **stale** when its age is more than its threshold (the policy's ``[freshness]``
  table, default 2 working days: a daily export missed twice);
- the data is stale when any source is: a channel that stopped is part of the numbers too. The
  data's moment (``newest``) is the newest snapshot of all sources, the ``as_of`` the pages judge at.

``snapshots`` is the one read (cache it on the data version); ``data_age`` is pure: the moment
``now`` and the calendar come in as arguments, never from the clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.rules.policy import FreshnessRule
from analytics.rules.workcal import WorkCalendar, elapsed_working_days
from analytics.textfmt import fmt_int, fmt_limit

# Names people know the sources by; any other source shows as stored.
SOURCE_LABELS = {"sp4n-lapor": "SP4N-LAPOR!", "lapor-aa-bupati": "Lapor AA Bupati", "demo": "demo"}


@dataclass(frozen=True)
class SourceAge:
    """One source's newest snapshot and its age at ``DataAge.now``."""

    source: str
    snapshot_at: pd.Timestamp  # UTC
    working_days: int  # working days since the snapshot's date (0 on the same day or over a weekend)
    hours: float  # hours since the snapshot (0 for a snapshot later than now)
    threshold: int  # working days it may be old (the policy's [freshness])
    batches: int  # imports of this source in the store

    @property
    def stale(self) -> bool:
        return self.working_days > self.threshold

    @property
    def over(self) -> int:
        """Working days past the threshold (0 when fresh)."""
        return max(0, self.working_days - self.threshold)

    @property
    def label(self) -> str:
        return source_label(self.source)

    def words(self, lang: str = "id", *, ago: bool = True) -> str:
        """Its age in words (``age_words``): ``3 hari kerja lalu``."""
        return age_words(self.working_days, self.hours, lang, ago=ago)


@dataclass(frozen=True)
class DataAge:
    """How old the store's data is at ``now``. ``sources`` oldest first; ``worst`` the source most
    past its threshold (else the oldest); ``newest`` the newest snapshot of all (the data moment).
    Empty store: no sources, ``newest`` None, not stale."""

    now: pd.Timestamp
    sources: tuple[SourceAge, ...]

    @property
    def newest(self) -> pd.Timestamp | None:
        return max((s.snapshot_at for s in self.sources), default=None)

    @property
    def current(self) -> SourceAge | None:
        """The source with the newest snapshot: its age is the data's age."""
        return max(self.sources, key=lambda s: s.snapshot_at, default=None)

    @property
    def working_days(self) -> int | None:
        return None if self.current is None else self.current.working_days

    @property
    def hours(self) -> float | None:
        return None if self.current is None else self.current.hours

    @property
    def stale_sources(self) -> tuple[SourceAge, ...]:
        return tuple(s for s in self.sources if s.stale)

    @property
    def stale(self) -> bool:
        return bool(self.stale_sources)

    @property
    def worst(self) -> SourceAge | None:
        return max(self.sources, key=lambda s: (s.over, s.working_days, -s.snapshot_at.value), default=None)

    def words(self, lang: str = "id", *, ago: bool = True) -> str:
        """The data's age in words ("" for an empty store)."""
        return "" if self.current is None else self.current.words(lang, ago=ago)

    def stale_sentence(self, lang: str = "id") -> str:
        """``stale_sentence(self, lang)``: the warning naming every stale source ("" when none)."""
        return stale_sentence(self, lang)


def snapshots(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per source: its newest snapshot (UTC) and how many imports it has. Columns source,
    snapshot_at, batches; one row per source, oldest snapshot first."""
    frame = con.execute(
        "SELECT source, max(snapshot_at) AS snapshot_at, count(*) AS batches FROM import_batches "
        "WHERE snapshot_at IS NOT NULL GROUP BY source ORDER BY 2, 1"
    ).df()
    frame["snapshot_at"] = pd.to_datetime(frame["snapshot_at"], utc=True)
    return frame


def _dates_in(cal: WorkCalendar, moments: pd.Series, tz: str) -> np.ndarray:
    """Local dates of ``moments``, held inside the calendar's range (a date before it counts from
    its first day: still far past any threshold; after it: its last day)."""
    local = moments.dt.tz_convert(tz).dt.tz_localize(None).to_numpy().astype("datetime64[D]")
    return np.clip(local, cal.first, cal.last)


def data_age(snaps: pd.DataFrame, now: pd.Timestamp, rule: FreshnessRule, cal: WorkCalendar, tz: str) -> DataAge:
    """The verdict over ``snapshots(con)``: each source's age at ``now`` (aware) in working days on
    ``cal`` (the policy's calendar, ``metrics.clock.policy_calendar``) with dates in ``tz`` (the
    policy's zone), and its threshold from ``rule`` (``policy.freshness``). A snapshot later than
    ``now`` (a clock ahead) counts as 0 days and 0 hours old."""
    now = pd.Timestamp(now).tz_convert("UTC")
    if snaps.empty:
        return DataAge(now=now, sources=())
    taken = pd.to_datetime(snaps["snapshot_at"], utc=True).reset_index(drop=True)
    d0 = _dates_in(cal, taken, tz)
    d1 = _dates_in(cal, pd.Series([now] * len(taken)), tz)
    days = np.maximum(elapsed_working_days(cal, d0, d1, tz), 0)
    hours = np.maximum((now - taken).dt.total_seconds().to_numpy() / 3600.0, 0.0)
    rows = [
        SourceAge(source=str(src), snapshot_at=ts, working_days=int(wd), hours=float(h),
                  threshold=rule.threshold(str(src)), batches=int(n))
        for src, ts, wd, h, n in zip(snaps["source"], taken, days, hours, snaps["batches"], strict=True)
    ]
    rows.sort(key=lambda s: (s.snapshot_at, s.source))
    return DataAge(now=now, sources=tuple(rows))


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source)


def age_words(working_days: int, hours: float, lang: str = "id", *, ago: bool = True) -> str:
    """The age in words: ``baru saja`` (under an hour), ``3 jam lalu`` (the same day),
    ``2 hari lalu (hari libur)`` (days that were no working days), ``1 hari kerja lalu``.
    ``ago=False`` gives the duration alone: ``kurang dari 1 jam``, ``3 jam``, ``1 hari kerja``."""
    en = lang == "en"
    tail = (" ago" if en else " lalu") if ago else ""
    if working_days > 0:
        return fmt_limit(working_days, None, lang=lang) + tail
    if hours < 1:
        if ago:
            return "just now" if en else "baru saja"
        return "less than 1 hour" if en else "kurang dari 1 jam"
    if hours < 24:
        h = max(1, math.floor(hours))
        return (f"{fmt_int(h, lang=lang)} hour{'s' if h != 1 else ''}" if en else f"{fmt_int(h)} jam") + tail
    days = math.floor(hours / 24)
    if en:
        return f"{fmt_int(days, lang=lang)} day{'s' if days != 1 else ''}{tail} (days off)"
    return f"{fmt_int(days)} hari{tail} (hari libur)"


def limit_words(threshold: int, lang: str = "id") -> str:
    """``2 hari kerja`` / ``2 working days`` (textfmt.fmt_limit)."""
    return fmt_limit(threshold, None, lang=lang)


def stale_sentence(age: DataAge, lang: str = "id") -> str:
    """One sentence naming every stale source with its age and limit ("" when none is stale):
    ``Data SP4N-LAPOR! terakhir 5 hari kerja lalu (batas 2 hari kerja).``"""
    parts = [f"{s.label} {age_words(s.working_days, s.hours, lang)}" for s in age.stale_sources]
    if not parts:
        return ""
    limits = sorted({s.threshold for s in age.stale_sources})
    limit = " / ".join(limit_words(n, lang) for n in limits)
    if lang == "en":
        return f"Data out of date: {', '.join(parts)} (limit {limit})."
    return f"Data terlambat: {', '.join(parts)} (batas {limit})."
