"""Mapping files grown up (docs/mapping-files.md): a field joins a date and a time column, [areas]
names a place as the regency spells it, and a refusal names the mapping key that failed."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics.importers.errors import RefusedFile
from analytics.importers.ingest import import_file

MAPPING = """
[source]
name = "kc-311"
timezone = "Asia/Jakarta"
region = "kab-bekasi"

[columns]
source_id = "CASE ID"
received_at = ["CREATION DATE", "CREATION TIME"]
resolved_at = ["CLOSED DATE", "CLOSED TIME"]
status = "STATUS"
kecamatan = "NEIGHBORHOOD"

[formats]
datetime = ["%m/%d/%Y %I:%M %p"]

[areas]
"Cikarang Brt (Kec" = "Cikarang Barat"
"""


def _files(tmp_path, mapping: str = MAPPING):
    (tmp_path / "kc.toml").write_text(mapping, encoding="utf-8")
    (tmp_path / "kc.csv").write_text(
        "CASE ID,CREATION DATE,CREATION TIME,CLOSED DATE,CLOSED TIME,STATUS,NEIGHBORHOOD\n"
        "2015001,06/02/2025,08:15 AM,06/05/2025,02:30 PM,RESOLVED,Cikarang Brt (Kec\n"
        "2015002,06/02/2025,11:40 PM,,,OPEN,Tambun Selatan\n", encoding="utf-8")
    return tmp_path / "kc.csv", tmp_path / "kc.toml"


def test_a_date_column_and_a_time_column_make_one_time(con, tmp_path) -> None:
    csv, mapping = _files(tmp_path)
    report = import_file(con, csv, mapping=mapping)
    assert report.rows_new == 2 and report.rows_quarantined == 0
    got = con.execute("SELECT source_id, received_at, resolved_at, kecamatan_code, kecamatan_raw FROM complaints "
                      "ORDER BY source_id").df()
    assert pd.Timestamp(got["received_at"][0]) == pd.Timestamp("2025-06-02 08:15", tz="Asia/Jakarta")
    assert pd.Timestamp(got["resolved_at"][0]) == pd.Timestamp("2025-06-05 14:30", tz="Asia/Jakarta")
    assert pd.Timestamp(got["received_at"][1]) == pd.Timestamp("2025-06-02 23:40", tz="Asia/Jakarta")
    # [areas]: the cut name is matched as the kecamatan it names, and kept as written.
    assert got["kecamatan_code"][0] == "32.16.08" and got["kecamatan_raw"][0] == "Cikarang Brt (Kec"


def test_a_missing_column_names_the_mapping_key(con, tmp_path) -> None:
    csv, mapping = _files(tmp_path, MAPPING.replace('"CLOSED TIME"', '"CLOSE TIME"'))
    with pytest.raises(RefusedFile, match=r"\[columns\] resolved_at = 'CLOSE TIME'"):
        import_file(con, csv, mapping=mapping)


def test_a_column_list_must_hold_names(tmp_path) -> None:
    from analytics.importers.mapping import load_mapping

    (tmp_path / "bad.toml").write_text(MAPPING.replace('["CREATION DATE", "CREATION TIME"]', "[1, 2]"))
    with pytest.raises(ValueError, match=r"\[columns\] received_at must be a column name"):
        load_mapping(tmp_path / "bad.toml")


def test_the_sources_deadline_and_verdict_are_kept_and_a_policy_may_take_the_deadline(con, tmp_path) -> None:
    """A 311 export says when each request was due and whether it was on time. Pantau keeps both,
    and a policy with `source_deadline = true` judges that stage against the source's deadline."""
    from analytics.metrics.clock import clock_in_store
    from analytics.rules.policy import load_policy

    # Dispatched on receipt (a 311 desk routes at once): the resolution stage starts then.
    mapping = MAPPING.replace('status = "STATUS"', 'status = "STATUS"\ndue_at = "DUE DATE"\nsource_on_time = "ON TIME"\n'
                              'dispatched_at = ["CREATION DATE", "CREATION TIME"]')
    (tmp_path / "due.toml").write_text(mapping, encoding="utf-8")
    (tmp_path / "due.csv").write_text(
        "CASE ID,CREATION DATE,CREATION TIME,CLOSED DATE,CLOSED TIME,STATUS,NEIGHBORHOOD,DUE DATE,ON TIME\n"
        # Closed Thu 5 Jun 14.30; the source gave it until Wed 4 Jun 17.00 and calls it late.
        "D1,06/02/2025,08:15 AM,06/05/2025,02:30 PM,RESOLVED,Cibitung,06/04/2025 05:00 PM,N\n"
        # No deadline from the source: the policy's own limit (penyelesaian 14 working days) applies.
        "D2,06/02/2025,08:15 AM,06/05/2025,02:30 PM,RESOLVED,Cibitung,,\n", encoding="utf-8")
    import_file(con, tmp_path / "due.csv", mapping=tmp_path / "due.toml")
    kept = con.execute("SELECT source_id, due_at, source_on_time FROM complaints ORDER BY source_id").fetchall()
    assert pd.Timestamp(kept[0][1]) == pd.Timestamp("2025-06-04 17:00", tz="Asia/Jakarta") and kept[0][2] is False
    assert kept[1][1] is None and kept[1][2] is None

    policy = tmp_path / "source-due.toml"
    policy.write_text('name = "source-due"\nlabel = "L"\ndescription = "d"\nreference = "r"\n'
                      "[stages.penyelesaian]\ndays = 14\nsource_deadline = true\n", encoding="utf-8")
    lo, hi = pd.Timestamp("2025-06-01", tz="UTC"), pd.Timestamp("2025-07-01", tz="UTC")
    clock = clock_in_store(con, lo, hi, pd.Timestamp("2025-07-01", tz="UTC"), load_policy(policy))
    states = dict(zip(clock["source_id"], clock["state"].astype("str"), strict=True))
    assert states == {"D1": "late", "D2": "on_time"}
    d1 = clock.set_index("source_id").loc["D1"]
    assert d1["deadline"] == pd.Timestamp("2025-06-04 17:00", tz="Asia/Jakarta")


def test_source_deadline_must_be_a_yes_or_no(tmp_path) -> None:
    from analytics.rules.policy import load_policy

    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\nlabel = "L"\ndescription = "d"\n[stages.penyelesaian]\ndays = 5\n'
                   'source_deadline = "ya"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="source_deadline must be true or false"):
        load_policy(bad)
