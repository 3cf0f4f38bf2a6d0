"""ui/league_ui.py: display frames, funnel figure, breach frames, weeks, downloads (no Streamlit)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pandas as pd
import pytest
from openpyxl import load_workbook

from analytics.metrics.registry import METRICS
from ui import league_ui as lu


def _table() -> pd.DataFrame:
    return pd.DataFrame({
        "group": ["Dinas Pendidikan", "Dinas Kesehatan", "Dinas Kecil"],
        "group_code": ["DISDIK", "DINKES", "KECIL"],
        "decided": [120, 40, 3], "on_time": [110, 30, 3], "open_overdue": [2, 5, 0],
        "on_time_rate": [110 / 120, 0.75, 1.0], "adjusted_on_time_rate": [0.91, 0.78, 0.93],
        "median_response_days": [1.25, 3.0, float("nan")],
        "score": pd.array([91.25, 70.0, None], dtype="Float64"),
        "ranked": [True, True, False], "rank": pd.array([1, 2, None], dtype="Int64"),
        "tier": pd.array(["A", "B", None], dtype="str"),
        "rank_change": pd.array([2, -1, None], dtype="Int64"), "uncertain": [0, 3, 0],
    })


def test_display_frame_labels_and_formats():
    frame = lu.display_frame(_table(), "id", {"DISDIK": "Disdik", "DINKES": "Dinkes"})
    assert list(frame.columns[:5]) == ["Peringkat", "Unit", "Kelas", "Skor", METRICS["on_time_rate"].label("id")]
    row = frame.iloc[0].to_dict()
    assert row["Unit"] == "Disdik" and row["Skor"] == "91,3" and row["Tepat waktu (%)"] == "91,7%"
    assert row[METRICS["rank_change"].label("id")] == "▲ 2"
    assert frame.iloc[1][METRICS["rank_change"].label("id")] == "▼ 1"
    small = frame.iloc[2]
    assert small["Peringkat"] == "" and small["Unit"] == "Dinas Kecil"  # unranked, no short name
    assert small[METRICS["median_response_days"].label("id")] == "–"
    assert frame.iloc[1]["Tidak pasti"] == "3"  # estimated times whose interval holds the deadline
    en = lu.display_frame(_table(), "en")
    assert en.iloc[0]["On-time rate"] == "91.7%" and en.iloc[0]["Unit"] == "Dinas Pendidikan"
    assert "Unit" not in lu.numeric_columns(en, "en") and "Score" in lu.numeric_columns(en, "en")


def test_rank_change_marks():
    assert [lu.fmt_rank_change(v) for v in (3, -12, 0, None, pd.NA)] == ["▲ 3", "▼ 12", "=", "–", "–"]


def test_unit_codes_for_rows():
    camat = lu.camat_codes(pd.DataFrame({"code": ["KEC-321601", "DISDIK"], "kecamatan_code": ["32.16.01", None]}))
    assert camat == {"32.16.01": "KEC-321601"}
    assert lu.unit_code_for(pd.Series({"group_code": "DISDIK"}), "opd", camat) == "DISDIK"
    assert lu.unit_code_for(pd.Series({"group_code": "32.16.01"}), "kecamatan", camat) == "KEC-321601"
    assert lu.unit_code_for(pd.Series({"group_code": "32.16.99"}), "kecamatan", camat) is None


def test_funnel_figure():
    fig = lu.funnel_figure(_table(), 0.85, "id")
    names = [tr.name for tr in fig.data]
    assert "Batas 95%" in names and "Batas 99,8%" in names and names[-1] == "Unit"
    points = fig.data[-1]
    assert list(points.x) == [120, 40, 3] and points.y[1] == pytest.approx(75.0)
    assert "Dinas Pendidikan: 91,7%" in points.text[0]
    assert fig.layout.dragmode is False
    assert not lu.funnel_figure(_table().iloc[0:0], 0.85, "id").data
    assert not lu.funnel_figure(_table(), float("nan"), "id").data


def test_breach_frame_and_counts():
    b = pd.DataFrame({
        "id": ["A1", "B2"], "stage": ["tindak_lanjut", "verifikasi"], "owner_kind": ["unit", "verifikator"],
        "unit_code": ["DISDIK", "DISDIK"], "unit": ["Dinas Pendidikan", "Verifikator (Diskominfo)"],
        "state": ["open_overdue", "late"],
        "deadline": pd.to_datetime(["2025-06-13 16:59", "2025-06-02 10:00"]).tz_localize("UTC"),
        "working_days_over": [1234, 2],
    })
    frame = lu.breach_frame(b, "id", "Asia/Jakarta", {"DISDIK": "Disdik"})
    assert frame.iloc[0].to_list() == ["A1", "Disdik", "1.234", "13 Jun 2025", "Lewat batas", "Tindak lanjut"]
    assert frame.iloc[1]["Unit"] == "Verifikator" and frame.iloc[1]["Tahap"] == "Verifikasi"
    assert lu.state_counts(b) == {"open_overdue": 1, "at_risk": 0, "late": 1}
    assert lu.state_counts(b.iloc[0:0]) == {"open_overdue": 0, "at_risk": 0, "late": 0}


def test_weeks():
    assert lu.recent_weeks(date(2025, 11, 20), 3) == ["2025-W47", "2025-W46", "2025-W45"]
    assert lu.week_label("2025-W46") == "Minggu 46 · 10–16 Nov 2025"
    assert lu.week_label("2025-W44", "en") == "Week 44 · 27 Oct–2 Nov 2025"
    assert lu.week_label("2026-W01") == "Minggu 1 · 29 Des 2025–4 Jan 2026"
    last = date(2025, 11, 20)
    assert lu.week_choices(None, last, 2) == (["2025-W47", "2025-W46"], None)
    assert lu.week_choices("2025-w30", last, 2) == (["2025-W47", "2025-W46", "2025-W30"], None)
    assert lu.week_choices("2025-W49", last, 2)[1] == "future"
    assert lu.week_choices("minggu lalu", last, 2)[1] == "not_iso"


def test_kpi_cards():
    from analytics.metrics.summary import Kpi

    now = {"complaints": 120, "on_time_rate": 0.9, "open_overdue": 4, "median_response_days": 1.5}
    before = {"complaints": 100, "on_time_rate": 0.85, "open_overdue": 6, "median_response_days": None}
    cards = lu.kpi_cards([Kpi(m, now[m], before[m]) for m in now], "id")
    assert cards[0] == ("Aduan", "120", "+20", "off", "auto")
    assert cards[1] == ("Tepat waktu (%)", "90,0%", "+5,0 poin", "normal", "auto")
    assert cards[2] == ("Lewat batas", "4", "-2", "inverse", "auto")
    assert cards[3][2:] == ("–", "inverse", "off")
    same = lu.kpi_cards([Kpi(m, now[m], now[m]) for m in now], "id")
    assert same[1][2:] == ("0,0 poin", "normal", "off")


def test_downloads_escape_formulas():
    frame = pd.DataFrame({"unit": ["=HYPERLINK(\"http://x\")", "+62 812", "-1+1", "@SUM(A1)", "Dinas"],
                          "n": [1, 2, 3, 4, 5], "pct": [91.3, None, 0.0, 1.5, 2.0],
                          "at": pd.to_datetime(["2025-06-13 10:00"] * 5).tz_localize("UTC")})
    data = lu.xlsx_bytes(frame, "Peringkat")
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.title == "Peringkat" and ws["A1"].value == "unit"
    for row in range(2, 6):
        cell = ws.cell(row=row, column=1)
        assert cell.data_type == "s", cell.value  # stored as text, never as a formula
    assert ws["A2"].value == "=HYPERLINK(\"http://x\")" and ws["A6"].value == "Dinas"
    assert ws["B2"].value == 1 and ws["C2"].value == 91.3 and ws["C3"].value is None
    assert ws["D2"].value == datetime(2025, 6, 13, 10, 0)  # no zone given: UTC wall-clock time
    local = load_workbook(io.BytesIO(lu.xlsx_bytes(frame, "Peringkat", tz="Asia/Jakarta"))).active
    assert local["D2"].value == datetime(2025, 6, 13, 17, 0)  # the regency's wall-clock time (WIB)
    raw = lu.csv_bytes(frame)
    assert raw.startswith(b"\xef\xbb\xbfunit,n,pct,at")
    units = [row[0] for row in csv.reader(io.StringIO(raw.decode("utf-8-sig")))][1:]
    # The same escaping as every other download (it used to write these cells as they were).
    assert units == ["'=HYPERLINK(\"http://x\")", "'+62 812", "'-1+1", "'@SUM(A1)", "Dinas"]


def test_review_opens_on_the_last_complete_week():
    from datetime import date

    from ui.league_ui import default_week, recent_weeks

    thursday = date(2025, 11, 20)  # inside 2025-W47 (17-23 Nov): that week is still running
    assert default_week(recent_weeks(thursday, 12), thursday) == "2025-W46"
    sunday = date(2025, 11, 23)  # the last day of W47: the week is complete
    assert default_week(recent_weeks(sunday, 12), sunday) == "2025-W47"
    assert default_week(["2025-W47"], thursday) == "2025-W47"  # nothing else to offer
