"""Group metrics over the store: every metric in METRIC_COLUMNS for each group of a grouping,
computed by the one formula (analytics/metrics/groups_sql.py) inside DuckDB, so a league over a
million complaints is one query and only one row per group comes back.

Plain words for each metric: docs/metrics.md. Names and labels: analytics.metrics.registry.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analytics.metrics import clock_sql, groups_sql
from analytics.metrics.clock import DUE_IN_PERIOD, due_bounds, due_source
from analytics.rules.periods import Period
from analytics.rules.policy import SlaPolicy
from analytics.rules.workcal import WorkCalendar
from analytics.store.reads import filter_clause

GROUPINGS = ("opd", "camat", "kecamatan", "verifikator", "kabupaten")
STATE_COUNTS = groups_sql.STATE_COUNTS
BACKLOG_BINS = tuple((label, lo, np.inf if hi is None else hi) for label, lo, hi in groups_sql.BACKLOG_BINS)
VERIFIER_LABEL = groups_sql.VERIFIER_LABEL
# The metric columns of every group row (output; the complaint columns read are store.reads').
METRIC_COLUMNS = (
    "complaints", "decided", *STATE_COUNTS, "on_time_rate", "median_response_days", "p90_response_days",
    "completion_rate", *(b[0] for b in BACKLOG_BINS), "mean_rating", "redispatches",
)


# Dimensions an analyst may group by (analysis page); derived ones come from received_at.
DIMENSIONS: dict[str, str] = {
    "unit": "unit", "kecamatan": "kecamatan", "category": "category", "channel": "channel",
    "classification": "classification", "unit_kind": "unit_kind", "week": "week", "month": "month",
}


def check_grouping(by: str | tuple[str, ...] | list[str]) -> str | tuple[str, ...]:
    """``by`` as group_metrics takes it (a GROUPINGS name or a tuple of one or two DIMENSIONS)."""
    if isinstance(by, (list, tuple)):
        by = tuple(by)
        bad = [d for d in by if d not in DIMENSIONS]
        if bad or not by or len(by) > 2:
            raise ValueError(f"group by one or two of {', '.join(DIMENSIONS)}; got {list(by)}")
        return by
    if by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; choose one of {', '.join(GROUPINGS)}")
    return by


def metric_frame(out: pd.DataFrame) -> pd.DataFrame:
    """The metric SQL's result with the derived columns and the published dtypes."""
    out = out.copy()
    for col in ("complaints", "redispatches", *STATE_COUNTS, *(b[0] for b in BACKLOG_BINS)):
        out[col] = out[col].fillna(0).astype("int64")
    for col in ("median_response_days", "p90_response_days", "completion_rate", "mean_rating"):
        out[col] = out[col].astype("float64")
    out["decided"] = out["on_time"] + out["late"] + out["open_overdue"]
    out["on_time_rate"] = out["on_time"] / out["decided"].where(out["decided"] > 0)
    for col in ("group", "group_code"):
        out[col] = out[col].astype("str")
    return out[["group", "group_code", *METRIC_COLUMNS]].reset_index(drop=True)


# Columns the metric SQL returns besides group and group_code (metric_frame derives the rest).
_SQL_METRICS = tuple(c for c in METRIC_COLUMNS if c not in ("decided", "on_time_rate"))
# Group columns the clock carries for the per-stage counts.
_GROUP_COLUMNS = ("unit", "unit_code", "unit_kind", "kecamatan", "kecamatan_code", "category", "channel",
                  "classification", "received_at")
# ... and for the named groupings (a unit league, kecamatan): names and codes.
_UNIT_COLUMNS = ("unit", "unit_code", "unit_kind", "kecamatan", "kecamatan_code")
# Which stages a period's rates count (docs/metrics.md, "Lenses"): "due", the stages whose
# deadline falls in the period (the default: complete for a period that has just ended), or
# "received", the stages of the complaints received in the period (the cohort).
LENSES = ("due", "received")


def check_lens(lens: str) -> str:
    if lens not in LENSES:
        raise ValueError(f"unknown lens {lens!r}; choose one of {', '.join(LENSES)}")
    return lens


def store_group_metrics(
    con: duckdb.DuckDBPyConnection, by: str | tuple[str, ...], period: Period, as_of: pd.Timestamp, policy: SlaPolicy,
    cal: WorkCalendar, filters: dict[str, list[str]] | None = None, lens: str = "due",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(group metrics, regency metrics) of ``period`` under ``lens`` (LENSES), judged as of
    ``as_of``: the metric SQL (analytics/metrics/groups_sql.py) runs inside the store, so
    only one row per group comes back. The regency is "kabupaten" (the verifier for "verifikator").
    """
    groups, whole = _store_metrics(con, by, period, as_of, policy, cal, filters, lens)
    return metric_frame(groups), whole


def store_unit_league_metrics(
    con: duckdb.DuckDBPyConnection, period: Period, as_of: pd.Timestamp, policy: SlaPolicy, cal: WorkCalendar,
    filters: dict[str, list[str]] | None = None, lens: str = "due",
) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """{"opd": (groups, regency), "camat": (groups, regency)}: store_group_metrics for both unit
    leagues from one query (groups_sql.UNIT_LEAGUES); the regency row is shared."""
    groups, whole = _store_metrics(con, groups_sql.UNIT_LEAGUES, period, as_of, policy, cal, filters, lens)
    return {by: (metric_frame(rows), whole.copy()) for by, rows in groups_sql.split_unit_leagues(groups).items()}


def _store_metrics(con, by, period, as_of, policy, cal, filters, lens) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(group rows as the SQL returns them, regency metric_frame) for store_group_metrics."""
    lens = check_lens(lens)
    where, params = filter_clause(filters)
    lo, hi = period.utc_bounds(policy.timezone)
    params |= {"lo": lo.to_pydatetime(), "hi": hi.to_pydatetime()}
    received = "(SELECT * FROM complaints WHERE received_at >= $lo AND received_at < $hi" + where + ")"
    replace = keep = ""
    if lens == "received":
        src = received
    else:
        # The complaints that can have a stage due in the period; the clock's rows are then kept
        # by their deadline's local date.
        src, due_params = due_source(lo, hi, policy, where)
        params |= due_params | due_bounds(lo, hi)
        keep = " WHERE " + DUE_IN_PERIOD
        if isinstance(by, tuple):
            # A stage's week or month is the one it fell due in (its complaint's volume still
            # counts in the week it was received).
            replace = " REPLACE (make_timestamp(deadline_us) AS received_at)"
    verifier = by == "verifikator"
    with con.cursor() as cur:  # registrations stay on this cursor
        setup = clock_sql.setup(cur, src, params, policy, cal, as_of, stages=(0,) if verifier else (1, 2))
        if not setup.has_rows:
            # Nothing in the period (e.g. the period before the data starts, which a league over
            # all history compares with): no groups and no regency, as the query would say,
            # without planning it (~50 ms).
            empty = pd.DataFrame(columns=["group", "group_code", *_SQL_METRICS])
            return empty, metric_frame(empty)
        setup.register(cur)
        carry = _GROUP_COLUMNS if isinstance(by, tuple) else _UNIT_COLUMNS
        clock = f"(SELECT *{replace} FROM ({clock_sql.clock_sql(setup, src, carry, states_only=True)}){keep})"
        sql = groups_sql.group_metrics_sql(
            groups_sql.complaint_aggregates(setup, received, by, verifier, with_total=True),
            groups_sql.state_aggregates(setup, clock, by, verifier, with_total=True),
            with_total=True,
        )
        out = cur.sql(sql, params=clock_sql.bind(sql, setup.params)).df()
    total = out["is_total"].to_numpy(dtype=bool)
    whole = out[total].drop(columns="is_total")
    name, code = ("Kabupaten", "ALL") if not verifier else (groups_sql.VERIFIER_LABEL, "VERIFIKATOR")
    whole = whole.assign(group=name, group_code=code)
    stages = whole[list(STATE_COUNTS)].fillna(0).to_numpy().sum()
    if whole["complaints"].fillna(0).sum() == 0 and stages == 0:
        whole = whole.iloc[0:0]  # nothing received and nothing due: the regency is unavailable, not zero
    return out[~total].drop(columns="is_total"), metric_frame(whole)
