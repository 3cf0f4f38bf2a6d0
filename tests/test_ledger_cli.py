"""``python -m analytics ledger``: the interface a BKPSDM script uses (docs/ledger.md).

The hand case of tests/test_ledger.py; roles come from a users file (``--by EMAIL``). Bad input
exits 2 with a message that names the problem, and changes nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analytics import store
from analytics.importers.ingest import import_file
from tests.helpers import template_csv
from tests.test_ledger import AS_OF, ROWS

ROOT = Path(__file__).resolve().parents[1]
USERS = """
[[user]]
email = "analis@bekasikab.go.id"
role = "analis"
[[user]]
email = "bupati@bekasikab.go.id"
role = "pimpinan"
[[user]]
email = "dinkes@bekasikab.go.id"
role = "unit"
unit = "DINKES"
[[user]]
email = "dishub@bekasikab.go.id"
role = "unit"
unit = "DISHUB"
"""
SHOW_KEYS = {"month", "version", "closed_at", "policy", "policy_sha256", "content_sha256", "units"}
UNIT_KEYS = {"unit", "unit_code", "due", "on_time", "counted", "appealed", "accepted", "final_counted",
             "final_on_time_pct", "tier", "cases"}
CASE_KEYS = {"id", "stage", "deadline", "ended_at", "state", "working_days_over", "time_basis", "appeal"}


@pytest.fixture
def env(tmp_path):
    db = tmp_path / "pantau.duckdb"
    con = store.connect(db)
    import_file(con, template_csv(tmp_path / "oktober.csv", ROWS), region="kab-bekasi", snapshot_at=AS_OF,
                now=AS_OF.to_pydatetime())
    con.close()
    users = tmp_path / "users.toml"
    users.write_text(USERS, encoding="utf-8")
    return {"db": db, "env": {**os.environ, "PANTAU_USERS": str(users), "PYTHONPATH": str(ROOT)}}


def _cli(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analytics", "ledger", *args, "--db", str(env["db"])], cwd=ROOT,
                          env=env["env"], capture_output=True, text=True, timeout=120)


def _ledger_rows(env) -> tuple[int, int, int]:
    con = store.connect(env["db"], read_only=True)
    try:
        return con.execute("SELECT (SELECT count(*) FROM ledger_versions), (SELECT count(*) FROM ledger_appeals), "
                           "(SELECT count(*) FROM ledger_appeals WHERE decision IS NOT NULL)").fetchall()[0]
    finally:
        con.close()


def test_close_show_appeal_decide_reopen_through_the_cli(env):
    closed = _cli(env, "close", "--month", "2025-10", "--by", "analis@bekasikab.go.id", "--format", "json")
    assert closed.returncode == 0, closed.stderr
    doc = json.loads(closed.stdout)
    assert SHOW_KEYS <= set(doc) and doc["version"] == 1
    dinkes = next(u for u in doc["units"] if u["unit_code"] == "DINKES")
    assert UNIT_KEYS <= set(dinkes) and all(CASE_KEYS <= set(c) for c in dinkes["cases"])
    assert (dinkes["due"], dinkes["on_time"], dinkes["counted"], dinkes["final_on_time_pct"]) == (4, 1, 3, 25.0)

    added = _cli(env, "appeal", "add", "--month", "2025-10", "--id", "B", "--stage", "tindak_lanjut", "--reason",
                 "waktu_salah", "--text", "Surat 10 Okt", "--by", "dinkes@bekasikab.go.id")
    assert added.returncode == 0, added.stderr
    appeal_id = int(added.stdout.strip())
    decided = _cli(env, "appeal", "decide", str(appeal_id), "--accept", "--note", "terbukti",
                   "--by", "analis@bekasikab.go.id")
    assert decided.returncode == 0 and "diterima" in decided.stdout, decided.stderr

    shown = json.loads(_cli(env, "show", "--month", "2025-10", "--format", "json").stdout)
    dinkes = next(u for u in shown["units"] if u["unit_code"] == "DINKES")
    assert (dinkes["appealed"], dinkes["accepted"], dinkes["final_counted"], dinkes["final_on_time_pct"]) == (1, 1, 2, 33.3)
    b = next(c for c in dinkes["cases"] if c["id"] == "B")
    assert b["appeal"]["decision"] == "accepted" and b["appeal"]["decided_by"] == "analis@bekasikab.go.id"
    assert shown["content_sha256"] == doc["content_sha256"]  # appeals do not change the frozen content

    own = json.loads(_cli(env, "show", "--month", "2025-10", "--format", "json", "--by", "dinkes@bekasikab.go.id").stdout)
    assert [u["unit_code"] for u in own["units"]] == ["DINKES"]

    table = _cli(env, "show", "--month", "2025-10")
    assert table.returncode == 0
    assert "14 Okt 2025 23.59" in table.stdout and "33,3" in table.stdout and "Kelas" in table.stdout

    reopened = _cli(env, "reopen", "--month", "2025-10", "--reason", "ekspor baru memperbaiki waktu C",
                    "--by", "analis@bekasikab.go.id")
    assert reopened.returncode == 0, reopened.stderr
    again = json.loads(_cli(env, "close", "--month", "2025-10", "--format", "json").stdout)
    assert again["version"] == 2 and [v["version"] for v in again["versions"]] == [1, 2]
    old = json.loads(_cli(env, "show", "--month", "2025-10", "--version", "1", "--format", "json").stdout)
    assert old["reopened"]["reason"] == "ekspor baru memperbaiki waktu C"

    audit = subprocess.run([sys.executable, "-m", "analytics", "audit", "--db", str(env["db"]), "--action", "ledger",
                            "--format", "json"], cwd=ROOT, env=env["env"], capture_output=True, text=True, timeout=60)
    who = [e["who"] for e in json.loads(audit.stdout)][::-1]
    assert who[:4] == ["analis@bekasikab.go.id", "dinkes@bekasikab.go.id", "analis@bekasikab.go.id",
                       "analis@bekasikab.go.id"] and who[4].startswith("cli:")


@pytest.mark.parametrize(("args", "problem"), [
    (("show", "--month", "2025-10"), "belum ditutup"),
    (("appeal", "add", "--month", "2025-10", "--id", "B", "--stage", "tindak_lanjut", "--reason", "lainnya",
      "--text", "x", "--by", "dinkes@bekasikab.go.id"), "tidak sedang ditutup"),
    (("close", "--month", "2025-11"), "belum berakhir"),
    (("close", "--month", "2025-10", "--by", "bupati@bekasikab.go.id"), "hanya analis"),
    (("close", "--month", "2025-10", "--by", "orang@lain.id"), "tidak terdaftar"),
    (("close", "--month", "Oktober"), "bulan"),
])
def test_refusals_before_a_close_exit_2_and_change_nothing(env, args, problem):
    result = _cli(env, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert problem in result.stderr and "Traceback" not in result.stderr
    assert _ledger_rows(env) == (0, 0, 0)


@pytest.mark.parametrize(("args", "problem"), [
    (("appeal", "add", "--month", "2025-10", "--id", "B", "--stage", "tindak_lanjut", "--reason", "lainnya",
      "--text", "x", "--by", "dishub@bekasikab.go.id"), "bukan kasus unit Anda"),
    (("appeal", "add", "--month", "2025-10", "--id", "NOPE", "--stage", "tindak_lanjut", "--reason", "lainnya",
      "--text", "x", "--by", "dinkes@bekasikab.go.id"), "tidak ada di buku"),
    (("appeal", "decide", "1", "--accept", "--note", "x", "--by", "analis@bekasikab.go.id"), "tidak ada"),
    (("show", "--month", "2025-10", "--unit", "DINKES", "--by", "dishub@bekasikab.go.id"), "unitnya sendiri"),
    (("reopen", "--month", "2025-10", "--reason", "pendek"), "alasan"),
    (("close", "--month", "2025-10"), "sudah ditutup"),
])
def test_refusals_after_a_close_exit_2_and_change_nothing(env, args, problem):
    assert _cli(env, "close", "--month", "2025-10").returncode == 0
    result = _cli(env, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert problem in result.stderr and "Traceback" not in result.stderr
    assert _ledger_rows(env) == (1, 0, 0)


def test_an_appeal_after_the_window_and_a_second_decision_are_refused(env):
    assert _cli(env, "close", "--month", "2025-10", "--appeal-days", "0").returncode == 0
    late = _cli(env, "appeal", "add", "--month", "2025-10", "--id", "B", "--stage", "tindak_lanjut", "--reason",
                "lainnya", "--text", "x", "--by", "dinkes@bekasikab.go.id")
    # closed today with 0 working days: the window ends tonight, so this appeal is still in time ...
    assert late.returncode == 0, late.stderr
    con = store.connect(env["db"])
    try:  # ... and one whose window ended yesterday is not
        con.execute("UPDATE ledger_versions SET appeal_until = $t", {"t": pd.Timestamp.now(tz="UTC") - pd.Timedelta(days=1)})
    finally:
        con.close()
    refused = _cli(env, "appeal", "add", "--month", "2025-10", "--id", "D", "--stage", "tindak_lanjut", "--reason",
                   "lainnya", "--text", "x", "--by", "dinkes@bekasikab.go.id")
    assert refused.returncode == 2 and "masa keberatan" in refused.stderr
    appeal_id = late.stdout.strip()
    first = _cli(env, "appeal", "decide", appeal_id, "--reject", "--note", "tidak", "--by", "analis@bekasikab.go.id")
    second = _cli(env, "appeal", "decide", appeal_id, "--accept", "--note", "ya", "--by", "analis@bekasikab.go.id")
    assert first.returncode == 0 and second.returncode == 2 and "sudah diputus" in second.stderr
    assert _ledger_rows(env) == (1, 1, 1)
