"""Issue "Hardening from an attack run", in AppTest: each test here failed on the code the attack
ran against. The same rules through a real identity provider and Chromium are in
tests/browser/test_login.py.

1. a store holding only quarantined rows is real data, not an empty store;
2. Keluar ends the login for every tab and every copy of its cookie, and a login expires;
3. a missing ``email_verified`` claim gets no access (unless the users file trusts the provider);
5. one ``login`` audit row per login, however many pages and tabs it opens;
6. the identity provider's refusal, its name claims and URLs in query parameters are plain text.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.app_fixtures import clear_caches
from tests.helpers import HEADER_Q, QUARANTINE_ROWS, template_csv
from tests.role_fixtures import (  # noqa: F401 - pytest fixtures
    REPORTERS,
    audit_rows,
    id_token_claims,
    plain,
    role_store,
    roles_db,
    run_as,
    users_toml,
    visible_text,
)
from ui.fmt import WORD_JOINER
from ui.i18n import t

DINKES = "dinkes@bekasikab.go.id"
BUPATI = "bupati@bekasikab.go.id"
EVIL = "[Klik di sini](http://evil.example/x) **tebal** http://evil.example/y www.evil.example"


def _title(at) -> list[str]:
    return [e.value for e in at.title]


def _no_bare_links(text: str, *, markup: bool = True) -> None:
    """Nothing markdown would turn into a link or emphasis: no bare URL (Streamlit's markdown links
    them), and (``markup``: the template itself has none) no unescaped ``[`` or ``**``."""
    for pattern in ("http://", "https://", "www."):
        assert pattern not in text, (pattern, text)
    assert not markup or not re.search(r"(?<!\\)\[|(?<!\\)\*\*", text), text


# --- 1. quarantined rows are real data ----------------------------------------------------------


def test_a_store_holding_only_quarantined_rows_is_not_served_open(tmp_path, monkeypatch):
    from analytics.importers.ingest import import_file
    from analytics.store import connect

    db = tmp_path / "pantau.duckdb"
    con = connect(db)
    report = import_file(con, template_csv(tmp_path / "ekspor.csv", QUARANTINE_ROWS, header=HEADER_Q),
                         region="kab-bekasi")
    assert report.rows_new == 0 and report.rows_quarantined == len(QUARANTINE_ROWS)  # every row refused
    con.close()
    monkeypatch.setenv("PANTAU_DB", str(db))
    monkeypatch.setenv("PANTAU_USERS", str(tmp_path / "absent.toml"))
    clear_caches()
    try:
        at = run_as(None, "pages/data.py", login=False)  # no [auth]: login not configured
        assert not at.exception
        assert _title(at) == [t("access.setup.title", lang="id")]
        text = visible_text(at)
        assert t("access.account.open", lang="id", role=t("access.role.analis", lang="id")) not in text
        assert not [s for s in ("Q1", "Q3", "Siti Aminah", "0812", "0899", "anon@mail.id") if s in text]
        assert not at.dataframe
    finally:
        clear_caches()
    from ui.access import store_kind

    assert store_kind(False, 0, len(QUARANTINE_ROWS)) == "real" and store_kind(False, 0, 0) == "empty"


# --- 2. logout ends the login everywhere; logins expire ----------------------------------------


def test_keluar_ends_the_login_in_other_tabs_and_for_copied_cookies(roles_db):
    claims = id_token_claims(DINKES)
    tab1 = run_as(None, "pages/unit.py", user=claims, unit="DINKES")
    tab2 = run_as(None, "pages/unit.py", user=claims, unit="DINKES")
    assert "Siti Aminah" in visible_text(tab1) and "Siti Aminah" in visible_text(tab2)  # its own reporters

    tab1.button(key="access_logout").click().run()

    tab2.run()  # the open tab's next run (a click, or its session check)
    assert _title(tab2) == [t("access.login.title", lang="id")]
    assert t("access.login.ended", lang="id") in [i.value for i in tab2.info]
    assert not [name for name in REPORTERS if name in visible_text(tab2)] and not tab2.dataframe
    copied = run_as(None, "pages/unit.py", user=claims, unit="DINKES")  # the cookie, copied before Keluar
    assert _title(copied) == [t("access.login.title", lang="id")]
    assert not [name for name in REPORTERS if name in visible_text(copied)]
    fresh = run_as(DINKES, "pages/unit.py", unit="DINKES")  # a new login of the same person works
    assert "Siti Aminah" in visible_text(fresh)
    log = audit_rows(roles_db)
    assert sorted(log["action"]) == ["login", "login", "logout"]


def test_a_login_expires_after_the_session_hours(roles_db):
    old = id_token_claims(BUPATI, iat=int(time.time()) - 13 * 3600)
    at = run_as(None, user=old)
    assert _title(at) == [t("access.login.title", lang="id")]
    assert t("access.login.expired", lang="id", hours="12") in [i.value for i in at.info]
    roles_db.parent.joinpath("pantau-users.toml").write_text(users_toml(access="[access]\nsession_hours = 24"),
                                                             encoding="utf-8")
    assert _title(run_as(None, user=old)) == [t("nav.ringkasan", lang="id")]


def test_an_identity_without_a_login_time_gets_the_login_page(roles_db):
    claims = id_token_claims(BUPATI)
    del claims["iat"]
    at = run_as(None, user=claims)
    assert _title(at) == [t("access.login.title", lang="id")] and not at.metric


# --- 3. email_verified must be true -------------------------------------------------------------


@pytest.mark.parametrize("verified", [None, False, "false"], ids=["missing", "false", "false-string"])
def test_an_email_the_provider_does_not_call_verified_gets_no_access(roles_db, verified):
    at = run_as(BUPATI, "pages/pelanggaran.py", verified=verified)
    assert _title(at) == [t("access.denied.title", lang="id")]
    assert not at.dataframe and not at.metric
    assert list(audit_rows(roles_db)["action"]) == ["denied"]


def test_a_provider_named_in_the_users_file_may_leave_the_claim_out(roles_db):
    roles_db.parent.joinpath("pantau-users.toml").write_text(
        users_toml(access='[access]\nproviders_without_email_verified = ["keycloak"]'), encoding="utf-8")
    assert _title(run_as(BUPATI, verified=None)) == [t("nav.ringkasan", lang="id")]
    assert _title(run_as(BUPATI, verified=False)) == [t("access.denied.title", lang="id")]  # false stays false


# --- 5. one login row per login ------------------------------------------------------------------


def test_a_login_is_logged_once_however_many_pages_and_tabs_it_opens(roles_db):
    claims = id_token_claims(BUPATI)
    for page in ("pages/ringkasan.py", "pages/peringkat.py", "pages/pelanggaran.py"):
        at = run_as(None, page, user=claims)  # each one a new page load (a new Streamlit session)
        assert not at.exception and _title(at) != [t("access.login.title", lang="id")]
    log = audit_rows(roles_db)
    assert list(log["action"]) == ["login"]
    assert log.iloc[0]["who"] == BUPATI and log.iloc[0]["role"] == "pimpinan"


# --- 6. outside text is plain text -----------------------------------------------------------------


def test_the_providers_refusal_is_shown_as_plain_text(roles_db):
    at = run_as(None, login_error="invalid_request", login_error_description="unsupported prompt value requested")
    assert _title(at) == [t("access.login.title", lang="id")]
    shown = plain(at.error[0].value)
    assert "invalid\\_request" in shown and "unsupported prompt value requested" in shown
    hostile = run_as(None, login_error="access_denied", login_error_description=EVIL)
    _no_bare_links(hostile.error[0].value)
    assert "evil.example/y" in plain(hostile.error[0].value)


def test_identity_provider_names_and_url_parameters_are_plain_text(roles_db):
    at = run_as(None, user=id_token_claims(BUPATI, name=EVIL))
    caption = next(c.value for c in at.sidebar.caption if "evil" in c.value)
    _no_bare_links(caption)
    assert WORD_JOINER in caption and "evil.example/y" in plain(caption)
    unit = run_as(BUPATI, "pages/unit.py", unit="http://evil.example/x")
    warning = next(w.value for w in unit.warning if "evil" in w.value)
    _no_bare_links(warning, markup=False)  # "Unit dengan kode **{code}**": Pantau's own bold
    denied = run_as(None, user=id_token_claims("tamu@evil.example"))
    assert "tamu@evil.example" not in denied.error[0].value  # no mailto: link
    assert "tamu@evil.example" in plain(denied.error[0].value)

