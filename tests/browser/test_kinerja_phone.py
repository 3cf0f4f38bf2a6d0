"""Catatan Kinerja on a phone (390x844) in Debian's Chromium, logged in through the real OpenID
Connect provider (tests/browser/oidc_provider.py) as a unit account and as an analis: the month
line and the figures (the unit's cards; every unit's table) lie inside the first 844 px, with no
exception and no sideways scrolling.

The store is a small demo regency (3 000 complaints ending 20 Nov 2025) with October closed and
one appeal filed; the unit account is the unit with the most counted cases that month.
Screenshots: artifacts/screenshots/kinerja-<role>-phone.png (first screen) and -full.png.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from tests.browser.conftest import SCREENSHOTS, SIZES, _need_browser, full_page_shot, overflow, wait_for_app
from tests.browser.oidc_provider import oidc_provider
from tests.browser.server import free_port, serve

pytestmark = pytest.mark.browser

SCREEN = SIZES["phone"]["viewport"]["height"]  # 844 px
CLIENT_SECRET = "kinerja-browser-secret"
ANALIS = "analis@bekasikab.go.id"
UNIT = "unit@bekasikab.go.id"
ACCOUNTS = {
    "analis": {"claims": {"email": ANALIS, "email_verified": True, "name": "Analis Diskominfo"},
               "password": "sandi-analis"},
    "unit": {"claims": {"email": UNIT, "email_verified": True, "name": "Admin Unit"}, "password": "sandi-unit"},
}


def _closed_demo(folder) -> tuple:
    """A demo store with October 2025 closed and one appeal; returns (path, the OPD with the most
    counted cases, the other units' codes)."""
    from analytics.demo.load import load_demo
    from analytics.ledger.appeals import file_appeal
    from analytics.ledger.close import close_month
    from analytics.ledger.read import ledger_month
    from analytics.rules.policy import load_policy
    from analytics.security.access import Viewer
    from analytics.store import connect

    path = folder / "kinerja.duckdb"
    con = connect(path)
    try:
        load_demo(con, seed=7, months=18, rows=3000, end=pd.Timestamp("2025-11-20T12:00:00+07:00"), out_dir=folder)
        as_of = pd.Timestamp("2025-11-20T12:00:00+07:00")
        now = datetime.now(UTC)
        close_month(con, "2025-10", as_of=as_of, policy=load_policy("sp4n-lapor"),
                    actor=Viewer(role="analis", email=ANALIS), now=now)
        every = ledger_month(con, "2025-10").units
        worst = max((u for u in every if u.unit_kind == "opd"), key=lambda u: u.counted)
        case = next(c for c in worst.cases if c.counted)
        file_appeal(con, "2025-10", source_id=case.id, stage=case.stage, reason="waktu_salah",
                    text="Tanggapan dikirim lewat surat.", actor=Viewer(role="unit", unit=worst.unit_code, email=UNIT),
                    now=now)
    finally:
        con.close()
    return path, worst.unit_code, {u.unit_code for u in every} - {worst.unit_code}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(dashboard url, provider url, store path, the unit account's code, every other unit's code):
    the closed demo behind a real login."""
    from tests.role_fixtures import users_toml

    _need_browser()
    folder = tmp_path_factory.mktemp("kinerja-browser")
    db, unit, others = _closed_demo(folder)
    port = free_port()
    callback = f"http://127.0.0.1:{port}/oauth2callback"
    with oidc_provider(folder, client={"client_id": "pantau", "client_secret": CLIENT_SECRET, "redirect_uris": [callback],
                                       "post_logout_redirect_uris": [callback]}, accounts=ACCOUNTS) as issuer:
        secrets = folder / "secrets.toml"
        secrets.write_text(
            f'[auth]\nredirect_uri = "{callback}"\ncookie_secret = "kinerja-browser-cookie-secret-0123456789"\n\n'
            f'[auth.pemda]\nclient_id = "pantau"\nclient_secret = "{CLIENT_SECRET}"\n'
            f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
            'client_kwargs = { prompt = "login" }\n', encoding="utf-8")
        users = folder / "pantau-users.toml"
        users.write_text(users_toml({ANALIS: ("analis", None), UNIT: ("unit", unit)}), encoding="utf-8")
        with serve(db, folder / "streamlit.log", env={"PANTAU_USERS": str(users)},
                   args=(f"--secrets.files={secrets}",), port=port) as (url, _proc):
            yield url, issuer, db, unit, others


def _login(page, url: str, issuer: str, account: str) -> None:
    from playwright.sync_api import expect

    page.goto(url + "/kinerja")
    wait_for_app(page)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(issuer + "/interaction/**", timeout=20_000)
    page.fill("input[name=login]", account)
    page.fill("input[name=password]", ACCOUNTS[account]["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/**", timeout=20_000)
    wait_for_app(page)
    page.goto(url + "/kinerja")
    wait_for_app(page)
    expect(page.locator("h1").first).to_contain_text("Catatan Kinerja", timeout=20_000)


def _on_first_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["height"] > 0 and box["y"] >= 0 and box["y"] + box["height"] <= SCREEN


def _check_phone(page, name: str) -> None:
    assert page.get_by_test_id("stException").count() == 0 and not page.js_errors, page.js_errors
    w = overflow(page)
    assert w["doc"] <= w["inner"] + 1 and w["main"] <= w["inner"] + 1, f"sideways scroll at 390 px: {w}"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"kinerja-{name}-phone.png"))
    full_page_shot(page, SCREENSHOTS / f"kinerja-{name}-phone-full.png")


@pytest.mark.parametrize("account", ["unit", "analis"])
def test_the_month_line_and_the_figures_are_on_the_first_screen(site, browser, account):
    url, issuer, db, unit, others = site
    context = browser.new_context(accept_downloads=True, **SIZES["phone"])
    try:
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
        _login(page, url, issuer, account)
        line = page.get_by_test_id("stMarkdown").filter(has_text="Oktober 2025 · versi 1 · ditutup").first
        assert _on_first_screen(line), line.bounding_box()
        assert "keberatan sampai" in line.inner_text()
        if account == "unit":
            cards = page.get_by_test_id("stMetric")
            assert cards.count() == 6
            labels = [cards.nth(i).get_by_test_id("stMetricLabel").inner_text().strip() for i in range(6)]
            assert labels == ["Jatuh tempo", "Tepat waktu", "Dihitung", "Dihitung akhir", "Tepat waktu akhir", "Kelas"]
            assert all(_on_first_screen(cards.nth(i)) for i in range(6))
        else:
            summary = page.get_by_text(" unit · ").first
            assert _on_first_screen(summary)
            assert _on_first_screen(page.get_by_test_id("stDataFrame").first)
        _check_phone(page, account)
        if account == "unit":
            _downloads_are_the_units_own_and_logged(page, db, unit, others)
    finally:
        context.close()


def _downloads_are_the_units_own_and_logged(page, db, unit: str, others: set[str]) -> None:
    """The report's PDF and XLSX download on the phone; the workbook holds the unit's own rows only
    (no other unit's code), and each press is a ``download`` row in the audit log."""
    import io
    import json
    import subprocess
    import sys

    from openpyxl import load_workbook

    from tests.browser.server import ROOT

    buttons = page.get_by_test_id("stDownloadButton")
    with page.expect_download(timeout=60_000) as pdf:
        buttons.nth(0).get_by_role("button").click()
    assert pdf.value.suggested_filename == "buku-tukin-2025-10-v1.pdf"
    assert open(pdf.value.path(), "rb").read().startswith(b"%PDF")
    with page.expect_download(timeout=60_000) as xlsx:
        buttons.nth(1).get_by_role("button").click()
    assert xlsx.value.suggested_filename == "buku-tukin-2025-10-v1.xlsx"
    book = load_workbook(io.BytesIO(open(xlsx.value.path(), "rb").read()), read_only=True)
    cells = {str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None}
    assert unit in cells and not cells & others, sorted(cells & others)
    # the store is held by the server: the CLI hands the read to it
    out = subprocess.run([sys.executable, "-m", "analytics", "audit", "--db", str(db), "--action", "download",
                          "--format", "json"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    rows = json.loads(out.stdout)
    assert sorted(json.loads(r["detail"])["file"] for r in rows) == ["buku-tukin-2025-10-v1.pdf",
                                                                    "buku-tukin-2025-10-v1.xlsx"]
    assert {r["who"] for r in rows} == {UNIT}
