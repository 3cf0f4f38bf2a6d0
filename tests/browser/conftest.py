"""Playwright harness: the real dashboard in Debian's Chromium, at phone and desktop sizes.

Recipe from docs (ecosystem notes §3.2): Debian /usr/bin/chromium (never a downloaded browser),
a demo store built once per session, `streamlit run app.py` (tests/browser/server.py) on a free loopback port, and
``wait_for_app`` before looking at anything. Only the server process started here is stopped.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.browser.server import ROOT, free_port, serve

_free_port = free_port  # the name other browser tests import

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "artifacts" / "screenshots"  # git-ignored
DEMO_END = "2025-11-20T12:00:00+07:00"
DEMO_ROWS = 3000

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Streamlit scrolls inside stMain, so a plain full_page screenshot stops at the viewport.
UNCLIP = """[data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"]
  { height: auto !important; min-height: 0 !important; overflow: visible !important; position: static !important; }"""

SIZES = {
    "phone": dict(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True,
        locale="id-ID", timezone_id="Asia/Jakarta",
    ),
    "desktop": dict(viewport={"width": 1366, "height": 768}, locale="id-ID", timezone_id="Asia/Jakarta"),
}


def _need_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip("Debian Chromium not found at /usr/bin/chromium (apt-get install chromium); browser tests skipped")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed (pip install -r requirements-dev.txt)")


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """A small demo store (3 000 synthetic Kab. Bekasi complaints ending 20 Nov 2025 12.00 WIB).

    Same as ``python -m analytics demo --rows 3000 --end ... --db ...``, but in-process with the
    generated CSV kept in the tmp dir, so parallel runs never share data/demo/.
    """
    _need_browser()
    from analytics.demo.load import load_demo
    from analytics.store import connect

    tmp = tmp_path_factory.mktemp("browser-store")
    db = tmp / "demo.duckdb"
    con = connect(db)
    try:
        load_demo(con, seed=7, months=18, rows=DEMO_ROWS, end=pd.Timestamp(DEMO_END), out_dir=tmp)
    finally:
        con.close()
    return db


@pytest.fixture(scope="session")
def app_url(demo_store, tmp_path_factory):
    """The dashboard on the demo store for the whole session (tests/browser/server.py)."""
    with serve(demo_store, tmp_path_factory.mktemp("browser-log") / "streamlit.log") as (url, _proc):
        yield url


@pytest.fixture(scope="module")
def browser():
    # Module scope: the sync API runs an event loop on this thread; close it before other tests.
    _need_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def contexts(browser):
    """One browser context per size, shared by the module's tests (a fresh tab per test)."""
    made = {name: browser.new_context(**opts) for name, opts in SIZES.items()}
    yield made
    for ctx in made.values():
        ctx.close()


@pytest.fixture
def open_page(contexts):
    """``open_page(size)`` -> a new tab in that size's context; JS errors are collected on
    ``page.js_errors``. Tabs are closed after the test."""
    pages = []

    def _open(size: str):
        page = contexts[size].new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        pages.append(page)
        return page

    yield _open
    for page in pages:
        page.close()


def wait_for_app(page, timeout: int = 30_000) -> None:
    """Wait until Streamlit is connected, has finished the run and shows no skeletons."""
    from playwright.sync_api import expect

    page.wait_for_timeout(250)  # let the rerun start: "notRunning" can show before the first run
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=timeout)
    page.evaluate("document.fonts.ready")


def overflow(page) -> dict:
    """Widths that reveal horizontal scrolling: the document and the main scroll container."""
    return page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            return {inner: window.innerWidth, doc: document.documentElement.scrollWidth,
                    main: main ? main.scrollWidth : 0};
        }"""
    )


def full_page_shot(page, path: Path) -> Path:
    """A screenshot of the whole page, not just the viewport (UNCLIP lets stMain grow)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    page.add_style_tag(content=UNCLIP)
    page.wait_for_timeout(300)
    # st.dataframe paints its canvas only once it has been on screen: show each grid once.
    for grid in page.get_by_test_id("stDataFrame").all():
        grid.scroll_into_view_if_needed()
        page.wait_for_timeout(150)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_not_blank(path: Path, min_colours: int = 16) -> None:
    """The PNG shows something: many distinct colours, not one flat fill."""
    from PIL import Image

    with Image.open(path) as img:
        rgb = img.convert("RGB")
        colours = rgb.getcolors(maxcolors=1 << 20)
        lo, hi = zip(*rgb.getextrema())
    assert colours is None or len(colours) >= min_colours, f"{path.name}: only {len(colours)} colours"
    assert max(high - low for low, high in zip(lo, hi)) > 64, f"{path.name}: nearly uniform image"
