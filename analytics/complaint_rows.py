"""One unit's complaints as rows, with the fields a person reads (and the personal ones, which the
caller masks with analytics.privacy before anything is shown).

This is the only read in Pantau that selects personal fields for display. It always names one unit
(bound as ``$unit``), so a ``unit`` viewer's list can only ever be its own: the dashboard passes
the viewer's own unit code, never one from the URL (ui/access.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

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
