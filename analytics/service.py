"""Store-to-result functions shared by the CLI, the dashboard and the exports: each loads what it
needs with bound parameters and calls the one formula in analytics.league."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from analytics.league import League, breaches, compute_league
from analytics.periods import Period
from analytics.policy import SlaPolicy, load_policy
from analytics.queries import complaints_received
from analytics.ranking import RankingSettings, load_ranking_settings
from analytics.sla import policy_calendar, stage_clock

LEAGUE_COLUMNS = (
    "unit", "unit_code", "complaints", "decided", "on_time", "late", "open_overdue", "at_risk",
    "on_time_pct", "adjusted_on_time_pct", "median_response_days", "p90_response_days", "score",
    "rank", "tier", "rank_change", "funnel",
)
BREACH_COLUMNS = ("id", "source", "stage", "unit", "started_at", "deadline", "ended_at", "state", "working_days_over")


def league_for(
    con: duckdb.DuckDBPyConnection, *, by: str, period: Period, as_of: pd.Timestamp,
    policy: SlaPolicy | str | None = None, settings: RankingSettings | None = None,
    filters: dict[str, list[str]] | None = None,
) -> League:
    pol = policy if isinstance(policy, SlaPolicy) else load_policy(policy)
    cal = policy_calendar(pol)
    tz = pol.timezone
    cur = complaints_received(con, *period.utc_bounds(tz), filters)
    prev = complaints_received(con, *period.previous().utc_bounds(tz), filters)
    league = compute_league(cur, prev, by=by, period=period, as_of=as_of, policy=pol, cal=cal,
                            settings=settings or load_ranking_settings())
    # A display name that fits a 390 px phone; unknown units keep their name as given.
    short = league.table["group_code"].map(short_names(con)) if by in ("opd", "camat") else None
    league.table["short"] = league.table["group"] if short is None else short.fillna(league.table["group"])
    return league


def short_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Unit code -> short name ("Dinas PUPR") from the store's regency registry, for phones."""
    from analytics.regions import load_region
    from analytics.store import get_meta

    slug = get_meta(con, "region")
    if not slug:
        return {}
    units = load_region(slug).units
    return dict(zip(units["code"], units["short_name"]))


def league_rows(league: League) -> pd.DataFrame:
    """The league as the CLI and exports publish it (LEAGUE_COLUMNS; rates as percentages)."""
    t = league.table
    out = pd.DataFrame({
        "unit": t["group"], "unit_code": t["group_code"],
        **{c: t[c] for c in ("complaints", "decided", "on_time", "late", "open_overdue", "at_risk")},
        "on_time_pct": (100 * t["on_time_rate"]).round(1),
        "adjusted_on_time_pct": (100 * t["adjusted_on_time_rate"]).round(1),
        "median_response_days": t["median_response_days"].round(1),
        "p90_response_days": t["p90_response_days"].round(1),
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
    cal = policy_calendar(pol)
    cur = complaints_received(con, *period.utc_bounds(pol.timezone), filters, unit_scope=unit_scope)
    clock = stage_clock(cur, pol, cal, as_of)
    b = breaches(clock)
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
