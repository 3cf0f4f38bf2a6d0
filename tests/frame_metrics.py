"""The metrics over frames, for the tests: the same SQL builders (clock_sql, groups_sql) run over
hand-written frames registered on a private in-memory DuckDB instead of over the store.

The dashboard, the CLI and the exports only ever compute in the store (analytics.metrics); these
functions let the tests state the maths on three-row frames (tier a) and check that the store path
gives the same tables as the frame path (tier b). The independent oracle, written without SQL,
is tests/clock_oracle.py.
"""

from __future__ import annotations

import functools

import duckdb
import numpy as np
import pandas as pd
from clock_oracle import _NAT, _flag, _text, _utc_values  # the same input checks as the oracle's

from analytics.metrics import clock_sql, groups_sql
from analytics.metrics.clock import STAGES, STATES, _as_of, _assemble, _aware, clock_arrays
from analytics.metrics.groups import check_grouping, metric_frame
from analytics.metrics.league import League, league_from_metrics
from analytics.metrics.ranking import RankingSettings
from analytics.metrics.summary import trend_rows
from analytics.rules.periods import Period
from analytics.rules.policy import SlaPolicy
from analytics.rules.workcal import WorkCalendar


def stage_clock(
    complaints: pd.DataFrame, policy: SlaPolicy, cal: WorkCalendar, as_of: pd.Timestamp,
    stages: tuple[int, ...] = clock_sql.CHAIN,
) -> pd.DataFrame:
    """store_stage_clock's rows and columns for a frame of complaints (canonical columns; missing
    ``*_est`` flags count as False, missing text columns as NA) instead of a relation of the store."""
    _as_of(as_of)  # refuses a naive as_of before anything else
    limited = [s for i, s in enumerate(STAGES) if policy.stage(s) is not None and i in stages]
    needed = sorted({"received_at", *(c for s in limited for c in clock_sql._NEEDS[s])})
    missing = [c for c in needed if c not in complaints.columns]
    if missing:
        raise ValueError(f"stage_clock: complaints lack column(s) {missing}")
    received = _utc_values(complaints["received_at"], "received_at")
    frame = pd.DataFrame({
        "_row": np.arange(len(complaints), dtype=np.int64),
        **{c: _aware(_utc_values(complaints[c], c) if c in complaints.columns else np.full(len(complaints), _NAT))
           for c in (*clock_sql.TIME_COLUMNS, *clock_sql.AFTER_COLUMNS, "due_at")},
        **{c: _flag(complaints, c) for c in clock_sql.FLAG_COLUMNS},
        **{c: _text(complaints, c).astype("str").reset_index(drop=True)
           for c in ("status", "classification", "category", "unit")},
    })
    # A private in-memory database: the frame and the calendar tables are registered on a
    # cursor of its own, so concurrent calls never see each other's tables.
    with _memory_db().cursor() as cur:
        cur.register("clock_input", frame)
        setup = clock_sql.setup(cur, "clock_input", {}, policy, cal, as_of, stages)
        setup.register(cur)
        sql = clock_sql.clock_sql(setup, "clock_input", ("_row",)) + " ORDER BY stage, _row"
        result = cur.sql(sql, params=clock_sql.bind(sql, setup.params)).to_arrow_table()
    return _assemble(complaints, received, clock_arrays(result, "_row"))


@functools.lru_cache(maxsize=1)
def _memory_db() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process for clocks over frames (cursors are cheap, databases not)."""
    return duckdb.connect(":memory:")


# Complaint and clock columns the metric SQL reads (a missing one is NULL).
_COMPLAINT_COLUMNS = ("received_at", "dispatched_at", "first_response_at", "resolved_at", "status", "rating",
                      "redispatch_count", "unit", "unit_code", "unit_kind", "kecamatan", "kecamatan_code",
                      "category", "channel", "classification")
_CLOCK_COLUMNS = ("received_at", "unit", "unit_code", "unit_kind", "kecamatan", "kecamatan_code", "category",
                  "channel", "classification")


def group_metrics(
    complaints: pd.DataFrame, clock: pd.DataFrame, by: str | tuple[str, ...], as_of: pd.Timestamp, cal: WorkCalendar, tz: str
) -> pd.DataFrame:
    """Every metric in METRIC_COLUMNS for each group of ``by``: one of GROUPINGS, or a tuple of one
    or two DIMENSIONS (the analysis page; unit-owned stages, all units).

    ``complaints``: canonical columns, the complaints received in the period. ``clock``: their
    stage clock (stage_clock above) as of ``as_of``. Returns one row per group, ordered by group:
    ``group``, ``group_code`` and the metric columns; counts are ints, rates fractions (NaN =
    unavailable). The formulas are the SQL in analytics/metrics/groups_sql.py, run here over the frames.
    """
    by = check_grouping(by)
    c = pd.DataFrame({col: _column(complaints, col) for col in _COMPLAINT_COLUMNS})
    k = pd.DataFrame({col: _column(clock, col) for col in _CLOCK_COLUMNS}
                     | {"state": _codes(clock["state"], STATES), "stage": _codes(clock["stage"], STAGES),
                        "owner": np.where(_codes(clock["stage"], STAGES) == 0, 0, 1).astype(np.int8)})
    with _memory_db().cursor() as cur:
        cur.register("metric_complaints", c)
        cur.register("metric_clock", k)
        setup = clock_sql.calendar_setup(cal, tz, as_of)
        setup.register(cur)
        verifier = by == "verifikator"
        sql = groups_sql.group_metrics_sql(
            groups_sql.complaint_aggregates(setup, "metric_complaints", by, verifier),
            groups_sql.state_aggregates(setup, "metric_clock", by, verifier),
        )
        out = cur.sql(sql, params=clock_sql.bind(sql, setup.params)).df()
    return metric_frame(out)


def _column(frame: pd.DataFrame, col: str) -> pd.Series:
    if col in frame.columns:
        return frame[col].reset_index(drop=True)
    if col == "redispatch_count":
        return pd.Series(0, index=range(len(frame)), dtype="int64")
    return pd.Series(pd.NA, index=range(len(frame)), dtype="str")


def _codes(values: pd.Series, categories: tuple[str, ...]) -> np.ndarray:
    """Positions in ``categories`` (a clock's categorical, or its text), -1 for anything else."""
    if isinstance(values.dtype, pd.CategoricalDtype) and tuple(values.cat.categories) == categories:
        return values.cat.codes.to_numpy().astype(np.int8)
    return pd.Categorical(values.astype("str"), categories=list(categories)).codes.astype(np.int8)


def compute_league(
    current: pd.DataFrame, previous: pd.DataFrame, *, by: str, period: Period, as_of: pd.Timestamp,
    policy: SlaPolicy, cal: WorkCalendar, settings: RankingSettings,
) -> League:
    """League of ``by`` over complaints received in ``period`` (``current``), with rank change
    against the previous equal-length period (``previous``, judged as of ``as_of`` minus the
    period length, i.e. at the same point in its own cycle)."""
    tz = policy.timezone

    def metrics(frame: pd.DataFrame, at: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
        clock = stage_clock(frame, policy, cal, at)
        groups = group_metrics(frame, clock, by, at, cal, tz)
        return groups, group_metrics(frame, clock, "kabupaten" if by != "verifikator" else by, at, cal, tz)

    return league_from_metrics(metrics(current, as_of), metrics(previous, period.previous_as_of(as_of)), by=by, period=period,
                               as_of=as_of, policy=policy, settings=settings,
                               lens="received")


def weekly_trend(
    complaints: pd.DataFrame, policy: SlaPolicy, cal: WorkCalendar, as_of: pd.Timestamp,
) -> pd.DataFrame:
    """On-time rate by week of receipt (local Monday), judged as of ``as_of``: columns week,
    complaints, decided, on_time, on_time_rate. ``complaints``: those received in the window."""
    if complaints.empty:
        return trend_rows(pd.DataFrame())
    clock = stage_clock(complaints, policy, cal, as_of)
    return trend_rows(group_metrics(complaints, clock, ("week",), as_of, cal, policy.timezone))
