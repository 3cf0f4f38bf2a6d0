"""``review`` and ``commit`` commands: the weekly review pack and the commitments tracker.

Bad input (a malformed or future week, a week without complaints, an unknown unit, a bad date)
raises ValueError before anything is written; cli.main prints it and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

import pandas as pd

from analytics import config, store
from analytics.cli.league import data_moment


def add_commands(sub, add_db) -> None:  # noqa: ANN001 - argparse internals
    r = sub.add_parser("review", help="weekly review pack: PDF, XLSX, WhatsApp digests (docs/review-pack.md)")
    r.add_argument("--week", required=True, help="ISO week, e.g. 2025-W24")
    r.add_argument("--policy", help="SLA policy name (data/sla) or TOML file; default sp4n-lapor")
    r.add_argument("--as-of", dest="as_of", help="the data's moment (ISO 8601); default: the latest import")
    r.add_argument("--unit", help="write only this unit's digest (code or name); default: every unit")
    r.add_argument("--out", required=True, help="folder to write the pack into")
    add_db(r)
    c = sub.add_parser("commit", help="commitments made in the weekly review: add, list, done")
    csub = c.add_subparsers(dest="commit_command", required=True)
    a = csub.add_parser("add", help="record a commitment")
    a.add_argument("--unit", required=True, help="unit code or name")
    a.add_argument("--text", required=True, help="what was promised")
    a.add_argument("--due", required=True, help="due date, YYYY-MM-DD")
    a.add_argument("--week", required=True, help="the ISO week whose review it was made in, e.g. 2025-W24")
    add_db(a)
    ls = csub.add_parser("list", help="list commitments (all, or as one week's pack sees them)")
    ls.add_argument("--week", help="ISO week: overdue, due before the next review, done in the week")
    ls.add_argument("--format", choices=["table", "json"], default="table")
    add_db(ls)
    d = csub.add_parser("done", help="mark a commitment done")
    d.add_argument("id", type=int)
    d.add_argument("--on", dest="done_on", help="date it was done, YYYY-MM-DD (default: today in the regency)")
    d.add_argument("--note", default="")
    add_db(d)


def parse_date(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a date (expected YYYY-MM-DD)") from None


def _data_age(con, policy):  # noqa: ANN001, ANN202
    """How old the store's data is now: the same verdict every dashboard page shows."""
    import pandas as pd

    from analytics.live import freshness
    from analytics.metrics.clock import policy_calendar

    return freshness.data_age(freshness.snapshots(con), pd.Timestamp.now(tz="UTC"), policy.freshness,
                              policy_calendar(policy), policy.timezone)


def cmd_review(args: argparse.Namespace) -> int:
    from analytics.review import commitments as cm
    from analytics.review.files import pack_files, write_files
    from analytics.review.pack import assemble
    from analytics.rules.policy import load_policy

    policy = load_policy(args.policy)
    con = store.connect(config.db_path(args.db), read_only=True)
    try:
        as_of = data_moment(con, args.as_of, policy.timezone)
        unit = cm.resolve_unit(cm.known_units(con), args.unit)[0] if args.unit else None
        pack = assemble(con, args.week, as_of, policy, age=_data_age(con, policy))
    finally:
        con.close()
    files = pack_files(pack, unit=unit)  # rendered in memory first: an error leaves nothing behind
    written = write_files(files, Path(args.out))
    units = [p for p in written if p.suffix == ".txt" and p.parent != Path(args.out)]
    for path in written:
        if path not in units:
            print(path)
    if units:
        print(f"{units[0].parent}/ ({len(units)} ringkasan unit / unit digests)")
    return 0


def _print(frame: pd.DataFrame, fmt: str) -> None:
    from analytics.cli.league import emit

    shown = frame.drop(columns=["created_at"], errors="ignore")
    for col in ("due_on", "done_on"):
        shown[col] = pd.to_datetime(shown[col]).dt.strftime("%Y-%m-%d")
    emit(shown, fmt)


def cmd_commit(args: argparse.Namespace) -> int:
    from analytics.review import commitments as cm

    if args.commit_command == "list":
        con = store.connect(config.db_path(args.db), read_only=True)
        try:
            rows = cm.list_all(con)
        finally:
            con.close()
        if args.week:
            from analytics.rules.periods import iso_week

            split = cm.for_review(rows, iso_week(args.week))
            rows = pd.concat([split.overdue.assign(state="overdue"), split.due.assign(state="due"),
                              split.done.assign(state="done")], ignore_index=True)
        _print(rows, args.format)
        return 0
    con = store.connect(config.db_path(args.db))
    try:
        if args.commit_command == "add":
            due = parse_date(args.due, "due date")
            new_id = cm.add(con, unit=args.unit, text=args.text, due_on=due, made_week=args.week,
                            created_at=pd.Timestamp.now(tz="UTC"))
            print(json.dumps({"id": new_id}))
        else:
            from analytics.rules.policy import load_policy

            done_on = (parse_date(args.done_on, "done date") if args.done_on
                       else pd.Timestamp.now(tz=load_policy(None).timezone).date())
            cm.mark_done(con, args.id, done_on=done_on, note=args.note)
            print(json.dumps({"id": args.id, "done_on": done_on.isoformat()}))
    finally:
        con.close()
    return 0


def run(args: argparse.Namespace) -> int:
    try:
        return cmd_review(args) if args.command == "review" else cmd_commit(args)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
