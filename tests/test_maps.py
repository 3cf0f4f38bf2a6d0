"""ui/maps.py (the fitted view, palettes, legend, labels, offline decks, tap lookup), ui/export.py (no formula injection, no
personal fields) and ui/analisis_ui.py (group splitting, table, chart) without Streamlit."""

from __future__ import annotations

import io
import json
import math

import openpyxl
import pandas as pd
import pytest

from analytics.rules.regions import region_geojson
from ui import analisis_ui as ana
from ui import maps
from ui.export import csv_bytes, xlsx_bytes

KEC = region_geojson("kab-bekasi", "kecamatan")
DESA = region_geojson("kab-bekasi", "desa")
CODES = [f["properties"]["kode"] for f in KEC["features"]]


def _metrics() -> pd.DataFrame:
    n = len(CODES) - 1  # the last kecamatan has no complaints
    return pd.DataFrame({
        "group": [f"Kec {i}" for i in range(n)], "group_code": CODES[:n],
        "complaints": list(range(10, 10 + 10 * n, 10)), "on_time_rate": [0.6 + 0.015 * i for i in range(n)],
        "open_overdue": [i % 4 for i in range(n)], "median_response_days": [1.0] * n,
    })


def _deck(**kw) -> maps.MapDeck:
    return maps.kecamatan_deck(KEC, _metrics(), kw.pop("metric", "complaints"), **kw)


def _deck_json(**kw) -> dict:
    return json.loads(_deck(**kw).deck.to_json())


def _layer(j: dict, layer_id: str) -> dict:
    return next(layer for layer in j["layers"] if layer["id"] == layer_id)


# --- the view: deck.gl's Web Mercator at 512-px tiles -------------------------------------------


def _screen(lon: float, lat: float, view: dict, width: float, height: float) -> tuple[float, float]:
    """Where deck.gl's MapView draws (lon, lat), written out here on its own: math.gl's
    lngLatToWorld (the world 512 px wide at zoom 0, y up), scaled by 2**zoom, centred on the view."""
    def world(lo: float, la: float) -> tuple[float, float]:
        lam, phi = math.radians(lo), math.radians(la)
        return 512 * (lam + math.pi) / (2 * math.pi), 512 * (math.pi + math.log(math.tan(math.pi / 4 + phi / 2))) / (2 * math.pi)

    scale = 2 ** view["zoom"]
    x, y = world(lon, lat)
    cx, cy = world(view["longitude"], view["latitude"])
    return width / 2 + (x - cx) * scale, height / 2 - (y - cy) * scale


# Map sizes measured in Chromium (tests/browser/test_peta_browser.py): the content is 358 px wide
# on a 390x844 phone, 328 px on a 360-px phone and 820 px on a 1280x800 desktop with the sidebar.
SIZES = {"phone-390": 358, "phone-360": 328, "desktop-1280": 820}


@pytest.mark.parametrize("slug", ["kab-bekasi", "kota-bekasi", "kab-cilacap", "kab-oki"])
@pytest.mark.parametrize("size", SIZES)
def test_fitted_view_holds_the_whole_regency(slug, size):
    """The regency's bounds, projected with the view the deck carries, fall inside the map with
    the margin to spare, at each width; and the map is not needlessly small: at the width the view
    is fitted for, the regency fills the width or the height (within 3%)."""
    geo = region_geojson(slug, "kecamatan")
    x0, y0, x1, y1 = maps.bounds(geo)
    height = maps.map_height((x0, y0, x1, y1))
    assert maps.MAP_HEIGHT_MIN <= height <= maps.MAP_HEIGHT_MAX
    view = maps.fit_view((x0, y0, x1, y1), height=height)
    v = {"longitude": view.longitude, "latitude": view.latitude, "zoom": view.zoom}
    width = SIZES[size]
    (left, bottom), (right, top) = _screen(x0, y0, v, width, height), _screen(x1, y1, v, width, height)
    m = maps.MAP_MARGIN - 0.5
    assert m <= left < right <= width - m, (size, left, right)
    assert m <= top < bottom <= height - m, (size, top, bottom)
    if width == maps.FIT_WIDTH:
        used = max((right - left) / (width - 2 * maps.MAP_MARGIN), (bottom - top) / (height - 2 * maps.MAP_MARGIN))
        assert used > 0.97, used


def test_a_fit_for_256_px_tiles_would_cut_the_regency_off():
    """The old maths (256 px at zoom 0) gave a zoom one level too deep: the regency twice too large."""
    box = maps.bounds(KEC)
    height = maps.map_height(box)
    view = maps.fit_view(box, height=height)
    v = {"longitude": view.longitude, "latitude": view.latitude, "zoom": view.zoom + 1}  # = the 256-px zoom
    _, bottom = _screen(box[0], box[1], v, 358, height)
    _, top = _screen(box[2], box[3], v, 358, height)
    assert top < 0 and bottom > height


def test_map_height_follows_the_regency_shape():
    tall, wide = maps.bounds(KEC), maps.bounds(region_geojson("kab-cilacap", "kecamatan"))
    assert maps.map_height(tall) == maps.MAP_HEIGHT_MAX  # Kab. Bekasi is 1.75 times taller than wide
    assert maps.map_height(wide) < maps.MAP_HEIGHT_MAX
    assert maps.fit_view((107.0, -6.3, 107.0, -6.3)).zoom == maps.MAX_ZOOM  # a point: the zoom is capped


def test_deck_draws_without_a_basemap_and_fits_the_regency():
    drawn = _deck()
    j = json.loads(drawn.deck.to_json())
    assert j.get("mapProvider") is None and "mapStyle" not in j or j["mapStyle"] == "__MAP_STYLE__"
    text = json.dumps(j).lower()
    assert "carto" not in text and "mapbox" not in text and "http" not in text  # nothing to fetch
    assert [layer["id"] for layer in j["layers"]] == ["kec", "nama"]
    kec = _layer(j, "kec")
    assert kec["pickable"] is True and kec["@@type"] == "GeoJsonLayer" and kec["lineWidthUnits"] == "pixels"
    assert j["initialViewState"]["zoom"] == drawn.view.zoom and drawn.height == maps.MAP_HEIGHT_MAX
    assert j["views"][0]["controller"]["scrollZoom"] is False  # the wheel scrolls the page


def test_features_join_metrics_by_kemendagri_code():
    j = _deck_json(metric="open_overdue", lang="en")
    props = {f["properties"]["kode"]: f["properties"] for f in _layer(j, "kec")["data"]["features"]}
    assert props[CODES[0]]["l1"] == "Complaints: 10"
    assert props[CODES[0]]["fill"] == [*maps.rgb(maps.RD_PU[0]), 255]  # 0 open overdue: the lightest
    assert props[CODES[-1]]["l2"] == "On-time rate: –"  # no complaints: no rate
    assert props[CODES[-1]]["l1"] == "Complaints: 0"


def test_selected_kecamatan_adds_its_desa_and_zooms_in():
    counts = pd.DataFrame({"desa_code": ["32.16.01.1007"], "desa": ["Setia Asih"], "complaints": [27]})
    drawn = _deck(selected="32.16.01", desa_geojson=DESA, desa_counts=counts)
    j = json.loads(drawn.deck.to_json())
    assert [layer["id"] for layer in j["layers"]] == ["kec", "desa", "nama"]
    desa = _layer(j, "desa")["data"]["features"]
    assert desa and all(f["properties"]["kode_kec"] == "32.16.01" for f in desa)
    assert any(f["properties"]["l1"] == "Aduan: 27" for f in desa)
    assert drawn.desa_scale is not None and drawn.view.zoom > _deck().view.zoom
    assert drawn.height == _deck().height  # the page does not jump when a kecamatan is picked
    assert any(r["text"] == "Setia Asih\n27" for r in _layer(j, "nama")["data"])  # desa labels lead


def test_a_kecamatan_without_desa_polygons_gets_its_outline():
    """National-registry regencies outside the ten city areas have no desa polygons
    (Region.has_desa_shapes): the chosen kecamatan is outlined and zoomed to instead."""
    cilacap = region_geojson("kab-cilacap", "kecamatan")
    assert region_geojson("kab-cilacap", "desa")["features"] == []
    code = cilacap["features"][0]["properties"]["kode"]
    metrics = pd.DataFrame({"group": ["x"], "group_code": [code], "complaints": [5], "on_time_rate": [0.9],
                            "open_overdue": [0], "median_response_days": [1.0]})
    drawn = maps.kecamatan_deck(cilacap, metrics, "complaints", selected=code,
                                desa_geojson=region_geojson("kab-cilacap", "desa"))
    j = json.loads(drawn.deck.to_json())
    assert [layer["id"] for layer in j["layers"]] == ["kec", "pilih", "nama"] and drawn.desa_scale is None


def test_points_layer_and_opt_in_basemap():
    pts = pd.DataFrame({"lat": [-6.2], "lon": [107.1], "kecamatan": ["x"], "status": ["selesai"]})
    j = _deck_json(points=pts, basemap=True)
    assert [layer["id"] for layer in j["layers"]] == ["kec", "titik", "nama"]
    assert j["mapProvider"] == "carto"
    assert _layer(j, "kec")["data"]["features"][0]["properties"]["fill"][3] < 255  # streets show through


def test_basemap_setting(monkeypatch):
    monkeypatch.delenv(maps.BASEMAP_ENV, raising=False)
    assert not maps.basemap_default() and maps.basemap_allowed()
    monkeypatch.setenv(maps.BASEMAP_ENV, "carto")
    assert maps.basemap_default()
    monkeypatch.setenv(maps.BASEMAP_ENV, "never")
    assert not maps.basemap_allowed()


# --- colours ------------------------------------------------------------------------------------


def _lightness(hex_colour: str) -> float:
    r, g, b = (c / 255 for c in maps.rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_volume_and_overdue_are_sequential_ramps():
    vol = maps.scale_for("complaints", pd.Series(range(1, 101)))
    assert vol.colours == maps.YL_OR_RD and not vol.diverging and vol.breaks == (21.0, 41.0, 61.0, 81.0)
    light = [_lightness(c) for c in vol.colours]
    assert light == sorted(light, reverse=True)  # one hue ramp, light (few) to dark (many)
    two = maps.scale_for("complaints", pd.Series([1] * 9 + [9]))
    assert two.colours == (maps.YL_OR_RD[0], maps.YL_OR_RD[-1])  # two classes: the ramp's ends
    assert maps.scale_for("complaints", pd.Series([], dtype=float)).colour(3)[:3] == list(maps.rgb(maps.YL_OR_RD[2]))
    over = maps.scale_for("open_overdue", pd.Series([0, 0, 1, 2, 3, 5, 8, 13]))
    assert over.breaks[0] == 1 and over.colours == maps.RD_PU[: len(over.breaks) + 1]
    assert [text for _, text in maps.legend(over, "id", missing=False)] == ["0", "1–2", "3–5", "≥ 6"]
    with pytest.raises(ValueError):
        maps.scale_for("score", pd.Series([1]))


@pytest.mark.parametrize(("target", "breaks"), [(0.8, (0.7, 0.8, 0.9)), (0.9, (0.85, 0.9, 0.95))])
def test_on_time_diverges_at_the_target(target, breaks):
    scale = maps.scale_for("on_time_rate", pd.Series([0.5, 0.95]), target)
    assert scale.diverging and scale.target == target and scale.breaks == breaks
    assert scale.colours == maps.RD_BU
    below, above = scale.colours[:2], scale.colours[2:]
    assert all(maps.rgb(c)[0] > maps.rgb(c)[2] for c in below)  # red side below the target
    assert all(maps.rgb(c)[2] > maps.rgb(c)[0] for c in above)  # blue side from the target up
    assert scale.index(target - 0.001) == 1 and scale.index(target) == 2  # the split is the target
    assert scale.index(None) is None and scale.colour(None)[:3] == list(maps.rgb(maps.NO_DATA))
    with pytest.raises(ValueError):
        maps.scale_for("on_time_rate", pd.Series([0.5]), 1.0)


def test_the_deck_picks_the_palette_by_metric():
    fills = {m: {tuple(f["properties"]["fill"][:3]) for f in _layer(_deck_json(metric=m), "kec")["data"]["features"]}
             for m in maps.MAP_METRICS}
    assert fills["complaints"] <= {maps.rgb(c) for c in maps.YL_OR_RD}
    assert fills["on_time_rate"] <= {maps.rgb(c) for c in (*maps.RD_BU, maps.NO_DATA)}
    assert maps.rgb(maps.RD_BU[0]) in fills["on_time_rate"]  # 60% is far below the 80% target
    assert fills["open_overdue"] <= {maps.rgb(c) for c in maps.RD_PU}
    assert _deck(metric="on_time_rate", target=0.9).scale.target == 0.9


def test_on_time_target_of_a_policy():
    class Policy:
        on_time_target = 0.9

    assert maps.on_time_target(Policy()) == 0.9
    assert maps.on_time_target(object()) == maps.ON_TIME_TARGET == 0.8


def test_legend_reads_as_text_and_as_an_svg():
    scale = maps.scale_for("on_time_rate", pd.Series([0.5, 0.95]))
    assert maps.legend(scale, "id") == [(maps.RD_BU[0], "< 70%"), (maps.RD_BU[1], "70%–80%"),
                                        (maps.RD_BU[2], "80%–90%"), (maps.RD_BU[3], "≥ 90%"),
                                        (maps.NO_DATA, "tidak ada data")]
    svg = maps.legend_svg(scale, "id")
    assert svg.startswith("<svg") and svg.endswith("</svg>") and "target 80%" in svg
    assert all(c in svg for c in maps.RD_BU) and "tidak ada data" in svg
    vol_scale = maps.scale_for("complaints", pd.Series([1, 2, 3, 40]))
    vol = maps.legend_svg(vol_scale, "en", missing=False)
    assert "target" not in vol and "no data" not in vol and "≥ 18" in vol and vol.count('height="14"') == 4  # one swatch per class
    assert 'width="340"' in vol  # fits a 358-px phone column


# --- labels -------------------------------------------------------------------------------------


def _inside(lon: float, lat: float, geometry: dict) -> bool:
    polys = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    hit = False
    for poly in polys:
        for ring in poly:
            for (ax, ay), (bx, by) in zip(ring[:-1], ring[1:]):
                if (ay > lat) != (by > lat) and lon < ax + (bx - ax) * (lat - ay) / (by - ay):
                    hit = not hit
    return hit


@pytest.mark.parametrize("slug", ["kab-bekasi", "kab-cilacap", "kab-oki"])
def test_label_points_lie_inside_their_polygons(slug):
    for f in region_geojson(slug, "kecamatan")["features"]:
        lon, lat = maps.label_point(f["geometry"])
        polys = [f["geometry"]] if f["geometry"]["type"] == "Polygon" else [
            {"type": "Polygon", "coordinates": p} for p in f["geometry"]["coordinates"]]
        assert any(_inside(lon, lat, p) for p in polys), f["properties"]["nama"]


def test_labels_name_the_places_that_matter_and_never_overlap():
    drawn = _deck()
    rows = _layer(json.loads(drawn.deck.to_json()), "nama")["data"]
    assert 6 <= len(rows) < len(CODES)  # some, not all: the rest would overlap at this zoom
    busiest = _metrics().sort_values("complaints").iloc[-1]
    name = maps.short_name(next(f["properties"]["nama"] for f in KEC["features"] if f["properties"]["kode"] == busiest["group_code"]))
    assert f"{name}\n{busiest['complaints']}" in [r["text"] for r in rows]  # the busiest is labelled
    boxes = [maps.label_box(r, drawn.view.zoom) for r in rows]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)
    # The lowest on-time rate leads when the map shows the rate.
    rate_rows = _layer(_deck_json(metric="on_time_rate"), "nama")["data"]
    assert any(r["text"].endswith("\n60%") for r in rate_rows)


def test_label_text_is_short():
    assert maps.short_name("Cikarang Selatan") == "Cikarang Sel."
    assert maps.short_name("Tambun Utara") == "Tambun Utara"  # short enough already
    assert maps.short_name("Bantar  Gebang Timur") == "Bantar Gebang Tim."


def test_tapped_code_from_the_selection_state():
    feature = {"properties": {"kode": "32.16.05", "nama": "X"}}
    assert maps.tapped_code({"selection": {"indices": {"kec": [0]}, "objects": {"kec": [feature]}}}) == "32.16.05"
    assert maps.tapped_code({"selection": {"indices": {"kec": [2]}, "objects": {}}}, KEC) == CODES[2]
    assert maps.tapped_code({"selection": {"indices": {}, "objects": {}}}) is None
    assert maps.tapped_code({}) is None and maps.tapped_code(None) is None
    desa = {"properties": {"kode": "32.16.01.1007", "nama": "Setia Asih", "l1": "Aduan: 27"}}
    assert maps.tapped({"selection": {"objects": {"desa": [desa]}}}, "desa")["nama"] == "Setia Asih"


def test_detail_cards_lines_and_camat_link():
    cards = maps.detail_cards(_metrics(), CODES[0], "id")
    assert [c[0] for c in cards] == ["Aduan", "Tepat waktu (%)", "Lewat batas", "Median respons (hari kerja)"]
    assert cards[1][1] == "60,0%" and cards[3][1] == "1,0 hari"
    assert maps.detail_cards(_metrics(), CODES[-1], "id") == []
    assert maps.figures_line(_metrics(), CODES[0], "id") == "10 aduan · 60% tepat waktu · 0 lewat batas"
    assert maps.figures_line(_metrics(), CODES[-1], "en") == "0 complaints · – on time · 0 overdue"
    units = pd.DataFrame({"code": ["KEC-321601", "DINKES"], "kind": ["camat", "opd"],
                          "kecamatan_code": ["32.16.01", None]})
    assert maps.camat_unit(units, "32.16.01") == "KEC-321601" and maps.camat_unit(units, "32.16.99") is None


def test_summary_line_says_what_the_colours_show():
    m = _metrics()
    assert maps.summary_line(m, "complaints", "id").startswith("Aduan terbanyak: Kec 21 220, Kec 20 210")
    rate = maps.summary_line(m, "on_time_rate", "id", target=0.8)
    assert rate.startswith("14 dari 22 kecamatan di bawah target 80%. Terendah: Kec 0 60%, Kec 1 62%")
    assert maps.summary_line(m, "on_time_rate", "en", target=0.5) == "All 22 kecamatan meet the 50% target."
    assert maps.summary_line(m.assign(open_overdue=0), "open_overdue", "id") == "Tidak ada tahap yang lewat batas."
    counts = pd.DataFrame({"desa_code": ["32.16.01.1001", "32.16.01.1002", "32.16.02.1001"],
                           "desa": ["A*", "B", "C"], "complaints": [3, 9, 50]})
    assert maps.top_desa(counts, "32.16.01", "id") == "B 9, A\\* 3"


# --- exports ------------------------------------------------------------------------------------

RISKY = pd.DataFrame({"kategori": ["=HYPERLINK(\"http://x\",\"klik\")", "+62 812", "-rusak", "@SUM(A1)", "Jalan"],
                      "n": [-1, 2, 3, 4, 5], "reporter_name": ["Budi"] * 5, "text": ["rahasia"] * 5})


def test_xlsx_writes_formula_like_text_as_text():
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(RISKY))).active
    assert [c.value for c in ws[1]] == ["kategori", "n"]  # personal columns dropped
    cells = [ws.cell(r, 1) for r in range(2, 7)]
    assert [c.value for c in cells] == list(RISKY["kategori"])  # values unchanged
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True, True, True, True, False]
    assert ws.cell(2, 2).value == -1 and ws.cell(2, 2).data_type == "n"  # numbers stay numbers


def test_csv_prefixes_formula_like_text():
    text = csv_bytes(RISKY).decode("utf-8-sig")
    assert "Budi" not in text and "rahasia" not in text
    lines = text.splitlines()
    assert lines[0] == "kategori,n"
    assert lines[2] == "'+62 812,2" and lines[3] == "'-rusak,3" and lines[4] == "'@SUM(A1),4" and lines[5] == "Jalan,5"


def test_zone_aware_times_export():
    frame = pd.DataFrame({"received_at": pd.to_datetime(["2025-11-01 02:00"]).tz_localize("UTC")})
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    assert str(ws.cell(2, 1).value).startswith("2025-11-01 02:00")


# --- analysis builders --------------------------------------------------------------------------


def test_split_groups_with_slashes_in_names():
    table = pd.DataFrame({"group": ["Jalan Lingkungan / Gang / WhatsApp", "Sampah / Website"],
                          "complaints": [3, 2], "on_time_rate": [0.5, None]})
    out = ana.split_groups(table, ("category", "channel"), ["Jalan Lingkungan / Gang", "Sampah"])
    assert out["category"].tolist() == ["Jalan Lingkungan / Gang", "Sampah"]
    assert out["channel"].tolist() == ["WhatsApp", "Website"]
    shown = ana.display_table(out, ("category", "channel"), ["complaints", "on_time_rate"], "id")
    assert list(shown.columns) == ["Kategori", "Kanal", "Aduan", "Tepat waktu (%)"]
    assert shown.iloc[0].tolist() == ["Jalan Lingkungan / Gang", "WhatsApp", "3", "50,0%"]
    fig = ana.bar_figure(out, ("category", "channel"), "complaints", "id")
    assert len(fig.data) == 2 and fig.layout.barmode == "stack" and fig.layout.dragmode is False


def test_week_dimension_chart_is_vertical():
    table = pd.DataFrame({"group": ["2025-11-10", "2025-11-03"], "complaints": [5, 4], "on_time_rate": [0.9, 0.8]})
    out = ana.split_groups(table, ("week",))
    fig = ana.bar_figure(out, ("week",), "on_time_rate", "en")
    assert fig.data[0].orientation is None and list(fig.data[0].x) == ["3 Nov 2025", "10 Nov 2025"]
    assert ana.display_table(out, ("week",), ["complaints"], "id").iloc[0, 0] == "3 Nov 2025"
