"""Peta in Chromium with no basemap reachable: every request that leaves the loopback is refused,
as on a regency server without internet. The deck canvas must draw, and the whole regency must be
inside the map's view: no coloured pixel on the map's edges, the polygons spanning most of it, in
the sequential palette of the volume metric, with the legend under the map."""

from __future__ import annotations

from io import BytesIO
from urllib.parse import urlparse

import pytest

from analytics.rules.regions import region_geojson
from tests.browser.conftest import SCREENSHOTS, wait_for_app
from ui import maps

pytestmark = pytest.mark.browser

BACKGROUND = 245  # the page is white; a polygon pixel is darker than this in some channel


def _only_loopback(refused: list[str]):
    def handle(route) -> None:
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    return handle


def test_peta_shows_the_whole_regency_offline_on_a_phone(app_url, open_page):
    """390x844 (tests/browser/conftest.py SIZES); the desktop fit is checked by the view maths in
    tests/test_maps.py, and the smoke test opens the page at 1366 px."""
    from PIL import Image
    from playwright.sync_api import expect

    page = open_page("phone")
    refused: list[str] = []
    page.route("**/*", _only_loopback(refused))
    page.goto(f"{app_url}/peta")
    wait_for_app(page)
    chart = page.get_by_test_id("stDeckGlJsonChart")
    expect(chart.locator("canvas").first).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stImage")).to_have_count(1)  # the legend
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)  # deck.gl draws on the next animation frames
    box = chart.bounding_box()
    height = maps.map_height(maps.bounds(region_geojson("kab-bekasi", "kecamatan")))
    assert round(box["height"]) == height and box["width"] >= maps.FIT_WIDTH, box

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = chart.screenshot(path=str(SCREENSHOTS / "peta-map-phone.png"))
    with Image.open(BytesIO(shot)) as img:
        rgb = img.convert("RGB")
    scale = rgb.height / box["height"]  # device pixels per CSS pixel
    drawn = rgb.point(lambda v: 255 if v < BACKGROUND else 0).convert("L").getbbox()  # any channel darker
    assert drawn, "the map is blank"
    left, top, right, bottom = (v / scale for v in drawn)
    edge = 2  # CSS px: the regency must not touch the map's edges (it did: top and bottom cut off)
    assert left >= edge and top >= edge and right <= box["width"] - edge and bottom <= box["height"] - edge, (
        drawn, box)
    assert bottom - top >= 0.9 * (height - 2 * maps.MAP_MARGIN), (top, bottom)  # and it fills the height
    palette = {maps.rgb(c) for c in maps.YL_OR_RD}
    colours = rgb.getcolors(maxcolors=1 << 20) or []
    coloured = sum(n for n, c in colours if c in palette)
    assert coloured > 0.3 * (drawn[2] - drawn[0]) * (drawn[3] - drawn[1]), "the choropleth's colours are missing"
    assert not page.js_errors, page.js_errors
    assert all("127.0.0.1" not in u for u in refused)
