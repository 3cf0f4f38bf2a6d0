"""Each role through each page (AppTest sets the logged-in user), and the pages shown instead of
data: login, no access, set-up, a broken users file. What must and must not be on screen comes
from tests/role_fixtures.py's hand-written rows."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_fixtures import APP, TIMEOUT
from tests.role_fixtures import (  # noqa: F401 - pytest fixtures
    OWN_IDS,
    REPORTERS,
    USERS,
    audit_rows,
    plain,
    role_store,
    roles_db,
    run_as,
    visible_text,
)
from ui.i18n import t
from ui.nav import PAGES

ALL_IDS = tuple(i for ids in OWN_IDS.values() for i in ids)
PAGE_FILES = [p[0] for p in PAGES]
PAGE_IDS = [p[1] for p in PAGES]


def _ids_on(text: str) -> set[str]:
    return {i for i in ALL_IDS if i in text}


# --- no data without the right configuration ----------------------------------------------------


@pytest.mark.parametrize("file", PAGE_FILES, ids=PAGE_IDS)
def test_real_data_without_login_shows_the_setup_page(roles_db, monkeypatch, file):
    monkeypatch.setenv("PANTAU_USERS", str(roles_db.parent / "absent.toml"))
    at = run_as(None, file, login=False)
    assert not at.exception, at.exception
    text = visible_text(at)
    assert [e.value for e in at.title] == [t("access.setup.title", lang="id")]
    assert "[auth]" in text and "docs/security.md" in text
    assert not _ids_on(text) and not at.dataframe and not at.metric


def test_allow_open_serves_real_data_as_pimpinan_with_a_notice(roles_db):
    roles_db.parent.joinpath("pantau-users.toml").write_text("[access]\nallow_open = true\n", encoding="utf-8")
    at = run_as(None, "pages/pelanggaran.py", login=False)
    assert not at.exception
    assert any("allow_open" in w.value and "Pimpinan" in w.value for w in at.warning)
    text = visible_text(at)
    assert {"KES-1", "HUB-1"} <= _ids_on(text)  # pimpinan sees every unit's rows...
    assert not any(name in text for name in REPORTERS)  # ...but no personal data


@pytest.mark.parametrize("file", [None, "pages/data.py"])
def test_login_configured_but_not_logged_in_shows_only_the_login_page(roles_db, file):
    at = run_as(None, file)
    assert not at.exception
    assert [e.value for e in at.title] == [t("access.login.title", lang="id")]
    assert at.button(key="access_login").label == t("access.login.button", lang="id")
    assert not _ids_on(visible_text(at)) and not at.dataframe and not at.metric


def test_an_unlisted_email_gets_no_access_and_is_logged(roles_db):
    at = run_as("tamu@gmail.com", "pages/pelanggaran.py")
    assert not at.exception
    assert [e.value for e in at.title] == [t("access.denied.title", lang="id")]
    assert "tamu@gmail.com" in plain(at.error[0].value)
    assert not _ids_on(visible_text(at)) and not at.dataframe
    assert at.button(key="access_logout_denied")  # a way out to another account
    log = audit_rows(roles_db)
    assert list(log["action"]) == ["denied"] and list(log["who"]) == ["tamu@gmail.com"]


def test_an_unverified_email_gets_no_access(roles_db):
    at = run_as("bupati@bekasikab.go.id", verified=False)
    assert [e.value for e in at.title] == [t("access.denied.title", lang="id")]


def test_email_case_does_not_matter(roles_db):
    at = run_as("Bupati@BekasiKab.go.id")
    assert [e.value for e in at.title] == [t("nav.ringkasan", lang="id")]


def test_a_broken_users_file_shows_no_data(roles_db):
    roles_db.parent.joinpath("pantau-users.toml").write_text(
        '[[user]]\nemail = "x@y.id"\nrole = "kepala"\n', encoding="utf-8")
    at = run_as("x@y.id")
    assert [e.value for e in at.title] == [t("access.config_error.title", lang="id")]
    assert "kepala" in at.error[0].value and not at.dataframe


# --- every role on every page -------------------------------------------------------------------


@pytest.mark.parametrize("file", PAGE_FILES, ids=PAGE_IDS)
@pytest.mark.parametrize("email", list(USERS)[:3], ids=["pimpinan", "analis", "unit"])
def test_every_role_gets_every_page_without_personal_data(roles_db, email, file):
    at = run_as(email, file)
    assert not at.exception, at.exception
    title = next(p[2] for p in PAGES if p[0] == file)
    assert [e.value for e in at.title] == [t(title, lang="id")]
    assert not at.error
    text = visible_text(at)
    role, unit = USERS[email]
    if role == "unit":  # only its own complaint rows, on every page
        assert _ids_on(text) <= set(OWN_IDS[unit]), (file, _ids_on(text))
    else:  # no reporter identity anywhere without a reveal (pimpinan never)
        assert not any(name in text for name in REPORTERS), file
    # the sidebar says who is looking, and offers a way out
    assert any(email in plain(c.value) for c in at.sidebar.caption)
    assert at.button(key="access_logout")


def test_a_login_is_logged_once_per_session(roles_db):
    at = run_as("bupati@bekasikab.go.id")
    at.run()
    at.switch_page("pages/peringkat.py").run()
    log = audit_rows(roles_db)
    assert list(log["action"]) == ["login"]
    assert log.iloc[0]["who"] == "bupati@bekasikab.go.id" and log.iloc[0]["role"] == "pimpinan"


def test_after_a_first_upload_the_setup_page_shows_its_report_and_two_ways_without_server_paths(
        roles_db, monkeypatch, tmp_path):
    """Uploading the real SP4N workbook after clearing the demo used to lock every page behind "Atur
    login dulu": the analyst never saw the import report, and the page printed the server's path."""
    from analytics.importers.ingest import ImportReport

    users = roles_db.parent / "absent-users.toml"
    monkeypatch.setenv("PANTAU_USERS", str(users))
    report = ImportReport(
        file_name="laporan-ringkas.xlsx", format="sp4n-ringkas", source="sp4n-lapor", sha256="x", region="kab-bandung",
        snapshot_at=None, batch_id=1, rows_read=2127, rows_new=2127, rows_updated=0, rows_unchanged=0,
        rows_quarantined=3, rows_duplicate=0, quarantine_reasons={}, unknown_units={}, unknown_kecamatan={},
        unknown_desa={}, stages_estimated=0)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.user = {"is_logged_in": False}
    at.session_state["data_outcome"] = {"kind": "ok", "report": report}
    at.run()
    assert not at.exception, at.exception
    text = plain(visible_text(at))
    assert "laporan-ringkas.xlsx" in text and "2.127 aduan baru" in text and "3 dikarantina" in text
    assert [s.value for s in at.subheader][:2] == [t("access.setup.way1", lang="id"), t("access.setup.way2", lang="id")]
    assert str(roles_db.parent) not in text and "/" + users.name not in text  # no server path
    assert "allow_open" in text and "[auth]" in text
