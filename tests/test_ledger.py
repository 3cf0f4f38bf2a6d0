"""The Tukin ledger (analytics/ledger, docs/ledger.md): a hand-computed month, appeals, a later
import that does not change a closed month, reopen and re-close, concurrent decisions, the audit log.

Hand case, Kab. Bekasi, policy sp4n-lapor (verify within 3 working days, follow up within 5),
October 2025 (no holidays), every time reported by the source, judged as of 5 Nov 2025 12.00 WIB:

    id  received     dispatched        first response   verifikasi (deadline)   tindak lanjut (deadline)
    A   Wed 1 Oct    Thu 2 Oct 10.00   Fri 3 Oct        on time (Mon 6 Oct)      on time (Thu 9 Oct)
    B   Mon 6 Oct    Tue 7 Oct 10.00   Fri 24 Oct       on time (Thu 9 Oct)      late, 8 wd over (Tue 14 Oct)
    C   Mon 13 Oct   Tue 14 Oct 10.00  -                on time (Thu 16 Oct)     open, 11 wd over (Tue 21 Oct)
    D   Thu 2 Oct    Fri 10 Oct 10.00  -                late, 3 wd (Tue 7 Oct)   open, 13 wd over (Fri 17 Oct)

DINKES: 4 due, 1 on time, 3 counted. The verifier: 4 due, 3 on time, 1 counted (D).
"""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from analytics import store
from analytics.importers.ingest import import_file
from analytics.ledger.appeals import decide_appeal, file_appeal
from analytics.ledger.close import close_month, reopen_month
from analytics.ledger.model import LedgerError, month_period
from analytics.ledger.read import drift, ledger_month, pending_appeals
from analytics.rules.policy import load_policy
from analytics.security import audit
from analytics.security.access import Viewer
from tests.helpers import template_csv

TZ = "Asia/Jakarta"
AS_OF = pd.Timestamp("2025-11-05 12:00", tz=TZ)
CLOSE_AT = datetime(2025, 11, 6, 2, 0, tzinfo=UTC)  # Thu 6 Nov 09.00 WIB
ANALIS = Viewer(role="analis", email="analis@bekasikab.go.id")
ANALIS_2 = Viewer(role="analis", email="analis2@bekasikab.go.id")
DINKES = Viewer(role="unit", unit="DINKES", email="dinkes@bekasikab.go.id")
DISHUB = Viewer(role="unit", unit="DISHUB", email="dishub@bekasikab.go.id")
BUPATI = Viewer(role="pimpinan", email="bupati@bekasikab.go.id")


def _row(cid: str, received: str, dispatched: str = "", response: str = "", status: str = "didisposisi") -> str:
    return f"{cid},{received},,{dispatched},{response},,{status},Dinas Kesehatan,Cikarang Barat,,Jalan,Pengaduan,WA,,,,"


ROWS = [
    _row("A", "2025-10-01T09:00+07:00", "2025-10-02T10:00+07:00", "2025-10-03T10:00+07:00", "ditindaklanjuti"),
    _row("B", "2025-10-06T09:00+07:00", "2025-10-07T10:00+07:00", "2025-10-24T10:00+07:00", "ditindaklanjuti"),
    _row("C", "2025-10-13T09:00+07:00", "2025-10-14T10:00+07:00"),
    _row("D", "2025-10-02T09:00+07:00", "2025-10-10T10:00+07:00"),
]


@pytest.fixture
def con(tmp_path):
    c = store.connect(tmp_path / "pantau.duckdb")
    import_file(c, template_csv(tmp_path / "oktober.csv", ROWS), region="kab-bekasi",
                snapshot_at=AS_OF, now=AS_OF.to_pydatetime())
    yield c
    c.close()


@pytest.fixture
def policy():
    return load_policy("sp4n-lapor")


def _close(con, policy, **kw) -> int:
    return close_month(con, "2025-10", as_of=AS_OF, policy=policy, actor=ANALIS, now=CLOSE_AT, **kw)


def _unit(month, code):
    return next(u for u in month.units if u.unit_code == code)


def test_a_closed_month_has_the_hand_computed_figures_and_cases(con, policy):
    assert _close(con, policy) == 1
    month = ledger_month(con, "2025-10")
    dinkes, verifier = _unit(month, "DINKES"), _unit(month, "VERIFIKATOR")
    assert (dinkes.due, dinkes.on_time, dinkes.late, dinkes.open_overdue, dinkes.counted) == (4, 1, 1, 2, 3)
    assert dinkes.final_on_time_pct == 25.0
    assert month.tier(dinkes) is None  # 4 judged stages: under the volume rule, no Kelas
    assert dataclasses.replace(month, min_judged=4).tier(dinkes) == "C"  # 4 or more: 25 % is C
    assert (verifier.due, verifier.on_time, verifier.counted, verifier.final_on_time_pct) == (4, 3, 1, 75.0)
    cases = {(c.id, c.stage): c for c in dinkes.cases}
    assert set(cases) == {("B", "tindak_lanjut"), ("C", "tindak_lanjut"), ("D", "tindak_lanjut")}
    b, c = cases["B", "tindak_lanjut"], cases["C", "tindak_lanjut"]
    assert b.state == "late" and b.working_days_over == 8 and b.time_basis == "reported"
    assert b.deadline == pd.Timestamp("2025-10-14 23:59:59.999999", tz=TZ)
    assert b.ended_at == pd.Timestamp("2025-10-24 10:00", tz=TZ)
    assert c.state == "open_overdue" and c.working_days_over == 11 and c.time_basis == "open" and c.ended_at is None
    assert [(x.id, x.stage, x.state, x.working_days_over) for x in verifier.cases] == [("D", "verifikasi", "late", 3)]
    v = month.version
    assert v.as_of == AS_OF and v.policy == "sp4n-lapor" and len(v.policy_sha256) == len(v.content_sha256) == 64
    assert v.appeal_until == pd.Timestamp("2025-11-14 00:00", tz=TZ)  # 5 working days after Thu 6 Nov


def test_the_ledger_counts_what_the_league_counts(con, policy):
    from analytics.metrics.league import league_for

    _close(con, policy)
    month = ledger_month(con, "2025-10")
    for by, code in (("opd", "DINKES"), ("verifikator", "VERIFIKATOR")):
        league = league_for(con, by=by, period=month_period("2025-10"), as_of=AS_OF, policy=policy, lens="due")
        row = league.table.set_index("group_code").loc[code]
        unit = _unit(month, code)
        assert (unit.on_time, unit.late, unit.open_overdue, unit.uncertain) == (
            row["on_time"], row["late"], row["open_overdue"], row["uncertain"])


def test_appeals_accepted_and_rejected_give_the_final_figures(con, policy):
    _close(con, policy)
    b = file_appeal(con, "2025-10", source_id="B", stage="tindak_lanjut", reason="waktu_salah",
                    text="Tanggapan dikirim 10 Okt lewat surat; SP4N mencatat 24 Okt.", actor=DINKES, now=CLOSE_AT)
    c = file_appeal(con, "2025-10", source_id="C", stage="tindak_lanjut", reason="bukan_wewenang",
                    text="Jalan provinsi, bukan wewenang kabupaten.", actor=DINKES, now=CLOSE_AT)
    assert list(pending_appeals(con)["appeal_id"]) == [b, c]
    decide_appeal(con, b, accept=True, note="Surat bertanggal 10 Okt dilampirkan.", actor=ANALIS, now=CLOSE_AT)
    decide_appeal(con, c, accept=False, note="Disposisi sudah benar.", actor=ANALIS, now=CLOSE_AT)
    dinkes = _unit(ledger_month(con, "2025-10"), "DINKES")
    assert (dinkes.counted, dinkes.appealed, dinkes.accepted, dinkes.final_counted) == (3, 2, 1, 2)
    assert dinkes.final_on_time_pct == 33.3  # 1 / (1 + 2)
    accepted = next(x for x in dinkes.cases if x.id == "B")
    assert accepted.state == "late" and accepted.appeal.decision == "accepted"  # still listed, with the decision
    assert pending_appeals(con).empty


@pytest.mark.parametrize(("kwargs", "problem"), [
    ({"source_id": "B", "actor": DISHUB}, "bukan kasus unit Anda"),
    ({"source_id": "B", "actor": ANALIS}, "akun unit"),
    ({"source_id": "B", "actor": BUPATI}, "akun unit"),
    ({"source_id": "Z"}, "tidak ada di buku"),
    ({"source_id": "A"}, "tidak ada di buku"),  # on time: not a case
    ({"source_id": "B", "reason": "malas"}, "alasan"),
    ({"source_id": "B", "text": "  "}, "penjelasan"),
    ({"source_id": "B", "now": datetime(2025, 11, 14, 0, 0, tzinfo=UTC)}, "masa keberatan"),
])
def test_appeals_that_are_refused_change_nothing(con, policy, kwargs, problem):
    _close(con, policy)
    args = {"source_id": "B", "stage": "tindak_lanjut", "reason": "lainnya", "text": "keberatan", "actor": DINKES,
            "now": CLOSE_AT} | kwargs
    with pytest.raises(LedgerError, match=problem):
        file_appeal(con, "2025-10", **args)
    assert con.execute("SELECT count(*) FROM ledger_appeals").fetchall()[0][0] == 0


def test_one_appeal_per_case_and_one_decision_per_appeal(con, policy):
    _close(con, policy)
    a = file_appeal(con, "2025-10", source_id="B", stage="tindak_lanjut", reason="lainnya", text="x", actor=DINKES,
                    now=CLOSE_AT)
    with pytest.raises(LedgerError, match="sudah punya keberatan"):
        file_appeal(con, "2025-10", source_id="B", stage="tindak_lanjut", reason="kahar", text="y", actor=DINKES,
                    now=CLOSE_AT)
    with pytest.raises(LedgerError, match="hanya analis"):
        decide_appeal(con, a, accept=True, note="sendiri", actor=DINKES, now=CLOSE_AT)
    decide_appeal(con, a, accept=False, note="tidak terbukti", actor=ANALIS, now=CLOSE_AT)
    with pytest.raises(LedgerError, match="sudah diputus \\(rejected\\) oleh analis@bekasikab.go.id"):
        decide_appeal(con, a, accept=True, note="berubah pikiran", actor=ANALIS_2, now=CLOSE_AT)
    with pytest.raises(LedgerError, match="tidak ada"):
        decide_appeal(con, 999, accept=True, note="x", actor=ANALIS, now=CLOSE_AT)


def test_two_analysts_deciding_at_once_one_wins_the_other_is_told(con, policy):
    _close(con, policy)
    a = file_appeal(con, "2025-10", source_id="B", stage="tindak_lanjut", reason="lainnya", text="x", actor=DINKES,
                    now=CLOSE_AT)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(actor: Viewer, accept: bool) -> None:
        cur = con.cursor()
        barrier.wait()
        try:
            decide_appeal(cur, a, accept=accept, note=f"oleh {actor.email}", actor=actor, now=CLOSE_AT)
            outcomes.append("won")
        except LedgerError as exc:
            outcomes.append(str(exc))
        finally:
            cur.close()

    threads = [threading.Thread(target=decide, args=(v, acc)) for v, acc in ((ANALIS, True), (ANALIS_2, False))]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(outcomes, key=len)[0] == "won" and outcomes.count("won") == 1, outcomes
    assert "diputus" in next(o for o in outcomes if o != "won")
    decided = con.execute("SELECT decision, decided_by FROM ledger_appeals WHERE appeal_id = $a", {"a": a}).fetchall()
    assert len(decided) == 1 and decided[0][0] in ("accepted", "rejected")
    assert audit.recent(con, action="ledger")["detail"].str.contains('"decision"').sum() == 1


def test_a_later_import_changes_the_data_not_the_closed_month_then_reopen_makes_version_2(con, policy, tmp_path):
    _close(con, policy)
    b = file_appeal(con, "2025-10", source_id="B", stage="tindak_lanjut", reason="waktu_salah", text="x",
                    actor=DINKES, now=CLOSE_AT)
    decide_appeal(con, b, accept=True, note="terbukti", actor=ANALIS, now=CLOSE_AT)
    before = ledger_month(con, "2025-10")
    # A later export: C was answered on Mon 20 Oct (on time after all).
    later = [_row("C", "2025-10-13T09:00+07:00", "2025-10-14T10:00+07:00", "2025-10-20T10:00+07:00",
                  "ditindaklanjuti") if r.startswith("C,") else r for r in ROWS]
    new_as_of = pd.Timestamp("2025-11-10 12:00", tz=TZ)
    import_file(con, template_csv(tmp_path / "november.csv", later), region="kab-bekasi", snapshot_at=new_as_of,
                now=new_as_of.to_pydatetime())
    after = ledger_month(con, "2025-10")
    assert after == before  # frozen: same cases, same figures, same hash
    from analytics.ledger.close import judged_rows

    assert drift(after, judged_rows(con, "2025-10", new_as_of, policy)) == {"no_longer_counted": 1, "newly_counted": 0}

    with pytest.raises(LedgerError, match="sudah ditutup"):
        close_month(con, "2025-10", as_of=new_as_of, policy=policy, actor=ANALIS, now=CLOSE_AT)
    with pytest.raises(LedgerError, match="alasan"):
        reopen_month(con, "2025-10", reason="", actor=ANALIS, now=CLOSE_AT)
    with pytest.raises(LedgerError, match="hanya analis"):
        reopen_month(con, "2025-10", reason="data C diperbaiki SP4N", actor=BUPATI, now=CLOSE_AT)
    assert reopen_month(con, "2025-10", reason="Ekspor 10 Nov memperbaiki waktu tanggapan C", actor=ANALIS,
                        now=CLOSE_AT) == 1
    with pytest.raises(LedgerError, match="tidak sedang ditutup"):  # no appeals on a reopened month
        file_appeal(con, "2025-10", source_id="D", stage="tindak_lanjut", reason="lainnya", text="x", actor=DINKES,
                    now=CLOSE_AT)
    assert close_month(con, "2025-10", as_of=new_as_of, policy=policy, actor=ANALIS, now=CLOSE_AT) == 2
    v2 = ledger_month(con, "2025-10")
    dinkes = _unit(v2, "DINKES")
    assert v2.version.version == 2 and [v.version for v in v2.versions] == [1, 2]
    assert not v2.versions[0].current and v2.versions[0].reopen_reason.startswith("Ekspor 10 Nov")
    assert (dinkes.on_time, dinkes.counted) == (2, 2) and {c.id for c in dinkes.cases} == {"B", "D"}
    carried = next(c for c in dinkes.cases if c.id == "B").appeal
    assert carried.decision == "accepted" and dinkes.final_counted == 1  # B's accepted appeal goes on
    assert v2.version.content_sha256 != before.version.content_sha256
    assert ledger_month(con, "2025-10", version=1) == before.__class__(  # version 1 kept as it was
        version=v2.versions[0], versions=v2.versions, units=before.units, tiers=before.tiers)
    actions = [a for a in audit.recent(con, action="ledger")["detail"]][::-1]
    assert [next(k for k in ("closed", "filed", "decision", "reopened") if f'"{k}"' in a) for a in actions] == [
        "closed", "filed", "decision", "reopened", "closed"]


def test_a_month_is_closed_only_after_it_ended_and_only_by_an_analis(con, policy):
    with pytest.raises(LedgerError, match="belum berakhir"):
        close_month(con, "2025-11", as_of=AS_OF, policy=policy, actor=ANALIS, now=CLOSE_AT)
    with pytest.raises(LedgerError, match="hanya analis"):
        close_month(con, "2025-10", as_of=AS_OF, policy=policy, actor=BUPATI, now=CLOSE_AT)
    with pytest.raises(LedgerError, match="hanya analis"):
        close_month(con, "2025-10", as_of=AS_OF, policy=policy, actor=Viewer(role="analis", open=True), now=CLOSE_AT)
    with pytest.raises(LedgerError, match="bulan"):
        close_month(con, "2025-13", as_of=AS_OF, policy=policy, actor=ANALIS, now=CLOSE_AT)
    with pytest.raises(LedgerError, match="belum ditutup"):
        ledger_month(con, "2025-10")
    assert con.execute("SELECT count(*) FROM ledger_versions").fetchall()[0][0] == 0


def test_a_unit_sees_only_its_own_unit(con, policy):
    _close(con, policy)
    mine = ledger_month(con, "2025-10", viewer=DINKES)
    assert [u.unit_code for u in mine.units] == ["DINKES"]
    with pytest.raises(LedgerError, match="hanya melihat unitnya"):
        ledger_month(con, "2025-10", viewer=DISHUB, unit="DINKES")
    assert [u.unit_code for u in ledger_month(con, "2025-10", viewer=BUPATI).units] == ["DINKES", "VERIFIKATOR"]


# --- uncertain and estimated: the Laporan Ringkas case of tests/test_uncertain.py -----------------

def test_uncertain_cases_are_listed_not_counted_and_estimated_times_carry_their_interval(tmp_path):
    from tests.test_uncertain import _import_all

    con = store.connect(tmp_path / "ringkas.duckdb")
    try:
        _import_all(con, tmp_path)
        as_of = pd.Timestamp("2025-08-01 12:00", tz=TZ)
        close_month(con, "2025-07", as_of=as_of, policy=load_policy("sp4n-lapor"), actor=ANALIS,
                    now=datetime(2025, 8, 1, 6, tzinfo=UTC))
        verifier = _unit(ledger_month(con, "2025-07"), "VERIFIKATOR")
        assert (verifier.due, verifier.on_time, verifier.late, verifier.uncertain, verifier.counted) == (3, 1, 1, 1, 1)
        assert verifier.final_on_time_pct == 50.0  # uncertain B is in neither part
        cases = {c.id: c for c in verifier.cases}
        assert cases["B"].state == "uncertain" and not cases["B"].counted
        c = cases["C"]
        assert c.state == "late" and c.time_basis == "estimated"
        assert c.ended_after == pd.Timestamp("2025-07-18 12:00", tz=TZ)  # after Friday's export ...
        assert c.ended_at == pd.Timestamp("2025-07-21 12:00", tz=TZ)  # ... by Monday's
        with pytest.raises(LedgerError, match="tidak dihitung"):
            file_appeal(con, "2025-07", source_id="B", stage="verifikasi", reason="lainnya", text="x",
                        actor=Viewer(role="unit", unit="VERIFIKATOR", email="v@x"), now=datetime(2025, 8, 1, 7, tzinfo=UTC))
    finally:
        con.close()


def test_month_period():
    p = month_period("2024-02")
    assert (p.start.isoformat(), p.end.isoformat()) == ("2024-02-01", "2024-02-29")
    assert month_period("2025-12").end.isoformat() == "2025-12-31"
    for bad in ("2025-1", "25-10", "2025-00", "oktober"):
        with pytest.raises(LedgerError):
            month_period(bad)


def test_the_store_migrates_to_the_ledger_schema(tmp_path):
    from analytics.store import schema

    con = store.connect(Path(tmp_path) / "x.duckdb")
    try:
        assert schema.schema_version(con) >= 7
        assert con.execute("SELECT count(*) FROM ledger_appeals").fetchall()[0][0] == 0
    finally:
        con.close()


def test_a_month_with_complaints_no_unit_holds_yet_closes(tmp_path, policy):
    """A complaint still with the verifier has no unit (unit_kind NA): it counts for the verifier,
    and the close does not trip on the missing unit (the real SP4N Kab. Bandung export has many)."""
    con = store.connect(tmp_path / "p.duckdb")
    try:
        rows = [*ROWS, "E,2025-10-20T09:00+07:00,,,,,menunggu_verifikasi,,,,,,,,,,"]
        import_file(con, template_csv(tmp_path / "oktober.csv", rows), region="kab-bekasi", snapshot_at=AS_OF,
                    now=AS_OF.to_pydatetime())
        close_month(con, "2025-10", as_of=AS_OF, policy=policy, actor=ANALIS, now=CLOSE_AT)
        verifier = _unit(ledger_month(con, "2025-10"), "VERIFIKATOR")
        assert verifier.due == 5 and {(c.id, c.state) for c in verifier.cases} == {("D", "late"), ("E", "open_overdue")}
    finally:
        con.close()
