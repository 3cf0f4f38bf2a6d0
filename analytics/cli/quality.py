"""``quality``: the closure-quality signals ("TL asal hijau") per unit, its on-time rate without
the flagged complaints beside the league's, and the flagged cases to put to the meeting
(metrics.quality.quality_for; definitions in docs/metrics.md, "Closure quality")."""

from __future__ import annotations

import argparse
import dataclasses
import json

import pandas as pd

from analytics import config, store
from analytics.cli.league import _json_value, emit, moment_and_period, readable, unit_code

# The JSON keys of each unit (docs/metrics.md, "Closure quality"); `cases` follows them.
UNIT_KEYS = ("unit", "unit_code", "resolved", "reopened", "bulk_closed", "at_deadline", "ping_pong",
             "low_rating_after_close", "on_time_pct", "on_time_pct_unflagged")
CASES_SHOWN = 50  # the printed table lists this many flagged cases; JSON lists them all
_WORDS = {
    "resolved": ("Selesai dalam periode", "Resolved in the period"),
    "signals": ("Tanda", "Signals"),
    "title": ("Kualitas penutupan", "Closure quality"),
    "cases": ("Aduan bertanda", "Flagged complaints"),
    "none": ("Tidak ada aduan bertanda.", "No flagged complaints."),
    "more": ("... dan {n} lainnya (--format json memuat semuanya)", "... and {n} more (--format json lists them all)"),
    "empty": ("Tidak ada unit dengan aduan selesai atau tahap jatuh tempo pada {p}. Pilih periode lain dengan "
              "--from/--to.", "No unit has complaints resolved or stages due in {p}. Choose another period "
              "with --from/--to."),
}


def add_commands(sub, add_db) -> None:  # noqa: ANN001 - argparse internals
    p = sub.add_parser("quality", help="closure-quality signals per unit (reopened, bulk closures, at the deadline, "
                                       "ping-pong, low ratings) and the flagged complaints")
    p.add_argument("--from", dest="start", help="first local date of the period, YYYY-MM-DD")
    p.add_argument("--to", dest="end", help="last local date (inclusive); default: the data's last day")
    p.add_argument("--as-of", dest="as_of", help="judge at this time (ISO 8601; default: the data moment)")
    p.add_argument("--unit", help="one unit, by code or name (a name is turned into its code)")
    p.add_argument("--policy", help="SLA policy name (data/sla) or TOML file; default sp4n-lapor")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--lang", choices=["id", "en"], default="id", help="language of the printed table")
    add_db(p)


def run(args: argparse.Namespace) -> int:
    from analytics.metrics.quality import quality_for
    from analytics.rules.policy import load_policy

    policy = load_policy(args.policy)
    con = store.connect(config.db_path(args.db), read_only=True)
    try:
        as_of, period = moment_and_period(con, args, policy.timezone)
        quality = quality_for(con, period, as_of, policy, unit=unit_code(con, args.unit))
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps(as_dict(quality), ensure_ascii=False, indent=2))
    else:
        print_table(quality, policy.timezone, args.lang)
    return 0


def as_dict(quality) -> dict[str, object]:  # noqa: ANN001 - metrics.quality.Quality
    """The JSON: what was judged, the thresholds, and per unit UNIT_KEYS with its ``cases``
    (``id``, ``source``, ``signals``)."""
    cases = {unit: group for unit, group in quality.cases.groupby("unit", sort=False)}
    units = []
    for row in quality.units.to_dict(orient="records"):
        mine = cases.get(row["unit"])
        listed = [] if mine is None else [
            {"id": c["id"], "source": c["source"], "signals": list(c["signals"])} for c in mine.to_dict(orient="records")]
        units.append({**{k: _json_value(row[k]) for k in UNIT_KEYS}, "cases": listed})
    return {
        "as_of": quality.as_of.isoformat(), "from": quality.period.start.isoformat(),
        "to": quality.period.end.isoformat(), "policy": quality.policy, "unit": quality.unit,
        "thresholds": dataclasses.asdict(quality.settings),
        "units": units,
    }


def print_table(quality, tz: str, lang: str = "id") -> None:  # noqa: ANN001 - metrics.quality.Quality
    """The units and the first CASES_SHOWN flagged cases as a person reads them: Indonesian
    numbers (league.readable), the registry's labels."""
    from analytics.metrics.registry import METRICS
    from analytics.textfmt import fmt_datetime, fmt_int, fmt_num

    i = 0 if lang == "id" else 1
    s = quality.settings
    period = f"{quality.period.start}..{quality.period.end}"
    header = (f"{_WORDS['title'][i]} | {'periode' if i == 0 else 'period'} {period} | "
              f"{'per' if i == 0 else 'as of'} {fmt_datetime(quality.as_of, tz, lang=lang)} | "
              f"{'kebijakan' if i == 0 else 'policy'} {quality.policy} | "
              f"{METRICS['bulk_closed'].label(lang)}: >= {s.bulk_min_complaints} "
              f"{'aduan dalam' if i == 0 else 'complaints within'} {fmt_num(s.bulk_window_minutes, 0, lang=lang)} "
              f"{'menit' if i == 0 else 'minutes'}")
    units = quality.units
    if units.empty:
        print(header)
        print(_WORDS["empty"][i].format(p=period))
        return
    frame = units[["unit", "unit_code", "resolved", "reopened", "bulk_closed", "at_deadline", "ping_pong",
                   "low_rating_after_close", "on_time_pct"]]
    shown = readable(frame.rename(columns={"resolved": _WORDS["resolved"][i]}), tz, lang)
    shown[METRICS["on_time_pct_unflagged"].label(lang)] = [fmt_num(v, 1, lang=lang) for v in units["on_time_pct_unflagged"]]
    emit(shown, "table", header)
    cases = quality.cases
    print()
    print(f"{_WORDS['cases'][i]}: {fmt_int(len(cases), lang=lang)}")
    if cases.empty:
        print(_WORDS["none"][i])
        return
    listed = pd.DataFrame({
        "id": cases["id"].head(CASES_SHOWN), "unit": cases["unit"].head(CASES_SHOWN),
        _WORDS["signals"][i]: [", ".join(METRICS[x].label(lang) for x in sig) for sig in cases["signals"].head(CASES_SHOWN)],
    })
    emit(readable(listed, tz, lang), "table")
    if len(cases) > CASES_SHOWN:
        print(_WORDS["more"][i].format(n=fmt_int(len(cases) - CASES_SHOWN, lang=lang)))
