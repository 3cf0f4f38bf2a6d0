"""Small presentation rules in analytics: the best/worst split on Ringkasan and how league rows round."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.metrics.league import _half_up
from analytics.screens import best_and_worst


def _ranked(scores):
    return pd.DataFrame({"group": [f"U{i}" for i in range(len(scores))], "score": scores,
                         "complaints": [10] * len(scores)})


@pytest.mark.parametrize(("n_units", "best", "worst"), [(12, 5, 5), (10, 5, 5), (4, 2, 2), (5, 3, 2), (1, 1, 0), (0, 0, 0)])
def test_no_unit_is_both_best_and_worst(n_units, best, worst):
    b, w = best_and_worst(_ranked(list(range(n_units))), 5)
    assert (len(b), len(w)) == (best, worst)
    assert not set(b["group"]) & set(w["group"])
    if len(b):
        assert b["score"].iloc[0] == n_units - 1  # best first
    if len(w):
        assert w["score"].iloc[0] == 0  # worst first


def test_league_rows_round_half_up_like_the_dashboard_labels():
    # 13 of 16 on time = 81.25 %: numpy's half-to-even gives 81.2, the page label 81,3.
    got = _half_up(pd.Series([100 * 13 / 16, 0.25, np.nan, 3.0]))
    assert got.iloc[0] == 81.3 and got.iloc[1] == 0.3 and np.isnan(got.iloc[2]) and got.iloc[3] == 3.0
