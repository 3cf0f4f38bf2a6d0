"""The breach forecast's backtest: does "p_breach" mean what it says? (docs/forecast.md)

``python -m benchmarks.forecast --db STORE [--policy P] [--moments N] [--out FILE]``

The store holds the true end times. At each past data moment t (every Monday 12.00 local of the
last ``--moments`` weeks whose forecast window has fully passed by the data's end) the forecast
is computed with only what was known at t (analytics.metrics.forecast: the clock counts an end
after t as not ended yet, and the history window ends at t), and compared with what happened:
a stage forecast at t (open at t, not past its deadline, its deadline within the next ``--days``
working days) **breached** when it had not ended by its deadline (the clock at the data's end
says late or open past the deadline; "uncertain" stages are left out, as everywhere).

Reported: calibration (ten reliability bins of the predicted probability: count, mean predicted,
observed frequency), the Brier score against three baselines (the regency's breach rate per stage
and the unit's own, both as known at t, and the observed rate of the evaluated stages in
hindsight), the AUC, and per unit and moment the expected count (sum of p_breach) against the
actual breaches: MAE and bias. Breaches of stages that started after t inside the window are not
forecast (the forecast covers the stages open at t); their count is reported beside.

``--closure-as-response`` with ``--stages respons`` is for exports that record only receipt and
closure (NYC 311, St. Louis CSB): the closure is read as the first response, and the end-to-end
``respons`` stage is timed. ``--tz`` judges the local dates in the export's own zone (the working
days stay Indonesia's calendar).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

BINS = 10
# The views the forecast and the truth read (fixed SQL, never input); _row is the complaints' rowid.
RELATIONS = {
    "as-stored": "(SELECT rowid AS _row, * FROM complaints)",
    "closure-as-response": ("(SELECT rowid AS _row, * REPLACE (coalesce(first_response_at, resolved_at) "
                            "AS first_response_at) FROM complaints)"),
}


def data_end(con) -> tuple[pd.Timestamp, pd.Timestamp]:  # noqa: ANN001
    """(the last moment the store knows about, the last receipt): the first is the latest
    snapshot, or the latest time recorded when that is earlier (an export imported years after it
    was taken); outcomes are judged there. Moments are chosen up to the second, while complaints
    still arrive (St. Louis' files end with 2012, its closures run into 2022)."""
    from analytics.store import status

    snap = status.freshness(con).latest_snapshot_at
    cols = ("received_at", "verified_at", "dispatched_at", "first_response_at", "resolved_at")
    latest = con.execute("SELECT " + ", ".join(f"max({c})" for c in cols) + " FROM complaints").fetchone()
    utc = [pd.Timestamp(v) for v in latest]
    utc = [None if v is pd.NaT or v is None else (v.tz_convert("UTC") if v.tzinfo else v.tz_localize("UTC"))
           for v in utc]
    recorded = max((v for v in utc if v is not None), default=None)
    if snap is None or recorded is None:
        raise ValueError("the store has no complaints")
    end = min(pd.Timestamp(snap).tz_convert("UTC"), recorded)
    return end, min(end, utc[0])


def moments(end: pd.Timestamp, n: int, days: int, policy) -> list[pd.Timestamp]:  # noqa: ANN001
    """The last ``n`` Mondays 12.00 local whose window (``days`` working days) ends by ``end``."""
    from analytics.metrics.clock import policy_calendar
    from analytics.rules.workcal import add_working_days

    cal, tz = policy_calendar(policy), policy.timezone
    local = end.tz_convert(tz)
    monday = (local.normalize() - pd.Timedelta(days=local.weekday())).tz_localize(None) + pd.Timedelta(hours=12)
    out: list[pd.Timestamp] = []
    while len(out) < n:
        t = monday.tz_localize(tz)
        last_day = pd.Timestamp(add_working_days(cal, np.array([np.datetime64(monday.date(), "D")]), days)[0])
        window_end = (last_day + pd.Timedelta(days=1)).tz_localize(tz, nonexistent="shift_forward")
        if window_end <= end.tz_convert(tz):
            out.append(t.tz_convert("UTC"))
        monday -= pd.Timedelta(days=7)
    return sorted(out)


def truth(con, relation: str, policy, stages: tuple[int, ...], lo: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:  # noqa: ANN001
    """Every stage whose deadline falls in [lo, end], judged at ``end``: source, id, stage,
    started_at, deadline, breached (1 late or open past it, 0 on time, NaN uncertain)."""
    from analytics.metrics.clock import policy_calendar, reach_days, store_stage_clock

    reach = lo - pd.Timedelta(days=reach_days(policy))
    src = (f"(SELECT * FROM {relation} WHERE received_at <= $end AND (received_at >= $reach OR "
           f"dispatched_at >= $reach))")
    params = {"end": end.to_pydatetime(), "reach": reach.to_pydatetime()}
    clock = store_stage_clock(con, src, params, policy, policy_calendar(policy), end, stages=stages)
    clock = clock[(clock["deadline"] >= lo) & (clock["deadline"] <= end)]
    state = clock["state"].astype(str)
    breached = np.where(state.isin(["late", "open_overdue"]), 1.0, np.where(state == "on_time", 0.0, np.nan))
    return pd.DataFrame({
        "source": clock["source"].astype(object).to_numpy(), "id": clock["source_id"].astype(object).to_numpy(),
        "stage": clock["stage"].astype(str).to_numpy(),
        "started_at": clock["started_at"].to_numpy(), "deadline": clock["deadline"].to_numpy(), "breached": breached,
    })


def naive_rates(history: pd.DataFrame, min_events: int) -> tuple[dict, dict]:
    """(per stage the regency's breach rate, per (unit_code, stage) the unit's own where it has
    at least ``min_events`` decided stages) among the stages decided in the history window."""
    by_stage = history.groupby("stage")[["breached", "decided"]].sum()
    regency = {s: (r.breached / r.decided if r.decided else np.nan) for s, r in by_stage.iterrows()}
    unit = {(r.unit_code, r.stage): r.breached / r.decided for r in history.itertuples(index=False)
            if r.decided >= min_events}
    return regency, unit


def auc(p: np.ndarray, y: np.ndarray) -> float:
    """The area under the ROC curve (Mann–Whitney, ties counted half); NaN with one class."""
    pos, neg = int(y.sum()), int(len(y) - y.sum())
    if not pos or not neg:
        return float("nan")
    ranks = pd.Series(p).rank(method="average").to_numpy()
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def reliability(p: np.ndarray, y: np.ndarray, bins: int = BINS) -> list[dict]:
    """Ten equal-width bins of p ([0, 0,1), ..., [0,9, 1]): count, mean predicted, observed."""
    idx = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        m = idx == b
        out.append({"bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}", "count": int(m.sum()),
                    "mean_predicted": float(p[m].mean()) if m.any() else None,
                    "observed": float(y[m].mean()) if m.any() else None})
    return out


def backtest(con, policy, *, n_moments: int = 26, days: int = 5, history_days: int = 180,  # noqa: ANN001
             min_events: int = 20, stages: tuple[int, ...] | None = None, relation: str = RELATIONS["as-stored"],
             end: pd.Timestamp | None = None) -> dict:
    """Replay the forecast at past moments and score it (module docstring)."""
    from analytics.metrics import clock_sql
    from analytics.metrics.forecast import forecast

    stages = clock_sql.CHAIN if stages is None else stages
    known_end, last_receipt = data_end(con)
    end = known_end if end is None else end
    ts = moments(min(end, last_receipt), n_moments, days, policy)
    if not ts:
        raise ValueError("no moment has a whole forecast window before the data's end")
    known = truth(con, relation, policy, stages, ts[0], end)
    key = ["source", "id", "stage"]
    rows, per_moment, seconds = [], [], []
    for t in ts:
        t0 = time.perf_counter()
        fc = forecast(con, t, policy, days=days, history_days=history_days, min_events=min_events, stages=stages,
                      relation=relation)
        seconds.append(time.perf_counter() - t0)
        s = fc.stages[fc.stages["due_soon"].astype(bool)]
        regency, unit = naive_rates(fc.history, min_events)
        s = s.assign(
            moment=t, p_regency=[regency.get(st, np.nan) for st in s["stage"]],
            p_unit=[unit.get((c, st), regency.get(st, np.nan)) for c, st in zip(s["unit_code"], s["stage"])],
        ).merge(known[[*key, "breached"]], on=key, how="left", validate="one_to_one")
        rows.append(s)
        later = known[(known["started_at"] > t) & (known["deadline"] > t) & (known["deadline"] <= fc.window_end)]
        per_moment.append({
            "moment": t.isoformat(), "forecast_stages": int(len(s)), "expected": float(s["p_breach"].sum()),
            "actual": float(s["breached"].sum()), "overdue_at_moment": int(fc.units["overdue"].sum()),
            "breaches_not_forecast": int((later["breached"] == 1).sum()), "seconds": seconds[-1],
            "fallback_units": len(fc.fallback_units),
        })
    return score(pd.concat(rows, ignore_index=True), per_moment, {
        "policy": policy.name, "timezone": policy.timezone, "days": days, "history_days": history_days,
        "min_events": min_events, "data_end": end.isoformat(), "last_receipt": last_receipt.isoformat(),
        "stages": [clock_sql.STAGES[i] for i in stages if policy.stage(clock_sql.STAGES[i]) is not None],
        "moments": [t.isoformat() for t in ts],
    })


def score(rows: pd.DataFrame, per_moment: list[dict], setting: dict) -> dict:
    """Calibration, Brier scores, AUC and the per-unit count errors of the evaluated stages."""
    judged = rows[rows["breached"].notna() & rows["p_breach"].notna()]  # no curve: no number to judge
    p, y = judged["p_breach"].to_numpy(dtype=float), judged["breached"].to_numpy(dtype=float)
    base = float(y.mean()) if len(y) else float("nan")

    def brier(q: np.ndarray) -> float:
        return float(np.mean((q - y) ** 2)) if len(y) else float("nan")

    units = (judged.groupby(["moment", "unit_code"], dropna=False)
             .agg(expected=("p_breach", "sum"), naive=("p_regency", "sum"), actual=("breached", "sum"),
                  stages=("id", "size"))
             .reset_index())
    err, naive_err = units["expected"] - units["actual"], units["naive"] - units["actual"]
    weekly = pd.DataFrame(per_moment)
    by_stage = {st: {"stages": int(len(g)), "breached": int(g["breached"].sum()),
                     "mean_predicted": float(g["p_breach"].mean()), "brier": float(np.mean((g["p_breach"] - g["breached"]) ** 2)),
                     "brier_regency_rate": float(np.mean((g["p_regency"] - g["breached"]) ** 2))}
                for st, g in judged.groupby("stage")}
    return {
        "setting": setting,
        "stages_forecast": int(len(rows)), "stages_judged": int(len(judged)),
        "left_out_uncertain_or_unknown": int(rows["breached"].isna().sum()),
        "left_out_without_a_curve": int((rows["breached"].notna() & rows["p_breach"].isna()).sum()),
        "breached": int(y.sum()), "observed_rate": base, "mean_predicted": float(p.mean()) if len(p) else None,
        "brier": brier(p), "brier_regency_rate": brier(judged["p_regency"].to_numpy(dtype=float)),
        "brier_unit_rate": brier(judged["p_unit"].to_numpy(dtype=float)),
        "brier_hindsight_constant": brier(np.full(len(y), base)),
        "auc": auc(p, y), "by_stage": by_stage,
        "reliability": reliability(p, y),
        "unit_moments": int(len(units)),
        "unit_mean_actual": float(units["actual"].mean()) if len(units) else None,
        "weekly_mean_actual": float(weekly["actual"].mean()) if len(weekly) else None,
        "unit_mae": float(err.abs().mean()) if len(units) else None,
        "unit_bias": float(err.mean()) if len(units) else None,
        "unit_mae_regency_rate": float(naive_err.abs().mean()) if len(units) else None,
        "unit_bias_regency_rate": float(naive_err.mean()) if len(units) else None,
        "weekly_total_mae": float((weekly["expected"] - weekly["actual"]).abs().mean()) if len(weekly) else None,
        "weekly_total_bias": float((weekly["expected"] - weekly["actual"]).mean()) if len(weekly) else None,
        "per_moment": per_moment,
        "seconds_median": float(np.median([m["seconds"] for m in per_moment])) if per_moment else None,
    }


def report(result: dict, title: str = "") -> str:
    """The result as Markdown (the tables docs/forecast.md shows)."""
    f = lambda v, d=3: "–" if v is None or (isinstance(v, float) and not np.isfinite(v)) else f"{v:.{d}f}"  # noqa: E731
    s = result["setting"]
    lines = [f"### {title or 'Backtest'}", "",
             f"policy `{s['policy']}` ({s['timezone']}), stages {', '.join(s['stages'])}, {len(s['moments'])} moments "
             f"{s['moments'][0][:10]} .. {s['moments'][-1][:10]} (Mondays 12.00 local), window {s['days']} working days, "
             f"history {s['history_days']} days, own curve from {s['min_events']} ended stages; outcomes known to "
             f"{s['data_end'][:16]} UTC, last receipt {s['last_receipt'][:16]} UTC.",
             "",
             f"- stages forecast: {result['stages_forecast']} (judged {result['stages_judged']}, "
             f"left out: uncertain {result['left_out_uncertain_or_unknown']}, without a curve "
             f"{result['left_out_without_a_curve']}); breached {result['breached']} "
             f"(observed rate {f(result['observed_rate'])}, mean predicted {f(result['mean_predicted'])})",
             f"- Brier: forecast **{f(result['brier'])}**; regency's breach rate {f(result['brier_regency_rate'])}; "
             f"unit's own breach rate {f(result['brier_unit_rate'])}; the observed rate in hindsight "
             f"{f(result['brier_hindsight_constant'])}. AUC {f(result['auc'])}",
             f"- per unit and moment ({result['unit_moments']} pairs with a stage due, {f(result['unit_mean_actual'], 2)} "
             f"actual breaches each on average): expected - actual MAE **{f(result['unit_mae'], 2)}**, bias "
             f"{f(result['unit_bias'], 2)} (regency's rate × stages due: MAE {f(result['unit_mae_regency_rate'], 2)}, bias "
             f"{f(result['unit_bias_regency_rate'], 2)}); whole regency per moment ({f(result['weekly_mean_actual'], 1)} "
             f"actual on average): MAE {f(result['weekly_total_mae'], 1)}, bias {f(result['weekly_total_bias'], 1)}",
             f"- breaches not forecast (stages started after the moment, due and late inside the window): "
             f"{sum(m['breaches_not_forecast'] for m in result['per_moment'])}; forecast time per moment (median) "
             f"{f(result['seconds_median'], 3)} s", "",
             "| predicted | stages | mean predicted | observed |", "|---|--:|--:|--:|"]
    for b in result["reliability"]:
        lines.append(f"| {b['bin']} | {b['count']} | {f(b['mean_predicted'])} | {f(b['observed'])} |")
    if result["by_stage"]:
        lines += ["", "| stage | stages | breached | mean predicted | Brier | Brier (regency rate) |",
                  "|---|--:|--:|--:|--:|--:|"]
        for st, b in result["by_stage"].items():
            lines.append(f"| {st} | {b['stages']} | {b['breached']} | {f(b['mean_predicted'])} | {f(b['brier'])} | "
                         f"{f(b['brier_regency_rate'])} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from analytics import store
    from analytics.metrics import clock_sql
    from analytics.rules.policy import load_policy

    ap = argparse.ArgumentParser(prog="python -m benchmarks.forecast", description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", required=True, help="the store (opened read-only)")
    ap.add_argument("--policy", help="SLA policy name or TOML file (default sp4n-lapor)")
    ap.add_argument("--moments", type=int, default=26, help="how many weekly moments (default 26)")
    ap.add_argument("--days", type=int, default=5, help="the forecast window in working days (default 5)")
    ap.add_argument("--history-days", type=int, default=180)
    ap.add_argument("--min-events", type=int, default=20)
    ap.add_argument("--stages", choices=["chain", "respons"], default="chain",
                    help="chain: the policy's verifikasi/tindak_lanjut/penyelesaian; respons: end to end")
    ap.add_argument("--closure-as-response", action="store_true",
                    help="read the closure as the first response where none is recorded (exports with only "
                         "receipt and closure times)")
    ap.add_argument("--tz", help="the zone local dates are taken in (default: the policy's)")
    ap.add_argument("--end", help="the data's end (ISO 8601; default: the latest snapshot or recorded time)")
    ap.add_argument("--title", default="", help="a title for the printed report")
    ap.add_argument("--out", help="write every number as JSON here")
    args = ap.parse_args(argv)
    policy = load_policy(args.policy)
    if args.tz:
        policy = dataclasses.replace(policy, timezone=args.tz)
    stages = clock_sql.CHAIN if args.stages == "chain" else (clock_sql.RESPONS,)
    relation = RELATIONS["closure-as-response" if args.closure_as_response else "as-stored"]
    end = pd.Timestamp(args.end) if args.end else None
    if end is not None and end.tzinfo is None:
        end = end.tz_localize(policy.timezone)
    con = store.connect(args.db, read_only=True)
    try:
        result = backtest(con, policy, n_moments=args.moments, days=args.days, history_days=args.history_days,
                          min_events=args.min_events, stages=stages, relation=relation,
                          end=None if end is None else end.tz_convert("UTC"))
    finally:
        con.close()
    result["setting"] |= {"db": str(args.db), "closure_as_response": args.closure_as_response}
    print(report(result, args.title))
    if args.out:
        Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
