"""Verdict rules and the commitments tracker on hand-written rows and a tiny store."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from analytics.cli import main as cli
from analytics.review import commitments as cm
from analytics.review.digest import fit, rank_move
from analytics.review.verdict import verdict
from analytics.rules.periods import iso_week

BASE = {"unit": "Dinas X", "unit_code": "X", "complaints": 40, "decided": 30, "on_time_pct": 80.0, "score": 78.0,
        "rank": 4, "tier": "B", "rank_change": 0, "funnel": "dalam", "open_overdue": 0}


@pytest.mark.parametrize(("change", "level", "start"), [
    ({"funnel": "bawah_95", "on_time_pct": 61.25}, "perhatian", "Perlu perhatian: tepat waktu 61,3% (kabupaten 85,0%)"),
    ({"rank": None, "tier": None, "decided": 4, "rank_change": None}, "kecil", "Volume kecil: 4 tahap terukur (minimal 10)"),
    ({"rank_change": -3, "rank": 9}, "perhatian", "Perlu perhatian: turun 3 peringkat ke-9."),
    ({"rank_change": -2, "tier": "C", "score": 61.0}, "perhatian", "Perlu perhatian: kelas C (skor 61,0)."),
    ({"funnel": "atas_99_8", "on_time_pct": 99.0}, "baik", "Baik: tepat waktu 99,0% (kabupaten 85,0%), di atas"),
    ({"rank_change": 5, "rank": 2}, "baik", "Membaik: naik 5 peringkat ke-2."),
    ({"tier": "A", "score": 90.0}, "baik", "Baik: kelas A (skor 90,0)."),
    ({}, "stabil", "Stabil"),
])
def test_verdict_rules_in_order(change, level, start):
    got_level, text = verdict(pd.Series({**BASE, **change}), 85.0, 10)
    assert got_level == level and text.startswith(start)


def test_funnel_beats_small_volume_and_overdue_is_appended():
    row = pd.Series({**BASE, "rank": None, "decided": 6, "funnel": "bawah_99_8", "on_time_pct": 0.0, "open_overdue": 1234})
    level, text = verdict(row, None, 10)
    assert level == "perhatian" and "(kabupaten" not in text and text.endswith("1.234 tahap lewat batas belum selesai.")


def test_rank_move_words():
    assert [rank_move(v) for v in (3, -1, 0, None, pd.NA)] == ["naik 3", "turun 1", "tetap", "baru diperingkat",
                                                               "baru diperingkat"]


def test_fit_cuts_at_a_line_under_the_limit():
    text = "\n".join(f"baris {i}" for i in range(1000))
    out = fit(text, 200)
    assert len(out) <= 200 and out.endswith("selengkapnya di PDF/XLSX)") and "\nbaris 1\n" in out


def _frame(rows: list[tuple[int, str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame({
        "id": [r[0] for r in rows], "unit_code": "X", "unit": "Dinas X", "text": "t",
        "due_on": pd.to_datetime([r[1] for r in rows]), "made_week": "2025-W44",
        "created_at": pd.Timestamp("2025-10-31", tz="UTC"),
        "done_on": pd.to_datetime([r[2] for r in rows]), "done_note": None,
    })


def test_for_review_splits_by_the_reviewed_week():
    week = iso_week("2025-W45")  # 3..9 Nov 2025
    c = _frame([
        (1, "2025-11-09", None),          # due on the week's last day, open: overdue
        (2, "2025-11-16", None),          # due within 7 days after: due
        (3, "2025-11-17", None),          # later: not listed
        (4, "2025-11-01", "2025-11-05"),  # done in the week
        (5, "2025-11-01", "2025-11-02"),  # done before the week: not listed
        (6, "2025-11-07", "2025-11-12"),  # done after the week: still overdue in this week's pack
    ])
    r = cm.for_review(c, week)
    assert list(r.overdue["id"]) == [6, 1] and list(r.due["id"]) == [2] and list(r.done["id"]) == [4]
    assert r.overdue["done_on"].isna().all()  # the later done date is not shown in an older pack


def test_commit_cli_add_list_done(tmp_path, capsys):
    import json

    from tests.helpers import template_csv

    db = tmp_path / "p.duckdb"
    src = template_csv(tmp_path / "a.csv", [
        "A1,2025-11-03 09:00,,2025-11-03 10:00,,,didisposisikan,Dinas Kesehatan,Tambun Selatan,,Jalan,Pengaduan,WhatsApp,,,,0"])
    assert cli.main(["import", str(src), "--db", str(db), "--region", "kab-bekasi"]) == 0
    capsys.readouterr()
    args = ["commit", "add", "--db", str(db), "--unit", "dinkes", "--text", "Selesaikan A1", "--week", "2025-W45"]
    assert cli.main([*args, "--due", "2025-11-14"]) == 0
    new_id = json.loads(capsys.readouterr().out)["id"]
    for bad, message in (("2025-02-30", "is not a date"), ("2025-10-01", "before the reviewed week")):
        assert cli.main([*args, "--due", bad]) == 2
        assert message in capsys.readouterr().err
    assert cli.main([*args[:4], "--unit", "Dinas Rahasia", *args[6:], "--due", "2025-11-14"]) == 2
    assert "unknown unit 'Dinas Rahasia'" in capsys.readouterr().err
    assert cli.main(["commit", "done", str(new_id), "--on", "2025-11-07", "--db", str(db)]) == 0
    assert cli.main(["commit", "done", str(new_id), "--db", str(db)]) == 2
    capsys.readouterr()
    assert cli.main(["commit", "list", "--week", "2025-W45", "--format", "json", "--db", str(db)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["unit_code"], r["state"], r["done_on"]) for r in rows] == [(new_id, "DINKES", "done", "2025-11-07")]


def test_store_without_commitments_table_lists_none(tmp_path):
    import duckdb

    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    assert not cm.has_table(con) and cm.list_all(con).empty
    assert cm.for_review(cm.list_all(con), iso_week("2025-W45")).empty


def test_add_refuses_empty_and_long_text(con):  # noqa: F811 - conftest fixture

    con.execute("INSERT INTO meta VALUES ('region', 'kab-bekasi')")
    kw = {"unit": "DINKES", "due_on": date(2025, 11, 14), "made_week": "2025-W45", "created_at": pd.Timestamp.now(tz="UTC")}
    with pytest.raises(ValueError, match="empty"):
        cm.add(con, text="   ", **kw)
    with pytest.raises(ValueError, match="at most 500"):
        cm.add(con, text="x" * 501, **kw)
    assert cm.list_all(con).empty
