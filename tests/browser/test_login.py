"""Login in a real browser against a real OpenID Connect provider: panva/oidc-provider from npm,
started here on loopback with one static client (Pantau) and a few accounts
(tests/browser/oidc_provider.py), and the dashboard as run.sh starts it (``streamlit run app.py``)
on a store of real complaints with login configured the way docs/security.md says.

What AppTest cannot show: that Streamlit 1.67's st.login/st.logout, Authlib and the secrets
format work end to end with a strict provider (PKCE, nonce, signed ID tokens, RP-initiated
logout), and the items of issue "Hardening from an attack run" as an attacker met them:
2. cookies copied before Keluar, and a second tab, lose the data after Keluar;
3. an account whose ID token has no ``email_verified`` (or ``false``) gets no access;
4. a download's ``/media/...`` address serves nobody but the browser that pressed the button;
5. one ``login`` audit row per login, however many pages it opens;
6. a provider's refusal (``prompt=select_account``), a hostile display name, a URL in a query
   parameter: plain text, never a link.
"""

from __future__ import annotations

import shutil
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests.browser.conftest import SCREENSHOTS, SIZES, _need_browser, full_page_shot, wait_for_app
from tests.browser.oidc_provider import oidc_provider
from tests.browser.server import free_port, serve, stop

pytestmark = pytest.mark.browser

EVIL_NAME = "[Klik di sini](http://evil.example/x) **tebal** www.evil.example"
ACCOUNTS = {  # login -> password and the ID token's claims
    "dinkes": {"claims": {"email": "dinkes@bekasikab.go.id", "email_verified": True, "name": "Admin Dinkes"}},
    "bupati": {"claims": {"email": "bupati@bekasikab.go.id", "email_verified": True, "name": "Bupati Bekasi"}},
    "humas": {"claims": {"email": "humas@bekasikab.go.id", "email_verified": True, "name": EVIL_NAME}},
    "belum": {"claims": {"email": "belum@bekasikab.go.id", "email_verified": False, "name": "Belum Verifikasi"}},
    "tanpaklaim": {"claims": {"email": "tanpaklaim@bekasikab.go.id", "name": "Tanpa Klaim"}},  # no email_verified
}
for _login, _account in ACCOUNTS.items():
    _account["password"] = f"sandi-{_login}"
EXTRA_USERS = {  # listed in the users file: only the email_verified rule can refuse them
    "humas@bekasikab.go.id": ("pimpinan", None),
    "belum@bekasikab.go.id": ("pimpinan", None),
    "tanpaklaim@bekasikab.go.id": ("pimpinan", None),
}
CLIENT_SECRET = "browser-test-client-secret"
PORTS = ("main", "strict", "audit")  # one dashboard each, all registered with the provider


@pytest.fixture(scope="module")
def ports():
    return {name: free_port() for name in PORTS}


@pytest.fixture(scope="module")
def provider(ports, tmp_path_factory):
    _need_browser()
    callbacks = [f"http://127.0.0.1:{p}/oauth2callback" for p in ports.values()]
    folder = tmp_path_factory.mktemp("oidc")
    with oidc_provider(folder, client={"client_id": "pantau", "client_secret": CLIENT_SECRET,
                                       "redirect_uris": callbacks, "post_logout_redirect_uris": callbacks},
                       accounts=ACCOUNTS) as issuer:
        yield issuer


@pytest.fixture(scope="module")
def real_store(tmp_path_factory):
    """The role tests' hand-written store: three units' complaints with reporters' names."""
    from analytics.importers.ingest import import_file
    from analytics.store import connect
    from tests.helpers import template_csv
    from tests.role_fixtures import HEADER_PERSONAL, ROWS, SNAPSHOT

    tmp = tmp_path_factory.mktemp("login-store")
    db = tmp / "pantau.duckdb"
    con = connect(db)
    try:
        import_file(con, template_csv(tmp / "ekspor.csv", ROWS, header=HEADER_PERSONAL), region="kab-bekasi",
                    snapshot_at=SNAPSHOT)
    finally:
        con.close()
    return db


def _start(name: str, ports, provider, real_store, tmp_path_factory, *, prompt: str | None = "login"):
    """A dashboard on its own copy of the store, logging in through ``provider``."""
    from tests.role_fixtures import USERS, users_toml

    tmp = tmp_path_factory.mktemp(f"login-{name}")
    db = tmp / "pantau.duckdb"
    shutil.copy(real_store, db)
    port = ports[name]
    # Streamlit asks for prompt=select_account unless told otherwise; oidc-provider, like other
    # strict providers, refuses it (docs/security.md: client_kwargs).
    kwargs = f'client_kwargs = {{ prompt = "{prompt}" }}\n' if prompt else ""
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "browser-test-cookie-secret-0123456789"\n\n'
        "[auth.pemda]\n"
        'client_id = "pantau"\n'
        f'client_secret = "{CLIENT_SECRET}"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n' + kwargs,
        encoding="utf-8",
    )
    users = tmp / "pantau-users.toml"
    # A tab left open checks its login every 2 s here (30 s by default).
    users.write_text(users_toml(USERS | EXTRA_USERS, access="[access]\nsession_check_seconds = 2"), encoding="utf-8")
    return db, serve(db, tmp / "streamlit.log", env={"PANTAU_USERS": str(users)},
                     args=(f"--secrets.files={secrets}",), port=port)


@pytest.fixture(scope="module")
def pantau(ports, provider, real_store, tmp_path_factory):
    _db, server = _start("main", ports, provider, real_store, tmp_path_factory)
    with server as (url, _proc):
        yield url


@pytest.fixture
def context(browser):
    """A fresh browser (its own cookies) per login."""
    made = []

    def _new(size: str = "desktop"):
        ctx = browser.new_context(accept_downloads=True, **SIZES[size])
        made.append(ctx)
        return ctx

    yield _new
    for ctx in made:
        ctx.close()


def login(page, url: str, provider: str, account: str, path: str = "/") -> None:
    """Sign in on ``path`` through the provider's own login form; on ``path`` again afterwards."""
    from playwright.sync_api import expect

    page.goto(url + path)
    wait_for_app(page)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(provider + "/interaction/**", timeout=20_000)
    page.fill("input[name=login]", account)
    page.fill("input[name=password]", ACCOUNTS[account]["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(url + "/**", timeout=20_000)  # Streamlit returns to the start page
    wait_for_app(page)
    expect(page.get_by_test_id("stHeading").first).to_be_visible(timeout=20_000)
    if path != "/":
        page.goto(url + path)
        wait_for_app(page)


def _body(page) -> str:
    """The page's text as a person reads it (without the invisible word joiners that keep URLs and
    e-mail addresses from becoming links)."""
    return page.inner_text("body").replace("\u2060", "")


# The complaint list is a canvas grid (its cells are not page text): a unit's own list is known by
# its heading and the line that says its reporters are shown in full.
OWN_LIST = "Aduan unit Anda ditampilkan lengkap"


def _shows_own_complaints(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_role("heading", name="Daftar aduan")).to_be_visible(timeout=20_000)
    expect(page.get_by_text(OWN_LIST).first).to_be_visible()
    assert page.get_by_test_id("stDataFrame").count() >= 1


def _shows_no_complaints(page) -> None:
    body = _body(page)
    assert OWN_LIST not in body and "Daftar aduan" not in body and "KES-1" not in body
    assert page.get_by_test_id("stDataFrame").count() == 0


def _links_to(page, host: str) -> list[str]:
    """Links on the page that lead to ``host`` (web or mailto:)."""
    return page.evaluate("""(h) => [...document.querySelectorAll('a[href]')].map(a => a.href).filter(x => {
        const u = new URL(x, location.href);
        return u.hostname.endsWith(h) || (u.protocol === 'mailto:' && u.pathname.endsWith(h));
    })""", host)


def test_a_real_login_gives_the_accounts_role_and_nothing_before(pantau, provider, context):
    from playwright.sync_api import expect

    page = context("phone").new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if r.url.startswith(provider + "/auth") else None)
    page.goto(pantau + "/pelanggaran")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Masuk ke Pantau")).to_be_visible()
    body = _body(page)
    assert not [s for s in ("KES-1", "HUB-1", "Siti Aminah", "Budi Santoso") if s in body]
    assert page.get_by_test_id("stDataFrame").count() == 0 and page.get_by_test_id("stException").count() == 0
    full_page_shot(page, SCREENSHOTS / "login-phone.png")

    login(page, pantau, provider, "dinkes", path="/pelanggaran")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(requests[0]).query)
    assert query["client_id"] == ["pantau"] and query["response_type"] == ["code"]
    assert query["redirect_uri"] == [pantau + "/oauth2callback"] and "email" in query["scope"][0].split()
    assert query["code_challenge_method"] == ["S256"] and query["nonce"]  # PKCE and a nonce, checked by the provider
    expect(page.get_by_text("Admin Dinkes").first).to_be_attached()  # the sidebar's account line
    page.goto(pantau + "/unit?unit=DINKES")
    wait_for_app(page)
    _shows_own_complaints(page)  # a unit sees its own complaints, reporters included
    page.goto(pantau + "/unit?unit=DISHUB")
    wait_for_app(page)
    expect(page.get_by_text("unit lain tidak ditampilkan").first).to_be_visible(timeout=20_000)
    assert "HUB-1" not in _body(page)  # ...and no other unit's rows


def test_keluar_ends_the_login_for_a_second_tab_and_for_copied_cookies(pantau, provider, context):
    from playwright.sync_api import expect

    ctx = context()
    tab1 = ctx.new_page()
    login(tab1, pantau, provider, "dinkes")
    tab2 = ctx.new_page()
    tab2.goto(pantau + "/unit?unit=DINKES")
    wait_for_app(tab2)
    _shows_own_complaints(tab2)
    copied = ctx.cookies()  # what an attacker copies before the logout

    tab1.get_by_role("button", name="Keluar").click()
    tab1.wait_for_url(provider + "/session/end**", timeout=20_000)  # the provider's own logout
    tab1.get_by_role("button", name="Yes, sign me out").click()
    tab1.wait_for_url(pantau + "/**", timeout=20_000)
    wait_for_app(tab1)
    expect(tab1.get_by_role("heading", name="Masuk ke Pantau")).to_be_visible(timeout=20_000)

    # The open tab drops the data by itself (its session check), without a click.
    expect(tab2.get_by_role("heading", name="Masuk ke Pantau")).to_be_visible(timeout=15_000)
    _shows_no_complaints(tab2)

    other = context()
    other.add_cookies(copied)
    page = other.new_page()
    page.goto(pantau + "/unit?unit=DINKES")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Masuk ke Pantau")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Anda sudah keluar").first).to_be_visible()
    _shows_no_complaints(page)


@pytest.mark.parametrize("account", ["tanpaklaim", "belum"])
def test_an_email_the_provider_does_not_call_verified_gets_no_access(pantau, provider, context, account):
    from playwright.sync_api import expect

    page = context().new_page()
    login(page, pantau, provider, account, path="/pelanggaran")
    expect(page.get_by_role("heading", name="Tidak ada akses")).to_be_visible()
    body = _body(page)
    assert not [s for s in ("KES-1", "HUB-1", "Siti Aminah") if s in body]
    assert page.get_by_test_id("stDataFrame").count() == 0


def _press_download(page, label: str = "CSV"):
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name=label).first.click()
    download = info.value
    return download.url, open(download.path(), "rb").read()


def _status(url: str, cookie: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code


def test_a_download_goes_only_to_the_browser_that_pressed_it(pantau, provider, context):
    from playwright.sync_api import expect

    ctx = context()
    page = ctx.new_page()
    login(page, pantau, provider, "bupati", path="/pelanggaran")
    expect(page.get_by_role("button", name="CSV").first).to_be_visible(timeout=30_000)
    url, data = _press_download(page)
    assert "/media/" in url and b"," in data  # the file itself, to the browser that pressed
    assert _status(url) == 403  # curl with the link and no cookie
    stranger = context().new_page()
    assert stranger.request.get(url).status == 403  # another browser
    # Even the identity cookie without this browser's id does not do.
    identity = "; ".join(f"{c['name']}={c['value']}" for c in ctx.cookies() if c["name"].startswith("_streamlit_user"))
    assert identity and _status(url, identity) == 403


def test_an_open_mode_download_link_is_not_a_public_address(app_url, open_page):
    """The demo store runs without login (analis): the link still serves only the pressing browser."""
    from playwright.sync_api import expect

    page = open_page("desktop")
    page.context.set_default_timeout(30_000)
    page.goto(app_url + "/pelanggaran")
    wait_for_app(page)
    expect(page.get_by_role("button", name="CSV").first).to_be_visible(timeout=30_000)
    url, data = _press_download(page)
    assert data
    assert _status(url) == 403


def test_the_providers_refusal_and_outside_text_are_plain_text(pantau, ports, provider, real_store, context,
                                                               tmp_path_factory):
    from playwright.sync_api import expect

    # A strict provider refuses Streamlit's default prompt=select_account: the person sees why.
    _db, server = _start("strict", ports, provider, real_store, tmp_path_factory, prompt=None)
    with server as (strict, _proc):
        page = context().new_page()
        page.goto(strict + "/")
        wait_for_app(page)
        page.get_by_role("button", name="Masuk").click()
        page.wait_for_url(strict + "/**login_error=invalid_request**", timeout=20_000)
        wait_for_app(page)
        expect(page.get_by_text("unsupported prompt value requested").first).to_be_visible(timeout=20_000)
        expect(page.get_by_text("invalid_request").first).to_be_visible()
        expect(page.get_by_role("button", name="Masuk")).to_be_visible()

    # A refusal carrying links, a hostile display name, a URL in a query parameter: text only.
    page = context().new_page()
    evil = urllib.parse.urlencode({"error": "access_denied", "error_description": EVIL_NAME + " http://evil.example/y"})
    page.goto(f"{pantau}/oauth2callback?{evil}")
    wait_for_app(page)
    expect(page.get_by_text("://evil.example/y").first).to_be_visible(timeout=20_000)
    assert "http://evil.example/y" in _body(page) and _links_to(page, "evil.example") == []
    login(page, pantau, provider, "humas")
    expect(page.get_by_text("**tebal**").first).to_be_attached()
    assert EVIL_NAME in _body(page) and _links_to(page, "evil.example") == []
    page.goto(pantau + "/unit?" + urllib.parse.urlencode({"unit": "http://evil.example/z"}))
    wait_for_app(page)
    expect(page.get_by_text("://evil.example/z").first).to_be_visible(timeout=20_000)
    assert "http://evil.example/z" in _body(page) and _links_to(page, "evil.example") == []
    assert page.evaluate("[...document.querySelectorAll('b, strong')].filter(b => b.textContent === 'tebal').length") == 0


def test_a_login_writes_one_login_row_however_many_pages_it_opens(ports, provider, real_store, context,
                                                                 tmp_path_factory):
    from analytics.security import audit
    from analytics.store import connect

    db, server = _start("audit", ports, provider, real_store, tmp_path_factory)
    with server as (url, proc):
        ctx = context()
        page = ctx.new_page()
        login(page, url, provider, "bupati")
        for path in ("/peringkat", "/pelanggaran", "/data"):
            tab = ctx.new_page()  # each a new page load: a new Streamlit session of the same login
            tab.goto(url + path)
            wait_for_app(tab)
            tab.get_by_test_id("stHeading").first.wait_for(timeout=20_000)
            assert "Masuk ke Pantau" not in _body(tab)
        page.get_by_role("button", name="Keluar").click()
        page.wait_for_url(provider + "/session/end**", timeout=20_000)
        page.get_by_role("button", name="Yes, sign me out").click()
        page.wait_for_url(url + "/**", timeout=20_000)
        stop(proc)  # the dashboard holds the store; read it once it is free
    con = connect(db)
    try:
        log = audit.recent(con)
    finally:
        con.close()
    assert list(log["action"]) == ["logout", "login"], list(log["action"])
    assert set(log["who"]) == {"bupati@bekasikab.go.id"}
