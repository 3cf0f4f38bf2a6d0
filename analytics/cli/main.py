"""Command line: import exports, build the demo regency (league and breaches live in league.py).

Exit status: 0 on success (also when rows were quarantined), 2 when a file was refused or the
arguments are wrong, 3 when the database stayed locked by another process for ``--wait`` seconds.

A store held by a serving dashboard is not "locked" for these commands: they are handed to the
server, which runs them on its own connection (analytics/live/owner.py) and sends back the output.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from analytics import config, store

EXIT_OK, EXIT_REFUSED, EXIT_LOCKED = 0, 2, 3
DEFAULT_WAIT_S = 120.0  # another command's import is minutes at most; cron should not give up sooner
COMMANDS = frozenset({"import", "demo", "regions", "league", "breaches", "summary", "review", "commit", "audit",
                      "backup", "restore", "watch", "ledger", "forecast", "quality"})


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument("--db", help=f"database file (default: ${config.DB_ENV_VAR} or data/pantau.duckdb)")
    p.add_argument("--wait", type=float, default=DEFAULT_WAIT_S, metavar="SECONDS",
                   help="how long to wait while another command holds the store (default 120; a serving "
                        "dashboard does not make it wait: the command runs through the server)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analytics", description="Pantau: complaint analytics")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("import", help="import export files (SP4N-LAPOR!, Pantau template, or via a mapping)")
    p.add_argument("files", nargs="+", metavar="FILE")
    _add_db(p)
    p.add_argument("--format", choices=["sp4n-ringkas", "pantau", "mapping"], help="skip auto-detection")
    p.add_argument("--mapping", help="mapping file (TOML) for other layouts; see docs/mapping-files.md")
    p.add_argument("--tz", help="zone of times without an offset (default Asia/Jakarta)")
    p.add_argument("--region", help="the kab/kota: slug (kota-bekasi), Kemendagri code (32.75) or name "
                                    "(\"Kota Bekasi\"); `regions` lists them (default: detected from the file)")
    p.add_argument("--source", help="source name for Pantau-template files (default: pantau)")
    p.add_argument("--snapshot", help="when the export was taken (ISO 8601); default: from the file, else now")
    p.add_argument("--lang", choices=["id", "en"], default="id", help="report language")
    p.add_argument("--json", action="store_true", help="print the reports as JSON")
    p.add_argument("--via", default="cli", choices=["cli", "inbox"], help=argparse.SUPPRESS)  # the watcher's

    d = sub.add_parser("demo", help="generate the synthetic Kab. Bekasi regency and import it")
    _add_db(d)
    d.add_argument("--seed", type=int, default=7)
    d.add_argument("--months", type=int, default=18)
    d.add_argument("--rows", type=int, default=30_000)
    d.add_argument("--end", help="generation date/time (ISO 8601, default now)")
    d.add_argument("--if-empty", action="store_true", help="only when the store has no complaints")
    d.add_argument("--clear", action="store_true", help="remove the demo data from the store")
    d.add_argument("--region", help="the kab/kota to build it for (slug, code or name; default kab-bekasi)")

    from analytics.cli import audit, backup, forecast, league, ledger, quality, regions, review, summary, watch

    regions.add_commands(sub, _add_db)
    league.add_commands(sub, _add_db)
    summary.add_commands(sub, _add_db)
    review.add_commands(sub, _add_db)
    audit.add_commands(sub, _add_db)
    watch.add_commands(sub, _add_db)
    backup.add_commands(sub, _add_db)
    ledger.add_commands(sub, _add_db)
    forecast.add_commands(sub, _add_db)
    quality.add_commands(sub, _add_db)
    return parser


def _coverage_note(con, lang: str) -> str:  # noqa: ANN001
    """What the store's stage times allow (metrics.coverage), with the fix, after an import: a
    "Laporan Ringkas" export alone cannot judge any follow-up, and the analyst should know now."""
    from analytics.metrics.coverage import stage_coverage
    from analytics.metrics.summary import coverage_note
    from analytics.rules.periods import Period
    from analytics.rules.policy import load_policy
    from analytics.store import status
    from analytics.store.reads import received_span

    first, last = received_span(con)
    if first is None:
        return ""
    policy = load_policy(None)
    period = Period(first.tz_convert(policy.timezone).date(), last.tz_convert(policy.timezone).date())
    return coverage_note(stage_coverage(con, period, status.freshness(con).latest_snapshot_at, policy), lang)


def cmd_import(args: argparse.Namespace) -> int:
    import pandas as pd

    from analytics.cli.audit import cli_actor
    from analytics.cli.report import format_report
    from analytics.importers.errors import RefusedFile
    from analytics.importers.ingest import Actor, import_file
    from analytics.security import audit

    snapshot = pd.Timestamp(args.snapshot) if args.snapshot else None
    if snapshot is not None and snapshot.tzinfo is None:
        snapshot = snapshot.tz_localize(args.tz or config.DEFAULT_TZ)
    con = store.connect(config.db_path(args.db))
    status = EXIT_OK
    reports = []
    # Run by a serving dashboard for another process: that process's user, not the server's.
    actor = Actor(who=getattr(args, "acting_as", None) or cli_actor(args.via), role=args.via)
    try:
        for f in args.files:
            try:
                # The import writes its audit row in its own transaction (a kill cannot split them).
                r = import_file(
                    con, f, fmt=args.format, mapping=args.mapping, tz=args.tz, region=args.region,
                    source=args.source, snapshot_at=snapshot, actor=actor,
                )
            except RefusedFile as exc:
                print(f"DITOLAK / REFUSED {exc}", file=sys.stderr)
                audit.record(con, who=actor.who, role=actor.role, action="import",
                             detail={"file": Path(f).name, "refused": exc.problem})
                status = EXIT_REFUSED
                continue
            reports.append(r)
            if not args.json:
                print(format_report(r, args.lang))
        if reports and not args.json:
            note = _coverage_note(con, args.lang)
            if note:
                print(note)
    finally:
        con.close()
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=2, default=str))
    return status


def cmd_demo(args: argparse.Namespace) -> int:
    import pandas as pd

    from analytics.demo.load import clear_demo, load_demo

    con = store.connect(config.db_path(args.db))
    try:
        if args.clear:
            n = clear_demo(con)
            print(f"data demo dihapus: {n} aduan / demo removed: {n} complaints")
            return EXIT_OK
        if args.if_empty and store.complaint_count(con) > 0:
            print("store sudah berisi data; demo dilewati / store has data; demo skipped")
            return EXIT_OK
        end = pd.Timestamp(args.end) if args.end else pd.Timestamp.now(tz=config.DEFAULT_TZ).floor("s")
        if end.tzinfo is None:
            end = end.tz_localize(config.DEFAULT_TZ)
        report = load_demo(con, seed=args.seed, months=args.months, rows=args.rows, end=end, region=args.region)
    finally:
        con.close()
    from analytics.cli.report import format_report

    print(format_report(report))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run(args)


def run(args: argparse.Namespace) -> int:
    """Run a parsed command here, or through the dashboard that holds its store, or after waiting
    up to ``--wait`` seconds for another command to let the store go."""
    from analytics.cli.audit import cli_actor
    from analytics.live import handoff

    deadline = time.monotonic() + max(0.0, getattr(args, "wait", 0.0) or 0.0)
    said_waiting = False
    while True:
        try:
            return dispatch(args)
        except store.StoreLocked as exc:
            locked = exc
        if handoff.can_hand_over(args):
            address = handoff.find_owner(config.db_path(args.db))
            if address is not None:
                try:
                    reply = handoff.hand_over(address, handoff.absolute_args(args),
                                              who=cli_actor(getattr(args, "via", "cli")))
                except handoff.OwnerGone:
                    pass  # it stopped meanwhile: the store is free or about to be
                else:
                    sys.stdout.write(reply.stdout)
                    sys.stderr.write(reply.stderr)
                    return reply.exit
        if time.monotonic() >= deadline:
            print(str(locked), file=sys.stderr)
            return EXIT_LOCKED
        if not said_waiting:
            print("store sedang dipakai perintah lain; menunggu... / the store is busy with another command; "
                  "waiting...", file=sys.stderr)
            said_waiting = True
        time.sleep(1.0)


def dispatch(args: argparse.Namespace) -> int:
    """The command itself, on whatever store ``store.connect`` gives it (the file, or the serving
    process's connection when it runs there). Raises ``store.StoreLocked``."""
    try:
        if args.command == "import":
            return cmd_import(args)
        if args.command == "demo":
            return cmd_demo(args)
        if args.command in ("review", "commit"):
            from analytics.cli import review

            return review.run(args)
        if args.command == "summary":
            from analytics.cli import summary

            return summary.run(args)
        if args.command == "audit":
            from analytics.cli import audit

            return audit.run(args)
        if args.command == "regions":
            from analytics.cli import regions

            return regions.run(args)
        if args.command == "quality":
            from analytics.cli import quality

            return quality.run(args)
        if args.command == "forecast":
            from analytics.cli import forecast

            return forecast.run(args)
        if args.command == "ledger":
            from analytics.cli import ledger

            return ledger.run(args)
        if args.command in ("backup", "restore"):
            from analytics.cli import backup

            return backup.run(args)
        if args.command == "watch":
            from analytics.cli import watch

            return watch.run(args)
        from analytics.cli import league

        return league.run(args)
    except ValueError as exc:
        # Bad option values (an unknown policy, a malformed date): say which, exit 2.
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
