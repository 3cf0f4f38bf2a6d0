"""One benchmark run: generate the data, run every step in its own child process, check that
Pantau, the naive baseline and the floor agree, and write the report.

The parent stays light (no pandas, no DuckDB), so the whole run's peak memory is the parent's
plus the largest step's: the steps run one after another.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from benchmarks import agree, report

ROOT = Path(__file__).resolve().parents[1]
TZ = "Asia/Jakarta"  # the default policy's and the demo regency's zone
DEFAULT_SPAN_DAYS = 30  # the pages' default period ("30 hari", ui/widgets.py)
# benchmarks/pages.py PAGES, by name: whether the page has a period (importing it would load pandas here).
PAGE_NAMES: dict[str, bool] = {"ringkasan": True, "peringkat": True, "unit": True, "peta": True,
                               "pelanggaran": True, "tinjauan": False, "analisis": True, "data": False,
                               "dinding": True, "kinerja": False}


def iso_week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _plan(args, out: Path) -> dict:
    data = out / "data"
    return {
        "root": str(ROOT), "out": str(out), "csv": str(data / f"pantau-template-{args.rows}.csv"),
        "xlsx": str(data / f"laporan-ringkas-{args.xlsx_rows}.xlsx"), "store": str(data / "pantau.duckdb"),
        "ringkas_store": str(data / "ringkas.duckdb"), "rows": args.rows, "xlsx_rows": args.xlsx_rows,
        "seed": args.seed, "months": args.months, "end": args.end, "warm_runs": args.warm_runs,
        "naive_warm_runs": args.naive_warm_runs, "browser_runs": args.browser_runs, "tz": TZ,
        "load_sessions": args.load_sessions, "load_seconds": args.load_seconds,
        "phone_runs": getattr(args, "phone_runs", 1),
        "live_rows": getattr(args, "live_rows", 0),
        "wall_minutes": getattr(args, "wall_minutes", 0), "wall_store": str(data / "wall.duckdb"),
    }


def _write(path: Path, obj: dict) -> None:
    path.write_text(json.dumps(obj, indent=2, default=str), encoding="utf-8")


def run_step(out: Path, key: str, step: str, arg: str | None = None) -> dict:
    """Run one step in a fresh child process; its peak RSS comes from os.wait4 (this child only,
    plus any process it waited for)."""
    result_path = out / "steps" / f"{key}.json"
    result_path.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    with (out / "logs" / f"{key}.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "benchmarks.child", step, arg or "", str(out / "plan.json"),
                                 str(result_path)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if result_path.exists():
        result = json.loads(result_path.read_text(encoding="utf-8"))
    else:
        result = {"ok": False, "error": f"exit code {proc.returncode}; see logs/{key}.log"}
    result.update(key=key, peak_rss_mb=usage.ru_maxrss / 1024, wall_s=time.perf_counter() - t0)
    _write(result_path, result)
    state = "ok" if result.get("ok") else "FAILED"
    print(f"  {key:<28} {state:<6} {result['wall_s']:7.1f} s  peak {result['peak_rss_mb']:7.0f} MiB", flush=True)
    if not result.get("ok"):
        print("    " + str(result.get("error", "")).strip().replace("\n", "\n    "), file=sys.stderr)
    return result


def _periods(plan: dict, info: dict) -> None:
    """Fill in as-of, the two period spans, the week and the unit from the imported store."""
    zone = ZoneInfo(TZ)
    as_of = datetime.fromisoformat(info["as_of"])
    last = as_of.astimezone(zone).date()
    first = datetime.fromisoformat(info["first_received"]).astimezone(zone).date()
    plan.update(as_of=as_of.isoformat(), week=iso_week_of(last), unit=info["top_unit"], periods={
        "all": [first.isoformat(), last.isoformat()],
        "30d": [(last - timedelta(days=DEFAULT_SPAN_DAYS - 1)).isoformat(), last.isoformat()],
    })


def _browser(out: Path, plan: dict, results: dict) -> None:
    from benchmarks.browser import start_server, stop_server

    print("  starting the dashboard on the benchmark store", flush=True)
    try:
        proc, url, startup = start_server(ROOT, Path(plan["store"]), out / "logs" / "streamlit.log")
    except RuntimeError as exc:
        results["browser"] = {"key": "browser", "ok": False, "error": str(exc)}
        return
    try:
        results["browser"] = run_step(out, "browser", "browser", url)
    finally:
        peak = stop_server(proc)  # our own server, by its handle
    results["server"] = {"key": "server", "ok": True, "cold_s": startup, "warm_s": [], "rows": None,
                         "peak_rss_mb": peak}


def _load(out: Path, plan: dict, results: dict) -> None:
    """The load step against a server of its own, started fresh (its caches cold, its peak RSS the
    load's alone), with open access from a users file of its own (benchmarks/load.py)."""
    from benchmarks.browser import start_server, stop_server

    users = out / "logs" / "load-users.toml"
    users.write_text("[access]\nallow_open = true\n", encoding="utf-8")  # load.OPEN_USERS
    print(f"  starting the dashboard for {plan['load_sessions']} sessions", flush=True)
    try:
        proc, url, startup = start_server(ROOT, Path(plan["store"]), out / "logs" / "streamlit-load.log",
                                          env={"PANTAU_USERS": str(users)})
    except RuntimeError as exc:
        results["load"] = {"key": "load", "ok": False, "error": str(exc)}
        return
    try:
        results["load"] = run_step(out, "load", "load", url)
    finally:
        peak = stop_server(proc)
    results["load_server"] = {"key": "load_server", "ok": True, "cold_s": startup, "warm_s": [], "rows": None,
                              "peak_rss_mb": peak}
    print(f"  {'load_server':<28} ok     peak {peak or 0:7.0f} MiB", flush=True)


def _phone(out: Path, plan: dict) -> dict[str, dict]:
    """The phone step (benchmarks/phone.py) once per way of serving, each against a server of its
    own on the benchmark store: plain ``streamlit run app.py``, then deploy/serve.sh (Caddy). The
    two never run at once (the store admits one server)."""
    from benchmarks.browser import start_server, stop_server
    from benchmarks.phone import caddy_path, start_production, stop_production

    modes: dict[str, dict] = {}
    for mode in ("plain", "production"):
        if mode == "production" and not caddy_path():
            modes[mode] = {"ok": False, "skipped": "skipped: caddy not installed (sudo apt-get install -y caddy)"}
            print(f"  phone_{mode:<22} skipped (caddy not installed)", flush=True)
            continue
        print(f"  starting the dashboard for the phone, {mode}", flush=True)
        log = out / "logs" / f"phone-{mode}-server.log"
        try:
            if mode == "plain":
                proc, url, startup = start_server(ROOT, Path(plan["store"]), log)
            else:
                proc, url, startup = start_production(ROOT, Path(plan["store"]), log, out / "logs" / "serve-state")
        except RuntimeError as exc:
            modes[mode] = {"key": f"phone_{mode}", "ok": False, "error": str(exc)}
            continue
        try:
            modes[mode] = run_step(out, f"phone_{mode}", "phone", f"{mode} {url}")
        finally:
            if mode == "plain":
                stop_server(proc)
            else:
                stop_production(proc)
        modes[mode]["startup_s"] = startup
    return modes


def _live(out: Path, plan: dict) -> dict:
    """The live step (benchmarks/live.py) on a copy of the benchmark store, with its own server."""
    from benchmarks import live

    print(f"  live: importing {plan['live_rows']:,} complaints through the serving dashboard", flush=True)
    try:
        result = live.run(Path(plan["store"]), Path(plan["csv"]), out / "data" / "live", rows=plan["live_rows"])
    except Exception as exc:  # a failed step is reported, the others stand
        return {"key": "live", "ok": False, "error": f"{type(exc).__name__}: {exc}"}
    state = "ok" if result.get("ok") else "FAILED"
    print(f"  {'live':<28} {state:<6} import {result.get('import_s', 0):5.1f} s, errors {result.get('errors')}, "
          f"target {'met' if result.get('target_met') else 'MISSED'}", flush=True)
    return result


def _wall(out: Path, plan: dict) -> dict:
    """The wall soak (benchmarks/wall.py): its own demo store ending now, its own server (open
    access: a demo store), then the step with the server's URL and process id."""
    from benchmarks.browser import start_server, stop_server

    store = run_step(out, "wall_store", "wall_store")
    if not store.get("ok"):
        return {"key": "wall", "ok": False, "error": "the wall's demo store failed; see logs/wall_store.log"}
    print(f"  starting the dashboard for the wall ({plan['wall_minutes']:g} minutes)", flush=True)
    try:
        proc, url, startup = start_server(ROOT, Path(plan["wall_store"]), out / "logs" / "wall-server.log")
    except RuntimeError as exc:
        return {"key": "wall", "ok": False, "error": str(exc)}
    try:
        result = run_step(out, "wall", "wall", f"{url} {proc.pid}")
    finally:
        result_peak = stop_server(proc)
    result.update(startup_s=startup, server_peak_mb=result_peak, store=store.get("info", {}))
    return result


def run(args) -> int:
    out = Path(args.out).resolve()
    for sub in ("steps", "logs", "data"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    plan = _plan(args, out)
    _write(out / "plan.json", plan)
    started, load_before = time.perf_counter(), os.getloadavg()
    results: dict[str, dict] = {}
    print(f"Pantau benchmark: {args.rows:,} complaints (Ringkas XLSX {args.xlsx_rows:,}) -> {out}", flush=True)
    results["generate"] = run_step(out, "generate", "generate")
    results["import_csv"] = run_step(out, "import_csv", "import_csv")
    if not (results["generate"].get("ok") and results["import_csv"].get("ok")):
        print("cannot go on without the data and the store", file=sys.stderr)
        return 1
    _periods(plan, results["import_csv"]["info"])
    _write(out / "plan.json", plan)
    results["import_xlsx"] = run_step(out, "import_xlsx", "import_xlsx")
    for kind in ("opd", "camat"):
        results[f"league_{kind}"] = run_step(out, f"league_{kind}", "league", kind)
    results["breaches"] = run_step(out, "breaches", "breaches")
    for span in ("30d", "all"):
        for name, has_period in PAGE_NAMES.items():
            if has_period or span == "30d":
                key = f"page_{name}_{span}" if has_period else f"page_{name}"
                results[key] = run_step(out, key, "page", f"{name}:{span}")
    for kind in ("opd", "camat"):
        results[f"naive_{kind}"] = run_step(out, f"naive_{kind}", "naive", kind)
        results[f"floor_{kind}"] = run_step(out, f"floor_{kind}", "floor", kind)
    if not args.skip_browser:
        _browser(out, plan, results)
    if args.load_sessions:
        _load(out, plan, results)
    phone: dict[str, dict] = {}
    if not args.skip_browser and plan["phone_runs"]:
        phone_load = os.getloadavg()
        phone = _phone(out, plan)
        phone_load_after = os.getloadavg()
    live: dict = {}
    if plan["live_rows"]:
        live = _live(out, plan)
    wall: dict = {}
    if not args.skip_browser and plan["wall_minutes"]:
        wall = _wall(out, plan)

    agreement = {}
    for kind in ("opd", "camat"):
        pantau = results[f"league_{kind}"].get("numbers") or []
        for ref in ("naive", "floor"):
            other = results[f"{ref}_{kind}"]
            agreement[f"{ref}_{kind}"] = (agree.differences(pantau, other.get("numbers") or [], f"{ref} {kind}")
                                          if other.get("ok") else [f"{ref} {kind}: step failed"])
    parent_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    meta = {"command": " ".join(["python -m benchmarks", *sys.argv[1:]]), "plan": plan,
            "total_s": time.perf_counter() - started, "loadavg_before": load_before, "loadavg_after": os.getloadavg(),
            "parent_rss_mb": parent_mb, "machine": report.machine(), "browser_skipped": args.skip_browser,
            "load_skipped": not args.load_sessions}
    doc = report.build(results, agreement, meta)
    if phone:
        from benchmarks import phone as phone_report

        doc["phone"] = phone_report.build(phone, {"runs": plan["phone_runs"], "caddy": phone_report.caddy_version(),
                                                  "loadavg_before": phone_load, "loadavg_after": phone_load_after})
    text = report.markdown(doc)
    if live:
        from benchmarks import live as live_report

        doc["live"] = live
        if live.get("baseline"):
            text = text.rstrip("\n") + "\n\n" + "\n".join(live_report.markdown(live)) + "\n"
    if wall:
        from benchmarks import wall as wall_report

        doc["wall"] = wall
        text = text.rstrip("\n") + "\n\n" + "\n".join(wall_report.markdown(wall)) + "\n"
    _write(out / "results.json", doc)
    (out / "results.md").write_text(text, encoding="utf-8")
    print()
    print(text)
    if args.drop_data:
        shutil.rmtree(out / "data", ignore_errors=True)
    failed = [k for k, r in results.items() if not r.get("ok")]
    failed += [f"phone_{m}" for m, r in phone.items() if not r.get("ok") and not r.get("skipped")]
    failed += ["wall"] if wall and not wall.get("ok") else []
    failed += ["live"] if live and not live.get("ok") else []
    disagree = [line for lines in agreement.values() for line in lines]
    if failed:
        print(f"FAILED steps: {', '.join(failed)} (logs in {out / 'logs'})", file=sys.stderr)
    if disagree:
        print("The three methods DISAGREE:\n  " + "\n  ".join(disagree), file=sys.stderr)
    return 1 if failed or disagree else 0

