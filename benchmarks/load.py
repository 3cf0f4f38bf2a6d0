"""The load check: many people opening Ringkasan at once, without browsers.

Each simulated person is a lightweight Streamlit client: Streamlit's own browser protocol
(protobuf ``BackMsg``/``ForwardMsg`` over the websocket at ``/_stcore/stream``), nothing rendered,
no JavaScript. All of them run as asyncio tasks in one process on loopback, so N sessions cost the
client little CPU and the server sees what N browser tabs would make it do (every script run,
every element serialised and sent), minus the drawing.

A *page load* is one fresh session (a new websocket, as a new tab is): connect, send the
``rerun_script`` BackMsg a browser sends for the page's URL, and read ForwardMsgs until the run
ends. Its *page time* runs from sending the rerun to the ``script_finished`` ForwardMsg of a
completed run (a run that ends early for an ``st.rerun`` is followed by its successor, and the
clock keeps running). A load *fails* when the run ends without completing, the page is not
found, the connection drops, it takes longer than the timeout, or the page shows an exception
element or one of Pantau's own "failed to load" messages (a failing panel, a failing page, an
unreadable store: ui/frame.py).

Every session opens the page again as soon as the last load ended (``think_s`` 0: the most
demanding closed loop), until ``duration_s`` has passed; loads in flight then finish. Bounded:
at most MAX_SESSIONS sessions, each load at most ``timeout_s``.

``python -m benchmarks.load --store PATH [--sessions 20] [--seconds 120]`` starts the dashboard on
that store (open access, its own users file), runs the load, prints the summary and the server's
peak RSS, and stops the server. The benchmark's load step (runner.py) does the same.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_SESSIONS = 200
PAGE_TIMEOUT_S = 120.0
WS_PATH = "/_stcore/stream"
# Pantau's own failure messages (ui/i18n.py): a panel, a page or the store that failed shows one of
# these instead of an exception box (client.showErrorDetails is "none"). Their fixed parts, both languages.
FAILURE_KEYS = ("page.failed", "panel.failed", "db.failed", "db.locked")
# Users file for the load run: open access without login (the benchmark store is the demo; this keeps
# the run open even if the store is not, and independent of a .streamlit/pantau-users.toml).
OPEN_USERS = "[access]\nallow_open = true\n"


def failure_markers() -> tuple[str, ...]:
    """The longest placeholder-free fragment of each failure message, in both languages."""
    import re

    from ui.i18n import LANGS, MESSAGES

    marks = []
    for lang in LANGS:
        for key in FAILURE_KEYS:
            parts = re.split(r"\{[^}]*\}", MESSAGES[lang][key])
            marks.append(max(parts, key=len).strip())
    return tuple(m for m in marks if m)


@dataclass
class PageLoad:
    """One page load by one session (times in seconds; ``start`` from the start of the run)."""

    session: int
    page: str
    start: float
    connect_s: float | None = None
    page_s: float | None = None
    ok: bool = False
    error: str | None = None
    runs: int = 0  # script runs until the completed one (2 after an st.rerun)
    messages: int = 0
    bytes: int = 0
    element_bytes: dict[str, int] = field(default_factory=dict)  # by element type: what the page sends
    elements: dict[str, int] = field(default_factory=dict)  # how many of each (4 "metric" on Ringkasan)


def _rerun_msg(page: str, query_string: str = "") -> bytes:
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    cs = msg.rerun_script
    cs.query_string = query_string
    cs.page_name = page  # what the frontend sends for /<page>: the url_path, no script hash yet
    cs.page_script_hash = ""
    cs.widget_states.SetInParent()
    return msg.SerializeToString()


class _Reader:
    """Classifies the ForwardMsgs of one page load."""

    def __init__(self, load: PageLoad, markers: tuple[str, ...]):
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self.load, self.markers, self.FM = load, markers, ForwardMsg
        self.sizes: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()

    def feed(self, raw: bytes) -> bool:
        """Take one frame; True when the page load is over (ok or not)."""
        msg = self.FM()
        msg.ParseFromString(raw)
        self.load.messages += 1
        self.load.bytes += len(raw)
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self._delta(msg.delta, len(raw))
        elif kind == "page_not_found":
            self.load.error = "page not found"
            return True
        elif kind == "script_finished":
            self.load.runs += 1
            status = msg.script_finished
            if status == self.FM.FINISHED_SUCCESSFULLY:
                self.load.ok = self.load.error is None
                return True
            if status == self.FM.FINISHED_WITH_COMPILE_ERROR:
                self.load.error = "compile error"
                return True
            # FINISHED_EARLY_FOR_RERUN: an st.rerun; the next run follows on the same session
        return False

    def _delta(self, delta, size: int) -> None:
        which = delta.WhichOneof("type")
        if which != "new_element":
            self.sizes[which or "?"] += size
            return
        el = delta.new_element
        etype = el.WhichOneof("type") or "?"
        self.sizes[etype] += size
        self.counts[etype] += 1
        if etype == "exception" and self.load.error is None:
            self.load.error = f"exception: {el.exception.type}: {el.exception.message[:200]}"
        elif etype == "alert" and self.load.error is None:
            body = el.alert.body
            if any(m in body for m in self.markers):
                self.load.error = f"failure message: {body[:200]}"


async def page_load(ws_url: str, page: str, session: int, t0: float, markers: tuple[str, ...],
                    timeout_s: float = PAGE_TIMEOUT_S) -> PageLoad:
    """One fresh session opening ``page``; never raises (failures are in the result)."""
    from websockets.asyncio.client import connect

    load = PageLoad(session=session, page=page, start=time.perf_counter() - t0)
    reader = _Reader(load, markers)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout_s):
            # No proxy (loopback), frames of any size (a page's data can exceed 1 MB), the browser's
            # subprotocol; compression as a browser negotiates it.
            async with connect(ws_url, subprotocols=["streamlit"], proxy=None, max_size=None,
                               open_timeout=timeout_s, ping_interval=None) as ws:
                load.connect_s = time.perf_counter() - started
                sent = time.perf_counter()
                await ws.send(_rerun_msg(page))
                async for raw in ws:
                    if reader.feed(raw):
                        break
                else:
                    load.error = load.error or "connection closed before the run finished"
                load.page_s = time.perf_counter() - sent
    except TimeoutError:
        load.error = f"no finished run within {timeout_s:g} s"
    except Exception as exc:  # a refused or dropped connection is a failed load, not a crash
        load.error = f"{type(exc).__name__}: {exc}"
    load.ok = load.ok and load.error is None
    load.element_bytes, load.elements = dict(reader.sizes), dict(reader.counts)
    return load


async def run_load(url: str, sessions: int, duration_s: float, pages: tuple[str, ...] = ("ringkasan",),
                   think_s: float = 0.0, timeout_s: float = PAGE_TIMEOUT_S) -> list[PageLoad]:
    """``sessions`` people each opening ``pages`` in turn, back to back (or ``think_s`` apart),
    all starting at once, for ``duration_s``; every load, in start order."""
    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValueError(f"sessions must be 1..{MAX_SESSIONS}, not {sessions}")
    ws_url = url.replace("http://", "ws://", 1).rstrip("/") + WS_PATH
    markers = failure_markers()
    loads: list[PageLoad] = []
    t0 = time.perf_counter()

    async def person(i: int) -> None:
        n = 0
        while time.perf_counter() - t0 < duration_s:
            loads.append(await page_load(ws_url, pages[n % len(pages)], i, t0, markers, timeout_s))
            n += 1
            if think_s:
                await asyncio.sleep(think_s)

    await asyncio.gather(*(person(i) for i in range(sessions)))
    return sorted(loads, key=lambda x: x.start)


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), q in [0, 1]."""
    if not values:
        return None
    s = sorted(values)
    pos = (len(s) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def summarise(loads: list[PageLoad], sessions: int, duration_s: float, wall_s: float) -> dict:
    """Median/p95/max page time over the completed loads, errors, throughput, bytes per load, and
    the same for the first wave (each session's first load: the server's caches were cold)."""
    done = [x.page_s for x in loads if x.ok]
    firsts: dict[int, PageLoad] = {}
    for x in sorted(loads, key=lambda x: x.start):
        firsts.setdefault(x.session, x)
    first = [x.page_s for x in firsts.values() if x.ok]
    errors = [x for x in loads if not x.ok]
    kinds: Counter[str] = Counter()
    for x in loads:
        kinds.update(x.element_bytes)
    n = max(len(loads), 1)
    return {
        "sessions": sessions, "duration_s": duration_s, "wall_s": wall_s, "loads": len(loads), "ok": len(done),
        "errors": len(errors), "error_samples": sorted({x.error or "" for x in errors})[:5],
        "median_s": statistics.median(done) if done else None, "p95_s": percentile(done, 0.95),
        "max_s": max(done) if done else None, "min_s": min(done) if done else None,
        "first_wave_median_s": statistics.median(first) if first else None,
        "first_wave_max_s": max(first) if first else None,
        "loads_per_s": len(done) / wall_s if wall_s else None,
        "connect_median_s": statistics.median([x.connect_s for x in loads if x.connect_s is not None] or [0]),
        "kb_per_load": sum(x.bytes for x in loads) / n / 1024,
        "messages_per_load": sum(x.messages for x in loads) / n,
        "kb_per_load_by_element": {k: round(v / n / 1024, 1) for k, v in kinds.most_common(8)},
    }


def measure(url: str, sessions: int, duration_s: float, pages: tuple[str, ...] = ("ringkasan",),
            think_s: float = 0.0, timeout_s: float = PAGE_TIMEOUT_S) -> dict:
    """Run the load against a running dashboard; the summary plus every load."""
    started = time.perf_counter()
    loads = asyncio.run(run_load(url, sessions, duration_s, pages, think_s, timeout_s))
    wall = time.perf_counter() - started
    return {"summary": summarise(loads, sessions, duration_s, wall), "loads": [asdict(x) for x in loads]}


def users_file(directory: Path) -> Path:
    path = directory / "load-users.toml"
    path.write_text(OPEN_USERS, encoding="utf-8")
    return path


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process (MiB), None when it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def main(argv: list[str]) -> int:
    from benchmarks.browser import start_server, stop_server
    from benchmarks.runner import ROOT

    p = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.split("\n\n")[0])
    p.add_argument("--store", required=True, help="the DuckDB store to serve (e.g. OUT/data/pantau.duckdb)")
    p.add_argument("--sessions", type=int, default=20)
    p.add_argument("--seconds", type=float, default=120.0, help="how long sessions keep opening pages")
    p.add_argument("--page", action="append", help="url_path to open (repeat for a cycle; default ringkasan)")
    p.add_argument("--think", type=float, default=0.0, help="pause between one session's loads (s)")
    p.add_argument("--out", help="write the summary and every load as JSON here")
    p.add_argument("--log", default="/tmp/pantau-load-streamlit.log", help="the server's log")
    args = p.parse_args(argv)
    log = Path(args.log)
    env = {"PANTAU_USERS": str(users_file(log.parent))}
    proc, url, startup = start_server(ROOT, Path(args.store), log, env=env)
    load_before = os.getloadavg()
    try:
        result = measure(url, args.sessions, args.seconds, tuple(args.page or ["ringkasan"]), args.think)
        rss_end = rss_mb(proc.pid)
    finally:
        peak = stop_server(proc)
    s = result["summary"] | {"server_start_s": startup, "server_peak_rss_mb": peak, "server_rss_end_mb": rss_end,
                             "loadavg_before": load_before, "loadavg_after": os.getloadavg()}
    result["summary"] = s
    print(json.dumps(s, indent=2))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0 if s["errors"] == 0 and s["ok"] else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main(sys.argv[1:]))
