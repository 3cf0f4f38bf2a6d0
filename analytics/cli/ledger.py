"""``python -m analytics ledger ...``: the Tukin ledger from the command line (docs/ledger.md).

``--by EMAIL`` is the person acting, looked up in the users file (docs/security.md): a unit
account files appeals on its own cases and sees its own unit; an analis closes, reopens and
decides. Without ``--by`` the command acts as the server's own operator (``cli:<user>``) with the
analis's rights, as every other CLI command does: whoever runs it holds the store file.

Exit status: 0 done, 2 refused (the message names the problem; nothing was changed).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from analytics import config, store

FORMATS = ("table", "json", "csv")
TIME_BASIS_WORDS = ({"reported": "dilaporkan", "estimated": "diperkirakan", "open": "masih terbuka"},
                    {"reported": "reported", "estimated": "estimated", "open": "still open"})


def add_commands(sub, add_db) -> None:  # noqa: ANN001 - argparse internals
    p = sub.add_parser("ledger", help="the Tukin ledger: close a month, show it, appeals, reopen, the BKPSDM report")
    lsub = p.add_subparsers(dest="ledger_command", required=True)

    def common(q: argparse.ArgumentParser, *, by_required: bool = False) -> None:
        add_db(q)
        q.add_argument("--by", required=by_required, help="the e-mail of the person acting (users file)")

    c = lsub.add_parser("close", help="freeze a month: the cases counted against each unit")
    c.add_argument("--month", required=True, help="YYYY-MM")
    c.add_argument("--as-of", dest="as_of", help="the data moment to judge at (default: the latest import's snapshot)")
    c.add_argument("--policy", help="SLA policy name (data/sla) or TOML file; default sp4n-lapor")
    c.add_argument("--appeal-days", type=int, help="working days for appeals after the close (default: 5)")
    c.add_argument("--format", choices=("table", "json"), default="table")
    common(c)

    s = lsub.add_parser("show", help="a closed month: per unit figures and the cases behind them")
    s.add_argument("--month", required=True, help="YYYY-MM")
    s.add_argument("--unit", help="one unit, by its code")
    s.add_argument("--version", type=int, help="an earlier version (default: the newest)")
    s.add_argument("--format", choices=FORMATS, default="table")
    s.add_argument("--lang", choices=("id", "en"), default="id")
    common(s)

    a = lsub.add_parser("appeal", help="appeals (keberatan): add, decide, list")
    asub = a.add_subparsers(dest="appeal_command", required=True)
    add = asub.add_parser("add", help="a unit account appeals one of its counted cases")
    add.add_argument("--month", required=True)
    add.add_argument("--id", dest="case_id", required=True, help="the complaint id (SP4N tracking id)")
    add.add_argument("--stage", required=True, choices=("verifikasi", "tindak_lanjut", "penyelesaian"))
    add.add_argument("--reason", required=True, help="bukan_wewenang | waktu_salah | pelapor_tidak_dapat_dihubungi "
                                                      "| kahar | lainnya")
    add.add_argument("--text", required=True)
    add.add_argument("--source", help="the complaint's source, when the id is in several")
    common(add, by_required=True)
    dec = asub.add_parser("decide", help="an analis accepts or rejects an appeal")
    dec.add_argument("appeal_id", type=int, metavar="APPEAL_ID")
    choice = dec.add_mutually_exclusive_group(required=True)
    choice.add_argument("--accept", action="store_true")
    choice.add_argument("--reject", action="store_true")
    dec.add_argument("--note", required=True)
    common(dec, by_required=True)
    ls = asub.add_parser("list", help="appeals waiting for a decision")
    ls.add_argument("--month")
    ls.add_argument("--format", choices=FORMATS, default="table")
    common(ls)

    r = lsub.add_parser("reopen", help="reopen a closed month (keeps the closed version)")
    r.add_argument("--month", required=True)
    r.add_argument("--reason", required=True)
    common(r)

    rep = lsub.add_parser("report", help="the month's report for BKPSDM: PDF and XLSX")
    rep.add_argument("--month", required=True)
    rep.add_argument("--out", required=True, help="folder to write into")
    rep.add_argument("--version", type=int)
    rep.add_argument("--lang", choices=("id", "en"), default="id")
    common(rep)


def actor_of(by: str | None, acting_as: str | None = None):  # noqa: ANN201
    """The Viewer acting: ``--by`` from the users file, else the CLI operator as analis."""
    from analytics.cli.audit import cli_actor
    from analytics.ledger.model import LedgerError
    from analytics.security.access import Viewer, load_access_config, normal_email, users_file

    if not by:
        return Viewer(role="analis", email=acting_as or cli_actor())
    config_ = load_access_config(users_file())
    user = config_.users.get(normal_email(by))
    if user is None:
        raise LedgerError(f"{by} tidak terdaftar di berkas pengguna / is not in the users file")
    return Viewer(role=user.role, unit=user.unit, email=user.email, name=user.name)


def run(args: argparse.Namespace) -> int:
    from analytics.ledger.model import LedgerError

    try:
        return _run(args)
    except LedgerError as exc:
        print(f"DITOLAK / REFUSED {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    from analytics.rules.policy import load_policy

    now = datetime.now(UTC)
    actor = actor_of(args.by, getattr(args, "acting_as", None))
    cmd = args.ledger_command
    read_only = cmd in ("show", "report") or (cmd == "appeal" and args.appeal_command == "list")
    con = store.connect(config.db_path(args.db), read_only=read_only)
    try:
        if cmd == "close":
            from analytics.cli.league import data_moment
            from analytics.ledger.close import close_month
            from analytics.ledger.model import DEFAULT_APPEAL_WORKING_DAYS

            policy = load_policy(args.policy)
            as_of = data_moment(con, args.as_of, policy.timezone)
            days = DEFAULT_APPEAL_WORKING_DAYS if args.appeal_days is None else args.appeal_days
            version = close_month(con, args.month, as_of=as_of, policy=policy, actor=actor, now=now,
                                  appeal_working_days=days)
            return _print_month(con, args.month, version, args.format, "id", actor, None, policy)
        if cmd == "show":
            return _print_month(con, args.month, args.version, args.format, args.lang, actor, args.unit, None)
        if cmd == "reopen":
            from analytics.ledger.close import reopen_month

            version = reopen_month(con, args.month, reason=args.reason, actor=actor, now=now)
            print(f"bulan {args.month} versi {version} dibuka kembali; tutup lagi untuk versi {version + 1} / "
                  f"month {args.month} version {version} reopened; close it again for version {version + 1}")
            return 0
        if cmd == "report":
            from analytics.ledger.report import write_report

            paths = write_report(con, args.month, Path(args.out), version=args.version, viewer=actor, lang=args.lang)
            for path in paths:
                print(path)
            return 0
        return _appeal(con, args, actor, now)
    finally:
        con.close()


def _appeal(con, args: argparse.Namespace, actor, now: datetime) -> int:  # noqa: ANN001
    from analytics.ledger.appeals import decide_appeal, file_appeal

    if args.appeal_command == "add":
        appeal_id = file_appeal(con, args.month, source_id=args.case_id, stage=args.stage, reason=args.reason,
                                text=args.text, actor=actor, now=now, source=args.source)
        print(appeal_id)
        return 0
    if args.appeal_command == "decide":
        decide_appeal(con, args.appeal_id, accept=bool(args.accept), note=args.note, actor=actor, now=now)
        print(f"keberatan #{args.appeal_id} {'diterima' if args.accept else 'ditolak'} / "
              f"appeal #{args.appeal_id} {'accepted' if args.accept else 'rejected'}")
        return 0
    from analytics.cli.league import emit
    from analytics.ledger.read import pending_appeals

    queue = pending_appeals(con, args.month)
    if actor.role == "unit":
        queue = queue[queue["unit_code"] == actor.unit]
    emit(queue, args.format, f"Keberatan menunggu keputusan: {len(queue)}")
    return 0


def month_doc(con, month: str, version: int | None, actor, unit: str | None, policy=None) -> dict:  # noqa: ANN001
    """The month as the JSON of ``ledger show`` (docs/ledger.md lists the fields)."""
    from analytics.ledger.close import judged_rows
    from analytics.ledger.read import drift, ledger_month
    from analytics.rules.policy import load_policy
    from analytics.store import status

    m = ledger_month(con, month, viewer=actor, version=version, unit=unit)
    v = m.version
    latest = status.freshness(con).latest_snapshot_at
    try:
        now_policy = policy or load_policy(v.policy)
        moved = drift(m, judged_rows(con, month, max(latest, v.as_of), now_policy)) if latest is not None else None
    except ValueError:  # the policy is gone from this installation: say nothing rather than guess
        moved = None

    def iso(ts: object) -> str | None:
        return None if ts is None or pd.isna(ts) else pd.Timestamp(ts).isoformat()

    return {
        "month": v.month, "version": v.version, "closed_at": iso(v.closed_at), "closed_by": v.closed_by,
        "as_of": iso(v.as_of), "policy": v.policy, "policy_sha256": v.policy_sha256,
        "content_sha256": v.content_sha256, "appeal_until": iso(v.appeal_until),
        "reopened": None if v.current else {"at": iso(v.reopened_at), "by": v.reopened_by, "reason": v.reopen_reason},
        "versions": [{"version": x.version, "closed_at": iso(x.closed_at), "reopened_at": iso(x.reopened_at),
                      "content_sha256": x.content_sha256} for x in m.versions],
        "now_reads_differently": moved,
        "units": [{
            "unit": u.unit, "unit_code": u.unit_code, "unit_kind": u.unit_kind, "due": u.due, "on_time": u.on_time,
            "counted": u.counted, "late": u.late, "open_overdue": u.open_overdue, "uncertain": u.uncertain,
            "unknown": u.unknown, "appealed": u.appealed, "accepted": u.accepted, "final_counted": u.final_counted,
            "final_on_time_pct": u.final_on_time_pct, "tier": m.tier(u),
            "cases": [{
                "id": c.id, "source": c.source, "stage": c.stage, "deadline": iso(c.deadline),
                "ended_at": iso(c.ended_at), "state": c.state, "counted": c.counted,
                "working_days_over": c.working_days_over, "time_basis": c.time_basis,
                "ended_after": iso(c.ended_after),
                "appeal": None if c.appeal is None else {
                    "appeal_id": c.appeal.appeal_id, "reason": c.appeal.reason, "text": c.appeal.text,
                    "filed_by": c.appeal.filed_by, "filed_at": iso(c.appeal.filed_at),
                    "decision": c.appeal.decision, "decided_by": c.appeal.decided_by,
                    "decided_at": iso(c.appeal.decided_at), "note": c.appeal.note},
            } for c in u.cases],
        } for u in m.units],
    }


def _print_month(con, month: str, version: int | None, fmt: str, lang: str, actor, unit: str | None,  # noqa: ANN001
                 policy) -> int:  # noqa: ANN001
    from analytics.cli.league import emit
    from analytics.rules.policy import load_policy

    doc = month_doc(con, month, version, actor, unit, policy)
    if fmt == "json":
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    units = pd.DataFrame([{k: u[k] for k in ("unit_code", "unit", "due", "on_time", "counted", "appealed", "accepted",
                                             "final_counted", "final_on_time_pct", "tier")} for u in doc["units"]])
    cases = pd.DataFrame([{"unit_code": u["unit_code"], **{k: c[k] for k in ("id", "stage", "state", "deadline",
                                                                             "ended_at", "working_days_over",
                                                                             "time_basis")},
                           "appeal": "" if c["appeal"] is None else f"#{c['appeal']['appeal_id']} "
                                                                    f"{c['appeal']['decision'] or 'menunggu'}"}
                          for u in doc["units"] for c in u["cases"]])
    if fmt == "csv":
        emit(cases if not cases.empty else units, "csv")
        return 0
    tz = (policy or _policy_or_default(doc["policy"], load_policy)).timezone
    from analytics.textfmt import fmt_datetime

    reopened = " · DIBUKA KEMBALI" if doc["reopened"] else ""
    header = (f"Buku Tukin {doc['month']} versi {doc['version']}{reopened} | ditutup "
              f"{fmt_datetime(doc['closed_at'], tz, lang=lang)} oleh {doc['closed_by']} | data per "
              f"{fmt_datetime(doc['as_of'], tz, lang=lang)} | kebijakan {doc['policy']} "
              f"(sha256 {doc['policy_sha256'][:12]}) | isi sha256 {doc['content_sha256']}")
    units_view = units.rename(columns={"final_on_time_pct": "on_time_pct"})
    for col in ("due", "on_time", "counted", "appealed", "accepted", "final_counted"):
        units_view[col] = units_view[col].astype("int64")
    emit(units_view, "table", header, tz=tz, lang=lang)
    if not cases.empty:
        words = TIME_BASIS_WORDS[0 if lang == "id" else 1]
        cases["time_basis"] = cases["time_basis"].map(lambda b: words.get(b, b))
        for col in ("deadline", "ended_at"):
            cases[col] = pd.to_datetime(cases[col], utc=True)
        print()
        emit(cases, "table", "Kasus yang dihitung atau tidak pasti:", tz=tz, lang=lang)
    if doc["now_reads_differently"]:
        d = doc["now_reads_differently"]
        print(f"\nPada data terbaru: {d['no_longer_counted']} kasus tidak lagi dihitung, {d['newly_counted']} kasus "
              "baru akan dihitung (buku yang ditutup tidak berubah).")
    return 0


def _policy_or_default(name: str, load):  # noqa: ANN001, ANN202
    try:
        return load(name)
    except ValueError:
        return load(None)
