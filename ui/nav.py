"""The dashboard's pages, in menu order: one list that dashboard.py, the tests and links read.

Each entry is (file relative to the project root, url_path, i18n title key, Material icon).
The first entry is the default page: "/" forwards to it (``_home``). To add a page: add its file under pages/,
a row here and its title under "nav.<url_path>" in ui/i18n.py; the browser smoke test picks it
up automatically.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PAGES: list[tuple[str, str, str, str]] = [
    ("pages/ringkasan.py", "ringkasan", "nav.ringkasan", ":material/dashboard:"),
    ("pages/peringkat.py", "peringkat", "nav.peringkat", ":material/leaderboard:"),
    ("pages/unit.py", "unit", "nav.unit", ":material/apartment:"),
    ("pages/peta.py", "peta", "nav.peta", ":material/map:"),
    ("pages/pelanggaran.py", "pelanggaran", "nav.pelanggaran", ":material/timer_off:"),
    ("pages/analisis.py", "analisis", "nav.analisis", ":material/query_stats:"),
    ("pages/tinjauan.py", "tinjauan", "nav.tinjauan", ":material/event_note:"),
    ("pages/kinerja.py", "kinerja", "nav.kinerja", ":material/fact_check:"),
    ("pages/data.py", "data", "nav.data", ":material/database:"),
    ("pages/dinding.py", "dinding", "nav.dinding", ":material/tv:"),
]
DEFAULT_PAGE = PAGES[0][1]


def page_file(url_path: str) -> str:
    """The file of a page by its url_path, for ``st.page_link`` / ``st.switch_page``:
    ``page_file("data")`` -> ``"pages/data.py"``. Unknown url_path -> ValueError."""
    for file, url, _title, _icon in PAGES:
        if url == url_path:
            return file
    raise ValueError(f"unknown page {url_path!r}; known: {', '.join(p[1] for p in PAGES)}")


def _home() -> None:
    """The app root ("/"): forward to the default page, keeping the query string.

    Streamlit serves its default page at "/" and answers its own url_path ("/ringkasan") with
    "Page not found". With this hidden page as the default, both URLs open Ringkasan and the
    address bar always shows /ringkasan, so links people copy are the same everywhere.
    """
    import streamlit as st

    params = [(k, v) for k in st.query_params for v in st.query_params.get_all(k)]
    st.switch_page(page_file(DEFAULT_PAGE), query_params=params)


def build_pages(translate) -> list:
    """``st.Page`` objects for ``st.navigation``, titles in the current language: a hidden root
    page that forwards to ``DEFAULT_PAGE``, then ``PAGES`` in menu order."""
    import streamlit as st

    root = st.Page(_home, title=translate(f"nav.{DEFAULT_PAGE}"), url_path="home", default=True,
                   visibility="hidden")
    return [root] + [
        st.Page(file, title=translate(title_key), icon=icon, url_path=url) for file, url, title_key, icon in PAGES
    ]


def leave_legacy_pages_mode() -> None:
    """Make sure the page runs inside dashboard.py's ``st.navigation``, not Streamlit's legacy
    ``pages/`` mode.

    Streamlit serves a ``pages/`` folder next to the entry script the old way (each file run on
    its own, without dashboard.py) until some session has called ``st.navigation``. So the first
    visitor after a server start who opens a deep link (``/peringkat``) would get the page without
    the frame, the language switch or our menu. ``page_frame`` calls this: in legacy mode it
    switches the process to st.navigation mode and reruns, which runs dashboard.py for the same
    URL. (Renaming pages/ to app_pages/ would remove the need; see ui/README.md.)
    """
    import streamlit as st
    from streamlit import config

    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a Streamlit without the legacy mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False  # what st.navigation itself does
        # AppTest resets the flag before every run, so a rerun there would happen on every run and
        # swallow button clicks; it runs pages the legacy way consistently, which tests tolerate.
        if not config.get_option("global.appTest"):
            st.rerun()
