"""Builders for the Analisis page: dimension columns, the display table, the bar chart.

``analysis_table`` names a two-dimension group "A / B"; category names can contain " / " too,
so the split uses the known values of the first dimension (``split_groups``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from analytics.metrics.groups import DIMENSIONS, METRIC_COLUMNS
from analytics.metrics.registry import METRICS
from analytics.store.reads import complaints_received
from ui import db, fmt
from ui.charts import plot_text
from ui.i18n import t

MEASURES: tuple[str, ...] = tuple(m for m in METRICS if m in METRIC_COLUMNS)
DEFAULT_MEASURES: tuple[str, ...] = ("complaints", "on_time_rate", "open_overdue", "median_response_days")
DIMS: tuple[str, ...] = tuple(DIMENSIONS)
FILTERS: tuple[str, ...] = ("unit", "kecamatan", "category", "channel", "status", "classification")
NONE = "-"
CHART_CONFIG = {"displayModeBar": False, "scrollZoom": False, "displaylogo": False}
CHART_TOP = 15  # bars in the chart: the busiest values of the first dimension
PALETTE = ("#1f6feb", "#d1242f", "#2da44e", "#bf8700", "#8250df", "#0a7ea4", "#cf222e", "#57606a")


def rows_on_demand(
    start_utc: pd.Timestamp, end_utc: pd.Timestamp, filters: dict[str, list[str]], unit_scope: str | None,
) -> Callable[[], pd.DataFrame]:
    """A callable that reads the filtered complaints for the rows download when the button is
    pressed. It runs on Streamlit's download thread, so it takes a cursor of its own on the
    process connection (as the download's audit row does); ``unit_scope`` still limits it in SQL."""
    return functools.partial(_read_rows, db.connection(), start_utc, end_utc, filters, unit_scope)


def _read_rows(con, start_utc, end_utc, filters, unit_scope) -> pd.DataFrame:  # noqa: ANN001
    cur = con.cursor()
    try:
        return complaints_received(cur, start_utc, end_utc, filters, unit_scope=unit_scope)
    finally:
        cur.close()


def dim_label(lang: str, dim: str) -> str:
    return t("analisis.dim.none", lang=lang) if dim == NONE else t(f"analisis.dim.{dim}", lang=lang)


def metric_label(lang: str, name: str) -> str:
    return METRICS[name].label(lang)


def split_groups(table: pd.DataFrame, dims: tuple[str, ...], first_values: list[str] | None = None) -> pd.DataFrame:
    """The table with one column per dimension (named by the dimension) instead of "A / B"."""
    out = table.copy()
    if len(dims) == 1:
        out[dims[0]] = out["group"].astype("str")
        return out
    known = sorted({str(v) for v in first_values or []}, key=len, reverse=True)

    def split(g: str) -> tuple[str, str]:
        if dims[0] in ("week", "month"):
            return g[:10], g[13:]
        for v in known:
            if g.startswith(v + " / "):
                return v, g[len(v) + 3:]
        a, _, b = g.partition(" / ")
        return a, b

    parts = [split(str(g)) for g in out["group"]]
    out[dims[0]] = [p[0] for p in parts]
    out[dims[1]] = [p[1] for p in parts]
    return out


def _dim_values(frame: pd.DataFrame, dim: str, lang: str) -> list[str]:
    if dim in ("week", "month"):
        return [fmt.fmt_date(v, lang=lang) for v in frame[dim]]
    return frame[dim].astype("str").tolist()


def display_table(frame: pd.DataFrame, dims: tuple[str, ...], measures: list[str], lang: str) -> pd.DataFrame:
    """Dimension columns then the measures, registry labels as headers, values as id/en text;
    sorted by the first dimension for time, else by the first measure (largest first)."""
    rows = _sorted(frame, dims, measures)
    out = pd.DataFrame({dim_label(lang, d): _dim_values(rows, d, lang) for d in dims})
    for m in measures:
        out[metric_label(lang, m)] = [fmt.metric_text(m, v, lang) for v in rows[m]]
    return out.reset_index(drop=True)


def export_table(frame: pd.DataFrame, dims: tuple[str, ...], measures: list[str], lang: str) -> pd.DataFrame:
    """The same rows with raw numbers (rates as fractions) for CSV/XLSX."""
    rows = _sorted(frame, dims, measures)
    out = pd.DataFrame({dim_label(lang, d): rows[d].astype("str").to_numpy() for d in dims})
    for m in measures:
        out[metric_label(lang, m)] = rows[m].to_numpy()
    return out


def _sorted(frame: pd.DataFrame, dims: tuple[str, ...], measures: list[str]) -> pd.DataFrame:
    if dims[0] in ("week", "month"):
        return frame.sort_values(list(dims))
    return frame.sort_values(measures[0] if measures else "complaints", ascending=False, na_position="last")


def bar_figure(frame: pd.DataFrame, dims: tuple[str, ...], measure: str, lang: str) -> go.Figure:
    """Bars of ``measure`` by the first dimension (horizontal, busiest CHART_TOP on top; time runs
    left to right), one colour per value of the second dimension (stacked counts, grouped rates)."""
    time = dims[0] in ("week", "month")
    counts = METRICS[measure].unit == "count"
    keep = frame.groupby(dims[0])["complaints"].sum().sort_values(ascending=False).head(CHART_TOP).index
    data = frame[frame[dims[0]].isin(keep)]
    order = sorted(keep) if time else list(keep)[::-1]
    series = [(None, data)] if len(dims) == 1 else list(data.groupby(dims[1], sort=True))
    fig = go.Figure()
    scale = 100.0 if METRICS[measure].unit == "pct" else 1.0
    for i, (name, part) in enumerate(series[: len(PALETTE) * 2]):
        part = part.set_index(dims[0]).reindex(order)
        cats = [fmt.fmt_date(v, lang=lang) if time else plot_text(v) for v in order]
        vals = [None if fmt.is_missing(v) else float(v) * scale for v in part[measure]]
        text = [fmt.metric_text(measure, v, lang) for v in part[measure]]
        kw = {"x": cats, "y": vals} if time else {"x": vals, "y": cats, "orientation": "h"}
        shown = plot_text(name) if name is not None else None  # a value of the second dimension
        fig.add_bar(**kw, name=shown if shown is not None else metric_label(lang, measure),
                    marker_color=PALETTE[i % len(PALETTE)], hovertext=text,
                    hovertemplate=("%{hovertext}" + (f"<extra>{shown}</extra>" if shown is not None else "<extra></extra>")))
    fig.update_layout(
        barmode="stack" if counts else "group", height=max(280, 26 * len(order) + 80) if not time else 320,
        margin={"l": 8, "r": 8, "t": 8, "b": 8}, dragmode=False, showlegend=len(dims) > 1,
        legend={"orientation": "h", "y": -0.15}, separators=",." if lang == "id" else ".,",
        font={"size": 12}, plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)",
    )
    fig.update_xaxes(fixedrange=True, automargin=True, title=None if time else metric_label(lang, measure))
    fig.update_yaxes(fixedrange=True, automargin=True, title=None)
    return fig
