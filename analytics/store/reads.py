"""Every named read of the store. Values are bound (``$name``); the filterable columns are one
whitelist (FILTERABLE), so nothing a user types reaches the SQL text. The two SQL builders of the
metrics (analytics/metrics/clock_sql.py, groups_sql.py) generate the only other SQL that reads
complaints; what the Data page shows about imports is in store.status."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd
import pyarrow as pa

from analytics.rules.regions import load_region
from analytics.store import get_meta

# Arrow strings become pandas 3's default "str" dtype (NaN for missing), as .df() gives.
_ARROW_TYPES = {pa.string(): pd.StringDtype(na_value=float("nan")), pa.large_string(): pd.StringDtype(na_value=float("nan"))}

# Columns the metrics need; personal fields are never read here.
READ_COLUMNS: tuple[str, ...] = (
    "source", "source_id", "received_at", "verified_at", "dispatched_at", "first_response_at",
    "resolved_at", "verified_est", "dispatched_est", "first_response_est", "resolved_est", "status",
    "classification", "category", "channel", "unit_code", "unit", "unit_kind", "kecamatan_code",
    "kecamatan", "desa_code", "desa", "lat", "lon", "rating", "redispatch_count",
)
# Filter name -> column. Anything else is refused by name.
FILTERABLE: dict[str, str] = {
    "unit": "unit",
    "unit_code": "unit_code",
    "unit_kind": "unit_kind",
    "kecamatan": "kecamatan",
    "category": "category",
    "channel": "channel",
    "status": "status",
    "classification": "classification",
    "source": "source",
}
_SELECT = "SELECT " + ", ".join(f'"{c}"' for c in READ_COLUMNS) + " FROM complaints"


def filter_clause(filters: dict[str, list[str]] | None) -> tuple[str, dict[str, object]]:
    """``{"unit": ["Dinas PUPR"]}`` -> (" AND list_contains($f0, unit)", {"f0": [...]})."""
    sql, params = "", {}
    for i, (name, values) in enumerate(sorted((filters or {}).items())):
        if not values:
            continue
        col = FILTERABLE.get(name)
        if col is None:
            raise ValueError(f"cannot filter by {name!r}; allowed: {', '.join(FILTERABLE)}")
        key = f"f{i}"
        sql += f' AND list_contains(${key}, "{col}")'  # column from the whitelist above
        params[key] = [str(v) for v in values]
    return sql, params


def scope_clause(unit_scope: str | None) -> tuple[str, dict[str, str]]:
    """The SQL condition (" AND ...", bound ``$scope``) that keeps one unit's complaints: how a
    ``unit`` viewer's row queries are limited (analytics.security.access.Viewer.row_scope). Empty for None."""
    if unit_scope is None:
        return "", {}
    return " AND coalesce(unit_code, unit) = $scope", {"scope": str(unit_scope)}


def complaints_received(
    con: duckdb.DuckDBPyConnection,
    start_utc: pd.Timestamp | None,
    end_utc: pd.Timestamp | None,
    filters: dict[str, list[str]] | None = None,
    unit_scope: str | None = None,
) -> pd.DataFrame:
    """Complaints received in [start_utc, end_utc) (either bound may be None), with READ_COLUMNS.

    ``unit_scope`` (a unit code, as ``units_in_store`` lists it) keeps only that unit's
    complaints: how a ``unit`` viewer's row queries are limited (analytics.security.access.Viewer.row_scope).
    """
    where, params = filter_clause(filters)
    params["lo"] = None if start_utc is None else start_utc.to_pydatetime()
    params["hi"] = None if end_utc is None else end_utc.to_pydatetime()
    scope, scope_params = scope_clause(unit_scope)
    where += scope
    params |= scope_params
    sql = (
        _SELECT
        + " WHERE ($lo IS NULL OR received_at >= $lo) AND ($hi IS NULL OR received_at < $hi)"
        + where
    )
    return fetch_frame(con, sql, params)


def fetch_frame(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> pd.DataFrame:
    """Run a query into pandas through Arrow: about twice as fast as ``.df()`` at a million rows
    (DuckDB 2.0's ``.df()`` converts TIMESTAMPTZ through Python objects)."""
    table = con.sql(sql, params=params).to_arrow_table()
    return table.to_pandas(types_mapper=_ARROW_TYPES.get)


_RECEIVED_IN = "received_at >= $lo AND received_at < $hi"


def _bounds(start_utc: pd.Timestamp, end_utc: pd.Timestamp) -> dict[str, object]:
    return {"lo": start_utc.to_pydatetime(), "hi": end_utc.to_pydatetime()}


def placed_points(
    con: duckdb.DuckDBPyConnection, start_utc: pd.Timestamp, end_utc: pd.Timestamp, columns: tuple[str, ...],
    limit: int, filters: dict[str, list[str]] | None = None, unit_scope: str | None = None,
) -> pd.DataFrame:
    """The first ``limit`` complaints received in [start_utc, end_utc) that have coordinates, in
    store order, with only ``columns`` (READ_COLUMNS names): what a map draws, without loading
    the period's other rows."""
    bad = [c for c in columns if c not in READ_COLUMNS]
    if bad:
        raise ValueError(f"not a metric column: {bad}")
    where, params = filter_clause(filters)
    scope, scope_params = scope_clause(unit_scope)
    params |= scope_params | _bounds(start_utc, end_utc) | {"limit": int(limit)}
    sql = ("SELECT " + ", ".join(f'"{c}"' for c in columns) + " FROM complaints WHERE " + _RECEIVED_IN
           + " AND lat IS NOT NULL AND lon IS NOT NULL" + where + scope + " ORDER BY rowid LIMIT $limit")
    return fetch_frame(con, sql, params)


def desa_counts(con: duckdb.DuckDBPyConnection, start_utc: pd.Timestamp, end_utc: pd.Timestamp) -> pd.DataFrame:
    """desa_code, desa, complaints: complaints received in [start_utc, end_utc) per known desa,
    ordered by code and name."""
    sql = ("SELECT desa_code, desa, count(*) AS complaints FROM complaints WHERE " + _RECEIVED_IN
           + " AND desa_code IS NOT NULL AND desa IS NOT NULL GROUP BY desa_code, desa ORDER BY desa_code, desa")
    return fetch_frame(con, sql, _bounds(start_utc, end_utc))


def count_without_kecamatan(con: duckdb.DuckDBPyConnection, start_utc: pd.Timestamp, end_utc: pd.Timestamp) -> int:
    """Complaints received in [start_utc, end_utc) with no matched kecamatan (not on the map)."""
    sql = "SELECT count(*) FROM complaints WHERE " + _RECEIVED_IN + " AND kecamatan_code IS NULL"
    return int(con.execute(sql, _bounds(start_utc, end_utc)).fetchall()[0][0])


def counts_by(
    con: duckdb.DuckDBPyConnection, start_utc: pd.Timestamp, end_utc: pd.Timestamp, column: str,
    filters: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """``column``, complaints: complaints received in [start_utc, end_utc) per value of a
    FILTERABLE column (missing values as one NaN group, last), ordered by value."""
    col = FILTERABLE.get(column)
    if col is None:
        raise ValueError(f"cannot count by {column!r}; allowed: {', '.join(FILTERABLE)}")
    where, params = filter_clause(filters)
    sql = (f'SELECT "{col}" AS "{column}", count(*) AS complaints FROM complaints WHERE ' + _RECEIVED_IN + where
           + ' GROUP BY 1 ORDER BY 1 NULLS LAST')
    return fetch_frame(con, sql, params | _bounds(start_utc, end_utc))


def count_received(
    con: duckdb.DuckDBPyConnection, start_utc: pd.Timestamp, end_utc: pd.Timestamp,
    filters: dict[str, list[str]] | None = None, unit_scope: str | None = None,
) -> int:
    """How many rows complaints_received would return for the same arguments, without reading them."""
    where, params = filter_clause(filters)
    scope, scope_params = scope_clause(unit_scope)
    sql = "SELECT count(*) FROM complaints WHERE " + _RECEIVED_IN + where + scope
    return int(con.execute(sql, params | scope_params | _bounds(start_utc, end_utc)).fetchall()[0][0])


def received_span(con: duckdb.DuckDBPyConnection) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """(first, last) receipt time in the store, UTC; (None, None) when it is empty."""
    row = con.execute("SELECT min(received_at), max(received_at) FROM complaints").fetchall()[0]
    return tuple(None if v is None else pd.Timestamp(v).tz_convert("UTC") for v in row)  # type: ignore[return-value]


def units_in_store(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Units that have complaints: code, name, complaints; most complaints first.

    Units without a registry code (unknown names, regions without a registry) are listed under
    their name as code.
    """
    return con.execute(
        "SELECT coalesce(unit_code, unit) AS code, any_value(unit) AS name, count(*) AS complaints "
        "FROM complaints WHERE coalesce(unit_code, unit) IS NOT NULL GROUP BY 1 ORDER BY 3 DESC, 1"
    ).df()


def short_names(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Unit code -> short name ("Dinas PUPR") from the store's regency registry, for phones."""
    slug = get_meta(con, "region")
    if not slug:
        return {}
    units = load_region(slug).units
    return dict(zip(units["code"], units["short_name"]))


def find_unit(con: duckdb.DuckDBPyConnection, unit: str) -> tuple[str, str | None, str | None] | None:
    """(name, code, kind) of the unit whose code or name is ``unit``; None when no complaint has it."""
    rows = con.execute(
        "SELECT unit, unit_code, unit_kind FROM complaints WHERE unit_code = $u OR unit = $u LIMIT 1", {"u": unit}
    ).fetchall()
    return rows[0] if rows else None


# One fixed query per filterable column the analyst's filter widgets offer: the column names are
# code, never input.
_DISTINCT_SQL: dict[str, str] = {
    name: 'SELECT DISTINCT "' + name + '" FROM complaints WHERE "' + name + '" IS NOT NULL ORDER BY 1'
    for name in ("unit", "kecamatan", "category", "channel", "status", "classification")
}


def filter_options(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Distinct values of each filterable column (for the analyst's filter widgets)."""
    return {name: [r[0] for r in con.execute(sql).fetchall()] for name, sql in _DISTINCT_SQL.items()}


# --- One unit's complaints as rows, personal fields included ---------------------------------
# One unit's complaints as rows, with the fields a person reads (and the personal ones, which the
# caller masks with analytics.security.privacy before anything is shown).
#
# This is the only read in Pantau that selects personal fields for display. It always names one unit
# (bound as ``$unit``), so a ``unit`` viewer's list can only ever be its own: the dashboard passes
# the viewer's own unit code, never one from the URL (ui/access.py).
# A page reads the newest complaints; older ones are found by narrowing the period.
LIST_LIMIT = 200
LIST_COLUMNS: tuple[str, ...] = (
    "source_id", "received_at", "status", "category", "channel", "kecamatan", "desa", "anonymous",
    "confidential", "reporter_name", "reporter_contact", "text",
)


@dataclass(frozen=True)
class ComplaintList:
    rows: pd.DataFrame  # LIST_COLUMNS, newest first
    limit: int
    truncated: bool  # the period holds more than ``limit`` complaints of the unit


def unit_complaints(
    con: duckdb.DuckDBPyConnection,
    unit: str,
    start_utc: pd.Timestamp | None,
    end_utc: pd.Timestamp | None,
    limit: int = LIST_LIMIT,
) -> ComplaintList:
    """The complaints of unit ``unit`` (code, or name for units without a registry code) received
    in [start_utc, end_utc), newest first, at most ``limit``. Personal fields are NOT masked here."""
    cols = ", ".join(f'"{c}"' for c in LIST_COLUMNS)  # fixed list above, not input
    frame = con.execute(
        "SELECT " + cols + " FROM complaints WHERE coalesce(unit_code, unit) = $unit "
        "AND ($lo IS NULL OR received_at >= $lo) AND ($hi IS NULL OR received_at < $hi) "
        "ORDER BY received_at DESC, source_id LIMIT $n",
        {
            "unit": str(unit),
            "lo": None if start_utc is None else start_utc.to_pydatetime(),
            "hi": None if end_utc is None else end_utc.to_pydatetime(),
            "n": int(limit) + 1,
        },
    ).df()
    return ComplaintList(rows=frame.head(limit).reset_index(drop=True), limit=limit, truncated=len(frame) > limit)
