"""The benchmark's phone check (benchmarks/browser.py) against the real dashboard, so its idea of
"fully rendered" keeps matching what Ringkasan draws. Times are recorded, not asserted."""

from __future__ import annotations

import math

import pytest

pytestmark = pytest.mark.browser


def test_benchmark_sees_ringkasan_fully_rendered(app_url, tmp_path):
    from benchmarks.browser import measure_ringkasan

    shot = tmp_path / "ringkasan.png"
    result = measure_ringkasan(app_url, warm_loads=1, screenshot=shot, timeout_ms=60_000)
    assert math.isfinite(result["cold_s"]) and len(result["warm_s"]) == 1
    assert shot.stat().st_size > 10_000  # the warm load's screenshot was taken


def test_a_page_without_kpis_and_league_is_not_called_rendered(app_url):
    """The predicate can fail: Analisis (no KPI cards, no unit links) never satisfies it."""
    from playwright.sync_api import TimeoutError, sync_playwright

    from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, time_until_rendered

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(**PHONE).new_page()
            assert time_until_rendered(page, app_url + "/ringkasan", timeout_ms=60_000) > 0
            with pytest.raises(TimeoutError):
                time_until_rendered(page, app_url + "/analisis", timeout_ms=8_000)
        finally:
            browser.close()
