"""Coverage: how the stage times of a period's complaints are known (docs/metrics.md, "Coverage").

Per timed stage, over the complaints received in the period (the same clock as every metric):

- ``reported``: started, and its times come from the export as reported;
- ``estimated``: started, and its start or end was estimated from the snapshots between which
  the status changed;
- ``absent``: the status shows the stage reached or passed, but a time it needs is missing, so
  neither on time nor late can be claimed (the clock's ``unknown`` state);
- ``not_started``: the stage has not begun by the data moment.

An SP4N-LAPOR! "Laporan Ringkas" export carries receipt times and statuses only: one export has
every follow-up ``absent``; each later export of the same complaints turns status changes into
estimated times. Where a rate cannot be computed, pages and the CLI say so with these counts.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from analytics.metrics import clock_sql
from analytics.metrics.clock import CHAIN, STAGES, policy_calendar
from analytics.rules.periods import Period
from analytics.rules.policy import SlaPolicy
from analytics.store.reads import filter_clause

COVERAGE = ("reported", "estimated", "absent", "not_started")
_UNKNOWN, _NOT_STARTED = 6, 5  # clock_sql.STATE_CODES positions


def stage_coverage(
    con: duckdb.DuckDBPyConnection, period: Period, as_of: pd.Timestamp, policy: SlaPolicy,
    filters: dict[str, list[str]] | None = None, stages: tuple[int, ...] = CHAIN,
) -> pd.DataFrame:
    """One row per stage of ``stages`` the policy times (in STAGES order): stage and the COVERAGE
    counts for the complaints received in ``period``, judged at ``as_of``."""
    where, params = filter_clause(filters)
    lo, hi = period.utc_bounds(policy.timezone)
    params |= {"lo": lo.to_pydatetime(), "hi": hi.to_pydatetime()}
    src = "(SELECT * FROM complaints WHERE received_at >= $lo AND received_at < $hi" + where + ")"
    timed = [s for i, s in enumerate(STAGES) if policy.stage(s) is not None and i in stages]
    counts = pd.DataFrame({"stage": timed, **{c: 0 for c in COVERAGE}})
    with con.cursor() as cur:
        setup = clock_sql.setup(cur, src, params, policy, policy_calendar(policy), as_of, stages)
        if not setup.has_rows:
            return counts
        setup.register(cur)
        clock = clock_sql.clock_sql(setup, src, (), states_only=True)
        sql = f"""SELECT stage,
            count(*) FILTER (WHERE state NOT IN ({_UNKNOWN}, {_NOT_STARTED}) AND NOT estimated) AS reported,
            count(*) FILTER (WHERE state NOT IN ({_UNKNOWN}, {_NOT_STARTED}) AND estimated) AS estimated,
            count(*) FILTER (WHERE state = {_UNKNOWN}) AS absent,
            count(*) FILTER (WHERE state = {_NOT_STARTED}) AS not_started
        FROM ({clock}) GROUP BY stage"""
        rows = cur.sql(sql, params=clock_sql.bind(sql, setup.params)).fetchall()
    for stage, *values in rows:
        counts.loc[counts["stage"] == STAGES[stage], list(COVERAGE)] = values
    return counts.astype({c: "int64" for c in COVERAGE})


def unjudgeable(coverage: pd.DataFrame, stage: str) -> int:
    """How many of ``stage``'s started stages cannot be judged because their times are absent,
    when none of them can be judged at all (0 otherwise: a partial gap is shown as a count)."""
    row = coverage[coverage["stage"] == stage]
    if row.empty:
        return 0
    r = row.iloc[0]
    return int(r["absent"]) if r["reported"] + r["estimated"] == 0 else 0
