"""The synthetic Kab. Bekasi demo: format, determinism, geography, time logic and realism."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analytics.demo.generate import TEMPLATE_COLUMNS, generate_demo, write_demo_csv
from analytics.rules.model import STAGE_TIMES, STATUSES

REGION = Path(__file__).resolve().parents[1] / "data" / "regions" / "kab-bekasi"
END = pd.Timestamp("2026-06-30T17:00:00+07:00")
ROWS = 3000
HEADER = [
    "id",
    "received_at",
    "verified_at",
    "dispatched_at",
    "first_response_at",
    "resolved_at",
    "status",
    "opd",
    "kecamatan",
    "desa",
    "category",
    "classification",
    "channel",
    "lat",
    "lon",
    "rating",
    "redispatch_count",
]
ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+07:00$")


@pytest.fixture(scope="module")
def demo() -> pd.DataFrame:
    return generate_demo(seed=7, months=18, rows=ROWS, end=END)


@pytest.fixture(scope="module")
def times(demo) -> dict[str, pd.Series]:
    return {c: pd.to_datetime(demo[c].replace("", None), format="ISO8601") for c in STAGE_TIMES}


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(REGION / name, dtype=str, keep_default_na=False)


def _inside(px: np.ndarray, py: np.ndarray, geometry: dict) -> np.ndarray:
    """Even-odd ray casting over every ring of a Polygon/MultiPolygon (independent of demo_geo)."""
    parts = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    crossings = np.zeros(len(px), dtype=np.int64)
    for part in parts:
        for ring in part:
            ring = np.asarray(ring, dtype=float)
            for (x0, y0), (x1, y1) in zip(ring, np.roll(ring, -1, axis=0)):
                if y0 == y1:
                    continue
                spans = (py >= min(y0, y1)) & (py < max(y0, y1))
                x_cross = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
                crossings += spans & (px < x_cross)
    return crossings % 2 == 1


def test_header_and_string_columns(demo):
    assert list(demo.columns) == HEADER == list(TEMPLATE_COLUMNS)
    assert len(demo) == ROWS
    assert all(pd.api.types.is_string_dtype(demo[c]) for c in demo.columns)
    assert not demo.isna().any().any()  # empty means '', never NaN


def test_deterministic_for_a_seed():
    a = generate_demo(seed=11, rows=500, end=END)
    b = generate_demo(seed=11, rows=500, end=END)
    pd.testing.assert_frame_equal(a, b)
    c = generate_demo(seed=12, rows=500, end=END)
    assert not a.equals(c)


def test_naive_end_is_wib():
    a = generate_demo(seed=3, rows=300, end=END)
    b = generate_demo(seed=3, rows=300, end=END.tz_localize(None))
    c = generate_demo(seed=3, rows=300, end=END.tz_convert("UTC"))
    pd.testing.assert_frame_equal(a, b)
    pd.testing.assert_frame_equal(a, c)


def test_ids_unique_and_shaped(demo):
    assert demo["id"].is_unique
    assert demo["id"].str.fullmatch(r"LAA-20\d{2}-\d{6,}").all()


def test_places_and_units_are_the_regions(demo):
    kec, desa, units = _read("kecamatan.csv"), _read("desa.csv"), _read("units.csv")
    assert set(demo["kecamatan"]) <= set(kec["nama"])
    assert set(demo["opd"]) <= set(units["name"])
    kec_of = dict(zip(kec["kode"], kec["nama"]))
    pairs = set(zip(desa["kode_kec"].map(kec_of), desa["nama"]))
    assert set(zip(demo["kecamatan"], demo["desa"])) <= pairs
    camat = demo["opd"].str.startswith("Kecamatan ")
    assert 0.12 <= camat.mean() <= 0.22
    # A camat office only handles complaints from its own kecamatan.
    assert (demo.loc[camat, "opd"] == "Kecamatan " + demo.loc[camat, "kecamatan"]).all()


def test_points_inside_their_kecamatan(demo):
    has = demo["lat"] != ""
    assert (demo["lon"] != "").eq(has).all()
    assert 0.78 <= has.mean() <= 0.92
    features = json.loads((REGION / "kecamatan.geojson").read_text(encoding="utf-8"))["features"]
    geometry = {f["properties"]["nama"]: f["geometry"] for f in features}
    located = demo[has]
    lat, lon = located["lat"].astype(float), located["lon"].astype(float)
    for name, rows in located.groupby("kecamatan").groups.items():
        inside = _inside(lon[rows].to_numpy(), lat[rows].to_numpy(), geometry[name])
        assert inside.all(), f"{(~inside).sum()} points outside {name}"


def test_times_iso_monotone_and_not_after_end(demo, times):
    for c in STAGE_TIMES:
        filled = demo[c] != ""
        assert demo.loc[filled, c].str.match(ISO).all()
    assert demo["received_at"].ne("").all()
    for earlier, later in zip(STAGE_TIMES, STAGE_TIMES[1:]):
        both = times[earlier].notna() & times[later].notna()
        assert (times[earlier][both] <= times[later][both]).all(), (earlier, later)
        assert not (times[earlier].isna() & times[later].notna()).any(), (earlier, later)
    for c in STAGE_TIMES:
        assert (times[c].dropna() <= END).all()
    start = END - pd.DateOffset(months=18)
    assert times["received_at"].min() >= start
    assert demo["received_at"].is_monotonic_increasing


def test_statuses_agree_with_times(demo):
    assert set(demo["status"]) <= set(STATUSES)
    filled = {c: demo[c] != "" for c in STAGE_TIMES}
    for code, status in STATUSES.items():
        rows = demo["status"] == code
        for stage in status.reached:
            assert filled[stage][rows].all(), (code, stage)
    assert not filled["resolved_at"][demo["status"] != "selesai"].any()
    following = demo["status"] == "ditindaklanjuti"
    assert filled["first_response_at"][following].all()
    dispatched = demo["status"] == "didisposisi"
    assert not filled["first_response_at"][dispatched].any()
    verified_only = demo["status"] == "terverifikasi"
    assert not filled["dispatched_at"][verified_only].any()
    waiting = demo["status"].isin(["menunggu_verifikasi", "menunggu_kelengkapan"])
    assert not filled["verified_at"][waiting].any()
    closed = demo["status"].isin(["diarsipkan", "ditolak"])
    assert not filled["dispatched_at"][closed].any()
    assert 0.02 <= closed.mean() <= 0.07


def test_rating_and_redispatch(demo):
    rated = demo["rating"] != ""
    assert (demo.loc[rated, "status"] == "selesai").all()
    assert set(demo.loc[rated, "rating"]) <= {"1", "2", "3", "4", "5"}
    share = rated.sum() / (demo["status"] == "selesai").sum()
    assert 0.3 <= share <= 0.5
    assert set(demo["redispatch_count"]) <= {"0", "1", "2", "3"}  # 3: Dinas Perhubungan's ping-pong habit
    assert 0.02 <= (demo["redispatch_count"] != "0").mean() <= 0.09


def test_channels_and_classification(demo):
    shares = demo["channel"].value_counts(normalize=True)
    assert shares.index[0] == "WhatsApp" and shares.iloc[0] > 0.5
    assert set(demo["classification"]) <= {"Pengaduan", "Aspirasi", "Permintaan Informasi"}
    assert demo["classification"].value_counts().index[0] == "Pengaduan"


def test_weekly_rhythm_and_lebaran_dip(times):
    received = times["received_at"]
    per_day = received.dt.date.value_counts()
    weekday = received.dt.day_of_week
    assert (weekday >= 5).mean() < 0.7 * 2 / 7  # weekends well under their 2/7 share
    lebaran = (received >= pd.Timestamp("2026-03-18T00:00+07:00")) & (
        received < pd.Timestamp("2026-03-25T00:00+07:00")
    )
    assert lebaran.sum() / 7 < 0.5 * per_day.median()


def test_open_and_overdue_exist(demo, times):
    age = END - times["received_at"]
    old_dispatched = (demo["status"] == "didisposisi") & (age > pd.Timedelta(days=10))
    old_followup = (demo["status"] == "ditindaklanjuti") & (age > pd.Timedelta(days=30))
    assert old_dispatched.sum() > 0 and old_followup.sum() > 0
    recent = age < pd.Timedelta(days=3)
    assert demo.loc[recent, "status"].isin(["menunggu_verifikasi", "didisposisi", "ditindaklanjuti"]).any()
    open_share = demo["status"].map(lambda s: STATUSES[s].is_open).mean()
    assert 0.04 <= open_share <= 0.25


def test_slow_unit_slower_than_fast_unit(demo, times):
    units = _read("units.csv").set_index("code")["name"]
    days = (times["resolved_at"] - times["received_at"]).dt.total_seconds() / 86400
    median = days.groupby(demo["opd"]).median()
    slow, fast = median[units["DSDABMBK"]], median[units["DISDUKCAPIL"]]
    assert slow > 3 * fast
    slow_open = demo.loc[demo["opd"] == units["DSDABMBK"], "status"].isin(["didisposisi", "ditindaklanjuti"])
    fast_open = demo.loc[demo["opd"] == units["DISDUKCAPIL"], "status"].isin(["didisposisi", "ditindaklanjuti"])
    assert slow_open.mean() > fast_open.mean()


def test_write_csv_round_trip(tmp_path):
    path = write_demo_csv(tmp_path / "demo.csv", seed=5, rows=200, end=END)
    back = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(back.columns) == HEADER
    pd.testing.assert_frame_equal(back, generate_demo(seed=5, rows=200, end=END), check_dtype=False)


def test_zero_rows():
    empty = generate_demo(rows=0, end=END)
    assert list(empty.columns) == HEADER and len(empty) == 0
