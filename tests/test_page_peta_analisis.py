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


def test_peta_draws_the_offline_choropleth(demo_db):
    at = _page("pages/peta.py")
    assert not at.exception
    assert not at.warning, [w.value for w in at.warning]
    (deck,) = _unknown(at, "deck_gl_json_chart")
    spec = json.loads(deck.proto.json)
    assert spec.get("mapProvider") is None
    assert [layer["id"] for layer in spec["layers"]] == ["kec"] and spec["layers"][0]["pickable"]
    assert at.segmented_control(key="warna").value == "complaints"
    text = _texts(at)
    assert "Aturan batas waktu: " in text  # the policy in force
    assert ":green[■]" in text or ":yellow[■]" in text  # the legend
    assert at.dataframe[0].value.shape[0] >= 20  # every kecamatan


def test_peta_kecamatan_shows_figures_and_desa(demo_db):
    at = _page("pages/peta.py", kec="32.16.06", warna="on_time_rate")
    assert not at.exception
    assert any("Tambun Selatan" in s.value for s in at.subheader)
    assert [m.label for m in at.metric] == ["Aduan", "Tepat waktu (%)", "Lewat batas", "Median respons (hari kerja)"]
    spec = json.loads(_unknown(at, "deck_gl_json_chart")[0].proto.json)
    assert [layer["id"] for layer in spec["layers"]] == ["kec", "desa"]
    at.toggle(key="peta_desa").set_value(False).run()
    spec = json.loads(_unknown(at, "deck_gl_json_chart")[0].proto.json)
    assert [layer["id"] for layer in spec["layers"]] == ["kec"]


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
