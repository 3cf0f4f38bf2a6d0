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

from analytics import service, store, store_views, views
from analytics.periods import Period
from analytics.queries import count_received
from analytics.regions import region_geojson


@dataclass(frozen=True)
class PageArgs:
    period: Period
    as_of: pd.Timestamp
    tz: str
    week: str
    unit: str


def frame_facts(con: duckdb.DuckDBPyConnection) -> tuple:
    """What ui/frame.py reads on every page before the page's own data."""
    fresh = store_views.freshness(con)
    return fresh, store.get_meta(con, "region"), store.get_meta(con, "is_demo"), store_views.data_version(con)


def ringkasan(con, a: PageArgs):
    return frame_facts(con), views.overview(con, a.period, a.as_of, None)


def peringkat(con, a: PageArgs):
    return frame_facts(con), views.short_names(con), service.league_for(
        con, by="opd", period=a.period, as_of=a.as_of, policy=None)


def unit(con, a: PageArgs):
    slug = store.get_meta(con, "region")
    return (frame_facts(con), store_views.units_in_store(con), views.unit_view(con, a.unit, a.period, a.as_of, None),
            region_geojson(slug, "kecamatan") if slug else None)


def peta(con, a: PageArgs):
    slug = store.get_meta(con, "region")
    return frame_facts(con), views.map_view(con, a.period, a.as_of, None), region_geojson(slug, "kecamatan")


def pelanggaran(con, a: PageArgs):
    return (frame_facts(con), views.short_names(con), store_views.units_in_store(con),
            service.breaches_for(con, period=a.period, as_of=a.as_of, policy=None, stage=None, unit=None))


def tinjauan(con, a: PageArgs):
    return frame_facts(con), views.short_names(con), views.weekly_review(con, a.week, a.as_of, None)


def analisis(con, a: PageArgs):
    lo, hi = a.period.utc_bounds(a.tz)
    return (frame_facts(con), views.filter_options(con),
            views.analysis_table(con, a.period, a.as_of, None, {}, ("category",)),
            count_received(con, lo, hi, {}))  # the page counts the rows; it reads them on a download press


def data(con, a: PageArgs):
    return (frame_facts(con), store_views.import_history(con), store_views.quarantine_rows(con),
            store_views.quarantine_reason_counts(con), store_views.unknown_names(con))


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
}
