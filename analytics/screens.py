"""What each dashboard page shows, as one pure call per page (connection in, frozen data out).

This is the one face of analytics the pages take numbers from: the page calls below, and the few
reads and league functions listed in ``__all__`` that a page shows as they are. It holds no SQL:
the numbers come from analytics.metrics, the rows from analytics.store.reads. The dashboard
caches these at the UI boundary; the CLI and the review pack call the same functions, so every
screen, file and message shows the same numbers. Every call takes the loaded SlaPolicy, a
Period and an aware ``as_of``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

import duckdb
import pandas as pd

from analytics.metrics.breaches import BREACH_COLUMNS, breaches, breaches_for
from analytics.metrics.clock import (
    ALL_STAGES,
    CHAIN,
    RESPONS,
    STAGES,
    clock_in_store,
    due_clock,
    open_clock,
    open_counts,
    policy_calendar,
)
from analytics.metrics.coverage import stage_coverage
from analytics.metrics.forecast import DEFAULT_DAYS, Forecast, forecast
from analytics.metrics.groups import check_grouping, store_group_metrics
from analytics.metrics.league import League, league_for, league_rows, unit_leagues
from analytics.metrics.quality import SIGNALS, Quality, quality_for
from analytics.metrics.summary import Kpi, OpenNow, coverage_note, headline, kpis, open_now, weekly_trend
from analytics.rules.periods import Period, iso_week
from analytics.rules.policy import END_TO_END, SlaPolicy
from analytics.store.reads import (
    count_received,
    count_without_kecamatan,
    counts_by,
    desa_counts,
    filter_options,
    find_unit,
    placed_points,
    short_names,
    units_in_store,
)
from analytics.textfmt import fmt_int, round_half_up

__all__ = [
    # one call per page
    "overview", "unit_view", "map_view", "weekly_review", "analysis_table", "on_time_trend", "coverage",
    "headline_numbers", "Headline", "respons_now", "ResponsNow", "units_judged",
    "breach_forecast", "BreachOutlook", "closure_quality", "quality_gap", "QUALITY_GAP_POINTS", "Quality", "SIGNALS",
    "Overview", "UnitView", "MapView", "WeeklyReview", "Coverage",
    # shown as they are: Peringkat's league, Pelanggaran's breach list, pickers and counts
    "league_for", "league_rows", "breaches_for", "BREACH_COLUMNS", "short_names", "units_in_store",
    "filter_options", "count_received",
]

TREND_WEEKS = 12  # the Ringkasan trend: a quarter of weekly points reads well on a phone
TOP_N = 5
OLDEST_N = 10
POINTS_LIMIT = 20_000  # map points: enough for a kecamatan view, light enough for a phone
# The weekly review looks at complaints received up to this many days before the week ends:
# everything whose clock can still be running during the week (the review pack uses it too).
REVIEW_LOOKBACK_DAYS = 90


@dataclass(frozen=True)
class Coverage:
    """How the stage times of a period's complaints are known (coverage.stage_coverage), and the
    plain sentence to show when some cannot be judged ("" when all can)."""

    table: pd.DataFrame  # stage, reported, estimated, absent, not_started
    note_id: str
    note_en: str

    def note(self, lang: str) -> str:
        return self.note_id if lang == "id" else self.note_en


def coverage(con: duckdb.DuckDBPyConnection, period: Period, as_of: pd.Timestamp, policy: SlaPolicy,
             filters: dict[str, list[str]] | None = None) -> Coverage:
    """Coverage of the complaints received in ``period`` (Ringkasan, Peringkat, Pelanggaran)."""
    table = stage_coverage(con, period, as_of, policy, filters)
    return Coverage(table=table, note_id=coverage_note(table, "id"), note_en=coverage_note(table, "en"))


@dataclass(frozen=True)
class Overview:
    league: League
    camat: League
    kpis: tuple[Kpi, ...]
    best: dict[str, pd.DataFrame]  # "opd" / "camat": top TOP_N ranked units of that league, best first
    worst: dict[str, pd.DataFrame]  # the same, bottom TOP_N, worst first (never a unit of its best)
    most_overdue: pd.DataFrame  # units with stages open past their deadline now, most first
    trend: pd.DataFrame  # weekly_trend over TREND_WEEKS (stages by the week they fell due)
    sentence_id: str
    sentence_en: str
    now: OpenNow | None = None  # the now lens at as_of (Lewat batas, at risk, the verifier's share)
    coverage: Coverage | None = None  # how the period's stage times are known, with its sentence
    # When the units' own stages cannot be judged (no dispatch times) and the policy times
    # "respons": what can be, the complaints still unanswered past that limit, per unit.
    respons: ResponsNow | None = None


@dataclass(frozen=True)
class ResponsNow:
    """The end-to-end "respons" stage in the now lens: per unit, the complaints not answered and
    past the respons limit at as_of, counted from receipt (exact from a single export)."""

    units: pd.DataFrame  # group, group_code, short, open_overdue (most first)
    verifier: int  # the same for complaints no unit has received yet
    limit_days: int | None
    limit_hours: float | None

    @property
    def total(self) -> int:
        return int(self.units["open_overdue"].sum()) + self.verifier


def respons_now(con: duckdb.DuckDBPyConnection, as_of: pd.Timestamp, policy: SlaPolicy,
                top: int | None = TOP_N, *, filters: dict[str, list[str]] | None = None) -> ResponsNow | None:
    """ResponsNow at ``as_of`` (of the complaints ``filters`` keep); None when the policy does not
    time "respons"."""
    limits = policy.stage(END_TO_END)
    if limits is None or limits.default is None:
        return None
    counts = open_counts(con, as_of, policy, filters, stages=(RESPONS,))
    over = counts[counts["state"] == "open_overdue"]
    return ResponsNow(units=_most_overdue(con, over, top), verifier=int(over.loc[over["owner_kind"] == "verifikator",
                                                                                 "stages"].sum()),
                      limit_days=limits.default.days, limit_hours=limits.default.hours)


def units_judged(table: pd.DataFrame) -> bool:
    """Whether any of the units' own stages in a coverage table has a time to judge it by."""
    own = table[table["stage"].isin(UNIT_STAGES)]
    return bool((own["reported"] + own["estimated"]).sum() > 0)


def _trend_window(period: Period) -> Period:
    """TREND_WEEKS whole weeks (from a Monday) ending with the period's last day."""
    start = period.end - timedelta(days=7 * TREND_WEEKS - 1)
    return Period(start - timedelta(days=start.weekday()), period.end)


def on_time_trend(con: duckdb.DuckDBPyConnection, period: Period, as_of: pd.Timestamp, policy: SlaPolicy) -> pd.DataFrame:
    """The weekly on-time trend over the TREND_WEEKS whole weeks ending with ``period`` (Ringkasan
    and the review pack's chart)."""
    return weekly_trend(con, _trend_window(period), as_of, policy)


def _units(opd: League, camat: League) -> pd.DataFrame:
    t = pd.concat([opd.table.assign(kind="opd"), camat.table.assign(kind="camat")], ignore_index=True)
    return t


def best_and_worst(ranked: pd.DataFrame, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``n`` best and ``n`` worst ranked units (best first / worst first). With fewer than
    2n ranked units the league is split in two halves instead (an odd middle unit counts as best),
    so no unit is named both best and worst on the same screen."""
    n_best, n_worst = min(n, (len(ranked) + 1) // 2), min(n, len(ranked) // 2)
    # Among equal scores the busier unit comes first in both lists: it affects more citizens.
    # Then by name, so the same store always shows the same lists.
    best = ranked.sort_values(["score", "complaints", "group"], ascending=[False, False, True]).head(n_best)
    worst = ranked.drop(best.index).sort_values(["score", "complaints", "group"],
                                                ascending=[True, False, True]).head(n_worst)
    return best, worst


def overview(con: duckdb.DuckDBPyConnection, period: Period, as_of: pd.Timestamp, policy: SlaPolicy) -> Overview:
    """Ringkasan: KPIs with change, best/worst units, most overdue, weekly trend, the sentence."""
    # Both leagues from one metric query per period: they share the regency row (unit_leagues).
    opd, camat = unit_leagues(con, period=period, as_of=as_of, policy=policy)
    best, worst = {}, {}
    for league in (opd, camat):  # each league on its own: ranks of two leagues do not compare
        b, w = best_and_worst(league.table[league.table["ranked"]], TOP_N)
        best[league.by], worst[league.by] = b.reset_index(drop=True), w.reset_index(drop=True)
    counts, now, before = _open_now_and_before(con, period, as_of, policy)
    trend = on_time_trend(con, period, as_of, policy)
    cover = coverage(con, period, as_of, policy)
    return Overview(
        league=opd, camat=camat, kpis=tuple(kpis(opd, now, before)), best=best, worst=worst,
        most_overdue=_most_overdue(con, counts), trend=trend, now=now, coverage=cover,
        sentence_id=headline(opd, "id"),
        sentence_en=headline(opd, "en", fmt_int=_fmt_int_en),  # "1,852 complaints", as its card says
        respons=None if units_judged(cover.table) else respons_now(con, as_of, policy),
    )


def _fmt_int_en(n: int) -> str:
    return fmt_int(n, lang="en")


def _open_now_and_before(
    con: duckdb.DuckDBPyConnection, period: Period, at: pd.Timestamp, policy: SlaPolicy,
) -> tuple[pd.DataFrame, OpenNow, OpenNow]:
    """The now lens at ``at`` (its counts and totals) and its totals at the previous period's
    moment: the Lewat batas card and its change, on Ringkasan and in the weekly review."""
    counts = open_counts(con, at, policy)
    return counts, open_now(counts), open_now(open_counts(con, period.previous_as_of(at), policy))


def _most_overdue(con: duckdb.DuckDBPyConnection, counts: pd.DataFrame, top: int | None = TOP_N) -> pd.DataFrame:
    """Units with stages open past their deadline now, most first (``top``; None: all): group,
    group_code, short, open_overdue."""
    late = counts[(counts["state"] == "open_overdue") & (counts["owner_kind"] == "unit")]
    code = late["unit_code"].fillna(late["unit"]).astype("str")
    per = (late.assign(group_code=code).groupby("group_code", sort=False)
           .agg(group=("unit", "first"), open_overdue=("stages", "sum")).reset_index())
    per["short"] = per["group_code"].map(short_names(con)).fillna(per["group"])
    ranked = per.sort_values(["open_overdue", "group"], ascending=[False, True])
    ranked = ranked if top is None else ranked.head(top)
    return ranked[["group", "group_code", "short", "open_overdue"]].reset_index(drop=True)


@dataclass(frozen=True)
class UnitView:
    unit: str
    unit_code: str | None
    kind: str
    row: pd.Series | None  # the unit's league row (None when it has no complaints in the period)
    regency: pd.Series
    league_size: int
    trend: pd.DataFrame
    open_breaches: pd.DataFrame  # open_overdue and at_risk stages, most working days over first
    categories: pd.DataFrame  # category, complaints
    channels: pd.DataFrame  # channel, complaints
    points: pd.DataFrame  # lat, lon, status, source_id
    rows_hidden: bool = False  # open_breaches and points left empty: the viewer may not see them
    overdue_now: int = 0  # the unit's stages open past their deadline at as_of (the now lens)
    # When the unit's own stages cannot be judged (no dispatch times) and the policy times
    # "respons": its complaints unanswered past that limit (open_breaches then lists those), and
    # the sentence that says why.
    respons: ResponsNow | None = None
    coverage: Coverage | None = None


def unit_view(
    con: duckdb.DuckDBPyConnection, unit: str, period: Period, as_of: pd.Timestamp, policy: SlaPolicy,
    unit_scope: str | None = None,
) -> UnitView:
    """Unit page: scorecard against the regency, trend, open overdue/at-risk, mixes, map points.
    ``unit`` is a unit code or name; unknown gives ValueError naming it. With ``unit_scope`` (a
    unit viewer's own code) another unit's complaint rows (breaches, map points) are not returned:
    only its figures."""
    found = find_unit(con, unit)
    if found is None:
        raise ValueError(f"unit {unit!r} not found in the store")
    name, code, kind = found
    by = "camat" if kind == "camat" else "opd"
    league = league_for(con, by=by, period=period, as_of=as_of, policy=policy)
    mine = league.table[league.table["group"] == name]
    filters = {"unit": [name]}
    bounds = period.utc_bounds(policy.timezone)
    trend = weekly_trend(con, _trend_window(period), as_of, policy, filters)
    # Counted and clocked in the store: only the unit's open breaches and map points come back.
    cats = counts_by(con, *bounds, "category", filters)
    chans = counts_by(con, *bounds, "channel", filters)
    # The viewer's scope limits the complaint rows in SQL: another unit's viewer reads none.
    hidden = unit_scope is not None and unit_scope != (code or name)
    cover = coverage(con, period, as_of, policy, filters)
    respons = None if units_judged(cover.table) else respons_now(con, as_of, policy, None, filters=filters)
    # The now lens: the unit's stages open past their deadline or at risk at as_of, whatever the
    # period (the count is a figure every viewer sees; the rows only the unit's own viewer).
    # Without its own stage times, the stages are its respons ones (received -> first response).
    stages = CHAIN if respons is None else (RESPONS,)
    if hidden:
        counts = open_counts(con, as_of, policy, filters, stages=stages)
        overdue_now = int(counts.loc[(counts["owner_kind"] == "unit") & (counts["state"] == "open_overdue"),
                                     "stages"].sum())
        open_b = breaches(open_clock(con, as_of, policy, filters, unit_scope=unit_scope, stages=stages))
    else:
        clock = open_clock(con, as_of, policy, filters, stages=stages)
        clock = clock[clock["owner_kind"].astype("str") == "unit"]
        overdue_now = int((clock["state"].astype("str") == "open_overdue").sum())
        open_b = breaches(clock, ("open_overdue", "at_risk"))
    pts = placed_points(con, *bounds, ("source_id", "lat", "lon", "status"), POINTS_LIMIT, filters, unit_scope)
    open_b = open_b.reset_index(drop=True)
    return UnitView(
        unit=name, unit_code=code, kind=kind or "", row=mine.iloc[0] if len(mine) else None, regency=league.regency,
        league_size=int(league.table["ranked"].sum()), trend=trend, open_breaches=open_b,
        categories=cats.sort_values("complaints", ascending=False).reset_index(drop=True),
        channels=chans.sort_values("complaints", ascending=False).reset_index(drop=True), points=pts.reset_index(drop=True),
        rows_hidden=hidden, overdue_now=overdue_now, respons=respons, coverage=cover,
    )


@dataclass(frozen=True)
class MapView:
    kecamatan: pd.DataFrame  # group (name), group_code (Kemendagri code) + metrics
    desa: pd.DataFrame  # desa_code, desa, complaints
    points: pd.DataFrame  # lat, lon, kecamatan, status
    unplaced: int  # complaints without a matched kecamatan


def map_view(
    con: duckdb.DuckDBPyConnection, period: Period, as_of: pd.Timestamp, policy: SlaPolicy,
    unit_scope: str | None = None, lens: str = "due",
) -> MapView:
    """Peta: kecamatan metrics, desa counts, complaint points. With ``unit_scope`` (a unit viewer)
    the points (one per complaint) are only that unit's, read with the scope in SQL; the area
    figures stay regency-wide."""
    bounds = period.utc_bounds(policy.timezone)
    # Everything here is computed in the store: one row per kecamatan / desa and at most
    # POINTS_LIMIT points come back, never the period's complaints.
    kec, _ = store_group_metrics(con, "kecamatan", period, as_of, policy, policy_calendar(policy), lens=lens)
    pts = placed_points(con, *bounds, ("lat", "lon", "kecamatan", "status"), POINTS_LIMIT, unit_scope=unit_scope)
    return MapView(kecamatan=kec, desa=desa_counts(con, *bounds), points=pts,
                   unplaced=count_without_kecamatan(con, *bounds))


@dataclass(frozen=True)
class WeeklyReview:
    week: str
    period: Period
    opd: League
    camat: League
    movers_up: pd.DataFrame
    movers_down: pd.DataFrame
    new_breaches: pd.DataFrame  # stages whose deadline fell in the week and were missed
    oldest_open: pd.DataFrame  # the OLDEST_N oldest open unit stages
    now: OpenNow | None = None  # the now lens at the review's moment (Lewat batas)
    now_before: OpenNow | None = None  # the same a week earlier

    @property
    def kpis(self) -> list[Kpi]:
        """The week's headline figures: rates of the stages due in the week, Lewat batas now."""
        return kpis(self.opd, self.now, self.now_before)


def weekly_review(
    con: duckdb.DuckDBPyConnection, week: str, as_of: pd.Timestamp, policy: SlaPolicy, unit_scope: str | None = None,
) -> WeeklyReview:
    """Tinjauan Mingguan for ISO week ``week`` (``2025-W24``), judged at the end of that week or
    at ``as_of`` when the week is not over. With ``unit_scope`` (a unit viewer) the complaint rows
    (new breaches, oldest open) are that unit's only, read with the scope in SQL; the league
    tables and movers stay regency-wide."""
    period = iso_week(week)
    week_end = period.utc_bounds(policy.timezone)[1] - pd.Timedelta(microseconds=1)
    if period.utc_bounds(policy.timezone)[0] > as_of:
        raise ValueError(f"week {week} has not started yet (data as of {as_of.date()})")
    at = min(as_of, week_end)
    opd, camat = unit_leagues(con, period=period, as_of=at, policy=policy)  # one query per period for both
    units = _units(opd, camat)
    moved = units[units["rank_change"].notna()]
    up = moved[moved["rank_change"] > 0].sort_values("rank_change", ascending=False).head(TOP_N)
    down = moved[moved["rank_change"] < 0].sort_values("rank_change").head(TOP_N)
    lo, hi = period.utc_bounds(policy.timezone)
    # Everything still inside its clock during the week: received up to 90 days before it ends.
    # Only the rows the review lists (breached or still open) come out of the store.
    clock = clock_in_store(con, lo - pd.Timedelta(days=REVIEW_LOOKBACK_DAYS), hi, at, policy,
                           ("late", "open_overdue", "at_risk", "open"), unit_scope=unit_scope)
    b = breaches(clock, ("late", "open_overdue"))
    new = b[(b["deadline"] >= lo) & (b["deadline"] < hi)].reset_index(drop=True)
    open_unit = clock[(clock["owner_kind"] == "unit") & clock["ended_at"].isna() & clock["started_at"].notna()
                      & clock["state"].astype("str").isin(["open", "at_risk", "open_overdue"])]
    oldest = open_unit.sort_values("started_at", kind="stable").head(OLDEST_N).reset_index(drop=True)
    _, now, before = _open_now_and_before(con, period, at, policy)
    return WeeklyReview(week=week.upper(), period=period, opd=opd, camat=camat, movers_up=up.reset_index(drop=True),
                        movers_down=down.reset_index(drop=True), new_breaches=new, oldest_open=oldest, now=now,
                        now_before=before)


def analysis_table(
    con: duckdb.DuckDBPyConnection, period: Period, as_of: pd.Timestamp, policy: SlaPolicy,
    filters: dict[str, list[str]] | None, dims: tuple[str, ...], lens: str = "due",
) -> pd.DataFrame:
    """Analisis: every registry metric grouped by one or two dimensions over filtered complaints
    (rates under ``lens``; volumes of the complaints received in the period)."""
    # The metric SQL runs in the store: one row per group comes back, not the complaints.
    dims = check_grouping(tuple(dims))
    groups, regency = store_group_metrics(con, dims, period, as_of, policy, policy_calendar(policy), filters, lens)
    if regency.empty:  # no complaint matches the period and filters
        return pd.DataFrame()
    return groups


# --- what is coming and what is real (issue 18): the breach forecast and closure quality ---------


@dataclass(frozen=True)
class BreachOutlook:
    """The breach forecast (analytics.metrics.forecast, docs/forecast.md) as Ringkasan and the
    Unit page show it: the regency's expected breaches in the next ``days`` working days, the
    units most at risk, and each open stage's chance of breach.

    ``forecast.units`` are figures, regency-wide whoever looks; ``forecast.stages`` are complaint
    rows, only those of the viewer's unit when the forecast was asked with a ``unit_scope``. The
    survival curves are left out (no page draws them; a cached result is copied on every run).
    """

    forecast: Forecast
    most_at_risk: pd.DataFrame  # group, group_code, short, expected_breaches, due_soon: TOP_N units, most first
    verifier_expected: float  # the verifier's share of ``expected`` (no Unit page to link to)
    scored_due: int  # open stages due in the window that have a chance of breach (a curve to read it from)
    any_scored: bool  # some open stage, due in the window or later, has a chance of breach

    @property
    def expected(self) -> float:
        """The regency's expected breaches in the window (the verifier's included, as Lewat batas)."""
        return self.forecast.expected_breaches

    @property
    def due_soon(self) -> int:
        """Open stages not yet past their deadline whose deadline falls in the window."""
        return int(self.forecast.units["due_soon"].sum()) if len(self.forecast.units) else 0

    @property
    def state(self) -> str:
        """"none": nothing can be forecast (no open stage is timed, or none due in the window has a
        history to read a chance from): say so, never 0. "quiet": open stages have chances but none
        falls due in the window. "forecast": ``expected`` is a forecast."""
        if self.scored_due:
            return "forecast"
        return "quiet" if self.due_soon == 0 and self.any_scored else "none"

    @property
    def unscored_due(self) -> int:
        """Open stages due in the window without a chance of breach (nothing of their kind in the
        history): not in ``expected``."""
        return self.due_soon - self.scored_due

    def of_unit(self, unit: str) -> tuple[pd.Series | None, pd.DataFrame]:
        """(the unit's figures, its open stages by chance of breach, highest first) for a unit
        named ``unit`` (its stages as the owner, not the verifier's stages of its complaints)."""
        units, stages = self.forecast.units, self.forecast.stages
        mine = units[(units["unit"] == unit) & (units["owner_kind"] == "unit")]
        rows = stages[(stages["unit"] == unit) & (stages["owner_kind"] == "unit")]
        return (mine.iloc[0] if len(mine) else None), rows.reset_index(drop=True)


def breach_forecast(
    con: duckdb.DuckDBPyConnection, as_of: pd.Timestamp, policy: SlaPolicy, days: int = DEFAULT_DAYS,
    unit_scope: str | None = None,
) -> BreachOutlook:
    """Ringkasan's "Diperkirakan lewat batas minggu ini" and the Unit page's open stages by risk:
    ``forecast`` at ``as_of`` for every unit. With ``unit_scope`` (a unit viewer's own code) the
    stage rows of other units' complaints are not returned; the units' figures stay regency-wide."""
    fc = forecast(con, as_of, policy, days=days)
    stages = fc.stages
    p = pd.to_numeric(stages["p_breach"], errors="coerce")
    scored = p.notna()
    scored_due = int((scored & stages["due_soon"].astype(bool)).sum()) if len(stages) else 0
    if unit_scope is not None:
        stages = stages[stages["unit_code"] == unit_scope]
    fc = replace(fc, stages=stages.reset_index(drop=True), curves=fc.curves.iloc[0:0])
    units = fc.units[fc.units["owner_kind"] == "unit"]
    risky = units[units["expected_breaches"] >= 0.05]  # shown with one decimal: never a "0,0" at risk
    risky = risky.assign(group=risky["unit"], group_code=risky["unit_code"].fillna(risky["unit"]))
    risky = risky.assign(short=risky["group_code"].map(short_names(con)).fillna(risky["group"]))
    verifier = fc.units.loc[fc.units["owner_kind"] != "unit", "expected_breaches"].sum()
    return BreachOutlook(
        forecast=fc, verifier_expected=float(verifier), scored_due=scored_due, any_scored=bool(scored.any()),
        most_at_risk=risky.head(TOP_N)[["group", "group_code", "short", "expected_breaches", "due_soon"]]
        .reset_index(drop=True),
    )


QUALITY_GAP_POINTS = 5.0  # a unit whose two on-time rates are this far apart is marked (Peringkat's ⚑)


def closure_quality(
    con: duckdb.DuckDBPyConnection, period: Period, as_of: pd.Timestamp, policy: SlaPolicy, unit: str | None = None,
    unit_scope: str | None = None,
) -> Quality:
    """The closure-quality signals of ``period`` (quality_for; docs/metrics.md, "Closure quality"):
    per unit its signal counts and its on-time rate without flagged complaints beside the
    league's, and the flagged cases. ``unit`` (a code) keeps that unit's complaints only. With
    ``unit_scope`` (a unit viewer's own code) only that unit's cases are returned; the units'
    figures stay."""
    q = quality_for(con, period, as_of, policy, unit)
    if unit_scope is not None:
        q = replace(q, cases=q.cases[q.cases["unit_code"] == unit_scope].reset_index(drop=True))
    return q


def quality_gap(units: pd.DataFrame) -> pd.Series:
    """Per row of Quality.units: whether its on-time rate and its rate without flagged complaints,
    as published (one decimal), are QUALITY_GAP_POINTS or more apart (a question for the meeting)."""
    gap = (units["on_time_pct"] - units["on_time_pct_unflagged"]).abs().round(1)
    return (gap >= QUALITY_GAP_POINTS).fillna(False).astype(bool)


# --- the headline as numbers: `python -m analytics summary`, the tests, the pages' cards ----------

UNIT_STAGES = ("tindak_lanjut", "penyelesaian")  # what a unit answers for (the Ringkasan on-time card)


@dataclass(frozen=True)
class StageNumbers:
    """One stage (or the unit stages together) in the due lens, with the now lens beside it."""

    due: int  # stages whose deadline falls in the period
    due_on_time: int
    due_late: int  # ended late, or still open past the deadline
    due_open: int  # not decided yet: the deadline is after the data moment
    due_absent: int  # the status shows it reached, a time it needs is missing: not judged
    due_uncertain: int  # ended at an estimated time whose interval holds the deadline: not judged
    overdue_now: int
    at_risk_now: int

    @property
    def on_time_pct(self) -> float | None:
        decided = self.due_on_time + self.due_late
        return None if decided == 0 else round_half_up(100 * self.due_on_time / decided, 1)


@dataclass(frozen=True)
class Headline:
    """The one machine-readable headline (docs/metrics.md, "Lenses"): the period's stages due,
    the stages open now, the volume received, and how the stage times are known."""

    as_of: pd.Timestamp
    period: Period
    policy: str
    unit: str | None
    received: int
    units: StageNumbers  # the unit stages together: the Ringkasan on-time card
    overdue_now: int  # every stage open past its deadline now, the verifier's included (Lewat batas)
    at_risk_now: int
    by_stage: dict[str, StageNumbers]
    coverage: pd.DataFrame  # stage, reported, estimated, absent, not_started

    def as_dict(self) -> dict[str, object]:
        def numbers(n: StageNumbers) -> dict[str, object]:
            return {"due": n.due, "due_on_time": n.due_on_time, "due_late": n.due_late, "due_open": n.due_open,
                    "due_absent": n.due_absent, "due_uncertain": n.due_uncertain, "on_time_pct": n.on_time_pct, "overdue_now": n.overdue_now,
                    "at_risk_now": n.at_risk_now}

        return {
            "as_of": self.as_of.isoformat(), "from": self.period.start.isoformat(), "to": self.period.end.isoformat(),
            "policy": self.policy, "lens": "due", "unit": self.unit, "received": self.received,
            **{k: v for k, v in numbers(self.units).items() if k not in ("overdue_now", "at_risk_now")},
            "overdue_now": self.overdue_now, "at_risk_now": self.at_risk_now,
            "by_stage": {stage: numbers(n) for stage, n in self.by_stage.items()},
            "coverage": {r["stage"]: {c: int(r[c]) for c in ("reported", "estimated", "absent", "not_started")}
                         for r in self.coverage.to_dict("records")},
        }


def headline_numbers(
    con: duckdb.DuckDBPyConnection, period: Period, as_of: pd.Timestamp, policy: SlaPolicy, unit: str | None = None,
) -> Headline:
    """The headline of ``period`` judged at ``as_of``; ``unit`` (a unit code) limits it to that
    unit's complaints (their verification included)."""
    filters = {"unit_code": [unit]} if unit else None
    bounds = period.utc_bounds(policy.timezone)
    due = due_clock(con, bounds, as_of, policy, None, filters, stages=ALL_STAGES)
    due = pd.DataFrame({"stage": due["stage"].astype("str"), "state": due["state"].astype("str")})
    now = open_counts(con, as_of, policy, filters, stages=ALL_STAGES)

    def numbers(stages: tuple[str, ...]) -> StageNumbers:
        d = due[due["stage"].isin(stages)]["state"]
        n = now[now["stage"].isin(stages)]
        return StageNumbers(
            due=len(d), due_on_time=int((d == "on_time").sum()), due_late=int(d.isin(["late", "open_overdue"]).sum()),
            due_open=int(d.isin(["at_risk", "open"]).sum()), due_absent=int((d == "unknown").sum()),
            due_uncertain=int((d == "uncertain").sum()),
            overdue_now=int(n.loc[n["state"] == "open_overdue", "stages"].sum()),
            at_risk_now=int(n.loc[n["state"] == "at_risk", "stages"].sum()))

    timed = tuple(s for s in STAGES if policy.stage(s) is not None)
    # Lewat batas counts the chain; respons overlaps it and has its own numbers in by_stage.
    every = numbers(tuple(s for s in timed if s != END_TO_END))
    return Headline(
        as_of=as_of, period=period, policy=policy.name, unit=unit,
        received=count_received(con, *bounds, filters), units=numbers(UNIT_STAGES),
        overdue_now=every.overdue_now, at_risk_now=every.at_risk_now,
        by_stage={s: numbers((s,)) for s in timed},
        coverage=stage_coverage(con, period, as_of, policy, filters, stages=ALL_STAGES),
    )
