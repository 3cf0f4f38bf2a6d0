"""The Peta and Analisis pages through AppTest: an empty store (first-run page) and a demo store.

pydeck and plotly come back as UnknownElement: the deck is read from ``proto.json`` and the
figure from ``proto.spec``.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_fixtures import DEMO_END, demo_db, demo_file, empty_db  # noqa: F401 - pytest fixtures
from tests.app_fixtures import open_page as _page


def _unknown(at: AppTest, kind: str) -> list:
    return [e for e in at.get(kind)]


def _texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


@pytest.mark.parametrize("file", ["pages/peta.py", "pages/analisis.py"])
def test_empty_store_shows_the_first_run_page(empty_db, file):
    at = _page(file)
    assert not at.exception
    assert "Selamat datang di Pantau" in _texts(at)


def _layers(at: AppTest) -> list[str]:
    (deck,) = _unknown(at, "deck_gl_json_chart")
    return [layer["id"] for layer in json.loads(deck.proto.json)["layers"]]


def test_peta_draws_the_offline_choropleth(demo_db):
    at = _page("pages/peta.py")
    assert not at.exception
    assert not at.warning, [w.value for w in at.warning]
    (deck,) = _unknown(at, "deck_gl_json_chart")
    spec = json.loads(deck.proto.json)
    assert spec.get("mapProvider") is None and "http" not in deck.proto.json  # draws with nothing to fetch
    assert [layer["id"] for layer in spec["layers"]] == ["kec", "nama"] and spec["layers"][0]["pickable"]
    labels = spec["layers"][1]["data"]
    assert labels and all("\n" in r["text"] for r in labels)  # name and figure
    assert spec["initialViewState"]["zoom"] > 8  # fitted to Kab. Bekasi
    assert at.segmented_control(key="warna").value == "complaints"
    (legend,) = at.get("image")  # the legend, an SVG
    assert legend.captions == ["Warna: Aduan"]
    text = _texts(at)
    assert "Aduan terbanyak: " in text  # what the colours say, in one line
    assert "Aturan batas waktu: " not in text  # the policy only matters for the judged metrics
    assert at.dataframe[0].value.shape[0] >= 20  # every kecamatan


def test_peta_on_time_diverges_at_the_target(demo_db):
    at = _page("pages/peta.py", warna="on_time_rate")
    assert not at.exception
    fills = {tuple(f["properties"]["fill"][:3]) for f in
             json.loads(_unknown(at, "deck_gl_json_chart")[0].proto.json)["layers"][0]["data"]["features"]}
    from ui import maps

    assert fills <= {maps.rgb(c) for c in (*maps.RD_BU, maps.NO_DATA)}
    text = _texts(at)
    assert "target 80%" in text and "Aturan batas waktu: " in text  # the summary line names the target


def test_peta_kecamatan_shows_figures_and_desa(demo_db):
    at = _page("pages/peta.py", kec="32.16.06", warna="on_time_rate")
    assert not at.exception
    assert any("Tambun Selatan" in s.value for s in at.subheader)
    assert [m.label for m in at.metric] == ["Aduan", "Tepat waktu (%)", "Lewat batas", "Median respons (hari kerja)"]
    assert _layers(at) == ["kec", "desa", "nama"]
    text = _texts(at)
    assert "aduan · " in text and "Desa/kelurahan dengan aduan terbanyak: " in text
    at.toggle(key="peta_desa").set_value(False).run()
    assert _layers(at) == ["kec", "pilih", "nama"]


@pytest.fixture(scope="module")
def cilacap_file(tmp_path_factory):
    """A small demo store for Kab. Cilacap: a national-registry regency with no desa polygons."""
    from analytics.demo.load import load_demo
    from analytics.store import connect

    folder = tmp_path_factory.mktemp("cilacap")
    path = folder / "pantau.duckdb"
    con = connect(path)
    load_demo(con, seed=7, months=2, rows=1500, end=DEMO_END, out_dir=folder / "out", region="kab-cilacap")
    con.close()
    return path


def test_peta_says_when_a_regency_has_no_desa_polygons(cilacap_file, monkeypatch):
    from tests.app_fixtures import clear_caches

    monkeypatch.setenv("PANTAU_DB", str(cilacap_file))
    clear_caches()
    try:
        at = _page("pages/peta.py", kec="33.01.02")
        assert not at.exception
        assert _layers(at) == ["kec", "pilih", "nama"]
        assert not [w for w in at.toggle if w.key == "peta_desa"]  # nothing to switch on
        assert "Batas desa/kelurahan Kab. Cilacap belum ada di Pantau" in _texts(at)
    finally:
        clear_caches()


def test_analisis_table_chart_and_downloads(demo_db):
    at = _page("pages/analisis.py")
    assert not at.exception
    assert not at.warning, [w.value for w in at.warning]
    (chart,) = _unknown(at, "plotly_chart")
    assert '"type":"bar"' in chart.proto.spec.replace(" ", "")
    table = at.dataframe[0].value
    assert list(table.columns) == ["Kategori", "Aduan", "Tepat waktu (%)", "Lewat batas", "Median respons (hari kerja)"]
    assert len(_unknown(at, "download_button")) == 4


def test_analisis_two_dimensions_and_a_filter(demo_db):
    at = _page("pages/analisis.py", per="channel", lalu="classification", f_channel="WhatsApp")
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns[:2]) == ["Kanal", "Klasifikasi"]
    assert set(table["Kanal"]) == {"WhatsApp"}
    spec = _unknown(at, "plotly_chart")[0].proto.spec
    assert "Pengaduan" in spec  # coloured by the second dimension
