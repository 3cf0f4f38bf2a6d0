"""The breach forecast: for every stage open at ``as_of``, the probability that it ends after its
deadline, from the owning unit's own recent stage durations; per unit, the breaches to expect in
the next few working days. Plain words and the backtest that says how far to trust it:
docs/forecast.md.

The model, in working days as the clock counts them (docs/metrics.md, "Working days"):

- **Duration** T of a stage: the working days from its start's local date to its end's, the
  clock's ``working_days_elapsed``, with one refinement so that "T > L" is exactly the clock's
  "late" for an L-working-day limit (deadline: the end of the L-th working day): an end on a day
  off counts half a day more than the working day before it (an answer on the Saturday after a
  Friday deadline is late, yet 5 working days elapsed). So T takes the values 0, ½, 1, 1½, ...:
  k = ended during the k-th working day after the start's date (0: on that date), k + ½ =
  ended on the days off after it.
- **Where a moment lies** on that scale (a stage still open at ``as_of``, a deadline given as an
  instant): with k the working days from the start's date to the moment's, k - ½ + ½·f on a
  working day, f the share of that local day gone (00.00 -> 0, 12.00 -> ½, the deadline
  23.59.59,999999 -> 1, i.e. exactly L for an L-working-day deadline), and k on a day off.
- **S(t) = P(T > t)**, Kaplan–Meier, per (owner, stage) from the stages that **started** in the
  history window [as_of - history_days, as_of]: an ended stage is an event at its T; a stage
  still open at ``as_of`` is censored where ``as_of`` lies (it may still end today). Only what
  was known at ``as_of`` is used: the clock counts an end after ``as_of`` as not ended. S is a
  step function on the half-day grid; between k - ½ and k (inside a working day) it is read
  linearly (ends spread over the day). Past the last observed duration S keeps its last value.
- An owner with fewer than ``min_events`` ended stages of that stage in the window uses the
  **regency's curve** (every owner of that stage pooled): ``curve = "regency"``, the unit is in
  ``fallback``. Why 20: at S near ½ the Kaplan–Meier standard error is about √(S(1-S)/n), 0,11 at
  n = 20 and 0,16 at n = 10; below 20 a unit's tail (the stages that run past the limit) rests on
  a handful of cases. In the backtest (docs/forecast.md) 10, 20 and 40 score alike on the demo
  and on St. Louis, and the regency's curve for every unit scores clearly worse.
- For an open stage not yet past its deadline, with A where ``as_of`` lies and D where its
  deadline lies: **p_breach = S(D) / S(A)** = P(T > D | T > A). When S(A) = 0 on the unit's curve
  (it has outlived every stage the unit ended), the regency's curve is used (``curve =
  "regency"``); when that is 0 too, p_breach = 1 (``curve = "beyond"``: no history to say it will
  end in time). A stage of a kind that no stage in the window can speak for (nothing of that stage
  started in it, or fewer than MIN_REGENCY_EVENTS of it ended, the whole regency pooled) has no
  p_breach (NaN, ``curve = "none"``) and adds nothing to the expected count.
- Stages already past their deadline are breaches already, not forecasts: counted apart
  (``overdue``).
- **expected_breaches** of a unit = the sum of p_breach over its open stages whose deadline falls
  within the next ``days`` working days: after ``as_of`` and no later than the end of the
  ``days``-th working day after ``as_of``'s local date (the window counts as the clock does:
  the rest of today, then ``days`` working days).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from analytics.metrics import clock_sql
from analytics.metrics.clock import OWNER_KINDS, policy_calendar
from analytics.metrics.groups_sql import VERIFIER_LABEL
from analytics.rules.policy import STAGES, SlaPolicy
from analytics.rules.workcal import WorkCalendar, _local_midnight_to_utc, _utc_to_local_dates, add_working_days
from analytics.store.reads import filter_clause, scope_clause

__all__ = [
    "DEFAULT_DAYS",
    "DEFAULT_HISTORY_DAYS",
    "DEFAULT_MIN_EVENTS",
    "Forecast",
    "STAGE_COLUMNS",
    "UNIT_COLUMNS",
    "forecast",
    "kaplan_meier",
    "deadline_position",
    "open_stage_risk",
    "position",
    "survival_at",
]

DEFAULT_DAYS = 5  # "minggu ini": the next five working days
DEFAULT_HISTORY_DAYS = 180  # recent enough to be the unit's current habits, long enough for 20 ends
DEFAULT_MIN_EVENTS = 20  # below this a unit borrows the regency's curve (module docstring: why)
# Below this many ended stages of a kind in the whole regency there is no curve at all: a first
# export of complaints still waiting would otherwise read as certain breach (curve = "none").
MIN_REGENCY_EVENTS = 5
VERIFIER_CODE = "VERIFIKATOR"  # groups_sql's code for the verifier as a group

UNIT_COLUMNS = ("unit", "unit_code", "owner_kind", "open_stages", "due_soon", "expected_breaches", "overdue",
                "history_events", "fallback")
STAGE_COLUMNS = ("id", "source", "stage", "owner_kind", "unit", "unit_code", "started_at", "deadline",
                 "working_days_elapsed", "limit_days", "p_breach", "curve", "due_soon")
HISTORY_COLUMNS = ("unit", "unit_code", "owner_kind", "stage", "events", "censored", "decided", "breached", "curve")


@dataclass(frozen=True)
class Forecast:
    """The breach forecast at one moment (module docstring: the formulas).

    units: one row per owner with a stage open at ``as_of`` (UNIT_COLUMNS), most expected
      breaches first: unit, unit_code (the verifier: VERIFIER_LABEL / "VERIFIKATOR"), owner_kind,
      open_stages (open, not past the deadline), due_soon (those due within the window),
      expected_breaches (sum of their p_breach), overdue (open past the deadline: breaches
      already, not forecast), history_events (ended stages in the history window, all its
      stages), fallback (True when a stage of it uses the regency's curve).
    stages: every open stage not past its deadline (STAGE_COLUMNS), by p_breach, highest first:
      id (source_id), source, stage, owner_kind, unit, unit_code, started_at, deadline (UTC),
      working_days_elapsed, limit_days (NaN for hour limits and the source's deadline), p_breach,
      curve ("unit" | "regency" | "beyond" | "none"), due_soon (deadline within the window).
    history: per owner and stage, what its curve was built from (HISTORY_COLUMNS): events
      (ended), censored (open at as_of), decided and breached (on time + late + open past the
      deadline, and late + open past it: the naive breach rate), curve ("unit" | "regency").
    curves: the survival curves, one row per (unit_code, stage, t) with S = P(T > t) just after t;
      unit_code "*" is the regency's.
    """

    as_of: pd.Timestamp
    days: int
    window_end: pd.Timestamp
    history_start: pd.Timestamp
    min_events: int
    policy: str
    units: pd.DataFrame
    stages: pd.DataFrame
    history: pd.DataFrame
    curves: pd.DataFrame
    fallback_units: tuple[str, ...]

    @property
    def expected_breaches(self) -> float:
        return float(self.units["expected_breaches"].sum()) if len(self.units) else 0.0


# --- The maths, on arrays ---------------------------------------------------------------------


def kaplan_meier(time: np.ndarray, event: np.ndarray, weight: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan–Meier estimate from durations ``time`` (events where ``event``, else censored
    there), each counted ``weight`` times (default 1). Returns (t, S): the distinct event times,
    ascending, and S = P(T > t) just after each. Ties: a stage censored at t was at risk at t
    (the usual convention). No events: empty arrays (S = 1 everywhere)."""
    time = np.asarray(time, dtype=float)
    event = np.asarray(event, dtype=bool)
    weight = np.ones(len(time)) if weight is None else np.asarray(weight, dtype=float)
    if not len(time):
        return np.array([]), np.array([])
    order = np.argsort(time, kind="stable")
    time, event, weight = time[order], event[order], weight[order]
    uniq, first = np.unique(time, return_index=True)
    deaths = np.add.reduceat(np.where(event, weight, 0.0), first)
    leaving = np.add.reduceat(weight, first)
    at_risk = weight.sum() - np.concatenate([[0.0], np.cumsum(leaving)[:-1]])
    keep = deaths > 0
    s = np.cumprod(1.0 - deaths[keep] / at_risk[keep])
    return uniq[keep], s


def _step(t: np.ndarray, s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The step value P(T > x): S at the last event time <= x; 1 before the first; the last
    value carried past the last."""
    idx = np.searchsorted(t, x, side="right") - 1
    return np.where(idx >= 0, s[np.maximum(idx, 0)] if len(s) else 1.0, 1.0)


def survival_at(t: np.ndarray, s: np.ndarray, x: np.ndarray | float) -> np.ndarray:
    """S at positions ``x`` (module docstring): the step value on the half-day grid, read
    linearly between two grid points (x between k - ½ and k lies inside working day k)."""
    x = np.asarray(x, dtype=float)
    lo = np.floor(x * 2) / 2
    frac = (x - lo) * 2
    return _step(t, s, lo) * (1 - frac) + np.where(frac > 0, _step(t, s, lo + 0.5), 0.0) * frac


def position(k: np.ndarray, working: np.ndarray, frac: np.ndarray) -> np.ndarray:
    """Where a moment lies on the duration scale: k working days after the start's date, on a
    working day (``working``) with ``frac`` of it gone: k - ½ + ½·frac; on a day off: k."""
    k = np.asarray(k, dtype=float)
    return np.where(np.asarray(working, dtype=bool), k - 0.5 + 0.5 * np.asarray(frac, dtype=float), k)


def deadline_position(cal: WorkCalendar, tz: str, started_us: np.ndarray, deadline_us: np.ndarray) -> np.ndarray:
    """Where deadline instants lie on the duration scale of stages started at ``started_us``
    (UTC microseconds): ``position`` with the share of the deadline's local day gone at the
    deadline (counting its last microsecond, so the end of a day is 1 and an L-working-day
    deadline lies at exactly L)."""
    start = _utc_to_local_dates(np.asarray(started_us, dtype=np.int64).astype("datetime64[us]"), tz)
    dl = np.asarray(deadline_us, dtype=np.int64).astype("datetime64[us]")
    day = _utc_to_local_dates(dl, tz)
    midnight = _local_midnight_to_utc(day, tz)
    length = _local_midnight_to_utc(day + np.timedelta64(1, "D"), tz) - midnight
    share = (dl + np.timedelta64(1, "us") - midnight) / length
    i_day, i_start = cal._index(day), cal._index(start)
    return position(cal._cum[i_day] - cal._cum[i_start], cal._working[i_day], share)


def open_stage_risk(curve: tuple[np.ndarray, np.ndarray], at: np.ndarray, deadline: np.ndarray,
                    fallback: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(p_breach, basis) for open stages at positions ``at`` with deadlines at ``deadline``:
    S(deadline) / S(at) on ``curve`` (basis 0); where S(at) = 0 on it, on ``fallback`` (the
    regency's; basis 1); where that is 0 too, 1 (basis 2: beyond every history)."""
    s_at, s_dl = survival_at(*curve, at), survival_at(*curve, deadline)
    basis = np.zeros(len(s_at), dtype=np.int8)
    if fallback is not None:
        dead = s_at <= 0
        if dead.any():
            s_at = np.where(dead, survival_at(*fallback, at), s_at)
            s_dl = np.where(dead, survival_at(*fallback, deadline), s_dl)
            basis[dead] = 1
    beyond = s_at <= 0
    basis[beyond] = 2
    p = np.where(beyond, 1.0, s_dl / np.where(beyond, 1.0, s_at))
    return np.clip(p, 0.0, 1.0), basis


# --- From the store -----------------------------------------------------------------------------

# When each stage is open at $t (clock_sql spans): started by then and not ended (fixed SQL, never
# input). A complaint with none of its timed stages open at as_of need not be clocked for it.
_STAGE_OPEN = {
    "verifikasi": "coalesce(dispatched_at, verified_at) IS NULL OR coalesce(dispatched_at, verified_at) > $t",
    "tindak_lanjut": "dispatched_at <= $t AND (first_response_at IS NULL OR first_response_at > $t)",
    "penyelesaian": "dispatched_at <= $t AND (resolved_at IS NULL OR resolved_at > $t)",
    "respons": "first_response_at IS NULL OR first_response_at > $t",
}
# clock_sql.STATE_CODES positions: ended by as_of (on_time, late, uncertain); decided for the
# naive rate (on_time, late, open_overdue); breached (late, open_overdue); no duration
# (not_started, unknown).
_ENDED, _DECIDED, _BREACHED, _NO_DURATION = (0, 1, 7), (0, 1, 2), (1, 2), (5, 6)
_OVERDUE, _OPEN_STATES = 2, (2, 3, 4)  # open_overdue; open_overdue, at_risk, open
_REGENCY = "*"  # the unit_code of the regency's curves in Forecast.curves


@functools.lru_cache(maxsize=8)
def _work_table(cal: WorkCalendar) -> pa.Table:
    """fc_work: per calendar day number, whether it is a working day."""
    first = int(np.datetime64(cal.first, "D").astype(np.int64))
    return pa.table({"day": np.arange(first, first + len(cal._working), dtype=np.int32),
                     "working": cal._working.astype(bool)})


def _source(relation: str, stages: tuple[int, ...], policy: SlaPolicy, where: str) -> str:
    """The complaints that can have a stage started in the history window [$hist_lo, $t] or open
    at $t, with ``_keep``: whether the open stages' filters (``where``, a bound condition
    " AND ...") hold. ``relation`` is fixed SQL from code (the store's complaints, or the
    backtest's view of them), never input."""
    still_open = " OR ".join(f"({_STAGE_OPEN[STAGES[i]]})" for i in stages if policy.stage(STAGES[i]) is not None)
    return (f"(SELECT *, (true{where}) AS _keep FROM {relation} WHERE received_at <= $t AND "
            f"(received_at >= $hist_lo OR dispatched_at >= $hist_lo{' OR ' + still_open if still_open else ''}))")


def _forecast_sql(s: clock_sql.ClockSetup, source: str) -> str:
    """One clock pass, grouped so that each stage row counts once: the stages that ended by
    as_of and started in the history window, counted per owner, stage, state, elapsed working
    days ``k`` and ``off`` (ended on a day off); the stages open at as_of past their deadline,
    counted per owner, stage, ``k``, ``in_window`` (started in the history window) and ``_keep``
    (the filters hold); each stage open at as_of and not past its deadline, one row with its ids
    and times."""
    clock = clock_sql.clock_sql(s, source, ("source", "source_id", "unit", "unit_code", "_keep"))
    live = "k.state IN (3, 4)"  # at_risk, open
    return f"""
SELECT CASE WHEN k.owner = 0 THEN '{VERIFIER_LABEL}' ELSE k.unit END AS unit,
    CASE WHEN k.owner = 0 THEN '{VERIFIER_CODE}' ELSE coalesce(k.unit_code, k.unit) END AS unit_code,
    k.owner, k.stage, k.state, CAST(k.elapsed AS INTEGER) AS k, coalesce(NOT w.working, false) AS off,
    k.started_us >= $hist_lo_us AS in_window, coalesce(k._keep, false) AS keep,
    CASE WHEN {live} THEN k.source END AS source, CASE WHEN {live} THEN k.source_id END AS id,
    CASE WHEN {live} THEN k.started_us END AS started_us, CASE WHEN {live} THEN k.deadline_us END AS deadline_us,
    CASE WHEN {live} THEN k.limit_days END AS limit_days, count(*) AS n
FROM ({clock}) AS k
LEFT JOIN fc_work AS w ON w.day = CASE WHEN k.ended_us IS NOT NULL THEN {s.day('k.ended_us')} END
WHERE k.state NOT IN {_NO_DURATION} AND k.elapsed >= 0
    AND (k.state IN {_OPEN_STATES} OR k.started_us >= $hist_lo_us)
GROUP BY ALL
"""


def _as_of_place(cal: WorkCalendar, as_of: pd.Timestamp, tz: str) -> tuple[bool, float, np.datetime64]:
    """(is as_of's local date a working day, the share of that day gone, the date)."""
    local = pd.Timestamp(as_of).tz_convert(tz)
    midnight = local.normalize()
    day_len = (midnight + pd.Timedelta(hours=36)).normalize() - midnight  # 23 or 25 h on a DST day
    date = np.datetime64(local.date(), "D")
    working = bool(cal._working[cal._index(np.array([date]))[0]])
    return working, float((local - midnight) / day_len), date


def forecast(
    con: duckdb.DuckDBPyConnection, as_of: pd.Timestamp, policy: SlaPolicy, *, days: int = DEFAULT_DAYS,
    history_days: int = DEFAULT_HISTORY_DAYS, min_events: int = DEFAULT_MIN_EVENTS, unit: str | None = None,
    filters: dict[str, list[str]] | None = None, unit_scope: str | None = None,
    stages: tuple[int, ...] = clock_sql.CHAIN, relation: str = "complaints",
) -> Forecast:
    """The breach forecast at ``as_of`` (module docstring: the formulas; Forecast: the columns).

    The curves are the regency's own: every owner's history in the window, whatever the filters.
    ``unit`` (a unit code, or the name of a unit without one; "VERIFIKATOR" for the verifier),
    ``filters`` (store.reads.FILTERABLE) and ``unit_scope`` (a unit viewer's own unit code) limit
    the open stages forecast, not the history. ``stages`` (STAGES positions): the chain by default;
    (clock.RESPONS,) for exports without dispatch times. ``relation``: the complaints to read,
    fixed SQL from code (the backtest passes a view of them), never input.
    """
    if days < 1 or history_days < 1 or min_events < 1:
        raise ValueError("days, history_days and min_events must be at least 1")
    as_of = pd.Timestamp(as_of)
    clock_sql.as_of_us(as_of)  # refuses a naive as_of
    cal = policy_calendar(policy)
    tz = policy.timezone
    hist_lo = as_of - pd.Timedelta(days=history_days)
    working, frac, as_of_date = _as_of_place(cal, as_of, tz)
    window_day = add_working_days(cal, np.array([as_of_date]), days)[0]
    midnight = _local_midnight_to_utc(np.array([window_day + np.timedelta64(1, "D")]), tz)[0]
    window_end = pd.Timestamp(midnight - np.timedelta64(1, "us")).tz_localize("UTC")

    where, fparams = filter_clause(filters)
    scope, sparams = scope_clause(unit_scope)
    source = _source(relation, stages, policy, where + scope)
    params = {"t": as_of.to_pydatetime(), "hist_lo": hist_lo.to_pydatetime(), **fparams, **sparams}
    with con.cursor() as cur:
        setup = clock_sql.setup(cur, source, params, policy, cal, as_of, stages)
        raw = None
        if setup.has_rows:
            setup.register(cur)
            cur.register("fc_work", _work_table(cal))
            setup.params["hist_lo_us"] = clock_sql.as_of_us(hist_lo)
            sql = _forecast_sql(setup, source)
            raw = cur.sql(sql, params=clock_sql.bind(sql, setup.params)).df()
    if raw is None or raw.empty:
        raw = pd.DataFrame({c: pd.Series(dtype=t) for c, t in _RAW_TYPES.items()})
    state, keep = raw["state"].to_numpy(dtype=np.int64), raw["keep"].to_numpy(dtype=bool)
    history, curves = _curves(raw[raw["in_window"].to_numpy(dtype=bool)], working, frac, min_events)
    live, overdue = raw[np.isin(state, (3, 4)) & keep], raw[(state == _OVERDUE) & keep]
    if unit is not None:  # the unit's own stages (the verifier's by its code)
        live, overdue = live[live["unit_code"] == unit], overdue[overdue["unit_code"] == unit]
    stage_rows = _stage_risk(live, curves, cal, tz, working, frac, window_end)
    borrowed = set(history.loc[history["curve"] == "regency", "unit_code"])
    borrowed |= set(stage_rows.loc[stage_rows["curve"] == "regency", "unit_code"].dropna())
    fallback = tuple(sorted(borrowed))
    return Forecast(
        as_of=as_of, days=days, window_end=window_end, history_start=hist_lo, min_events=min_events,
        policy=policy.name, units=_units(stage_rows, overdue, history), stages=stage_rows, history=history,
        curves=_curve_frame(curves), fallback_units=fallback,
    )


_RAW_TYPES = {"unit": object, "unit_code": object, "owner": "int64", "stage": "int64", "state": "int64",
              "k": "float64", "off": bool, "in_window": bool, "keep": bool, "source": object, "id": object,
              "started_us": "float64", "deadline_us": "float64", "limit_days": "float64", "n": "int64"}


def _slices(keys: list[np.ndarray]) -> tuple[np.ndarray, list[tuple[tuple, slice]]]:
    """A stable sort of rows by ``keys`` and the slice of each distinct key in that order."""
    order = np.lexsort(keys[::-1])
    if not len(order):
        return order, []
    sorted_keys = [k[order] for k in keys]
    change = np.zeros(len(order), dtype=bool)
    change[0] = True
    for k in sorted_keys:
        change[1:] |= k[1:] != k[:-1]
    starts = np.flatnonzero(change)
    ends = np.r_[starts[1:], len(order)]
    return order, [(tuple(k[a] for k in sorted_keys), slice(a, z)) for a, z in zip(starts, ends)]


def _curves(hist: pd.DataFrame, working: bool, frac: float, min_events: int):  # noqa: ANN202
    """(the history summary per owner and stage, the curves by (unit_code, stage code), "*" the
    regency's): Kaplan–Meier per owner with at least ``min_events`` events, and per stage pooled."""
    state = hist["state"].to_numpy(dtype=np.int64)
    n = hist["n"].to_numpy(dtype=float)
    k = hist["k"].to_numpy(dtype=float)
    ended = np.isin(state, _ENDED)
    time = np.where(ended, k + 0.5 * hist["off"].to_numpy(dtype=bool), position(k, working, frac))
    stage = hist["stage"].to_numpy(dtype=np.int64)
    code = hist["unit_code"].to_numpy(dtype=object)
    code = np.where(pd.isna(code), "", code).astype(str)  # "": no unit (pooled, never its own curve)
    curves: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
    order, groups = _slices([stage])
    for (st,), sl in groups:
        rows = order[sl]
        # The regency's curve is a basis only with enough ended stages of its own: a first export
        # of complaints still waiting (nothing ended yet) has no history to forecast from, and a
        # curve of censored stages alone would read as certain breach.
        if n[rows][ended[rows]].sum() >= MIN_REGENCY_EVENTS:
            curves[(_REGENCY, int(st))] = kaplan_meier(time[rows], ended[rows], n[rows])
    rows_out = []
    order, groups = _slices([code, stage])
    unit_names, owners = hist["unit"].to_numpy(dtype=object), hist["owner"].to_numpy(dtype=np.int64)
    for (c, st), sl in groups:
        rows = order[sl]
        if not c:
            continue
        w = n[rows]
        events = int(w[ended[rows]].sum())
        own = events >= min_events
        if own:
            curves[(c, int(st))] = kaplan_meier(time[rows], ended[rows], w)
        rows_out.append((unit_names[rows[0]], c, OWNER_KINDS[owners[rows[0]]], STAGES[int(st)], events,
                         int(w[~ended[rows]].sum()), int(w[np.isin(state[rows], _DECIDED)].sum()),
                         int(w[np.isin(state[rows], _BREACHED)].sum()), "unit" if own else "regency"))
    history = pd.DataFrame(rows_out, columns=list(HISTORY_COLUMNS))
    return history, curves


def _stage_risk(live: pd.DataFrame, curves: dict, cal: WorkCalendar, tz: str, working: bool, frac: float,
                window_end: pd.Timestamp) -> pd.DataFrame:
    """The stages frame (Forecast.stages): p_breach of each open stage from its curve."""
    if live.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in STAGE_COLUMNS})
    at = position(live["k"].to_numpy(dtype=float), working, frac)
    limit = live["limit_days"].to_numpy(dtype=float)
    started_us = live["started_us"].to_numpy(dtype=np.int64)
    deadline_us = live["deadline_us"].to_numpy(dtype=np.int64)
    dl = limit.copy()
    by_instant = np.isnan(limit)  # hour limits and the source's own deadline
    if by_instant.any():
        dl[by_instant] = deadline_position(cal, tz, started_us[by_instant], deadline_us[by_instant])
    code = live["unit_code"].to_numpy(dtype=object)
    code = np.where(pd.isna(code), "", code).astype(str)
    stage = live["stage"].to_numpy(dtype=np.int64)
    p = np.full(len(live), np.nan)
    kind = np.empty(len(live), dtype=object)
    order, groups = _slices([code, stage])
    for (c, st), sl in groups:
        rows = order[sl]
        regency = curves.get((_REGENCY, int(st)))
        if regency is None:  # too little of this stage ended in the window: no basis
            kind[rows] = "none"
            continue
        own = curves.get((c, int(st)))
        p[rows], basis = open_stage_risk(own if own is not None else regency, at[rows], dl[rows], regency)
        kind[rows] = np.array(["unit" if own is not None else "regency", "regency", "beyond"], dtype=object)[basis]
    deadline = pd.to_datetime(deadline_us, unit="us", utc=True)
    out = pd.DataFrame({
        "id": live["id"].to_numpy(dtype=object), "source": live["source"].to_numpy(dtype=object),
        "stage": np.asarray(STAGES, dtype=object)[stage],
        "owner_kind": np.asarray(OWNER_KINDS, dtype=object)[live["owner"].to_numpy(dtype=np.int64)],
        "unit": live["unit"].to_numpy(dtype=object), "unit_code": live["unit_code"].to_numpy(dtype=object),
        "started_at": pd.to_datetime(started_us, unit="us", utc=True),
        "deadline": deadline, "working_days_elapsed": live["k"].to_numpy(dtype=float), "limit_days": limit,
        "p_breach": p, "curve": kind, "due_soon": np.asarray(deadline <= window_end),
    })
    out = out.sort_values(["p_breach", "deadline", "id"], ascending=[False, True, True], kind="stable")
    return out.reset_index(drop=True)


def _units(stages: pd.DataFrame, overdue: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """The units frame (Forecast.units)."""
    soon = stages["due_soon"].to_numpy(dtype=bool)
    live = pd.DataFrame({
        "key": stages["unit_code"].fillna("").to_numpy(dtype=object), "unit": stages["unit"].to_numpy(dtype=object),
        "owner_kind": stages["owner_kind"].to_numpy(dtype=object), "open_stages": 1, "due_soon": soon.astype(int),
        "expected_breaches": np.where(soon, stages["p_breach"].to_numpy(dtype=float), 0.0), "overdue": 0,
    })
    late = pd.DataFrame({
        "key": overdue["unit_code"].fillna("").to_numpy(dtype=object), "unit": overdue["unit"].to_numpy(dtype=object),
        "owner_kind": np.asarray(OWNER_KINDS, dtype=object)[overdue["owner"].to_numpy(dtype=np.int64)],
        "open_stages": 0, "due_soon": 0, "expected_breaches": 0.0, "overdue": overdue["n"].to_numpy(dtype=np.int64),
    })
    both = pd.concat([live, late], ignore_index=True)
    out = both.groupby("key", sort=False).agg(
        unit=("unit", "first"), owner_kind=("owner_kind", "first"), open_stages=("open_stages", "sum"),
        due_soon=("due_soon", "sum"), expected_breaches=("expected_breaches", "sum"), overdue=("overdue", "sum"),
    ).reset_index()
    out["unit_code"] = out["key"].where(out["key"] != "", None)
    events = history.groupby("unit_code")["events"].sum()
    borrowed = set(history.loc[history["curve"] == "regency", "unit_code"])
    borrowed |= set(live.loc[stages["curve"].to_numpy() == "regency", "key"])
    out["history_events"] = out["key"].map(events).fillna(0)
    # A unit without history in the window borrows every curve.
    out["fallback"] = [k in borrowed or k not in events.index for k in out["key"]]
    for col in ("open_stages", "due_soon", "overdue", "history_events"):
        out[col] = out[col].astype("int64")
    out["expected_breaches"] = out["expected_breaches"].astype(float)
    out = out.sort_values(["expected_breaches", "due_soon", "unit"], ascending=[False, False, True], kind="stable")
    return out[list(UNIT_COLUMNS)].reset_index(drop=True)


def _curve_frame(curves: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]) -> pd.DataFrame:
    """Forecast.curves: unit_code, stage, t, S."""
    keys = sorted(curves)
    sizes = [len(curves[k][0]) for k in keys]
    return pd.DataFrame({
        "unit_code": np.repeat(np.array([k[0] for k in keys], dtype=object), sizes),
        "stage": np.repeat(np.array([STAGES[k[1]] for k in keys], dtype=object), sizes),
        "t": np.concatenate([curves[k][0] for k in keys]) if keys else np.array([]),
        "S": np.concatenate([curves[k][1] for k in keys]) if keys else np.array([]),
    })
