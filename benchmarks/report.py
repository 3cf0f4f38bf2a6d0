"""The results table, the targets with PASS/MISS, and the machine description (markdown + JSON)."""

from __future__ import annotations

import os
import platform
from importlib import metadata

from benchmarks.agree import TOLERANCE

PAGE_TITLES = {"ringkasan": "Ringkasan", "peringkat": "Peringkat", "unit": "Unit", "peta": "Peta",
               "pelanggaran": "Pelanggaran", "tinjauan": "Tinjauan (week)", "analisis": "Analisis", "data": "Data"}
SPANS = {"30d": "30 days", "all": "all history"}
PAGE_TARGET_S = 0.5
LEAGUE_VS_FLOOR, LEAGUE_VS_NAIVE = 2.0, 10.0
IMPORT_ROWS_PER_S = 200_000
RSS_LIMIT_MB = 3 * 1024  # 3 GiB; ru_maxrss is in KiB, so every "MB" here is a MiB
BROWSER_TARGET_S = 3.0
# The load target (issue: hardening, item 12): this many concurrent sessions on Ringkasan.
LOAD_SESSIONS = 20
LOAD_MEDIAN_S, LOAD_P95_S = 2.0, 5.0
LOAD_RSS_LIMIT_MB = 1.5 * 1024  # 1.5 GiB, the server's peak RSS (MiB, as everywhere here)


def label(key: str) -> str:
    fixed = {
        "generate": "generate demo CSV + Ringkas XLSX", "import_csv": "import template CSV",
        "import_xlsx": "import Ringkas XLSX", "league_opd": "league OPD (all history)",
        "league_camat": "league camat (all history)", "breaches": "breaches list (all history)",
        "naive_opd": "naive league OPD (read_csv + apply)", "naive_camat": "naive league camat (read_csv + apply)",
        "floor_opd": "floor league OPD (one SQL query)", "floor_camat": "floor league camat (one SQL query)",
        "browser": "Chromium: Ringkasan at 390x844", "server": "Streamlit server (start-up; RSS)",
        "load": "load: sessions opening Ringkasan (median page)", "load_server": "load: Streamlit server (start-up; RSS)",
    }
    if key in fixed:
        return fixed[key]
    parts = key.split("_")  # page_<name>[_<span>]
    name = PAGE_TITLES.get(parts[1], parts[1])
    return f"page data: {name}" + (f" ({SPANS[parts[2]]})" if len(parts) > 2 else "")


def warm_value(r: dict) -> float | None:
    warm = r.get("warm_s") or []
    if not warm:
        return None
    if r.get("warm_stat") == "median":
        s = sorted(warm)
        mid = len(s) // 2
        return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2
    return min(warm)


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def build(results: dict[str, dict], agreement: dict[str, list[str]], meta: dict) -> dict:
    rows = []
    for key, r in results.items():
        warm = warm_value(r)
        best = warm if warm is not None else r.get("cold_s")
        kind = key.rsplit("_", 1)[-1] if key.split("_")[0] in ("league", "naive", "floor") else None
        floor = warm_value(results.get(f"floor_{kind}", {})) if kind else None
        naive = warm_value(results.get(f"naive_{kind}", {})) if kind else None
        rows.append({
            "key": key, "step": label(key), "ok": bool(r.get("ok")), "cold_s": r.get("cold_s"), "warm_s": warm,
            "warm_runs": r.get("warm_s") or [], "rows": r.get("rows"),
            "rows_per_s": r["rows"] / best if r.get("rows") and best else None,
            "warm_cpu_s": min(r["warm_cpu_s"]) if r.get("warm_cpu_s") else None,
            "load": max(r.get("load_before") or 0, r.get("load_after") or 0) or None,
            "peak_rss_mb": r.get("peak_rss_mb"), "vs_floor": _ratio(warm, floor), "vs_naive": _ratio(warm, naive),
            "info": r.get("info", {}), "error": r.get("error"),
        })
    by_key = {r["key"]: r for r in rows}
    return {"meta": meta, "rows": rows, "targets": targets(by_key, meta), "agreement": agreement,
            "agreement_ok": not any(agreement.values()), "tolerance_days": TOLERANCE}


def _status(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def targets(rows: dict[str, dict], meta: dict) -> list[dict]:
    out = []

    def add(name, value, ok):
        out.append({"target": name, "result": value, "status": _status(ok)})

    kinds = [k for k in ("opd", "camat") if rows.get(f"league_{k}", {}).get("vs_floor") is not None]
    add(f"League table at most {LEAGUE_VS_FLOOR:g}x the floor (warm)",
        ", ".join(f"{k}: {rows[f'league_{k}']['vs_floor']:.2f}x the floor" for k in kinds) or "not measured",
        all(rows[f"league_{k}"]["vs_floor"] <= LEAGUE_VS_FLOOR for k in kinds) if len(kinds) == 2 else None)
    kinds = [k for k in ("opd", "camat") if rows.get(f"league_{k}", {}).get("vs_naive")]
    add(f"League table at least {LEAGUE_VS_NAIVE:g}x faster than the naive baseline (warm)",
        ", ".join(f"{k}: {1 / rows[f'league_{k}']['vs_naive']:.1f}x faster" for k in kinds) or "not measured",
        all(1 / rows[f"league_{k}"]["vs_naive"] >= LEAGUE_VS_NAIVE for k in kinds) if len(kinds) == 2 else None)
    for span, words in (("30d", "the pages' default 30-day period"), ("all", "a period covering all history")):
        pages = [r for k, r in rows.items() if k.startswith("page_") and (k.endswith("_" + span) or k.count("_") == 1)]
        timed = [r for r in pages if r["warm_s"] is not None]
        slow = max(timed, key=lambda r: r["warm_s"]) if timed else None
        add(f"Every page's data under {PAGE_TARGET_S:g} s warm ({words})",
            f"slowest {slow['step']}: {slow['warm_s']:.3f} s; over the limit: "
            f"{sum(r['warm_s'] >= PAGE_TARGET_S for r in timed)} of {len(pages)}" if slow else "not measured",
            all(r["warm_s"] < PAGE_TARGET_S for r in timed) and len(timed) == len(pages) if timed else None)
    imp = rows.get("import_csv", {})
    add(f"Template CSV import at least {IMPORT_ROWS_PER_S:,} rows/s",
        f"{imp['rows_per_s']:,.0f} rows/s ({imp['rows']:,} rows in {imp['cold_s']:.1f} s)"
        if imp.get("rows_per_s") else "not measured",
        imp["rows_per_s"] >= IMPORT_ROWS_PER_S if imp.get("rows_per_s") else None)
    peak = whole_run_peak_mb(rows, meta)
    add("Peak RSS under 3 GiB for the whole run",
        f"{peak['total_mb']:,.0f} MiB (largest step {peak['step']}: {peak['step_mb']:,.0f} MiB + harness "
        f"{peak['parent_mb']:,.0f} MiB)", peak["total_mb"] < RSS_LIMIT_MB)
    b = rows.get("browser")
    if meta.get("browser_skipped") or b is None:
        add(f"Ringkasan fully rendered in Chromium at 390x844 within {BROWSER_TARGET_S:g} s (warm)", "skipped", None)
    else:
        add(f"Ringkasan fully rendered in Chromium at 390x844 within {BROWSER_TARGET_S:g} s (warm)",
            f"median {b['warm_s']:.2f} s over {len(b['warm_runs'])} warm loads (cold {b['cold_s']:.2f} s)"
            if b["ok"] else "error: " + str(b.get("error", "")).strip().splitlines()[-1],
            b["warm_s"] <= BROWSER_TARGET_S if b["ok"] else False)
    add(*load_target(rows.get("load"), rows.get("load_server"), meta))
    return out


def load_target(load: dict | None, server: dict | None, meta: dict) -> tuple[str, str, bool | None]:
    """(target, result, ok): ok None (n/a) when the step was left out or ran fewer sessions."""
    name = (f"{LOAD_SESSIONS} concurrent sessions on Ringkasan: median page under {LOAD_MEDIAN_S:g} s, p95 under "
            f"{LOAD_P95_S:g} s, 0 errors, server peak RSS under {LOAD_RSS_LIMIT_MB / 1024:g} GiB")
    if meta.get("load_skipped") or load is None:
        return name, "skipped", None
    if not load["ok"]:
        return name, "error: " + str(load.get("error", "")).strip().splitlines()[-1], False
    i, rss = load["info"], (server or {}).get("peak_rss_mb")
    text = (f"{i['sessions']} sessions for {i['duration_s']:g} s: median {i['median_s']:.2f} s, p95 {i['p95_s']:.2f} s, "
            f"max {i['max_s']:.2f} s over {i['ok']} loads ({i['loads_per_s']:.1f}/s); {i['errors']} errors; "
            f"server peak " + (f"{rss:,.0f} MiB" if rss else "unknown"))
    if i["sessions"] < LOAD_SESSIONS:
        return name, text + f" (fewer than {LOAD_SESSIONS} sessions: not judged)", None
    ok = (i["median_s"] < LOAD_MEDIAN_S and i["p95_s"] < LOAD_P95_S and i["errors"] == 0
          and rss is not None and rss < LOAD_RSS_LIMIT_MB)
    return name, text, ok


def whole_run_peak_mb(rows: dict[str, dict], meta: dict) -> dict:
    """Steps run one at a time, so the run's peak is the harness's own peak plus the largest step's
    (an upper bound). The browser client (Playwright and Chromium: the phone) is left out; the
    Streamlit server, which runs during the browser step, is in. Likewise the load step's client
    is left out and its server is in."""
    server = [r for k, r in rows.items() if k not in ("browser", "load") and r.get("peak_rss_mb")]
    big = max(server, key=lambda r: r["peak_rss_mb"])
    return {"step": big["step"], "step_mb": big["peak_rss_mb"], "parent_mb": meta["parent_rss_mb"],
            "total_mb": big["peak_rss_mb"] + meta["parent_rss_mb"]}


def machine() -> dict:
    info = {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            models = [ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")]
        info["cpu"] = models[0] if models else None
        with open("/proc/meminfo", encoding="utf-8") as fh:
            mem = dict(ln.split(":", 1) for ln in fh if ":" in ln)
        info["mem_total_gb"] = int(mem["MemTotal"].split()[0]) / 1024**2
        info["mem_available_gb_at_start"] = int(mem["MemAvailable"].split()[0]) / 1024**2
    except OSError:
        pass
    for pkg in ("duckdb", "pandas", "numpy", "pyarrow", "streamlit", "playwright"):
        try:
            info[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            info[pkg] = None
    return info


def _num(v: float | None, kind: str) -> str:
    if v is None:
        return "–"
    if kind == "s":
        return f"{v:.3f}" if v < 10 else f"{v:.1f}"
    if kind == "x":
        return f"{v:.2f}" if v < 100 else f"{v:.0f}"
    return f"{v:,.0f}"


def table(doc: dict) -> str:
    lines = ["| step | cold s | warm s | rows | rows/s | peak RSS MiB | ÷ floor | ÷ naive | warm CPU s | load |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in doc["rows"]:
        step = r["step"] if r["ok"] else r["step"] + " **(failed)**"
        lines.append(f"| {step} | {_num(r['cold_s'], 's')} | {_num(r['warm_s'], 's')} | {_num(r['rows'], 'n')} | "
                     f"{_num(r['rows_per_s'], 'n')} | {_num(r['peak_rss_mb'], 'n')} | {_num(r['vs_floor'], 'x')} | "
                     f"{_num(r['vs_naive'], 'x')} | {_num(r.get('warm_cpu_s'), 's')} | {_num(r.get('load'), 'x')} |")
    return "\n".join(lines)


def markdown(doc: dict) -> str:
    m, mach = doc["meta"], doc["meta"]["machine"]
    plan = m["plan"]
    lines = [
        f"# Pantau benchmark: {plan['rows']:,} complaints", "",
        f"Command: `{m['command']}` (total {m['total_s'] / 60:.1f} min). Data: demo regency, seed {plan['seed']}, "
        f"{plan['months']} months to {plan['end']}; as of {plan.get('as_of')}; all history = "
        f"{' to '.join(plan.get('periods', {}).get('all', []))}.", "",
        f"Machine: {mach.get('nproc')} CPUs ({mach.get('cpu')}), {mach.get('mem_total_gb', 0):.1f} GiB RAM; "
        f"Python {mach.get('python')}, DuckDB {mach.get('duckdb')}, pandas {mach.get('pandas')}, "
        f"numpy {mach.get('numpy')}, pyarrow {mach.get('pyarrow')}, Streamlit {mach.get('streamlit')}. "
        f"Load average before/after: {m['loadavg_before'][0]:.1f} / {m['loadavg_after'][0]:.1f} "
        "(the machine may be shared: numbers are noisy).", "",
        table(doc), "",
        f"Cold: open the store and make the first call in a fresh process. Warm: the same call again in "
        f"that process, fastest of {plan['warm_runs']} (naive: {plan['naive_warm_runs']}; browser: median of "
        f"{plan['browser_runs']} loads), no result memoised. ÷ floor / ÷ naive: warm time divided by the "
        "reference's warm time for the same league. Peak RSS: the step's own process (os.wait4), in MiB. "
        "Warm CPU s: the least CPU time among the warm calls, all threads (DuckDB uses both cores). Load: the "
        f"machine's 1-minute load average around the step ({mach.get('nproc')} cores: above that, steps waited "
        "for a core and wall times grew).", "",
        *(_load_note(doc) if any(r["key"] == "load" for r in doc["rows"]) else []),
        "## Targets", "", "| target | result | status |", "|---|---|---|",
        *(f"| {t['target']} | {t['result']} | {t['status']} |" for t in doc["targets"]), "",
        *(_phone_section(doc) if doc.get("phone") else []),
        "## Do the three methods agree?", "",
    ]
    if doc["agreement_ok"]:
        lines.append(f"Yes: per unit, Pantau, the naive baseline and the floor give the same complaints, on-time, "
                     f"late and open-overdue counts (exactly) and median/p90 response days (within "
                     f"{doc['tolerance_days']:g} days), for the OPD and the camat league.")
    else:
        lines += ["**No.**", ""] + [f"- {d}" for ds in doc["agreement"].values() for d in ds]
    return "\n".join(lines) + "\n"


def _phone_section(doc: dict) -> list[str]:
    from benchmarks import phone  # stdlib only; the browser is imported where it is used

    return phone.markdown(doc["phone"])


def _load_note(doc: dict) -> list[str]:
    r = next(r for r in doc["rows"] if r["key"] == "load")
    i = r.get("info") or {}
    if not r["ok"] or not i:
        return []
    kinds = ", ".join(f"{k} {v:g}" for k, v in (i.get("kb_per_load_by_element") or {}).items())
    return [
        f"Load: {i['sessions']} lightweight sessions (Streamlit's protobuf over the websocket, nothing rendered; "
        f"benchmarks/load.py) each opening Ringkasan again as soon as the last load ended, for {i['duration_s']:g} s, "
        f"against a freshly started server. Page time: from the rerun request to the finished run. Cold: the "
        f"median of each session's first load (empty caches; slowest {_num(i.get('first_wave_max_s'), 's')} s); "
        f"warm: the median of all {i['ok']} completed loads (p95 {_num(i.get('p95_s'), 's')} s, "
        f"{i['loads_per_s']:.1f} loads/s, {i['errors']} errors). Sent per load: {i['kb_per_load']:.1f} KiB in "
        f"{i['messages_per_load']:.0f} messages (KiB by element: {kinds}). Every load is in load-pages.json.", "",
    ]
