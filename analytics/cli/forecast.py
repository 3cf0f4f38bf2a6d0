"""``forecast``: the breach forecast (analytics.metrics.forecast): per unit, the breaches to expect
in the next working days, and its open stages by risk. docs/forecast.md says how far to trust it."""

from __future__ import annotations

import argparse
import json

from analytics import config, store

VERIFIER_CODE = "VERIFIKATOR"  # metrics.forecast.VERIFIER_CODE (not imported here: the CLI loads analytics lazily)


def add_commands(sub, add_db) -> None:  # noqa: ANN001 - argparse internals
    p = sub.add_parser("forecast", help="the breach forecast: per unit, the breaches to expect in the next working days")
    p.add_argument("--as-of", dest="as_of", help="forecast at this time (ISO 8601; default: the data moment)")
    p.add_argument("--days", type=int, default=5, help="the working days ahead (default 5)")
    p.add_argument("--unit", help="one unit, by code or name (VERIFIKATOR: the verifier); lists its stages by risk")
    p.add_argument("--policy", help="SLA policy name (data/sla) or TOML file; default sp4n-lapor")
    p.add_argument("--history-days", dest="history_days", type=int, default=180,
                   help="the calendar days of history the curves are built from (default 180)")
    p.add_argument("--min-events", dest="min_events", type=int, default=20,
                   help="ended stages a unit needs for its own curve; fewer: the regency's (default 20)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--lang", choices=["id", "en"], default="id", help="language of the printed table")
    add_db(p)


def run(args: argparse.Namespace) -> int:
    from analytics.cli.league import data_moment, unit_code
    from analytics.metrics.forecast import forecast
    from analytics.rules.policy import load_policy

    if args.days < 1 or args.days > 60:
        raise ValueError(f"--days {args.days}: harus 1 sampai 60 hari kerja / must be 1 to 60 working days")
    if args.history_days < 1 or args.min_events < 1:
        raise ValueError("--history-days and --min-events must be at least 1")
    policy = load_policy(args.policy)
    con = store.connect(config.db_path(args.db), read_only=True)
    try:
        as_of = data_moment(con, args.as_of, policy.timezone)
        unit = VERIFIER_CODE if (args.unit or "").strip().upper() == VERIFIER_CODE else unit_code(con, args.unit)
        fc = forecast(con, as_of, policy, days=args.days, history_days=args.history_days,
                      min_events=args.min_events, unit=unit)
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps(as_json(fc), ensure_ascii=False, indent=2))
    else:
        from analytics.cli.league import emit

        header, units, total, stages = table(fc, policy.timezone, args.lang, with_stages=unit is not None)
        if units is None:
            print(header)
        else:
            emit(units, "table", header)
        if total:
            print(total)
        if stages is not None:
            emit(stages, "table")
    return 0


def _p(value: float) -> float:
    from analytics.textfmt import round_half_up

    return round_half_up(float(value), 4)


def as_json(fc) -> dict:  # noqa: ANN001 - metrics.forecast.Forecast
    """The forecast as the JSON the command prints: the moment and the window, then ``units``
    (unit, unit_code, open_stages, expected_breaches, ..., and ``stages``: id, stage, deadline,
    p_breach, ..., highest risk first)."""
    from analytics.textfmt import round_half_up

    by_unit = {code: g for code, g in fc.stages.groupby(fc.stages["unit_code"].fillna(""), sort=False)}
    units = []
    for u in fc.units.itertuples(index=False):
        g = by_unit.get(u.unit_code or "")
        stages = [] if g is None else [
            {"id": s.id, "source": s.source, "stage": s.stage, "deadline": s.deadline.isoformat(),
             "p_breach": _p(s.p_breach), "working_days_elapsed": int(s.working_days_elapsed),
             "due_soon": bool(s.due_soon), "curve": s.curve}
            for s in g.itertuples(index=False)
        ]
        units.append({"unit": u.unit, "unit_code": u.unit_code, "owner_kind": u.owner_kind,
                      "open_stages": int(u.open_stages), "due_soon": int(u.due_soon),
                      "expected_breaches": round_half_up(float(u.expected_breaches), 3), "overdue": int(u.overdue),
                      "history_events": int(u.history_events), "fallback": bool(u.fallback), "stages": stages})
    return {
        "as_of": fc.as_of.isoformat(), "days": fc.days, "window_end": fc.window_end.isoformat(),
        "history_start": fc.history_start.isoformat(), "min_events": fc.min_events, "policy": fc.policy,
        "expected_breaches": round_half_up(fc.expected_breaches, 3), "fallback_units": list(fc.fallback_units),
        "units": units,
    }


def table(fc, tz: str, lang: str = "id", with_stages: bool = False):  # noqa: ANN001, ANN201 - Forecast
    """The forecast as a person reads it in a terminal, in four parts: the header line, the units
    most at risk (a frame of formatted text, or None when nothing is open), the total line, and
    with ``with_stages`` (one unit asked for) its open stages by risk (else None)."""
    import pandas as pd

    from analytics.cli.league import readable
    from analytics.textfmt import fmt_date, fmt_datetime, fmt_int, fmt_num, fmt_pct

    id_ = lang == "id"
    since = fmt_date(fc.history_start.tz_convert(tz).date(), lang=lang)
    header = (("Perkiraan lewat batas" if id_ else "Breach forecast") + " | "
              + ("data per " if id_ else "data as of ") + fmt_datetime(fc.as_of, tz, lang=lang) + " | "
              + (f"{fc.days} hari kerja ke depan, s.d. " if id_ else f"next {fc.days} working days, to ")
              + fmt_date(fc.window_end.tz_convert(tz).date(), lang=lang) + f" | {fc.policy} | "
              + (f"riwayat sejak {since}, kurva sendiri bila >= {fc.min_events} tahap selesai" if id_ else
                 f"history since {since}, own curve with >= {fc.min_events} ended stages"))
    u = fc.units
    if u.empty:
        return header, None, ("Tidak ada tahap yang sedang berjalan." if id_ else "No stage is open."), None
    words = (("Unit", "Kode", "Berjalan", "Jatuh tempo", "Perkiraan lewat batas", "Sudah lewat batas",
              "Riwayat (selesai)", "Kurva") if id_ else
             ("Unit", "Code", "Open", "Due", "Expected breaches", "Overdue already", "History (ended)", "Curve"))
    shown = pd.DataFrame({
        words[0]: u["unit"].fillna("–"), words[1]: u["unit_code"].fillna("–"),
        words[2]: [fmt_int(v, lang=lang) for v in u["open_stages"]],
        words[3]: [fmt_int(v, lang=lang) for v in u["due_soon"]],
        words[4]: [fmt_num(v, 1, lang=lang) for v in u["expected_breaches"]],
        words[5]: [fmt_int(v, lang=lang) for v in u["overdue"]],
        words[6]: [fmt_int(v, lang=lang) for v in u["history_events"]],
        words[7]: [("kabupaten" if id_ else "regency") if f else ("sendiri" if id_ else "own") for f in u["fallback"]],
    })
    soon, overdue = int(u["due_soon"].sum()), int(u["overdue"].sum())
    total = (f"Diperkirakan lewat batas dalam {fc.days} hari kerja: {fmt_num(fc.expected_breaches, 1, lang=lang)} "
             f"dari {fmt_int(soon, lang=lang)} tahap yang jatuh tempo; sudah lewat batas sekarang: "
             f"{fmt_int(overdue, lang=lang)} (dihitung terpisah, bukan perkiraan)." if id_ else
             f"Expected to breach in the next {fc.days} working days: {fmt_num(fc.expected_breaches, 1, lang=lang)} "
             f"of {fmt_int(soon, lang=lang)} stages due; already overdue now: {fmt_int(overdue, lang=lang)} "
             f"(counted apart, not forecast).")
    stages = None
    if with_stages and len(fc.stages):
        s = fc.stages.reset_index(drop=True)
        stages = readable(s[["id", "stage", "deadline"]], tz, lang)
        stages["Peluang lewat batas" if id_ else "Chance of breach"] = [fmt_pct(v, lang=lang) for v in s["p_breach"]]
        stages["Hari kerja berjalan" if id_ else "Working days so far"] = [
            fmt_int(v, lang=lang) for v in s["working_days_elapsed"]]
    return header, shown, total, stages
