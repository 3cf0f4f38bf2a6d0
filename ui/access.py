"""Login and roles in the dashboard: who is looking, and the pages shown instead of data.

``page_frame`` calls ``gate`` on every page: it reads what Streamlit knows (the ``[auth]`` secrets,
``st.user``) and the users file, asks ``analytics.security.access.decide``, and either returns the
``Viewer`` or draws the login / no-access / set-up page and stops the run. docs/security.md is the
guide for the people who configure it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import duckdb
import streamlit as st

from analytics.security import audit
from analytics.security.access import (
    ALLOW,
    CONFIG_ERROR,
    LOGIN,
    NO_ACCESS,
    SETUP,
    AccessConfig,
    AccessConfigError,
    Decision,
    Viewer,
    decide,
    load_access_config,
    login_provider,
    users_file,
)
from ui.fmt import md_escape
from ui.i18n import t

log = logging.getLogger("pantau.ui")
LOGGED_KEY = "_access_logged"  # who this session's login was written to the audit log for


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


def store_kind(is_demo: bool, complaints: int) -> str:
    if is_demo:
        return "demo"
    return "empty" if complaints == 0 else "real"


def resolve(is_demo: bool, complaints: int) -> Decision:
    """What ``decide`` says for this session."""
    return decide(
        login_configured=login_provider(auth_secrets()) is not None,
        logged_in=bool(_user_fact("is_logged_in")),
        email=_user_fact("email"),
        email_verified=_user_fact("email_verified"),
        name=_user_fact("name"),
        store_kind=store_kind(is_demo, complaints),
        config=access_config(),
    )


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


def gate(con: duckdb.DuckDBPyConnection, *, is_demo: bool, complaints: int, lang: str) -> Viewer:
    """The viewer of this session, or the page explaining why there is no data (then ``st.stop``)."""
    decision = resolve(is_demo, complaints)
    if decision.kind == ALLOW:
        viewer = decision.viewer
        if not viewer.open:
            _once(con, f"login:{viewer.who}", viewer, "login")
        return viewer
    if decision.kind == LOGIN:
        login_page(lang)
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


def login_page(lang: str) -> None:
    st.title(t("access.login.title", lang=lang))
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


def setup_page(lang: str) -> None:
    st.title(t("access.setup.title", lang=lang))
    st.warning(t("access.setup.body", lang=lang), icon=":material/lock:")
    st.markdown(t("access.setup.steps", lang=lang, users=str(users_file())))
    st.code(SECRETS_EXAMPLE, language="toml")
    st.caption(t("access.setup.open", lang=lang))


SECRETS_EXAMPLE = """[auth]
redirect_uri = "https://pantau.example.go.id/oauth2callback"
cookie_secret = "ganti-dengan-32-karakter-acak-atau-lebih"

[auth.keycloak]
client_id = "pantau"
client_secret = "rahasia-dari-keycloak"
server_metadata_url = "https://sso.example.go.id/realms/pemda/.well-known/openid-configuration"
"""


def logout_button(viewer: Viewer | None, lang: str, *, key: str, con: duckdb.DuckDBPyConnection | None = None) -> None:
    if st.button(t("access.logout", lang=lang), icon=":material/logout:", key=key):
        if con is not None and viewer is not None:
            try:
                record(con, viewer, "logout")
            except duckdb.Error:
                log.exception("audit logout failed")
        st.session_state.pop(LOGGED_KEY, None)
        st.logout()


def account_box(viewer: Viewer, con: duckdb.DuckDBPyConnection, lang: str) -> None:
    """Sidebar: who is looking, as which role; the logout button (nothing to log out of when open)."""
    role = t(f"access.role.{viewer.role}", lang=lang)
    if viewer.open:
        st.caption(t("access.account.open", lang=lang, role=role))
        return
    unit = f" · {md_escape(viewer.unit)}" if viewer.unit else ""
    st.caption(t("access.account", lang=lang, who=md_escape(viewer.name or viewer.email), role=role) + unit)
    logout_button(viewer, lang, key="access_logout", con=con)


def open_notice(viewer: Viewer, kind: str, lang: str) -> str | None:
    """The line that tells everyone this page is served without login (None when logged in).
    ``kind`` is ``store_kind(...)``: "demo", "empty" or "real"."""
    if not viewer.open:
        return None
    return t(f"access.open.{kind}", lang=lang, role=t(f"access.role.{viewer.role}", lang=lang))
