"""Figure and map builders for the Ringkasan and Unit pages: pure functions, frames in, figures out.

Two kinds of chart. ``bars_svg`` and ``trend_svg`` return a small SVG drawn on the server
(``st.image(svg)``, a few kB inside the page's own message): Ringkasan uses them, so a phone never
downloads plotly's 4,7 MB chunk for it (Streamlit fetches a chart library only when a chart of that
kind is drawn). The plotly builders (``trend_figure``, ``unit_bar``, ``mix_bar``) stay for pages
whose charts are read by touch (hover on a week, on a category).

Phone first (390 px): no mode bar (render plotly with ``CHART_CONFIG``), ``dragmode=False`` so a
finger scrolls the page instead of panning the chart, compact margins, 260-320 px high. Every
number a person reads (hover, bar labels, axis ticks) is formatted by ui.fmt in the page language;
labels come in from the page (t()), so nothing here is hard-coded in one language.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from ui import fmt

CHART_CONFIG = {"displayModeBar": False, "scrollZoom": False, "displaylogo": False}
LINE = "#1f6feb"
REFERENCE = "#8b949e"
BAR = "#d1242f"
MIX = "#1f6feb"
MAP_HEIGHT = 320
MAP_WIDTH = 360  # the map's width on a 390 px phone, for fitting the view to the region


def plot_text(value: object) -> str:
    """Text from the data (unit, category, channel names) for a plotly label or hover.

    Plotly renders a few HTML tags in any string (``<b>``, ``<br>``, ``<a href>``), so a category
    called ``<a href=...>`` would become a link. ``< > &`` become entities, which plotly shows
    literally: the name reads exactly as stored."""
    return html.escape(str(value), quote=False)


def _base(fig: go.Figure, height: int, lang: str) -> go.Figure:
    fig.update_layout(
        height=height, margin={"l": 8, "r": 8, "t": 8, "b": 8}, dragmode=False, showlegend=False,
        separators=",." if lang == "id" else ".,", hovermode="closest",
        font={"size": 13}, plot_bgcolor="rgba(0,0,0,0)", paper_bgcolor="rgba(0,0,0,0)",
    )
    fig.update_xaxes(fixedrange=True, automargin=True)
    fig.update_yaxes(fixedrange=True, automargin=True)
    return fig


def _short_day(value: object, lang: str) -> str:
    """``25 Agu`` (a week's Monday, without the year: the axis spans one quarter)."""
    d = pd.Timestamp(value)
    return f"{d.day} {fmt.MONTHS.get(lang, fmt.MONTHS['id'])[d.month - 1]}"


def trend_figure(
    trend: pd.DataFrame, *, rate_label: str, week_label: str, lang: str = "id",
    reference: float | None = None, reference_label: str | None = None, height: int = 280,
) -> go.Figure:
    """Weekly on-time rate as a line with a point per week (``trend``: week, complaints,
    on_time_rate as a fraction). ``reference``: a fraction drawn as a dashed line (the regency's
    rate on a unit's chart). Hover: the week, the rate and the number of complaints."""
    fig = go.Figure()
    if trend is not None and not trend.empty:
        weeks = [_short_day(w, lang) for w in trend["week"]]
        rates = [None if fmt.is_missing(r) else 100 * float(r) for r in trend["on_time_rate"]]
        hover = [
            f"{week_label} {fmt.fmt_date(w, lang=lang)}<br>{rate_label}: {fmt.fmt_pct(r, lang=lang)}"
            f" · {fmt.fmt_int(n, lang=lang)}"
            for w, r, n in zip(trend["week"], trend["on_time_rate"], trend["complaints"])
        ]
        fig.add_trace(go.Scatter(
            x=weeks, y=rates, mode="lines+markers", line={"color": LINE, "width": 3}, marker={"size": 8},
            customdata=hover, hovertemplate="%{customdata}<extra></extra>", connectgaps=False, name=rate_label,
        ))
        if reference is not None and not fmt.is_missing(reference):
            fig.add_hline(
                y=100 * float(reference), line={"color": REFERENCE, "dash": "dash", "width": 2},
                annotation_text=f"{reference_label or ''} {fmt.fmt_pct(reference, 0, lang=lang)}".strip(),
                annotation_position="bottom left", annotation_font={"size": 11, "color": REFERENCE},
            )
        shown = [r for r in rates if r is not None]
        if reference is not None and not fmt.is_missing(reference):
            shown.append(100 * float(reference))
        low = min(shown) if shown else 0
        fig.update_yaxes(range=[max(0, math.floor(low / 10) * 10 - 5), 102], ticksuffix="%")
        fig.update_xaxes(type="category", nticks=6, tickangle=0)
    return _base(fig, height, lang)


def unit_bar(
    frame: pd.DataFrame, *, label: str, value: str, code: str | None = None, value_label: str = "",
    lang: str = "id", color: str = BAR, height: int | None = None,
) -> go.Figure:
    """A small horizontal bar per unit, largest on top, its count printed on the bar.
    ``customdata`` holds the unit code (column ``code``) so a tap can open the unit."""
    fig = go.Figure()
    if frame is not None and not frame.empty:
        f = frame.sort_values(value, ascending=True)
        texts = [fmt.fmt_int(v, lang=lang) for v in f[value]]
        fig.add_trace(go.Bar(
            x=f[value], y=f[label].astype("str").map(plot_text), orientation="h", marker={"color": color}, text=texts,
            textposition="auto", cliponaxis=False,
            customdata=(f[code].astype("str") if code else f[label].astype("str")),
            hovertemplate=f"%{{y}}<br>{value_label}: %{{text}}<extra></extra>", name=value_label,
        ))
        fig.update_xaxes(visible=False)
        height = height or 60 + 34 * len(f)
    return _base(fig, height or 200, lang)


def mix_bar(
    frame: pd.DataFrame, *, label: str, value: str = "complaints", other_label: str = "",
    lang: str = "id", top: int = 6, height: int | None = None,
) -> go.Figure:
    """Category or channel mix: the ``top`` largest as horizontal bars with count and share
    (``12 · 17,4%``), the rest folded into ``other_label``."""
    fig = go.Figure()
    if frame is not None and not frame.empty:
        f = frame[[label, value]].copy()
        f[label] = f[label].astype("str").where(f[label].notna(), other_label or "–")
        f = f.groupby(label, as_index=False)[value].sum().sort_values(value, ascending=False)
        if len(f) > top:
            rest = f.iloc[top - 1:][value].sum()
            f = pd.concat([f.iloc[: top - 1], pd.DataFrame({label: [other_label or "…"], value: [rest]})])
        total = f[value].sum()
        f = f.iloc[::-1]
        texts = [f"{fmt.fmt_int(v, lang=lang)} · {fmt.fmt_pct(v / total if total else None, lang=lang)}"
                 for v in f[value]]
        fig.add_trace(go.Bar(
            x=f[value], y=f[label].map(plot_text), orientation="h", marker={"color": MIX}, text=texts, textposition="auto",
            hovertemplate="%{y}: %{text}<extra></extra>", cliponaxis=False,
        ))
        fig.update_xaxes(visible=False)
        height = height or 60 + 34 * len(f)
    return _base(fig, height or 200, lang)


# --- server-drawn SVG charts (no chart library in the browser) ---------------------------------

SVG_WIDTH = 360  # viewBox units = CSS px on a 390 px phone (the image is scaled to its column)
SVG_FONT = "'Source Sans', 'Source Sans Pro', Roboto, 'Noto Sans', Arial, sans-serif"
TEXT = "#31333f"
MUTED = "#6b7280"
GRID = "#e5e7eb"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{html.escape(SVG_FONT)}" font-size="13" role="img">'
            f"<title>{html.escape(title)}</title>{''.join(body)}</svg>")


def _text(x: float, y: float, value: str, *, anchor: str = "start", fill: str = TEXT, size: int = 13,
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" fill="{fill}" font-size="{size}" '
            f'font-weight="{weight}">{html.escape(value)}</text>')


def _clip(name: str, chars: int) -> str:
    return name if len(name) <= chars else name[: chars - 1] + "…"


def bars_svg(
    frame: pd.DataFrame, *, label: str, value: str, title: str = "", lang: str = "id", color: str = BAR,
    width: int = SVG_WIDTH,
) -> str:
    """Horizontal bars, largest on top, the unit's name left of its bar and its count at the end
    (``1.234``), as an SVG string. ``title`` is its accessible name. Empty frame: an empty SVG."""
    rows = [] if frame is None or frame.empty else list(
        frame.sort_values(value, ascending=False)[[label, value]].itertuples(index=False))
    bar_h, gap, top = 22, 10, 4
    height = top + len(rows) * (bar_h + gap) + 2
    names = [_clip(str(r[0]), 18) for r in rows]
    name_w = min(140, 10 + 7 * max((len(n) for n in names), default=0))
    values = [0.0 if fmt.is_missing(r[1]) else float(r[1]) for r in rows]
    top_value = max(values, default=0) or 1
    room = width - name_w - 8 - 48  # leave space for the count after the longest bar
    body = []
    for i, (name, v) in enumerate(zip(names, values)):
        y = top + i * (bar_h + gap)
        w = max(2.0, room * v / top_value)
        body.append(_text(name_w, y + bar_h * 0.72, name, anchor="end"))
        body.append(f'<rect x="{name_w + 8}" y="{y}" width="{w:.1f}" height="{bar_h}" rx="3" fill="{color}"/>')
        body.append(_text(name_w + 8 + w + 6, y + bar_h * 0.72, fmt.fmt_int(v, lang=lang), weight="600"))
    return _svg(width, height, body, title)


def trend_svg(
    trend: pd.DataFrame, *, title: str = "", lang: str = "id", width: int = SVG_WIDTH, height: int = 200,
) -> str:
    """The weekly on-time rate (``trend``: week, on_time_rate as a fraction) as a line with a dot
    per week, as an SVG string: percentage gridlines on the left, six week labels below, the last
    week's rate printed at its dot. A week without a decided stage breaks the line."""
    weeks = [] if trend is None or trend.empty else list(trend["week"])
    rates = [] if trend is None or trend.empty else [
        None if fmt.is_missing(r) else 100 * float(r) for r in trend["on_time_rate"]]
    shown = [r for r in rates if r is not None]
    low = max(0, math.floor((min(shown) if shown else 0) / 10) * 10 - 5)
    left, right, top, bottom = 40, 44, 10, 24
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * i / (len(weeks) - 1) if len(weeks) > 1 else plot_w / 2)

    def y(r: float) -> float:
        return top + plot_h * (1 - (r - low) / (100 - low or 1))

    body = []
    step = 10 if 100 - low > 40 else 5
    for tick in range(100, int(low) - 1, -step):
        body.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
                    f'stroke="{GRID}" stroke-width="1"/>')
        body.append(_text(left - 6, y(tick) + 4, f"{tick}%", anchor="end", fill=MUTED, size=11))
    every = max(1, math.ceil(len(weeks) / 6))
    for i, w in enumerate(weeks):
        if i % every == 0 or i == len(weeks) - 1 and len(weeks) <= 6:
            body.append(_text(x(i), height - 6, _short_day(w, lang), anchor="middle", fill=MUTED, size=11))
    path, last = [], None
    for i, r in enumerate(rates):
        if r is None:
            path.append(None)
            continue
        path.append((x(i), y(r)))
        last = (i, r)
    runs, run = [], []
    for pt in [*path, None]:
        if pt is None:
            if len(run) > 1:
                runs.append(run)
            run = []
        else:
            run.append(pt)
    for run in runs:
        points = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
        body.append(f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="3" '
                    f'stroke-linejoin="round"/>')
    for pt in path:
        if pt is not None:
            body.append(f'<circle cx="{pt[0]:.1f}" cy="{pt[1]:.1f}" r="4" fill="{LINE}"/>')
    if last is not None:
        i, r = last
        body.append(_text(x(i) + 6, y(r) + 4, fmt.fmt_pct(r / 100, 0, lang=lang), fill=LINE, size=12,
                          weight="600"))
    return _svg(width, height, body, title)


# --- the unit map -------------------------------------------------------------------------------

STATE_COLORS = {"done": [46, 160, 67, 170], "open": [31, 111, 235, 200], "overdue": [209, 36, 47, 230]}
DONE_STATUSES = frozenset({"selesai", "ditolak", "diarsipkan"})


def _coords(geometry: dict) -> Iterable[tuple[float, float]]:
    def walk(c):
        if c and isinstance(c[0], (int, float)):
            yield float(c[0]), float(c[1])
        else:
            for x in c:
                yield from walk(x)

    yield from walk(geometry.get("coordinates", []))


def geojson_bounds(geojson: dict) -> tuple[float, float, float, float] | None:
    """(min_lon, min_lat, max_lon, max_lat) over every feature, or None without coordinates."""
    pts = [p for f in geojson.get("features", []) if f.get("geometry") for p in _coords(f["geometry"])]
    if not pts:
        return None
    lons, lats = [p[0] for p in pts], [p[1] for p in pts]
    return min(lons), min(lats), max(lons), max(lats)


def fit_view(bounds: tuple[float, float, float, float], width: int = MAP_WIDTH, height: int = MAP_HEIGHT) -> pdk.ViewState:
    """A view showing the whole box on a ``width`` x ``height`` px map (Web Mercator zoom)."""
    lo_lon, lo_lat, hi_lon, hi_lat = bounds
    lon_span = max(hi_lon - lo_lon, 1e-4)

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lat_span = max(abs(merc(hi_lat) - merc(lo_lat)) * 180 / math.pi, 1e-4)
    zoom = min(math.log2(width * 360 / (256 * lon_span)), math.log2(height * 360 / (256 * lat_span))) - 0.15
    return pdk.ViewState(latitude=(lo_lat + hi_lat) / 2, longitude=(lo_lon + hi_lon) / 2, zoom=round(zoom, 2),
                         min_zoom=max(zoom - 1, 0), max_zoom=zoom + 4, pitch=0, bearing=0)


def unit_map(points: pd.DataFrame, kecamatan: dict | None, *, overdue_ids: Iterable[str] = ()) -> pdk.Deck:
    """Where a unit's complaints are: kecamatan outlines and a dot per complaint (red: a stage
    open past its deadline, blue: open, green: done). Offline: no basemap (``map_provider=None``,
    no map style). The tooltip shows the complaint id only: no personal data leaves the server."""
    overdue = set(map(str, overdue_ids))
    layers = []
    if kecamatan and kecamatan.get("features"):
        layers.append(pdk.Layer(
            "GeoJsonLayer", kecamatan, id="kecamatan", pickable=False, stroked=True, filled=True,
            get_fill_color=[240, 242, 245, 255], get_line_color=[110, 118, 129, 255], line_width_min_pixels=1,
        ))
    if points is not None and not points.empty:
        p = points[["source_id", "lat", "lon", "status"]].copy()
        p["source_id"] = p["source_id"].astype("str")
        state = p["status"].astype("str").map(lambda s: "done" if s in DONE_STATUSES else "open")
        state = state.where(~p["source_id"].isin(overdue), "overdue")
        p["color"] = state.map(STATE_COLORS)
        p = p.assign(order=state.map({"done": 0, "open": 1, "overdue": 2})).sort_values("order")  # red on top
        layers.append(pdk.Layer(
            "ScatterplotLayer", p[["source_id", "lat", "lon", "color"]], id="complaints", pickable=True,
            get_position="[lon, lat]", get_fill_color="color", get_radius=120, radius_min_pixels=3,
            radius_max_pixels=9, stroked=False,
        ))
    bounds = geojson_bounds(kecamatan) if kecamatan else None
    if bounds is None and points is not None and not points.empty:
        bounds = (points["lon"].min(), points["lat"].min(), points["lon"].max(), points["lat"].max())
    view = fit_view(bounds) if bounds else pdk.ViewState(latitude=-2.5, longitude=118, zoom=3.5)
    return pdk.Deck(layers=layers, initial_view_state=view, map_provider=None,
                    tooltip={"text": "{source_id}"})


# --- numbers as the pages print them --------------------------------------------------------------


def rank_move(change: object, *, new: str, same: str, lang: str = "id") -> str:
    """Rank change as arrows: ``▲ 3`` (up), ``▼ 2`` (down), ``same`` (0), ``new`` (unranked before)."""
    if fmt.is_missing(change):
        return new
    n = int(change)
    if n == 0:
        return same
    return f"{'▲' if n > 0 else '▼'} {fmt.fmt_int(abs(n), lang=lang)}"
