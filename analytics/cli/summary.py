"""``summary``: the one machine-readable headline (screens.headline_numbers) that the pages, the
review pack and the tests share: stages due in the period, stages open now, volume, coverage."""

from __future__ import annotations

import argparse
import json

from analytics import config, store
from analytics.cli.league import STAGE_WORDS


def add_commands(sub, add_db) -> None:  # noqa: ANN001 - argparse internals
    p = sub.add_parser("summary", help="the headline: stages due in the period, open now, coverage")
    p.add_argument("--from", dest="start", help="first local date of the period, YYYY-MM-DD")
    p.add_argument("--to", dest="end", help="last local date (inclusive); default: the data's last day")
    p.add_argument("--as-of", dest="as_of", help="judge at this time (ISO 8601; default: the data moment)")
    p.add_argument("--policy", help="SLA policy name (data/sla) or TOML file; default sp4n-lapor")
    p.add_argument("--unit", help="one unit, by its code (e.g. DINKES)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.add_argument("--lang", choices=["id", "en"], default="id")
    add_db(p)


def run(args: argparse.Namespace) -> int:
    from analytics import screens
    from analytics.cli.league import moment_and_period
    from analytics.rules.policy import load_policy

    policy = load_policy(args.policy)
    con = store.connect(config.db_path(args.db), read_only=True)
    try:
        as_of, period = moment_and_period(con, args, policy.timezone)
        head = screens.headline_numbers(con, period, as_of, policy, unit=args.unit)
    finally:
        con.close()
    if args.format == "json":
        print(json.dumps(head.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(table(head, policy.timezone, args.lang))
    return 0


def table(head, tz: str, lang: str = "id") -> str:  # noqa: ANN001 - screens.Headline
    """The headline as lines a person reads in a terminal: local time, formatted numbers."""
    from analytics.metrics.summary import coverage_note
    from analytics.textfmt import fmt_date, fmt_datetime, fmt_int, fmt_pct

    id_ = lang == "id"
    n = lambda v: fmt_int(v, lang=lang)  # noqa: E731
    pct = lambda v: "–" if v is None else fmt_pct(v / 100, lang=lang)  # noqa: E731
    u = head.units
    lines = [
        ("Ringkasan" if id_ else "Summary") + f" | {fmt_date(head.period.start, lang=lang)} – "
        f"{fmt_date(head.period.end, lang=lang)} | " + ("data per " if id_ else "data as of ")
        + fmt_datetime(head.as_of, tz, lang=lang) + f" | {head.policy}" + (f" | {head.unit}" if head.unit else ""),
        ("Aduan masuk" if id_ else "Complaints received") + f": {n(head.received)}",
        ("Tahap unit jatuh tempo" if id_ else "Unit stages due") + f": {n(u.due)} · "
        + ("tepat waktu" if id_ else "on time") + f" {n(u.due_on_time)} · " + ("terlambat" if id_ else "late")
        + f" {n(u.due_late)} · " + ("belum jatuh tempo" if id_ else "not yet due") + f" {n(u.due_open)} · "
        + (("tidak pasti" if id_ else "uncertain") + f" {n(u.due_uncertain)} · " if u.due_uncertain else "")
        + ("tepat waktu" if id_ else "on time") + f" {pct(u.on_time_pct)}",
        ("Lewat batas sekarang" if id_ else "Overdue now") + f": {n(head.overdue_now)} · "
        + ("hampir jatuh tempo" if id_ else "at risk") + f": {n(head.at_risk_now)}",
    ]
    for stage, s in head.by_stage.items():
        lines.append(f"  {STAGE_WORDS[stage][0 if id_ else 1]}: " + ("jatuh tempo" if id_ else "due")
                     + f" {n(s.due)}, " + ("tepat waktu" if id_ else "on time") + f" {pct(s.on_time_pct)}"
                     # a rate over a few judged stages must say how few
                     + (f" ({'dari' if id_ else 'of'} {n(s.due_on_time + s.due_late)} "
                        + ("terukur" if id_ else "judged") + ")" if s.on_time_pct is not None else "") + ", "
                     + ("lewat batas sekarang" if id_ else "overdue now") + f" {n(s.overdue_now)}")
    note = coverage_note(head.coverage, lang)
    if note:
        lines.append(note)
    return "\n".join(lines)
