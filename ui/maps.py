"""Map builders for the Peta page: pydeck decks that draw with no basemap reachable.

The kecamatan polygons are the basemap: ``map_provider=None`` and no ``map_style``, so the
browser fetches nothing from a third party (docs/maps.md). ``basemap=True`` opts in to Carto
tiles, fetched by the *viewer's* browser, which tells Carto where the viewer is looking.

What a reader sees (docs/maps.md, "Peta"):

- the view is fitted to the regency with deck.gl's Web-Mercator maths (512-px world at zoom 0)
  for the narrowest phone, so it fits every wider screen too (``fit_view``, ``map_height``);
- colours from ColorBrewer, all colour-blind safe: a sequential ramp for counts (volume YlOrRd,
  open overdue RdPu) and a diverging one (RdBu) split at the on-time target;
- the legend is a small SVG drawn by ``legend_svg`` (``st.image``; no HTML), with the same hex
  colours as the polygons;
- kecamatan (and, for a chosen kecamatan, desa) names with their figure at the pole of
  inaccessibility of each polygon; a label that would overlap one that matters more for the
  metric (busiest, lowest on-time rate, most overdue) at the fitted zoom is left off
  (``place_labels``). deck.gl's CollisionFilterExtension would do this in the browser, but drew no
  label at all in Chromium (SwiftShader), so the choice is made here, where it can be tested.
"""

from __future__ import annotations

import heapq
import html
import json
import math
import os
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd
import pydeck as pdk

from analytics.metrics.registry import METRICS
from ui import fmt
from ui.i18n import t

MAP_METRICS: tuple[str, ...] = ("complaints", "on_time_rate", "open_overdue")
DETAIL_METRICS: tuple[str, ...] = ("complaints", "on_time_rate", "open_overdue", "median_response_days")
BASEMAP_ENV = "PANTAU_BASEMAP"  # "carto": the basemap checkbox starts on; "never": no checkbox

# --- the view: deck.gl's Web Mercator -----------------------------------------------------------

# deck.gl's MapView draws the whole world 512 px wide at zoom 0 (math.gl's TILE_SIZE), not 256 as
# raster tiles do: a zoom computed for 256-px tiles is one level too deep, i.e. twice too large.
TILE_SIZE = 512
# The map is as wide as the page's content: 390-px phone -> 358 px, 360-px phone (the narrowest
# common Android width) -> 328 px, 1280-px desktop with the sidebar -> 820 px (measured in Chromium).
# The view is fitted for the narrowest, so every wider screen shows the whole regency too.
FIT_WIDTH = 328
MAP_MARGIN = 14  # px kept clear around the regency (labels, outline)
MAP_HEIGHT_MIN, MAP_HEIGHT_MAX = 300, 420  # a map taller than ~half a phone screen traps the scroll
MAX_ZOOM = 15


def mercator_y(lat: float) -> float:
    """Web-Mercator y of a latitude, in radians of longitude (0 at the equator, up is north)."""
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def _latitude(y: float) -> float:
    return math.degrees(2 * math.atan(math.exp(y)) - math.pi / 2)


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


def _spans(box: tuple[float, float, float, float]) -> tuple[float, float]:
    """The box's width and height as fractions of the Web-Mercator world (each in 0..1)."""
    x0, y0, x1, y1 = box
    return max(x1 - x0, 1e-6) / 360.0, max(mercator_y(y1) - mercator_y(y0), 1e-6) / (2 * math.pi)


def map_height(box: tuple[float, float, float, float], width: int = FIT_WIDTH, margin: int = MAP_MARGIN) -> int:
    """Pixel height that shows ``box`` as wide as a ``width``-px map, within MAP_HEIGHT_MIN..MAX:
    a tall regency gets a taller map (up to the max), a wide one a shorter one."""
    dx, dy = _spans(box)
    h = math.ceil((width - 2 * margin) * dy / dx) + 2 * margin
    return int(min(max(h, MAP_HEIGHT_MIN), MAP_HEIGHT_MAX))


def fit_view(box: tuple[float, float, float, float], *, width: int = FIT_WIDTH, height: int = MAP_HEIGHT_MAX,
             margin: int = MAP_MARGIN) -> pdk.ViewState:
    """The deck.gl view that shows ``box`` whole inside a ``width`` x ``height`` px map with
    ``margin`` px to spare on every side: centred on the box's Mercator centre, at the largest zoom
    where the box's projected size (TILE_SIZE * 2**zoom * span) fits. Any wider map shows it too."""
    x0, y0, x1, y1 = box
    dx, dy = _spans(box)
    zoom = math.log2(min((width - 2 * margin) / (TILE_SIZE * dx), (height - 2 * margin) / (TILE_SIZE * dy)))
    zoom = math.floor(min(zoom, MAX_ZOOM) * 100) / 100  # rounded down: never a hair too deep
    lat = _latitude((mercator_y(y0) + mercator_y(y1)) / 2)  # not (y0 + y1) / 2: Mercator stretches
    return pdk.ViewState(latitude=round(lat, 7), longitude=round((x0 + x1) / 2, 7), zoom=zoom,
                         min_zoom=max(round(zoom - 1.5, 2), 0), max_zoom=MAX_ZOOM + 1, pitch=0, bearing=0)


# --- colours --------------------------------------------------------------------------------------

# ColorBrewer 2.0 (Cynthia Brewer, colorbrewer2.org; Apache-2.0), each scheme marked colour-blind
# safe there. Low -> high value.
YL_OR_RD = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")  # volume: sequential
RD_PU = ("#feebe2", "#fbb4b9", "#f768a1", "#ae017e")  # open overdue: sequential, 0 the lightest
RD_BU = ("#ca0020", "#f4a582", "#92c5de", "#0571b0")  # on-time: diverging, two below the target, two above
NO_DATA = "#cfcfcf"
# The on-time target the diverging scale is split at. SlaPolicy has no target field yet; when it
# gets one (``on_time_target``), ``on_time_target(policy)`` reads it.
ON_TIME_TARGET = 0.8


def on_time_target(policy: object) -> float:
    """The on-time target of ``policy`` (its ``on_time_target``, when the policy file sets one),
    else ON_TIME_TARGET."""
    value = getattr(policy, "on_time_target", None)
    return float(value) if isinstance(value, (int, float)) and 0 < value < 1 else ON_TIME_TARGET


def rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


@dataclass(frozen=True)
class Scale:
    """Class breaks for a metric: value < breaks[0] -> colours[0], ... >= breaks[-1] -> last.
    ``target`` is the break a diverging scale is split at (on-time rate), else None."""

    metric: str
    breaks: tuple[float, ...]
    colours: tuple[str, ...]
    target: float | None = None

    @property
    def diverging(self) -> bool:
        return self.target is not None

    def index(self, value: object) -> int | None:
        """The class of ``value`` (0 = lowest), None when it is missing."""
        if fmt.is_missing(value):
            return None
        i = int(np.searchsorted(np.asarray(self.breaks, float), float(value), side="right"))
        return min(i, len(self.colours) - 1)

    def colour(self, value: object, alpha: int = 255) -> list[int]:
        i = self.index(value)
        return [*rgb(NO_DATA if i is None else self.colours[i]), alpha]


def scale_for(metric: str, values: pd.Series, target: float = ON_TIME_TARGET) -> Scale:
    """The colour scale of ``metric`` over this period's ``values``.

    - on-time rate: diverging (RdBu) with fixed breaks target - s, target, target + s (s = 10
      points, less when the target is above 80%), so the colour turns blue exactly at the target
      and means the same every week;
    - volume: sequential (YlOrRd) over the period's quintiles (whole numbers);
    - open overdue: sequential (RdPu) with 0 a class of its own, then the terciles of the rest.
    """
    if metric not in MAP_METRICS:
        raise ValueError(f"map metric must be one of {', '.join(MAP_METRICS)}, not {metric!r}")
    if metric == "on_time_rate":
        if not 0 < target < 1:
            raise ValueError(f"on-time target must be between 0 and 1, not {target!r}")
        step = min(0.1, round((1 - target) / 2, 4))
        return Scale(metric, (round(target - step, 4), target, round(target + step, 4)), RD_BU, target)
    v = pd.to_numeric(values, errors="coerce").dropna()
    if metric == "open_overdue":
        pos = v[v > 0]
        qs = [math.ceil(q) for q in pos.quantile([1 / 3, 2 / 3])] if len(pos) else []
        breaks = sorted({1, *(q for q in qs if q > 1)})
        return Scale(metric, tuple(float(b) for b in breaks), RD_PU[: len(breaks) + 1])
    qs = [math.ceil(q) for q in v.quantile([0.2, 0.4, 0.6, 0.8])] if len(v) else []
    breaks = sorted({q for q in qs if q > 0})
    n = len(breaks) + 1  # classes; spread over the ramp so two classes are light and dark
    picks = [round(i * (len(YL_OR_RD) - 1) / (n - 1)) for i in range(n)] if n > 1 else [2]
    return Scale(metric, tuple(float(b) for b in breaks), tuple(YL_OR_RD[i] for i in picks))


def _value(metric: str, value: object, lang: str) -> str:
    if metric == "on_time_rate":
        return fmt.fmt_pct(value, 0, lang=lang)
    return fmt.fmt_int(value, lang=lang)


def legend(scale: Scale, lang: str = "id", *, missing: bool = True) -> list[tuple[str, str]]:
    """(hex colour, range text) per class, low to high, then the no-data class when ``missing``."""
    b, out = scale.breaks, []
    step = 0.0 if scale.metric == "on_time_rate" else 1.0
    for i, colour in enumerate(scale.colours):
        if not b:
            text = t("map.legend.all", lang=lang)
        elif i == 0:
            # A count below 1 is 0 (open overdue has a class of its own for it).
            text = _value(scale.metric, 0, lang) if step and b[0] == 1 else f"< {_value(scale.metric, b[0], lang)}"
        elif i == len(b):
            text = f"≥ {_value(scale.metric, b[-1], lang)}"
        else:
            lo, hi = b[i - 1], b[i] - step
            text = _value(scale.metric, lo, lang) if lo == hi else (
                f"{_value(scale.metric, lo, lang)}–{_value(scale.metric, hi, lang)}")
        out.append((colour, text))
    if missing:
        out.append((NO_DATA, t("map.legend.none", lang=lang)))
    return out


def legend_svg(scale: Scale, lang: str = "id", *, missing: bool = True, width: int = 340) -> str:
    """The legend as a small SVG for ``st.image``: one swatch per class with its range under it,
    the no-data swatch at the end, and for a diverging scale a tick and "target 80%" above the
    split. Text is XML-escaped; system sans-serif, 12 px; at most ``width`` px wide, on a white
    card so that it also reads on the dark theme."""
    items = legend(scale, lang, missing=missing)
    n = len(items)
    gap, pad = 4, 6
    inner = width - 2 * pad
    w = min(66.0, (inner - gap * (n - 1)) / n)
    top = 16 if scale.diverging else 0
    height = top + 42
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12" fill="#31333f">',
             f"<title>{html.escape(t('map.legend.title', lang=lang))}</title>",
             f'<rect width="{width}" height="{height}" rx="6" fill="#ffffff"/>',
             f'<g transform="translate({pad} 2)">']
    for i, (colour, text) in enumerate(items):
        x = i * (w + gap)
        parts.append(f'<rect x="{x:.1f}" y="{top + 2}" width="{w:.1f}" height="14" rx="2" fill="{colour}" '
                     'stroke="#8a8a8a" stroke-width="0.5"/>')
        parts.append(f'<text x="{x + w / 2:.1f}" y="{top + 32}" text-anchor="middle">{html.escape(text)}</text>')
    if scale.diverging:
        k = int(np.searchsorted(np.asarray(scale.breaks), scale.target))  # classes below the target
        x = k * (w + gap) - gap / 2
        label = t("map.legend.target", lang=lang, value=_value(scale.metric, scale.target, lang))
        anchor = "middle" if 40 < x < inner - 40 else ("start" if x <= 40 else "end")
        parts.append(f'<line x1="{x:.1f}" y1="{top - 3}" x2="{x:.1f}" y2="{top + 19}" stroke="#31333f" '
                     'stroke-width="1.5"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 5}" text-anchor="{anchor}" font-weight="600">'
                     f"{html.escape(label)}</text>")
    parts.append("</g></svg>")
    return "".join(parts)


# --- labels ---------------------------------------------------------------------------------------

_COMPASS = {"Utara": "Ut.", "Selatan": "Sel.", "Barat": "Bar.", "Timur": "Tim.", "Tengah": "Teng."}
LABEL_SIZE = 12  # px
LABEL_PAD = 3  # px of halo and air around a label's text
LABEL_CHARS = 12  # a longer name has its compass words shortened: "Cikarang Selatan" -> "Cikarang Sel."


def short_name(name: str, limit: int = LABEL_CHARS) -> str:
    """A map label for a place name: as it is when short, else with the compass words after the
    first word abbreviated (Utara -> Ut., Selatan -> Sel., Barat -> Bar., Timur -> Tim.)."""
    name = " ".join(str(name).split())
    if len(name) <= limit:
        return name
    first, *rest = name.split(" ")
    return " ".join([first, *(_COMPASS.get(w, w) for w in rest)])


def _parts(geometry: dict) -> list[list[list[list[float]]]]:
    """The polygons of a Polygon or MultiPolygon geometry (each: outer ring, then holes)."""
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))) / 2


@lru_cache(maxsize=4096)
def _label_point_cached(geometry_json: str) -> tuple[float, float] | None:
    parts = _parts(json.loads(geometry_json))
    # On the Mercator plane (x = lon, y = Mercator y in degrees): distances there match the screen.
    planes = [[np.array([(p[0], math.degrees(mercator_y(p[1]))) for p in ring], float) for ring in poly if len(ring) >= 3]
              for poly in parts]
    planes = [p for p in planes if p]
    if not planes:
        return None
    rings = max(planes, key=lambda p: _ring_area(p[0]))  # the largest part carries the label
    x, y = _pole_of_inaccessibility(rings)
    return float(x), _latitude(math.radians(y))


def label_point(geometry: dict) -> tuple[float, float] | None:
    """(lon, lat) where a label sits best in a polygon: the point of its largest part farthest from
    every edge (the "pole of inaccessibility", Mapbox's polylabel), inside even when the polygon
    is concave; None for a geometry with no polygon."""
    return _label_point_cached(json.dumps(geometry, separators=(",", ":"), sort_keys=True))


def _pole_of_inaccessibility(rings: list[np.ndarray]) -> tuple[float, float]:
    """Mapbox's polylabel: cells over the box, split best-first until no cell can beat the best
    point by more than 1% of the box's longer side."""
    segs_a = np.concatenate([r[:-1] for r in rings])
    segs_b = np.concatenate([r[1:] for r in rings])
    ab = segs_b - segs_a
    ab2 = np.maximum((ab ** 2).sum(1), 1e-30)
    dy = np.where(ab[:, 1] == 0, 1e-30, ab[:, 1])

    def signed_distance(px: float, py: float) -> float:
        p = np.array([px, py])
        tt = np.clip(((p - segs_a) * ab).sum(1) / ab2, 0, 1)
        d = float(np.sqrt((((segs_a + ab * tt[:, None]) - p) ** 2).sum(1)).min())
        crosses = (segs_a[:, 1] > py) != (segs_b[:, 1] > py)
        x_at = segs_a[:, 0] + ab[:, 0] * (py - segs_a[:, 1]) / dy
        inside = int(np.count_nonzero(crosses & (px < x_at))) % 2 == 1
        return d if inside else -d

    outer = rings[0]
    x0, y0 = outer.min(0)
    x1, y1 = outer.max(0)
    size = min(x1 - x0, y1 - y0)
    if size <= 0:
        return float(x0), float(y0)
    precision = max(x1 - x0, y1 - y0) / 100
    h = size / 2
    queue: list[tuple[float, float, float, float, float]] = []  # (-max, x, y, half size, d)

    def push(cx: float, cy: float, half: float) -> None:
        d = signed_distance(cx, cy)
        heapq.heappush(queue, (-(d + half * math.sqrt(2)), cx, cy, half, d))

    cx = x0
    while cx < x1:
        cy = y0
        while cy < y1:
            push(cx + h, cy + h, h)
            cy += size
        cx += size
    # Start from the area centroid (often good already), else the box centre.
    a = outer[:-1, 0] * outer[1:, 1] - outer[1:, 0] * outer[:-1, 1]
    area = a.sum() / 2
    if abs(area) > 1e-30:
        cen = ((outer[:-1] + outer[1:]) * a[:, None]).sum(0) / (6 * area)
        best = (float(cen[0]), float(cen[1]), signed_distance(float(cen[0]), float(cen[1])))
    else:
        best = (float((x0 + x1) / 2), float((y0 + y1) / 2), -math.inf)
    mid = ((x0 + x1) / 2, (y0 + y1) / 2)
    d_mid = signed_distance(*mid)
    if d_mid > best[2]:
        best = (mid[0], mid[1], d_mid)
    while queue:
        neg_max, cx, cy, half, d = heapq.heappop(queue)
        if d > best[2]:
            best = (cx, cy, d)
        if -neg_max - best[2] <= precision:
            continue
        half /= 2
        for sx in (-half, half):
            for sy in (-half, half):
                push(cx + sx, cy + sy, half)
    return best[0], best[1]


def _priorities(values: list[object], metric: str) -> list[int]:
    """Priority per label (-1000..1000, higher wins a clash): the figures that matter
    most first (busiest, most overdue, lowest on-time rate); places without a figure last."""
    s = pd.Series([np.nan if fmt.is_missing(v) else float(v) for v in values], dtype="float64")
    lowest_first = metric == "on_time_rate"  # the lowest rate matters most, else the highest count
    rank = s.rank(method="first", ascending=lowest_first)  # 1 = most important
    n = max(int(s.notna().sum()) - 1, 1)
    return [-1000 if pd.isna(r) else int(round(1000 - 1800 * (r - 1) / n)) for r in rank]


def label_rows(features: list[dict], values: list[object], metric: str, lang: str) -> list[dict]:
    """TextLayer rows: position, text ("Cikarang Sel." and the figure under it) and priority."""
    prios = _priorities(values, metric)
    rows = []
    for f, v, prio in zip(features, values, prios, strict=True):
        at = label_point(f["geometry"])
        if at is None:
            continue
        name = short_name(f["properties"].get("nama", ""))
        text = name if fmt.is_missing(v) else f"{name}\n{_value(metric, v, lang)}"
        rows.append({"kode": f["properties"].get("kode"), "lon": round(at[0], 6), "lat": round(at[1], 6),
                     "text": text, "prio": prio})
    return rows


def world_px(lon: float, lat: float, zoom: float) -> tuple[float, float]:
    """deck.gl's world pixel of a point at ``zoom``: x east, y down, the world TILE_SIZE * 2**zoom wide."""
    size = TILE_SIZE * 2 ** zoom
    return (lon + 180) / 360 * size, (math.pi - mercator_y(lat)) / (2 * math.pi) * size


def label_box(row: dict, zoom: float, size: int = LABEL_SIZE) -> tuple[float, float, float, float]:
    """The screen box (world px at ``zoom``) a label's text takes around its anchor, with its halo:
    about 0.56 em per character of its longest line, 1.1 em per line."""
    x, y = world_px(row["lon"], row["lat"], zoom)
    lines = row["text"].split("\n")
    w = max(len(line) for line in lines) * 0.56 * size + 2 * LABEL_PAD
    h = len(lines) * 1.1 * size + 2 * LABEL_PAD
    return x - w / 2, y - h / 2, x + w / 2, y + h / 2


def place_labels(rows: list[dict], view: pdk.ViewState, *, width: int = FIT_WIDTH, height: int = MAP_HEIGHT_MAX,
                 size: int = LABEL_SIZE) -> list[dict]:
    """The labels that can be read in ``view``: by priority (highest first), each kept only when its
    box lies inside the ``width`` x ``height`` map and overlaps no label kept before it. Distances
    between labels depend on the zoom only, not on the map's width, so the choice holds on a
    phone and a desktop alike (a wider map only shows more of the surroundings)."""
    cx, cy = world_px(view.longitude, view.latitude, view.zoom)
    frame = (cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2)
    kept: list[dict] = []
    boxes: list[tuple[float, float, float, float]] = []
    for row in sorted(rows, key=lambda r: -r["prio"]):
        b = label_box(row, view.zoom, size)
        if b[0] < frame[0] or b[1] < frame[1] or b[2] > frame[2] or b[3] > frame[3]:
            continue
        if any(b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3] for o in boxes):
            continue
        kept.append(row)
        boxes.append(b)
    return kept


def _labels(rows: list[dict]) -> pdk.Layer:
    return pdk.Layer(
        "TextLayer", rows, id="nama", pickable=False,
        get_position=["lon", "lat"], get_text="text", get_size=LABEL_SIZE, size_units='"pixels"',
        get_color=[33, 33, 33, 255], font_family='"Source Sans, Helvetica, Arial, sans-serif"', font_weight=600,
        line_height=1.1, get_text_anchor='"middle"', get_alignment_baseline='"center"', character_set='"auto"',
        # A white halo about 2 px wide at 12 px: outline_width is in font-atlas pixels (64 px glyphs).
        font_settings={"sdf": True, "fontSize": 64, "buffer": 16, "radius": 16}, outline_width=11,
        outline_color=[255, 255, 255, 230],
    )


# --- layers and the deck --------------------------------------------------------------------------


def _tip(metric: str, value: object, lang: str) -> str:
    return f"{METRICS[metric].label(lang)}: {_value(metric, value, lang)}"


def _values(geojson: dict, metrics: pd.DataFrame) -> list[dict[str, object]]:
    """Per feature (file order) the MAP_METRICS values joined by Kemendagri code; a kecamatan
    without complaints has volume and overdue 0 and no rate."""
    by_code = metrics.set_index("group_code") if len(metrics) else pd.DataFrame()
    out = []
    for f in geojson["features"]:
        kode = f["properties"]["kode"]
        row = by_code.loc[kode] if kode in by_code.index else None
        out.append({m: row[m] if row is not None else (None if m == "on_time_rate" else 0) for m in MAP_METRICS})
    return out


def kecamatan_features(geojson: dict, metrics: pd.DataFrame, metric: str, lang: str = "id",
                       target: float = ON_TIME_TARGET, alpha: int = 255) -> tuple[dict, Scale]:
    """The kecamatan FeatureCollection with fill colour and tooltip lines joined from the
    map view's metrics (``group_code`` = feature ``kode``). Feature order is the file's, so a
    tap's index maps back to a feature."""
    scale = scale_for(metric, metrics[metric] if metric in metrics else pd.Series(dtype=float), target)
    out = {"type": "FeatureCollection", "features": []}
    for f, vals in zip(geojson["features"], _values(geojson, metrics), strict=True):
        p = dict(f["properties"])
        # The tooltip is an HTML template (deck.gl sets innerHTML): the name goes in as text.
        p["nama"] = html.escape(str(p.get("nama", "")))
        p["fill"] = scale.colour(vals[metric], alpha)
        p["line"] = [255, 255, 255, 255]
        for i, m in enumerate(MAP_METRICS, 1):
            p[f"l{i}"] = _tip(m, vals[m], lang)
        out["features"].append({"type": "Feature", "geometry": f["geometry"], "properties": p})
    return out, scale


def desa_features(geojson: dict, counts: pd.DataFrame, kec_code: str, lang: str = "id",
                  alpha: int = 255) -> tuple[dict, Scale, list[float]]:
    """The desa of one kecamatan coloured by complaint volume (MapView.desa joined on kode), the
    scale, and each feature's count (in the order of the returned features)."""
    feats = desa_of(geojson, kec_code)
    n = counts.set_index("desa_code")["complaints"] if len(counts) else pd.Series(dtype="int64")
    values = pd.Series([n.get(f["properties"]["kode"], 0) for f in feats], dtype="float64")
    scale = scale_for("complaints", values)
    out = {"type": "FeatureCollection", "features": []}
    for f, v in zip(feats, values, strict=True):
        p = dict(f["properties"])
        p["nama"] = html.escape(str(p.get("nama", "")))
        p |= {"fill": scale.colour(v, alpha), "line": [255, 255, 255, 255],
              "l1": _tip("complaints", v, lang), "l2": "", "l3": ""}
        out["features"].append({"type": "Feature", "geometry": f["geometry"], "properties": p})
    return out, scale, list(values)


def desa_of(geojson: dict, kec_code: str) -> list[dict]:
    """The desa features of one kecamatan (property ``kode_kec``)."""
    return [f for f in geojson["features"] if f["properties"].get("kode_kec") == kec_code]


def _polygons(layer_id: str, data: dict, line_width: float = 1.0) -> pdk.Layer:
    # White borders: a clean choropleth, and the source's small gaps and overlaps between
    # neighbouring kecamatan (simplified one by one) disappear into them.
    return pdk.Layer(
        "GeoJsonLayer", data, id=layer_id, pickable=True, stroked=True, filled=True,
        get_fill_color="properties.fill", get_line_color="properties.line", get_line_width=line_width,
        line_width_units='"pixels"', line_joint_rounded=True, auto_highlight=True, highlight_color=[0, 0, 0, 40],
    )


def _outline(feature: dict) -> pdk.Layer:
    """The chosen kecamatan's outline, drawn over the desa."""
    return pdk.Layer(
        "GeoJsonLayer", {"type": "FeatureCollection", "features": [feature]}, id="pilih", pickable=False,
        stroked=True, filled=False, get_line_color=[33, 33, 33, 255], get_line_width=2.5,
        line_width_units='"pixels"', line_joint_rounded=True,
    )


def basemap_default() -> bool:
    return os.environ.get(BASEMAP_ENV, "").strip().lower() == "carto"


def basemap_allowed() -> bool:
    return os.environ.get(BASEMAP_ENV, "").strip().lower() != "never"


class CompactDeck(pdk.Deck):
    """A pdk.Deck whose JSON has no indentation: Streamlit sends ``to_json()`` as it is on every
    run, and pydeck indents it (Kab. Bekasi: 70 KB indented, 21 KB compact)."""

    def to_json(self) -> str:
        return json.dumps(json.loads(super().to_json()), separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True)
class MapDeck:
    """What the page draws: the deck, its pixel height, the fitted view, the colour scales and
    whether the legend needs its no-data swatch."""

    deck: pdk.Deck
    height: int
    view: pdk.ViewState
    scale: Scale
    desa_scale: Scale | None
    missing: bool


def kecamatan_deck(
    kec_geojson: dict, metrics: pd.DataFrame, metric: str, *, lang: str = "id", selected: str | None = None,
    desa_geojson: dict | None = None, desa_counts: pd.DataFrame | None = None,
    points: pd.DataFrame | None = None, basemap: bool = False, target: float = ON_TIME_TARGET,
) -> MapDeck:
    """The Peta deck. Layers: "kec" (kecamatan choropleth, pickable), "desa" (the chosen
    kecamatan's desa by volume, when ``desa_geojson`` has them), else "pilih" (the chosen
    kecamatan's outline), "titik" (complaint points, when ``points`` has rows), "nama" (labels).

    The map's height follows the regency's shape (``map_height``) and stays the same when a
    kecamatan is chosen; the view fits the regency, or the chosen kecamatan, at FIT_WIDTH."""
    alpha = 215 if basemap else 255  # opaque without a basemap: the colours are the legend's
    kec, scale = kecamatan_features(kec_geojson, metrics, metric, lang, target, alpha)
    values = [v[metric] for v in _values(kec_geojson, metrics)]
    missing = any(fmt.is_missing(v) for v in values)
    region_box = bounds(kec_geojson)
    height = map_height(region_box)
    layers = [_polygons("kec", kec)]
    view_box = region_box
    labels = label_rows(kec_geojson["features"], values, metric, lang)
    desa_scale = None
    chosen = next((f for f in kec["features"] if f["properties"]["kode"] == selected), None)
    if chosen is not None:
        view_box = bounds({"features": [chosen]})
        if desa_geojson is not None and desa_of(desa_geojson, selected):
            view_box = bounds({"features": desa_of(desa_geojson, selected)})
            desa, desa_scale, d_values = desa_features(
                desa_geojson, desa_counts if desa_counts is not None else pd.DataFrame(), selected, lang, alpha)
            for f in kec["features"]:  # fade the kecamatan so the desa stand out; the chosen one's
                # simplified polygon would show around its desa' true outline
                a = 0 if f["properties"]["kode"] == selected else 70
                f["properties"]["fill"] = [*f["properties"]["fill"][:3], a]
            layers.append(_polygons("desa", desa, 0.75))
            # The desa take the labels' first places; the chosen kecamatan's own label would sit on them.
            labels = [{**r, "prio": -1000 + (r["prio"] + 1000) // 2} for r in labels if r["kode"] != selected]
            labels += [{**r, "prio": r["prio"] // 2 + 500}
                       for r in label_rows(desa_of(desa_geojson, selected), d_values, "complaints", lang)]
        else:  # the desa show the kecamatan's true extent; its own (simplified) outline would cut them
            layers.append(_outline(chosen))
    if points is not None and len(points):
        layers.append(pdk.Layer(
            "ScatterplotLayer", points[["lon", "lat"]].astype("float64"), id="titik", pickable=False,
            get_position=["lon", "lat"], get_radius=40, radius_min_pixels=2,
            radius_max_pixels=6, get_fill_color=[33, 33, 33, 170],
        ))
    view = fit_view(view_box, height=height)
    layers.append(_labels(place_labels(labels, view, height=height)))
    tooltip = {"html": "<b>{nama}</b><br/>{l1}<br/>{l2}<br/>{l3}",
               "style": {"fontSize": "13px", "maxWidth": "240px"}}
    extra = {"map_provider": "carto", "map_style": "light"} if basemap else {"map_provider": None}
    # No wheel zoom: on a long page the wheel scrolls the page, not the map (pinch and
    # double-click still zoom); north stays up.
    views = [pdk.View("MapView", controller={"scrollZoom": False, "dragRotate": False, "touchRotate": False})]
    deck = CompactDeck(layers=layers, initial_view_state=view, tooltip=tooltip, views=views, **extra)
    return MapDeck(deck=deck, height=height, view=view, scale=scale, desa_scale=desa_scale, missing=missing)


# --- taps, figures, tables -----------------------------------------------------------------------


def tapped(event: object, layer: str, features: dict | None = None) -> dict | None:
    """The properties of the feature tapped on ``layer`` from a pydeck selection
    (``st.pydeck_chart(on_select=...)`` state), or None."""
    try:
        sel = event["selection"] if "selection" in event else event  # type: ignore[operator]
        objs = (sel.get("objects") or {}).get(layer) or []
        if objs:
            return objs[0].get("properties") or None
        idx = (sel.get("indices") or {}).get(layer) or []
        if idx and features is not None:
            return features["features"][idx[0]]["properties"]
    except (TypeError, KeyError, AttributeError, IndexError):
        return None
    return None


def tapped_code(event: object, features: dict | None = None) -> str | None:
    """The kecamatan code from a pydeck selection: the tapped feature's ``kode`` on layer "kec",
    or None when nothing on that layer is selected."""
    props = tapped(event, "kec", features)
    return props.get("kode") if props else None


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


def figures_line(metrics: pd.DataFrame, kec_code: str, lang: str = "id") -> str:
    """"294 aduan · 91% tepat waktu · 9 lewat batas" for one kecamatan (0, "–" and 0 when it had
    no complaints in the period)."""
    rows = metrics[metrics["group_code"] == kec_code]
    row = rows.iloc[0] if len(rows) else None
    vals = {m: row[m] if row is not None else (None if m == "on_time_rate" else 0) for m in MAP_METRICS}
    return t("peta.figures", lang=lang, complaints=_value("complaints", vals["complaints"], lang),
             on_time=_value("on_time_rate", vals["on_time_rate"], lang),
             overdue=_value("open_overdue", vals["open_overdue"], lang))


def summary_line(metrics: pd.DataFrame, metric: str, lang: str = "id", *, target: float = ON_TIME_TARGET,
                 n: int = 3) -> str:
    """One sentence on what the colours say, for the line under the map: the busiest kecamatan,
    the ones below the on-time target (lowest first), or the most overdue."""
    valid = metrics.dropna(subset=[metric])
    if valid.empty:
        return ""

    def items(rows: pd.DataFrame) -> str:
        return ", ".join(f"{fmt.md_escape(g)} {_value(metric, v, lang)}" for g, v in zip(rows["group"], rows[metric]))

    if metric == "on_time_rate":
        below = valid[valid[metric] < target].sort_values(metric)
        counts = {"total": fmt.fmt_int(len(valid), lang=lang), "target": _value(metric, target, lang)}
        if below.empty:
            return t("peta.summary.all_met", lang=lang, **counts)
        return (t("peta.summary.below", lang=lang, n=fmt.fmt_int(len(below), lang=lang), **counts) + " "
                + t("peta.summary.lowest", lang=lang, items=items(below.head(n))))
    top = valid[valid[metric] > 0].sort_values(metric, ascending=False).head(n)
    if top.empty:
        return t(f"peta.summary.{metric}.none", lang=lang)
    return t(f"peta.summary.{metric}", lang=lang, items=items(top))


def top_desa(counts: pd.DataFrame, kec_code: str, lang: str = "id", n: int = 5) -> str:
    """"Setia Asih 27, Jatimulya 20, ..." : the kecamatan's desa with the most complaints (desa
    codes start with the kecamatan code), "" when none has any."""
    if counts is None or counts.empty:
        return ""
    rows = counts[counts["desa_code"].astype("str").str.startswith(kec_code + ".") & (counts["complaints"] > 0)]
    rows = rows.sort_values(["complaints", "desa"], ascending=[False, True]).head(n)
    return ", ".join(f"{fmt.md_escape(d)} {fmt.fmt_int(c, lang=lang)}" for d, c in zip(rows["desa"], rows["complaints"]))


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

