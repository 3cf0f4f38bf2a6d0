"""Login and roles in the dashboard: who is looking, and the pages shown instead of data.

``page_frame`` calls ``gate`` on every page: it reads what Streamlit knows (the ``[auth]`` secrets,
``st.user``), the users file and the login's session in the store, asks
``analytics.security.access.decide``, and either returns the ``Viewer`` or draws the login /
no-access / set-up page and stops the run. docs/security.md is the guide for the people who
configure it.

A login is a row in the store's ``login_sessions`` (analytics/security/sessions.py), written with
its one ``login`` audit row the first time a page is drawn for it. **Keluar** marks it ended, and
every page run checks it, so the logout holds for every tab and every copy of the 30-day cookie;
a tab left open notices within ``session_check_seconds`` (``_session_watch``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime

import duckdb
import streamlit as st

from analytics.security import audit, sessions
from analytics.security.access import (
    ALLOW,
    CONFIG_ERROR,
    DEFAULT_SESSION_CHECK_SECONDS,
    DEFAULT_SESSION_HOURS,
    LOGIN,
    NO_ACCESS,
    SESSION_ENDED,
    SESSION_EXPIRED,
    SESSION_INVALID,
    SESSION_LIVE,
    SETUP,
    AccessConfig,
    AccessConfigError,
    Decision,
    Login,
    Viewer,
    decide,
    load_access_config,
    login_of,
    login_provider,
    session_state,
    users_file,
)
from ui import db, guard
from ui.fmt import fmt_int, md_escape
from ui.i18n import t

log = logging.getLogger("pantau.ui")
LOGGED_KEY = "_access_logged"  # who this session's refused login was written to the audit log for
SESSION_KEY = "_access_session"  # this session's login: {"id", "issued_at", "provider"} (logout, watch)
_CLAIMS = ("iss", "sub", "email", "iat", "nonce")  # what identifies one login (access.login_of)


def _plain(value: object) -> object:
    """st.secrets sections (AttrDict) as plain dicts, recursively."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def auth_secrets() -> dict | None:
    """The ``[auth]`` section of .streamlit/secrets.toml, or None (no file, no section)."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file at all: Streamlit raises instead of returning None
        return None
    return _plain(section) if isinstance(section, Mapping) else None


@st.cache_resource(show_spinner=False, max_entries=4)
def _config(path: str, mtime: float) -> AccessConfig | AccessConfigError:
    # Keyed on the modification time: an edited users file applies on the next page load, without
    # a restart. A broken file is kept as its error, so every page can say what is wrong.
    from pathlib import Path

    try:
        return load_access_config(Path(path))
    except AccessConfigError as exc:
        log.error("users file: %s", exc)
        return exc


def access_config() -> AccessConfig | AccessConfigError:
    path = users_file()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = -1.0
    return _config(str(path), mtime)


def _user_fact(key: str) -> object:
    try:
        return st.user.get(key)
    except Exception:  # no user info at all (bare runs)
        return None


def store_kind(is_demo: bool, complaints: int, quarantined: int = 0) -> str:
    """"demo", "empty" or "real". Quarantined rows are real data: a file whose every row was
    refused still holds the people's names and numbers (the Data page shows its raw rows)."""
    if is_demo:
        return "demo"
    return "empty" if complaints == 0 and quarantined == 0 else "real"


def _session_hours(config: AccessConfig | AccessConfigError) -> float:
    return config.session_hours if isinstance(config, AccessConfig) else DEFAULT_SESSION_HOURS


def resolve(con: duckdb.DuckDBPyConnection, is_demo: bool, complaints: int,
            quarantined: int = 0) -> tuple[Decision, Login | None, sessions.SessionRow | None]:
    """What ``decide`` says for this session, with the login behind it and its row in the store
    (None before the first page of that login was drawn)."""
    config = access_config()
    login_configured = login_provider(auth_secrets()) is not None
    logged_in = bool(_user_fact("is_logged_in"))
    login = row = None
    state = SESSION_INVALID
    if login_configured and logged_in:
        login = login_of({k: _user_fact(k) for k in _CLAIMS})
        if login is not None:
            row = sessions.lookup(con, login.session_id)
        state = session_state(login, ended=row is not None and row.ended, now=datetime.now(UTC),
                              hours=_session_hours(config))
    decision = decide(
        login_configured=login_configured,
        logged_in=logged_in,
        email=_user_fact("email"),
        email_verified=_user_fact("email_verified"),
        name=_user_fact("name"),
        store_kind=store_kind(is_demo, complaints, quarantined),
        config=config,
        session=state,
        provider=_provider(),
    )
    return decision, login, row


def _provider() -> str | None:
    value = _user_fact("provider")
    return str(value) if value else None


def record(con: duckdb.DuckDBPyConnection, viewer: Viewer | None, action: str, detail: dict | None = None,
           who: str | None = None) -> None:
    """One audit row for this session's viewer (or ``who`` when there is no viewer), written on a
    cursor of its own: the run's cursor (``ctx.con``) is a read-only snapshot (ui.db.cursor)."""
    cur = con.cursor()
    try:
        audit.record(cur, who=who or (viewer.who if viewer else "unknown"), action=action,
                     role=viewer.role if viewer else None, unit=viewer.unit if viewer else None, detail=detail)
    finally:
        cur.close()


def _once(con: duckdb.DuckDBPyConnection, marker: str, viewer: Viewer | None, action: str, **kw) -> None:
    # Streamlit reruns the page on every click; a login is one event per session.
    if st.session_state.get(LOGGED_KEY) == marker:
        return
    try:
        record(con, viewer, action, **kw)
    except duckdb.Error:
        log.exception("audit %s for %s failed", action, marker)
        return
    st.session_state[LOGGED_KEY] = marker


def _start(login: Login, viewer: Viewer) -> None:
    # One row and one `login` audit row per login, however many pages and tabs it opens (a
    # crawl of 133 pages is one login). Written on a cursor of its own (ui.db.write).
    try:
        db.write(sessions.start, login, viewer, provider=_provider())
    except duckdb.Error:
        log.exception("recording the login of %s failed", viewer.who)


def gate(con: duckdb.DuckDBPyConnection, *, is_demo: bool, complaints: int, lang: str,
         quarantined: int = 0) -> Viewer:
    """The viewer of this session, or the page explaining why there is no data (then ``st.stop``)."""
    decision, login, row = resolve(con, is_demo, complaints, quarantined)
    if decision.kind == ALLOW:
        viewer = decision.viewer
        if not viewer.open and login is not None:
            if row is None:
                _start(login, viewer)
            st.session_state[SESSION_KEY] = {"id": login.session_id, "issued_at": login.issued_at.isoformat(),
                                             "provider": _provider()}
        return viewer
    st.session_state.pop(SESSION_KEY, None)
    if decision.kind == LOGIN:
        login_page(lang, decision.session)
    elif decision.kind == NO_ACCESS:
        _once(con, f"denied:{decision.email}", None, "denied", who=decision.email or "unknown",
              detail={"reason": "not in the users file or e-mail not verified"})
        no_access_page(decision.email, lang)
    elif decision.kind == SETUP:
        setup_page(lang)
    elif decision.kind == CONFIG_ERROR:
        st.title(t("access.config_error.title", lang=lang))
        st.error(t("access.config_error.body", lang=lang, problem=md_escape(decision.problem)))
    st.stop()
    raise AssertionError("st.stop() returned")  # for type checkers; never reached


def login_page(lang: str, session: str | None = None) -> None:
    """The sign-in page. ``session`` says why a logged-in cookie no longer counts (ended by a
    logout, expired, no login time); a refusal from the identity provider (the guard's
    ``login_error`` parameters) is shown as plain text: it comes from outside."""
    st.title(t("access.login.title", lang=lang))
    if session == SESSION_ENDED:
        st.info(t("access.login.ended", lang=lang), icon=":material/logout:")
    elif session == SESSION_EXPIRED:
        config = access_config()
        st.info(t("access.login.expired", lang=lang, hours=f"{_session_hours(config):g}"), icon=":material/timer:")
    elif session == SESSION_INVALID:
        st.warning(t("access.login.invalid", lang=lang), icon=":material/help:")
    error = st.query_params.get(guard.LOGIN_ERROR)
    if error:
        description = st.query_params.get(guard.LOGIN_ERROR_DESCRIPTION) or "–"
        st.error(t("access.login.provider_error", lang=lang, error=md_escape(error[:300]),
                   description=md_escape(description[:300])), icon=":material/error:")
    st.markdown(t("access.login.body", lang=lang))
    provider = login_provider(auth_secrets())
    if st.button(t("access.login.button", lang=lang), type="primary", icon=":material/login:", key="access_login"):
        if provider:
            st.login(provider)
        else:
            st.login()


def no_access_page(email: str | None, lang: str) -> None:
    st.title(t("access.denied.title", lang=lang))
    st.error(t("access.denied.body", lang=lang, email=md_escape(email or "–")), icon=":material/block:")
    logout_button(None, lang, key="access_logout_denied")


# Where the Data page keeps the last import's outcome (pages/data.py OUTCOME_KEY).
IMPORT_OUTCOME_KEY = "data_outcome"


def setup_page(lang: str) -> None:
    """Real data and no login: the two ways forward. After a first upload the analyst who made it
    sees its counts here (the rows wait for login); no server path is shown, only file names."""
    st.title(t("access.setup.title", lang=lang))
    outcome = st.session_state.get(IMPORT_OUTCOME_KEY) or {}
    report = outcome.get("report") if outcome.get("kind") == "ok" else None
    if report is not None:
        n = lambda v: fmt_int(v, lang=lang)  # noqa: E731
        st.success(t("access.setup.imported", lang=lang, file=md_escape(report.file_name), new=n(report.rows_new),
                     updated=n(report.rows_updated), quarantined=n(report.rows_quarantined)),
                   icon=":material/task_alt:")
    st.warning(t("access.setup.body", lang=lang), icon=":material/lock:")
    st.subheader(t("access.setup.way1", lang=lang))
    st.markdown(t("access.setup.steps", lang=lang, users=users_file().name))
    st.code(SECRETS_EXAMPLE, language="toml")
    st.subheader(t("access.setup.way2", lang=lang))
    st.markdown(t("access.setup.open", lang=lang))


SECRETS_EXAMPLE = """[auth]
redirect_uri = "https://pantau.example.go.id/oauth2callback"
cookie_secret = "ganti-dengan-32-karakter-acak-atau-lebih"

[auth.keycloak]
client_id = "pantau"
client_secret = "rahasia-dari-keycloak"
server_metadata_url = "https://sso.example.go.id/realms/pemda/.well-known/openid-configuration"
client_kwargs = { prompt = "login" }
"""


def _this_login() -> Login | None:
    held = st.session_state.get(SESSION_KEY)
    if not held:
        return None
    return Login(session_id=held["id"], issued_at=datetime.fromisoformat(held["issued_at"]))


def logout_button(viewer: Viewer | None, lang: str, *, key: str, con: duckdb.DuckDBPyConnection | None = None) -> None:
    """**Keluar**: ends the login in the store (every tab, every copy of its cookie), writes the
    ``logout`` audit row, then Streamlit's logout (the cookie, and the identity provider's session)."""
    if st.button(t("access.logout", lang=lang), icon=":material/logout:", key=key):
        login = _this_login()
        if viewer is not None and login is not None:
            try:
                db.write(sessions.end, login, viewer, provider=(st.session_state.get(SESSION_KEY) or {}).get("provider"))
            except duckdb.Error:
                log.exception("ending the login of %s failed", viewer.who)
        elif con is not None and viewer is not None:
            try:
                record(con, viewer, "logout")
            except duckdb.Error:
                log.exception("audit logout failed")
        st.session_state.pop(LOGGED_KEY, None)
        st.session_state.pop(SESSION_KEY, None)
        st.logout()


def _session_watch(session_id: str, issued_at: str, hours: float) -> None:
    # Runs every session_check_seconds in each open tab: a login ended in another tab (or grown
    # too old) reruns the page, and the gate replaces it with the login page.
    try:
        cur = db.cursor()
        try:
            row = sessions.lookup(cur, session_id)
        finally:
            cur.close()
    except duckdb.Error:
        log.exception("checking login session failed")
        return
    login = Login(session_id=session_id, issued_at=datetime.fromisoformat(issued_at))
    if session_state(login, ended=row is not None and row.ended, now=datetime.now(UTC), hours=hours) != SESSION_LIVE:
        st.rerun()


def account_box(viewer: Viewer, con: duckdb.DuckDBPyConnection, lang: str) -> None:
    """Sidebar: who is looking, as which role; the logout button (nothing to log out of when open).
    Names and e-mails come from the identity provider: plain text (``md_escape``), never links."""
    role = t(f"access.role.{viewer.role}", lang=lang)
    if viewer.open:
        st.caption(t("access.account.open", lang=lang, role=role))
        return
    unit = f" · {md_escape(viewer.unit)}" if viewer.unit else ""
    st.caption(t("access.account", lang=lang, who=md_escape(viewer.name or viewer.email), role=role) + unit)
    logout_button(viewer, lang, key="access_logout", con=con)
    held = st.session_state.get(SESSION_KEY)
    if held:
        config = access_config()
        every = config.session_check_seconds if isinstance(config, AccessConfig) else DEFAULT_SESSION_CHECK_SECONDS
        st.fragment(_session_watch, run_every=every)(held["id"], held["issued_at"], _session_hours(config))


def open_notice(viewer: Viewer, kind: str, lang: str) -> str | None:
    """The line that tells everyone this page is served without login (None when logged in).
    ``kind`` is ``store_kind(...)``: "demo", "empty" or "real"."""
    if not viewer.open:
        return None
    return t(f"access.open.{kind}", lang=lang, role=t(f"access.role.{viewer.role}", lang=lang))
