"""The phone as a person gets it: a first visit (empty browser cache) to Ringkasan and to Peta at
390x844 over an emulated mobile network, through the production setup (deploy/serve.sh: Caddy with
HTTPS, HTTP/2 and precompressed static files) and through plain serving (``streamlit run app.py``,
as run.sh does it).

Per load: the bytes over the wire until the page's first-screen answers are painted, and the
seconds from the start of the navigation to that moment.

- **Answers painted** (one JavaScript predicate per page, checked on every animation frame):
  Ringkasan: the headline sentence ("Periode ini ..." / "This period ...") and the KPI cards
  (``stMetric``: at least ``MIN_CARDS``, every card on the page with its value) are visible;
  Peta: the deck.gl canvas is on the page and has drawn the map (a 24x24 sample of it shows
  painted pixels in at least three colours; WebGL frames are kept readable for this,
  ``KEEP_WEBGL_FRAME``). Nothing else has to be finished: charts below the answers may still
  be loading.
- **Networks**: Chrome's own throttling (DevTools protocol ``Network.emulateNetworkConditions``
  through Playwright's CDP session): ``NETWORKS`` (4G: 9 Mbit/s down, 3 up, 60 ms; Fast 3G:
  1,6 Mbit/s down, 0,75 up, 150 ms). Latency is added to every request, bandwidth shared by all.
- **Bytes**: what Chrome read from the network for the page (``encodedDataLength``: compressed
  bodies plus headers; TLS framing not included), HTTP and the websocket's frames, counted up to
  the moment the predicate held (requests still loading count with what had arrived).
- **Seconds**: ``performance.now()`` when the predicate first held (from the navigation start);
  for Ringkasan, if Streamlit's text font (``font-display: block``) was still loading then, the
  moment the text became visible: when the font arrived, or ``FONT_BLOCK_S`` after it was
  requested, whichever came first (``font_wait_s``).
- **Cold**: every load in a new browser context (nothing cached on the phone). The server has
  served the page once before (an unthrottled warm-up load per page), so its Streamlit cache
  holds the data, as when the Bupati opens the link after anyone else did: the figures are about
  the network and the browser, not the analytics (those are the benchmark's other steps).

The warm-up load also records the whole page (``full_page``): every byte until the network is
quiet, which is what the first load costs a phone in data, charts below the answers included.
A visit without answers after ``LOAD_TIMEOUT_MS`` is ``Stalled``; it is made again once
(``measure_retrying``) and kept in the step's ``stalls``.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, free_port

LOAD_TIMEOUT_MS = 120_000  # the slowest visit seen: Peta, plain serving, Fast 3G, 43 s
STALL_RETRIES = 1
MIN_CARDS = 2
HEADLINE_PREFIXES = ("Periode ini ", "This period ")
MB = 1_000_000  # bytes; "MB" in the targets and tables is a million bytes
# Streamlit's text font (its @font-face rules: font-display: block) and Chrome's block period for
# it: text waits invisible for its font at most this long, then shows in a fallback font.
TEXT_FONT, FONT_BLOCK_S = "SourceSans", 3.0
TEXT_ANSWERS = ("ringkasan",)  # pages whose answers are text (Peta's is the canvas)


@dataclass(frozen=True)
class Network:
    label: str
    down_mbit: float
    up_mbit: float
    latency_ms: float

    def cdp(self) -> dict:
        """``Network.emulateNetworkConditions`` parameters (throughputs in bytes per second)."""
        return {"offline": False, "latency": self.latency_ms, "downloadThroughput": self.down_mbit * 1e6 / 8,
                "uploadThroughput": self.up_mbit * 1e6 / 8}


NETWORKS = {
    "4g": Network("4G", 9.0, 3.0, 60.0),
    "fast3g": Network("Fast 3G", 1.6, 0.75, 150.0),
}
MODES = {"production": "production (deploy/serve.sh: Caddy, HTTPS, HTTP/2, precompressed)",
         "plain": "plain (streamlit run app.py, as run.sh)"}
PAGES = ("ringkasan", "peta")

# Both predicates return [page time, wall time] in ms (page time: since the navigation started)
# once the answers are painted, false before; 'exception' if Streamlit shows an error box instead.
_VISIBLE = """const visible = el => { if (!el) return false; const r = el.getBoundingClientRect();
    const s = getComputedStyle(el); return r.width > 0 && r.height > 0 && s.visibility !== 'hidden'
    && s.display !== 'none' && Number(s.opacity) > 0.2; };"""
_ANSWERS = {
    "ringkasan": """() => {
  __VISIBLE__
  if (document.querySelector('[data-testid="stException"]')) return 'exception';
  const main = document.querySelector('[data-testid="stMain"]');
  if (!main) return false;
  const prefixes = __PREFIXES__;
  const headline = [...main.querySelectorAll('[data-testid="stMarkdownContainer"]')]
    .some(m => prefixes.some(p => m.textContent.trim().startsWith(p)) && visible(m));
  const cards = [...main.querySelectorAll('[data-testid="stMetric"]')];
  const shown = cards.filter(c => visible(c) && (c.querySelector('[data-testid="stMetricValue"]') || {}).textContent);
  if (!headline || cards.length < __MIN_CARDS__ || shown.length < cards.length) return false;
  return [performance.now(), performance.timeOrigin + performance.now()];
}""",
    "peta": """() => {
  __VISIBLE__
  if (document.querySelector('[data-testid="stException"]')) return 'exception';
  const canvas = document.querySelector('[data-testid="stDeckGlJsonChart"] canvas');
  if (!visible(canvas) || !canvas.width || !canvas.height) return false;
  const n = 24, probe = document.createElement('canvas');
  probe.width = probe.height = n;
  const g = probe.getContext('2d', {willReadFrequently: true});
  g.drawImage(canvas, 0, 0, n, n);
  const px = g.getImageData(0, 0, n, n).data, colours = new Set();
  let painted = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (px[i + 3] > 0) { painted++; colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]); }
  }
  if (painted < n || colours.size < 3) return false;
  return [performance.now(), performance.timeOrigin + performance.now()];
}""",
}
ANSWERS = {name: js.replace("__VISIBLE__", _VISIBLE).replace("__PREFIXES__", json.dumps(HEADLINE_PREFIXES))
           .replace("__MIN_CARDS__", str(MIN_CARDS)) for name, js in _ANSWERS.items()}


# WebGL canvases keep their last frame readable (preserveDrawingBuffer), so the Peta predicate can
# see whether deck.gl has drawn the kecamatan yet rather than only made its canvas.
KEEP_WEBGL_FRAME = """(() => {
  const getContext = HTMLCanvasElement.prototype.getContext;
  HTMLCanvasElement.prototype.getContext = function (kind, options) {
    if (kind === 'webgl' || kind === 'webgl2' || kind === 'experimental-webgl') {
      options = Object.assign({}, options, {preserveDrawingBuffer: true});
    }
    return getContext.call(this, kind, options);
  };
})();"""


class Stalled(RuntimeError):
    """A visit whose answers never came (``measure_load``'s timeout), with what was pending."""


class _Wire:
    """Bytes Chrome read from the network, per request, with the DevTools protocol's timestamps
    (seconds on Chrome's monotonic clock), so they can be counted up to any moment."""

    def __init__(self, cdp) -> None:
        self.offset: float | None = None  # wall time minus monotonic time
        self.head: dict[str, tuple[float, int]] = {}  # request -> (t, header bytes at the response)
        self.chunks: dict[str, list[tuple[float, int]]] = {}
        self.done: dict[str, tuple[float, int]] = {}
        self.ws: list[tuple[float, int]] = []
        self.info: dict[str, dict] = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.dataReceived", lambda e: self.chunks.setdefault(e["requestId"], []).append(
            (e["timestamp"], e["encodedDataLength"])))
        cdp.on("Network.loadingFinished", lambda e: self.done.__setitem__(
            e["requestId"], (e["timestamp"], e["encodedDataLength"])))
        cdp.on("Network.webSocketFrameReceived", lambda e: self.ws.append((e["timestamp"], _frame_bytes(e))))

    def _sent(self, e: dict) -> None:
        if self.offset is None and e.get("wallTime"):
            self.offset = e["wallTime"] - e["timestamp"]
        self.info.setdefault(e["requestId"], {}).update(url=e["request"]["url"], start=e["timestamp"])

    def text_font_shown(self, t: float) -> float | None:
        """When text drawn at monotonic time ``t`` can be seen, as far as the text fonts go
        (``TEXT_FONT``): Streamlit's @font-face rules say ``font-display: block``, so text waits
        invisible for its font, at most ``FONT_BLOCK_S`` from the font's request, then shows in a
        fallback. None while that is not known yet (a font still loading, its block not over)."""
        shown = t
        for rid, i in self.info.items():
            url = i.get("url", "").split("?")[0]
            if not (url.endswith(".woff2") and TEXT_FONT in url) or i.get("start", t + 1) > t:
                continue
            end = self.done[rid][0] if rid in self.done else None
            if end is not None and end <= t:
                continue
            block_over = i["start"] + FONT_BLOCK_S
            if end is None and block_over > t and not self._past(block_over):
                return None
            shown = max(shown, min(end if end is not None else block_over, block_over))
        return shown

    def _past(self, moment: float) -> bool:
        """Whether the protocol's clock (wall time minus ``offset``) has gone past ``moment``."""
        return self.offset is not None and time.time() - self.offset > moment

    def _response(self, e: dict) -> None:
        r = e["response"]
        headers = {k.lower(): v for k, v in r.get("headers", {}).items()}
        self.head[e["requestId"]] = (e["timestamp"], int(r.get("encodedDataLength") or 0))
        self.info.setdefault(e["requestId"], {}).update(
            url=r["url"], encoding=headers.get("content-encoding", ""), protocol=r.get("protocol", ""),
            cache_control=headers.get("cache-control", ""), status=r.get("status"))

    def bytes_until(self, t: float | None = None) -> dict:
        """HTTP and websocket bytes received up to monotonic time ``t`` (everything if None)."""
        http, requests = 0, 0
        for rid in set(self.head) | set(self.done) | set(self.chunks):
            if rid in self.done and (t is None or self.done[rid][0] <= t):
                http += self.done[rid][1]
                requests += 1
                continue
            head = self.head.get(rid)
            http += head[1] if head and (t is None or head[0] <= t) else 0
            http += sum(n for ts, n in self.chunks.get(rid, []) if t is None or ts <= t)
        ws = sum(n for ts, n in self.ws if t is None or ts <= t)
        return {"bytes": http + ws, "http_bytes": http, "ws_bytes": ws, "requests_done": requests}

    def pending(self) -> list[tuple[str, int]]:
        """Requests sent and not finished: (url, bytes received so far)."""
        return [(i.get("url", ""), sum(n for _, n in self.chunks.get(rid, [])))
                for rid, i in self.info.items() if rid not in self.done and i.get("url", "").startswith("http")]

    def summary(self) -> dict:
        """The HTTP versions used, and how the JavaScript and CSS files came (content encodings)."""
        net = [i for i in self.info.values() if i.get("url", "").startswith(("http:", "https:"))]
        code = [i for i in net if i.get("status") == 200 and i["url"].split("?")[0].endswith((".js", ".css"))]
        encodings: dict[str, int] = {}
        for i in code:
            encodings[i.get("encoding") or "none"] = encodings.get(i.get("encoding") or "none", 0) + 1
        return {"protocols": sorted({i["protocol"] for i in net if i.get("protocol")}),
                "code_files": len(code), "code_encodings": dict(sorted(encodings.items()))}


def _frame_bytes(e: dict) -> int:
    payload = e["response"].get("payloadData", "")
    if e["response"].get("opcode") == 2:  # binary frames come base64-encoded
        return len(base64.b64decode(payload))
    return len(payload.encode("utf-8"))


def measure_load(browser, url: str, page_name: str, network: Network | None,
                 timeout_ms: int = LOAD_TIMEOUT_MS, settle_s: float = 0.0) -> dict:
    """One first visit (new context: empty cache) to ``url/page_name`` over ``network`` (None:
    unthrottled). ``settle_s`` > 0 also waits until no request has finished for that long
    (at most 60 s) and reports everything received as ``full_page``."""
    ctx = browser.new_context(**PHONE, ignore_https_errors=True)
    try:
        ctx.add_init_script(KEEP_WEBGL_FRAME)
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        wire = _Wire(cdp)
        cdp.send("Network.enable")
        if network is not None:
            cdp.send("Network.emulateNetworkConditions", network.cdp())
        t0 = time.perf_counter()
        page.goto(f"{url}/{page_name}", wait_until="commit", timeout=timeout_ms)
        try:
            handle = page.wait_for_function(ANSWERS[page_name], polling="raf", timeout=timeout_ms)
        except Exception as exc:  # Playwright's TimeoutError: say what the browser was waiting for
            if type(exc).__name__ != "TimeoutError":
                raise
            pending = wire.pending()
            raise Stalled(f"{page_name} over {network.label if network else 'no throttling'}: no answers after "
                          f"{timeout_ms / 1000:g} s; {len(pending)} requests pending, "
                          f"{sum(n for _, n in pending)} bytes of them received") from exc
        wall = time.perf_counter() - t0
        answer = handle.json_value()
        if answer == "exception":
            raise RuntimeError(f"{page_name} shows an exception instead of its answers")
        at_ms, wall_ms = answer
        page.wait_for_timeout(300)  # let the protocol events up to that moment arrive
        if wire.offset is None:
            raise RuntimeError("no network events seen")
        drawn = wall_ms / 1000 - wire.offset  # on the protocol's clock
        shown = drawn
        if page_name in TEXT_ANSWERS:  # text in the DOM is not yet text on screen (font-display: block)
            deadline = time.monotonic() + FONT_BLOCK_S + 5
            while (shown := wire.text_font_shown(drawn)) is None and time.monotonic() < deadline:
                page.wait_for_timeout(100)
            shown = shown if shown is not None else drawn + FONT_BLOCK_S
        result = {"page": page_name, "network": network.label if network else "none",
                  "seconds": at_ms / 1000 + (shown - drawn), "font_wait_s": shown - drawn, "wall_s": wall,
                  **wire.bytes_until(shown), **wire.summary()}
        if settle_s > 0:
            deadline, last = time.monotonic() + 60, -1
            while time.monotonic() < deadline:
                finished = len(wire.done)
                if finished == last:
                    break
                last = finished
                page.wait_for_timeout(settle_s * 1000)
            result["full_page"] = wire.bytes_until(None)
        return result
    finally:
        ctx.close()


def measure_all(url: str, runs: int = 1, networks: tuple[str, ...] = tuple(NETWORKS),
                pages: tuple[str, ...] = PAGES, timeout_ms: int = LOAD_TIMEOUT_MS) -> dict:
    """Every page on every network, ``runs`` first visits each (the median counts), after one
    unthrottled warm-up load per page (it fills the server's cache; its whole page is recorded)."""
    from playwright.sync_api import sync_playwright

    loads, warmup, stalls = [], {}, []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            for name in pages:
                warmup[name] = measure_load(browser, url, name, None, timeout_ms, settle_s=1.5)
            for name in pages:
                for key in networks:
                    for _ in range(runs):
                        loads.append({**measure_retrying(browser, url, name, NETWORKS[key], timeout_ms, stalls),
                                      "net": key})
        finally:
            browser.close()
    return {"loads": loads, "warmup": warmup, "stalls": stalls}


def measure_retrying(browser, url: str, page_name: str, network: Network | None, timeout_ms: int,
                     stalls: list[str], retries: int = STALL_RETRIES) -> dict:
    """``measure_load``, visited again (a new context) when a visit stalls, at most ``retries``
    times; each stall is recorded in ``stalls``. Throttled HTTP/2 visits in Chromium stalled now
    and then with every request pending and no byte delivered, while the proxy had sent them all
    (docs/performance.md, "The phone")."""
    for attempt in range(retries + 1):
        try:
            return measure_load(browser, url, page_name, network, timeout_ms)
        except Stalled as exc:
            stalls.append(str(exc))
            if attempt == retries:
                raise
    raise AssertionError("unreachable")


def cells(loads: list[dict]) -> dict[str, dict]:
    """``page/net`` -> the median seconds and bytes of its loads."""
    out: dict[str, dict] = {}
    for load in loads:
        out.setdefault(f"{load['page']}/{load['net']}", {"seconds": [], "bytes": []})
        out[f"{load['page']}/{load['net']}"]["seconds"].append(load["seconds"])
        out[f"{load['page']}/{load['net']}"]["bytes"].append(load["bytes"])
    return {k: {"seconds": _median(v["seconds"]), "bytes": _median(v["bytes"]), "runs": len(v["seconds"])}
            for k, v in out.items()}


def _median(xs: list[float]) -> float:
    s = sorted(xs)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


# --- the production setup, started and stopped for a measurement or a test ---------------------

def caddy_path() -> str | None:
    """The caddy program serve.sh would use (PANTAU_CADDY or caddy on PATH), None if absent."""
    import shutil

    return shutil.which(os.environ.get("PANTAU_CADDY", "caddy"))


def caddy_version() -> str | None:
    caddy = caddy_path()
    if not caddy:
        return None
    run = subprocess.run([caddy, "version"], capture_output=True, text=True, timeout=10)
    return run.stdout.strip() or None


def health(url: str, timeout: float = 2.0) -> bool:
    try:
        ctx = ssl._create_unverified_context()  # serve.sh's own self-signed certificate, on loopback
        return urllib.request.urlopen(url + "/_stcore/health", timeout=timeout, context=ctx).read() == b"ok"
    except OSError:
        return False


def start_production(root: Path, db: Path, log_path: Path, state_dir: Path,
                     env: dict[str, str] | None = None, timeout_s: float = 180) -> tuple[subprocess.Popen, str, float]:
    """``deploy/serve.sh`` with PANTAU_DB=db on free loopback ports, in a process group of its own;
    returns the process, the HTTPS URL and the seconds until /_stcore/health answered through the
    proxy. The dashboard runs on this Python (PANTAU_PYTHON). The precompressed frontend files are kept in serve.sh's default cache
    (deploy/.state/static), so they are made once per Streamlit version, not per run."""
    port = free_port()
    env = {**os.environ, "PANTAU_PYTHON": sys.executable, "PANTAU_DB": str(db), "PANTAU_HTTPS_PORT": str(port),
           "PANTAU_STREAMLIT_PORT": str(free_port()), "PANTAU_STATE_DIR": str(state_dir),
           "PANTAU_STATIC_CACHE": str(root / "deploy" / ".state" / "static"), "PANTAU_CADDY_ADMIN": "off",
           **(env or {})}
    env.pop("PANTAU_DOMAIN", None)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(["bash", str(root / "deploy" / "serve.sh")], cwd=root, env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    url = f"https://127.0.0.1:{port}"
    t0 = time.perf_counter()
    while not health(url):
        if proc.poll() is not None or time.perf_counter() - t0 > timeout_s:
            stop_production(proc)
            raise RuntimeError(f"deploy/serve.sh did not start (exit {proc.poll()}); see {log_path}")
        time.sleep(0.2)
    return proc, url, time.perf_counter() - t0


def stop_production(proc: subprocess.Popen, timeout_s: float = 30) -> None:
    """SIGTERM to serve.sh (it stops Caddy and Streamlit and waits for them); if it does not end,
    SIGKILL to the process group it was started in (ours, by its id)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # anything left in serve.sh's own group
    except ProcessLookupError:
        pass
    if proc.poll() is None:
        proc.wait(timeout=10)


# --- targets and the report -------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    mode: str
    page: str
    net: str
    seconds: float | None = None
    max_mb: float | None = None

    def name(self) -> str:
        what = {"ringkasan": "Ringkasan's first-screen answers", "peta": "Peta drawn"}[self.page]
        limits = ([f"within {self.seconds:g} s"] if self.seconds is not None else []) + (
            [f"at most {self.max_mb:g} MB over the wire"] if self.max_mb is not None else [])
        return f"{self.mode.capitalize()}, {NETWORKS[self.net].label}: {what} {' and '.join(limits)}"


TARGETS = (
    Target("production", "ringkasan", "4g", seconds=3.0),
    Target("production", "ringkasan", "fast3g", seconds=8.0),
    Target("production", "ringkasan", "4g", max_mb=1.5),
    Target("production", "ringkasan", "fast3g", max_mb=1.5),
    Target("production", "peta", "4g", seconds=5.0),
    Target("plain", "ringkasan", "4g", seconds=5.0),
)


def judge(modes: dict[str, dict]) -> list[dict]:
    """PASS/MISS per target from each mode's step result (``cells``); n/a when not measured."""
    out = []
    for tgt in TARGETS:
        r = modes.get(tgt.mode) or {}
        cell = (r.get("cells") or {}).get(f"{tgt.page}/{tgt.net}") if r.get("ok") else None
        if cell is None:
            why = r.get("skipped") or (("error: " + str(r.get("error", "")).strip().splitlines()[-1])
                                       if r and not r.get("ok") else "not measured")
            out.append({"target": tgt.name(), "result": why, "status": "MISS" if r and not r.get("ok")
                        and not r.get("skipped") else "n/a"})
            continue
        ok, text = True, []
        if tgt.seconds is not None:
            ok &= cell["seconds"] <= tgt.seconds
            text.append(f"{cell['seconds']:.1f} s")
        if tgt.max_mb is not None:
            ok &= cell["bytes"] <= tgt.max_mb * MB
            text.append(f"{cell['bytes'] / MB:.2f} MB")
        runs = f" (median of {cell['runs']})" if cell["runs"] > 1 else ""
        out.append({"target": tgt.name(), "result": ", ".join(text) + runs, "status": "PASS" if ok else "MISS"})
    return out


def build(modes: dict[str, dict], meta: dict) -> dict:
    """The ``phone`` part of results.json: the networks, every load, the medians and the targets."""
    return {"networks": {k: asdict(n) for k, n in NETWORKS.items()}, "modes": modes,
            "targets": judge(modes), "mb": MB, **meta}


def _conditions(doc: dict) -> list[str]:
    """Runs per cell, the proxy's version and the machine's load: the times include waiting for a core."""
    parts = [f"{doc.get('runs', 1)} first visit(s) per page and network (median)"]
    stalls = {m: len(r.get("stalls") or []) for m, r in doc.get("modes", {}).items() if r.get("stalls")}
    if stalls:
        parts.append("visits that stalled and were made again: "
                     + ", ".join(f"{m} {n}" for m, n in stalls.items()))
    if doc.get("caddy"):
        parts.append(f"Caddy {doc['caddy'].split()[0]}")
    if doc.get("loadavg_before") and doc.get("loadavg_after"):
        parts.append(f"load average {doc['loadavg_before'][0]:.1f} before / {doc['loadavg_after'][0]:.1f} after "
                     f"on {os.cpu_count()} cores (Chromium renders in software here: CPU waits add to the times)")
    return ["; ".join(parts) + ".", ""]


def _mb(n: float | None) -> str:
    return f"{n / MB:.2f}" if n else "–"


def markdown(doc: dict) -> list[str]:
    """The phone section of results.md (and of docs/performance.md)."""
    lines = ["## The phone: first visit at 390x844 on a mobile network", "",
             "| serving | page | network | answers painted, s | over the wire until then, MB | whole page, MB | "
             "requests | protocol | JS/CSS files sent as |",
             "|---|---|---|--:|--:|--:|--:|---|---|"]
    for mode, label in MODES.items():
        r = doc["modes"].get(mode) or {}
        if not r.get("ok"):
            reason = r.get("skipped") or ("failed: " + str(r.get("error", "")).strip().splitlines()[-1]
                                          if r else "not run")
            lines.append(f"| {label} | – | – | – | – | – | – | – | {reason} |")
            continue
        for key, cell in r["cells"].items():
            page, net = key.split("/")
            loads = [x for x in r.get("loads", []) if x["page"] == page and x["net"] == net]
            full = (r.get("warmup", {}).get(page) or {}).get("full_page") or {}
            last = loads[-1] if loads else {}
            sent = ", ".join(f"{k} {n}" for k, n in last.get("code_encodings", {}).items())
            lines.append(
                f"| {label} | {page.capitalize()} | {NETWORKS[net].label} | {cell['seconds']:.1f} | "
                f"{cell['bytes'] / MB:.2f} | {_mb(full.get('bytes'))} | {last.get('requests_done', '–')} | "
                f"{', '.join(last.get('protocols', [])) or '–'} | {sent or '–'} |")
    lines += ["", "| phone target | result | status |", "|---|---|---|",
              *(f"| {t['target']} | {t['result']} | {t['status']} |" for t in doc["targets"]), "",
              *_conditions(doc),
              "Answers painted: Ringkasan's headline sentence and KPI cards visible; Peta's deck.gl canvas "
              "drawn. Over the wire: HTTP (compressed bodies and headers) and websocket bytes Chrome "
              "received until then (MB = 10^6 bytes). Whole page: everything the unthrottled warm-up load "
              "received until the network was quiet. Every load a new browser context (empty cache) after "
              "one warm-up load per page (the server's cache warm); Chrome's throttling: "
              + "; ".join(f"{n.label} {n.down_mbit:g}/{n.up_mbit:g} Mbit/s, {n.latency_ms:g} ms"
                          for n in NETWORKS.values()) + ".", ""]
    return lines


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.phone --store PATH [--runs N] [--modes plain,production] [--out DIR]``:
    the phone step alone, against servers of its own (one at a time) on an existing store."""
    import argparse
    import tempfile

    from benchmarks.browser import start_server, stop_server

    p = argparse.ArgumentParser(prog="python -m benchmarks.phone", description=main.__doc__.split("\n\n")[0])
    p.add_argument("--store", required=True, help="the DuckDB store to serve (e.g. OUT/data/pantau.duckdb)")
    p.add_argument("--runs", type=int, default=1, help="first visits per page and network (the median counts)")
    p.add_argument("--modes", default="plain,production", help="plain, production or both (default both)")
    p.add_argument("--out", default=None, help="write phone.json and phone.md there")
    p.add_argument("--root", default=None,
                   help="serve another checkout of Pantau (e.g. an older commit from git archive) with this Python")
    args = p.parse_args(argv)
    root = Path(args.root).resolve() if args.root else Path(__file__).resolve().parents[1]
    modes: dict[str, dict] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="pantau-phone-") as tmp:
        for mode in args.modes.split(","):
            if mode == "production" and not caddy_path():
                modes[mode] = {"ok": False, "skipped": "skipped: caddy not installed (sudo apt-get install -y caddy)"}
                continue
            log = Path(tmp) / f"{mode}.log"
            if mode == "plain":
                proc, url, _ = start_server(root, Path(args.store), log)
            else:
                proc, url, _ = start_production(root, Path(args.store), log, Path(tmp) / "state")
            try:
                r = measure_all(url, args.runs)
                modes[mode] = {"ok": True, "mode": mode, "cells": cells(r["loads"]), **r}
            except Exception as exc:  # noqa: BLE001 - reported in the table, the other mode still runs
                modes[mode] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
                print(log.read_text(errors="replace")[-2000:], file=sys.stderr)
            finally:
                if mode == "plain":
                    stop_server(proc)
                else:
                    stop_production(proc)
    doc = build(modes, {"runs": args.runs, "store": args.store, "root": str(root), "caddy": caddy_version(),
                        "loadavg_before": load_before, "loadavg_after": os.getloadavg()})
    text = "\n".join(markdown(doc))
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "phone.json").write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
        (out / "phone.md").write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(r.get("ok") or r.get("skipped") for r in modes.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
