"""``python -m benchmarks --rows 1000000 [--xlsx-rows 100000] [--out DIR] [--skip-browser] [--load-sessions 20] [--phone-runs 1] [--live-rows 100000] [--wall-minutes 0]``.

docs/performance.md explains what each step measures; the exit code is 1 when the three methods
disagree or a step failed (a missed target is reported, not an error).
"""

from __future__ import annotations

import argparse
import sys

from benchmarks.runner import ROOT, run

MAX_SESSIONS = 200  # benchmarks/load.py MAX_SESSIONS (importing it would load Streamlit here)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=1_000_000, help="complaints in the template CSV (default 1,000,000)")
    p.add_argument("--xlsx-rows", type=int, default=100_000, help="reports in the Ringkas XLSX (default 100,000)")
    p.add_argument("--out", default=str(ROOT / "artifacts" / "benchmark"),
                   help="where results.md, results.json, logs/ and data/ go (default artifacts/benchmark)")
    p.add_argument("--skip-browser", action="store_true", help="leave out the Chromium check")
    p.add_argument("--seed", type=int, default=7, help="demo generator seed (default 7)")
    p.add_argument("--months", type=int, default=36, help="months of complaints (default 36)")
    p.add_argument("--end", default="2025-11-20T12:00:00+07:00", help="the demo's last moment (ISO 8601)")
    p.add_argument("--warm-runs", type=int, default=2, help="warm calls per step; the fastest counts (default 2)")
    p.add_argument("--naive-warm-runs", type=int, default=1, help="warm loads of the naive baseline (default 1)")
    p.add_argument("--browser-runs", type=int, default=3, help="warm Chromium loads; the median counts (default 3)")
    p.add_argument("--load-sessions", type=int, default=20,
                   help="concurrent sessions opening Ringkasan in the load step (default 20; 0 leaves it out). "
                        "It needs no browser, so --skip-browser does not leave it out")
    p.add_argument("--load-seconds", type=float, default=120.0,
                   help="how long the sessions keep opening the page (default 120)")
    p.add_argument("--phone-runs", type=int, default=1,
                   help="first visits per page and network in the phone step (default 1; 0 leaves the step out). "
                        "It needs Chromium, so --skip-browser leaves it out too")
    p.add_argument("--live-rows", type=int, default=None,
                   help="the live step: import this many new complaints through the serving dashboard while 8 "
                        "sessions load pages, then the inbox's pickup (default a tenth of --rows: 100,000 at a "
                        "million; 0 leaves it out)")
    p.add_argument("--wall-minutes", type=float, default=0,
                   help="the wall soak: /dinding turning every 1,5 s at 1920x1080 for this many minutes, memory "
                        "sampled each minute (default 0 leaves it out; at least 5). It needs Chromium, so "
                        "--skip-browser leaves it out too")
    p.add_argument("--drop-data", action="store_true", help="delete the generated files and stores afterwards")
    args = p.parse_args(argv)
    counts = (args.xlsx_rows, args.warm_runs, args.naive_warm_runs, args.browser_runs)
    if args.live_rows is None:
        args.live_rows = args.rows // 10
    if not 0 <= args.live_rows <= args.rows:
        p.error("--live-rows must be 0..--rows (new complaints are taken from the benchmark's CSV)")
    if args.wall_minutes and not 5 <= args.wall_minutes <= 24 * 60:
        p.error("--wall-minutes must be 0 (left out) or 5..1440")
    if not 0 <= args.phone_runs <= 10:
        p.error("--phone-runs must be 0..10")
    if args.rows < 1000 or min(counts) < 1:
        p.error("--rows must be at least 1000, and --xlsx-rows and the run counts at least 1")
    if not 0 <= args.load_sessions <= MAX_SESSIONS or not 0 < args.load_seconds <= 3600:
        p.error(f"--load-sessions must be 0..{MAX_SESSIONS} and --load-seconds more than 0 and at most 3600")
    return args


if __name__ == "__main__":
    sys.exit(run(parse_args(sys.argv[1:])))
