"""The league's response-day quantiles come from a per-group histogram (league_sql): they must
equal the linear-interpolation quantiles of the raw values (numpy's default, DuckDB's
quantile_cont), ties, single values and groups without responses included."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from analytics.metrics.groups_sql import _histogram_quantiles


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_histogram_quantiles_match_numpy(seed):
    rng = np.random.default_rng(seed)
    groups = {"a": rng.integers(0, 40, 501), "b": rng.integers(0, 3, 10), "c": np.array([7]),
              "d": rng.geometric(0.2, 64) - 1}
    # keyed rows as complaint_aggregates builds them: (g, is_total, resp, n), several rows per value.
    rows = [(g, False, int(v), 1) for g, vals in groups.items() for v in vals]
    rows += [(None, True, int(v), 1) for vals in groups.values() for v in vals]
    rows += [("e", False, None, 3)]  # a group with no response days
    keyed = pd.DataFrame(rows, columns=["g", "is_total", "resp", "n"])
    con = duckdb.connect()
    con.register("keyed_src", keyed)
    sql = "WITH keyed AS (SELECT * FROM keyed_src), " + _histogram_quantiles(
        "keyed", (("med", 0.5), ("p90", 0.9))) + " SELECT g, is_total, med, p90 FROM q"
    got = {(g, t): (m, p) for g, t, m, p in con.execute(sql).fetchall()}
    for g, vals in groups.items():
        assert got[(g, False)] == pytest.approx((np.quantile(vals, 0.5), np.quantile(vals, 0.9)), abs=1e-12)
    everything = np.concatenate(list(groups.values()))
    assert got[(None, True)] == pytest.approx((np.quantile(everything, 0.5), np.quantile(everything, 0.9)), abs=1e-12)
    assert ("e", False) not in got  # no responses: no quantiles (NULL after the join)
