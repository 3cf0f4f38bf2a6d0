"""One formula: every registry metric is documented and produced by the league; the CLI emits
the documented columns."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analytics.cli import main as cli
from analytics.metrics.groups import METRIC_COLUMNS
from analytics.metrics.league import LEAGUE_COLUMNS
from analytics.metrics.quality import QUALITY_METRICS, UNIT_COLUMNS
from analytics.metrics.registry import METRICS

DOCS = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"


def test_every_metric_is_documented_and_computed():
    text = DOCS.read_text(encoding="utf-8")
    for name, m in METRICS.items():
        assert f"`{name}`" in text, f"{name} missing from docs/metrics.md"
        assert m.label_id and m.label_en and m.description_id and m.description_en
    ranking_only = {"adjusted_on_time_rate", "score", "rank", "rank_change"}
    assert set(METRICS) - ranking_only - set(QUALITY_METRICS) <= set(METRIC_COLUMNS)
    assert set(QUALITY_METRICS) <= set(UNIT_COLUMNS)  # closure quality: metrics.quality computes them


def test_league_cli_json_shape(tmp_path, capsys):
    from analytics.demo.load import load_demo
    from analytics.store import connect

    db = tmp_path / "d.duckdb"
    con = connect(db)
    load_demo(con, seed=1, months=3, rows=1500, end=pd.Timestamp("2025-11-20 12:00", tz="Asia/Jakarta"),
              out_dir=tmp_path)
    con.close()
    args = ["league", "--db", str(db), "--by", "opd", "--from", "2025-09-01", "--to", "2025-11-20",
            "--as-of", "2025-11-20T12:00:00+07:00", "--format", "json"]
    assert cli.main(args) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and set(rows[0]) == {*LEAGUE_COLUMNS, "lens"}
    assert {r["lens"] for r in rows} == {"due"}  # the JSON says which lens produced it
    ranked = [r for r in rows if r["rank"] is not None]
    assert ranked and all(isinstance(r["on_time_pct"], float) for r in ranked)
    assert [r["rank"] for r in ranked] == sorted(r["rank"] for r in ranked)
    assert all(r["rank"] is None for r in rows if r["decided"] < 10)
    assert cli.main(["breaches", "--db", str(db), "--as-of", "2025-11-20T12:00:00+07:00",
                     "--from", "2025-09-01", "--format", "json"]) == 0
    b = json.loads(capsys.readouterr().out)
    assert b and set(b[0]) == {"id", "source", "stage", "unit", "started_at", "deadline", "ended_at", "state",
                               "working_days_over", "lens"}
    assert b[0]["deadline"].endswith("+00:00")
    assert cli.main(["league", "--db", str(db), "--policy", "nope"]) == 2
