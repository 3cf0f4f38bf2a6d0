"""Per-unit, per-area and verifier metrics, and the league tables built on them.

One formula per metric (names from analytics.metrics.METRICS; plain words in docs/metrics.md):
the SQL in analytics/league_sql.py. ``group_metrics`` runs it over frames (complaints and their
stage clock) for any grouping; service.league_for runs the same SQL inside the store. The
Ringkasan KPIs are the same metrics over the whole regency as one group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics import clock_sql, league_sql
from analytics.periods import Period
from analytics.policy import SlaPolicy
from analytics.ranking import RankingSettings, rank_table
from analytics.sla import STAGES, STATES, _memory_db, stage_clock
from analytics.workcal import WorkCalendar

GROUPINGS = ("opd", "camat", "kecamatan", "verifikator", "kabupaten")
STATE_COUNTS = league_sql.STATE_COUNTS
BACKLOG_BINS = tuple((label, lo, np.inf if hi is None else hi) for label, lo, hi in league_sql.BACKLOG_BINS)
VERIFIER_LABEL = league_sql.VERIFIER_LABEL
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
    stage clock (sla.stage_clock) as of ``as_of``. Returns one row per group, ordered by group:
    ``group``, ``group_code`` and the metric columns; counts are ints, rates fractions (NaN =
    unavailable). The formulas are the SQL in analytics/league_sql.py, run here over the frames.
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
        sql = league_sql.group_metrics_sql(
            league_sql.complaint_aggregates(setup, "metric_complaints", by, verifier),
            league_sql.state_aggregates(setup, "metric_clock", by, verifier),
        )
        out = cur.sql(sql, params=clock_sql.bind(sql, setup.params)).df()
    return metric_frame(out)


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


@dataclass(frozen=True)
class League:
    """A league table and what it was computed from (shown with the numbers)."""

    by: str
    period: Period
    previous: Period
    as_of: pd.Timestamp
    policy: str
    policy_label: str
    settings: RankingSettings
    regency: pd.Series  # the regency as one group (same metrics), for comparisons and KPIs
    previous_regency: pd.Series  # the same for the previous period
    table: pd.DataFrame  # group metrics + adjusted_on_time_rate, score, ranked, rank, tier, funnel, rank_change


def response_limit_days(policy: SlaPolicy) -> float:
    """The tindak_lanjut limit in working days (an hour limit counts as hours/24 days); the SP4N
    5 working days when the policy times no response stage."""
    stage = policy.stage("tindak_lanjut")
    lim = stage.default if stage else None
    if lim is None:
        return 5.0
    return float(lim.days) if lim.days is not None else float(lim.hours) / 24.0


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

    prev_as_of = as_of - pd.Timedelta(days=period.days)
    return league_from_metrics(metrics(current, as_of), metrics(previous, prev_as_of), by=by, period=period,
                               as_of=as_of, policy=policy, settings=settings)


def league_from_metrics(
    current: tuple[pd.DataFrame, pd.DataFrame], previous: tuple[pd.DataFrame, pd.DataFrame], *, by: str,
    period: Period, as_of: pd.Timestamp, policy: SlaPolicy, settings: RankingSettings,
) -> League:
    """The league from (group metrics, regency metrics) of the period and of the previous one:
    ranking, rank change and order. compute_league and service.league_for both end here."""
    limit = response_limit_days(policy)

    def ranked(groups: pd.DataFrame, whole: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
        regency = whole.iloc[0] if len(whole) else pd.Series({c: np.nan for c in METRIC_COLUMNS})
        p0 = float(regency.get("on_time_rate", np.nan))
        return rank_table(groups, settings, p0, limit), regency

    table, regency = ranked(*current)
    before, prev_regency = ranked(*previous)
    prev_rank = before.set_index("group")["rank"]
    table["rank_change"] = (prev_rank.reindex(table["group"]).to_numpy() - table["rank"].to_numpy())
    table["rank_change"] = table["rank_change"].astype("Int64")
    table = table.sort_values(["ranked", "rank", "complaints"], ascending=[False, True, False], na_position="last",
                              kind="stable")
    return League(by=by, period=period, previous=period.previous(), as_of=as_of, policy=policy.name,
                  policy_label=policy.label, settings=settings, regency=regency,
                  previous_regency=prev_regency, table=table.reset_index(drop=True))


def breaches(clock: pd.DataFrame, states: tuple[str, ...] = ("late", "open_overdue", "at_risk")) -> pd.DataFrame:
    """Stage rows that are late, open overdue or at risk, most working days over first."""
    b = clock[clock["state"].astype("str").isin(states)].copy()
    b["state"] = b["state"].astype("str")
    b["stage"] = b["stage"].astype("str")
    return b.sort_values(["working_days_over", "deadline"], ascending=[False, True]).reset_index(drop=True)
