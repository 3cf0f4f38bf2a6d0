"""The load client of the benchmark (benchmarks/load.py) keeps working: it reads Streamlit's
messages the way the load step counts them, and a few sessions against a real server on a small
demo store finish Ringkasan without errors. No timing is asserted (the benchmark reports times)."""

from __future__ import annotations

import asyncio

import pandas as pd
import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks import load
from tests.conftest import ROOT

DEMO_END = "2025-11-20T12:00:00+07:00"


def _feed(*msgs: ForwardMsg) -> tuple[load.PageLoad, list[bool]]:
    page = load.PageLoad(session=0, page="ringkasan", start=0.0)
    reader = load._Reader(page, load.failure_markers())
    return page, [reader.feed(m.SerializeToString()) for m in msgs]


def _finished(status) -> ForwardMsg:
    msg = ForwardMsg()
    msg.script_finished = status
    return msg


def _alert(body: str) -> ForwardMsg:
    msg = ForwardMsg()
    msg.delta.new_element.alert.body = body
    return msg


def test_a_load_ends_with_the_completed_run_and_counts_failures():
    """A run that ends early for st.rerun is followed by its successor; an exception element, one
    of Pantau's own failure messages or a missing page makes the load fail."""
    ok, done = _feed(_alert("Data demo"), _finished(ForwardMsg.FINISHED_EARLY_FOR_RERUN),
                     _finished(ForwardMsg.FINISHED_SUCCESSFULLY))
    assert done == [False, False, True] and ok.ok and ok.runs == 2 and ok.elements == {}

    exc = ForwardMsg()
    exc.delta.new_element.exception.type = "ValueError"
    failed, _ = _feed(exc, _finished(ForwardMsg.FINISHED_SUCCESSFULLY))
    assert not failed.ok and failed.error.startswith("exception: ValueError")

    from ui.i18n import t

    for lang in ("id", "en"):
        panel, _ = _feed(_alert(t("panel.failed", lang=lang, name="KPI")), _finished(ForwardMsg.FINISHED_SUCCESSFULLY))
        assert not panel.ok and panel.error.startswith("failure message"), lang
    missing = ForwardMsg()
    missing.page_not_found.page_name = "nope"
    gone, done = _feed(missing)
    assert done == [True] and not gone.ok and gone.error == "page not found"


def test_percentile_interpolates_like_numpy():
    assert load.percentile([], 0.95) is None
    assert load.percentile([3.0], 0.95) == 3.0
    assert load.percentile([1.0, 2.0, 3.0, 4.0, 5.0], 0.5) == 3.0
    assert load.percentile([float(i) for i in range(1, 21)], 0.95) == pytest.approx(19.05)


@pytest.fixture(scope="module")
def small_store(tmp_path_factory):
    from analytics.demo.load import load_demo
    from analytics.store import connect

    tmp = tmp_path_factory.mktemp("load-store")
    con = connect(tmp / "demo.duckdb")
    try:
        load_demo(con, seed=7, months=6, rows=2000, end=pd.Timestamp(DEMO_END), out_dir=tmp)
    finally:
        con.close()
    return tmp / "demo.duckdb"


def test_three_sessions_finish_ringkasan_without_errors(small_store, tmp_path):
    from benchmarks.browser import start_server, stop_server

    proc, url, _ = start_server(ROOT, small_store, tmp_path / "streamlit.log",
                                env={"PANTAU_USERS": str(load.users_file(tmp_path))})
    try:
        loads = asyncio.run(load.run_load(url, sessions=3, duration_s=2.0, timeout_s=90))
        missing = asyncio.run(load.run_load(url, sessions=1, duration_s=0.1, pages=("no-such-page",), timeout_s=90))
    finally:
        stop_server(proc)
    log = (tmp_path / "streamlit.log").read_text(errors="replace")
    assert {x.session for x in loads} == {0, 1, 2}
    assert all(x.ok and x.error is None for x in loads), [x.error for x in loads] + [log[-2000:]]
    # It was Ringkasan that finished: four KPI cards, unit links, the charts.
    assert all(x.elements.get("metric", 0) >= 4 and x.elements.get("page_link", 0) >= 2 for x in loads), loads[0]
    # Ringkasan's charts are server-drawn SVG images now (no plotly on the first screen).
    assert all(x.elements.get("imgs", 0) >= 1 for x in loads), loads[0]
    summary = load.summarise(loads, 3, 2.0, 2.0)
    assert summary["errors"] == 0 and summary["ok"] == len(loads) and summary["median_s"] > 0
    assert missing and not any(x.ok for x in missing)  # the client does see a failed load
