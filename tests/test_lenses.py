"""The three lenses on a hand-built store, each case worked out by hand (docs/metrics.md, "Lenses").

Policy SP4N-LAPOR!: verifikasi 3 working days from receipt, tindak lanjut 5 working days from
dispatch; a deadline is the end of the n-th working day after the start's local date. November
2025 has no national holiday. The period is ISO week 2025-W46 (Mon 10 - Sun 16 Nov); the data
moment is Thu 20 Nov 2025 12.00 WIB.

  A  received+dispatched Mon 3 Nov, answered Wed 5 Nov: tindak lanjut due Mon 10 Nov, on time.
     Received before the week, due inside it.
  B  received+dispatched Fri 14 Nov, answered Mon 17 Nov: due Fri 21 Nov, on time.
     Received inside the week, due after it.
  C  received+dispatched Wed 1 Oct, never answered: due Wed 8 Oct, open past it now.
  D  received Mon 10 Nov, never verified: verifikasi due Thu 13 Nov, open past it now (the verifier's).
  E  received+dispatched Thu 13 Nov, not answered: due Thu 20 Nov, at risk now.
  F  received+dispatched Tue 4 Nov, answered Thu 13 Nov: due Tue 11 Nov, late, due inside the week.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from analytics import screens
from analytics.metrics.breaches import breaches_for
from analytics.metrics.clock import open_counts
from analytics.metrics.league import league_for
from analytics.metrics.summary import open_now
from analytics.rules.periods import iso_week
from analytics.rules.policy import load_policy
from tests.app_fixtures import DEMO_END, demo_file  # noqa: F401 - pytest fixture
from tests.helpers import template_csv

AS_OF = pd.Timestamp("2025-11-20T12:00:00+07:00").tz_convert("UTC")
WEEK = iso_week("2025-W46")
POLICY = load_policy("sp4n-lapor")


def _row(cid, received, status, unit, *, dispatched="", response="") -> str:
    t = lambda d: f"2025-{d}T09:00:00+07:00" if d else ""  # noqa: E731
    return ",".join([cid, t(received), t(dispatched), t(dispatched), t(response), "", status, unit, "Cikarang Barat",
                     "", "Jalan Rusak", "Pengaduan", "WhatsApp", "", "", "", "0"])


ROWS = [
    _row("A", "11-03", "ditindaklanjuti", "Dinas Kesehatan", dispatched="11-03", response="11-05"),
    _row("B", "11-14", "ditindaklanjuti", "Dinas Kesehatan", dispatched="11-14", response="11-17"),
    _row("C", "10-01", "didisposisi", "Dinas Perhubungan", dispatched="10-01"),
    _row("D", "11-10", "menunggu_verifikasi", "Dinas Perhubungan"),
    _row("E", "11-13", "didisposisi", "Dinas Pendidikan", dispatched="11-13"),
    _row("F", "11-04", "ditindaklanjuti", "Dinas Pendidikan", dispatched="11-04", response="11-13"),
]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    from analytics.importers.ingest import import_file
    from analytics.store import connect

    folder = tmp_path_factory.mktemp("lenses")
    rw = connect(folder / "pantau.duckdb")
    import_file(rw, template_csv(folder / "lenses.csv", ROWS), region="kab-bekasi", snapshot_at=AS_OF)
    rw.close()
    c = duckdb.connect(str(folder / "pantau.duckdb"), read_only=True)
    yield c
    c.close()


def _states(league) -> dict[str, int]:
    r = league.regency
    return {s: int(r[s]) for s in ("on_time", "late", "open_overdue", "at_risk", "open")}


def test_due_lens_counts_the_stages_that_fell_due_in_the_week(con):
    league = league_for(con, by="opd", period=WEEK, as_of=AS_OF, policy=POLICY)
    assert league.lens == "due"
    # A (on time, received the week before) and F (late); not B (due next week), not C (due in October).
    assert _states(league) == {"on_time": 1, "late": 1, "open_overdue": 0, "at_risk": 0, "open": 0}
    assert league.regency["on_time_rate"] == pytest.approx(0.5)
    assert int(league.regency["complaints"]) == 3  # volume: B, D and E were received in the week
    by_unit = league.table.set_index("group_code")
    assert int(by_unit.loc["DINKES", "on_time"]) == 1  # A
    assert int(by_unit.loc["DISDIK", "late"]) == 1  # F


def test_received_lens_is_the_weeks_cohort_and_reads_all_well(con):
    """What "Minggu ini" used to say: only B is decided, so 100%."""
    league = league_for(con, by="opd", period=WEEK, as_of=AS_OF, policy=POLICY, lens="received")
    assert _states(league) == {"on_time": 1, "late": 0, "open_overdue": 0, "at_risk": 1, "open": 0}
    assert league.regency["on_time_rate"] == pytest.approx(1.0)


def test_verifier_league_under_the_due_lens(con):
    league = league_for(con, by="verifikator", period=WEEK, as_of=AS_OF, policy=POLICY)
    # Verifications due in W46 (3 working days from receipt): D (due Thu 13 Nov, open past it) and
    # E (received Thu 13 Nov, due Tue 18 Nov: not in the week); A, F due 6-7 Nov; B due 19 Nov.
    assert int(league.regency["open_overdue"]) == 1
    assert int(league.regency["on_time"]) == 0


def test_now_lens_is_every_open_stage_whatever_its_receipt_date(con):
    now = open_now(open_counts(con, AS_OF, POLICY))
    assert (now.overdue, now.at_risk, now.overdue_verifier) == (2, 1, 1)  # C and D; E; D


def test_one_lewat_batas_on_every_surface(con):
    ov = screens.overview(con, WEEK, AS_OF, POLICY)
    kpi = {k.metric: k.value for k in ov.kpis}
    b = breaches_for(con, period=WEEK, as_of=AS_OF, policy=POLICY)
    assert kpi["open_overdue"] == 2 == int((b["state"] == "open_overdue").sum())
    assert sorted(b["id"]) == ["C", "D", "E", "F"]
    assert dict(b.groupby("state").size()) == {"at_risk": 1, "late": 1, "open_overdue": 2}
    owners = dict(zip(b["id"], b["unit"], strict=True))
    assert owners["D"] == "Verifikator (Diskominfo)" and owners["C"].startswith("Dinas Perhubungan")
    # Units with stages open past their deadline now (the verifier's D is not a unit's).
    assert list(ov.most_overdue["group_code"]) == ["DISHUB"]


def test_an_old_period_still_sees_todays_overdue_in_the_now_lens(con):
    """The period does not apply to the now lens: a week with nothing received still shows C."""
    b = breaches_for(con, period=iso_week("2025-W44"), as_of=AS_OF, policy=POLICY)
    assert set(b.loc[b["state"] == "open_overdue", "id"]) == {"C", "D"}


# --- the demo regency ---------------------------------------------------------------------------


def test_demo_this_week_and_last_week_are_not_all_well(demo_file):  # noqa: F811 - pytest fixture
    """Before the due lens, "Minggu ini" read 100% on time with 0 overdue on every demo store."""
    from analytics.rules.periods import resolve_period

    c = duckdb.connect(str(demo_file), read_only=True)
    try:
        as_of = DEMO_END.tz_convert("UTC")
        today = as_of.tz_convert(POLICY.timezone).date()
        this_week = resolve_period("minggu", today)
        monday = this_week.start
        last_week = iso_week(f"{(monday - pd.Timedelta(days=7)).isocalendar().year}-W"
                             f"{(monday - pd.Timedelta(days=7)).isocalendar().week:02d}")
        for period in (this_week, last_week):
            ov = screens.overview(c, period, as_of, POLICY)
            rate = next(k.value for k in ov.kpis if k.metric == "on_time_rate")
            assert rate is not None and rate < 1.0, period
            overdue = next(k.value for k in ov.kpis if k.metric == "open_overdue")
            b = breaches_for(c, period=period, as_of=as_of, policy=POLICY)
            assert overdue == int((b["state"] == "open_overdue").sum()) > 0
    finally:
        c.close()


def test_summary_command_gives_the_hand_numbers_and_the_cards(con, capsys, tmp_path):
    import json

    from analytics.cli import main as cli

    db = con.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchall()[0][0]
    assert cli.main(["summary", "--db", db, "--from", "2025-11-10", "--to", "2025-11-16", "--format", "json"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got["as_of"] == AS_OF.isoformat() and got["lens"] == "due"  # the data moment by default
    assert (got["received"], got["due"], got["due_on_time"], got["due_late"], got["on_time_pct"]) == (3, 2, 1, 1, 50.0)
    assert (got["overdue_now"], got["at_risk_now"]) == (2, 1)
    v = got["by_stage"]["verifikasi"]
    assert (v["due"], v["due_late"], v["on_time_pct"], v["overdue_now"]) == (1, 1, 0.0, 1)  # D
    assert got["coverage"]["tindak_lanjut"]["absent"] == 0
    # The same numbers as the Ringkasan cards for the same period.
    ov = screens.overview(con, WEEK, AS_OF, POLICY)
    card = {k.metric: k.value for k in ov.kpis}
    assert got["on_time_pct"] == pytest.approx(100 * card["on_time_rate"])
    assert got["overdue_now"] == card["open_overdue"] and got["received"] == card["complaints"]
    assert cli.main(["summary", "--db", db, "--from", "2025-11-10", "--to", "2025-11-16"]) == 0
    text = capsys.readouterr().out
    assert "data per 20 Nov 2025 12.00 WIB" in text and "tepat waktu 50,0%" in text


def test_cli_tables_read_like_the_product(con, capsys):
    """Local times without microseconds, words instead of codes, 1.234,5 numbers; --lang en."""
    import re

    from analytics.cli import main as cli

    db = con.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchall()[0][0]
    week = ["--from", "2025-11-10", "--to", "2025-11-16"]
    assert cli.main(["league", "--db", db, *week]) == 0
    text = capsys.readouterr().out
    assert "per 20 Nov 2025 12.00 WIB" in text and "Tepat waktu (%)" in text and "50,0" in text
    assert cli.main(["breaches", "--db", db, *week]) == 0
    text = capsys.readouterr().out
    assert "Batas waktu (WIB)" in text and "Lewat batas" in text and "Verifikator (Diskominfo)" in text
    assert "open_overdue" not in text and not re.search(r"\d{2}:\d{2}:\d{2}\.\d+|\+00:00", text)
    assert re.search(r"8 Okt 2025 23\.59", text)  # C's deadline, in WIB
    assert cli.main(["league", "--db", db, *week, "--lang", "en"]) == 0
    assert "On time (%)" in capsys.readouterr().out


def test_unit_travels_as_a_code_below_the_cli(con, capsys):
    import json

    from analytics.cli import main as cli

    db = con.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchall()[0][0]
    name = con.execute("SELECT unit FROM complaints WHERE unit_code = 'DISHUB' LIMIT 1").fetchall()[0][0]
    ids = []
    for unit in ("DISHUB", name):
        assert cli.main(["breaches", "--db", db, "--unit", unit, "--format", "json"]) == 0
        ids.append(sorted(r["id"] for r in json.loads(capsys.readouterr().out)))
    assert ids[0] == ids[1] == ["C"]  # D is the verifier's, not Dishub's
    assert breaches_for(con, period=WEEK, as_of=AS_OF, policy=POLICY, unit=name).empty  # below the CLI: codes
    assert cli.main(["breaches", "--db", db, "--unit", "Dinas Entah"]) == 2
    assert "Dinas Entah" in capsys.readouterr().err
