"""The floor: what one hand-written DuckDB query costs for the league's numbers (floor.sql).

The working-day table is precomputed once per connection (a TEMP table, so the store is never
written) from the calendar's holiday list; its cost is reported apart from the query's.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

FLOOR_SQL = Path(__file__).with_name("floor.sql")


def working_day_frame(holidays: np.ndarray, extra_workdays: np.ndarray, first: np.datetime64,
                      last: np.datetime64, weekmask: str = "1111100") -> pd.DataFrame:
    """day, cum (working days from ``first`` up to and including day), is_work."""
    days = np.arange(first, last + np.timedelta64(1, "D"), dtype="datetime64[D]")
    work = np.is_busday(days, weekmask=weekmask, holidays=holidays) | np.isin(days, extra_workdays)
    return pd.DataFrame({"day": days, "cum": np.cumsum(work, dtype=np.int64), "is_work": work})


def create_working_days(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    con.register("bench_workdays_src", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE bench_workdays AS "
                "SELECT CAST(day AS DATE) AS day, cum, is_work FROM bench_workdays_src")
    con.unregister("bench_workdays_src")


def floor_league(con: duckdb.DuckDBPyConnection, *, kind: str, lo: pd.Timestamp, hi: pd.Timestamp,
                 as_of: pd.Timestamp, tz: str = "Asia/Jakarta", limit_days: int = 5) -> pd.DataFrame:
    """Run floor.sql: one row per unit of the ``kind`` league with the compared numbers."""
    params = {"lo": lo.to_pydatetime(), "hi": hi.to_pydatetime(), "as_of": as_of.to_pydatetime(),
              "tz": tz, "kind": kind, "limit_days": limit_days}
    return con.execute(FLOOR_SQL.read_text(encoding="utf-8"), params).df()
