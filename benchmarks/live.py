"""The live step: an import into the served store while phones load pages, and the inbox's pickup.

1. **Import while serving.** A copy of the benchmark store is served (``streamlit run app.py``,
   open access). ``sessions`` protocol-level clients (benchmarks/load.py: what a browser tab makes
   the server do, minus drawing) open Ringkasan, Peringkat, Pelanggaran and Unit in turn, back to
   back. First for ``baseline_s`` with nothing else going on; then again while
   ``python -m analytics import`` adds ``rows`` new complaints: the CLI finds the store held and
   hands the import to the server (analytics/live/owner.py), which runs it on its own connection
   while the pages read theirs. The loads go on until ``tail_s`` after the import has ended.
   Targets: no failed load, and no load that overlapped the import more than 2 s slower than the
   slowest load of the same page without it.
2. **Inbox pickup.** ``python -m analytics watch`` on a fresh folder, same served store; a
   ``pickup_rows`` export is renamed into the folder (complete at once), and the clock runs until
   its ``.laporan.json`` is written (picked up, imported through the server, moved). Target: 10 s.

``python -m benchmarks.live --store OUT/data/pantau.duckdb --csv OUT/data/pantau-template-N.csv``
runs both on a copy of the store; the benchmark's live step (runner.py) does the same.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd

PAGES = ("ringkasan", "peringkat", "pelanggaran", "unit")
SLOWER_BY_AT_MOST_S = 2.0
PICKUP_TARGET_S = 10.0
ROOT = Path(__file__).resolve().parents[1]


def make_export(csv: Path, out: Path, rows: int, prefix: str) -> Path:
    """``rows`` complaints of the benchmark's template CSV under new ids: all of them new to the store."""
    frame = pd.read_csv(csv, nrows=rows, dtype=str, keep_default_na=False)
    frame["id"] = prefix + frame["id"]
    frame.to_csv(out, index=False)
    return out


def import_command(export: Path, db: Path, snapshot: str) -> list[str]:
    # The benchmark store is the demo regency's: its exports come as the Pantau template, source "demo".
    return [sys.executable, "-m", "analytics", "import", str(export), "--db", str(db), "--format", "pantau",
            "--source", "demo", "--snapshot", snapshot, "--json"]


async def _load_until(url: str, sessions: int, stop: threading.Event, t0: float, timeout_s: float) -> list:
    from benchmarks.load import WS_PATH, failure_markers, page_load

    ws_url = url.replace("http://", "ws://", 1).rstrip("/") + WS_PATH
    markers = failure_markers()
    loads: list = []

    async def person(i: int) -> None:
        n = i  # each session starts on another page
        while not stop.is_set():
            loads.append(await page_load(ws_url, PAGES[n % len(PAGES)], i, t0, markers, timeout_s))
            n += 1

    await asyncio.gather(*(person(i) for i in range(sessions)))
    return sorted(loads, key=lambda x: x.start)


def _run_loads(url: str, sessions: int, stop: threading.Event, t0: float, timeout_s: float = 120.0) -> list:
    return asyncio.run(_load_until(url, sessions, stop, t0, timeout_s))


def _by_page(loads: list) -> dict[str, dict]:
    out = {}
    for page in PAGES:
        times = [x.page_s for x in loads if x.page == page and x.ok]
        out[page] = {"loads": len([x for x in loads if x.page == page]), "ok": len(times),
                     "median_s": statistics.median(times) if times else None, "max_s": max(times) if times else None}
    return out


def measure_import(url: str, db: Path, export: Path, snapshot: str, *, sessions: int, baseline_s: float,
                   lead_s: float, tail_s: float) -> dict:
    """Baseline loads, then loads while the import runs (module docstring, 1)."""
    t0 = time.perf_counter()
    stop = threading.Event()
    timer = threading.Timer(baseline_s, stop.set)
    timer.start()
    baseline = _run_loads(url, sessions, stop, t0)

    t1 = time.perf_counter()
    stop = threading.Event()
    window: dict = {}

    def importer() -> None:
        time.sleep(lead_s)
        window["start"] = time.perf_counter() - t1
        done = subprocess.run(import_command(export, db, snapshot), cwd=ROOT, capture_output=True, text=True)
        window["end"] = time.perf_counter() - t1
        window["exit"] = done.returncode
        window["stderr"] = done.stderr[-2000:]
        try:
            window["report"] = {k: v for k, v in json.loads(done.stdout)[0].items()
                                if k in ("rows_read", "rows_new", "batch_id")}
        except (ValueError, IndexError, KeyError):
            window["report"] = {"stdout": done.stdout[-500:]}
        time.sleep(tail_s)
        stop.set()

    thread = threading.Thread(target=importer)
    thread.start()
    during_all = _run_loads(url, sessions, stop, t1)
    thread.join()
    start, end = window["start"], window["end"]
    # A load overlapped the import if it was under way at any moment of it.
    overlapping = [x for x in during_all if x.start < end and x.start + (x.page_s or 0) > start]
    base, during = _by_page(baseline), _by_page(overlapping)
    worst = {}
    for page in PAGES:
        b, d = base[page]["max_s"], during[page]["max_s"]
        worst[page] = None if b is None or d is None else d - b
    errors = [x for x in during_all if not x.ok]
    slower = max((v for v in worst.values() if v is not None), default=None)
    return {
        "rows": window.get("report", {}).get("rows_new"), "import_exit": window["exit"],
        "import_s": end - start, "import_stderr": window["stderr"] if window["exit"] else "",
        "sessions": sessions, "baseline": base, "during": during, "slower_than_baseline_max_s": worst,
        "errors": len(errors) + len([x for x in baseline if not x.ok]),
        "error_samples": sorted({x.error or "" for x in errors})[:5],
        "loads_during_import": len(overlapping),
        "target_met": window["exit"] == 0 and not errors and slower is not None and slower <= SLOWER_BY_AT_MOST_S,
    }


def measure_pickup(db: Path, csv: Path, work: Path, rows: int, snapshot: str) -> dict:
    """The inbox's time from a complete file to its report (module docstring, 2)."""
    inbox = work / "kotak-masuk"
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    export = make_export(csv, work / "kiriman.csv.part", rows, "INBOX-")
    log = (work / "watch.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "analytics", "watch", str(inbox), "--db", str(db),
                             "--format", "pantau", "--source", "demo"],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        time.sleep(3)  # the watcher is up and has looked once
        t0 = time.perf_counter()
        export.rename(inbox / "kiriman.csv")
        deadline = t0 + 300
        report = None
        while time.perf_counter() < deadline:
            found = list((inbox / "diimpor").glob("*.laporan.json")) + list((inbox / "ditolak").glob("*.laporan.json"))
            if found:
                report = json.loads(found[0].read_text(encoding="utf-8"))
                break
            time.sleep(0.1)
        total = time.perf_counter() - t0
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()
    if report is None:
        return {"ok": False, "error": "no report within 300 s", "log": (work / "watch.log").read_text()[-2000:]}
    return {"ok": report.get("hasil") == "diimpor", "rows": rows, "seconds_to_report": total,
            "import_s": report.get("detik"), "outcome": report.get("hasil"),
            "picked_up_s": total - (report.get("detik") or 0),
            "target_met": report.get("hasil") == "diimpor" and total - (report.get("detik") or 0) <= PICKUP_TARGET_S}


def run(store: Path, csv: Path, work: Path, *, rows: int = 100_000, sessions: int = 8, baseline_s: float = 60.0,
        pickup_rows: int = 1_000, snapshot: str = "2025-11-20T13:00:00+07:00") -> dict:
    from benchmarks.browser import start_server, stop_server
    from benchmarks.load import users_file

    work.mkdir(parents=True, exist_ok=True)
    copy = work / "live.duckdb"
    for stale in (copy, work / "live.duckdb.wal"):
        stale.unlink(missing_ok=True)
    shutil.copy(store, copy)
    export = make_export(csv, work / "tambahan.csv", rows, "LIVE-")
    proc, url, startup = start_server(ROOT, copy, work / "streamlit-live.log",
                                      env={"PANTAU_USERS": str(users_file(work))})
    try:
        result = measure_import(url, copy, export, snapshot, sessions=sessions, baseline_s=baseline_s,
                                lead_s=10.0, tail_s=10.0)
        result["pickup"] = measure_pickup(copy, csv, work, pickup_rows, snapshot)
    finally:
        peak = stop_server(proc)
    result.update(server_start_s=startup, server_peak_rss_mb=peak)
    result["ok"] = result["import_exit"] == 0 and result["pickup"].get("ok", False)
    return result


def markdown(r: dict) -> list[str]:
    """The live step's section of results.md."""
    ok = lambda met: "PASS" if met else "MISS"  # noqa: E731
    lines = ["## Live data: an import while phones read", "",
             f"{r.get('sessions')} sessions opening {', '.join(PAGES)} in turn; an import of "
             f"{r.get('rows') or 0:,} new complaints handed to the server took {r.get('import_s', 0):.1f} s; "
             f"{r.get('loads_during_import', 0)} loads overlapped it; errors: {r.get('errors')}.", "",
             "| page | without import: median / max (s) | during import: median / max (s) | slower than max by |",
             "|---|---|---|---|"]
    for page in PAGES:
        b, d = r["baseline"][page], r["during"][page]
        diff = r["slower_than_baseline_max_s"][page]
        fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
        lines.append(f"| {page} | {fmt(b['median_s'])} / {fmt(b['max_s'])} | {fmt(d['median_s'])} / "
                     f"{fmt(d['max_s'])} | {fmt(diff)} |")
    lines += ["", f"Target (0 errors, no load more than {SLOWER_BY_AT_MOST_S:g} s slower): "
              f"{ok(r.get('target_met'))}", ""]
    p = r.get("pickup") or {}
    if p.get("ok"):
        lines.append(f"Inbox: a {p['rows']:,}-row export, complete at once, reported {p['seconds_to_report']:.1f} s "
                     f"later ({p['import_s']} s of it the import); picked up in {p['picked_up_s']:.1f} s "
                     f"(target {PICKUP_TARGET_S:g} s): {ok(p.get('target_met'))}")
    else:
        lines.append(f"Inbox: FAILED ({p.get('error') or p.get('outcome')})")
    return lines


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.live", description=__doc__.split("\n\n")[0])
    p.add_argument("--store", required=True, help="the benchmark store (it is copied, not changed)")
    p.add_argument("--csv", required=True, help="the benchmark's template CSV (new complaints are taken from it)")
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--sessions", type=int, default=8)
    p.add_argument("--baseline-seconds", type=float, default=60.0)
    p.add_argument("--work", default="/tmp/pantau-live", help="where the copy, the export and the logs go")
    p.add_argument("--out", help="write the result as JSON here")
    args = p.parse_args(argv)
    result = run(Path(args.store), Path(args.csv), Path(args.work), rows=args.rows, sessions=args.sessions,
                 baseline_s=args.baseline_seconds)
    print("\n".join(markdown(result)))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
