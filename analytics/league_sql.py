"""The group metrics as SQL: the one formula behind league.group_metrics and service.league_for.

Two aggregations, both defined here once (plain words: docs/metrics.md, "Metrics"):

- per complaint (``complaint_aggregates``): complaints, response days (median, p90), completion
  rate, backlog by age, mean rating, redispatches;
- per stage row of the clock (``state_aggregates``): how many stages are in each state.

They run over any relations with the canonical columns: frames registered on a private cursor
(``league.group_metrics``), or the store's complaints table and the SQL clock over it
(``service.league_for``), so a league over a million complaints is one DuckDB query and never
loads the complaints into pandas. Group keys come from a fixed table of SQL expressions per
grouping, never from input.
"""

from __future__ import annotations

from analytics.clock_sql import DAY_US, ClockSetup
from analytics.model import STATUSES

STATE_COUNTS = ("on_time", "late", "open_overdue", "at_risk", "open", "unknown")
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
_STATE_INDEX = {s: i for i, s in enumerate(("on_time", "late", "open_overdue", "at_risk", "open", "not_started", "unknown"))}


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
    keep = camat if by == "camat" else f"NOT {camat}"
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
    bins = ",\n        ".join(
        f"count(*) FILTER (WHERE age >= {lo}" + (f" AND age <= {hi})" if hi is not None else ")") + f" AS {label}"
        for label, lo, hi in BACKLOG_BINS
    )
    completion = "NULL::DOUBLE" if verifier else (
        "sum(CAST(is_resolved AS INTEGER)) / nullif(sum(CAST(is_dispatched AS INTEGER)), 0)"
    )
    select = f"""any_value(code) AS group_code,
        count(*) AS complaints,
        {bins},
        quantile_cont(resp, [0.5, 0.9]) AS resp_q,
        {completion} AS completion_rate,
        avg(rating) AS mean_rating,
        coalesce(sum(redispatch_count), 0) AS redispatches"""
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
    sql = f"SELECT g, {'false AS is_total, ' if with_total else ''}{select} FROM {rows} WHERE g IS NOT NULL GROUP BY g"
    if with_total:
        # The regency: every row, in or out of a group. Medians do not add up from groups, so the
        # rows are aggregated once more (the subquery is planned twice; a GROUPING SETS made
        # DuckDB materialise all million rows first, which cost more).
        sql += f"\nUNION ALL\nSELECT NULL, true, {select} FROM {rows}"
    return sql


def state_aggregates(s: ClockSetup, clock: str, by, verifier: bool, with_total: bool = False) -> str:
    """Stage states of ``clock`` (rows with state, stage and owner codes plus the complaint's
    group columns) per group: columns g, is_total, and one count per STATE_COUNTS. The verifier
    is judged on verifikasi, everyone else on the stages they own."""
    name, _ = group_key(s, by, "x")
    which = "x.stage = 0" if verifier else "x.owner = 1"
    counts = ",\n    ".join(f"count(*) FILTER (WHERE state = {_STATE_INDEX[st]}) AS {st}" for st in STATE_COUNTS)
    per_group = f"SELECT g, {counts} FROM (SELECT {name} AS g, x.state FROM {clock} AS x WHERE {which}) AS k GROUP BY g"
    cols = ", ".join(STATE_COUNTS)
    if not with_total:
        return f"SELECT g, {cols} FROM ({per_group}) WHERE g IS NOT NULL"
    # The regency counts every stage row: the per-group counts (with the rows outside any group
    # under NULL) summed, so the clock runs once.
    sums = ", ".join(f"sum({st}) AS {st}" for st in STATE_COUNTS)
    return f"""WITH per AS ({per_group})
SELECT g, false AS is_total, {cols} FROM per WHERE g IS NOT NULL
UNION ALL
SELECT NULL, true, {sums} FROM per"""


def group_metrics_sql(complaints: str, states: str, with_total: bool = False) -> str:
    """Join the two aggregations (given as SQL) into the metric columns of league.METRIC_COLUMNS."""
    key = "c.g IS NOT DISTINCT FROM s.g" + (" AND c.is_total = s.is_total" if with_total else "")
    counts = ", ".join(f"coalesce(s.{st}, 0) AS {st}" for st in STATE_COUNTS)
    total = "c.is_total, " if with_total else ""
    return f"""
WITH c AS ({complaints}), s AS ({states})
SELECT {total}c.g AS "group", c.* EXCLUDE (g, resp_q{", is_total" if with_total else ""}),
    c.resp_q[1] AS median_response_days, c.resp_q[2] AS p90_response_days, {counts}
FROM c LEFT JOIN s ON {key}
ORDER BY {total}c.g
"""


__all__ = ["DAY_US", "complaint_aggregates", "state_aggregates", "group_metrics_sql", "group_key"]
