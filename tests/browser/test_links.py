"""Links a Bupati actually uses: a unit deep link sent on WhatsApp, and a tap on a league row."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import wait_for_app

pytestmark = pytest.mark.browser


def test_deep_link_opens_the_right_unit(app_url, open_page):
    from playwright.sync_api import expect

    page = open_page("phone")
    page.goto(f"{app_url}/unit?unit=DISDIK")
    wait_for_app(page)
    expect(page.get_by_text("Dinas Pendidikan Kabupaten Bekasi").first).to_be_visible(timeout=30_000)
    assert page.get_by_test_id("stException").count() == 0
    assert "unit=DISDIK" in page.url


def test_tap_on_a_league_row_opens_that_unit(app_url, open_page):
    from playwright.sync_api import expect

    page = open_page("phone")
    page.goto(f"{app_url}/peringkat")
    wait_for_app(page)
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=30_000)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    # The row-selection checkbox of the first data row: left edge, below the ~35 px header row.
    page.touchscreen.tap(box["x"] + 16, box["y"] + 35 + 17)
    page.wait_for_url(re.compile(r"/unit\?(.*&)?unit=[A-Z0-9-]+"), timeout=30_000)
    wait_for_app(page)
    assert page.get_by_test_id("stException").count() == 0
