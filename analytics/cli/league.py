"""``league`` and ``breaches`` commands: the same functions the dashboard calls."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

import numpy as np
import pandas as pd

from analytics import config, store
from analytics.security.cells import safe_frame

GROUPS = ("opd", "camat", "kecamatan", "verifikator")
LENSES = ("due", "received")  # metrics.groups.LENSES (not imported here: the CLI loads analytics lazily)


def _common(p: argparse.ArgumentParser, add_db) -> None:  # noqa: ANN001
    p.add_argument("--from", dest="start", help="first local date of the period, YYYY-MM-DD")
    p.add_argument("--to", dest="end", help="last local date of the period (inclusive); default: as-of date")
    p.add_argument("--as-of", dest="as_of",
                   help="judge deadlines at this time (ISO 8601; default: the data moment, the latest import's snapshot)")
    p.add_argument("--lens", choices=LENSES, default="due",
                   help="due: stages whose deadline falls in the period (default); received: complaints received in it")
    p.add_argument("--policy", help="SLA policy name (data/sla) or TOML file; default sp4n-lapor")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--lang", choices=["id", "en"], default="id", help="language of the printed table")
    add_db(p)


def add_commands(sub, add_db) -> None:  # noqa: ANN001 - argparse internals
    p = sub.add_parser("league", help="league table of OPDs, camat offices, kecamatan or the verifier")
    p.add_argument("--by", choices=GROUPS, default="opd")
    _common(p, add_db)
    b = sub.add_parser("breaches", help="late, open-overdue and at-risk complaint stages")
    b.add_argument("--stage", choices=["verifikasi", "tindak_lanjut", "penyelesaian"])
    b.add_argument("--by", choices=["opd", "camat", "verifikator"])
    b.add_argument("--unit", help="one unit, by code or name (a name is turned into its code)")
    _common(b, add_db)


def calendar_span() -> tuple[date, date]:
    """The dates the CLI accepts: the years the working-day calendar covers
    (analytics.rules.workcal.DEFAULT_YEARS) but the first and the last, because the clock counts
    working days only inside the calendar, and a period reaches outside its own days: back to
    the day before it (the comparison period) and forward to the deadlines of its stages."""
    from analytics.rules.workcal import DEFAULT_YEARS

    return date(DEFAULT_YEARS.start + 1, 1, 1), date(DEFAULT_YEARS.stop - 2, 12, 31)


def cli_time(flag: str, value: str, tz: str) -> pd.Timestamp:
    """A --from/--to/--as-of value as an instant (a date or time without an offset is local to
    ``tz``), inside calendar_span; anything else raises ValueError naming the flag and the range
    (``0001-01-01`` used to end in "year 0 is out of range" or a traceback)."""
    first, last = calendar_span()
    try:
        ts = pd.Timestamp(value)
        ts = (ts.tz_localize(tz) if ts.tzinfo is None else ts).tz_convert("UTC")
        inside = first <= ts.tz_convert(tz).date() <= last
    except (ValueError, TypeError, OverflowError, NotImplementedError):  # incl. OutOfBoundsDatetime
        inside = False
    if not inside:
        raise ValueError(f"{flag} {value}: tanggal harus antara {first} dan {last} (YYYY-MM-DD) / dates must be "
                         f"between {first} and {last} (YYYY-MM-DD), inside the years the working-day calendar covers")
    return ts


def data_moment(con, value: str | None, tz: str) -> pd.Timestamp:  # noqa: ANN001
    """--as-of, or the data moment: the latest import's snapshot (what the dashboard shows as
    "data per ..."), so an export taken last year is judged as it was, not against today."""
    from analytics.store import status

    if value:
        return cli_time("--as-of", value, tz)
    latest = status.freshness(con).latest_snapshot_at
    if latest is None:
        raise ValueError("the store has no complaints yet: import an export (or run the demo) first")
    return latest


def moment_and_period(con, args: argparse.Namespace, tz: str):  # noqa: ANN001, ANN201
    """(as_of, period) from --as-of/--from/--to: the data moment, and the 30 days ending on the
    data's last day, unless given."""
    from analytics.rules.periods import default_period
    from analytics.store import status

    as_of = data_moment(con, args.as_of, tz)
    for flag, value in (("--from", args.start), ("--to", args.end)):
        if value:
            cli_time(flag, value, tz)
    return as_of, default_period(as_of, tz, args.start, args.end, status.freshness(con).latest_received_at)


def unit_code(con, unit: str | None) -> str | None:  # noqa: ANN001
    """The code a unit travels as below the CLI: ``--unit`` may be a code or a name."""
    from analytics.store.reads import find_unit

    if not unit:
        return None
    found = find_unit(con, unit)
    if found is None:
        raise ValueError(f"unit {unit!r} not found in the store")
    name, code, _ = found
    return code or name


def _json_value(v: object) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.isoformat()
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        return None if not np.isfinite(v) else float(v)
    if isinstance(v, (np.bool_,)):
        return bool(v)
    return v


# Column headers of the printed tables that are not registry metrics (those use their label).
_HEADERS = {
    "unit": ("Unit", "Unit"), "unit_code": ("Kode", "Code"), "id": ("ID", "ID"), "source": ("Sumber", "Source"),
    "stage": ("Tahap", "Stage"), "started_at": ("Mulai", "Started"), "deadline": ("Batas waktu", "Deadline"),
    "ended_at": ("Selesai", "Ended"), "state": ("Keadaan", "State"), "working_days_over": ("Lewat (hk)", "Over (wd)"),
    "on_time_pct": ("Tepat waktu (%)", "On time (%)"), "adjusted_on_time_pct": ("Disesuaikan (%)", "Adjusted (%)"),
    "tier": ("Kelas", "Tier"), "due": ("Jatuh tempo", "Due"), "funnel": ("Funnel", "Funnel"), "week": ("Minggu", "Week"),
    "open": ("Berjalan", "Open"), "completion_pct": ("Selesai (%)", "Completed (%)"),
    # the ledger's (docs/ledger.md)
    "counted": ("Dihitung", "Counted"), "appealed": ("Keberatan", "Appealed"), "accepted": ("Diterima", "Accepted"),
    "final_counted": ("Dihitung akhir", "Final count"), "time_basis": ("Dasar waktu", "Time basis"),
    "appeal": ("Keberatan", "Appeal"), "appeal_id": ("No.", "No."), "month": ("Bulan", "Month"),
    "version": ("Versi", "Version"), "reason": ("Alasan", "Reason"), "text": ("Isi", "Text"),
    "filed_by": ("Diajukan oleh", "Filed by"), "filed_at": ("Diajukan", "Filed"),
}


STAGE_WORDS = {"verifikasi": ("Verifikasi", "Verification"), "tindak_lanjut": ("Tindak lanjut", "Follow-up"),
               "penyelesaian": ("Penyelesaian", "Resolution"), "respons": ("Respons sejak diterima", "Response since receipt")}


def readable(frame: pd.DataFrame, tz: str, lang: str = "id") -> pd.DataFrame:
    """``frame`` as a person reads it in a terminal: headers in the language, local times without
    microseconds (``13 Jun 2025 09.14``, the zone in the header), ``1.234,5`` numbers."""
    from analytics.metrics.registry import METRICS
    from analytics.textfmt import fmt_datetime, fmt_int, fmt_num, tz_label

    i = 0 if lang == "id" else 1
    out = {}
    for col in frame.columns:
        values = frame[col]
        head = _HEADERS[col][i] if col in _HEADERS else (METRICS[col].label(lang) if col in METRICS else col)
        if col == "state":  # the registry's words, never a raw code
            out[head] = [METRICS[v].label(lang) if v in METRICS else str(v) for v in values]
        elif col == "stage":
            out[head] = [STAGE_WORDS.get(str(v), (str(v), str(v)))[i] for v in values]
        elif isinstance(values.dtype, pd.DatetimeTZDtype):
            out[f"{head} ({tz_label(tz)})"] = [fmt_datetime(v, tz, lang=lang, zone=False) for v in values]
        elif col.endswith("_pct") or (col in METRICS and METRICS[col].unit in ("days", "score", "rating")):
            out[head] = [fmt_num(v, 1, lang=lang) for v in values]
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            out[head] = [fmt_int(v, lang=lang) for v in values]
        else:
            out[head] = values.astype("object").where(values.notna(), "–")
    return pd.DataFrame(out)


def emit(frame: pd.DataFrame, fmt: str, header: str = "", lens: str | None = None, tz: str | None = None,
         lang: str = "id") -> None:
    """Print ``frame`` as a table (readable, with ``tz`` for times), CSV or JSON; with ``lens``,
    every JSON record and CSV row says which lens produced it. CSV cells go through the one rule
    for spreadsheet cells (analytics.security.cells.safe_cell), as the dashboard's files do."""
    if lens is not None and fmt != "table":
        frame = frame.assign(lens=lens)
    if fmt == "json":
        records = [{k: _json_value(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        print(json.dumps(records, ensure_ascii=False, indent=2))
    elif fmt == "csv":
        out = frame.copy()
        for c in out.columns:
            if isinstance(out[c].dtype, pd.DatetimeTZDtype):
                out[c] = out[c].map(lambda t: t.isoformat() if pd.notna(t) else "")
        safe_frame(out, "csv").to_csv(sys.stdout, index=False)
    else:
        if header:
            print(header)
        shown = readable(frame, tz, lang) if tz else frame
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 250,
                               "display.max_colwidth", 48):
            print(shown.to_string(index=False, na_rep=""))


def run(args: argparse.Namespace) -> int:
    from analytics.metrics.breaches import breaches_for
    from analytics.metrics.league import league_for, league_rows
    from analytics.rules.policy import load_policy
    from analytics.textfmt import fmt_datetime

    policy = load_policy(args.policy)
    con = store.connect(config.db_path(args.db), read_only=True)
    try:
        as_of, period = moment_and_period(con, args, policy.timezone)
        lens_words = {"due": "jatuh tempo dalam periode", "received": "masuk dalam periode"}[args.lens]
        if args.command == "league":
            league = league_for(con, by=args.by, period=period, as_of=as_of, policy=policy, lens=args.lens)
            header = (
                f"Peringkat {args.by} | periode {period.start}..{period.end} ({lens_words}) | "
                f"per {fmt_datetime(as_of, policy.timezone)} | kebijakan {policy.name} | "
                f"minimal {league.settings.min_decided} tahap terukur untuk diperingkat"
            )
            rows = league_rows(league)
            if rows.empty and args.format == "table":
                print(header)
                print(f"Tidak ada unit dengan aduan masuk atau tahap jatuh tempo pada {period.start}..{period.end}. "
                      "Pilih periode lain dengan --from/--to.")
            else:
                emit(rows, args.format, header, lens=args.lens, tz=policy.timezone, lang=args.lang)
        else:
            b = breaches_for(con, period=period, as_of=as_of, policy=policy, stage=args.stage, by=args.by,
                             unit=unit_code(con, args.unit), lens=args.lens)
            from analytics.metrics.breaches import BREACH_COLUMNS

            header = (f"Pelanggaran SLA | periode {period.start}..{period.end} ({lens_words}) | "
                      f"kebijakan {policy.name} | {len(b)} tahap")
            emit(b[list(BREACH_COLUMNS)], args.format, header, lens=args.lens, tz=policy.timezone, lang=args.lang)
    finally:
        con.close()
    return 0
