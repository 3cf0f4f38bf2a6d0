"""One week's review pack as frozen data: everything the PDF, the workbook and the digests show.

Nothing here computes a metric: the leagues, movers, new breaches and oldest open stages come
from ``screens.weekly_review``; the published league rows from ``league.league_rows`` (what the
``league`` CLI prints); the breaches from ``breaches.breaches_for`` (what the ``breaches`` CLI
prints); the trend from ``screens.on_time_trend``. So the files and the CLI cannot disagree.

Personal data stays out: complaints are named by id, unit, category and working days only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

import duckdb
import pandas as pd

from analytics import screens, store
from analytics.metrics.breaches import breaches_for
from analytics.metrics.league import league_rows
from analytics.metrics.quality import quality_for
from analytics.metrics.summary import Kpi
from analytics.review import commitments as cm
from analytics.review.verdict import verdicts
from analytics.rules.periods import Period, iso_week
from analytics.rules.policy import SlaPolicy
from analytics.store.reads import complaints_received, short_names
from analytics.textfmt import fmt_date, fmt_datetime, round_half_up

if TYPE_CHECKING:  # made by the caller: analytics.live sits above the review pack
    from analytics.live.freshness import DataAge

# Columns of the week's complaints sheet: ids, units, places and categories; no reporter, no text,
# no coordinates (a point can locate a home).
COMPLAINT_COLUMNS = ("source", "source_id", "received_at", "status", "unit_code", "unit", "kecamatan",
                     "category", "classification", "channel")
OPEN_STATES = ("open_overdue", "at_risk")


class NoComplaints(ValueError):
    """The week has no complaints in the store: a pack would be empty, so none is made."""


@dataclass(frozen=True)
class ReviewPack:
    week: str  # "2025-W24"
    period: Period  # Monday..Sunday, local dates
    as_of: pd.Timestamp  # the data's moment (latest snapshot), UTC
    judged_at: pd.Timestamp  # min(as_of, the week's last instant): when deadlines are judged
    region_name: str  # "Kab. Bekasi", or "" for a store without a regency
    is_demo: bool
    tz: str
    policy: str
    policy_label: str
    min_decided: int  # the volume rule of the ranking (units below it are not ranked)
    review: screens.WeeklyReview
    kpis: tuple[Kpi, ...]  # regency headline figures against the previous week
    opd_rows: pd.DataFrame  # league.league_rows(review.opd): the league CLI's rows
    camat_rows: pd.DataFrame
    breaches: pd.DataFrame  # breaches_for(the week): the breaches CLI's rows (BREACH_COLUMNS + context)
    open_stages: pd.DataFrame  # unit stages open past their deadline or at risk at the data moment (now lens)
    complaints: pd.DataFrame  # COMPLAINT_COLUMNS of the week's complaints
    trend: pd.DataFrame  # screens.on_time_trend: week, complaints, decided, on_time, on_time_rate
    verdicts: pd.DataFrame  # verdict.verdicts: kind, unit, unit_code, short, level, text
    units: pd.DataFrame  # every unit a digest is written for: code, name, short, kind
    short: dict[str, str]  # unit code -> short name
    # Closure quality of the week (metrics.quality: the `quality` CLI's rows): units with a signal,
    # their on-time rate with and without flagged complaints, and the flagged complaints.
    quality_units: pd.DataFrame | None = None
    quality_cases: pd.DataFrame | None = None
    commitments: cm.ReviewCommitments | None = None
    # How old the data was when the pack was made (analytics.live.freshness.data_age, the dashboard's
    # one definition, computed by the caller); None: the pack only says "Data per ...".
    age: DataAge | None = None

    @property
    def complete(self) -> bool:
        """The week was over when the data was taken (otherwise the pack says "so far")."""
        return self.judged_at < self.as_of

    @property
    def window(self) -> Period:
        """Received dates whose stages the review follows (screens.REVIEW_LOOKBACK_DAYS)."""
        return Period(self.period.start - timedelta(days=screens.REVIEW_LOOKBACK_DAYS), self.period.end)

    def name(self, code: object, fallback: object) -> str:
        """The short name of a unit code ("Dinkes"), else the name given."""
        return self.short.get(str(code), str(fallback)) if isinstance(code, str) else str(fallback)


def week_title(period: Period) -> str:
    """``Minggu 46 · 10–16 Nov 2025`` (month and year shown once when the week has one)."""
    a, b = fmt_date(period.start), fmt_date(period.end)
    if (period.start.year, period.start.month) == (period.end.year, period.end.month):
        a = str(period.start.day)
    elif period.start.year == period.end.year:
        a = a.rsplit(" ", 1)[0]
    return f"Minggu {period.start.isocalendar()[1]} · {a}–{b}"


def data_moment(pack: ReviewPack) -> str:
    """``20 Nov 2025 12.00 WIB`` in the regency's zone."""
    return fmt_datetime(pack.as_of, pack.tz)


def data_age_clause(pack: ReviewPack) -> str:
    """``, umur 3 hari kerja saat paket dibuat 6 Des 2026 16.18 WIB`` ("" without an age): said
    after ``Data per <moment>`` in the PDF, the workbook and the digests."""
    if pack.age is None or pack.age.current is None:
        return ""
    return f", umur {pack.age.words(ago=False)} saat paket dibuat {fmt_datetime(pack.age.now, pack.tz)}"


def stale_warning(pack: ReviewPack) -> str:
    """The stale-data warning of the pack ("" when the data was fresh or the age unknown):
    ``Data terlambat: SP4N-LAPOR! 5 hari kerja lalu (batas 2 hari kerja). Angka ...``."""
    if pack.age is None or not pack.age.stale:
        return ""
    return (pack.age.stale_sentence("id") + " Angka dalam paket ini bisa sudah berubah: impor ekspor "
            "terbaru lalu buat paket lagi sebelum rapat.")


def check_week(week: str, as_of: pd.Timestamp, tz: str) -> Period:
    """The ISO week's dates; ValueError naming the problem for a malformed or future week."""
    period = iso_week(week)
    lo = period.utc_bounds(tz)[0]
    if lo > as_of:
        raise ValueError(f"week {week.upper()} ({period.start}..{period.end}) is in the future: "
                         f"the data runs to {fmt_datetime(as_of, tz)}")
    return period


def assemble(con: duckdb.DuckDBPyConnection, week: str, as_of: pd.Timestamp, policy: SlaPolicy, *,
             with_commitments: bool = True, age: DataAge | None = None) -> ReviewPack:
    """The pack of ISO ``week`` with the data as of ``as_of`` under ``policy``.

    ValueError for a malformed or future week; NoComplaints when no complaint was received in it.
    ``with_commitments=False`` leaves them out (the dashboard caches the rest and reads them fresh).
    ``age`` (``analytics.live.freshness.data_age`` at the moment the pack is made) makes the pack
    say how old its data is, and warn when it is stale (``with_data_age``).
    """
    tz = policy.timezone
    period = check_week(week, as_of, tz)
    lo, hi = period.utc_bounds(tz)
    week_complaints = complaints_received(con, lo, hi)
    if week_complaints.empty:
        raise NoComplaints(f"no complaints were received in week {week.upper()} ({period.start}..{period.end}); "
                           "nothing to review")
    review = screens.weekly_review(con, week, as_of, policy)
    at = review.opd.as_of
    window = Period(period.start - timedelta(days=screens.REVIEW_LOOKBACK_DAYS), period.end)
    open_b = breaches_for(con, period=window, as_of=at, policy=policy)
    open_b = open_b[(open_b["owner_kind"] == "unit") & open_b["state"].isin(OPEN_STATES)].reset_index(drop=True)
    slug = store.get_meta(con, "region")
    region_name = ""
    if slug:
        from analytics.rules.regions import load_region

        try:
            region_name = load_region(slug).short_name
        except ValueError:
            region_name = slug
    shorts = short_names(con)
    units = cm.known_units(con)
    opd_rows, camat_rows = league_rows(review.opd), league_rows(review.camat)
    quality = quality_for(con, period, at, policy)
    flagged = quality.units[quality.units["flagged"] > 0].reset_index(drop=True)
    rate = next(k.value for k in review.kpis if k.metric == "on_time_rate")
    regency_pct = None if rate is None else round_half_up(100 * rate, 1)
    pack = ReviewPack(
        week=review.week, period=period, as_of=as_of, judged_at=at, region_name=region_name,
        is_demo=store.get_meta(con, "is_demo") == "1", tz=tz, policy=policy.name, policy_label=policy.label,
        min_decided=review.opd.settings.min_decided, review=review, kpis=tuple(review.kpis),
        opd_rows=opd_rows, camat_rows=camat_rows,
        breaches=breaches_for(con, period=period, as_of=at, policy=policy),
        open_stages=open_b, complaints=week_complaints[list(COMPLAINT_COLUMNS)].reset_index(drop=True),
        trend=screens.on_time_trend(con, period, at, policy), verdicts=verdicts(opd_rows, camat_rows, regency_pct, review.opd.settings.min_decided, shorts),
        units=units, short=shorts, quality_units=flagged, quality_cases=quality.cases.reset_index(drop=True),
    )
    if with_commitments:
        pack = with_commitments_of(pack, con)
    if age is not None:
        pack = with_data_age(pack, age)
    return pack


def with_data_age(pack: ReviewPack, age: DataAge) -> ReviewPack:
    """The pack with how old its store's data was when it was made: ``age`` is
    ``analytics.live.freshness.data_age`` of the pack's store at that moment under the pack's
    policy, the verdict every dashboard page shows (ui.frame.data_age makes it for the dashboard)."""
    return dataclasses.replace(pack, age=age)


def with_commitments_of(pack: ReviewPack, con: duckdb.DuckDBPyConnection) -> ReviewPack:
    """The pack with the store's commitments as its week sees them."""
    return dataclasses.replace(pack, commitments=cm.for_review(cm.list_all(con), pack.period))
