"""The SLA stage clock as one DuckDB query: the single definition of deadlines and states.

``clock_sql`` builds the query over any relation that has the canonical complaint columns: the
store's ``complaints`` table (the league and pages run it there, so a million complaints never
travel into pandas) or a frame registered on a private cursor (the tests' ``frame_metrics.stage_clock``). Rules in
plain words: docs/metrics.md; what each step does is commented in the SQL below.

How working days are counted in SQL: the calendar is registered as two small tables,
``pantau_wd`` (every date of the calendar as a day number with ``cum``, the number of working
days up to and including it) and ``pantau_nth`` (the k-th working day). Then, as in
analytics.rules.workcal, working days from date a to date b = cum[b] - cum[a], and the n-th working
day after d = nth[cum[d] + n]. Instants are handled as microseconds since 1970 (UTC); a local
date is a day number, computed with the zone's fixed offset (WIB, WITA and WIT have no daylight
saving) or, for other zones, with DuckDB's time-zone conversion.

Per-complaint limits (policy, classification and category overrides) and the status rules
("which status shows a stage reached") are computed in Python from the one definition each
(policy.stage_limits, model.STATUSES) for the distinct values present and registered as small
tables, so the SQL only looks them up.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.rules.model import STATUSES
from analytics.rules.policy import STAGES, SlaPolicy, stage_limits
from analytics.rules.workcal import WorkCalendar, _fixed_offset, _utc_to_local_dates, add_working_days

DAY_US = 86_400_000_000
STATE_CODES = ("on_time", "late", "open_overdue", "at_risk", "open", "not_started", "unknown", "uncertain")
# The chain's stage codes (STAGES positions): what a clock computes unless "respons" is asked for.
CHAIN = (0, 1, 2)
RESPONS = 3
# Columns a relation must have for the clock; flags and text may be NULL.
TIME_COLUMNS = ("received_at", "verified_at", "dispatched_at", "first_response_at", "resolved_at")
FLAG_COLUMNS = ("verified_est", "dispatched_est", "first_response_est", "resolved_est")
# The lower bound of each estimated time (rules.model.ESTIMATED_AFTER): it happened after this.
AFTER_COLUMNS = ("verified_after", "dispatched_after", "first_response_after", "resolved_after")
_NEEDS = {
    "verifikasi": ("received_at", "verified_at", "dispatched_at"),
    "tindak_lanjut": ("dispatched_at", "first_response_at"),
    "penyelesaian": ("dispatched_at", "resolved_at"),
    "respons": ("received_at", "verified_at", "first_response_at"),
}


@dataclass(frozen=True)
class ClockSetup:
    """What a clock query needs besides its source: SQL fragments for local days, bound
    parameters, and the small tables to register (name -> Arrow table)."""

    params: dict[str, object]
    tables: dict[str, pa.Table]
    fixed_offset: bool
    has_rows: bool = True  # False when setup's scan found the source empty

    def day(self, us: str) -> str:
        """SQL: the local day number of an instant given in UTC microseconds."""
        if self.fixed_offset:
            return f"(({us}) + $off) // {DAY_US}"
        # make_timestamp gives the UTC wall clock; AT TIME ZONE 'UTC' makes it the instant,
        # timezone($tz, instant) its wall clock in the policy's zone.
        return f"(epoch_us(timezone($tz, make_timestamp({us}) AT TIME ZONE 'UTC')) // {DAY_US})"

    def midnight(self, day: str) -> str:
        """SQL: UTC microseconds of local midnight at the start of a day number."""
        if self.fixed_offset:
            return f"(({day}) * {DAY_US} - $off)"
        # timezone(zone, TIMESTAMP) reads the wall-clock time in that zone.
        return f"epoch_us(timezone($tz, make_timestamp(({day}) * {DAY_US})))"

    def register(self, con: duckdb.DuckDBPyConnection) -> None:
        for name, table in self.tables.items():
            con.register(name, table)


@functools.lru_cache(maxsize=8)
def calendar_tables(cal: WorkCalendar) -> tuple[pa.Table, pa.Table]:
    """(pantau_wd, pantau_nth) for a calendar: day number -> cum; k -> k-th working day."""
    first = int(np.datetime64(cal.first, "D").astype(np.int64))
    days = np.arange(first, first + len(cal._cum), dtype=np.int32)
    wd = pa.table({"day": days, "cum": cal._cum.astype(np.int32)})
    nth = pa.table({"k": np.arange(1, len(cal._nth) + 1, dtype=np.int32), "day": (first + cal._nth).astype(np.int32)})
    return wd, nth


def _status_rules() -> pa.Table:
    """Per stage and canonical status: does the status show the stage's start reached, its end
    reached, (verifikasi) the dispatch reached, and (respons) the complaint closed without a
    response (rejected or archived: the verifier's decision answered it). Unknown or missing
    statuses match no row."""
    rows = []
    for stage_code, stage in enumerate(STAGES):
        for code, status in STATUSES.items():
            reached = set(status.reached)
            closes = stage == "respons" and not status.is_open and "first_response_at" not in reached
            if stage == "verifikasi":
                # Any recognised status means the complaint was received. Verification is over
                # once verified or dispatched, or when closed without either (archived).
                start_hit = True
                end_hit = not status.is_open or bool(reached & {"verified_at", "dispatched_at"})
            elif stage == "respons":
                # Received, and over once the first response came or the complaint was closed
                # (a rejection or an archive answers it too; its time is then unknown).
                start_hit = True
                end_hit = not status.is_open or "first_response_at" in reached
            else:
                start_hit = "dispatched_at" in reached
                end_hit = ("first_response_at" if stage == "tindak_lanjut" else "resolved_at") in reached
            rows.append((stage_code, code, start_hit, end_hit, "dispatched_at" in reached, closes))
    cols = list(zip(*rows))
    return pa.table({
        "stage": pa.array(cols[0], pa.int8()), "status": pa.array(cols[1], pa.string()),
        "start_hit": pa.array(cols[2]), "end_hit": pa.array(cols[3]), "dispatch_hit": pa.array(cols[4]),
        "closes": pa.array(cols[5]),
    })


_RULES = _status_rules()


def limits_table(policy: SlaPolicy, pairs: pd.DataFrame) -> pa.Table:
    """pantau_lim: per distinct (classification, category) and stage the policy limits for it,
    its limit in days or hours (policy.stage_limits, the one definition of precedence)."""
    cls = pairs["classification"].astype("str").reset_index(drop=True)
    cat = pairs["category"].astype("str").reset_index(drop=True)
    out = {"stage": [], "classification": [], "category": [], "days": [], "hours": [], "src_due": []}
    for stage_code, stage in enumerate(STAGES):
        if policy.stage(stage) is None:
            continue
        source_deadline = policy.stage(stage).source_deadline
        days, hours = stage_limits(policy, stage, cls, cat)
        keep = ~(np.isnan(days) & np.isnan(hours))
        out["stage"] += [stage_code] * int(keep.sum())
        out["classification"] += [None if pd.isna(v) else v for v in cls[keep]]
        out["category"] += [None if pd.isna(v) else v for v in cat[keep]]
        out["days"] += [None if np.isnan(v) else float(v) for v in days[keep]]
        out["hours"] += [None if np.isnan(v) else float(v) for v in hours[keep]]
        out["src_due"] += [source_deadline] * int(keep.sum())
    return pa.table({
        "stage": pa.array(out["stage"], pa.int8()), "classification": pa.array(out["classification"], pa.string()),
        "category": pa.array(out["category"], pa.string()), "days": pa.array(out["days"], pa.float64()),
        "hours": pa.array(out["hours"], pa.float64()), "src_due": pa.array(out["src_due"], pa.bool_()),
    })


def as_of_us(as_of: pd.Timestamp) -> int:
    ts = pd.Timestamp(as_of)
    if ts.tzinfo is None:
        raise ValueError(f"as_of must be tz-aware (e.g. pd.Timestamp(..., tz='UTC')), got {as_of}")
    return int(ts.tz_convert("UTC").tz_localize(None).as_unit("us").asm8.astype(np.int64))


def setup(
    con: duckdb.DuckDBPyConnection, source: str, source_params: dict[str, object],
    policy: SlaPolicy, cal: WorkCalendar, as_of: pd.Timestamp, stages: tuple[int, ...] = CHAIN,
) -> ClockSetup:
    """Look at the source (its distinct classification/category pairs, the range of the times
    the clock will use) and prepare the parameters and tables of a clock query as of ``as_of``.

    Raises ValueError, as analytics.rules.workcal does, when a date the clock needs lies outside the
    calendar.
    """
    tz = policy.timezone
    now_us = as_of_us(as_of)
    as_of_date = _utc_to_local_dates(np.array([now_us], dtype="datetime64[us]"), tz)
    risk_until = add_working_days(cal, as_of_date, 1)[0]  # also checks as_of is in the calendar
    # Only the stages asked for (a unit league needs no verification clock): fewer rows to judge.
    # The default is the chain; "respons" overlaps it and comes only when asked for (RESPONS).
    limited = [s for i, s in enumerate(STAGES) if policy.stage(s) is not None and i in stages]
    # received_at bounds the earliest possible start of an estimated one (st_lo), so the deadline
    # lookup below covers it.
    used = sorted({"received_at", *(c for s in limited for c in _NEEDS[s])})
    # One scan: the distinct (classification, category) pairs, and per pair the earliest and
    # latest of each time the clock will use (times after as_of are not used).
    span = "".join(
        f', min(epoch_us("{c}")) FILTER (WHERE "{c}" <= $as_of_ts), max(epoch_us("{c}")) FILTER (WHERE "{c}" <= $as_of_ts)'
        for c in used
    )
    params = {**source_params, "as_of_ts": pd.Timestamp(now_us, unit="us", tz="UTC").to_pydatetime()}
    # Identifiers only: column names from the fixed _NEEDS table and ``source``, a subquery the
    # callers build from fixed text; every value is bound ($as_of_ts and the source's own).
    scan_sql = f"SELECT classification, category{span} FROM {source} GROUP BY ALL"
    scan = con.execute(scan_sql, bind(scan_sql, params)).fetchall()
    pairs = pd.DataFrame([r[:2] for r in scan], columns=["classification", "category"])
    instants = sorted({v for r in scan for v in r[2:] if v is not None})
    instants = [pd.Timestamp(v, unit="us", tz="UTC") for v in (instants[:1] + instants[-1:])]
    lim = limits_table(policy, pairs)
    lim = lim.filter(pc.is_in(lim["stage"], value_set=pa.array(stages, pa.int8())))
    span = None
    if instants:
        utc = np.array([t.tz_localize(None).as_unit("us").asm8 for t in instants], dtype="datetime64[us]")
        dates = _utc_to_local_dates(utc, tz)
        span = tuple(int(d) for d in dates.astype(np.int64))
        cal._index(dates)  # raises ValueError naming the calendar's range
        days = pc.max(lim["days"]).as_py() if lim.num_rows else None
        if days:  # the latest possible deadline must fall inside the calendar too
            add_working_days(cal, np.array([dates.max()]), int(days))
    base = calendar_setup(cal, tz, as_of)
    return ClockSetup(
        params={**source_params, **base.params, "risk_until": int(np.datetime64(risk_until, "D").astype(np.int64))},
        tables={**base.tables, "pantau_lim": lim, "pantau_rules": _RULES, "pantau_due": due_table(cal, lim, span)},
        fixed_offset=base.fixed_offset, has_rows=bool(scan),
    )


def due_table(cal: WorkCalendar, lim: pa.Table, span: tuple[int, ...] | None = None) -> pa.Table:
    """pantau_due: per calendar day and working-day limit in ``lim``, the day the limit falls due
    (the n-th working day after it; n = 0: the day itself), so a deadline is one lookup rather
    than two (working days so far, then the n-th working day): the clock needs two deadlines per
    stage (from the start and from its earliest possible start), and each lookup is a join over
    every stage row. Days whose due day lies past the calendar are left out (no match: NULL).
    ``span`` (day numbers of the earliest and latest time the clock reads) limits the rows to the
    days a stage can start on: a calendar of sixty years need not be joined whole."""
    first = int(np.datetime64(cal.first, "D").astype(np.int64))
    n_days = len(cal._cum)
    lo, hi = (0, n_days - 1) if not span else (max(min(span) - first, 0), min(max(span) - first, n_days - 1))
    limits = sorted({int(d) for d in pc.unique(lim["days"]).to_pylist() if d is not None}) if lim.num_rows else []
    days, ns, due = [], [], []
    for n in limits:
        idx = np.arange(lo, hi + 1)
        if n == 0:
            ok, target = np.ones(len(idx), bool), idx + first
        else:
            k = cal._cum[lo:hi + 1].astype(np.int64) + n  # the k-th working day (1-based)
            ok = k <= len(cal._nth)
            target = first + cal._nth[np.minimum(k, len(cal._nth)) - 1].astype(np.int64)
        days.append(idx[ok] + first)
        ns.append(np.full(int(ok.sum()), n))
        due.append(target[ok])
    cat = (lambda parts: np.concatenate(parts) if parts else np.array([], np.int64))  # noqa: E731
    return pa.table({"day": pa.array(cat(days), pa.int32()), "n": pa.array(cat(ns), pa.int32()),
                     "due": pa.array(cat(due), pa.int32())})


def calendar_setup(cal: WorkCalendar, tz: str, as_of: pd.Timestamp) -> ClockSetup:
    """The calendar part of a setup: local days in ``tz``, as_of (``$as_of`` in UTC
    microseconds, ``$as_of_day`` its local day number, ``$as_of_cum`` the working days up to
    that day) and the pantau_wd / pantau_nth tables."""
    now_us = as_of_us(as_of)
    as_of_date = _utc_to_local_dates(np.array([now_us], dtype="datetime64[us]"), tz)
    cal._index(as_of_date)  # raises ValueError when as_of lies outside the calendar
    as_of_day = int(as_of_date[0].astype(np.int64))
    first = int(np.datetime64(cal.first, "D").astype(np.int64))
    wd, nth = calendar_tables(cal)
    offset = _fixed_offset(tz, *_years(cal))
    params = {"as_of": now_us, "as_of_day": as_of_day, "as_of_cum": int(cal._cum[as_of_day - first])}
    params |= {"off": int(offset / np.timedelta64(1, "us"))} if offset is not None else {"tz": tz}
    return ClockSetup(params=params, tables={"pantau_wd": wd, "pantau_nth": nth}, fixed_offset=offset is not None)


_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


def bind(sql: str, params: dict[str, object]) -> dict[str, object]:
    """The parameters ``sql`` uses (DuckDB refuses unused ones)."""
    used = set(_PARAM.findall(sql))
    return {k: v for k, v in params.items() if k in used}


def _years(cal: WorkCalendar) -> tuple[int, int]:
    first = int(np.datetime64(cal.first, "Y").astype(int)) + 1970
    last = int(np.datetime64(cal.last, "Y").astype(int)) + 1970
    return first, last


def clock_sql(s: ClockSetup, source: str, carry: tuple[str, ...] = (), states_only: bool = False) -> str:
    """The clock over relation ``source``: one row per complaint and stage the policy limits.

    Columns: the ``carry`` columns of the source (e.g. a row number, unit, kecamatan), ``stage``
    (STAGES index), ``owner`` (0 verifier, 1 unit), ``started_us``, ``deadline_us``, ``ended_us``
    (UTC microseconds, NULL = NaT), ``estimated``, ``state`` (STATE_CODES index), ``limit_days``,
    ``limit_hours``, ``elapsed``, ``over`` (working days; elapsed NULL when not started or
    unknown). ``s.params`` holds the bound values; ``s.tables`` must be registered.

    ``states_only``: without ``elapsed`` and ``over`` and the two working-day lookups only they
    need (a league counts states; DuckDB keeps an unused LEFT JOIN, and on a million stage rows
    those lookups cost about a fifth of the clock).
    """
    stop = "" if states_only else "\n    LEFT JOIN pantau_wd AS ws ON ws.day = d.stop_d"
    elapsed = "" if states_only else """,
    CASE WHEN started AND NOT unknown THEN CAST(cum_stop - cum_start AS DOUBLE) END AS elapsed,
    CASE WHEN state IN (1, 2) THEN CAST(cum_stop - wd.cum AS DOUBLE) ELSE 0.0 END AS over"""
    over_join = "" if states_only else "\nLEFT JOIN pantau_wd AS wd ON wd.day = states.deadline_d"
    keep = "".join(f'c."{c}", ' for c in carry)
    return f"""
WITH c AS (
    SELECT {keep}c.status, c.classification, c.category,
        epoch_us(c.received_at) AS rec, epoch_us(c.verified_at) AS ver, epoch_us(c.dispatched_at) AS dis,
        epoch_us(c.first_response_at) AS fr, epoch_us(c.resolved_at) AS res,
        coalesce(c.verified_est, false) AS ver_est, coalesce(c.dispatched_est, false) AS dis_est,
        coalesce(c.first_response_est, false) AS fr_est, coalesce(c.resolved_est, false) AS res_est,
        c.unit IS NULL AS no_unit, epoch_us(c.due_at) AS due_src,
        epoch_us(c.verified_after) AS ver_lo, epoch_us(c.dispatched_after) AS dis_lo,
        epoch_us(c.first_response_after) AS fr_lo, epoch_us(c.resolved_after) AS res_lo
    FROM {source} AS c
),
-- One row per complaint and stage it has a limit for. Spans (docs/metrics.md, Stages):
-- verifikasi received -> dispatched (or verified when never dispatched); tindak_lanjut
-- dispatched -> first response; penyelesaian dispatched -> resolved; respons received -> first
-- response, or the verification decision of a complaint closed without one (vd).
spans AS (
    SELECT x.*,
        CASE stage WHEN 0 THEN rec WHEN 3 THEN rec ELSE dis END AS st,
        CASE stage WHEN 0 THEN false WHEN 3 THEN false ELSE dis_est END AS st_est,
        CASE stage WHEN 0 THEN coalesce(dis, ver) WHEN 1 THEN fr WHEN 2 THEN res
                   ELSE (CASE WHEN vd THEN ver ELSE fr END) END AS en,
        CASE stage WHEN 0 THEN (CASE WHEN dis IS NULL THEN ver_est ELSE dis_est END) WHEN 1 THEN fr_est
                   WHEN 2 THEN res_est ELSE (CASE WHEN vd THEN ver_est ELSE fr_est END) END AS en_est,
        CASE stage WHEN 0 THEN (CASE WHEN dis IS NULL THEN ver_lo ELSE dis_lo END) WHEN 1 THEN fr_lo
                   WHEN 2 THEN res_lo ELSE (CASE WHEN vd THEN ver_lo ELSE fr_lo END) END AS en_after
    FROM (
        SELECT c.* EXCLUDE (due_src), l.stage,
            -- The source's own deadline for this complaint, where the policy takes it for the stage.
            CASE WHEN l.src_due THEN c.due_src END AS due_src,
            CASE WHEN l.src_due AND c.due_src IS NOT NULL THEN NULL ELSE l.days END AS days,
            CASE WHEN l.src_due AND c.due_src IS NOT NULL THEN NULL ELSE l.hours END AS hours,
            coalesce(r.start_hit, false) AS start_hit, coalesce(r.end_hit, false) AS end_hit,
            coalesce(r.dispatch_hit, false) AS dispatch_hit,
            l.stage = 3 AND c.fr IS NULL AND coalesce(r.closes, false) AS vd
        FROM c
        JOIN pantau_lim AS l
          ON l.classification IS NOT DISTINCT FROM c.classification AND l.category IS NOT DISTINCT FROM c.category
        LEFT JOIN pantau_rules AS r ON r.stage = l.stage AND r.status = c.status
    ) AS x
),
-- Started by as_of; "unknown" when the status shows the start (or, once started, the end)
-- reached but its time is missing; ended by as_of. An estimated time is the snapshot that first
-- showed it reached: it happened after the stored lower bound (the snapshot before) and by then.
-- st_lo and en_lo are the earliest the start and the end can have been (a reported time: itself;
-- an estimated one without a stored bound: the stage cannot end before it started).
judged AS (
    SELECT *,
        CASE WHEN st_est THEN greatest(coalesce(dis_lo, rec), rec) ELSE st END AS st_lo,
        CASE WHEN en_est THEN greatest(coalesce(en_after, rec), coalesce(CASE WHEN NOT st_est THEN st END, rec))
             ELSE en END AS en_lo,
        st IS NOT NULL AND st <= $as_of AS started,
        (start_hit AND st IS NULL)
          OR (st IS NOT NULL AND st <= $as_of
              AND ((end_hit AND en IS NULL) OR (stage = 0 AND dispatch_hit AND dis IS NULL))) AS unknown
    FROM spans
),
ends AS (
    SELECT *,
        started AND NOT unknown AND en IS NOT NULL AND en <= $as_of AS ended,
        CASE WHEN started THEN {s.day('st')} END AS start_d,
        CASE WHEN started AND st_est THEN {s.day('st_lo')} END AS start_lo_d
    FROM judged
),
-- Deadline: the end of the n-th working day after the start's local date (n = 0: that date),
-- or start + n calendar hours. With an estimated start, deadline_early is the deadline of its
-- earliest possible start (else the deadline itself): a verdict holds only if it holds for both.
due AS (
    SELECT e.*{"" if states_only else ", w.cum AS cum_start"},
        CASE WHEN NOT started THEN NULL WHEN days IS NOT NULL THEN n.due END AS due_day,
        CASE WHEN NOT started THEN NULL
             WHEN due_src IS NOT NULL THEN due_src
             WHEN days IS NOT NULL THEN {s.midnight('n.due + 1')} - 1
             ELSE st + CAST(round_even(hours * 3600000000, 0) AS BIGINT) END AS deadline_us,
        CASE WHEN start_lo_d IS NULL THEN NULL
             WHEN due_src IS NOT NULL THEN due_src  -- the source's deadline does not move with the start
             WHEN days IS NOT NULL THEN {s.midnight('n2.due + 1')} - 1
             ELSE st_lo + CAST(round_even(hours * 3600000000, 0) AS BIGINT) END AS early_us,
        CASE WHEN NOT started THEN NULL WHEN ended THEN {s.day('en')} ELSE $as_of_day END AS stop_d
    FROM ends AS e{"" if states_only else chr(10) + "    LEFT JOIN pantau_wd AS w ON w.day = e.start_d"}
    LEFT JOIN pantau_due AS n ON n.day = e.start_d AND n.n = CAST(e.days AS INTEGER)
    LEFT JOIN pantau_due AS n2 ON n2.day = e.start_lo_d AND n2.n = CAST(e.days AS INTEGER)
),
states AS (
    SELECT d.*{"" if states_only else ", ws.cum AS cum_stop"},
        coalesce(due_day, {s.day('deadline_us')}) AS deadline_d,
        CASE WHEN unknown THEN 6
             -- On time only if it ended by the earliest possible deadline at its latest possible
             -- end; late only if even its earliest possible end is after the latest deadline;
             -- otherwise the snapshots cannot tell ("uncertain": counted neither way).
             WHEN ended AND en <= coalesce(early_us, deadline_us) THEN 0
             WHEN ended AND en_lo > deadline_us THEN 1
             WHEN ended THEN 7
             WHEN started AND $as_of > deadline_us THEN 2  -- at the deadline instant: not yet
             WHEN started AND coalesce(due_day, {s.day('deadline_us')}) <= $risk_until THEN 3
             WHEN started THEN 4
             ELSE 5 END AS state
    FROM due AS d{stop}
)
SELECT {"".join(f'"{c}", ' for c in carry)}
    CAST(stage AS TINYINT) AS stage,
    -- The verifier owns verification, and the respons of a complaint no unit has received.
    CAST(CASE WHEN stage = 0 OR (stage = 3 AND no_unit) THEN 0 ELSE 1 END AS TINYINT) AS owner,
    CASE WHEN started THEN st END AS started_us,
    deadline_us,
    CASE WHEN ended THEN en END AS ended_us,
    (started AND st_est) OR (ended AND en_est) AS estimated,
    CAST(state AS TINYINT) AS state,
    days AS limit_days, hours AS limit_hours{elapsed}
FROM states{over_join}
"""
