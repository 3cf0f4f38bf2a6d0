"""Appeals (keberatan) on counted cases of a closed month (docs/ledger.md, "Keberatan").

A unit account files one appeal per counted case of its own, before the window closes
(``ledger_versions.appeal_until``); an analis accepts or rejects it with a note. Decisions are
first-come: two analysts deciding the same appeal at once, one wins and the other is told who did.
Every filing and decision is an audit row, written in the same transaction.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd

from analytics.ledger.close import current_version, require_analis
from analytics.ledger.model import COUNTED_STATES, MAX_TEXT, REASONS, LedgerError
from analytics.security import audit
from analytics.security.access import Viewer
from analytics.store import rollback_quietly


def _case(con: duckdb.DuckDBPyConnection, month: str, version: int, source_id: str, stage: str,
          source: str | None) -> tuple:
    rows = con.execute(
        "SELECT source, unit_code, state FROM ledger_cases WHERE month = $m AND version = $v AND source_id = $id "
        "AND stage = $st AND ($src IS NULL OR source = $src)",
        {"m": month, "v": version, "id": source_id, "st": stage, "src": source}).fetchall()
    if not rows:
        raise LedgerError(f"aduan {source_id} tahap {stage} tidak ada di buku bulan {month} versi {version} / "
                          f"complaint {source_id}, stage {stage} is not in the ledger of {month} (version {version})")
    if len(rows) > 1:
        raise LedgerError(f"id {source_id} ada di beberapa sumber ({', '.join(r[0] for r in rows)}); sebutkan "
                          "sumbernya / the id is in several sources; name the source")
    return rows[0]


def file_appeal(con: duckdb.DuckDBPyConnection, month: str, *, source_id: str, stage: str, reason: str, text: str,
                actor: Viewer, now: datetime, source: str | None = None) -> int:
    """File an appeal; returns its id. Refused (LedgerError, nothing written) unless: the month's
    current version is closed and not reopened, the window is open, the actor is the case's own
    unit, the case is counted (not uncertain), it has no appeal yet, and reason and text are given."""
    if actor.role != "unit" or not actor.unit:
        raise LedgerError("keberatan diajukan oleh akun unit untuk kasusnya sendiri / appeals are filed by a unit "
                          f"account on its own cases ({actor.who} is {actor.role})")
    if reason not in REASONS:
        raise LedgerError(f"alasan {reason!r} tidak dikenal; pilih {', '.join(REASONS)} / unknown reason")
    text = (text or "").strip()
    if not text:
        raise LedgerError("tulis penjelasan keberatan / write what the appeal is about")
    current = current_version(con, month)
    if current is None or current[1]:
        raise LedgerError(f"bulan {month} tidak sedang ditutup; keberatan hanya untuk bulan yang ditutup / "
                          f"month {month} is not closed; appeals are for a closed month")
    version = current[0]
    until = con.execute("SELECT appeal_until FROM ledger_versions WHERE month = $m AND version = $v",
                        {"m": month, "v": version}).fetchall()[0][0]
    if pd.Timestamp(now) >= pd.Timestamp(until):
        raise LedgerError(f"masa keberatan bulan {month} berakhir {pd.Timestamp(until):%Y-%m-%d %H:%M} UTC / "
                          f"the appeal window of {month} closed")
    src, unit_code, state = _case(con, month, version, source_id, stage, source)
    if unit_code != actor.unit:
        raise LedgerError(f"aduan {source_id} tahap {stage} bukan kasus unit Anda ({actor.unit}) / "
                          "this case is not your unit's")
    if state not in COUNTED_STATES:
        raise LedgerError(f"aduan {source_id} tahap {stage} tidak dihitung (tidak pasti); tidak perlu keberatan / "
                          "this case is not counted (uncertain): nothing to appeal")
    con.execute("BEGIN TRANSACTION")
    try:
        exists = con.execute("SELECT appeal_id FROM ledger_appeals WHERE month = $m AND version = $v AND source = $s "
                             "AND source_id = $id AND stage = $st",
                             {"m": month, "v": version, "s": src, "id": source_id, "st": stage}).fetchall()
        if exists:
            raise LedgerError(f"kasus ini sudah punya keberatan #{exists[0][0]} / this case already has appeal "
                              f"#{exists[0][0]}")
        appeal_id = con.execute(
            "INSERT INTO ledger_appeals (month, version, unit_code, source, source_id, stage, reason, text, filed_by, "
            "filed_at) VALUES ($m, $v, $u, $s, $id, $st, $r, $t, $by, $now) RETURNING appeal_id",
            {"m": month, "v": version, "u": unit_code, "s": src, "id": source_id, "st": stage, "r": reason,
             "t": text[:MAX_TEXT], "by": actor.who, "now": now}).fetchall()[0][0]
        audit.record(con, who=actor.who, role=actor.role, unit=actor.unit, action="ledger", at=now,
                     detail={"month": month, "version": version, "appeal": int(appeal_id), "filed": True,
                             "id": source_id, "stage": stage, "reason": reason})
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return int(appeal_id)


def decide_appeal(con: duckdb.DuckDBPyConnection, appeal_id: int, *, accept: bool, note: str, actor: Viewer,
                  now: datetime) -> None:
    """Accept or reject a pending appeal of a month's current version. Refused when decided
    already (saying by whom), when the version was reopened, without a note, or not by an analis."""
    require_analis(actor, "memutus keberatan")
    note = (note or "").strip()
    if not note:
        raise LedgerError("tulis catatan keputusan / write a note for the decision")
    row = con.execute("SELECT month, version, decision, decided_by FROM ledger_appeals WHERE appeal_id = $id",
                      {"id": int(appeal_id)}).fetchall()
    if not row:
        raise LedgerError(f"keberatan #{appeal_id} tidak ada / appeal #{appeal_id} does not exist")
    month, version, decision, decided_by = row[0]
    if decision is not None:
        raise LedgerError(f"keberatan #{appeal_id} sudah diputus ({decision}) oleh {decided_by} / "
                          f"already decided ({decision}) by {decided_by}")
    current = current_version(con, month)
    if current != (version, False):
        raise LedgerError(f"keberatan #{appeal_id} milik versi {version} yang sudah dibuka kembali / "
                          "belongs to a reopened version")
    con.execute("BEGIN TRANSACTION")
    try:
        done = con.execute(
            "UPDATE ledger_appeals SET decision = $d, decided_by = $by, decided_at = $now, note = $n "
            "WHERE appeal_id = $id AND decision IS NULL RETURNING appeal_id",
            {"d": "accepted" if accept else "rejected", "by": actor.who, "now": now, "n": note[:MAX_TEXT],
             "id": int(appeal_id)}).fetchall()
        if not done:
            raise LedgerError(f"keberatan #{appeal_id} baru saja diputus analis lain / just decided by another analis")
        audit.record(con, who=actor.who, role=actor.role, action="ledger", at=now,
                     detail={"month": month, "version": int(version), "appeal": int(appeal_id),
                             "decision": "accepted" if accept else "rejected"})
        con.execute("COMMIT")
    except duckdb.TransactionException as exc:
        rollback_quietly(con)
        raise LedgerError(f"keberatan #{appeal_id} baru saja diputus analis lain / just decided by another analis") from exc
    except Exception:
        rollback_quietly(con)
        raise


