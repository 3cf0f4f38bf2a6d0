"""The measured steps. Each runs in its own child process (benchmarks/child.py), so that "cold"
means a fresh process and the peak RSS the parent reads belongs to that step alone.

Timing rules (docs/performance.md says the same in words):
- cold: open the store, then the first call, in a process that has only imported the modules;
- warm: the same call again on the same connection in the same process; the previous result is
  dropped first and nothing memoises results (no Streamlit cache is involved). With several warm
  calls the fastest counts (as ``timeit`` does: on a shared machine noise only ever adds time).
"""

from __future__ import annotations

import gc
import os
import time
from datetime import date
from pathlib import Path

import pandas as pd

from analytics import store
from analytics.config import DEMO_REGION

COMPARED = ("complaints", "on_time", "late", "open_overdue", "median_response_days", "p90_response_days")


def _period(plan: dict, span: str):
    from analytics.rules.periods import Period

    start, end = plan["periods"][span]
    return Period(date.fromisoformat(start), date.fromisoformat(end))


def _as_of(plan: dict) -> pd.Timestamp:
    return pd.Timestamp(plan["as_of"]).tz_convert("UTC")


# CPU seconds (all threads) of each warm call, next to the wall-clock ones: on a shared machine
# a call that waits for a core shows up as wall time well above its CPU time.
CPU_S: list[float] = []


def _measure(connect, call, warm_runs: int) -> tuple[float, list[float], object, object]:
    """(cold seconds incl. connect, warm seconds per call, last result, the connection)."""
    t0 = time.perf_counter()
    con = connect()
    result = call(con)
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(warm_runs):
        del result
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        result = call(con)
        warm.append(time.perf_counter() - t)
        CPU_S.append(time.process_time() - c)
    return cold, warm, result, con


def _fresh(path: Path) -> Path:
    for p in (path, path.with_name(path.name + ".wal")):
        if p.exists():
            os.remove(p)
    return path


def _rows_in(con, plan: dict, span: str) -> int:
    lo, hi = _period(plan, span).utc_bounds(plan["tz"])
    return int(con.execute("SELECT count(*) FROM complaints WHERE received_at >= $lo AND received_at < $hi",
                           {"lo": lo.to_pydatetime(), "hi": hi.to_pydatetime()}).fetchall()[0][0])


def _numbers(frame: pd.DataFrame, unit_col: str) -> list[dict]:
    rows = frame.rename(columns={unit_col: "unit"})[["unit", *COMPARED]]
    return [{k: (None if pd.isna(v) else (v if isinstance(v, str) else float(v))) for k, v in r.items()}
            for r in rows.to_dict("records")]


def generate(plan: dict, _arg: str | None) -> dict:
    from analytics.demo.generate import write_demo_csv
    from benchmarks.ringkas import write_ringkas_xlsx

    end = pd.Timestamp(plan["end"])
    t = time.perf_counter()
    write_demo_csv(plan["csv"], seed=plan["seed"], months=plan["months"], rows=plan["rows"], end=end)
    csv_s = time.perf_counter() - t
    t = time.perf_counter()
    write_ringkas_xlsx(plan["xlsx"], seed=plan["seed"], months=plan["months"], rows=plan["xlsx_rows"], end=end)
    xlsx_s = time.perf_counter() - t
    return {"cold_s": csv_s + xlsx_s, "warm_s": [], "rows": plan["rows"] + plan["xlsx_rows"],
            "info": {"csv_s": csv_s, "xlsx_s": xlsx_s, "csv_mb": os.path.getsize(plan["csv"]) / 1e6,
                     "xlsx_mb": os.path.getsize(plan["xlsx"]) / 1e6}}


def import_csv(plan: dict, _arg: str | None) -> dict:
    """The template CSV into a fresh store, as ``load_demo`` imports the demo (same arguments)."""
    from analytics.importers.ingest import import_file

    end = pd.Timestamp(plan["end"])
    con = store.connect(_fresh(Path(plan["store"])))
    store.set_meta(con, "is_demo", "1")
    store.set_meta(con, "region", DEMO_REGION)
    t = time.perf_counter()
    report = import_file(con, plan["csv"], fmt="pantau", source="demo", region=DEMO_REGION, snapshot_at=end,
                         now=end.to_pydatetime())
    cold = time.perf_counter() - t
    facts = con.execute("SELECT min(received_at), max(snapshot_at) FROM complaints, import_batches").fetchall()[0]
    top_unit = con.execute("SELECT unit_code FROM complaints WHERE unit_code IS NOT NULL "
                           "GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1").fetchall()[0][0]
    con.close()
    return {"cold_s": cold, "warm_s": [], "rows": report.rows_read,
            "info": {"rows_new": report.rows_new, "rows_quarantined": report.rows_quarantined,
                     "first_received": pd.Timestamp(facts[0]).isoformat(), "as_of": pd.Timestamp(facts[1]).isoformat(),
                     "top_unit": top_unit, "store_mb": os.path.getsize(plan["store"]) / 1e6}}


def import_xlsx(plan: dict, _arg: str | None) -> dict:
    """The Ringkas workbook into a fresh store, format and region detected as the CLI does."""
    from analytics.importers.ingest import import_file

    con = store.connect(_fresh(Path(plan["ringkas_store"])))
    t = time.perf_counter()
    report = import_file(con, plan["xlsx"])
    cold = time.perf_counter() - t
    con.close()
    return {"cold_s": cold, "warm_s": [], "rows": report.rows_read,
            "info": {"format": report.format, "region": report.region, "rows_new": report.rows_new,
                     "rows_quarantined": report.rows_quarantined, "unknown_units": len(report.unknown_units)}}


def _connect(plan: dict):
    return lambda: store.connect(plan["store"], read_only=True)


def league(plan: dict, kind: str) -> dict:
    from analytics.metrics.league import league_for
    from analytics.rules.policy import load_policy

    period, policy = _period(plan, "all"), load_policy(None)
    # Timed: the league as every page shows it (the "due" lens, the default).
    call = lambda con: league_for(con, by=kind, period=period, as_of=_as_of(plan), policy=policy)  # noqa: E731
    cold, warm, result, con = _measure(_connect(plan), call, plan["warm_runs"])
    rows = _rows_in(con, plan, "all")
    # Compared: the naive baseline and the floor implement the "received" lens from
    # docs/metrics.md, so the numbers they must match come from that lens (untimed).
    cohort = league_for(con, by=kind, period=period, as_of=_as_of(plan), policy=policy, lens="received")
    return {"cold_s": cold, "warm_s": warm, "rows": rows, "numbers": _numbers(cohort.table, "group"),
            "info": {"units": len(result.table), "lens": result.lens}}


def breaches(plan: dict, _arg: str | None) -> dict:
    from analytics.metrics.breaches import breaches_for
    from analytics.rules.policy import load_policy

    period, policy = _period(plan, "all"), load_policy(None)
    call = lambda con: breaches_for(con, period=period, as_of=_as_of(plan), policy=policy)  # noqa: E731
    cold, warm, result, con = _measure(_connect(plan), call, plan["warm_runs"])
    rows = _rows_in(con, plan, "all")
    return {"cold_s": cold, "warm_s": warm, "rows": rows, "info": {"breaches": len(result)}}


def page(plan: dict, arg: str) -> dict:
    """``arg`` = "<page>:<span>", span "30d" (the page's default period) or "all" (whole history)."""
    from analytics.rules.policy import load_policy
    from benchmarks.pages import PAGES, PageArgs

    name, span = arg.split(":")
    fn, has_period = PAGES[name]
    args = PageArgs(period=_period(plan, span), as_of=_as_of(plan), policy=load_policy(None), tz=plan["tz"], week=plan["week"],
                    unit=plan["unit"])
    cold, warm, _, con = _measure(_connect(plan), lambda con: fn(con, args), plan["warm_runs"])
    # Tinjauan reads one week (plus 90 days of open clocks), Data the import tables: no row count.
    rows = _rows_in(con, plan, span) if has_period else None
    return {"cold_s": cold, "warm_s": warm, "rows": rows}


def naive(plan: dict, kind: str) -> dict:
    from analytics.metrics.clock import policy_calendar
    from analytics.rules.policy import load_policy
    from benchmarks.naive import naive_league

    cal = policy_calendar(load_policy(None))
    if len(cal.extra_workdays):
        raise RuntimeError("the calendar has worked Saturdays, which numpy's busday functions cannot express")
    period = _period(plan, "all")
    call = lambda _con: naive_league(plan["csv"], kind=kind, start=period.start, end=period.end,  # noqa: E731
                                     as_of=_as_of(plan), holidays=cal.holidays, tz=plan["tz"])
    cold, warm, result, _ = _measure(lambda: None, call, plan["naive_warm_runs"])
    return {"cold_s": cold, "warm_s": warm, "rows": plan["rows"], "numbers": _numbers(result, "unit")}


def floor(plan: dict, kind: str) -> dict:
    from analytics.metrics.clock import policy_calendar
    from analytics.rules.policy import load_policy
    from benchmarks.floor import create_working_days, floor_league, working_day_frame

    period = _period(plan, "all")
    lo, hi = period.utc_bounds(plan["tz"])
    setup = {}

    def connect():
        con = store.connect(plan["store"], read_only=True)
        t = time.perf_counter()  # precomputing the working-day table is not part of the floor query
        cal = policy_calendar(load_policy(None))
        create_working_days(con, working_day_frame(cal.holidays, cal.extra_workdays, cal.first, cal.last))
        setup["working_days_s"] = time.perf_counter() - t
        return con

    call = lambda con: floor_league(con, kind=kind, lo=lo, hi=hi, as_of=_as_of(plan), tz=plan["tz"])  # noqa: E731
    cold, warm, result, con = _measure(connect, call, plan["warm_runs"])
    rows = _rows_in(con, plan, "all")
    return {"cold_s": cold - setup["working_days_s"], "warm_s": warm, "rows": rows,
            "numbers": _numbers(result, "unit"), "info": setup}


def browser(plan: dict, url: str) -> dict:
    """Ringkasan in Chromium at 390x844 against the server the parent started (benchmarks/browser.py)."""
    from benchmarks.browser import measure_ringkasan

    r = measure_ringkasan(url, plan["browser_runs"], Path(plan["out"]) / "ringkasan-phone.png")
    return {"cold_s": r["cold_s"], "warm_s": r["warm_s"], "warm_stat": "median", "rows": None}


def load(plan: dict, url: str) -> dict:
    """``load_sessions`` lightweight sessions opening Ringkasan back to back for ``load_seconds``
    against the server the parent started (benchmarks/load.py). Cold: the median of each
    session's first load (the server's caches empty); warm: every completed load, median."""
    import json

    from benchmarks.load import measure

    result = measure(url, plan["load_sessions"], plan["load_seconds"])
    (Path(plan["out"]) / "load-pages.json").write_text(json.dumps(result["loads"]), encoding="utf-8")
    s = result["summary"]
    warm = [x["page_s"] for x in result["loads"] if x["ok"]]
    if not warm:  # some failed loads are a missed target; none completed means the step failed
        raise RuntimeError(f"no page load completed: {s['error_samples']}")
    return {"cold_s": s["first_wave_median_s"], "warm_s": warm, "warm_stat": "median", "rows": None, "info": s}


def phone(plan: dict, arg: str) -> dict:
    """First visits at 390x844 on emulated 4G and Fast 3G through one way of serving ("MODE URL";
    the parent started that server): benchmarks/phone.py."""
    from benchmarks.phone import cells, measure_all

    mode, url = arg.split(" ", 1)
    r = measure_all(url, plan["phone_runs"])
    return {"cold_s": None, "warm_s": [], "rows": None, "mode": mode, "url": url, "cells": cells(r["loads"]), **r}


def wall_store(plan: dict, _arg: str | None) -> dict:
    """The wall soak's own demo store, ending now (benchmarks/wall.py)."""
    from benchmarks.wall import build_store

    info = build_store(Path(plan["wall_store"]))
    return {"cold_s": None, "warm_s": [], "rows": info["rows"], "info": info}


def wall(plan: dict, arg: str) -> dict:
    """The wall soak against the server the parent started ("URL PID"): benchmarks/wall.py."""
    from benchmarks.wall import measure

    url, pid = arg.split(" ", 1)
    r = measure(url, int(pid), float(plan["wall_minutes"]), Path(plan["out"]) / "wall-1920.png")
    return {"cold_s": None, "warm_s": [], "rows": None, **r}


STEPS = {"generate": generate, "import_csv": import_csv, "import_xlsx": import_xlsx, "league": league,
         "breaches": breaches, "page": page, "naive": naive, "floor": floor,
         "browser": browser, "load": load, "phone": phone, "wall_store": wall_store, "wall": wall}
