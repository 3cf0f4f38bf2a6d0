"""The group metrics as SQL: the one formula behind every metric (groups.store_group_metrics).

Two aggregations, both defined here once (plain words: docs/metrics.md, "Metrics"):

- per complaint (``complaint_aggregates``): complaints, response days (median, p90), completion
  rate, backlog by age, mean rating, redispatches;
- per stage row of the clock (``state_aggregates``): how many stages are in each state.

They run over any relations with the canonical columns: frames registered on a private cursor
(the tests' ``frame_metrics.group_metrics``), or the store's complaints table and the SQL clock over it
(``groups.store_group_metrics``), so a league over a million complaints is one DuckDB query and never
loads the complaints into pandas. Group keys come from a fixed table of SQL expressions per
grouping, never from input.
"""

from __future__ import annotations

import pandas as pd

from analytics.metrics.clock_sql import DAY_US, STATE_CODES, ClockSetup
from analytics.rules.model import STATUSES

# "uncertain" (an estimated time whose snapshot interval holds the deadline) is counted apart:
# never in "decided", so it counts neither for nor against the owner.
STATE_COUNTS = ("on_time", "late", "open_overdue", "at_risk", "open", "unknown", "uncertain")
BACKLOG_BINS = (("backlog_0_5", 0, 5), ("backlog_6_10", 6, 10), ("backlog_11_20", 11, 20), ("backlog_over_20", 21, None))
CLOSED_WITHOUT_DISPATCH = ("diarsipkan", "ditolak")
STILL_WITH_VERIFIER = ("menunggu_verifikasi", "terverifikasi")
VERIFIER_LABEL = "Verifikator (Diskominfo)"
# Statuses that show the complaint was dispatched even when its time is missing.
DISPATCHED_STATUSES = tuple(c for c, s in STATUSES.items() if "dispatched_at" in s.reached)
# Column each analysis dimension reads; week and month are derived from received_at.
DIMENSION_COLUMNS = {
    "unit": "unit", "kecamatan": "kecamatan", "category": "category", "channel": "channel",
    "classification": "classification", "unit_kind": "unit_kind",
}
# The grouping that holds both unit leagues at once (league.unit_leagues); not a user choice.
UNIT_LEAGUES = "opd+camat"
_STATE_INDEX = {s: i for i, s in enumerate(STATE_CODES)}


def _quoted(values: tuple[str, ...]) -> str:
    """A SQL list of fixed code constants (from this module, never input)."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def group_key(s: ClockSetup, by: str | tuple[str, ...], alias: str = "x") -> tuple[str, str]:
    """SQL (name, code) of a row's group; name is NULL for rows outside every group of ``by``."""
    if isinstance(by, tuple):
        parts = [_dimension(s, d, alias) for d in by]
        name = " || ' / ' || ".join(f"CAST({p} AS VARCHAR)" for p in parts)
        # A row counts only when every dimension is known (|| with NULL gives NULL).
        return name, name
    if by == "kabupaten":
        return "'Kabupaten'", "'ALL'"
    if by == "verifikator":
        return f"'{VERIFIER_LABEL}'", "'VERIFIKATOR'"
    if by == "kecamatan":
        return f"{alias}.kecamatan", f"{alias}.kecamatan_code"
    camat = f"coalesce({alias}.unit_kind = 'camat', false)"
    # Lurah and kepala desa offices are in neither unit league (their rows count for the regency).
    village = f"coalesce({alias}.unit_kind = 'kelurahan', false)"
    if by == UNIT_LEAGUES:
        # The OPD and the camat league in one pass: every unit under its league's prefix
        # ("opd:" / "camat:"), split apart again by split_unit_leagues. Same rows per unit
        # as "opd" and "camat" below, so each league's numbers are unchanged.
        return (f"CASE WHEN {village} THEN NULL WHEN {camat} THEN 'camat:' ELSE 'opd:' END || {alias}.unit",
                f"{alias}.unit_code")
    keep = camat if by == "camat" else f"NOT {camat} AND NOT {village}"
    return f"CASE WHEN {keep} THEN {alias}.unit END", f"{alias}.unit_code"


def _dimension(s: ClockSetup, dim: str, alias: str) -> str:
    if dim in DIMENSION_COLUMNS:
        return f"{alias}.{DIMENSION_COLUMNS[dim]}"
    # Local date of receipt; week = its Monday, month = its first day, as ISO text.
    day = f"CAST(DATE '1970-01-01' + CAST({s.day(f'epoch_us({alias}.received_at)')} AS INTEGER) AS DATE)"
    if dim == "week":
        return f"strftime(date_trunc('week', {day}), '%Y-%m-%d')"
    if dim == "month":
        return f"strftime(date_trunc('month', {day}), '%Y-%m-01')"
    raise ValueError(f"unknown dimension {dim!r}")


def complaint_aggregates(s: ClockSetup, source: str, by, verifier: bool, with_total: bool = False) -> str:
    """Per-complaint metrics of ``source`` (complaints) per group: columns g, is_total,
    group_code, complaints, backlog_*, median_response_days, p90_response_days,
    completion_rate, mean_rating, redispatches. Needs ``$as_of``, ``$as_of_day`` and pantau_wd."""
    name, code = group_key(s, by, "x")
    start, end = ("rec", "dis") if verifier else ("dis", "fr")
    # The backlog counts from the same moment the response does (dispatch; receipt for the
    # verifier), so both read the working-day index of the start (w0 below).
    if verifier:
        dispatched = "true"
        open_from = "rec"
        still_open = f"coalesce(status IN {_quoted(STILL_WITH_VERIFIER)}, false) AND (dis IS NULL OR dis > $as_of)"
        resolved = "false"
    else:
        dispatched = f"(dis IS NOT NULL OR coalesce(status IN {_quoted(DISPATCHED_STATUSES)}, false))"
        open_from = "dis"
        resolved = "(coalesce(res <= $as_of, false) OR (res IS NULL AND coalesce(status = 'selesai', false)))"
        still_open = f"{dispatched} AND NOT {resolved} AND NOT coalesce(status IN {_quoted(CLOSED_WITHOUT_DISPATCH)}, false)"
    # One scan of the complaints, grouped by (group, response days): response days are whole
    # working days (a difference of two cum values), so each group's response-day histogram is
    # exact and small, and the group rows and the regency row (every complaint, in a group or
    # not) are sums over it. This replaces a second scan of every complaint for the regency and
    # a sort of a million response times per quantile (quantiles from the histogram below).
    bins = ",\n        ".join(
        f"count(*) FILTER (WHERE age >= {lo}" + (f" AND age <= {hi})" if hi is not None else ")") + f" AS {label}"
        for label, lo, hi in BACKLOG_BINS
    )
    labels = [b[0] for b in BACKLOG_BINS]
    completion = "NULL::DOUBLE" if verifier else "sum(resolved) / nullif(sum(dispatched), 0)"
    rows = f"""(
    SELECT g, code, rating, redispatch_count, is_resolved, is_dispatched,
        -- Response: working days between the local dates, both times known by as_of.
        CASE WHEN {start} IS NOT NULL AND {end} IS NOT NULL AND {end} <= $as_of THEN w1.cum - w0.cum END AS resp,
        -- Backlog age: working days from the open complaint's start to as_of's date.
        CASE WHEN still_open AND {open_from} IS NOT NULL AND {open_from} <= $as_of THEN $as_of_cum - w0.cum END AS age
    FROM (
        SELECT k0.*, {dispatched} AS is_dispatched, {resolved} AND {dispatched} AS is_resolved,
            {still_open} AS still_open
        FROM (
            SELECT {name} AS g, {code} AS code, x.rating, x.redispatch_count, x.status,
                epoch_us(x.received_at) AS rec, epoch_us(x.dispatched_at) AS dis,
                epoch_us(x.first_response_at) AS fr, epoch_us(x.resolved_at) AS res
            FROM {source} AS x
        ) AS k0
    ) AS k1
    LEFT JOIN pantau_wd AS w0 ON w0.day = {s.day(start)}
    LEFT JOIN pantau_wd AS w1 ON w1.day = {s.day(end)}
) AS k"""
    per = f"""SELECT g, resp, any_value(code) AS code, count(*) AS n,
        {bins},
        sum(CAST(is_resolved AS INTEGER)) AS resolved, sum(CAST(is_dispatched AS INTEGER)) AS dispatched,
        sum(rating) AS rating_sum, count(rating) AS rating_n, sum(redispatch_count) AS redisp
    FROM {rows} GROUP BY g, resp"""
    keyed = "SELECT g, false AS is_total, * EXCLUDE (g) FROM per WHERE g IS NOT NULL"
    if with_total:
        keyed += "\n    UNION ALL SELECT NULL, true, * EXCLUDE (g) FROM per"
    sums = ", ".join(f"sum({b}) AS {b}" for b in labels)
    return f"""WITH per AS ({per}),
keyed AS ({keyed}),
agg AS (
    SELECT g, is_total, any_value(code) AS group_code, sum(n) AS complaints, {sums},
        {completion} AS completion_rate, sum(rating_sum) / nullif(sum(rating_n), 0) AS mean_rating,
        coalesce(sum(redisp), 0) AS redispatches
    FROM keyed GROUP BY g, is_total
),
{_histogram_quantiles("keyed", (("median_response_days", 0.5), ("p90_response_days", 0.9)))}
SELECT a.g, {'a.is_total, ' if with_total else ''}a.* EXCLUDE (g, is_total), q.* EXCLUDE (g, is_total)
FROM agg AS a LEFT JOIN q ON a.g IS NOT DISTINCT FROM q.g AND a.is_total = q.is_total"""


def _histogram_quantiles(keyed: str, quantiles: tuple[tuple[str, float], ...]) -> str:
    """CTEs ``hist`` and ``q``: per (g, is_total) the continuous quantiles of ``resp`` from its
    histogram (resp, n), as DuckDB's quantile_cont defines them: with the N values sorted,
    h = (N - 1) * q, the value at floor(h) plus (h - floor(h)) times the step to the value at
    ceil(h). No response days in a group: no row (NULL quantiles)."""
    picks = []
    for label, q in quantiles:
        h = f"((total - 1) * {q!r})"
        at = lambda i: f"max(resp) FILTER (WHERE {i} >= before AND {i} < before + cnt)"  # noqa: E731
        picks.append(f"{at(f'floor({h})')} AS {label}_lo, {at(f'ceil({h})')} AS {label}_hi, "
                     f"any_value({h} - floor({h})) AS {label}_f")
    finish = ", ".join(f"{label}_lo + {label}_f * ({label}_hi - {label}_lo) AS {label}" for label, _ in quantiles)
    return f"""hist AS (
    SELECT g, is_total, CAST(resp AS DOUBLE) AS resp, cnt,
        sum(cnt) OVER (PARTITION BY g, is_total ORDER BY resp ROWS UNBOUNDED PRECEDING) - cnt AS before,
        sum(cnt) OVER (PARTITION BY g, is_total) AS total
    FROM (SELECT g, is_total, resp, sum(n) AS cnt FROM {keyed} WHERE resp IS NOT NULL GROUP BY g, is_total, resp)
),
q AS (
    SELECT g, is_total, {finish}
    FROM (SELECT g, is_total, {", ".join(picks)} FROM hist GROUP BY g, is_total)
)"""


def state_aggregates(s: ClockSetup, clock: str, by, verifier: bool, with_total: bool = False) -> str:
    """Stage states of ``clock`` (rows with state, stage and owner codes plus the complaint's
    group columns) per group: columns g, code, is_total, and one count per STATE_COUNTS. The
    verifier is judged on verifikasi, everyone else on the stages they own."""
    name, code = group_key(s, by, "x")
    which = "x.stage = 0" if verifier else "x.owner = 1"
    counts = ",\n    ".join(f"count(*) FILTER (WHERE state = {_STATE_INDEX[st]}) AS {st}" for st in STATE_COUNTS)
    per_group = (f"SELECT g, any_value(code) AS code, {counts} FROM (SELECT {name} AS g, {code} AS code, x.state "
                 f"FROM {clock} AS x WHERE {which}) AS k GROUP BY g")
    cols = ", ".join(STATE_COUNTS)
    if not with_total:
        return f"SELECT g, code, {cols} FROM ({per_group}) WHERE g IS NOT NULL"
    # The regency counts every stage row: the per-group counts (with the rows outside any group
    # under NULL) summed, so the clock runs once.
    sums = ", ".join(f"sum({st}) AS {st}" for st in STATE_COUNTS)
    return f"""WITH per AS ({per_group})
SELECT g, code, false AS is_total, {cols} FROM per WHERE g IS NOT NULL
UNION ALL
SELECT NULL, NULL, true, {sums} FROM per"""


def group_metrics_sql(complaints: str, states: str, with_total: bool = False) -> str:
    """Join the two aggregations (given as SQL) into the metric columns of groups.METRIC_COLUMNS.

    A full join: under the "due" lens a unit can have stages due in the period without a
    complaint received in it (and the reverse), and both must show."""
    key = "c.g IS NOT DISTINCT FROM s.g" + (" AND c.is_total = s.is_total" if with_total else "")
    counts = ", ".join(f"coalesce(s.{st}, 0) AS {st}" for st in STATE_COUNTS)
    total = "coalesce(c.is_total, s.is_total) AS is_total, " if with_total else ""
    order = "is_total, " if with_total else ""
    return f"""
WITH c AS ({complaints}), s AS ({states})
SELECT {total}coalesce(c.g, s.g) AS "group",
    c.* EXCLUDE (g{", is_total" if with_total else ""}) REPLACE (coalesce(c.group_code, s.code) AS group_code),
    {counts}
FROM c FULL JOIN s ON {key}
ORDER BY {order}"group"
"""


def split_unit_leagues(groups: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The rows of a UNIT_LEAGUES grouping as {"opd": rows, "camat": rows}, each with its plain
    unit name in "group" and in the order the single-league query gives (by name)."""
    parts = groups["group"].astype("str").str.partition(":")
    if len(groups) == 0:  # partition of no rows gives no columns to read
        parts = pd.DataFrame({0: [], 2: []}, dtype="str")
    return {by: groups[keep].assign(group=parts.loc[keep, 2]).reset_index(drop=True)
            for by in ("opd", "camat") for keep in [(parts[0] == by).to_numpy()]}


__all__ = ["DAY_US", "complaint_aggregates", "state_aggregates", "group_metrics_sql", "group_key"]
