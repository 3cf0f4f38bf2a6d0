"""Tinjauan Mingguan's review pack downloads and commitments panel through AppTest: an empty
store, and a private copy of the demo store (the commitments forms write to it)."""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_fixtures import clear_caches, demo_file, empty_db  # noqa: F401 - pytest fixtures
from tests.app_fixtures import open_page as _page
from ui.i18n import t

PAGE = "pages/tinjauan.py"


@pytest.fixture
def demo_copy(demo_file, tmp_path, monkeypatch):  # noqa: F811 - fixture from app_fixtures
    path = tmp_path / "pantau.duckdb"
    shutil.copy(demo_file, path)
    monkeypatch.setenv("PANTAU_DB", str(path))
    clear_caches()
    yield path
    clear_caches()


def _button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def _downloads(at: AppTest) -> list:
    return at.get("download_button")


def test_empty_store_has_no_pack_or_commitments(empty_db):  # noqa: F811
    at = _page(PAGE)
    assert not at.exception, at.exception
    labels = [b.label for b in at.button]
    assert t("tinjauan.pack.prepare", lang="id") not in labels and not _downloads(at)


def test_pack_is_prepared_on_request_and_offers_three_files(demo_copy):
    at = _page(PAGE, minggu="2025-W46")
    assert not at.exception, at.exception
    assert not _downloads(at)  # built only when asked
    _button(at, t("tinjauan.pack.prepare", lang="id")).click().run()
    assert not at.exception, at.exception
    assert len(_downloads(at)) == 3
    digest = at.code[0].value
    assert digest.startswith("*Tinjauan Kinerja Pengaduan*") and "Minggu 46 · 10–16 Nov 2025" in digest
    at.run()  # another rerun keeps the pack ready for this week
    assert len(_downloads(at)) == 3


def test_commitment_added_listed_and_marked_done(demo_copy):
    at = _page(PAGE, minggu="2025-W46")
    assert any(i.value == t("tinjauan.commit.none", lang="id") for i in at.info)
    _button(at, t("tinjauan.commit.save", lang="id")).click().run()  # empty text: refused, nothing stored
    assert any(e.value == t("tinjauan.commit.empty", lang="id") for e in at.error)
    at.text_input(key="commit_text").input("Tuntaskan aduan drainase Tambun")
    at.selectbox(key="commit_unit").set_value("DLH")
    _button(at, t("tinjauan.commit.save", lang="id")).click().run()
    assert not at.exception, at.exception
    assert any(s.value == t("tinjauan.commit.saved", lang="id") for s in at.success)
    table = at.dataframe[-1].value
    assert list(table["Komitmen"]) == ["Tuntaskan aduan drainase Tambun"] and list(table["Unit"]) == ["DLH"]
    assert list(table["Keadaan"]) == [t("tinjauan.commit.state.due", lang="id")]  # due 7 days after the week
    _button(at, t("tinjauan.commit.done", lang="id")).click().run()
    assert not at.exception, at.exception
    assert any(s.value == t("tinjauan.commit.marked", lang="id") for s in at.success)
    import duckdb

    clear_caches()  # release the app's connection before reading the file directly
    con = duckdb.connect(str(demo_copy), read_only=True)
    rows = con.execute("SELECT unit_code, text, made_week, done_on IS NOT NULL FROM commitments").fetchall()
    con.close()
    assert rows == [("DLH", "Tuntaskan aduan drainase Tambun", "2025-W46", True)]


def test_english_labels(demo_copy):
    at = _page(PAGE, minggu="2025-W46", lang="en")
    assert not at.exception, at.exception
    assert t("tinjauan.pack.prepare", lang="en") in [b.label for b in at.button]
    assert t("tinjauan.commit", lang="en") in [s.value for s in at.subheader]
