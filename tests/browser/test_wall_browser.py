"""The command-centre wall in Chromium at 1920x1080: it renders without an exception or a JS error,
shows no sidebar, menu or toolbar, turns its panels (``?putar=1``: the visible panel's title
changes within a few seconds) and redraws itself from the server without a reload. Screenshots:
artifacts/screenshots/dinding-1920-<n>.png (one per panel) for a person to look at.

Importing a second export into the served store while the wall runs belongs to the live-import
tests (tests/test_live_owner.py); here the turns themselves show that the server redraws the wall.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, assert_not_blank
from ui.wall import PANELS

pytestmark = pytest.mark.browser

WALL_SIZE = dict(viewport={"width": 1920, "height": 1080}, locale="id-ID", timezone_id="Asia/Jakarta")
VISIBLE_TITLE = """() => {
  const h = [...document.querySelectorAll('[class*="st-key-wall_p_"] h2')].find(e => e.offsetParent !== null);
  return h ? h.innerText.trim() : null;
}"""
TITLES = {"Hari ini", "Unit terburuk", "Peta lewat batas", "Pelanggaran terbaru", "Kesegaran data"}


@pytest.fixture
def wall_page(browser):
    context = browser.new_context(**WALL_SIZE)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    yield page
    context.close()


def _visible_title(page) -> str | None:
    return page.evaluate(VISIBLE_TITLE)


def test_the_wall_turns_and_redraws_without_a_reload(app_url, wall_page):
    from playwright.sync_api import expect

    page = wall_page
    page.goto(f"{app_url}/dinding?putar=1")
    expect(page.locator(".st-key-wall_foot")).to_be_visible(timeout=60_000)
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads

    # Streamlit's chrome is hidden on this page: no sidebar, no menu button, no toolbar.
    for test_id in ("stSidebar", "stExpandSidebarButton", "stSidebarCollapsedControl", "stToolbar", "stHeader",
                    "stMainMenu"):
        found = page.get_by_test_id(test_id)
        assert found.count() == 0 or not found.first.is_visible(), test_id
    # Large type: the regency's name and the clock read from across a room.
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.st-key-wall_head p')).fontSize)") >= 50

    # The panels turn: the visible title changes within a few seconds, through every panel.
    seen: list[str] = []
    for _turn in range(3 * len(PANELS)):
        title = _visible_title(page)
        assert title in TITLES, title
        if title not in seen:
            seen.append(title)
            shot = SCREENSHOTS / f"dinding-1920-{len(seen)}.png"
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot))
            assert_not_blank(shot)
        if len(seen) == len(PANELS):
            break
        page.wait_for_function(f"(t) => ({VISIBLE_TITLE})() !== t", arg=title, timeout=8_000)
    assert set(seen) == TITLES

    # Every turn is the server redrawing the fragment (the dots and the panel's name under it come
    # from the tick), in the same document: no reload.
    assert page.evaluate("window.__sameDocument") is True
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
    assert page.get_by_test_id("stException").count() == 0
    assert not page.js_errors, page.js_errors
    # The demo store ends on 20 Nov 2025: the data line under the panels is red.
    expect(page.locator(".st-key-wall_age_stale")).to_be_visible()
