"""Gaming habits planted in the demo regency, so the closure-quality signals (analytics/metrics/
quality.py, docs/metrics.md "Closure quality") show a leader something at first sight:

- ``bulk``: Dinas Lingkungan Hidup closes a dozen complaints within a few minutes at the end of
  a working day, about once a month ("tutup massal");
- ``deadline``: Dinas Sosial answers most complaints on the last day the SLA allows, in the
  afternoon, still on time ("mepet tenggat");
- ``ping_pong``: Dinas Perhubungan's complaints are redispatched three times now and then
  ("dilempar");
- ``low_rating``: Perumda Air Minum's closed complaints are often rated 1 or 2 by the citizen.

Each habit uses its own random stream (``seed`` + a constant), so the rest of the demo is the same
complaint for complaint. A regency without one of these units simply lacks that habit.
"""

from __future__ import annotations

import numpy as np

from analytics.demo import calendar as tm

HABIT_SEED = 1_009
BULK_UNIT, DEADLINE_UNIT, PING_PONG_UNIT, LOW_RATING_UNIT = "dlh", "dinsos", "dishub", "pdam"
BULK_EVERY_DAYS, BULK_SIZE, BULK_GAP_S = 28, 12, 25  # a dozen closures 25 s apart
BULK_AT = 16 * tm.HOUR + 40 * 60  # 16.40, the end of the office day
DEADLINE_SHARE, FOLLOW_UP_DAYS = 0.65, 5  # the SP4N-LAPOR! follow-up limit
PING_PONG_SHARE, LOW_RATING_SHARE = 0.06, 0.35


def plant(seed: int, unit_index: dict[str, int], unit: np.ndarray, dispatched: np.ndarray, first: np.ndarray,
          resolved: np.ndarray, status: np.ndarray, redispatch: np.ndarray, rating: np.ndarray,
          cal: tm.WorkCalendar, start_s: int, end_s: int) -> None:
    """Change the arrays in place (local seconds; tm.NEVER for a time not reached)."""
    rng = np.random.default_rng(seed + HABIT_SEED)
    if BULK_UNIT in unit_index:
        _bulk(rng, np.flatnonzero(unit == unit_index[BULK_UNIT]), first, resolved, cal, start_s, end_s)
    if DEADLINE_UNIT in unit_index:
        _deadline(rng, np.flatnonzero(unit == unit_index[DEADLINE_UNIT]), dispatched, first, resolved, cal, end_s)
    if PING_PONG_UNIT in unit_index:
        mine = np.flatnonzero((unit == unit_index[PING_PONG_UNIT]) & (dispatched != tm.NEVER))
        redispatch[mine[rng.random(len(mine)) < PING_PONG_SHARE]] = 3
    if LOW_RATING_UNIT in unit_index:
        done = np.flatnonzero((unit == unit_index[LOW_RATING_UNIT]) & (status == 5))
        low = done[rng.random(len(done)) < LOW_RATING_SHARE]
        rating[low] = rng.integers(1, 3, len(low))


def _bulk(rng: np.random.Generator, mine: np.ndarray, first: np.ndarray, resolved: np.ndarray, cal: tm.WorkCalendar,
          start_s: int, end_s: int) -> None:
    """Every ~4 weeks, the unit's complaints due to close in the next ten working days are closed
    at once, 16.40 on a working day (only those answered before then: a closure never precedes
    the first response)."""
    done = mine[(resolved[mine] != tm.NEVER) & (first[mine] != tm.NEVER)]
    for day in range(start_s // tm.DAY + 30, end_s // tm.DAY - 2, BULK_EVERY_DAYS):
        at_day = int(cal.offset(np.array([day]), np.array([0]))[0])
        burst = at_day * tm.DAY + BULK_AT
        if burst >= end_s:
            break
        horizon = int(cal.offset(np.array([at_day]), np.array([10]))[0]) * tm.DAY
        pool = done[(resolved[done] > burst) & (resolved[done] < horizon) & (first[done] < burst)]
        if len(pool) < BULK_SIZE:
            continue
        chosen = rng.choice(pool, BULK_SIZE, replace=False)
        resolved[chosen] = burst + BULK_GAP_S * np.arange(BULK_SIZE) + rng.integers(0, 20, BULK_SIZE)


def _deadline(rng: np.random.Generator, mine: np.ndarray, dispatched: np.ndarray, first: np.ndarray,
              resolved: np.ndarray, cal: tm.WorkCalendar, end_s: int) -> None:
    """Answers that came early move to the afternoon of the follow-up deadline's day (still on
    time, and never past the demo's end); a resolution before the moved answer moves after it."""
    live = mine[(dispatched[mine] != tm.NEVER) & (first[mine] != tm.NEVER)]
    deadline_day = cal.offset(dispatched[live] // tm.DAY, np.full(len(live), FOLLOW_UP_DAYS))
    last_moment = deadline_day * tm.DAY + 16 * tm.HOUR + 30 * 60
    early = ((first[live] < deadline_day * tm.DAY) & (last_moment + 4 * tm.HOUR < end_s)
             & (rng.random(len(live)) < DEADLINE_SHARE))
    moved = live[early]
    first[moved] = last_moment[early] - rng.integers(0, 90 * 60, len(moved))
    behind = moved[(resolved[moved] != tm.NEVER) & (resolved[moved] < first[moved])]
    resolved[behind] = first[behind] + rng.integers(30 * 60, 3 * tm.HOUR, len(behind))
