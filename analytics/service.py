"""Store-to-result functions shared by the CLI, the dashboard and the exports: each loads what it
needs with bound parameters and calls the one formula in analytics.league."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analytics import clock_sql, league_sql
from analytics.league import (
    METRIC_COLUMNS, League, breaches, check_grouping, league_from_metrics, metric_frame,
)
from analytics.periods import Period
from analytics.policy import SlaPolicy, load_policy
from analytics.queries import filter_clause, scope_clause
from analytics.ranking import RankingSettings, load_ranking_settings
from analytics.sla import policy_calendar, store_stage_clock
from analytics.textfmt import round_half_up
from analytics.workcal import WorkCalendar

LEAGUE_COLUMNS = (
    "unit", "unit_code", "complaints", "decided", "on_time", "late", "open_overdue", "at_risk",
    "on_time_pct", "adjusted_on_time_pct", "median_response_days", "p90_response_days", "score",
    "rank", "tier", "rank_change", "funnel",
)
BREACH_STATES = ("late", "open_overdue", "at_risk")  # what league.breaches keeps by default
BREACH_COLUMNS = ("id", "source", "stage", "unit", "started_at", "deadline", "ended_at", "state", "working_days_over")


def league_for(
    con: duckdb.DuckDBPyConnection, *, by: str, period: Period, as_of: pd.Timestamp,
    policy: SlaPolicy | str | None = None, settings: RankingSettings | None = None,
    filters: dict[str, list[str]] | None = None,
) -> League:
    pol = policy if isinstance(policy, SlaPolicy) else load_policy(policy)
    cal = policy_calendar(pol)
    by = check_grouping(by)
    prev_as_of = as_of - pd.Timedelta(days=period.days)
    return _league(
        con, store_group_metrics(con, by, period, as_of, pol, cal, filters),
        store_group_metrics(con, by, period.previous(), prev_as_of, pol, cal, filters),
        by=by, period=period, as_of=as_of, policy=pol, settings=settings,
    )


def unit_leagues(
    con: duckdb.DuckDBPyConnection, *, period: Period, as_of: pd.Timestamp,
    policy: SlaPolicy | str | None = None, settings: RankingSettings | None = None,
    filters: dict[str, list[str]] | None = None,
) -> tuple[League, League]:
    """(OPD league, camat league): the same as league_for(by="opd") and league_for(by="camat"),
    from one metric query per period instead of two. Both leagues shrink toward the same regency
    row (every complaint), so computing it once per period is the saving (Ringkasan)."""
    pol = policy if isinstance(policy, SlaPolicy) else load_policy(policy)
    cal = policy_calendar(pol)
    prev_as_of = as_of - pd.Timedelta(days=period.days)
    now = store_unit_league_metrics(con, period, as_of, pol, cal, filters)
    before = store_unit_league_metrics(con, period.previous(), prev_as_of, pol, cal, filters)
    settings = settings or load_ranking_settings()
    opd, camat = (
        _league(con, now[by], before[by], by=by, period=period, as_of=as_of, policy=pol, settings=settings)
        for by in ("opd", "camat")
    )
    return opd, camat


def _league(con, current, previous, *, by: str, period: Period, as_of: pd.Timestamp, policy: SlaPolicy,
            settings: RankingSettings | None) -> League:
    league = league_from_metrics(current, previous, by=by, period=period, as_of=as_of, policy=policy,
                                 settings=settings or load_ranking_settings())
    # A display name that fits a 390 px phone; unknown units keep their name as given.
    short = league.table["group_code"].map(short_names(con)) if by in ("opd", "camat") else None
    league.table["short"] = league.table["group"] if short is None else short.fillna(league.table["group"])
    return league


# Columns the metric SQL returns besides group and group_code (metric_frame derives the rest).
_SQL_METRICS = tuple(c for c in METRIC_COLUMNS if c not in ("decided", "on_time_rate"))
# Group columns the clock carries for the per-stage counts.
_GROUP_COLUMNS = ("unit", "unit_code", "unit_kind", "kecamatan", "kecamatan_code", "category", "channel",
                  "classification", "received_at")


def store_group_metrics(
    con: duckdb.DuckDBPyConnection, by: str | tuple[str, ...], period: Period, as_of: pd.Timestamp, policy: SlaPolicy,
    cal: WorkCalendar, filters: dict[str, list[str]] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(group metrics, regency metrics) of the complaints received in ``period``, judged as of
    ``as_of``: league.group_metrics' formulas (analytics/league_sql.py) run inside the store, so
    only one row per group comes back. The regency is "kabupaten" (the verifier for "verifikator").
    """
    groups, whole = _store_metrics(con, by, period, as_of, policy, cal, filters)
    return metric_frame(groups), whole


def store_unit_league_metrics(
    con: duckdb.DuckDBPyConnection, period: Period, as_of: pd.Timestamp, policy: SlaPolicy, cal: WorkCalendar,
    filters: dict[str, list[str]] | None = None,
) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """{"opd": (groups, regency), "camat": (groups, regency)}: store_group_metrics for both unit
    leagues from one query (league_sql.UNIT_LEAGUES); the regency row is shared."""
    groups, whole = _store_metrics(con, league_sql.UNIT_LEAGUES, period, as_of, policy, cal, filters)
    return {by: (metric_frame(rows), whole.copy()) for by, rows in league_sql.split_unit_leagues(groups).items()}


def _store_metrics(con, by, period, as_of, policy, cal, filters) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(group rows as the SQL returns them, regency metric_frame) for store_group_metrics."""
    where, params = filter_clause(filters)
    lo, hi = period.utc_bounds(policy.timezone)
    params |= {"lo": lo.to_pydatetime(), "hi": hi.to_pydatetime()}
    src = "(SELECT * FROM complaints WHERE received_at >= $lo AND received_at < $hi" + where + ")"
    verifier = by == "verifikator"
    with con.cursor() as cur:  # registrations stay on this cursor
        setup = clock_sql.setup(cur, src, params, policy, cal, as_of, stages=(0,) if verifier else (1, 2))
        if not setup.has_rows:
            # Nothing received in the period (e.g. the period before the data starts, which a
            # league over all history compares with): no groups and no regency, as the query
            # would say, without planning it (~50 ms).
            empty = pd.DataFrame(columns=["group", "group_code", *_SQL_METRICS])
            return empty, metric_frame(empty)
        setup.register(cur)
        carry = _GROUP_COLUMNS if isinstance(by, tuple) else ("unit", "unit_kind", "kecamatan")
        clock = "(" + clock_sql.clock_sql(setup, src, carry, states_only=True) + ")"
        sql = league_sql.group_metrics_sql(
            league_sql.complaint_aggregates(setup, src, by, verifier, with_total=True),
            league_sql.state_aggregates(setup, clock, by, verifier, with_total=True),
            with_total=True,
        )
        out = cur.sql(sql, params=clock_sql.bind(sql, setup.params)).df()
    total = out["is_total"].to_numpy(dtype=bool)
    whole = out[total].drop(columns="is_total")
    name, code = ("Kabupaten", "ALL") if not verifier else (league_sql.VERIFIER_LABEL, "VERIFIKATOR")
    whole = whole.assign(group=name, group_code=code)
    if whole["complaints"].fillna(0).sum() == 0:
        whole = whole.iloc[0:0]  # no complaints: the regency is unavailable, not zero
    return out[~total].drop(columns="is_total"), metric_frame(whole)


def weekly_trend_for(
    con: duckdb.DuckDBPyConnection, window: Period, as_of: pd.Timestamp, policy: SlaPolicy | str | None = None,
    filters: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """summary.weekly_trend over the complaints received in ``window``, computed in the store."""
    from analytics.summary import trend_rows

    pol = policy if isinstance(policy, SlaPolicy) else load_policy(policy)
    groups, _ = store_group_metrics(con, ("week",), window, as_of, pol, policy_calendar(pol), filters)
    return trend_rows(groups)


def short_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Unit code -> short name ("Dinas PUPR") from the store's regency registry, for phones."""
    from analytics.regions import load_region
    from analytics.store import get_meta

    slug = get_meta(con, "region")
    if not slug:
        return {}
    units = load_region(slug).units
    return dict(zip(units["code"], units["short_name"]))


def _half_up(values: pd.Series, decimals: int = 1) -> pd.Series:
    # The way the dashboard's labels round (textfmt.round_half_up), not numpy's half-to-even:
    # 13 of 16 on time is 81,3% on the page, so it must be 81.3 in the CLI and the exports too.
    return values.map(lambda v: v if pd.isna(v) else round_half_up(float(v), decimals)).astype("float64")


def league_rows(league: League) -> pd.DataFrame:
    """The league as the CLI and exports publish it (LEAGUE_COLUMNS; rates as percentages)."""
    t = league.table
    out = pd.DataFrame({
        "unit": t["group"], "unit_code": t["group_code"],
        **{c: t[c] for c in ("complaints", "decided", "on_time", "late", "open_overdue", "at_risk")},
        "on_time_pct": _half_up(100 * t["on_time_rate"]),
        "adjusted_on_time_pct": _half_up(100 * t["adjusted_on_time_rate"]),
        "median_response_days": _half_up(t["median_response_days"]),
        "p90_response_days": _half_up(t["p90_response_days"]),
        "score": t["score"], "rank": t["rank"], "tier": t["tier"], "rank_change": t["rank_change"],
        "funnel": t["funnel"],
    })
    return out[list(LEAGUE_COLUMNS)]


def breaches_for(
    con: duckdb.DuckDBPyConnection, *, period: Period, as_of: pd.Timestamp, policy: SlaPolicy | str | None = None,
    stage: str | None = None, by: str | None = None, unit: str | None = None,
    filters: dict[str, list[str]] | None = None, unit_scope: str | None = None,
) -> pd.DataFrame:
    """Late, open-overdue and at-risk stages of complaints received in ``period`` (BREACH_COLUMNS
    plus context), most working days over first. ``by`` limits to "opd" / "camat" units or the
    "verifikator" stage; ``unit`` to one unit (name or code). ``unit_scope`` (a unit viewer's own
    unit code) limits the rows in SQL, before anything is computed: these are complaint rows."""
    pol = policy if isinstance(policy, SlaPolicy) else load_policy(policy)
    b = breaches(clock_in_store(con, *period.utc_bounds(pol.timezone), as_of, pol, BREACH_STATES, filters,
                                unit_scope=unit_scope))
    if stage:
        b = b[b["stage"] == stage]
    if by == "verifikator":
        b = b[b["owner_kind"] == "verifikator"]
    elif by in ("opd", "camat"):
        is_camat = b["unit_kind"].astype("str") == "camat"
        b = b[(b["owner_kind"] == "unit") & (is_camat if by == "camat" else ~is_camat)]
    if unit:
        b = b[(b["unit"] == unit) | (b["unit_code"] == unit)]
    b = b.rename(columns={"source_id": "id"}).reset_index(drop=True)
    b["working_days_over"] = b["working_days_over"].round(0).astype("int64")
    b["unit"] = b["unit"].where(b["owner_kind"] == "unit", "Verifikator (Diskominfo)")
    return b


def clock_in_store(
    con: duckdb.DuckDBPyConnection, start_utc: pd.Timestamp, end_utc: pd.Timestamp, as_of: pd.Timestamp,
    policy: SlaPolicy, states: tuple[str, ...] | None = None, filters: dict[str, list[str]] | None = None,
    unit_scope: str | None = None,
) -> pd.DataFrame:
    """sla.stage_clock of the complaints received in [start_utc, end_utc), computed in the store;
    with ``states``, only the stage rows in those states; with ``unit_scope`` (a unit viewer's own
    unit code), only that unit's complaints (queries.scope_clause)."""
    where, params = filter_clause(filters)
    scope, scope_params = scope_clause(unit_scope)
    where += scope
    params |= scope_params | {"lo": start_utc.to_pydatetime(), "hi": end_utc.to_pydatetime()}
    src = "(SELECT rowid AS _row, * FROM complaints WHERE received_at >= $lo AND received_at < $hi" + where + ")"
    return store_stage_clock(con, src, params, policy, policy_calendar(policy), as_of, states)


def default_period(as_of: pd.Timestamp, tz: str, start: str | None, end: str | None) -> Period:
    """--from/--to as local dates; defaults: the 30 days ending at as_of's local date."""
    end_d = pd.Timestamp(end).date() if end else as_of.tz_convert(tz).date()
    start_d = pd.Timestamp(start).date() if start else end_d - pd.Timedelta(days=29)
    return Period(start_d, end_d)


def finite_or_none(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v
