"""The production setup (deploy/, docs/deploy.md): deploy/serve.sh started on free loopback ports
with a store of its own, and a phone (Debian Chromium, 390x844) through it: the page renders, the
websocket works through the proxy, JavaScript and CSS come compressed (the encoding and the bytes
on the wire), hashed static files carry year-long cache headers, the compressed files are the
originals, HTTPS answers with serve.sh's certificate. The systemd units are checked with
``systemd-analyze verify``. Times are not asserted.

Caddy comes from Debian (test.sh installs it when run as root). Without it these tests skip,
except under CI (``PANTAU_CI=1``), where a missing Caddy is a failure.
"""

from __future__ import annotations

import gzip
import os
import shutil
import ssl
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pandas as pd
import pytest

from benchmarks import phone
from tests.browser.conftest import DEMO_END, DEMO_ROWS, SCREENSHOTS, SIZES, _need_browser, wait_for_app
from tests.browser.server import ROOT

DEPLOY = ROOT / "deploy"
UNITS = ("pantau.service", "pantau-proxy.service")
YEAR = "max-age=31536000"


def _caddy() -> str:
    found = phone.caddy_path()
    if found:
        return found
    reason = "caddy not installed (sudo apt-get install -y caddy; ./test.sh installs it when run as root)"
    if os.environ.get("PANTAU_CI"):
        pytest.fail(f"the production setup must be tested in CI: {reason}")
    pytest.skip(reason)


def _static_dir() -> Path:
    import streamlit

    return Path(streamlit.__file__).parent / "static"


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """deploy/serve.sh on a demo store of its own (the session's app_url server holds the shared
    one); yields (https url, state dir). Stopped by its own process handle."""
    _need_browser()
    _caddy()
    from analytics.demo.load import load_demo
    from analytics.store import connect

    tmp = tmp_path_factory.mktemp("production")
    db = tmp / "demo.duckdb"
    con = connect(db)
    try:
        load_demo(con, seed=7, months=18, rows=DEMO_ROWS, end=pd.Timestamp(DEMO_END), out_dir=tmp)
    finally:
        con.close()
    state = tmp / "state"
    try:
        proc, url, _ = phone.start_production(ROOT, db, tmp / "serve.log", state)
    except RuntimeError as exc:
        pytest.fail(f"{exc}\n{(tmp / 'serve.log').read_text(errors='replace')[-3000:]}")
    try:
        yield url, state
    finally:
        phone.stop_production(proc)


def _get(url: str, encoding: str | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"Accept-Encoding": encoding} if encoding else {})
    try:
        with urllib.request.urlopen(req, timeout=10, context=ssl._create_unverified_context()) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


@pytest.mark.browser
def test_a_phone_gets_ringkasan_through_the_proxy(production, browser):
    url, _ = production
    ctx = browser.new_context(**SIZES["phone"], ignore_https_errors=True)
    try:
        page = ctx.new_page()
        cdp = ctx.new_cdp_session(page)
        responses, finished = {}, {}
        cdp.on("Network.responseReceived", lambda e: responses.__setitem__(e["requestId"], e["response"]))
        cdp.on("Network.loadingFinished", lambda e: finished.__setitem__(e["requestId"], e["encodedDataLength"]))
        cdp.send("Network.enable")
        sockets = []

        def on_socket(ws):
            seen = {"url": ws.url, "sent": 0, "received": 0}
            ws.on("framesent", lambda _f: seen.__setitem__("sent", seen["sent"] + 1))
            ws.on("framereceived", lambda _f: seen.__setitem__("received", seen["received"] + 1))
            sockets.append(seen)

        page.on("websocket", on_socket)
        page.goto(url + "/ringkasan")
        page.wait_for_function(phone.ANSWERS["ringkasan"], polling="raf", timeout=60_000)
        wait_for_app(page)
        assert page.get_by_test_id("stException").count() == 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "production-ringkasan-phone.png"))
        page.wait_for_timeout(300)  # the last loadingFinished events
    finally:
        ctx.close()

    # The websocket went through Caddy (wss, same origin) and carried the run both ways: the
    # browser's rerun request up, the page down.
    stream = [s for s in sockets if s["url"].endswith("/_stcore/stream")]
    assert stream and stream[0]["url"].startswith(url.replace("https://", "wss://")), sockets
    assert stream[0]["sent"] >= 1 and stream[0]["received"] >= 5, stream

    by_url = {r["url"].split("?")[0]: (rid, r) for rid, r in responses.items()}
    doc = by_url[url + "/ringkasan"][1]
    assert doc["protocol"] == "h2" and doc["headers"].get("cache-control") == "no-cache"  # the page: always asked
    code = {u: x for u, x in by_url.items() if "/static/" in u and u.endswith((".js", ".css"))}
    assert len(code) > 20, sorted(by_url)  # Streamlit's frontend is many files
    wire = disk = 0
    for u, (rid, r) in code.items():
        headers = {k.lower(): v for k, v in r["headers"].items()}
        size = (_static_dir() / u.split("/", 3)[3]).stat().st_size
        # Files under 512 bytes are sent as they are (precompress.sh): compressing them gains nothing.
        assert r["status"] == 200 and headers.get("content-encoding") == ("zstd" if size >= 512 else None), (u, headers)
        assert YEAR in headers.get("cache-control", "") and "immutable" in headers["cache-control"], (u, headers)
        wire, disk = wire + finished[rid], disk + size
        if size > 20_000:
            assert finished[rid] < 0.45 * size, (u, finished[rid], size)
    assert wire < 0.35 * disk, (wire, disk)  # JS and CSS together: about a quarter
    fonts = [(u, x[1]) for u, x in by_url.items() if u.endswith(".woff2")]
    assert fonts and all(YEAR in r["headers"].get("cache-control", "") for _u, r in fonts)


@pytest.mark.browser
def test_the_compressed_files_are_the_originals_for_every_browser(production):
    """zstd (Chrome), gzip (Safari) and none (anything else): the same bytes as Streamlit's own."""
    url, _ = production
    js = max((_static_dir() / "static" / "js").glob("*.js"), key=lambda p: p.stat().st_size)
    original = js.read_bytes()
    target = f"{url}/static/js/{js.name}"
    status, headers, body = _get(target, "gzip")
    assert status == 200 and headers.get("content-encoding") == "gzip" and "accept-encoding" in headers["vary"].lower()
    assert gzip.decompress(body) == original and len(body) < 0.4 * len(original)
    status, headers, body = _get(target, "identity")
    assert status == 200 and "content-encoding" not in headers and body == original
    assert YEAR in headers["cache-control"]
    if shutil.which("zstd"):
        status, headers, body = _get(target, "zstd, gzip")
        assert headers.get("content-encoding") == "zstd"
        run = subprocess.run(["zstd", "-d", "-c", "-q"], input=body, capture_output=True, check=True)
        assert run.stdout == original
    # A name the copy does not have goes on to Streamlit (no year-long caching of a fallback).
    status, headers, _ = _get(f"{url}/static/js/no-such-file.js", "gzip")
    assert YEAR not in headers.get("cache-control", "")


@pytest.mark.browser
def test_https_with_serve_sh_certificate_health_and_headers(production):
    url, state = production
    cert = state / "tls" / "selfsigned.pem"
    verified = ssl.create_default_context(cafile=str(cert))  # trusts only serve.sh's certificate
    with urllib.request.urlopen(url + "/_stcore/health", timeout=10, context=verified) as resp:
        assert resp.read() == b"ok"  # the whole chain: TLS, Caddy, Streamlit
        assert resp.headers["Strict-Transport-Security"] == "max-age=31536000"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
    plain = url.replace("https://", "http://")
    status, _, body = _get(plain + "/_stcore/health")
    assert status == 400 and b"HTTPS" in body  # plain HTTP on the HTTPS port is refused


@pytest.mark.browser
def test_the_benchmark_measures_the_phone_through_the_proxy(production, browser):
    """benchmarks/phone.py's predicates match what the pages draw, through the production setup."""
    url, _ = production
    stalls: list[str] = []  # Chromium's throttling stalls an HTTP/2 visit now and then: visited again
    ringkasan = phone.measure_retrying(browser, url, "ringkasan", phone.NETWORKS["4g"], 30_000, stalls)
    peta = phone.measure_load(browser, url, "peta", None, timeout_ms=60_000)
    for load in (ringkasan, peta):
        assert 0 < load["seconds"] < 60 and load["bytes"] > 100_000, load
        assert load["protocols"] == ["h2"] and load["code_encodings"]["zstd"] > 20, load
        assert load["ws_bytes"] > 0 and load["http_bytes"] + load["ws_bytes"] == load["bytes"]
        assert load["font_wait_s"] >= 0
    # The predicates can fail: no answers within 0,3 s is a stall, visited again once, then an error.
    stalls.clear()
    with pytest.raises(phone.Stalled, match="requests pending"):
        phone.measure_retrying(browser, url, "ringkasan", None, 300, stalls)
    assert len(stalls) == 2
    ctx = browser.new_context(**SIZES["phone"], ignore_https_errors=True)
    try:  # Analisis has no headline and no KPI cards
        page = ctx.new_page()
        page.goto(url + "/analisis")
        wait_for_app(page)
        assert page.evaluate(phone.ANSWERS["ringkasan"]) is False
    finally:
        ctx.close()


def test_serve_sh_says_how_to_install_caddy_when_it_is_missing(tmp_path):
    run = subprocess.run(["bash", str(DEPLOY / "serve.sh")], cwd=ROOT, capture_output=True, text=True, timeout=30,
                         env={**os.environ, "PANTAU_CADDY": str(tmp_path / "no-caddy"),
                              "PANTAU_STATE_DIR": str(tmp_path)})
    assert run.returncode == 2 and "apt-get install -y caddy" in run.stderr


def test_the_caddyfile_adapts_for_a_domain_and_for_serve_sh(tmp_path):
    """Production defaults: the regency's domain with an ACME certificate and HTTP->HTTPS; serve.sh's
    local mode: its own certificate files, HTTPS only, on loopback."""
    import json

    caddy = _caddy()

    def adapt(env: dict[str, str]) -> dict:
        run = subprocess.run([caddy, "adapt", "--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"],
                             capture_output=True, text=True, timeout=30, env={"PATH": os.environ["PATH"], **env})
        assert run.returncode == 0, run.stderr
        assert "not formatted" not in run.stderr  # caddy fmt keeps it tidy
        return json.loads(run.stdout)

    prod = adapt({})
    server = prod["apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == ["0.0.0.0:443"] and server["protocols"] == ["h1", "h2"]
    policy = prod["apps"]["tls"]["automation"]["policies"][0]
    assert policy["subjects"] == ["pantau.bekasikab.go.id"]
    assert policy["issuers"][0]["module"] == "acme" and policy["issuers"][0]["email"] == "diskominfo@bekasikab.go.id"
    assert "disable_redirects" not in server.get("automatic_https", {})  # http:// redirected to https://
    local = adapt({"PANTAU_SITE": "https://:8443", "PANTAU_TLS": "/x/cert.pem /x/key.pem", "PANTAU_BIND": "127.0.0.1",
                   "PANTAU_HTTPS_PORT": "8443", "PANTAU_AUTO_HTTPS": "disable_redirects"})
    server = local["apps"]["http"]["servers"]["srv0"]
    assert server["listen"] == ["127.0.0.1:8443"] and server["automatic_https"]["disable_redirects"]
    assert local["apps"]["tls"]["certificates"]["load_files"][0]["certificate"] == "/x/cert.pem"


def test_systemd_units_verify(tmp_path):
    """``systemd-analyze verify`` on the two units, with /opt/pantau pointing at this checkout (the
    programs they start must exist); it must report nothing. Without systemd-analyze the units
    are parsed and their essentials checked."""
    copies = []
    for name in UNITS:
        text = (DEPLOY / name).read_text(encoding="utf-8").replace("/opt/pantau", str(ROOT))
        (tmp_path / name).write_text(text, encoding="utf-8")
        copies.append(tmp_path / name)
    analyze, caddy = shutil.which("systemd-analyze"), phone.caddy_path()
    if analyze and caddy == "/usr/bin/caddy" and (ROOT / ".venv" / "bin" / "python").exists():
        run = subprocess.run([analyze, "verify", *map(str, copies)], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0 and not (run.stdout + run.stderr).strip(), run.stdout + run.stderr
    for path in copies:  # parsed either way
        sections: dict[str, dict[str, list[str]]] = {}
        current = None
        for line in path.read_text(encoding="utf-8").replace("\\\n", " ").splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("["):
                current = sections.setdefault(line.strip("[]"), {})
                continue
            key, _, value = line.partition("=")
            current.setdefault(key, []).append(value)
        assert set(sections) == {"Unit", "Service", "Install"}, path.name
        service = sections["Service"]
        assert service["ExecStart"] and service["User"] and service["Restart"] == ["on-failure"]
        assert service["EnvironmentFile"] == ["/etc/pantau/pantau.env"]
        assert sections["Install"]["WantedBy"] == ["multi-user.target"]
    assert (DEPLOY / "precompress.sh").stat().st_mode & 0o111 and (DEPLOY / "serve.sh").stat().st_mode & 0o111


def test_phone_targets_pass_and_miss_on_the_numbers():
    def step(**cells):
        return {"ok": True, "cells": {k.replace("_", "/"): {"seconds": s, "bytes": b, "runs": 1}
                                      for k, (s, b) in cells.items()}}

    good = {"production": step(ringkasan_4g=(2.0, 1.2e6), ringkasan_fast3g=(7.5, 1.3e6), peta_4g=(4.0, 2e6)),
            "plain": step(ringkasan_4g=(4.5, 3e6))}
    assert [t["status"] for t in phone.judge(good)] == ["PASS"] * len(phone.TARGETS)
    slow = {**good, "production": step(ringkasan_4g=(3.2, 1.2e6), ringkasan_fast3g=(7.5, 1.6e6), peta_4g=(4.0, 2e6))}
    got = {t["target"]: t["status"] for t in phone.judge(slow)}
    assert len(got) == len(phone.TARGETS)  # every target has a name of its own
    assert got["Production, 4G: Ringkasan's first-screen answers within 3 s"] == "MISS"
    assert got["Production, Fast 3G: Ringkasan's first-screen answers at most 1.5 MB over the wire"] == "MISS"
    assert [t["status"] for t in phone.judge(slow)][:4] == ["MISS", "PASS", "PASS", "MISS"]
    skipped = phone.judge({"production": {"ok": False, "skipped": "skipped: caddy not installed"}})
    assert {t["status"] for t in skipped} == {"n/a"} and "caddy" in skipped[0]["result"]
    failed = phone.judge({"production": {"ok": False, "error": "Traceback\nRuntimeError: boom"}, "plain": {}})
    assert failed[0]["status"] == "MISS" and failed[0]["result"] == "error: RuntimeError: boom"
    assert failed[-1]["status"] == "n/a"  # plain not measured
    lines = phone.markdown(phone.build(slow, {}))
    assert any("| MISS |" in line for line in lines) and lines[0].startswith("## The phone")
