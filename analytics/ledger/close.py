"""Closing and reopening a month of the ledger (docs/ledger.md).

Closing judges the month with the one clock every page uses (``due_clock``: the stages whose
deadline falls in the month, the "due in the period" lens) as of a data moment after the month's
end, and freezes per unit (OPD, camat office, the verifier) the counts and the cases: late, open
past the deadline at the close (both counted), and uncertain (listed, never counted). Each case
says how its end time is known: reported by the source, or estimated from snapshots with the
interval it lies in. A closed version never changes; reopening marks it, keeps it, and the next
close makes version n + 1 (decided appeals on cases still counted carry over).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from analytics.ledger.model import (
    DEFAULT_APPEAL_WORKING_DAYS,
    LISTED_STATES,
    VERIFIER_CODE,
    VERIFIER_NAME,
    LedgerError,
    month_period,
)
from analytics.metrics.clock import due_clock, policy_calendar
from analytics.rules.policy import SlaPolicy
from analytics.rules.workcal import add_working_days
from analytics.security import audit
from analytics.security.access import Viewer

# The column holding the "known to have ended after" bound of each stage's end, by the end column.
_AFTER = {"verified_at": "verified_after", "dispatched_at": "dispatched_after",
          "first_response_at": "first_response_after", "resolved_at": "resolved_after"}


def policy_sha256(policy: SlaPolicy) -> str:
    """sha256 of the policy file the month is judged by (its name alone could hide an edit)."""
    if policy.path is None or not Path(policy.path).is_file():
        return hashlib.sha256(repr(policy).encode("utf-8")).hexdigest()
    return hashlib.sha256(Path(policy.path).read_bytes()).hexdigest()


def current_version(con: duckdb.DuckDBPyConnection, month: str) -> tuple[int, bool] | None:
    """(the newest version of ``month``, whether it was reopened), or None if never closed."""
    row = con.execute("SELECT version, reopened_at IS NOT NULL FROM ledger_versions WHERE month = $m "
                      "ORDER BY version DESC LIMIT 1", {"m": month}).fetchall()
    return (int(row[0][0]), bool(row[0][1])) if row else None


def judged_rows(con: duckdb.DuckDBPyConnection, month: str, as_of: pd.Timestamp, policy: SlaPolicy) -> pd.DataFrame:
    """The month's stage rows as the ledger counts them: one row per (complaint, stage) due in the
    month, with the unit it counts for (``ledger_unit``, ``ledger_unit_name``, ``ledger_kind``);
    stages of a kelurahan or of no known unit are left out (they are in no league either)."""
    rows = due_clock(con, month_period(month).utc_bounds(policy.timezone), as_of, policy)
    verifier = (rows["owner_kind"] == "verifikator").to_numpy()
    kind = rows["unit_kind"].astype("string").fillna("").to_numpy(dtype=object)  # no unit yet: NA
    unit_rows = ~verifier & np.isin(kind, ["opd", "camat"]) & rows["unit_code"].notna().to_numpy()
    rows = rows[verifier | unit_rows].copy()
    is_ver = rows["owner_kind"] == "verifikator"
    rows["ledger_unit"] = np.where(is_ver, VERIFIER_CODE, rows["unit_code"].astype("string"))
    rows["ledger_unit_name"] = np.where(is_ver, VERIFIER_NAME, rows["unit"].astype("string"))
    rows["ledger_kind"] = np.where(is_ver, "verifikator", rows["unit_kind"].astype("string"))
    rows["state"] = rows["state"].astype("string")
    return rows.reset_index(drop=True)


def unit_counts(rows: pd.DataFrame) -> pd.DataFrame:
    """Per unit: due, on_time, late, open_overdue, uncertain, unknown (ledger_units' columns)."""
    if rows.empty:
        return pd.DataFrame(columns=["unit_code", "unit", "unit_kind", "due", "on_time", "late", "open_overdue",
                                     "uncertain", "unknown"])
    counts = pd.crosstab(rows["ledger_unit"], rows["state"])
    out = pd.DataFrame({"unit_code": counts.index.astype(str)})
    names = rows.groupby("ledger_unit")[["ledger_unit_name", "ledger_kind"]].first()
    out["unit"] = names.loc[counts.index, "ledger_unit_name"].astype(str).to_numpy()
    out["unit_kind"] = names.loc[counts.index, "ledger_kind"].astype(str).to_numpy()
    out["due"] = counts.sum(axis=1).to_numpy()
    for state in ("on_time", "late", "open_overdue", "uncertain", "unknown"):
        out[state] = (counts[state] if state in counts else pd.Series(0, index=counts.index)).to_numpy()
    return out.sort_values("unit_code").reset_index(drop=True)


def listed_cases(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame) -> pd.DataFrame:
    """The late, open-overdue and uncertain rows as ledger cases, with how each end time is known."""
    cases = rows[rows["state"].isin(LISTED_STATES)].copy()
    cases["time_basis"] = np.where(cases["ended_at"].isna(), "open",
                                   np.where(cases["estimated"].astype(bool), "estimated", "reported"))
    cases["ended_after"] = _ended_after(con, cases)
    keep = ["ledger_unit", "source", "source_id", "stage", "state", "deadline", "ended_at", "time_basis",
            "ended_after", "working_days_over"]
    return cases[keep].rename(columns={"ledger_unit": "unit_code"}).sort_values(
        ["unit_code", "deadline", "source_id", "stage"]).reset_index(drop=True)


def _ended_after(con: duckdb.DuckDBPyConnection, cases: pd.DataFrame) -> pd.Series:
    """For an estimated end: the snapshot it is known to be after (the stored ``*_after`` of the
    end column whose time it is)."""
    out = pd.Series(pd.NaT, index=cases.index, dtype="datetime64[us, UTC]")
    est = cases[cases["time_basis"] == "estimated"]
    if est.empty:
        return out
    keys = est[["source", "source_id"]].drop_duplicates()
    con.register("ledger_keys", keys)
    try:
        stored = con.execute(
            "SELECT c.source, c.source_id, " + ", ".join(f"c.{k}, c.{v}" for k, v in _AFTER.items())
            + " FROM complaints c JOIN ledger_keys k USING (source, source_id)").df()
    finally:
        con.unregister("ledger_keys")
    merged = est[["source", "source_id", "ended_at"]].reset_index().merge(stored, on=["source", "source_id"],
                                                                         how="left").set_index("index")
    for end_col, after_col in _AFTER.items():
        match = merged[end_col].notna() & (merged[end_col] == merged["ended_at"]) & out.loc[merged.index].isna()
        out.loc[match[match].index] = merged.loc[match, after_col]
    return out


def content_sha256(month: str, version: int, as_of: pd.Timestamp, policy_hash: str, units: pd.DataFrame,
                   cases: pd.DataFrame) -> str:
    """sha256 of the frozen version, over a canonical JSON text of it (docs/ledger.md, "Memeriksa
    laporan cetak"): the same store always gives the same hash, and any changed figure or case a
    different one."""
    def iso(v: object) -> str | None:
        return None if v is None or pd.isna(v) else pd.Timestamp(v).tz_convert("UTC").isoformat()

    doc = {
        "month": month, "version": version, "as_of": iso(as_of), "policy_sha256": policy_hash,
        "units": [[r.unit_code, r.unit, r.unit_kind, int(r.due), int(r.on_time), int(r.late), int(r.open_overdue),
                   int(r.uncertain), int(r.unknown)] for r in units.itertuples()],
        "cases": [[r.unit_code, r.source, r.source_id, r.stage, r.state, iso(r.deadline), iso(r.ended_at),
                   r.time_basis, iso(r.ended_after),
                   None if pd.isna(r.working_days_over) else round(float(r.working_days_over), 3)]
                  for r in cases.itertuples()],
    }
    text = json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def appeal_deadline(close_at: datetime, policy: SlaPolicy, working_days: int) -> pd.Timestamp:
    """The end (local midnight after) of the ``working_days``-th working day after the close's day."""
    local = pd.Timestamp(close_at).tz_convert(policy.timezone)
    day = add_working_days(policy_calendar(policy), np.array([local.date()], dtype="datetime64[D]"), working_days)[0]
    return (pd.Timestamp(day) + pd.Timedelta(days=1)).tz_localize(policy.timezone).tz_convert("UTC")


def require_analis(actor: Viewer, what: str) -> None:
    if actor.role != "analis" or actor.open:
        raise LedgerError(f"hanya analis yang dapat {what} / only an analis may do this ({actor.who} is {actor.role})")


def close_month(con: duckdb.DuckDBPyConnection, month: str, *, as_of: pd.Timestamp, policy: SlaPolicy, actor: Viewer,
                now: datetime, appeal_working_days: int = DEFAULT_APPEAL_WORKING_DAYS) -> int:
    """Freeze ``month`` as judged at ``as_of``; returns the new version number. Refused
    (LedgerError, nothing written) when the actor is not an analis, the month is closed and not
    reopened, or it has not ended by ``as_of`` (its stages would still be running)."""
    require_analis(actor, "menutup bulan")
    by = actor.who
    period = month_period(month)
    _, month_end = period.utc_bounds(policy.timezone)
    as_of = pd.Timestamp(as_of).tz_convert("UTC")
    if as_of < month_end:
        raise LedgerError(f"bulan {month} belum berakhir pada saat data {as_of.tz_convert(policy.timezone):%Y-%m-%d %H:%M}"
                          f"; tutup setelah data melewati akhir bulan / month {month} has not ended by the data "
                          "moment; close it once the data is past the month's end")
    if not 0 <= appeal_working_days <= 60:
        raise LedgerError("masa keberatan harus 0..60 hari kerja / the appeal window must be 0..60 working days")
    current = current_version(con, month)
    if current is not None and not current[1]:
        raise LedgerError(f"bulan {month} sudah ditutup (versi {current[0]}); buka kembali dulu dengan alasan / "
                          f"month {month} is already closed (version {current[0]}); reopen it first, with a reason")
    version = 1 if current is None else current[0] + 1
    rows = judged_rows(con, month, as_of, policy)
    units = unit_counts(rows)
    cases = listed_cases(con, rows)
    p_hash = policy_sha256(policy)
    c_hash = content_sha256(month, version, as_of, p_hash, units, cases)
    until = appeal_deadline(now, policy, appeal_working_days)
    con.execute("BEGIN TRANSACTION")
    try:
        again = current_version(con, month)  # another close committed meanwhile: refuse, do not double
        if again != current:
            raise LedgerError(f"bulan {month} baru saja ditutup orang lain / month {month} was just closed by someone else")
        con.execute("INSERT INTO ledger_versions (month, version, closed_at, closed_by, as_of, policy, policy_sha256, "
                    "content_sha256, appeal_until) VALUES ($m, $v, $now, $by, $as_of, $p, $ph, $ch, $until)",
                    {"m": month, "v": version, "now": now, "by": by, "as_of": as_of, "p": policy.name, "ph": p_hash,
                     "ch": c_hash, "until": until})
        if not units.empty:
            con.register("ledger_new_units", units.assign(month=month, version=version))
            con.execute("INSERT INTO ledger_units SELECT month, version, unit_code, unit, unit_kind, due, on_time, late, "
                        "open_overdue, uncertain, unknown FROM ledger_new_units")
            con.unregister("ledger_new_units")
        if not cases.empty:
            con.register("ledger_new_cases", cases.assign(month=month, version=version))
            con.execute("INSERT INTO ledger_cases SELECT month, version, unit_code, source, source_id, stage, state, "
                        "deadline, ended_at, time_basis, ended_after, working_days_over FROM ledger_new_cases")
            con.unregister("ledger_new_cases")
        if version > 1:
            _carry_appeals(con, month, version)
        audit.record(con, who=by, role=actor.role, action="ledger", at=now,
                     detail={"month": month, "version": version, "closed": True, "content_sha256": c_hash,
                             "counted": int(units["late"].sum() + units["open_overdue"].sum()) if len(units) else 0})
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return version


def _carry_appeals(con: duckdb.DuckDBPyConnection, month: str, version: int) -> None:
    """Appeals of the previous version on cases the new version still counts against the same unit
    go on with their decision (``carried_from`` names the earlier appeal)."""
    con.execute(
        "INSERT INTO ledger_appeals (month, version, unit_code, source, source_id, stage, reason, text, filed_by, "
        "filed_at, decision, decided_by, decided_at, note, carried_from) "
        "SELECT a.month, $v, a.unit_code, a.source, a.source_id, a.stage, a.reason, a.text, a.filed_by, a.filed_at, "
        "a.decision, a.decided_by, a.decided_at, a.note, a.appeal_id FROM ledger_appeals a "
        "JOIN ledger_cases c ON c.month = a.month AND c.version = $v AND c.source = a.source "
        "AND c.source_id = a.source_id AND c.stage = a.stage AND c.unit_code = a.unit_code "
        "AND c.state IN ('late', 'open_overdue') "
        "WHERE a.month = $m AND a.version = $prev",
        {"m": month, "v": version, "prev": version - 1})


def reopen_month(con: duckdb.DuckDBPyConnection, month: str, *, reason: str, actor: Viewer, now: datetime) -> int:
    """Mark the month's current version reopened (it stays, as history); returns its number."""
    require_analis(actor, "membuka kembali bulan")
    by = actor.who
    month_period(month)
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise LedgerError("membuka kembali perlu alasan (minimal 10 huruf) / reopening needs a reason "
                          "(10 characters or more)")
    current = current_version(con, month)
    if current is None:
        raise LedgerError(f"bulan {month} belum ditutup / month {month} has not been closed")
    if current[1]:
        raise LedgerError(f"bulan {month} versi {current[0]} sudah dibuka kembali; tutup lagi untuk versi "
                          f"{current[0] + 1} / version {current[0]} is already reopened; close it again")
    con.execute("BEGIN TRANSACTION")
    try:
        done = con.execute("UPDATE ledger_versions SET reopened_at = $now, reopened_by = $by, reopen_reason = $r "
                           "WHERE month = $m AND version = $v AND reopened_at IS NULL RETURNING version",
                           {"now": now, "by": by, "r": reason[:1000], "m": month, "v": current[0]}).fetchall()
        if not done:
            raise LedgerError(f"bulan {month} baru saja dibuka kembali orang lain / just reopened by someone else")
        audit.record(con, who=by, role=actor.role, action="ledger", at=now,
                     detail={"month": month, "version": current[0], "reopened": True, "reason": reason[:300]})
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return current[0]
