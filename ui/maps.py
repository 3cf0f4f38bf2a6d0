"""Map builders for the Peta page: pydeck decks that draw with no basemap reachable.

The kecamatan polygons are the basemap: ``map_provider=None`` and no ``map_style``, so the
browser fetches nothing from a third party (docs/maps.md). ``basemap=True`` opts in to Carto
tiles, fetched by the *viewer's* browser, which tells Carto where the viewer is looking.

Colours are close to Streamlit's markdown colours, so the page draws the legend as text
(``legend_text`` -> ":green[■] ≥ 90%"): no HTML anywhere.
"""

from __future__ import annotations

import html
import math
import os
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk

from analytics.metrics.registry import METRICS
from ui import fmt
from ui.i18n import t

MAP_METRICS: tuple[str, ...] = ("complaints", "on_time_rate", "open_overdue")
DETAIL_METRICS: tuple[str, ...] = ("complaints", "on_time_rate", "open_overdue", "median_response_days")
BASEMAP_ENV = "PANTAU_BASEMAP"  # "carto": the basemap checkbox starts on; "never": no checkbox

# Colours close to Streamlit's markdown text colours, so the legend can be drawn as text:
# ":green[■]" (no HTML, no colour-emoji font needed, and it reads fine in a screen reader).
GREEN, YELLOW, ORANGE, RED, VIOLET = (33, 195, 84), (250, 202, 43), (255, 140, 0), (230, 50, 50), (128, 61, 245)
NO_DATA = (210, 210, 210)
MARKDOWN_COLOUR = {GREEN: "green", YELLOW: "yellow", ORANGE: "orange", RED: "red", VIOLET: "violet", NO_DATA: "gray"}
# Low -> high value. Volume is neutral (a heat ramp); on-time is good when high; overdue bad.
RAMPS = {
    "complaints": (YELLOW, ORANGE, RED, VIOLET),
    "on_time_rate": (RED, ORANGE, YELLOW, GREEN),
    "open_overdue": (GREEN, YELLOW, ORANGE, RED),
}
ON_TIME_BREAKS = (0.7, 0.8, 0.9)  # fixed, so a colour means the same thing every week
ALPHA = 200


@dataclass(frozen=True)
class Scale:
    """Class breaks for a metric: value < breaks[0] -> colours[0], ... >= breaks[-1] -> last."""

    metric: str
    breaks: tuple[float, ...]
    colours: tuple[tuple[int, int, int], ...]

    def colour(self, value: object) -> list[int]:
        if fmt.is_missing(value):
            return [*NO_DATA, 140]
        i = int(np.searchsorted(np.asarray(self.breaks, float), float(value), side="right"))
        return [*self.colours[min(i, len(self.colours) - 1)], ALPHA]


def scale_for(metric: str, values: pd.Series) -> Scale:
    """Breaks for ``metric`` over this period's values: fixed for the on-time rate, 0 / the
    terciles of the rest for open overdue, quartiles (whole numbers) for volume."""
    if metric not in RAMPS:
        raise ValueError(f"map metric must be one of {', '.join(RAMPS)}, not {metric!r}")
    colours = RAMPS[metric]
    if metric == "on_time_rate":
        return Scale(metric, ON_TIME_BREAKS, colours)
    v = pd.to_numeric(values, errors="coerce").dropna()
    if metric == "open_overdue":
        pos = v[v > 0]
        qs = [math.ceil(q) for q in pos.quantile([1 / 3, 2 / 3])] if len(pos) else []
        breaks = sorted({1, *(q for q in qs if q > 1)})
    else:
        qs = [math.ceil(q) for q in v.quantile([0.25, 0.5, 0.75])] if len(v) else []
        breaks = sorted({q for q in qs if q > 0})
    return Scale(metric, tuple(float(b) for b in breaks), colours[: len(breaks) + 1] if metric == "open_overdue"
                 else colours[len(colours) - len(breaks) - 1:])


def _value(metric: str, value: object, lang: str) -> str:
    if metric == "on_time_rate":
        return fmt.fmt_pct(value, 0, lang=lang)
    return fmt.fmt_int(value, lang=lang)


def legend(scale: Scale, lang: str = "id") -> list[tuple[str, str]]:
    """(markdown colour name, range text) per class, low to high, then the no-data class."""
    b, out = scale.breaks, []
    step = 0.0 if scale.metric == "on_time_rate" else 1.0
    for i, colour in enumerate(scale.colours):
        if not b:
            text = t("map.legend.all", lang=lang)
        elif i == 0:
            text = f"< {_value(scale.metric, b[0], lang)}"
        elif i == len(b):
            text = f"≥ {_value(scale.metric, b[-1], lang)}"
        else:
            lo, hi = b[i - 1], b[i] - step
            text = _value(scale.metric, lo, lang) if lo == hi else (
                f"{_value(scale.metric, lo, lang)}–{_value(scale.metric, hi, lang)}")
        out.append((MARKDOWN_COLOUR[colour], text))
    out.append((MARKDOWN_COLOUR[NO_DATA], t("map.legend.none", lang=lang)))
    return out


def legend_text(scale: Scale, lang: str = "id") -> str:
    """The legend as one markdown line: ``:green[■] ≥ 90% · ...``."""
    return "  ·  ".join(f":{colour}[■] {txt}" for colour, txt in legend(scale, lang))


def bounds(geojson: dict) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) over every coordinate of the features."""
    xs: list[float] = []
    ys: list[float] = []

    def walk(c) -> None:
        if c and isinstance(c[0], (int, float)):
            xs.append(float(c[0]))
            ys.append(float(c[1]))
        else:
            for sub in c:
                walk(sub)

    for f in geojson.get("features", []):
        walk(f["geometry"]["coordinates"])
    if not xs:
        raise ValueError("no coordinates to fit the view to")
    return min(xs), min(ys), max(xs), max(ys)


def fitted_view(box: tuple[float, float, float, float], *, width: int = 360, height: int = 340) -> pdk.ViewState:
    """A view that shows the whole box in a ``width`` x ``height`` px map (a phone by default;
    wider screens get margin). Web-Mercator zoom: 256 px cover 360° of longitude at zoom 0."""
    x0, y0, x1, y1 = box

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    dx = max(x1 - x0, 1e-4) / 360.0
    dy = max(merc(y1) - merc(y0), 1e-4) / (2 * math.pi)
    zoom = math.log2(min(width / (256 * dx), height / (256 * dy)))
    return pdk.ViewState(latitude=(y0 + y1) / 2, longitude=(x0 + x1) / 2, zoom=round(min(zoom, 15), 2),
                         min_zoom=7, max_zoom=16, pitch=0, bearing=0)


def _tip(metric: str, value: object, lang: str) -> str:
    return f"{METRICS[metric].label(lang)}: {_value(metric, value, lang)}"


def kecamatan_features(geojson: dict, metrics: pd.DataFrame, metric: str, lang: str = "id",
                       selected: str | None = None) -> tuple[dict, Scale]:
    """The kecamatan FeatureCollection with fill colour and tooltip lines joined from the
    map view's metrics (``group_code`` = feature ``kode``). Feature order is the file's, so a
    tap's index maps back to a feature."""
    by_code = metrics.set_index("group_code") if len(metrics) else pd.DataFrame()
    scale = scale_for(metric, metrics[metric] if metric in metrics else pd.Series(dtype=float))
    out = {"type": "FeatureCollection", "features": []}
    for f in geojson["features"]:
        p = dict(f["properties"])
        # The tooltip is an HTML template (deck.gl sets innerHTML): the name goes in as text.
        p["nama"] = html.escape(str(p.get("nama", "")))
        row = by_code.loc[p["kode"]] if p["kode"] in by_code.index else None
        vals = {m: row[m] if row is not None else (None if m == "on_time_rate" else 0) for m in MAP_METRICS}
        p["fill"] = scale.colour(vals[metric])
        p["line"] = [20, 20, 20, 255] if p["kode"] == selected else [80, 80, 80, 200]
        p["lw"] = 3 if p["kode"] == selected else 1
        for i, m in enumerate(MAP_METRICS, 1):
            p[f"l{i}"] = _tip(m, vals[m], lang)
        out["features"].append({"type": "Feature", "geometry": f["geometry"], "properties": p})
    return out, scale


def desa_features(geojson: dict, counts: pd.DataFrame, kec_code: str, lang: str = "id") -> tuple[dict, Scale]:
    """The desa of one kecamatan coloured by complaint volume (MapView.desa joined on kode)."""
    feats = [f for f in geojson["features"] if f["properties"].get("kode_kec") == kec_code]
    n = counts.set_index("desa_code")["complaints"] if len(counts) else pd.Series(dtype="int64")
    values = pd.Series([n.get(f["properties"]["kode"], 0) for f in feats], dtype="float64")
    scale = scale_for("complaints", values)
    out = {"type": "FeatureCollection", "features": []}
    for f, v in zip(feats, values):
        p = dict(f["properties"])
        p["nama"] = html.escape(str(p.get("nama", "")))
        p |= {"fill": scale.colour(v), "line": [255, 255, 255, 230], "lw": 1,
              "l1": _tip("complaints", v, lang), "l2": "", "l3": ""}
        out["features"].append({"type": "Feature", "geometry": f["geometry"], "properties": p})
    return out, scale


def _polygons(layer_id: str, data: dict) -> pdk.Layer:
    return pdk.Layer(
        "GeoJsonLayer", data, id=layer_id, pickable=True, stroked=True, filled=True,
        get_fill_color="properties.fill", get_line_color="properties.line", get_line_width="properties.lw",
        line_width_units='"pixels"', auto_highlight=True, highlight_color=[0, 0, 0, 50],
    )


def basemap_default() -> bool:
    return os.environ.get(BASEMAP_ENV, "").strip().lower() == "carto"


def basemap_allowed() -> bool:
    return os.environ.get(BASEMAP_ENV, "").strip().lower() != "never"


def kecamatan_deck(
    kec_geojson: dict, metrics: pd.DataFrame, metric: str, *, lang: str = "id", selected: str | None = None,
    desa_geojson: dict | None = None, desa_counts: pd.DataFrame | None = None,
    points: pd.DataFrame | None = None, basemap: bool = False,
) -> tuple[pdk.Deck, Scale, Scale | None]:
    """The Peta deck: kecamatan choropleth (layer "kec"), the selected kecamatan's desa (layer
    "desa", when ``desa_geojson`` is given), complaint points (layer "titik") when ``points``
    has rows. Returns the deck and the kecamatan and desa colour scales (for the legends; the
    desa scale is None without a desa layer)."""
    kec, scale = kecamatan_features(kec_geojson, metrics, metric, lang, selected)
    layers = [_polygons("kec", kec)]
    view_box = bounds(kec_geojson)
    desa_scale = None
    if selected and desa_geojson is not None:
        desa, desa_scale = desa_features(desa_geojson, desa_counts if desa_counts is not None else pd.DataFrame(), selected, lang)
        if not desa["features"]:
            desa_scale = None
        else:
            for f in kec["features"]:  # fade the kecamatan layer so the desa stand out
                f["properties"]["fill"] = [*f["properties"]["fill"][:3], 60]
            layers.append(_polygons("desa", desa))
            view_box = bounds(desa)
    if points is not None and len(points):
        layers.append(pdk.Layer(
            "ScatterplotLayer", points[["lon", "lat"]].astype("float64"), id="titik", pickable=False,
            get_position=["lon", "lat"], get_radius=40, radius_min_pixels=2,
            radius_max_pixels=6, get_fill_color=[33, 33, 33, 170],
        ))
    tooltip = {"html": "<b>{nama}</b><br/>{l1}<br/>{l2}<br/>{l3}",
               "style": {"fontSize": "13px", "maxWidth": "240px"}}
    extra = {"map_provider": "carto", "map_style": "light"} if basemap else {"map_provider": None}
    deck = pdk.Deck(layers=layers, initial_view_state=fitted_view(view_box), tooltip=tooltip, **extra)
    return deck, scale, desa_scale


def tapped_code(event: object, features: dict | None = None) -> str | None:
    """The kecamatan code from a pydeck selection (``st.pydeck_chart(on_select=...)`` state):
    the tapped feature's ``kode``, or None when nothing on layer "kec" is selected."""
    try:
        sel = event["selection"] if "selection" in event else event  # type: ignore[operator]
        objs = (sel.get("objects") or {}).get("kec") or []
        if objs:
            return objs[0].get("properties", {}).get("kode")
        idx = (sel.get("indices") or {}).get("kec") or []
        if idx and features is not None:
            return features["features"][idx[0]]["properties"]["kode"]
    except (TypeError, KeyError, AttributeError, IndexError):
        return None
    return None


def camat_unit(units: pd.DataFrame | None, kec_code: str) -> str | None:
    """The Camat's unit code (KEC-321601) for a kecamatan code, from the region's units."""
    if units is None or "kecamatan_code" not in units:
        return None
    hit = units.loc[(units["kecamatan_code"] == kec_code) & (units["kind"] == "camat"), "code"]
    return str(hit.iloc[0]) if len(hit) else None


def kecamatan_table(metrics: pd.DataFrame, metric: str, lang: str = "id") -> pd.DataFrame:
    """Every kecamatan with the map's figures as display text, sorted by the chosen metric
    (worst first for the judged metrics, busiest first for volume)."""
    asc = METRICS[metric].higher_is_better is True
    rows = metrics.sort_values(metric, ascending=asc, na_position="last")
    out = pd.DataFrame({t("map.col.kecamatan", lang=lang): rows["group"].astype("str")})
    for m in MAP_METRICS:
        out[METRICS[m].label(lang)] = [_value(m, v, lang) for v in rows[m]]
    return out.reset_index(drop=True)


def kec_label(names: dict[str, str], lang: str, code: str) -> str:
    """Selectbox label of a kecamatan code (``functools.partial(kec_label, names, lang)``)."""
    return t("peta.kec.all", lang=lang) if code == ALL else names.get(code, code)


ALL = "semua"


def detail_cards(metrics: pd.DataFrame, kec_code: str, lang: str = "id") -> list[tuple[str, str, str]]:
    """(label, value, help) for one kecamatan's DETAIL_METRICS; [] when it has no complaints."""
    rows = metrics[metrics["group_code"] == kec_code]
    if rows.empty:
        return []
    row = rows.iloc[0]
    out = []
    for m in DETAIL_METRICS:
        meta = METRICS[m]
        out.append((meta.label(lang), fmt.metric_text(m, row[m], lang, days_word=True), meta.description(lang)))
    return out
