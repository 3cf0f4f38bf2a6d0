"""The Indonesian working-day calendar and vectorised working-day arithmetic.

A working day is a day of the week mask (Monday-Friday) that is not a libur nasional or cuti
bersama, plus any extra day (a Saturday) that the local override file declares worked. The
national list comes from the ``holidays`` package (country ``ID``, categories ``public`` =
libur nasional and ``government`` = cuti bersama); ``data/holidays/overrides.toml`` adds regional
holidays, removes days and declares worked Saturdays (format: docs/calendar.md).

``numpy.busday_*`` cannot count a single extra worked Saturday, so the calendar keeps its own
cumulative working-day index over the whole covered date range: ``elapsed = idx[d1] - idx[d0]``
and "the n-th working day after d" is one lookup in the list of working days. Both are O(1) per
row and fully vectorised (a million rows take tens of milliseconds).

Conventions: a *date* is a ``numpy.datetime64[D]`` (a local calendar date, no time zone); a
*timestamp* is a tz-aware pandas datetime. Timestamps become dates through ``local_dates`` in a
policy's time zone.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

import holidays
import numpy as np
import pandas as pd

# The shipped local override file; load_calendar uses it when no other path is given.
DEFAULT_OVERRIDE_PATH = Path(__file__).resolve().parents[2] / "data" / "holidays" / "overrides.toml"
DEFAULT_TZ = "Asia/Jakarta"
# Every year a complaint channel can plausibly have data for, and that the holidays package lists
# Indonesia's days off for (cuti bersama from the SKBs it knows): 1990-2050. Built once per process
# (about 0,06 s), so an export from 2012 or a comparison period reaching back before 2015 never
# stops a league.
DEFAULT_YEARS = range(1990, 2051)
WEEKMASK = "1111100"  # Monday-Friday; Saturdays worked come from the override file
# holidays' categories: "public" = libur nasional, "government" = cuti bersama (SKB 3 Menteri).
HOLIDAY_TYPES = {"public": "libur_nasional", "government": "cuti_bersama"}

_ONE_DAY = np.timedelta64(1, "D")
_ONE_US = np.timedelta64(1, "us")


@dataclass(frozen=True, eq=False)
class WorkCalendar:
    """Working days between ``first`` and ``last`` (inclusive local dates).

    ``holidays`` is a sorted ``datetime64[D]`` array that ``np.busdaycalendar`` accepts (national
    list after the overrides). ``extra_workdays`` are non-mask days that are worked anyway (they win
    over ``holidays`` and the week mask). ``np.busdaycalendar`` cannot express those, so use the
    functions in this module, not ``np.busday_*``, for anything that must respect them.
    """

    holidays: np.ndarray
    first: np.datetime64
    last: np.datetime64
    weekmask: str = WEEKMASK
    extra_workdays: np.ndarray = field(default_factory=lambda: np.array([], "datetime64[D]"))
    # working[i] is True when first + i days is a working day; cum[i] counts the working days in
    # [first, first + i]; nth[k - 1] is the day offset of the k-th working day. Derived, so
    # excluded from the constructor.
    _working: np.ndarray = field(init=False, repr=False)
    _cum: np.ndarray = field(init=False, repr=False)
    _nth: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        hol = np.unique(np.asarray(self.holidays, dtype="datetime64[D]"))
        extra = np.unique(np.asarray(self.extra_workdays, dtype="datetime64[D]"))
        first = np.datetime64(self.first, "D")
        last = np.datetime64(self.last, "D")
        if last < first:
            raise ValueError(f"calendar range is empty: {first}..{last}")
        days = np.arange(first, last + _ONE_DAY, dtype="datetime64[D]")
        working = np.is_busday(days, weekmask=self.weekmask, holidays=hol)
        working |= np.isin(days, extra)
        cum = np.cumsum(working, dtype=np.int64)
        for name, value in (
            ("holidays", hol),
            ("extra_workdays", extra),
            ("first", first),
            ("last", last),
            ("_working", working),
            ("_cum", cum),
            ("_nth", np.flatnonzero(working)),
        ):
            if isinstance(value, np.ndarray):
                value.flags.writeable = False  # frozen means frozen: shared across sessions
            object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorkCalendar):
            return NotImplemented
        return (
            self.first == other.first
            and self.last == other.last
            and np.array_equal(self._working, other._working)
        )

    def __hash__(self) -> int:
        return hash((str(self.first), str(self.last), self._working.tobytes()))

    def __repr__(self) -> str:
        # The default repr prints hundreds of dates; a summary is what a log or a test needs.
        return (
            f"WorkCalendar({self.first}..{self.last}, {len(self.holidays)} holidays, "
            f"{len(self.extra_workdays)} extra workdays, weekmask={self.weekmask!r})"
        )

    @property
    def busdaycalendar(self) -> np.busdaycalendar:
        """The national part as an ``np.busdaycalendar`` (ignores ``extra_workdays``)."""
        return np.busdaycalendar(weekmask=self.weekmask, holidays=self.holidays)

    def _index(self, dates: np.ndarray) -> np.ndarray:
        """Day offsets from ``first`` (int64); raises if a non-NaT date is outside the range."""
        missing = np.isnat(dates)
        offsets = (dates - self.first).astype(np.int64)  # NaT becomes garbage: zeroed next
        offsets[missing] = 0
        if len(offsets):
            lo, hi = offsets.min(), offsets.max()
            if lo < 0 or hi >= len(self._cum):
                raise ValueError(
                    f"date outside the working-day calendar {self.first}..{self.last}: "
                    f"{self.first + lo} .. {self.first + hi}. Pantau counts working days for these "
                    "years only; a date outside them is most likely a typo in the export: correct it "
                    "in the file (or choose a period inside the range) and import again"
                )
        return offsets


def holiday_table(years: range | None = None) -> pd.DataFrame:
    """National days off from the ``holidays`` package, before local overrides.

    Returns columns ``date`` (datetime64[s]), ``type`` (``libur_nasional`` | ``cuti_bersama``),
    ``name_id`` (Indonesian name; several names on one day are joined with ``"; "``), sorted by
    date then type. One row per date and type: a day can be both.
    """
    years = DEFAULT_YEARS if years is None else years
    rows: list[tuple[dt.date, str, str]] = []
    for category, kind in HOLIDAY_TYPES.items():
        table = holidays.country_holidays(
            "ID", years=list(years), categories=(category,), language="id"
        )
        rows.extend((day, kind, name) for day, name in table.items())
    frame = pd.DataFrame(rows, columns=["date", "type", "name_id"])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[s]")
    return frame.sort_values(["date", "type"], ignore_index=True)


def load_calendar(
    years: range | None = None, override_path: str | Path | None = None
) -> WorkCalendar:
    """Build the working-day calendar for ``years`` (default DEFAULT_YEARS, 1990-2050).

    ``override_path`` is a local override TOML; ``None`` uses ``data/holidays/overrides.toml``
    when it exists. The calendar covers 1 January of the first year to 31 December of the last;
    working-day arithmetic outside that range raises ``ValueError``. Years beyond the latest SKB
    have estimated Islamic holidays and no cuti bersama (the ``holidays`` package's own limits).
    A bad override file raises ``ValueError`` naming the file and the problem.
    """
    years = DEFAULT_YEARS if years is None else years
    if len(years) == 0:
        raise ValueError("load_calendar: years is empty")
    first = np.datetime64(f"{min(years):04d}-01-01", "D")
    last = np.datetime64(f"{max(years):04d}-12-31", "D")
    national = np.unique(holiday_table(years)["date"].to_numpy().astype("datetime64[D]"))

    path = Path(override_path) if override_path is not None else DEFAULT_OVERRIDE_PATH
    if override_path is None and not path.exists():
        return WorkCalendar(holidays=national, first=first, last=last)
    added, removed, workdays = read_overrides(path)
    in_range = lambda d: d[(d >= first) & (d <= last)]  # noqa: E731 - tiny local helper
    removed, workdays = in_range(removed), in_range(workdays)

    not_holidays = removed[~np.isin(removed, national)]
    if len(not_holidays):
        raise ValueError(
            f"{path}: [[remove]] lists {', '.join(map(str, not_holidays))}, "
            "which is not a national holiday"
        )
    hol = np.setdiff1d(np.union1d(national, added), removed)
    already = workdays[np.is_busday(workdays, weekmask=WEEKMASK, holidays=hol)]
    if len(already):
        raise ValueError(
            f"{path}: [[workday]] lists {', '.join(map(str, already))}, "
            "which is already a working day"
        )
    # A worked day is by definition not a day off: drop it from the holiday list too, so the
    # busdaycalendar view and the holiday array never contradict the extra workdays.
    hol = np.setdiff1d(hol, workdays)
    return WorkCalendar(holidays=hol, first=first, last=last, extra_workdays=workdays)


_OVERRIDE_TABLES = ("add", "remove", "workday")
_OVERRIDE_KEYS = {"date", "name", "reason", "source"}


def read_overrides(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parse an override TOML into (added holidays, removed holidays, worked days).

    Each is a sorted ``datetime64[D]`` array. Format (docs/calendar.md): arrays of tables
    ``[[add]]``, ``[[remove]]`` and ``[[workday]]``, each entry with a ``date`` (TOML date or
    ``"YYYY-MM-DD"``) and optional ``name``, ``reason``, ``source``. Raises ``ValueError`` naming
    the file for unknown keys, bad dates, duplicates or a date listed in two tables.
    """
    path = Path(path)
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValueError(f"{path}: calendar override file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(doc) - set(_OVERRIDE_TABLES)
    if unknown:
        raise ValueError(
            f"{path}: unknown table(s) {sorted(unknown)}; expected {list(_OVERRIDE_TABLES)}"
        )
    parsed: dict[str, list[dt.date]] = {}
    for table in _OVERRIDE_TABLES:
        entries = doc.get(table, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ValueError(f"{path}: {table} must be an array of tables: write [[{table}]]")
        days = []
        for i, entry in enumerate(entries, start=1):
            where = f"{path}: [[{table}]] entry {i}"
            extra = set(entry) - _OVERRIDE_KEYS
            if extra:
                raise ValueError(f"{where}: unknown key(s) {sorted(extra)}")
            days.append(_override_date(entry.get("date"), where))
        dupes = sorted({d for d in days if days.count(d) > 1})
        if dupes:
            raise ValueError(f"{path}: [[{table}]] lists {dupes[0]} more than once")
        parsed[table] = days
    for a, b in (("add", "remove"), ("add", "workday"), ("remove", "workday")):
        both = sorted(set(parsed[a]) & set(parsed[b]))
        if both:
            raise ValueError(f"{path}: {both[0]} is in both [[{a}]] and [[{b}]]")
    added, removed, workdays = (
        np.array(sorted(parsed[t]), dtype="datetime64[D]") for t in _OVERRIDE_TABLES
    )
    return added, removed, workdays


def _override_date(value: object, where: str) -> dt.date:
    """A plain calendar date from a TOML value (date or ISO string), else ValueError."""
    if value is None:
        raise ValueError(f"{where}: missing date")
    if isinstance(value, dt.datetime):  # datetime is a date subclass: reject it first
        raise ValueError(f"{where}: date {value} has a time; write a plain date like 2025-08-18")
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: bad date {value!r}; write it like 2025-08-18") from None


def local_dates(ts: pd.Series | pd.Index | np.ndarray, tz: str = DEFAULT_TZ) -> np.ndarray:
    """Calendar date of each timestamp in time zone ``tz`` as ``datetime64[D]`` (NaT stays NaT).

    ``ts`` must be tz-aware (any zone). A column that is entirely missing may be naive or object.
    A ``datetime64[D]`` array is taken as dates already and returned unchanged.
    """
    if isinstance(ts, np.ndarray) and ts.dtype == np.dtype("datetime64[D]"):
        return ts
    s = _as_aware(ts)
    utc = s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]", copy=False)
    return _utc_to_local_dates(utc, tz)


def is_working_day(cal: WorkCalendar, dates: np.ndarray | pd.Series) -> np.ndarray:
    """Boolean array: is each date a working day (False for NaT)."""
    d = _as_dates(dates)
    idx = cal._index(d)
    return np.where(np.isnat(d), False, cal._working[idx])


def elapsed_working_days(
    cal: WorkCalendar,
    t0: pd.Series | np.ndarray,
    t1: pd.Series | np.ndarray,
    tz: str = DEFAULT_TZ,
) -> np.ndarray:
    """Working days d with local_date(t0) < d <= local_date(t1), as float (NaN if either is missing).

    Same local day gives 0; t1 before t0 gives a negative count. ``t0``/``t1`` are tz-aware
    timestamps or ``datetime64[D]`` local dates.
    """
    d0, d1 = local_dates(t0, tz), local_dates(t1, tz)
    d0, d1 = np.broadcast_arrays(d0, d1)
    missing = np.isnat(d0) | np.isnat(d1)
    out = (cal._cum[cal._index(d1)] - cal._cum[cal._index(d0)]).astype(float)
    out[missing] = np.nan
    return out


def add_working_days(
    cal: WorkCalendar, dates: np.ndarray | pd.Series, n: int | float | np.ndarray
) -> np.ndarray:
    """The n-th working day after each date (``datetime64[D]``).

    n = 0 returns the date itself (working or not); n < 0 gives the |n|-th working day before it.
    ``n`` is a scalar or an array (NaN gives NaT, as does a NaT date). Raises ``ValueError`` when a
    result falls outside the calendar.
    """
    d = _as_dates(dates)
    n_arr = np.asarray(n, dtype=float)
    d, n_arr = np.broadcast_arrays(d, n_arr)
    if np.any(n_arr[~np.isnan(n_arr)] % 1):
        raise ValueError("add_working_days: n must be whole days")
    missing = np.isnat(d) | np.isnan(n_arr)
    k = np.where(missing, 0, n_arr).astype(np.int64)
    idx = cal._index(np.where(missing, cal.first, d))

    # Working days are numbered 1, 2, ... from `first`; cum[i] is the number of the last working
    # day on or before i. The n-th after i has number cum[i] + n; the |n|-th before i has number
    # (working days strictly before i) - |n| + 1. nth[number - 1] is the day with that number.
    before = cal._cum[idx] - cal._working[idx]
    target = np.where(k > 0, cal._cum[idx] + k, before + k + 1)
    bad = ~missing & (k != 0) & ((target < 1) | (target > len(cal._nth)))
    found = np.where(
        k == 0, idx, cal._nth[np.clip(target, 1, max(len(cal._nth), 1)) - 1]
    )
    if bad.any():
        raise ValueError(
            f"add_working_days: result outside the calendar {cal.first}..{cal.last} "
            f"(e.g. {d[bad][0]} {'+' if k[bad][0] >= 0 else ''}{k[bad][0]} working days)"
        )
    out = cal.first + np.where(missing, 0, found).astype("timedelta64[D]")
    out[missing] = np.datetime64("NaT")
    return out


def deadlines(
    cal: WorkCalendar,
    t0: pd.Series,
    days: np.ndarray | float | None = None,
    hours: np.ndarray | float | None = None,
    tz: str = DEFAULT_TZ,
) -> pd.Series:
    """Deadline of a stage starting at each ``t0``, as a tz-aware UTC Series (index of ``t0``).

    Per row exactly one of ``days``/``hours`` may be set (NaN = not set; both NaN gives NaT):
    ``days = N`` ends at 23:59:59.999999 local (the next local midnight minus 1 microsecond) of the
    N-th working day after local_date(t0); ``hours = N`` is t0 + N calendar hours.
    """
    s = _as_aware(t0)
    start = s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]", copy=False)
    values = _deadline_values(cal, start, days, hours, tz)
    return pd.Series(values, index=s.index).dt.tz_localize("UTC")


def _deadline_values(
    cal: WorkCalendar,
    start_utc: np.ndarray,
    days: np.ndarray | float | None,
    hours: np.ndarray | float | None,
    tz: str,
    start_dates: np.ndarray | None = None,
) -> np.ndarray:
    """``deadlines`` on naive-UTC ``datetime64[us]`` values; returns the same kind of array.

    ``start_dates`` (the local dates of ``start_utc``) saves a conversion when already known.
    """
    n = len(start_utc)
    d = np.broadcast_to(np.asarray(np.nan if days is None else days, dtype=float), (n,))
    h = np.broadcast_to(np.asarray(np.nan if hours is None else hours, dtype=float), (n,))
    has_start = ~np.isnat(start_utc)
    by_days = has_start & ~np.isnan(d)
    by_hours = has_start & ~np.isnan(h)
    if np.any(by_days & by_hours):
        raise ValueError("deadlines: a row has both a days and an hours limit")
    out = np.full(n, np.datetime64("NaT", "us"))

    if by_days.any():
        if start_dates is None:
            start_dates = _utc_to_local_dates(start_utc[by_days], tz)
        else:
            start_dates = start_dates[by_days]
        end_day = add_working_days(cal, start_dates, d[by_days])
        # The *next* local midnight minus 1 us: exact in every zone, DST or not.
        out[by_days] = _local_midnight_to_utc(end_day + _ONE_DAY, tz) - _ONE_US
    if by_hours.any():
        # Round to whole microseconds: fractional hours are allowed (e.g. 1.5 = 90 minutes).
        delta = np.rint(h[by_hours] * 3_600_000_000).astype("timedelta64[us]")
        out[by_hours] = start_utc[by_hours] + delta
    return out


def _utc_to_local_dates(values: np.ndarray, tz: str) -> np.ndarray:
    """Local dates (``datetime64[D]``) of naive-UTC ``datetime64`` values (NaT stays NaT)."""
    values = np.asarray(values).astype("datetime64[us]", copy=False)
    offset = _fixed_offset(tz, *_year_span(values))
    if offset is not None:
        return (values + offset).astype("datetime64[D]")
    local = pd.Series(values).dt.tz_localize("UTC").dt.tz_convert(tz).dt.tz_localize(None)
    return local.to_numpy().astype("datetime64[D]")


def _local_midnight_to_utc(dates: np.ndarray, tz: str) -> np.ndarray:
    """Naive-UTC ``datetime64[us]`` of local midnight at the start of each date."""
    midnight = dates.astype("datetime64[us]")
    offset = _fixed_offset(tz, *_year_span(midnight))
    if offset is not None:
        return midnight - offset
    # A DST zone may skip midnight; the day then starts at the first instant that exists.
    idx = pd.DatetimeIndex(midnight).tz_localize(tz, nonexistent="shift_forward")
    return idx.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[us]")


def _year_span(values: np.ndarray) -> tuple[int, int]:
    """(first year, last year) of the non-NaT values; (1970, 1970) when there are none."""
    valid = values[~np.isnat(values)]
    if not len(valid):
        return 1970, 1970
    lo, hi = valid.min().astype("datetime64[Y]"), valid.max().astype("datetime64[Y]")
    return int(lo.astype(int)) + 1970, int(hi.astype(int)) + 1970


@functools.lru_cache(maxsize=64)
def _fixed_offset(tz: str, first_year: int, last_year: int) -> np.timedelta64 | None:
    """The zone's UTC offset if it is constant over the years (WIB/WITA/WIT are), else None.

    With a constant offset, local time is one vectorised addition; pandas' general tz_convert
    costs several times more per million rows. Checked daily, so any DST period shows up.
    """
    if last_year - first_year > 200:  # absurd data years: not worth the check, use pandas
        return None
    zone = zoneinfo.ZoneInfo(tz)
    day = dt.datetime(first_year, 1, 1, 12, tzinfo=dt.UTC)
    offsets = set()
    while day.year <= last_year:
        offsets.add(day.astimezone(zone).utcoffset())
        day += dt.timedelta(days=1)
    if len(offsets) != 1:
        return None
    return np.timedelta64(int(offsets.pop().total_seconds()), "s").astype("timedelta64[us]")


def _as_aware(ts: pd.Series | pd.Index | np.ndarray) -> pd.Series:
    """A tz-aware datetime Series; an all-missing column of any dtype becomes all-NaT UTC."""
    s = ts if isinstance(ts, pd.Series) else pd.Series(ts)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s
    if s.isna().all():
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[us, UTC]")
    raise ValueError(
        f"expected tz-aware timestamps, got dtype {s.dtype}; "
        "localise with .dt.tz_localize('UTC') (the canonical model stores UTC)"
    )


def _as_dates(dates: np.ndarray | pd.Series | pd.Index) -> np.ndarray:
    """``datetime64[D]`` array from dates or naive datetimes (their date part).

    Tz-aware timestamps are refused: which date they fall on depends on a time zone, so the
    caller must say which one with ``local_dates(ts, tz)``.
    """
    if isinstance(dates, (pd.Series, pd.Index)) and isinstance(dates.dtype, pd.DatetimeTZDtype):
        raise ValueError("expected local dates; convert timestamps with local_dates(ts, tz) first")
    return np.atleast_1d(np.asarray(dates, dtype="datetime64[D]"))
