"""ui/maps.py (offline pydeck decks, legend, tap lookup), ui/export.py (no formula injection, no
personal fields) and ui/analisis_ui.py (group splitting, table, chart) without Streamlit."""

from __future__ import annotations

import io
import json

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


def _deck_json(**kw) -> dict:
    deck, scale, desa_scale = maps.kecamatan_deck(KEC, _metrics(), kw.pop("metric", "complaints"), **kw)
    return json.loads(deck.to_json())


def test_deck_draws_without_a_basemap_and_fits_the_regency():
    j = _deck_json()
    assert j.get("mapProvider") is None
    assert "carto" not in json.dumps(j).lower() and "mapbox" not in json.dumps(j).lower()
    (layer,) = j["layers"]
    assert layer["id"] == "kec" and layer["pickable"] is True and layer["@@type"] == "GeoJsonLayer"
    assert layer["lineWidthUnits"] == "pixels"
    x0, y0, x1, y1 = maps.bounds(KEC)
    view = j["initialViewState"]
    assert x0 < view["longitude"] < x1 and y0 < view["latitude"] < y1 and 8 < view["zoom"] < 12


def test_features_join_metrics_by_kemendagri_code():
    j = _deck_json(metric="open_overdue", lang="en")
    props = {f["properties"]["kode"]: f["properties"] for f in j["layers"][0]["data"]["features"]}
    assert props[CODES[0]]["l1"] == "Complaints: 10"
    assert props[CODES[0]]["fill"][:3] == list(maps.GREEN)  # 0 open overdue
    assert props[CODES[-1]]["l2"] == "On-time rate: –"  # no complaints: no rate
    assert props[CODES[-1]]["l1"] == "Complaints: 0"


def test_selected_kecamatan_adds_its_desa_and_zooms_in():
    counts = pd.DataFrame({"desa_code": ["32.16.01.1007"], "desa": ["Setia Asih"], "complaints": [27]})
    deck, _, desa_scale = maps.kecamatan_deck(KEC, _metrics(), "complaints", selected="32.16.01",
                                              desa_geojson=DESA, desa_counts=counts)
    j = json.loads(deck.to_json())
    assert [layer["id"] for layer in j["layers"]] == ["kec", "desa"]
    desa = j["layers"][1]["data"]["features"]
    assert desa and all(f["properties"]["kode_kec"] == "32.16.01" for f in desa)
    assert any(f["properties"]["l1"] == "Aduan: 27" for f in desa)
    assert desa_scale is not None and j["initialViewState"]["zoom"] > _deck_json()["initialViewState"]["zoom"]


def test_points_layer_and_opt_in_basemap():
    pts = pd.DataFrame({"lat": [-6.2], "lon": [107.1], "kecamatan": ["x"], "status": ["selesai"]})
    deck, _, _ = maps.kecamatan_deck(KEC, _metrics(), "complaints", points=pts, basemap=True)
    j = json.loads(deck.to_json())
    assert [layer["id"] for layer in j["layers"]] == ["kec", "titik"]
    assert j["mapProvider"] == "carto"


def test_basemap_setting(monkeypatch):
    monkeypatch.delenv(maps.BASEMAP_ENV, raising=False)
    assert not maps.basemap_default() and maps.basemap_allowed()
    monkeypatch.setenv(maps.BASEMAP_ENV, "carto")
    assert maps.basemap_default()
    monkeypatch.setenv(maps.BASEMAP_ENV, "never")
    assert not maps.basemap_allowed()


def test_legend_reads_as_text():
    scale = maps.scale_for("on_time_rate", pd.Series([0.5, 0.95]))
    assert maps.legend(scale, "id") == [("red", "< 70%"), ("orange", "70%–80%"), ("yellow", "80%–90%"),
                                        ("green", "≥ 90%"), ("gray", "tidak ada data")]
    vol = maps.scale_for("complaints", pd.Series([1, 2, 3, 4, 5, 6, 7, 8]))
    text = maps.legend_text(vol, "en")
    assert text.startswith(":yellow[■] < ") and text.endswith(":gray[■] no data")
    assert maps.scale_for("complaints", pd.Series([], dtype=float)).colour(3)[:3] == list(maps.VIOLET)
    with pytest.raises(ValueError):
        maps.scale_for("score", pd.Series([1]))


def test_tapped_code_from_the_selection_state():
    feature = {"properties": {"kode": "32.16.05", "nama": "X"}}
    assert maps.tapped_code({"selection": {"indices": {"kec": [0]}, "objects": {"kec": [feature]}}}) == "32.16.05"
    assert maps.tapped_code({"selection": {"indices": {"kec": [2]}, "objects": {}}}, KEC) == CODES[2]
    assert maps.tapped_code({"selection": {"indices": {}, "objects": {}}}) is None
    assert maps.tapped_code({}) is None and maps.tapped_code(None) is None


def test_detail_cards_and_camat_link():
    cards = maps.detail_cards(_metrics(), CODES[0], "id")
    assert [c[0] for c in cards] == ["Aduan", "Tepat waktu (%)", "Lewat batas", "Median respons (hari kerja)"]
    assert cards[1][1] == "60,0%" and cards[3][1] == "1,0 hari"
    assert maps.detail_cards(_metrics(), CODES[-1], "id") == []
    units = pd.DataFrame({"code": ["KEC-321601", "DINKES"], "kind": ["camat", "opd"],
                          "kecamatan_code": ["32.16.01", None]})
    assert maps.camat_unit(units, "32.16.01") == "KEC-321601" and maps.camat_unit(units, "32.16.99") is None


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
