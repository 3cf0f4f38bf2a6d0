"""The review pack on a phone (390 px): prepare it, see three download buttons side by side
without sideways scrolling, and download a real PDF."""

from __future__ import annotations

import pytest

from tests.browser.conftest import SCREENSHOTS, full_page_shot, overflow, wait_for_app
from ui.i18n import t

pytestmark = pytest.mark.browser


def test_pack_downloads_on_a_phone(app_url, open_page):
    from playwright.sync_api import expect

    page = open_page("phone")
    page.goto(f"{app_url}/tinjauan")
    wait_for_app(page)
    page.get_by_role("button", name=t("tinjauan.pack.prepare", lang="id")).click()
    wait_for_app(page)
    buttons = page.get_by_test_id("stDownloadButton")
    expect(buttons).to_have_count(3, timeout=30_000)
    w = overflow(page)
    assert w["doc"] <= w["inner"] + 1 and w["main"] <= w["inner"] + 1, f"sideways scroll at 390 px: {w}"
    with page.expect_download(timeout=60_000) as info:
        buttons.first.get_by_role("button").click()
    data = open(info.value.path(), "rb").read()
    assert data.startswith(b"%PDF") and len(data) < 2_000_000
    assert info.value.suggested_filename.startswith("tinjauan-") and info.value.suggested_filename.endswith(".pdf")
    assert page.get_by_test_id("stException").count() == 0 and not page.js_errors, page.js_errors
    full_page_shot(page, SCREENSHOTS / "tinjauan-pack-phone.png")
