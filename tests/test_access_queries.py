"""Complaint-row reads limited to a unit in SQL (``unit_scope``), on the hand-written role store:
the rows are the unit's own, and the regency-wide figures next to them do not change."""

from __future__ import annotations

import functools
from datetime import date

import pandas as pd
import pytest

from analytics import screens
from analytics.rules.periods import Period
from analytics.rules.policy import load_policy
from analytics.store import connect
from analytics.store.reads import complaints_received, unit_complaints
from tests.role_fixtures import OWN_IDS, SNAPSHOT, role_store  # noqa: F401 - pytest fixture

PERIOD = Period(date(2025, 11, 1), date(2025, 11, 20))
AS_OF = SNAPSHOT.tz_convert("UTC")


@pytest.fixture
def con(role_store):
    c = connect(role_store, read_only=True)
    yield c
    c.close()


def test_complaints_received_with_a_scope(con):
    assert set(complaints_received(con, None, None, unit_scope="DINKES")["source_id"]) == set(OWN_IDS["DINKES"])
    assert len(complaints_received(con, None, None)) == 6
    assert complaints_received(con, None, None, unit_scope="' OR 1=1 --").empty  # bound, never SQL


def test_breaches_for_a_unit_viewer(con):
    all_ids = set(screens.breaches_for(con, period=PERIOD, as_of=AS_OF, policy=load_policy(None))["id"])
    own = set(screens.breaches_for(con, period=PERIOD, as_of=AS_OF, policy=load_policy(None), unit_scope="DISHUB")["id"])
    assert {"KES-1", "HUB-1", "CKB-1"} <= all_ids
    assert own == {"HUB-1"}  # HUB-2 was resolved on time


def test_map_points_are_scoped_but_areas_are_not(con):
    whole = screens.map_view(con, PERIOD, AS_OF, load_policy(None))
    mine = screens.map_view(con, PERIOD, AS_OF, load_policy(None), unit_scope="DINKES")
    assert len(whole.points) == 6 and len(mine.points) == 3
    pd.testing.assert_frame_equal(whole.kecamatan, mine.kecamatan)


def test_unit_view_of_another_unit_keeps_figures_and_drops_rows(con):
    own = screens.unit_view(con, "DISHUB", PERIOD, AS_OF, load_policy(None), unit_scope="DISHUB")
    other = screens.unit_view(con, "DISHUB", PERIOD, AS_OF, load_policy(None), unit_scope="DINKES")
    assert not own.rows_hidden and len(own.points) == 2 and set(own.open_breaches["source_id"]) == {"HUB-1"}
    assert other.rows_hidden and other.points.empty and other.open_breaches.empty
    assert other.row["complaints"] == own.row["complaints"] == 2


def test_weekly_review_rows_are_scoped(con):
    whole = screens.weekly_review(con, "2025-W45", AS_OF, load_policy(None))
    mine = screens.weekly_review(con, "2025-W45", AS_OF, load_policy(None), unit_scope="KEC-321608")
    assert {"KES-1", "HUB-1"} <= set(whole.oldest_open["source_id"])
    assert set(mine.oldest_open["source_id"]) == {"CKB-1"}
    pd.testing.assert_frame_equal(whole.opd.table, mine.opd.table)


def test_unit_complaints_lists_one_unit_newest_first_with_a_cap(con):
    lst = unit_complaints(con, "DINKES", None, None)
    assert list(lst.rows["source_id"]) == ["KES-3", "KES-2", "KES-1"] and not lst.truncated
    capped = unit_complaints(con, "DINKES", None, None, limit=2)
    assert len(capped.rows) == 2 and capped.truncated


def test_count_received_counts_what_complaints_received_reads(con):
    from analytics.store.reads import count_received

    lo, hi = PERIOD.utc_bounds("Asia/Jakarta")
    for filters, scope in ((None, None), (None, "DINKES"), ({"unit_kind": ["camat"]}, None), (None, "' OR 1=1 --")):
        assert count_received(con, lo, hi, filters, unit_scope=scope) == len(
            complaints_received(con, lo, hi, filters, unit_scope=scope)), (filters, scope)


def test_rows_download_read_on_press_is_scoped_and_audited(role_store, tmp_path):
    """Analisis reads the rows download only when pressed, on a cursor of its own: the file holds
    the viewer's rows and the audit row counts them."""
    import shutil

    from analytics.security.access import Viewer
    from analytics.store import connect as connect_rw
    from ui import analisis_ui, downloads

    lo, hi = PERIOD.utc_bounds("Asia/Jakarta")
    copy = tmp_path / "roles.duckdb"  # the audit row goes to a copy: the session store stays as built
    shutil.copy(role_store, copy)
    rw = connect_rw(copy)
    try:
        read = functools.partial(analisis_ui._read_rows, rw, lo, hi, {}, "DINKES")
        assert set(read()["source_id"]) == set(OWN_IDS["DINKES"])
        viewer = Viewer(role="unit", unit="DINKES", email="u@x.id")
        data = downloads.file_payload(rw, viewer, read, "csv", sheet="aduan", file_name="x.csv", what="aduan", tz=None)
        assert data.decode("utf-8-sig").count("\n") == len(OWN_IDS["DINKES"]) + 1
        logged = rw.execute("SELECT detail FROM audit_log WHERE action = 'download'").fetchall()
        assert f'"rows": {len(OWN_IDS["DINKES"])}' in logged[-1][0]
    finally:
        rw.close()
