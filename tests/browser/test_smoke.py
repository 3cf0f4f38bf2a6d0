"""Every page in ui.nav.PAGES opens in Chromium at 390 px (phone) and 1366 px (desktop).

Each load must show the page title, no Streamlit exception and no JS error; on the phone the
page must not scroll sideways. Full-page screenshots go to artifacts/screenshots/<page>-<size>.png
for a person to look at.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import SCREENSHOTS, assert_not_blank, full_page_shot, overflow, wait_for_app
from ui.i18n import t
from ui.nav import PAGES

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize(("file", "url", "title_key", "icon"), PAGES, ids=[p[1] for p in PAGES])
def test_page_smoke(app_url, open_page, size, file, url, title_key, icon):
    from playwright.sync_api import expect

    page = open_page(size)
    page.goto(f"{app_url}/{url}")
    wait_for_app(page)
    expect(page.locator("h1").first).to_contain_text(t(title_key, lang="id"), timeout=30_000)
    expect(page.get_by_text("aduan sintetis, bukan kinerja nyata")).to_be_visible()  # the one-line demo banner
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_text("Page not found").count() == 0  # Streamlit's modal for unknown URLs
    assert not page.js_errors, page.js_errors
    if size == "desktop":  # our menu, not Streamlit's legacy pages/ menu ("dashboard", "data", ...)
        expect(page.get_by_test_id("stSidebarNavLink")).to_have_text(
            [re.compile(re.escape(t(p[2], lang="id")) + "$") for p in PAGES]  # after the icon's ligature text
        )

    if size == "phone":
        w = overflow(page)
        assert w["doc"] <= w["inner"] + 1, f"page scrolls sideways at 390 px: {w}"
        assert w["main"] <= w["inner"] + 1, f"stMain scrolls sideways at 390 px: {w}"

    shot = full_page_shot(page, SCREENSHOTS / f"{url}-{size}.png")
    assert_not_blank(shot)


def test_phone_drawer_navigation_and_language(app_url, open_page):
    """On a phone the menu is the sidebar drawer; the language choice survives a page change
    and lives in the URL as a code (?lang=en), not as a label."""
    from playwright.sync_api import expect

    page = open_page("phone")
    page.goto(app_url + "/?lang=id")
    wait_for_app(page)
    expect(page.locator("h1").first).to_contain_text("Ringkasan")
    expect(page).to_have_url(re.compile(r"/ringkasan(\?|$)"))  # "/" forwards to the default page

    page.get_by_test_id("stExpandSidebarButton").click()
    links = page.get_by_test_id("stSidebarNavLink")
    expect(links).to_have_count(len(PAGES))
    page.get_by_test_id("stSidebar").get_by_text("English", exact=True).click()
    wait_for_app(page)
    expect(page.locator("h1").first).to_contain_text("Overview")
    expect(page).to_have_url(re.compile(r"[?&]lang=en\b"))

    if not page.get_by_test_id("stSidebarNavLink").first.is_visible():
        page.get_by_test_id("stExpandSidebarButton").click()
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Data").click()
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"/data"))
    expect(page.locator("h1").first).to_contain_text("Data")
    expect(page.get_by_text("Import history")).to_be_visible()
    assert page.get_by_test_id("stException").count() == 0


def test_period_filter_lives_in_the_url_and_follows_the_reader(app_url, open_page):
    """ui.widgets.period_picker: choosing "Bulan ini" writes ?periode=bulan (a code, not the
    label), and the choice is still there on the next page that shows the picker."""
    from playwright.sync_api import expect

    users = [url for _f, url, *_ in PAGES if url != "data"]
    page = open_page("desktop")
    page.goto(f"{app_url}/{users[0]}")
    wait_for_app(page)
    month = page.get_by_test_id("stMain").get_by_text("Bulan ini", exact=True)
    if month.count() == 0:
        pytest.skip(f"/{users[0]} shows no period picker")
    month.click()
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"[?&]periode=bulan\b"))

    for url in users[1:]:
        link = page.get_by_test_id("stSidebarNavLink").filter(has_text=t(f"nav.{url}", lang="id"))
        link.click()
        wait_for_app(page)
        if page.get_by_test_id("stMain").get_by_text("Bulan ini", exact=True).count():
            expect(page).to_have_url(re.compile(rf"/{url}\?(.*&)?periode=bulan\b"))
            checked = page.get_by_test_id("stMain").get_by_role("radio", name="Bulan ini")
            expect(checked).to_have_attribute("aria-checked", "true")
            return
    pytest.skip("no second page shows the period picker")
