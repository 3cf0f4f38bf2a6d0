"""Ranking maths on tiny hand-written frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.metrics.ranking import (
    RankingSettings,
    composite_score,
    funnel_flag,
    funnel_limits,
    load_ranking_settings,
    rank_table,
    shrunk_rate,
    tier_of,
)


def test_shrinkage_pulls_small_units_most():
    on_time = pd.Series([3, 95, 0])
    decided = pd.Series([3, 100, 3])
    got = shrunk_rate(on_time, decided, regency_rate=0.8, strength=20)
    # (3 + 16) / 23, (95 + 16) / 120, (0 + 16) / 23
    assert got.tolist() == pytest.approx([19 / 23, 111 / 120, 16 / 23])
    # Jakarta's lesson: 3 of 3 no longer beats 95 of 100.
    assert got[1] > got[0]


def test_composite_leaves_out_missing_components():
    comps = pd.DataFrame({"on_time": [1.0, 0.5], "response": [0.5, np.nan], "backlog": [1.0, 1.0], "rating": [np.nan, np.nan]})
    w = {"on_time": 0.5, "response": 0.2, "backlog": 0.2, "rating": 0.1}
    got = composite_score(comps, w)
    assert got[0] == pytest.approx(100 * (0.5 + 0.1 + 0.2) / 0.9)
    assert got[1] == pytest.approx(100 * (0.25 + 0.2) / 0.7)


def test_tiers_and_volume_rule():
    metrics = pd.DataFrame({
        "group": ["A", "B", "small"],
        "on_time": [90, 60, 2],
        "decided": [100, 100, 2],
        "open_overdue": [0, 20, 0],
        "median_response_days": [1.0, 4.0, 0.0],
        "mean_rating": [np.nan, np.nan, np.nan],
    })
    t = rank_table(metrics, RankingSettings(), regency_rate=0.75, limit_days=5)
    assert t["ranked"].tolist() == [True, True, False]
    assert t["rank"].tolist()[:2] == [1, 2] and pd.isna(t["rank"][2]) and pd.isna(t["tier"][2])
    # A: adjusted (90+15)/120 = .875, response 1-1/10 = .9, backlog 1 -> (0.4375+0.18+0.2)/0.9
    assert t["score"][0] == round(100 * (0.5 * 105 / 120 + 0.2 * 0.9 + 0.2 * 1.0) / 0.9, 1)
    assert t["score"][0] == 90.8 and t["tier"][0] == "A"
    # B: (60+15)/120 = .625, response .6, backlog .8 -> (.3125 + .12 + .16) / .9 = 65.8
    assert t["score"][1] == 65.8 and t["tier"][1] == "C"
    assert tier_of(pd.Series([85.0, 84.9, 70.0, 10.0]), {"A": 85, "B": 70}).tolist() == ["A", "B", "B", "C"]


def test_funnel_limits_and_flags():
    lim = funnel_limits(0.8, 400)
    row = lim[lim["n"] == 100].iloc[0]
    sd = np.sqrt(0.8 * 0.2 / 100)
    assert row["lo95"] == pytest.approx(0.8 - 1.959964 * sd) and row["hi998"] == pytest.approx(0.8 + 3.090232 * sd)
    flags = funnel_flag(pd.Series([80, 70, 60, 95, 0]), pd.Series([100, 100, 100, 100, 0]), 0.8)
    assert flags.tolist()[:4] == ["dalam", "bawah_95", "bawah_99_8", "atas_99_8"]
    assert pd.isna(flags[4])


def test_settings_file_loads_and_rejects_bad_weights(tmp_path):
    s = load_ranking_settings()
    assert s.min_decided == 10 and sum(s.weights.values()) == pytest.approx(1.0)
    bad = tmp_path / "r.toml"
    bad.write_text("[weights]\nspeed = 1\n")
    with pytest.raises(ValueError, match="r.toml"):
        load_ranking_settings(bad)
