"""The demo regency's planted habits (analytics/demo/habits.py) show in the closure-quality
signals a leader reads, each at the unit it was planted in, and not elsewhere."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import store
from analytics.demo.load import load_demo
from analytics.metrics.quality import quality_for
from analytics.rules.periods import Period
from analytics.rules.policy import load_policy

END = pd.Timestamp("2025-11-20 12:00", tz="Asia/Jakarta")


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("habits")
    con = store.connect(folder / "demo.duckdb")
    try:
        load_demo(con, seed=7, months=12, rows=20_000, end=END, out_dir=folder / "demo")
    finally:
        con.close()
    return folder / "demo.duckdb"


@pytest.fixture(scope="module")
def units(demo_store):
    con = store.connect(demo_store, read_only=True)
    try:
        q = quality_for(con, Period(pd.Timestamp("2025-05-21").date(), END.date()), END, load_policy("sp4n-lapor"))
    finally:
        con.close()
    return q.units.set_index("unit_code")


def test_each_habit_shows_at_its_unit(units):
    assert units.loc["DLH", "bulk_closed"] >= 24  # a dozen at a time, about monthly
    assert units.loc["DINSOS", "at_deadline"] >= 50
    assert units.loc["DISHUB", "ping_pong"] >= 10
    share = units["low_rating_after_close"] / units["resolved"]
    assert share["PDAM"] > 3 * share.drop("PDAM").median()


def test_other_units_stay_clean_and_the_rate_without_flags_tells_the_story(units):
    others = units.drop(["DLH", "DINSOS", "DISHUB", "PDAM"])
    assert others["bulk_closed"].sum() == 0 and others["at_deadline"].sum() == 0
    dinsos = units.loc["DINSOS"]
    assert dinsos["on_time_pct"] - dinsos["on_time_pct_unflagged"] >= 5  # a good rate that is not all real


def test_the_review_pack_puts_the_question_to_the_meeting(demo_store):
    """The weekly pack lists the units whose closures carry a signal, with both rates, in the PDF
    and the workbook (with the flagged complaints), the same rows as the quality CLI's."""
    import io

    import pypdfium2
    from openpyxl import load_workbook

    from analytics.review.pack import assemble
    from analytics.review.pdf import pdf_bytes
    from analytics.review.workbook import workbook_bytes

    policy = load_policy("sp4n-lapor")
    con = store.connect(demo_store, read_only=True)
    try:
        pack = assemble(con, "2025-W46", END, policy)
        week = quality_for(con, pack.period, pack.judged_at, policy)
    finally:
        con.close()
    flagged = week.units[week.units["flagged"] > 0]
    assert list(pack.quality_units["unit_code"]) == list(flagged["unit_code"]) and "DINSOS" in set(flagged["unit_code"])
    pdf = pypdfium2.PdfDocument(pdf_bytes(pack))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    assert "Kualitas penutupan" in text and "bukan pengurang nilai" in text
    wb = load_workbook(io.BytesIO(workbook_bytes(pack)))
    assert "Kualitas penutupan" in wb.sheetnames and "Aduan bertanda" in wb.sheetnames
    ids = [row[0] for row in wb["Aduan bertanda"].iter_rows(min_row=2, values_only=True)]  # row 1: the header
    assert ids == list(week.cases["id"])  # every flagged complaint, in the CLI's order
