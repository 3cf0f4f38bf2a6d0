"""ui/charts.py: pure figure and deck builders (no Streamlit run needed)."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pydeck as pdk

from ui import charts, fmt

TREND = pd.DataFrame({
    "week": pd.to_datetime(["2025-11-03", "2025-11-10", "2025-11-17"]),
    "complaints": [1234, 400, 12], "decided": [1200, 380, 5], "on_time": [1100, 300, 5],
    "on_time_rate": [0.9167, 0.789, None],
})


def _phone_ready(fig: go.Figure, lo: int = 150, hi: int = 400) -> None:
    assert fig.layout.dragmode is False
    assert lo <= fig.layout.height <= hi
    assert fig.layout.margin.l <= 16 and fig.layout.margin.t <= 16
    assert fig.layout.xaxis.fixedrange and fig.layout.yaxis.fixedrange


def test_chart_config_hides_the_modebar():
    assert charts.CHART_CONFIG["displayModeBar"] is False


def test_trend_figure_formats_in_indonesian():
    fig = charts.trend_figure(TREND, rate_label="Tepat waktu (%)", week_label="Minggu mulai", lang="id")
    _phone_ready(fig)
    (line,) = fig.data
    assert line.mode == "lines+markers"
    assert list(line.x) == ["3 Nov", "10 Nov", "17 Nov"]
    assert line.y[0] == 91.67 and line.y[2] is None  # a week with nothing decided: a gap, not 0
    assert "91,7%" in line.customdata[0] and "1.234" in line.customdata[0] and "3 Nov 2025" in line.customdata[0]
    assert fig.layout.separators == ",."
    assert fig.layout.yaxis.ticksuffix == "%"


def test_trend_figure_reference_line_and_english():
    fig = charts.trend_figure(TREND, rate_label="On-time rate", week_label="Week of", lang="en",
                              reference=0.95, reference_label="Regency")
    assert fig.layout.separators == ".,"
    assert fig.layout.shapes and fig.layout.shapes[0].y0 == 95.0
    assert fig.layout.annotations[0].text == "Regency 95%"
    assert "91.7%" in fig.data[0].customdata[0]


def test_trend_figure_empty():
    fig = charts.trend_figure(TREND.iloc[0:0], rate_label="x", week_label="y")
    assert not fig.data
    _phone_ready(fig)


def test_unit_bar_largest_on_top_with_codes():
    frame = pd.DataFrame({"short": ["Dinkes", "PUPR", "Kec. Setu"], "group_code": ["DINKES", "PUPR", "KEC-321618"],
                          "open_overdue": [2, 1234, 5]})
    fig = charts.unit_bar(frame, label="short", value="open_overdue", code="group_code", value_label="Lewat batas")
    _phone_ready(fig, 100, 320)
    (bar,) = fig.data
    assert bar.orientation == "h"
    assert list(bar.y) == ["Dinkes", "Kec. Setu", "PUPR"]  # plotly draws the last on top
    assert list(bar.text) == ["2", "5", "1.234"]
    assert list(bar.customdata) == ["DINKES", "KEC-321618", "PUPR"]


def test_mix_bar_folds_the_tail_into_other():
    frame = pd.DataFrame({"channel": ["WA", "IG", "Web", None, "CC", "SMS", "Surat", "Tatap muka"],
                          "complaints": [50, 20, 10, 8, 5, 4, 2, 1]})
    fig = charts.mix_bar(frame, label="channel", other_label="Lainnya", lang="id", top=4)
    (bar,) = fig.data
    assert list(bar.y)[::-1] == ["WA", "IG", "Web", "Lainnya"]
    assert list(bar.x)[::-1] == [50, 20, 10, 20]
    assert bar.text[-1] == "50 · 50,0%"
    _phone_ready(fig, 100, 320)


def test_metric_text_and_rank_move():
    assert fmt.metric_text("on_time_rate", 0.8734) == "87,3%"
    assert fmt.metric_text("complaints", 1234) == "1.234"
    assert fmt.metric_text("median_response_days", 1.25, "en") == "1.3"
    assert fmt.metric_text("score", None) == "–"
    assert charts.rank_move(3, new="baru", same="tetap") == "▲ 3"
    assert charts.rank_move(-2, new="baru", same="tetap") == "▼ 2"
    assert charts.rank_move(0, new="baru", same="tetap") == "tetap"
    assert charts.rank_move(pd.NA, new="baru", same="tetap") == "baru"


SQUARE = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"kode": "32.16.01", "nama": "A"},
     "geometry": {"type": "Polygon", "coordinates": [[[107.0, -6.4], [107.3, -6.4], [107.3, -6.0], [107.0, -6.0],
                                                      [107.0, -6.4]]]}},
]}


def test_unit_map_is_offline_and_fitted():
    points = pd.DataFrame({"source_id": ["A-1", "A-2", "A-3"], "lat": [-6.1, -6.2, -6.3], "lon": [107.1, 107.2, 107.25],
                           "status": ["selesai", "didisposisi", "ditindaklanjuti"]})
    deck = charts.unit_map(points, SQUARE, overdue_ids=["A-3"])
    assert isinstance(deck, pdk.Deck)
    spec = json.loads(deck.to_json())
    assert spec.get("mapProvider") is None
    assert spec.get("mapStyle") in (None, "__MAP_STYLE__")  # no basemap style: nothing fetched offline
    assert [layer["@@type"] for layer in spec["layers"]] == ["GeoJsonLayer", "ScatterplotLayer"]
    data = spec["layers"][1]["data"]
    assert {tuple(d["color"]) for d in data} == {tuple(c) for c in charts.STATE_COLORS.values()}
    assert data[-1]["source_id"] == "A-3" and data[-1]["color"] == charts.STATE_COLORS["overdue"]  # drawn last
    assert set(data[0]) == {"source_id", "lat", "lon", "color"}  # ids only, nothing personal
    view = spec["initialViewState"]
    assert abs(view["latitude"] + 6.2) < 1e-6 and abs(view["longitude"] - 107.15) < 1e-6
    assert 8 < view["zoom"] < 11
    assert spec["views"][0]["controller"] is True


def test_unit_map_without_region_or_points():
    deck = charts.unit_map(pd.DataFrame(columns=["source_id", "lat", "lon", "status"]), None)
    spec = json.loads(deck.to_json())
    assert spec["layers"] == []
    assert charts.geojson_bounds({"features": []}) is None


def test_names_from_the_data_reach_plotly_as_text_not_markup():
    # Plotly renders <b>, <br> and <a href> inside any label; a unit or category name holding
    # them must show literally (as entities, which plotly prints as the characters).
    name = '<a href="https://evil.invalid">klik</a> & <b>x</b>'
    frame = pd.DataFrame({"short": [name, "Dinkes"], "open_overdue": [3, 1], "group_code": ["X", "DINKES"]})
    fig = charts.unit_bar(frame, label="short", value="open_overdue", code="group_code")
    assert "&lt;a href=\"https://evil.invalid\"&gt;klik&lt;/a&gt; &amp; &lt;b&gt;x&lt;/b&gt;" in list(fig.data[0].y)
    assert list(fig.data[0].customdata)[-1] == "X"  # the code a tap opens is untouched
    mix = charts.mix_bar(pd.DataFrame({"category": [name], "complaints": [4]}), label="category")
    assert all("<" not in str(y) for y in mix.data[0].y)
