"""The data behind each dashboard page: the analytics calls the page file makes on a load.

Each function mirrors one file in pages/ with its default widget values (policy: the default
``sp4n-lapor``; Peringkat: the OPD league; Pelanggaran: every stage and unit; Analisis: grouped by
category, no filters; Tinjauan: the ISO week holding the as-of date; Unit: the unit with the most
complaints). Every page also starts with the frame's store facts (ui/frame.py ``_read_facts``:
freshness, region, demo flag, data version), repeated here with the same analytics calls because
ui/ imports Streamlit. What the pages then draw (plotly, pydeck, dataframes) is not included: the
browser check measures that.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics import screens, store
from analytics.rules.periods import Period
from analytics.rules.policy import SlaPolicy
from analytics.rules.regions import region_geojson
from analytics.store import status


@dataclass(frozen=True)
class PageArgs:
    period: Period
    as_of: pd.Timestamp
    policy: SlaPolicy
    tz: str
    week: str
    unit: str


def frame_facts(con: duckdb.DuckDBPyConnection) -> tuple:
    """What ui/frame.py reads on every page before the page's own data (the data's age included)."""
    from analytics.live.freshness import snapshots

    fresh = status.freshness(con)
    return (fresh, store.get_meta(con, "region"), store.get_meta(con, "is_demo"), status.data_version(con),
            snapshots(con))


def ringkasan(con, a: PageArgs):
    return (frame_facts(con), screens.overview(con, a.period, a.as_of, a.policy),
            screens.breach_forecast(con, a.as_of, a.policy))  # "Diperkirakan lewat batas minggu ini"


def peringkat(con, a: PageArgs):
    return (frame_facts(con), screens.short_names(con), screens.league_for(
        con, by="opd", period=a.period, as_of=a.as_of, policy=a.policy), screens.coverage(con, a.period, a.as_of, a.policy),
        screens.closure_quality(con, a.period, a.as_of, a.policy))  # the rate without flagged complaints


def unit(con, a: PageArgs):
    slug = store.get_meta(con, "region")
    return (frame_facts(con), screens.units_in_store(con), screens.unit_view(con, a.unit, a.period, a.as_of, a.policy),
            region_geojson(slug, "kecamatan") if slug else None,
            screens.breach_forecast(con, a.as_of, a.policy), screens.closure_quality(con, a.period, a.as_of, a.policy))


def peta(con, a: PageArgs):
    slug = store.get_meta(con, "region")
    return frame_facts(con), screens.map_view(con, a.period, a.as_of, a.policy), region_geojson(slug, "kecamatan")


def pelanggaran(con, a: PageArgs):
    return (frame_facts(con), screens.short_names(con), screens.units_in_store(con),
            screens.breaches_for(con, period=a.period, as_of=a.as_of, policy=a.policy, stage=None, unit=None),
            screens.coverage(con, a.period, a.as_of, a.policy))  # the page's note on missing stage times


def tinjauan(con, a: PageArgs):
    return frame_facts(con), screens.short_names(con), screens.weekly_review(con, a.week, a.as_of, a.policy)


def analisis(con, a: PageArgs):
    lo, hi = a.period.utc_bounds(a.tz)
    return (frame_facts(con), screens.filter_options(con),
            screens.analysis_table(con, a.period, a.as_of, a.policy, {}, ("category",)),
            screens.count_received(con, lo, hi, {}))  # the page counts the rows; it reads them on a download press


def dinding(con, a: PageArgs):
    """One turn of the wall (ui/wall.py): its tick reads the facts anew, then every panel's data."""
    from datetime import timedelta

    from analytics.live.freshness import snapshots

    slug = store.get_meta(con, "region")
    day = a.period.end
    days = [Period(d, d).utc_bounds(a.policy.timezone) for d in (day, day - timedelta(days=1))]
    return (frame_facts(con), snapshots(con), screens.overview(con, a.period, a.as_of, a.policy),
            [screens.count_received(con, lo, hi) for lo, hi in days],
            screens.map_view(con, a.period, a.as_of, a.policy), region_geojson(slug, "kecamatan") if slug else None,
            screens.breaches_for(con, period=a.period, as_of=a.as_of, policy=a.policy), screens.short_names(con))


def data(con, a: PageArgs):
    return (frame_facts(con), status.import_history(con), status.inbox_imports(con), status.quarantine_rows(con),
            status.quarantine_reason_counts(con), status.unknown_names(con))


def kinerja(con, a: PageArgs):
    """Catatan Kinerja (ui/ledger_ui.py): the closed months, the newest one's figures and cases,
    the appeal queue. A benchmark store has no month closed unless one was: then only the list."""
    from analytics.ledger.read import closed_months, ledger_month, pending_appeals

    months = closed_months(con)
    return frame_facts(con), months, (ledger_month(con, months[0]) if months else None), pending_appeals(con)


# page name -> (call, whether it depends on the period)
PAGES: dict[str, tuple[Callable, bool]] = {
    "ringkasan": (ringkasan, True),
    "peringkat": (peringkat, True),
    "unit": (unit, True),
    "peta": (peta, True),
    "pelanggaran": (pelanggaran, True),
    "tinjauan": (tinjauan, False),
    "analisis": (analisis, True),
    "data": (data, False),
    "dinding": (dinding, True),
    "kinerja": (kinerja, False),
}
