"""AppTest plumbing shared by the page tests: one demo store per session, an empty store, and
opening a page through the real entry point (so the frame and navigation run as in the app)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
TIMEOUT = 30  # AppTest's default 3 s is too short for DuckDB pages
DEMO_END = pd.Timestamp("2025-11-20 12:00", tz="Asia/Jakarta")


def clear_caches() -> None:
    # Streamlit's caches are process-global; each test points PANTAU_DB at its own store.
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory) -> Path:
    """A small demo store, built once and only read by the page tests."""
    from analytics.demo.load import load_demo
    from analytics.store import connect

    folder = tmp_path_factory.mktemp("page_demo")
    path = folder / "pantau.duckdb"
    con = connect(path)
    load_demo(con, seed=7, months=6, rows=4000, end=DEMO_END, out_dir=folder / "out")
    con.close()
    return path


@pytest.fixture
def demo_db(demo_file, monkeypatch) -> Path:
    monkeypatch.setenv("PANTAU_DB", str(demo_file))
    clear_caches()
    yield demo_file
    clear_caches()


@pytest.fixture
def empty_db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "empty.duckdb"
    monkeypatch.setenv("PANTAU_DB", str(path))
    clear_caches()
    yield path
    clear_caches()


def open_page(file: str | None = None, **query: str) -> AppTest:
    """Run the app with ``query`` in the URL, then switch to ``file`` (the default page if None)."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if file:
        at.switch_page(file).run()
    return at
