"""Commitments made in the weekly review: record, list, mark done (the ``commitments`` table).

CitiStat's lesson (../shared/notes/field.md): what a unit promises in the meeting is written down
and checked at the next one. Each pack lists the open commitments that are overdue or due before
the next review, and those done during the reviewed week (``for_review``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb
import pandas as pd

from analytics.rules.periods import Period, iso_week
from analytics.store import schema

COLUMNS = ("id", "unit_code", "unit", "text", "due_on", "made_week", "created_at", "done_on", "done_note")
MAX_TEXT = 500  # a promise, not a report: it must fit one line of the pack and a WhatsApp message


def known_units(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Units a commitment can name: the regency registry's units plus any unit in the store.
    Columns code, name, short, kind; registry order first, then the store's by name."""
    from analytics.rules.regions import load_region
    from analytics.store import get_meta

    frames = []
    slug = get_meta(con, "region")
    if slug:
        try:
            u = load_region(slug).units
            frames.append(pd.DataFrame({"code": u["code"], "name": u["name"], "short": u["short_name"], "kind": u["kind"]}))
        except ValueError:
            pass  # a store naming a region this version does not ship: fall back to the store's units
    stored = con.execute(
        "SELECT coalesce(unit_code, unit) AS code, any_value(unit) AS name, any_value(unit_kind) AS kind "
        "FROM complaints WHERE coalesce(unit_code, unit) IS NOT NULL GROUP BY 1 ORDER BY 2"
    ).df()
    frames.append(stored.assign(short=stored["name"])[["code", "name", "short", "kind"]])
    units = pd.concat(frames, ignore_index=True).drop_duplicates("code", keep="first")
    return units.reset_index(drop=True).astype({"code": "str", "name": "str", "short": "str"})


def resolve_unit(units: pd.DataFrame, unit: str) -> tuple[str, str]:
    """(code, name) of ``unit`` given by code, name or short name (case-insensitive); ValueError
    naming it when it is not a unit of this regency."""
    want = (unit or "").strip().casefold()
    for col in ("code", "name", "short"):
        hit = units[units[col].str.casefold() == want]
        if len(hit):
            return str(hit.iloc[0]["code"]), str(hit.iloc[0]["name"])
    raise ValueError(f"unknown unit {unit!r}: not in this regency's registry nor in the store")


def has_table(con: duckdb.DuckDBPyConnection) -> bool:
    """False on a store opened read-only before schema v2 (then there are no commitments yet)."""
    return schema.has_table(con, "commitments")


def add(con: duckdb.DuckDBPyConnection, *, unit: str, text: str, due_on: date, made_week: str,
        created_at: pd.Timestamp) -> int:
    """Record a commitment; returns its id. ValueError (nothing stored) for an unknown unit, an
    empty or overlong text, a malformed week, or a due date before the reviewed week starts."""
    code, name = resolve_unit(known_units(con), unit)
    text = " ".join((text or "").split())  # one line: the pack prints it in a table cell
    if not text:
        raise ValueError("the commitment text is empty")
    if len(text) > MAX_TEXT:
        raise ValueError(f"the commitment text has {len(text)} characters; at most {MAX_TEXT}")
    week = iso_week(made_week)
    if not isinstance(due_on, date):
        raise ValueError(f"due date {due_on!r} is not a date (expected YYYY-MM-DD)")
    if due_on < week.start:
        raise ValueError(f"due date {due_on} is before the reviewed week {made_week.upper()} starts ({week.start})")
    row = con.execute(
        "INSERT INTO commitments (unit_code, unit, text, due_on, made_week, created_at) "
        "VALUES ($code, $unit, $text, $due, $week, $at) RETURNING id",
        {"code": code, "unit": name, "text": text, "due": due_on, "week": made_week.upper(), "at": created_at},
    ).fetchall()
    return int(row[0][0])


def mark_done(con: duckdb.DuckDBPyConnection, commitment_id: int, *, done_on: date, note: str = "") -> None:
    """Close a commitment. ValueError for an unknown id or one already done (its date is kept)."""
    rows = con.execute("SELECT done_on FROM commitments WHERE id = $id", {"id": int(commitment_id)}).fetchall()
    if not rows:
        raise ValueError(f"no commitment with id {commitment_id}")
    if rows[0][0] is not None:
        raise ValueError(f"commitment {commitment_id} was already done on {rows[0][0]}")
    con.execute("UPDATE commitments SET done_on = $d, done_note = $n WHERE id = $id",
                {"d": done_on, "n": " ".join((note or "").split()) or None, "id": int(commitment_id)})


def list_all(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every commitment (COLUMNS), open ones first by due date, then done ones newest first."""
    if not has_table(con):
        dtypes = {"id": "int64", "due_on": "datetime64[us]", "done_on": "datetime64[us]", "created_at": "datetime64[us, UTC]"}
        return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "str")) for c in COLUMNS})
    # Dates come back as datetime64 (local midnight, no zone): comparable and NaT-safe.
    return con.execute(
        "SELECT " + ", ".join(COLUMNS) + " FROM commitments "
        "ORDER BY done_on IS NOT NULL, CASE WHEN done_on IS NULL THEN due_on END, done_on DESC, id"
    ).df()


@dataclass(frozen=True)
class ReviewCommitments:
    """What one pack lists, judged at the end of the reviewed week (``week_end``, a local date)."""

    week_end: date
    overdue: pd.DataFrame  # open, due on or before week_end
    due: pd.DataFrame  # open, due in the 7 days after week_end (before the next review)
    done: pd.DataFrame  # done during the reviewed week

    @property
    def empty(self) -> bool:
        return self.overdue.empty and self.due.empty and self.done.empty


def for_review(commitments: pd.DataFrame, week: Period) -> ReviewCommitments:
    """Split ``list_all`` rows for the pack of ``week``. A commitment done after the week is
    still open as far as that week's pack is concerned, so an old pack reads the same later."""
    c = commitments
    start, end = pd.Timestamp(week.start), pd.Timestamp(week.end)
    done_on, due = pd.to_datetime(c["done_on"]), pd.to_datetime(c["due_on"])
    is_open = done_on.isna() | (done_on > end)
    # Done after the week: open as far as this week's pack knows, so its done date is not shown.
    c = c.assign(done_on=done_on.where(~is_open), done_note=c["done_note"].where(~is_open))
    overdue = c[is_open & (due <= end)].sort_values(["due_on", "id"])
    soon = c[is_open & (due > end) & (due <= end + pd.Timedelta(days=7))].sort_values(["due_on", "id"])
    done = c[~is_open & (done_on >= start)].sort_values(["done_on", "id"])
    return ReviewCommitments(week.end, overdue.reset_index(drop=True), soon.reset_index(drop=True),
                             done.reset_index(drop=True))
