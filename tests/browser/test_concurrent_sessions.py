"""Real concurrent sessions on loopback: readers while an upload imports, and a CLI import that
finds the store held by the dashboard.

Several Playwright browser contexts (separate Streamlit sessions, asyncio.gather) reload the
Data page while another session uploads an export through the page's own upload path. Every
screen must show the old counts or the new ones (complaints and imports together), never an
error and never one old and one new. Then ``python -m analytics import`` runs while the server
holds the store: the server runs it (analytics/live/owner.py), it succeeds, the next page load
shows it, and the audit log names the terminal's user, not the server.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEMO_END, ROOT, SIZES, _need_browser
from tests.browser.server import serve

pytestmark = pytest.mark.browser

READERS = 3
UPLOAD_ROWS = 3000  # big enough that readers load pages while it imports
CLI_ROWS = 25
# The demo store only takes demo-source data; a mapping file names the source "demo" (the upload
# goes through the same import code as any export).
MAPPING = """[source]
name = "demo"
unit_kind = "opd"
[columns]
source_id = "id"
received_at = "received_at"
status = "status"
unit = "opd"
"""
FAILED_TEXTS = ("gagal dimuat", "tidak dapat dibuka", "sedang dipakai")


def _export(path, prefix: str, n: int):
    end = pd.Timestamp(DEMO_END)
    rows = ["id,received_at,status,opd"] + [
        f"{prefix}{i},{(end - pd.Timedelta(minutes=3 + i)).isoformat()},menunggu_verifikasi,Dinas Kesehatan" for i in range(n)
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text))


async def _wait_for_app(page) -> None:
    from playwright.async_api import expect

    await page.wait_for_timeout(250)
    app = page.get_by_test_id("stApp")
    await expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=45_000)
    await expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=45_000)
    await expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=45_000)


async def _read_counts(page, url: str) -> tuple[int, int]:
    """Load the Data page; the two freshness cards: complaints stored, imports."""
    await page.goto(f"{url}/data")
    await _wait_for_app(page)
    values = page.get_by_test_id("stMetricValue")
    await values.nth(1).wait_for(timeout=45_000)
    assert await page.get_by_test_id("stException").count() == 0
    body = await page.inner_text("body")
    assert not any(s in body for s in FAILED_TEXTS), body[:500]
    return _number(await values.nth(0).inner_text()), _number(await values.nth(1).inner_text())


async def _sessions(url: str, export, mapping) -> tuple[list[tuple[int, int]], tuple[int, int], tuple[int, int]]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        contexts = [await browser.new_context(**SIZES["phone"]) for _ in range(READERS + 1)]
        pages = [await c.new_page() for c in contexts]
        uploader, readers = pages[0], pages[1:]
        before = await _read_counts(uploader, url)
        done = asyncio.Event()
        seen: list[tuple[int, int]] = []

        async def read_until_done(page) -> None:
            while not done.is_set():
                seen.append(await _read_counts(page, url))
            seen.append(await _read_counts(page, url))  # one load after the import has finished

        async def upload() -> None:
            try:
                await uploader.get_by_test_id("stExpander").first.locator("summary").click()
                inputs = uploader.locator("input[type=file]")
                await inputs.nth(1).set_input_files(str(mapping))
                await inputs.nth(0).set_input_files(str(export))
                button = uploader.get_by_role("button", name="Impor", exact=True)
                from playwright.async_api import expect

                await expect(button).to_be_enabled(timeout=90_000)  # the upload reruns the page; slow on a loaded box
                await button.click()
                await uploader.get_by_text(re.compile(r"diimpor \(impor #\d+\)")).wait_for(timeout=90_000)
            finally:
                done.set()

        await asyncio.gather(upload(), *(read_until_done(r) for r in readers))
        after = await _read_counts(uploader, url)
        await browser.close()
    return seen, before, after


def test_sessions_see_old_or_new_while_uploading_and_the_cli_imports_through_the_server(tmp_path):
    _need_browser()
    from analytics import store
    from analytics.demo.load import load_demo

    db = tmp_path / "pantau.duckdb"
    con = store.connect(db)
    load_demo(con, seed=7, months=6, rows=3000, end=pd.Timestamp(DEMO_END), out_dir=tmp_path / "demo")
    con.close()
    mapping = tmp_path / "demo-source.toml"
    mapping.write_text(MAPPING, encoding="utf-8")
    export = _export(tmp_path / "kiriman.csv", "UP", UPLOAD_ROWS)
    cli_file = _export(tmp_path / "cli.csv", "CLI", CLI_ROWS)
    cli = [sys.executable, "-m", "analytics", "import", str(cli_file), "--mapping", str(mapping), "--db", str(db)]

    with serve(db, tmp_path / "streamlit.log") as (url, proc):
        seen, before, after = asyncio.run(_sessions(url, export, mapping))
        through = subprocess.run(cli, cwd=ROOT, capture_output=True, text=True, timeout=120)
        later = asyncio.run(_one_load(url))
        again = subprocess.run(cli, cwd=ROOT, capture_output=True, text=True, timeout=120)  # same file: nothing new
        audit = subprocess.run([sys.executable, "-m", "analytics", "audit", "--db", str(db), "--format", "json"],
                               cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert after == (before[0] + UPLOAD_ROWS, before[1] + 1), (before, after)
    print("screens seen:", seen)
    assert len(seen) >= READERS * 2, seen
    mixed = [s for s in seen if s not in (before, after)]
    assert not mixed, f"screens that were neither old nor new: {mixed}"
    assert after in seen  # the readers' last loads show the import

    assert through.returncode == 0, (through.returncode, through.stdout, through.stderr)
    assert "Traceback" not in through.stderr and "in use" not in through.stderr
    assert str(CLI_ROWS) in through.stdout  # the import's own report, printed by the terminal
    assert later == (after[0] + CLI_ROWS, after[1] + 1)  # the page's next load has it
    assert again.returncode == 0, again.stderr
    entries = json.loads(audit.stdout)
    cli_imports = [e for e in entries if e["action"] == "import" and e["role"] == "cli"]
    assert cli_imports and all(e["who"].startswith("cli:") for e in cli_imports), entries[:3]
    con = store.connect(db)
    try:
        assert store.complaint_count(con) == after[0] + CLI_ROWS  # nothing lost, nothing doubled
    finally:
        con.close()


async def _one_load(url: str) -> tuple[int, int]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = await (await browser.new_context(**SIZES["phone"])).new_page()
        counts = await _read_counts(page, url)
        await browser.close()
    return counts
