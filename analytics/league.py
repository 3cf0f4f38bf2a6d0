"""Per-unit, per-area and verifier metrics, and the league tables built on them.

One formula per metric (names from analytics.metrics.METRICS; plain words in docs/metrics.md):
``group_metrics`` computes every metric for any grouping from the complaints and their stage
clock; the Ringkasan KPIs are the same function over the whole regency as one group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.periods import Period
from analytics.policy import SlaPolicy
from analytics.ranking import RankingSettings, rank_table
from analytics.sla import stage_clock
from analytics.validate import reached_stages
from analytics.workcal import WorkCalendar, elapsed_working_days, local_dates

GROUPINGS = ("opd", "camat", "kecamatan", "verifikator", "kabupaten")
STATE_COUNTS = ("on_time", "late", "open_overdue", "at_risk", "open", "unknown")
BACKLOG_BINS = (("backlog_0_5", 0, 5), ("backlog_6_10", 6, 10), ("backlog_11_20", 11, 20), ("backlog_over_20", 21, np.inf))
_CLOSED_WITHOUT_DISPATCH = ("diarsipkan", "ditolak")
VERIFIER_LABEL = "Verifikator (Diskominfo)"
METRIC_COLUMNS = (
    "complaints", "decided", *STATE_COUNTS, "on_time_rate", "median_response_days", "p90_response_days",
    "completion_rate", *(b[0] for b in BACKLOG_BINS), "mean_rating", "redispatches",
)


# Dimensions an analyst may group by (analysis page); derived ones come from received_at.
DIMENSIONS: dict[str, str] = {
    "unit": "unit", "kecamatan": "kecamatan", "category": "category", "channel": "channel",
    "classification": "classification", "unit_kind": "unit_kind", "week": "week", "month": "month",
}


def with_time_dims(frame: pd.DataFrame, tz: str) -> pd.DataFrame:
    """Add ``week`` (Monday, local) and ``month`` (first day, local) of received_at, as ISO text."""
    local = frame["received_at"].dt.tz_convert(tz).dt.tz_localize(None)
    day = local.dt.normalize()
    week = day - pd.to_timedelta(day.dt.day_of_week.astype("int64"), unit="D")
    return frame.assign(week=week.dt.strftime("%Y-%m-%d"), month=day.dt.strftime("%Y-%m-01"))


def _group_key(frame: pd.DataFrame, by: str | tuple[str, ...]) -> tuple[pd.Series, pd.Series, np.ndarray]:
    """(group name, group code, row mask) of the complaints or clock rows for a grouping."""
    n = len(frame)
    if isinstance(by, tuple):
        cols = [DIMENSIONS[d] for d in by]
        mask = np.logical_and.reduce([frame[c].notna().to_numpy() for c in cols])
        name = frame[cols[0]].astype("str")
        for c in cols[1:]:
            name = name + " / " + frame[c].astype("str")
        return name, name, mask
    if by == "kabupaten":
        return pd.Series("Kabupaten", index=frame.index), pd.Series("ALL", index=frame.index), np.ones(n, bool)
    if by == "verifikator":
        return pd.Series(VERIFIER_LABEL, index=frame.index), pd.Series("VERIFIKATOR", index=frame.index), np.ones(n, bool)
    if by == "kecamatan":
        return frame["kecamatan"], frame["kecamatan_code"], frame["kecamatan"].notna().to_numpy()
    kind = frame["unit_kind"].astype("str")
    is_camat = (kind == "camat").to_numpy()
    has_unit = frame["unit"].notna().to_numpy()
    mask = has_unit & (is_camat if by == "camat" else ~is_camat)
    return frame["unit"], frame["unit_code"], mask


def _response_days(c: pd.DataFrame, cal: WorkCalendar, tz: str, as_of: pd.Timestamp, verifier: bool) -> np.ndarray:
    start, end = ("received_at", "dispatched_at") if verifier else ("dispatched_at", "first_response_at")
    s, e = c[start], c[end]
    ok = (s.notna() & e.notna() & (e <= as_of)).to_numpy()
    out = np.full(len(c), np.nan)
    if ok.any():
        out[ok] = elapsed_working_days(cal, local_dates(s[ok], tz), local_dates(e[ok], tz))
    return out


def group_metrics(
    complaints: pd.DataFrame, clock: pd.DataFrame, by: str | tuple[str, ...], as_of: pd.Timestamp, cal: WorkCalendar, tz: str
) -> pd.DataFrame:
    """Every metric in METRIC_COLUMNS for each group of ``by``: one of GROUPINGS, or a tuple of one
    or two DIMENSIONS (the analysis page; unit-owned stages, all units).

    ``complaints``: canonical columns, the complaints received in the period. ``clock``: their
    stage clock (sla.stage_clock) as of ``as_of``. Returns one row per group: ``group``,
    ``group_code`` and the metric columns; counts are ints, rates fractions (NaN = unavailable).
    """
    if isinstance(by, (list, tuple)):
        by = tuple(by)
        bad = [d for d in by if d not in DIMENSIONS]
        if bad or not by or len(by) > 2:
            raise ValueError(f"group by one or two of {', '.join(DIMENSIONS)}; got {list(by)}")
        if {"week", "month"} & set(by):
            complaints = with_time_dims(complaints, tz)
            clock = with_time_dims(clock, tz)
    elif by not in GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}; choose one of {', '.join(GROUPINGS)}")
    verifier = by == "verifikator"
    c = complaints.reset_index(drop=True)
    name, code, mask = _group_key(c, by)
    # Only the columns the metrics read: masking all ~26 columns of a million rows costs seconds.
    needed = ["received_at", "dispatched_at", "first_response_at", "resolved_at", "status", "rating", "redispatch_count"]
    c = c[[col for col in needed if col in c.columns]].assign(_g=name, _code=code)[mask]
    c["_resp"] = _response_days(c, cal, tz, as_of, verifier)
    if verifier:
        dispatched = np.ones(len(c), bool)
        open_from = c["received_at"]
        still_open = c["status"].isin(["menunggu_verifikasi", "terverifikasi"]) & (
            c["dispatched_at"].isna() | (c["dispatched_at"] > as_of))
    else:
        dispatched = (c["dispatched_at"].notna() | pd.Series(reached_stages(c["status"])["dispatched_at"], index=c.index)).to_numpy()
        open_from = c["dispatched_at"]
        resolved = (c["resolved_at"] <= as_of).fillna(False) | (c["resolved_at"].isna() & (c["status"] == "selesai"))
        still_open = pd.Series(dispatched, index=c.index) & ~resolved & ~c["status"].isin(_CLOSED_WITHOUT_DISPATCH)
        c["_resolved"] = resolved & pd.Series(dispatched, index=c.index)
    c["_dispatched"] = dispatched
    age = np.full(len(c), np.nan)
    o = (still_open & open_from.notna() & (open_from <= as_of)).to_numpy()
    if o.any():
        as_of_d = local_dates(pd.Series([as_of]), tz)[0]
        age[o] = elapsed_working_days(cal, local_dates(open_from[o], tz), np.full(o.sum(), as_of_d))
    for label, lo, hi in BACKLOG_BINS:
        c[label] = (age >= lo) & (age <= hi)
    g = c.groupby("_g", sort=False, dropna=True)
    out = pd.DataFrame({"group_code": g["_code"].first(), "complaints": g.size()})
    for label, _, _ in BACKLOG_BINS:
        out[label] = g[label].sum()
    out["median_response_days"] = g["_resp"].median()
    out["p90_response_days"] = g["_resp"].quantile(0.9)
    out["completion_rate"] = (
        g["_resolved"].sum() / g["_dispatched"].sum().where(g["_dispatched"].sum() > 0)
        if not verifier else np.nan
    )
    out["mean_rating"] = g["rating"].mean() if "rating" in c else np.nan
    out["redispatches"] = g["redispatch_count"].sum().astype("int64")

    k = clock.reset_index(drop=True)
    kname, _, kmask = _group_key(k, by)
    stage_mask = (k["stage"] == "verifikasi").to_numpy() if verifier else (k["owner_kind"] == "unit").to_numpy()
    k = pd.DataFrame({"_g": kname, "state": k["state"]})[kmask & stage_mask]
    counts = pd.crosstab(k["_g"], k["state"].astype("str")).reindex(columns=list(STATE_COUNTS), fill_value=0)
    out = out.join(counts, how="left")
    out[list(STATE_COUNTS)] = out[list(STATE_COUNTS)].fillna(0).astype("int64")
    out["decided"] = out["on_time"] + out["late"] + out["open_overdue"]
    out["on_time_rate"] = out["on_time"] / out["decided"].where(out["decided"] > 0)
    out.index.name = "group"
    return out.reset_index()[["group", "group_code", *METRIC_COLUMNS]]


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
    limit = response_limit_days(policy)
    prev_period = period.previous()
    prev_as_of = as_of - pd.Timedelta(days=period.days)

    def ranked(frame: pd.DataFrame, at: pd.Timestamp) -> tuple[pd.DataFrame, pd.Series]:
        clock = stage_clock(frame, policy, cal, at)
        groups = group_metrics(frame, clock, by, at, cal, tz)
        whole = group_metrics(frame, clock, "kabupaten" if by != "verifikator" else by, at, cal, tz)
        regency = whole.iloc[0] if len(whole) else pd.Series({c: np.nan for c in METRIC_COLUMNS})
        p0 = float(regency.get("on_time_rate", np.nan))
        return rank_table(groups, settings, p0, limit), regency

    table, regency = ranked(current, as_of)
    before, prev_regency = ranked(previous, prev_as_of)
    prev_rank = before.set_index("group")["rank"]
    table["rank_change"] = (prev_rank.reindex(table["group"]).to_numpy() - table["rank"].to_numpy())
    table["rank_change"] = table["rank_change"].astype("Int64")
    table = table.sort_values(["ranked", "rank", "complaints"], ascending=[False, True, False], na_position="last")
    return League(by=by, period=period, previous=prev_period, as_of=as_of, policy=policy.name,
                  policy_label=policy.label, settings=settings, regency=regency,
                  previous_regency=prev_regency, table=table.reset_index(drop=True))


def breaches(clock: pd.DataFrame, states: tuple[str, ...] = ("late", "open_overdue", "at_risk")) -> pd.DataFrame:
    """Stage rows that are late, open overdue or at risk, most working days over first."""
    b = clock[clock["state"].astype("str").isin(states)].copy()
    b["state"] = b["state"].astype("str")
    b["stage"] = b["stage"].astype("str")
    return b.sort_values(["working_days_over", "deadline"], ascending=[False, True]).reset_index(drop=True)
