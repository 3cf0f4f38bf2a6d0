"""Breach lists: the stage rows that are late, open past their deadline or at risk, with the
working days over, for the Pelanggaran page, the Unit page, the review pack and the CLI."""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.metrics.clock import clock_in_store, due_clock, open_clock
from analytics.metrics.groups import check_lens
from analytics.metrics.groups_sql import VERIFIER_LABEL
from analytics.rules.periods import Period
from analytics.rules.policy import SlaPolicy

BREACH_STATES = ("late", "open_overdue", "at_risk")  # what league.breaches keeps by default
BREACH_COLUMNS = ("id", "source", "stage", "unit", "started_at", "deadline", "ended_at", "state", "working_days_over")



def breaches(clock: pd.DataFrame, states: tuple[str, ...] = ("late", "open_overdue", "at_risk")) -> pd.DataFrame:
    """Stage rows that are late, open overdue or at risk, most working days over first."""
    b = clock[clock["state"].astype("str").isin(states)].copy()
    b["state"] = b["state"].astype("str")
    b["stage"] = b["stage"].astype("str")
    return b.sort_values(["working_days_over", "deadline"], ascending=[False, True]).reset_index(drop=True)


def breaches_for(
    con: duckdb.DuckDBPyConnection, *, period: Period, as_of: pd.Timestamp, policy: SlaPolicy,
    stage: str | None = None, by: str | None = None, unit: str | None = None,
    filters: dict[str, list[str]] | None = None, unit_scope: str | None = None, lens: str = "due",
) -> pd.DataFrame:
    """Breached and at-risk stages, most working days over first (BREACH_COLUMNS plus context).

    Under the "due" lens (the default) the list is what a leader acts on: every stage open past
    its deadline or at risk **now** (at ``as_of``, whatever its receipt date: the period does not
    apply to them), and the stages that fell due in ``period`` and ended late. Under "received"
    it is the late, open-overdue and at-risk stages of the complaints received in ``period``.
    ``by`` limits to "opd" / "camat" units or the "verifikator" stage; ``unit`` to one unit's own
    stages (not the verification of its complaints), by its code (store.reads.units_in_store: the
    name for a unit without a registry code). ``unit_scope`` (a unit viewer's own unit code) limits the rows in SQL, before
    anything is computed: these are complaint rows."""
    check_lens(lens)
    bounds = period.utc_bounds(policy.timezone)
    if lens == "received":
        clock = clock_in_store(con, *bounds, as_of, policy, BREACH_STATES, filters, unit_scope=unit_scope)
    else:
        now = open_clock(con, as_of, policy, filters, unit_scope)
        late = due_clock(con, bounds, as_of, policy, ("late",), filters, unit_scope)
        clock = pd.concat([now, late], ignore_index=True) if len(late) else now
    b = breaches(clock)
    if stage:
        b = b[b["stage"] == stage]
    if by == "verifikator":
        b = b[b["owner_kind"] == "verifikator"]
    elif by in ("opd", "camat"):
        is_camat = b["unit_kind"].astype("str") == "camat"
        b = b[(b["owner_kind"] == "unit") & (is_camat if by == "camat" else ~is_camat)]
    if unit:  # the unit's own stages, by its code (the name for a unit without a registry code)
        b = b[(b["owner_kind"] == "unit") & (b["unit_code"].fillna(b["unit"]).astype("str") == unit)]
    b = b.rename(columns={"source_id": "id"}).reset_index(drop=True)
    b["working_days_over"] = b["working_days_over"].round(0).astype("int64")
    b["unit"] = b["unit"].where(b["owner_kind"] == "unit", VERIFIER_LABEL)
    return b
