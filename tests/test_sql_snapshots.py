"""Snapshots of the metric SQL the builders generate for a few groupings (ibis-style ``out.sql``).

The SQL is generated in Python (analytics/metrics/groups_sql.py over clock_sql's setup); a change
to the text shows up here as a diff to read, not only as changed numbers. Values are bound
(``$name``), so the text does not depend on the period, the policy or the moment. After an
intended change, regenerate with ``PANTAU_UPDATE_SNAPSHOTS=1 ./test.sh tests/test_sql_snapshots.py``
and read the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from analytics.metrics import clock_sql, groups_sql
from analytics.metrics.clock import policy_calendar
from analytics.rules.policy import load_policy

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots" / "sql"
GROUPINGS = {"opd": "opd", "verifikator": "verifikator", "kecamatan": "kecamatan", "category-week": ("category", "week")}


def _sql(by: str | tuple[str, ...]) -> str:
    policy = load_policy("sp4n-lapor")
    setup = clock_sql.calendar_setup(policy_calendar(policy), policy.timezone, pd.Timestamp("2025-11-20", tz="UTC"))
    verifier = by == "verifikator"
    return groups_sql.group_metrics_sql(
        groups_sql.complaint_aggregates(setup, "complaints", by, verifier),
        groups_sql.state_aggregates(setup, "clock", by, verifier),
    )


@pytest.mark.parametrize("name", GROUPINGS)
def test_group_metrics_sql_matches_its_snapshot(name):
    got = _sql(GROUPINGS[name]).strip() + "\n"
    path = SNAPSHOTS / f"group_metrics-{name}.sql"
    if os.environ.get("PANTAU_UPDATE_SNAPSHOTS") == "1":
        path.write_text(got, encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: run with PANTAU_UPDATE_SNAPSHOTS=1 once"
    assert got == path.read_text(encoding="utf-8")


def test_the_generated_sql_binds_values_and_never_inlines_the_moment():
    sql = _sql("opd")
    assert "2025-11-20" not in sql and "$" in sql
