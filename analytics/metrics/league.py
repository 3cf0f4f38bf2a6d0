"""League tables: units ranked on the group metrics (analytics.metrics.groups) with the
shrunken on-time rate, a score, tiers, the funnel and the rank change against the previous period.

``league_for`` ranks one grouping; ``unit_leagues`` both unit leagues (OPD and camat) from one
metric query per period; ``league_rows`` is the league as the CLI and the exports publish it.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from analytics.metrics.clock import policy_calendar
from analytics.metrics.groups import METRIC_COLUMNS, check_grouping, store_group_metrics, store_unit_league_metrics
from analytics.metrics.ranking import RankingSettings, load_ranking_settings, rank_table
from analytics.rules.periods import Period
from analytics.rules.policy import SlaPolicy
from analytics.store.reads import short_names
from analytics.textfmt import round_half_up

LEAGUE_COLUMNS = (
    "unit", "unit_code", "complaints", "decided", "on_time", "late", "open_overdue", "at_risk",
    "on_time_pct", "adjusted_on_time_pct", "median_response_days", "p90_response_days", "score",
    "rank", "tier", "rank_change", "funnel",
    # Every other metric docs/metrics.md defines, so a file holds what the dashboard can show.
    "open", "unknown", "uncertain", "completion_pct", "backlog_0_5", "backlog_6_10", "backlog_11_20", "backlog_over_20",
    "mean_rating", "redispatches",
)

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
    lens: str = "due"  # which stages the rates count (groups.LENSES)


def response_limit_days(policy: SlaPolicy) -> float:
    """The tindak_lanjut limit in working days (an hour limit counts as hours/24 days); the SP4N
    5 working days when the policy times no response stage."""
    stage = policy.stage("tindak_lanjut")
    lim = stage.default if stage else None
    if lim is None:
        return 5.0
    return float(lim.days) if lim.days is not None else float(lim.hours) / 24.0


def league_from_metrics(
    current: tuple[pd.DataFrame, pd.DataFrame], previous: tuple[pd.DataFrame, pd.DataFrame], *, by: str,
    period: Period, as_of: pd.Timestamp, policy: SlaPolicy, settings: RankingSettings, lens: str = "due",
) -> League:
    """The league from (group metrics, regency metrics) of the period and of the previous one:
    ranking, rank change and order. league_for, unit_leagues and the tests' frame path all end here."""
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
                  previous_regency=prev_regency, table=table.reset_index(drop=True), lens=lens)


def league_for(
    con: duckdb.DuckDBPyConnection, *, by: str, period: Period, as_of: pd.Timestamp,
    policy: SlaPolicy, settings: RankingSettings | None = None, filters: dict[str, list[str]] | None = None,
    lens: str = "due",
) -> League:
    """The league of ``by`` over ``period`` under ``lens`` (by default the stages due in it),
    judged at ``as_of``, with rank change against ``period.previous()`` judged at the same point
    in its own cycle."""
    cal = policy_calendar(policy)
    by = check_grouping(by)
    before, prev_as_of = period.previous(), period.previous_as_of(as_of)
    return _league(
        con, store_group_metrics(con, by, period, as_of, policy, cal, filters, lens),
        store_group_metrics(con, by, before, prev_as_of, policy, cal, filters, lens),
        by=by, period=period, as_of=as_of, policy=policy, settings=settings, lens=lens,
    )


def unit_leagues(
    con: duckdb.DuckDBPyConnection, *, period: Period, as_of: pd.Timestamp,
    policy: SlaPolicy, settings: RankingSettings | None = None, filters: dict[str, list[str]] | None = None,
    lens: str = "due",
) -> tuple[League, League]:
    """(OPD league, camat league): the same as league_for(by="opd") and league_for(by="camat"),
    from one metric query per period instead of two. Both leagues shrink toward the same regency
    row (every complaint), so computing it once per period is the saving (Ringkasan)."""
    cal = policy_calendar(policy)
    now = store_unit_league_metrics(con, period, as_of, policy, cal, filters, lens)
    before = store_unit_league_metrics(con, period.previous(), period.previous_as_of(as_of), policy, cal, filters, lens)
    settings = settings or load_ranking_settings()
    opd, camat = (
        _league(con, now[by], before[by], by=by, period=period, as_of=as_of, policy=policy, settings=settings,
                lens=lens)
        for by in ("opd", "camat")
    )
    return opd, camat


def _league(con, current, previous, *, by: str, period: Period, as_of: pd.Timestamp, policy: SlaPolicy,
            settings: RankingSettings | None, lens: str) -> League:
    league = league_from_metrics(current, previous, by=by, period=period, as_of=as_of, policy=policy,
                                 settings=settings or load_ranking_settings(), lens=lens)
    # A display name that fits a 390 px phone; unknown units keep their name as given.
    short = league.table["group_code"].map(short_names(con)) if by in ("opd", "camat") else None
    league.table["short"] = league.table["group"] if short is None else short.fillna(league.table["group"])
    return league


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
        **{c: t[c] for c in ("open", "unknown", "uncertain", "backlog_0_5", "backlog_6_10", "backlog_11_20", "backlog_over_20",
                             "redispatches")},
        "completion_pct": _half_up(100 * t["completion_rate"]), "mean_rating": _half_up(t["mean_rating"]),
    })
    return out[list(LEAGUE_COLUMNS)]
