"""Login in a real browser: a store of real (non-demo) complaints, login configured the way
docs/security.md says (secrets file + users file), and a stand-in for Keycloak on loopback that
serves the OpenID discovery document and records the authorisation request.

It checks what AppTest cannot: that the secrets format is one Streamlit 1.67 accepts, that Authlib
and httpx are installed, and that "Masuk" sends the phone to the identity provider with Pantau's
client id and callback, while no complaint data is on the page before login.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.conftest import SCREENSHOTS, _free_port, _need_browser, full_page_shot, wait_for_app
from tests.browser.server import serve

pytestmark = pytest.mark.browser


class _FakeKeycloak(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        base = f"http://127.0.0.1:{self.server.server_port}/realms/pemda"
        if self.path.endswith("/.well-known/openid-configuration"):
            body = json.dumps({
                "issuer": base,
                "authorization_endpoint": base + "/protocol/openid-connect/auth",
                "token_endpoint": base + "/protocol/openid-connect/token",
                "jwks_uri": base + "/protocol/openid-connect/certs",
                "end_session_endpoint": base + "/protocol/openid-connect/logout",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
            }).encode()
            ctype = "application/json"
        else:
            type(self).requests.append(self.path)
            body = b"<html><body><h1>Keycloak (test)</h1></body></html>"
            ctype = "text/html"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def keycloak():
    _need_browser()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeKeycloak)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def login_app(keycloak, tmp_path_factory):
    """The dashboard on a real store with login configured; stopped afterwards (our process only)."""
    from analytics.importers.ingest import import_file
    from analytics.store import connect
    from tests.helpers import template_csv
    from tests.role_fixtures import HEADER_PERSONAL, ROWS, SNAPSHOT, users_toml

    tmp = tmp_path_factory.mktemp("login-app")
    db = tmp / "pantau.duckdb"
    con = connect(db)
    try:
        import_file(con, template_csv(tmp / "ekspor.csv", ROWS, header=HEADER_PERSONAL), region="kab-bekasi",
                    snapshot_at=SNAPSHOT)
    finally:
        con.close()
    port = _free_port()
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "browser-test-cookie-secret-0123456789"\n\n'
        "[auth.keycloak]\n"
        'client_id = "pantau"\n'
        'client_secret = "browser-test"\n'
        f'server_metadata_url = "{keycloak}/realms/pemda/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    users = tmp / "pantau-users.toml"
    users.write_text(users_toml(), encoding="utf-8")
    with serve(db, tmp / "streamlit.log", env={"PANTAU_USERS": str(users)}, args=(f"--secrets.files={secrets}",),
               port=port) as (url, _proc):
        yield url


def test_real_data_asks_for_login_and_masuk_goes_to_keycloak(login_app, keycloak, open_page):
    from playwright.sync_api import expect

    page = open_page("phone")
    page.goto(login_app + "/pelanggaran")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Masuk ke Pantau")).to_be_visible()
    body = page.inner_text("body")
    for secret in ("KES-1", "HUB-1", "Siti Aminah", "Budi Santoso"):
        assert secret not in body
    assert page.get_by_test_id("stDataFrame").count() == 0
    assert page.get_by_test_id("stException").count() == 0
    full_page_shot(page, SCREENSHOTS / "login-phone.png")

    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(keycloak + "/realms/pemda/protocol/openid-connect/auth*", timeout=20_000)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert query["client_id"] == ["pantau"] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == [login_app + "/oauth2callback"]
    assert "email" in query["scope"][0].split()
    assert query.get("code_challenge_method") == ["S256"]  # PKCE, as Keycloak supports it
