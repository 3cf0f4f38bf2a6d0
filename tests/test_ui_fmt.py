"""ui.fmt: numbers, percentages and dates the Indonesian way, rounding half-up."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from ui.fmt import (
    MISSING,
    fmt_date,
    fmt_datetime,
    fmt_days,
    fmt_delta,
    fmt_int,
    fmt_num,
    fmt_pct,
    round_half_up,
    tz_label,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1234, "1.234"),
        (1234567, "1.234.567"),
        (-1234, "-1.234"),
        (1234.5, "1.235"),  # half-up, not banker's rounding
        (np.int64(5000), "5.000"),
        (Decimal("1000"), "1.000"),
    ],
)
def test_fmt_int(value, expected):
    assert fmt_int(value) == expected


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (1234.5, 1, "1.234,5"),
        (-1234.5, 1, "-1.234,5"),
        (91.25, 1, "91,3"),  # Python's own f"{91.25:.1f}" gives 91.2
        (2.675, 2, "2,68"),  # binary 2.67499999... but people wrote 2.675
        (0.05, 1, "0,1"),
        (-0.04, 1, "0,0"),  # never "-0,0"
        (1e6, 0, "1.000.000"),
        (3.14159, 2, "3,14"),
        (12, 2, "12,00"),
    ],
)
def test_fmt_num(value, decimals, expected):
    assert fmt_num(value, decimals) == expected


def test_english_separators():
    assert fmt_num(1234.5, 1, lang="en") == "1,234.5"
    assert fmt_int(1234567, lang="en") == "1,234,567"
    assert fmt_pct(0.873, lang="en") == "87.3%"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.873, "87,3%"), (0.8725, "87,3%"), (1, "100,0%"), (0, "0,0%"), (0.0004, "0,0%"), (1.5, "150,0%")],
)
def test_fmt_pct_takes_a_fraction(value, expected):
    assert fmt_pct(value) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, pd.NaT, math.inf])
def test_missing_values_show_a_dash(missing):
    assert fmt_pct(missing) == MISSING == "–"
    assert fmt_num(missing) == MISSING
    assert fmt_int(missing) == MISSING
    assert fmt_delta(missing) == MISSING


def test_fmt_pct_decimals():
    assert fmt_pct(0.87349, 0) == "87%"
    assert fmt_pct(0.87351, 2) == "87,35%"


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (0.03, {}, "+3,0 poin"),
        (-0.0304, {}, "-3,0 poin"),  # ASCII minus: st.metric reads it for the arrow colour
        (0.0004, {}, "0,0 poin"),  # rounds to zero: no sign
        (-0.0004, {}, "0,0 poin"),
        (0.03, {"lang": "en"}, "+3.0 pts"),
        (0.125, {"kind": "pct"}, "+12,5%"),
        (-0.5, {"kind": "pct", "decimals": 0}, "-50%"),
        (12, {"kind": "number", "decimals": 0}, "+12"),
        (-1234, {"kind": "number", "decimals": 0}, "-1.234"),
        (0, {"kind": "number", "decimals": 0}, "0"),
    ],
)
def test_fmt_delta(value, kwargs, expected):
    assert fmt_delta(value, **kwargs) == expected


def test_fmt_delta_rejects_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        fmt_delta(1, kind="percent")


def test_round_half_up_agrees_with_the_label():
    assert round_half_up(91.25, 1) == 91.3
    assert round_half_up(-0.5) == -1.0
    assert round_half_up(2.5) == 3.0
    assert fmt_num(round_half_up(91.25, 1), 1) == fmt_num(91.25, 1)


@pytest.mark.parametrize("month", range(1, 13))
def test_fmt_date_indonesian_months(month):
    expected = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"][month - 1]
    assert fmt_date(date(2025, month, 13)) == f"13 {expected} 2025"


def test_fmt_date_english_and_inputs():
    assert fmt_date(date(2025, 8, 17), lang="en") == "17 Aug 2025"
    assert fmt_date("2025-08-17") == "17 Agu 2025"
    assert fmt_date(pd.Timestamp("2025-06-13")) == "13 Jun 2025"
    assert fmt_date(np.datetime64("2025-10-05")) == "5 Okt 2025"
    assert fmt_date(None) == fmt_date(pd.NaT) == MISSING


def test_fmt_date_converts_to_the_zone():
    # 20:30 UTC on 12 June is already 13 June in Jakarta
    ts = pd.Timestamp("2025-06-12 20:30", tz="UTC")
    assert fmt_date(ts, "Asia/Jakarta") == "13 Jun 2025"
    assert fmt_date(ts) == "12 Jun 2025"


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        ("Asia/Jakarta", "13 Jun 2025 15.05 WIB"),
        ("Asia/Pontianak", "13 Jun 2025 15.05 WIB"),
        ("Asia/Makassar", "13 Jun 2025 16.05 WITA"),
        ("Asia/Jayapura", "13 Jun 2025 17.05 WIT"),
    ],
)
def test_fmt_datetime_zone_labels(tz, expected):
    ts = pd.Timestamp("2025-06-13 08:05", tz="UTC")
    assert fmt_datetime(ts, tz) == expected
    assert fmt_datetime(ts.to_pydatetime(), tz) == expected


def test_fmt_datetime_english_naive_and_missing():
    ts = datetime(2025, 6, 13, 8, 5, tzinfo=UTC)
    assert fmt_datetime(ts, "Asia/Jakarta", lang="en") == "13 Jun 2025 15:05 WIB"
    assert fmt_datetime(datetime(2025, 6, 13, 15, 5)) == "13 Jun 2025 15.05"  # naive: taken as local
    assert fmt_datetime(ts) == "13 Jun 2025 08.05 UTC"
    assert fmt_datetime(None, "Asia/Jakarta") == MISSING


def test_tz_label():
    assert tz_label("Asia/Jakarta") == "WIB"
    assert tz_label("Asia/Makassar") == "WITA"
    assert tz_label("Asia/Jayapura") == "WIT"
    assert tz_label("America/New_York") == "EST"
    assert tz_label(None) == "UTC"


def test_fmt_days():
    assert fmt_days(2.25) == "2,3 hari"
    assert fmt_days(1, 0, lang="en") == "1 day"
    assert fmt_days(2, 0, lang="en") == "2 days"
    assert fmt_days(None) == MISSING


def test_fmt_has_no_streamlit_dependency():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(__file__).resolve().parents[1].joinpath("ui", "fmt.py").read_text(encoding="utf-8"))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert "streamlit" not in imported
