"""Reading a closed month: its versions, per-unit figures with the cases behind them and their
appeals, and how many of its cases would read differently on today's data (docs/ledger.md)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from analytics.ledger.model import COUNTED_STATES, Appeal, Case, LedgerError, UnitFigures, month_period
from analytics.metrics.ranking import RankingSettings, load_ranking_settings, tier_of
from analytics.security.access import Viewer


@dataclass(frozen=True)
class LedgerVersion:
    month: str
    version: int
    closed_at: pd.Timestamp
    closed_by: str
    as_of: pd.Timestamp
    policy: str
    policy_sha256: str
    content_sha256: str
    appeal_until: pd.Timestamp
    reopened_at: pd.Timestamp | None
    reopened_by: str | None
    reopen_reason: str | None

    @property
    def current(self) -> bool:
        return self.reopened_at is None


@dataclass(frozen=True)
class LedgerMonth:
    version: LedgerVersion
    versions: tuple[LedgerVersion, ...]  # every version of the month, oldest first
    units: tuple[UnitFigures, ...]
    tiers: tuple[tuple[str, float], ...]
    # The league's volume rule (data/ranking.toml min_decided): a unit with fewer judged stages
    # (on time + final count) gets no Kelas: 0 of 2 is not a verdict on a month.
    min_judged: int = 10

    def tier(self, unit: UnitFigures) -> str | None:
        pct = unit.final_on_time_pct
        if pct is None or unit.on_time + unit.final_counted < self.min_judged:
            return None
        return str(tier_of(pd.Series([pct]), dict(self.tiers)).iloc[0])


def versions(con: duckdb.DuckDBPyConnection, month: str) -> tuple[LedgerVersion, ...]:
    rows = con.execute("SELECT month, version, closed_at, closed_by, as_of, policy, policy_sha256, content_sha256, "
                       "appeal_until, reopened_at, reopened_by, reopen_reason FROM ledger_versions WHERE month = $m "
                       "ORDER BY version", {"m": month}).fetchall()
    return tuple(LedgerVersion(*(_ts(v) if i in (2, 4, 8, 9) else v for i, v in enumerate(r))) for r in rows)


def closed_months(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Months with at least one closed version, newest first."""
    return [r[0] for r in con.execute("SELECT DISTINCT month FROM ledger_versions ORDER BY month DESC").fetchall()]


def _ts(v: object) -> pd.Timestamp | None:
    if v is None:
        return None
    ts = pd.Timestamp(v)
    return ts.tz_convert("UTC") if ts.tzinfo else ts.tz_localize("UTC")


def ledger_month(con: duckdb.DuckDBPyConnection, month: str, *, viewer: Viewer | None = None,
                 version: int | None = None, unit: str | None = None,
                 settings: RankingSettings | None = None) -> LedgerMonth:
    """The month's figures (the newest version, or ``version``); a unit viewer gets its own unit
    only, ``unit`` narrows to one. Raises LedgerError for a month never closed."""
    month_period(month)
    every = versions(con, month)
    if not every:
        raise LedgerError(f"bulan {month} belum ditutup / month {month} has not been closed")
    chosen = every[-1] if version is None else next((v for v in every if v.version == version), None)
    if chosen is None:
        raise LedgerError(f"bulan {month} tidak punya versi {version} / month {month} has no version {version}")
    scope = viewer.unit if viewer is not None and viewer.role == "unit" else None
    if scope and unit and unit != scope:
        raise LedgerError(f"akun unit {scope} hanya melihat unitnya sendiri / a unit account sees its own unit only")
    only = scope or unit
    params = {"m": month, "v": chosen.version, "u": only}
    units = con.execute("SELECT unit_code, unit, unit_kind, due, on_time, late, open_overdue, uncertain, unknown "
                        "FROM ledger_units WHERE month = $m AND version = $v AND ($u IS NULL OR unit_code = $u) "
                        "ORDER BY unit_code", params).df()
    cases = con.execute(
        "SELECT c.unit_code, c.source, c.source_id, c.stage, c.state, c.deadline, c.ended_at, c.time_basis, "
        "c.ended_after, c.working_days_over, a.appeal_id, a.reason, a.text, a.filed_by, a.filed_at, a.decision, "
        "a.decided_by, a.decided_at, a.note FROM ledger_cases c LEFT JOIN ledger_appeals a ON a.month = c.month "
        "AND a.version = c.version AND a.source = c.source AND a.source_id = c.source_id AND a.stage = c.stage "
        "WHERE c.month = $m AND c.version = $v AND ($u IS NULL OR c.unit_code = $u) "
        "ORDER BY c.unit_code, c.deadline, c.source_id, c.stage", params).df()
    by_unit: dict[str, list[Case]] = {}
    for r in cases.itertuples():
        appeal = None if pd.isna(r.appeal_id) else Appeal(
            int(r.appeal_id), r.reason, r.text, r.filed_by, _ts(r.filed_at), _none(r.decision), _none(r.decided_by),
            _ts(None if pd.isna(r.decided_at) else r.decided_at), _none(r.note))
        by_unit.setdefault(r.unit_code, []).append(Case(
            id=r.source_id, source=r.source, stage=r.stage, deadline=_ts(r.deadline),
            ended_at=None if pd.isna(r.ended_at) else _ts(r.ended_at), state=r.state,
            working_days_over=None if pd.isna(r.working_days_over) else float(r.working_days_over),
            time_basis=r.time_basis, ended_after=None if pd.isna(r.ended_after) else _ts(r.ended_after),
            appeal=appeal))
    figures = tuple(UnitFigures(unit=u.unit, unit_code=u.unit_code, unit_kind=u.unit_kind, due=int(u.due),
                                on_time=int(u.on_time), late=int(u.late), open_overdue=int(u.open_overdue),
                                uncertain=int(u.uncertain), unknown=int(u.unknown),
                                cases=tuple(by_unit.get(u.unit_code, ())))
                    for u in units.itertuples())
    settings = settings or load_ranking_settings()
    return LedgerMonth(version=chosen, versions=every, units=figures, tiers=tuple(sorted(settings.tiers.items())),
                       min_judged=settings.min_decided)


def _none(v: object) -> object:
    return None if v is None or (not isinstance(v, str) and pd.isna(v)) else v


def drift(month_frozen: LedgerMonth, now_rows: pd.DataFrame) -> dict[str, int]:
    """How many frozen cases read differently on today's data (the same month judged with
    ``close.judged_rows`` at the latest data moment): counted then and not now, and counted now
    but not then. The closed ledger does not change; this only says how far the data has moved."""
    frozen = {(c.source, c.id, c.stage) for u in month_frozen.units for c in u.cases if c.counted}
    units = {u.unit_code for u in month_frozen.units}
    now_counted = now_rows[now_rows["state"].isin(COUNTED_STATES) & now_rows["ledger_unit"].isin(units)]
    now = set(zip(now_counted["source"], now_counted["source_id"], now_counted["stage"], strict=True))
    return {"no_longer_counted": len(frozen - now), "newly_counted": len(now - frozen)}


def pending_appeals(con: duckdb.DuckDBPyConnection, month: str | None = None) -> pd.DataFrame:
    """Appeals waiting for a decision on current versions (the analis's queue), oldest first."""
    return con.execute(
        "SELECT a.appeal_id, a.month, a.version, a.unit_code, a.source_id, a.stage, a.reason, a.text, a.filed_by, "
        "a.filed_at FROM ledger_appeals a JOIN ledger_versions v ON v.month = a.month AND v.version = a.version "
        "WHERE a.decision IS NULL AND v.reopened_at IS NULL AND ($m IS NULL OR a.month = $m) ORDER BY a.filed_at",
        {"m": month}).df()
