"""The Ringkasan and Unit pages through streamlit's AppTest: empty store, demo store, deep links.

One demo store per module (building it is the slow part); each test points $PANTAU_DB at it and
clears Streamlit's process-wide caches around the test.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from analytics.metrics.registry import METRICS
from tests.app_fixtures import DEMO_END, demo_db, demo_file, empty_db  # noqa: F401 - pytest fixtures
from tests.app_fixtures import open_page as _page
from ui.i18n import t


def _unknown(at: AppTest, kind: str) -> list:
    return [e for e in at.get("unknown") if getattr(e, "type", "") == kind] or [
        e for e in at.main if getattr(e, "type", "") == kind
    ]


def _all(at: AppTest, kind: str) -> list:
    found = []

    def walk(node):
        if getattr(node, "type", None) == kind:
            found.append(node)
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return found


def _texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def _links(at: AppTest) -> list:
    return _all(at, "page_link")


# --- empty store ------------------------------------------------------------------------------


@pytest.mark.parametrize("file", [None, "pages/unit.py"])
def test_empty_store_shows_the_first_run_page(empty_db, file):
    at = _page(file)
    assert not at.exception, at.exception
    assert "Selamat datang di Pantau" in _texts(at)


# --- Ringkasan ------------------------------------------------------------------------------------


def test_ringkasan_demo(demo_db):
    at = _page()
    assert not at.exception, at.exception
    assert [e.value for e in at.title] == ["Ringkasan"]
    text = _texts(at)
    assert "Periode ini" in text and "aduan masuk" in text  # the sentence
    policy_line = next(c for c in at.caption if "SLA SP4N-LAPOR!" in c.value)  # one line under the controls
    assert "verifikasi 3 hari kerja" in policy_line.proto.help  # the whole label in its tooltip
    labels = [m.label for m in at.metric]
    # The two answers first (the first phone screen), the other two below the worst units.
    assert labels[:4] == ["Tepat waktu (%)", "Lewat batas", "Aduan", "Median respons (hari kerja)"]
    on_time = at.metric[0]
    assert on_time.value.endswith("%") and "," in on_time.value
    assert on_time.delta is None or on_time.delta.endswith("poin")
    assert at.metric[1].proto.color in (0, 1, 2)  # rendered with a delta colour setting
    links = _links(at)
    assert 2 <= len(links) <= 20  # worst 5, best 5, most overdue 5
    assert any("lewat batas" in link.proto.label for link in links)
    for link in links:
        assert link.proto.page.endswith("unit") or "unit" in link.proto.page
        assert "unit=" in link.proto.query_string
    ranks = [int(link.proto.label.split(".")[0]) for link in links if "skor" in link.proto.label]
    assert ranks[0] > ranks[-1]  # the worst come first, then the best
    assert "**Terburuk**" in [m.value for m in at.markdown]
    assert [s.value for s in at.subheader][:3] == ["Terbaik", "Paling banyak lewat batas", "Tepat waktu per minggu"]
    # The charts are SVG drawn on the server: no plotly, so the phone never loads its 4,7 MB chunk.
    assert not _all(at, "plotly_chart")
    images = _all(at, "image")
    assert len(images) == 2  # most overdue + weekly trend
    for image in images:
        assert image.proto.imgs[0].url.startswith("data:image/svg+xml")


def test_ringkasan_english(demo_db):
    at = _page(lang="en")
    assert not at.exception, at.exception
    assert [e.value for e in at.title] == ["Overview"]
    assert "This period" in _texts(at)
    assert "**Worst**" in [m.value for m in at.markdown]
    assert [s.value for s in at.subheader][:1] == ["Best"]
    assert at.metric[0].label == "On-time rate"
    policy_line = next(c for c in at.caption if "SLA SP4N-LAPOR!" in c.value)
    assert "verification 3 working days" in policy_line.proto.help and "hari" not in policy_line.proto.help


@pytest.mark.parametrize(("lang", "word"), [("id", "aduan masuk"), ("en", "complaints came in")])
def test_ringkasan_sentence_writes_numbers_as_its_cards_do(demo_db, lang, word):
    at = _page(lang=lang, periode="custom", dari="2025-05-21", sampai="2025-11-20")  # > 1 000 complaints
    assert not at.exception, at.exception
    complaints = next(m for m in at.metric if m.label == METRICS["complaints"].label(lang)).value
    assert len(complaints) > 3 and complaints[-4] == ("." if lang == "id" else ",")  # 1.234 / 1,234
    assert f"{complaints} {word}" in at.markdown[0].value


def test_ringkasan_empty_period_says_so(demo_db):
    at = _page(periode="custom", dari="2020-01-01", sampai="2020-01-31")
    assert not at.exception, at.exception
    infos = [i.value for i in at.info]
    assert any("1 Jan 2020 – 31 Jan 2020" in i for i in infos), infos
    assert not at.metric


# --- Unit ----------------------------------------------------------------------------------------


def test_unit_without_a_code_asks_for_one(demo_db):
    at = _page("pages/unit.py")
    assert not at.exception, at.exception
    assert t("unit.pick", lang="id") in [i.value for i in at.info]
    assert at.selectbox(key="unit").value == "semua"


def test_unit_deep_link(demo_db):
    at = _page("pages/unit.py", unit="DSDABMBK")
    assert not at.exception, at.exception
    assert at.selectbox(key="unit").value == "DSDABMBK"
    text = _texts(at)
    assert "Dinas Sumber Daya Air" in text
    assert not at.warning
    labels = [m.label for m in at.metric]
    assert labels[0].startswith("Peringkat (dari ") and "Skor" in labels and "Kelas" in labels  # as in Peringkat
    tables = [d.value for d in at.dataframe]
    score = tables[0]
    assert list(score.columns) == ["Ukuran", "Unit ini", "Kabupaten"]
    assert "Tepat waktu (%)" in set(score["Ukuran"])
    if len(tables) > 1:  # open overdue / at risk: ids, days over, deadline, state, stage; nothing personal
        breaches = tables[1]
        assert list(breaches.columns) == ["ID aduan", "Hari kerja lewat", "Batas waktu", "Keadaan", "Tahap"]
        days = [int(d) for d in breaches["Hari kerja lewat"]]
        assert days == sorted(days, reverse=True)
        assert breaches["Batas waktu"].str.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}").all()
    decks = _all(at, "deck_gl_json_chart")
    assert len(decks) == 1
    deck = json.loads(decks[0].proto.json)
    kinds = {layer["@@type"] for layer in deck["layers"]}
    assert kinds == {"GeoJsonLayer", "ScatterplotLayer"}
    assert deck.get("mapStyle") in (None, "", "__MAP_STYLE__")  # the sentinel Streamlit drops: no basemap
    assert deck.get("mapProvider") in (None, "")
    points = next(layer for layer in deck["layers"] if layer["@@type"] == "ScatterplotLayer")["data"]
    assert set(points[0]) <= {"source_id", "lat", "lon", "color"}
    assert _all(at, "plotly_chart")


def test_unit_kecamatan_code(demo_db):
    at = _page("pages/unit.py", unit="KEC-321601")
    assert not at.exception, at.exception
    assert at.selectbox(key="unit").value == "KEC-321601"
    assert not at.warning


def test_unit_unknown_code_warns(demo_db):
    at = _page("pages/unit.py", unit="TIDAK-ADA")
    assert not at.exception, at.exception
    assert any("TIDAK-ADA" in w.value for w in at.warning)
    assert t("unit.pick", lang="id") in [i.value for i in at.info]


def test_a_new_link_beats_the_last_pick(demo_db):
    at = _page("pages/unit.py", unit="DISDIK")
    assert at.selectbox(key="unit").value == "DISDIK"
    at.selectbox(key="unit").set_value("DINKES").run()
    assert at.selectbox(key="unit").value == "DINKES"  # the user's pick sticks on rerun
    at.query_params["unit"] = "DLH"  # a tap on another unit in Ringkasan
    at.run()
    assert not at.exception, at.exception
    assert at.selectbox(key="unit").value == "DLH"


def test_unit_english(demo_db):
    at = _page("pages/unit.py", unit="DISDIK", lang="en")
    assert not at.exception, at.exception
    assert [e.value for e in at.title] == ["Unit"] or at.title
    assert at.dataframe[0].value.columns.tolist() == ["Measure", "This unit", "Regency"]
