"""The phone check: how long the Ringkasan page takes to be fully rendered in Chromium at 390x844.

"Fully rendered" (checked in the page every 50 ms by one JavaScript predicate, FULLY_RENDERED):
- Streamlit is connected and its script has finished (``stApp`` data-test-connection-state
  CONNECTED and data-test-script-state notRunning);
- no skeleton placeholder and no spinner is on the page, and no exception box;
- the four KPI cards show a value (at least four non-empty ``stMetricValue``);
- the league is there: the best/worst unit links (``stPageLink``, at least two);
- every plotly chart on the page has drawn its SVG (the overdue bars and the weekly trend).
The clock starts just before ``page.goto`` and stops when the predicate first holds.

Cold: the first load after the server started (the server computes everything). Warm: later
loads by the same phone (same browser context, a new tab, so a new Streamlit session) while the
server holds the page's data in its Streamlit cache, as when the Bupati opens the link after
anyone else did. The Chromium recipe is tests/browser/conftest.py's.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = dict(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True,
             locale="id-ID", timezone_id="Asia/Jakarta")
LOAD_TIMEOUT_MS = 180_000
FULLY_RENDERED = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (document.querySelector('[data-testid="stException"]')) return 'exception';
  if (!app || app.dataset.testConnectionState !== 'CONNECTED') return false;
  if (app.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stSpinner"]')) return false;
  const values = [...document.querySelectorAll('[data-testid="stMetricValue"]')];
  if (values.length < 4 || values.some(v => !v.textContent.trim())) return false;
  if (document.querySelectorAll('[data-testid="stPageLink"]').length < 2) return false;
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"]')];
  if (charts.some(c => !c.querySelector('svg.main-svg'))) return false;
  return 'ok';
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_script(root: Path) -> str:
    """What run.sh serves: app.py (the dashboard behind Pantau's HTTP guard) when it exists."""
    return "app.py" if (root / "app.py").exists() else "dashboard.py"


def start_server(root: Path, db: Path, log_path: Path,
                 env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str, float]:
    """``streamlit run app.py`` (or dashboard.py, ``server_script``) on a free loopback port with
    PANTAU_DB=db (plus ``env``); returns the process, its URL and the seconds until
    /_stcore/health answered."""
    port = free_port()
    env = {**os.environ, "PANTAU_DB": str(db), **(env or {})}
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", server_script(root), "--server.headless=true",
             "--server.address=127.0.0.1", f"--server.port={port}", "--browser.gatherUsageStats=false",
             "--server.fileWatcherType=none"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    t0 = time.perf_counter()
    while True:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return proc, url, time.perf_counter() - t0
        except OSError:
            pass
        if proc.poll() is not None or time.perf_counter() - t0 > 90:
            raise RuntimeError(f"streamlit did not start (exit {proc.poll()}); see {log_path}")
        time.sleep(0.1)


def stop_server(proc: subprocess.Popen) -> float | None:
    """Stop our own server by its handle; its peak RSS in MiB (os.wait4), None if unknown."""
    if proc.poll() is None:
        proc.terminate()
    try:
        _, _, usage = os.wait4(proc.pid, 0)
    except ChildProcessError:  # already reaped
        return None
    finally:
        proc.returncode = 0
    return usage.ru_maxrss / 1024


def time_until_rendered(page, url: str, timeout_ms: int = LOAD_TIMEOUT_MS) -> float:
    """Seconds from ``page.goto(url)`` until FULLY_RENDERED holds (Playwright TimeoutError if never)."""
    t0 = time.perf_counter()
    page.goto(url, timeout=timeout_ms)
    state = page.wait_for_function(FULLY_RENDERED, polling=50, timeout=timeout_ms).json_value()
    elapsed = time.perf_counter() - t0
    if state != "ok":
        raise RuntimeError(f"Ringkasan shows an exception ({state}) instead of rendering")
    return elapsed


def measure_ringkasan(url: str, warm_loads: int, screenshot: Path | None = None,
                      timeout_ms: int = LOAD_TIMEOUT_MS) -> dict:
    """Cold and warm load times of /ringkasan at 390x844 (seconds); warm = median of the warm loads."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(**PHONE)
            page = ctx.new_page()
            cold = time_until_rendered(page, url + "/ringkasan", timeout_ms)
            page.close()
            warm = []
            for _ in range(warm_loads):
                page = ctx.new_page()
                warm.append(time_until_rendered(page, url + "/ringkasan", timeout_ms))
                if screenshot is not None and len(warm) == warm_loads:
                    page.screenshot(path=str(screenshot))
                page.close()
            ctx.close()
        finally:
            browser.close()
    return {"cold_s": cold, "warm_s": warm, "warm_median_s": statistics.median(warm) if warm else None}
