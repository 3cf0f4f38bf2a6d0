"""The wall soak: does the command-centre wall (pages/dinding.py) run for hours without its memory
growing? ``python -m benchmarks --wall-minutes 30`` (left out when 0, the default; never in CI).

The runner builds a demo store that ends now (``store`` step: 30 000 complaints over 18 months,
what ``python -m analytics demo`` loads), serves it with ``streamlit run app.py`` and hands this step
the URL and the server's process id. Here Debian Chromium (benchmarks/browser.py's recipe) opens
``/dinding?putar=1.5`` at 1920x1080: the panels turn every 1,5 s instead of 15 s, so a 30-minute
run is five hours of a real wall's turns, and every turn is a fragment rerun that takes its own
cursor and reads the store's data version.

Every ``SAMPLE_S`` seconds (first sample at once):
- the tab's JavaScript heap after a forced garbage collection (CDP ``HeapProfiler.collectGarbage``,
  then ``Performance.getMetrics``: JSHeapUsedSize; also the DOM node and event listener counts);
- the resident memory of the tab's renderer process (the largest ``--type=renderer`` Chromium
  process under this step, /proc) and of the server process (/proc/<pid>/status VmRSS);
- how many turns the page has drawn (the footer's text changes, counted in the page).

Growth per hour is the least-squares slope of each series over the samples after ``WARMUP_MIN``
minutes (the caches and the first draw of every panel fill then), judged against TARGET_MB_PER_H
for the tab (JS heap and renderer) and the server.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS
from benchmarks.load import rss_mb

ROTATE_S = 1.5  # ten times a real wall's default of 15 s
SAMPLE_S = 60.0
WARMUP_MIN = 2.0
TARGET_MB_PER_H = 50.0
MB = 1024 * 1024  # memory is reported in MiB, as the other steps' peak RSS
VIEWPORT = {"width": 1920, "height": 1080}
DEMO_ROWS, DEMO_MONTHS = 30_000, 18
LOAD_TIMEOUT_MS = 180_000
# Counts the wall's turns in the page (the footer, panel dots and name, changes at every turn) and
# collects the titles of the panels seen.
COUNT_TURNS = """() => {
  window.__wallTurns = 0; window.__wallTitles = []; let last = null;
  setInterval(() => {
    const foot = document.querySelector('.st-key-wall_foot');
    const text = foot ? foot.innerText : null;
    if (text && text !== last) { if (last !== null) window.__wallTurns++; last = text; }
    const h = [...document.querySelectorAll('[class*="st-key-wall_p_"] h2')].find(e => e.offsetParent !== null);
    if (h && !window.__wallTitles.includes(h.innerText.trim())) window.__wallTitles.push(h.innerText.trim());
  }, 200);
}"""
VISIBLE_TITLE = """() => {
  const h = [...document.querySelectorAll('[class*="st-key-wall_p_"] h2')].find(e => e.offsetParent !== null);
  return h ? h.innerText.trim() : null;
}"""


def build_store(path: Path) -> dict:
    """A demo store that ends now (the wall judges freshness against the clock)."""
    import pandas as pd

    from analytics.demo.load import load_demo
    from analytics.store import connect

    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)
    end = pd.Timestamp.now(tz="Asia/Jakarta").floor("s")
    con = connect(path)
    try:
        report = load_demo(con, seed=7, months=DEMO_MONTHS, rows=DEMO_ROWS, end=end, out_dir=path.parent / "wall-demo")
    finally:
        con.close()
    return {"rows": int(report.rows_new), "end": end.isoformat()}


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def renderers(root: int | None = None) -> dict[int, float]:
    """Chromium renderer processes under ``root`` (default: this process) -> RSS in MiB."""
    kids, out, todo = _children(), {}, [root or os.getpid()]
    while todo:
        pid = todo.pop()
        for child in kids.get(pid, []):
            todo.append(child)
            try:
                cmd = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue
            if b"--type=renderer" in cmd and b"--extension-process" not in cmd:
                mb = rss_mb(child)
                if mb is not None:
                    out[child] = mb
    return out


def slope_per_hour(minutes: list[float], values: list[float | None], warmup: float = WARMUP_MIN) -> float | None:
    """Least-squares slope of ``values`` over ``minutes`` after ``warmup`` minutes, per hour (None
    with fewer than three samples)."""
    pts = [(m, v) for m, v in zip(minutes, values, strict=True) if m >= warmup and v is not None]
    if len(pts) < 3:
        return None
    n = len(pts)
    mx = sum(m for m, _ in pts) / n
    my = sum(v for _, v in pts) / n
    sxx = sum((m - mx) ** 2 for m, _ in pts)
    if sxx == 0:
        return None
    return 60.0 * sum((m - mx) * (v - my) for m, v in pts) / sxx


def _metrics(cdp) -> dict[str, float]:
    cdp.send("HeapProfiler.collectGarbage")
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def measure(url: str, server_pid: int, minutes: float, shots: Path | None = None) -> dict:
    """Open the wall and sample it for ``minutes``; the samples and the slopes."""
    from playwright.sync_api import sync_playwright

    samples: list[dict] = []
    seen_titles: set[str] = set()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            ctx = browser.new_context(viewport=VIEWPORT, locale="id-ID", timezone_id="Asia/Jakarta")
            page = ctx.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.add_init_script(f"({COUNT_TURNS})()")
            page.goto(f"{url}/dinding?putar={ROTATE_S}", timeout=LOAD_TIMEOUT_MS)
            page.wait_for_selector(".st-key-wall_foot", timeout=LOAD_TIMEOUT_MS)
            cdp = ctx.new_cdp_session(page)
            cdp.send("Performance.enable")
            t0 = time.monotonic()
            end = t0 + minutes * 60
            next_at = t0
            while True:
                now = time.monotonic()
                if now >= next_at:
                    m = _metrics(cdp)
                    rend = renderers()
                    title = page.evaluate(VISIBLE_TITLE)
                    if title:
                        seen_titles.add(title)
                    samples.append({
                        "minute": (now - t0) / 60, "js_heap_mb": m.get("JSHeapUsedSize", 0) / MB,
                        "js_heap_total_mb": m.get("JSHeapTotalSize", 0) / MB, "nodes": m.get("Nodes"),
                        "listeners": m.get("JSEventListeners"), "renderer_mb": max(rend.values(), default=None),
                        "renderers": len(rend), "server_mb": rss_mb(server_pid),
                        "turns": page.evaluate("window.__wallTurns || 0"),
                        "exceptions": page.locator('[data-testid="stException"]').count(), "title": title,
                    })
                    print(f"    wall {samples[-1]['minute']:5.1f} min: heap {samples[-1]['js_heap_mb']:.1f} MiB, "
                          f"renderer {samples[-1]['renderer_mb'] or 0:.0f} MiB, server {samples[-1]['server_mb'] or 0:.0f} "
                          f"MiB, {samples[-1]['turns']} turns", flush=True)
                    next_at += SAMPLE_S
                    if now >= end:
                        break
                page.wait_for_timeout(max(0.0, min(next_at, end + 0.001) - time.monotonic()) * 1000)
            seen_titles.update(page.evaluate("window.__wallTitles || []"))
            if shots is not None:
                page.screenshot(path=str(shots))
            ctx.close()
        finally:
            browser.close()
    return summarise(samples, minutes, sorted(seen_titles), errors)


def summarise(samples: list[dict], minutes: float, titles: list[str], errors: list[str]) -> dict:
    mins = [s["minute"] for s in samples]
    slopes = {k: slope_per_hour(mins, [s[k] for s in samples], WARMUP_MIN)
              for k in ("js_heap_mb", "renderer_mb", "server_mb", "nodes", "listeners")}
    turns = samples[-1]["turns"] if samples else 0
    return {"minutes": minutes, "rotate_s": ROTATE_S, "sample_s": SAMPLE_S, "warmup_min": WARMUP_MIN,
            "samples": samples, "slopes_per_h": slopes, "turns": turns, "titles": titles,
            "exceptions": max((s["exceptions"] for s in samples), default=0), "js_errors": errors[:20],
            "targets": judge(slopes)}


def judge(slopes: dict) -> list[dict]:
    """PASS / MISS per target (growth per hour after the warm-up)."""
    out = []
    for key, what in (("js_heap_mb", "browser tab: JS heap"), ("renderer_mb", "browser tab: renderer RSS"),
                      ("server_mb", "server RSS")):
        v = slopes.get(key)
        status = "n/a" if v is None else ("PASS" if v < TARGET_MB_PER_H else "MISS")
        out.append({"target": f"{what} grows < {TARGET_MB_PER_H:g} MiB per hour",
                    "result": "–" if v is None else f"{v:+.1f} MiB/h", "status": status})
    return out


def markdown(doc: dict) -> list[str]:
    """The wall section of results.md (and of docs/performance.md)."""
    if not doc.get("ok"):
        return ["## The wall: memory over a long run", "", f"Not measured: {doc.get('error', 'failed')}", ""]
    s = doc["samples"]
    first = next((x for x in s if x["minute"] >= doc["warmup_min"]), s[0])
    last = s[-1]

    def row(name: str, key: str, unit: str = "MiB") -> str:
        a, b = first.get(key), last.get(key)
        v = doc["slopes_per_h"].get(key)
        fa = "–" if a is None else f"{a:,.1f}"
        fb = "–" if b is None else f"{b:,.1f}"
        return f"| {name} | {fa} | {fb} | {'–' if v is None else f'{v:+,.1f}'} {unit}/h |"

    lines = [
        "## The wall: memory over a long run", "",
        f"`/dinding?putar={doc['rotate_s']:g}` at 1920x1080 in Debian Chromium for {doc['minutes']:g} minutes "
        f"({doc['turns']:,} turns, about {doc['turns'] * 15 / 3600:.1f} hours of a wall turning every 15 s), "
        f"a demo store of {doc.get('store', {}).get('rows', 0):,} complaints ending at the start. A sample every "
        f"{doc['sample_s']:g} s; growth is the least-squares slope after a {doc['warmup_min']:g}-minute warm-up.", "",
        f"| series | at {first['minute']:.0f} min | at {last['minute']:.0f} min | growth |", "|---|--:|--:|--:|",
        row("tab JS heap (after GC), MiB", "js_heap_mb"), row("tab renderer RSS, MiB", "renderer_mb"),
        row("server RSS, MiB", "server_mb"), row("DOM nodes", "nodes", "nodes"),
        row("JS event listeners", "listeners", "listeners"), "",
        "| target | result | status |", "|---|---|---|",
        *(f"| {t['target']} | {t['result']} | {t['status']} |" for t in doc["targets"]), "",
        f"Panels seen: {', '.join(doc['titles']) or '–'}. Exceptions on the page: {doc['exceptions']}; "
        f"JS errors: {len(doc['js_errors'])}.", "",
    ]
    return lines
