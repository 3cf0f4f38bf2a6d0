"""The Peringkat, Pelanggaran SLA and Tinjauan Mingguan pages through AppTest: an empty store
(first-run page) and the shared demo store (tests/app_fixtures.py)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_fixtures import DEMO_END, demo_db, demo_file, empty_db  # noqa: F401 - pytest fixtures
from tests.app_fixtures import open_page as _page
from ui.i18n import t

PAGES = ("pages/peringkat.py", "pages/pelanggaran.py", "pages/tinjauan.py")


def _texts(at: AppTest) -> str:
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error"):
        parts += [str(e.value) for e in getattr(at, kind)]
    return "\n".join(parts)


def _plots(at: AppTest) -> list[str]:
    return [el.proto.spec for el in at.get("plotly_chart")]


@pytest.mark.parametrize("file", PAGES)
def test_empty_store_shows_the_first_run_page(empty_db, file):
    at = _page(file)
    assert not at.exception, at.exception
    assert "Selamat datang di Pantau" in _texts(at)


def test_peringkat_opd(demo_db):
    at = _page("pages/peringkat.py")
    assert not at.exception, at.exception
    assert not at.warning  # no panel failed
    text = _texts(at)
    assert "Diperingkat bila ≥ 10 tahap terukur" in text, text
    assert "Aturan SLA: " in text, text
    table = at.dataframe[0].value
    assert list(table.columns[:5]) == ["Peringkat", "Unit", "Kelas", "Skor", "Tepat waktu (%)"]
    assert table.iloc[0]["Peringkat"] == "1" and "Dinas" not in table.iloc[0]["Unit"]  # short names
    assert "%" in table.iloc[0]["Tepat waktu (%)"]
    assert not _plots(at)  # the funnel plot is drawn on request: plotly's chunk is not loaded for it
    at.toggle(key="peringkat_corong").set_value(True).run()
    assert not at.exception, at.exception
    spec = _plots(at)
    assert len(spec) == 1 and "Batas 95%" in spec[0] and "Batas 99,8%" in spec[0]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [t("download.csv", lang="id"), t("download.xlsx", lang="id")]


@pytest.mark.parametrize("by", ["camat", "kecamatan"])
def test_peringkat_other_groupings(demo_db, by):
    at = _page("pages/peringkat.py", menurut=by)
    assert not at.exception, at.exception
    assert not at.warning
    assert at.segmented_control(key="menurut").value == by
    assert len(at.dataframe[0].value) > 0
    if by == "camat":
        assert at.dataframe[0].value.iloc[0]["Unit"].startswith("Kec. ")


def test_peringkat_in_english(demo_db):
    at = _page("pages/peringkat.py", lang="en")
    assert not at.exception, at.exception
    assert "Ranked with ≥ 10 decided stages" in _texts(at)
    assert "On-time rate" in at.dataframe[0].value.columns


def test_pelanggaran(demo_db):
    at = _page("pages/pelanggaran.py")
    assert not at.exception, at.exception
    assert not at.warning
    assert [m.label for m in at.metric] == ["Lewat batas", "Hampir jatuh tempo", "Terlambat"]
    table = at.dataframe[0].value
    assert list(table.columns) == ["ID aduan", "Unit", "Hari kerja lewat", "Batas waktu", "Keadaan", "Tahap"]
    over = [int(v.replace(".", "")) for v in table["Hari kerja lewat"]]
    assert over == sorted(over, reverse=True)
    assert "Aturan SLA: " in _texts(at)
    assert len(at.get("download_button")) == 2


def test_pelanggaran_verifier_stage(demo_db):
    at = _page("pages/pelanggaran.py", tahap="verifikasi")
    assert not at.exception, at.exception
    assert at.segmented_control(key="tahap").value == "verifikasi"
    if at.dataframe:
        assert set(at.dataframe[0].value["Tahap"]) == {"Verifikasi"}


def test_tinjauan_week(demo_db):
    at = _page("pages/tinjauan.py", minggu="2025-W46")
    assert not at.exception, at.exception
    assert not at.warning
    assert at.selectbox(key="minggu").value == "2025-W46"
    text = _texts(at)
    assert "Minggu 46 · 10–16 Nov 2025, dibanding minggu sebelumnya" in text
    assert len(at.metric) == 4 and at.metric[0].label == "Aduan"
    subheads = [s.value for s in at.subheader]
    assert t("tinjauan.oldest", lang="id") in subheads and t("tinjauan.units", lang="id") in subheads
    assert len(at.dataframe) >= 2


@pytest.mark.parametrize(("week", "key"), [("2026-W10", "tinjauan.future"), ("minggu-lalu", "tinjauan.not_iso")])
def test_tinjauan_bad_week(demo_db, week, key):
    at = _page("pages/tinjauan.py", minggu=week)
    assert not at.exception, at.exception
    assert any(t(key, lang="id").split("{")[0][:8] in w.value or week in w.value for w in at.warning)
    assert at.selectbox(key="minggu").value == "2025-W46"  # the last complete week instead (data end Thu 20 Nov)


def test_tinjauan_week_before_the_data(demo_db):
    at = _page("pages/tinjauan.py", minggu="2024-W10")
    assert not at.exception, at.exception
    assert any("Tidak ada aduan yang diterima" in i.value for i in at.info)
