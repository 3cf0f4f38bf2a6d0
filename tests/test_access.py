"""Roles, the users file, the open/login decision and the audit log, without Streamlit."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from analytics.security import audit, sessions
from analytics.security.access import (
    ALLOW,
    CONFIG_ERROR,
    LOGIN,
    NO_ACCESS,
    SESSION_ENDED,
    SESSION_EXPIRED,
    SESSION_INVALID,
    SESSION_LIVE,
    SETUP,
    AccessConfig,
    AccessConfigError,
    User,
    Viewer,
    decide,
    email_is_verified,
    load_access_config,
    login_of,
    login_provider,
    parse_access_config,
    session_state,
    users_file,
)

ROOT = Path(__file__).resolve().parents[1]


def test_viewer_rights_per_role():
    pimpinan, analis, unit = Viewer("pimpinan"), Viewer("analis"), Viewer("unit", unit="DINKES")
    assert (pimpinan.can_import, analis.can_import, unit.can_import) == (False, True, False)
    assert (pimpinan.can_reveal, analis.can_reveal, unit.can_reveal) == (False, True, False)
    assert (pimpinan.row_scope, analis.row_scope, unit.row_scope) == (None, None, "DINKES")
    assert pimpinan.may_list("DISHUB") and analis.may_list("DISHUB")
    assert unit.may_list("DINKES") and not unit.may_list("DISHUB") and not unit.may_list(None)
    assert unit.sees_identity_of("DINKES") and not unit.sees_identity_of("DISHUB")
    assert not pimpinan.sees_identity_of("DINKES") and not analis.sees_identity_of("DINKES")  # analis: reveal only
    assert Viewer("analis", open=True).who == "open:analis" and Viewer("analis", email="a@b.id").who == "a@b.id"


@pytest.mark.parametrize(("role", "unit"), [("kepala", None), ("unit", None), ("pimpinan", "DINKES")])
def test_viewer_refuses_inconsistent_roles(role, unit):
    with pytest.raises(ValueError):
        Viewer(role, unit=unit)


def test_the_example_users_file_is_valid():
    cfg = load_access_config(ROOT / ".streamlit" / "pantau-users.example.toml")
    roles = {u.role for u in cfg.users.values()}
    assert roles == {"pimpinan", "analis", "unit"} and cfg.allow_open is False


def test_a_missing_users_file_lets_nobody_in_and_is_not_open(tmp_path):
    cfg = load_access_config(tmp_path / "absent.toml")
    assert cfg.users == {} and cfg.allow_open is False


def test_users_file_path_from_the_environment(tmp_path):
    assert users_file({"PANTAU_USERS": str(tmp_path / "u.toml")}) == tmp_path / "u.toml"
    assert users_file({}).name == "pantau-users.toml"


def test_parse_normalises_emails():
    cfg = parse_access_config({"user": [{"email": " Kadis@Bekasikab.GO.id ", "role": "unit", "unit": "DINKES"}]})
    assert cfg.users == {"kadis@bekasikab.go.id": User("kadis@bekasikab.go.id", "unit", "DINKES")}


@pytest.mark.parametrize(("data", "problem"), [
    ({"user": [{"email": "a@b.id", "role": "kepala"}]}, "role 'kepala'"),
    ({"user": [{"email": "a@b.id", "role": "unit"}]}, "no unit code"),
    ({"user": [{"email": "a@b.id", "role": "analis", "unit": "DINKES"}]}, "only role \"unit\""),
    ({"user": [{"email": "nobody", "role": "analis"}]}, "no valid email"),
    ({"user": [{"email": "a@b.id", "role": "analis"}, {"email": "A@b.id", "role": "pimpinan"}]}, "listed twice"),
    ({"access": {"allow_open": "yes"}}, "true or false"),
    ({"access": {"allow_open": True, "open_role": "unit"}}, "open_role"),
    ({"users": []}, "unknown section"),
    ({"user": {"email": "a@b.id"}}, "[[user]]"),
    ({"access": {"allow_opne": True}}, "unknown setting 'allow_opne'"),  # a typo is not silently ignored
    ({"access": {"session_hours": 0}}, "session_hours"),
    ({"access": {"session_hours": "12"}}, "session_hours"),
    ({"access": {"session_hours": 24 * 31}}, "session_hours"),
    ({"access": {"session_check_seconds": 1}}, "session_check_seconds"),
    ({"access": {"providers_without_email_verified": "entra"}}, "providers_without_email_verified"),
])
def test_parse_names_the_problem(data, problem):
    with pytest.raises(AccessConfigError, match=None) as err:
        parse_access_config(data)
    assert problem in str(err.value)


def test_unreadable_toml_is_a_config_error(tmp_path):
    bad = tmp_path / "u.toml"
    bad.write_text("[[user]\nemail = ", encoding="utf-8")
    with pytest.raises(AccessConfigError, match="cannot be read as TOML"):
        load_access_config(bad)


@pytest.mark.parametrize(("auth", "provider"), [
    (None, None),
    ({}, None),
    ({"redirect_uri": "x", "cookie_secret": "y"}, None),  # no client anywhere
    ({"redirect_uri": "x", "client_id": "c"}, None),  # no cookie secret
    ({"redirect_uri": "x", "cookie_secret": "y", "client_id": "c"}, ""),
    ({"redirect_uri": "x", "cookie_secret": "y", "keycloak": {"client_id": "c"}}, "keycloak"),
    ({"redirect_uri": "x", "cookie_secret": "y", "zz": {"client_id": "c"}, "keycloak": {"client_id": "c"}},
     "keycloak"),
])
def test_login_provider(auth, provider):
    assert login_provider(auth) == provider


CFG = AccessConfig(users={"a@b.id": User("a@b.id", "analis"), "u@b.id": User("u@b.id", "unit", "DINKES")})
TRUSTING = AccessConfig(users=CFG.users, providers_without_email_verified=frozenset({"entra"}))
BASE = dict(login_configured=True, logged_in=True, email="a@b.id", email_verified=True, name=None,
            store_kind="real", config=CFG, session=SESSION_LIVE, provider="keycloak")


@pytest.mark.parametrize(("change", "kind", "role"), [
    ({}, ALLOW, "analis"),
    ({"email": "U@B.ID"}, ALLOW, "unit"),
    ({"email_verified": "true"}, ALLOW, "analis"),  # some providers send the string
    ({"email_verified": False}, NO_ACCESS, None),
    ({"email_verified": "false"}, NO_ACCESS, None),
    # Issue "Hardening from an attack run", item 3: a missing claim was let in.
    ({"email_verified": None}, NO_ACCESS, None),
    ({"email_verified": 1}, NO_ACCESS, None),
    # ...unless the users file names the provider as one that never sends it (and verifies anyway)
    ({"email_verified": None, "provider": "entra", "config": TRUSTING}, ALLOW, "analis"),
    ({"email_verified": False, "provider": "entra", "config": TRUSTING}, NO_ACCESS, None),
    ({"email_verified": None, "provider": "keycloak", "config": TRUSTING}, NO_ACCESS, None),
    # item 2: a login ended by a logout (any tab, any copy of its cookie), too old, or without a time
    ({"session": SESSION_ENDED}, LOGIN, None),
    ({"session": SESSION_EXPIRED}, LOGIN, None),
    ({"session": SESSION_INVALID}, LOGIN, None),
    ({"email": "x@b.id"}, NO_ACCESS, None),
    ({"email": None}, NO_ACCESS, None),
    ({"logged_in": False}, LOGIN, None),
    ({"logged_in": False, "store_kind": "demo"}, LOGIN, None),  # login configured: demo too
    ({"login_configured": False, "logged_in": False, "store_kind": "demo"}, ALLOW, "analis"),
    ({"login_configured": False, "logged_in": False, "store_kind": "empty"}, ALLOW, "analis"),
    ({"login_configured": False, "logged_in": False}, SETUP, None),  # real data is never open by default
    ({"login_configured": False, "config": AccessConfig(allow_open=True)}, ALLOW, "pimpinan"),
    ({"login_configured": False, "config": AccessConfig(allow_open=True, open_role="analis")}, ALLOW, "analis"),
    ({"config": AccessConfigError("broken")}, CONFIG_ERROR, None),
    ({"login_configured": False, "store_kind": "demo", "config": AccessConfigError("broken")}, CONFIG_ERROR, None),
])
def test_decide(change, kind, role):
    d = decide(**(BASE | change))
    assert d.kind == kind
    assert (d.viewer.role if d.viewer else None) == role
    if d.viewer is not None:
        assert d.viewer.open == (not (BASE | change)["login_configured"])


def test_decide_says_why_a_logged_in_cookie_no_longer_counts():
    assert decide(**(BASE | {"session": SESSION_ENDED})).session == SESSION_ENDED
    assert decide(**(BASE | {"logged_in": False})).session is None


def test_email_is_verified_only_when_the_provider_says_so():
    assert email_is_verified(True, "keycloak", CFG) and email_is_verified(" TRUE ", None, CFG)
    for claim in (None, False, "false", 1, "yes", ""):
        assert not email_is_verified(claim, "keycloak", CFG), claim
    assert email_is_verified(None, "entra", TRUSTING) and not email_is_verified(None, None, TRUSTING)


def test_parse_reads_the_session_and_provider_settings():
    cfg = parse_access_config({"access": {"session_hours": 8, "session_check_seconds": 5,
                                          "providers_without_email_verified": [" entra "]}})
    assert (cfg.session_hours, cfg.session_check_seconds) == (8.0, 5)
    assert cfg.providers_without_email_verified == frozenset({"entra"})
    default = parse_access_config({})
    assert (default.session_hours, default.session_check_seconds) == (12.0, 30)
    assert default.providers_without_email_verified == frozenset()


CLAIMS = {"iss": "http://sso/realms/pemda", "sub": "u-1", "email": "a@b.id", "iat": 1_763_600_000, "nonce": "n1"}


def test_a_login_is_its_issuer_subject_time_and_nonce():
    one = login_of(CLAIMS)
    assert one == login_of(dict(CLAIMS, name="other display name"))  # another tab, a copied cookie
    assert one.issued_at == datetime.fromtimestamp(1_763_600_000, tz=UTC)
    assert len({one.session_id, login_of(dict(CLAIMS, nonce="n2")).session_id,
                login_of(dict(CLAIMS, iat=1_763_600_001)).session_id,
                login_of(dict(CLAIMS, sub="u-2")).session_id}) == 4  # every new login is a new session
    for iat in (None, "1763600000", True):
        assert login_of(dict(CLAIMS, iat=iat)) is None


def test_session_state_ends_with_a_logout_or_after_the_hours():
    login = login_of(CLAIMS)
    at = login.issued_at
    assert session_state(login, ended=False, now=at + timedelta(hours=11, minutes=59), hours=12) == SESSION_LIVE
    assert session_state(login, ended=False, now=at + timedelta(hours=12, seconds=1), hours=12) == SESSION_EXPIRED
    assert session_state(login, ended=True, now=at, hours=12) == SESSION_ENDED
    assert session_state(None, ended=False, now=at, hours=12) == SESSION_INVALID


def test_a_login_session_is_recorded_once_and_ended_for_good(con):
    login, viewer = login_of(CLAIMS), Viewer("unit", unit="DINKES", email="a@b.id")
    assert sessions.lookup(con, login.session_id) is None
    assert sessions.start(con.cursor(), login, viewer, provider="keycloak") is True
    assert sessions.start(con.cursor(), login, viewer, provider="keycloak") is False  # the next page load
    row = sessions.lookup(con, login.session_id)
    assert not row.ended and row.email == "a@b.id"
    first = datetime(2025, 11, 20, 5, 0, tzinfo=UTC)
    sessions.end(con.cursor(), login, viewer, at=first)
    sessions.end(con.cursor(), login, viewer, at=first + timedelta(minutes=5))
    assert sessions.lookup(con, login.session_id).ended_at == first  # the first logout counts
    log = audit.recent(con)
    assert list(log["action"]) == ["logout", "logout", "login"]
    assert list(log["unit"]) == ["DINKES"] * 3


def test_page_loads_of_one_login_at_the_same_moment_write_one_login_row(con):
    # A crawl opens many pages of one login at once; each page's first run tries to record it.
    login, viewer = login_of(CLAIMS), Viewer("pimpinan", email="a@b.id")
    barrier, results = threading.Barrier(6), []

    def load() -> None:
        cur = con.cursor()
        barrier.wait()
        results.append(sessions.start(cur, login, viewer))
        cur.close()

    threads = [threading.Thread(target=load) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(results) == 6 and results.count(True) == 1  # no page load failed, one recorded it
    assert list(audit.recent(con)["action"]) == ["login"]


def test_decide_keeps_the_unit_and_names_the_refused_address():
    assert decide(**(BASE | {"email": "u@b.id"})).viewer.unit == "DINKES"
    assert decide(**(BASE | {"email": "X@b.id"})).email == "x@b.id"


def test_audit_log_records_and_reads_newest_first(con):
    t0 = datetime(2025, 11, 20, 5, 0, tzinfo=UTC)
    audit.record(con, who="a@b.id", role="analis", action="login", at=t0)
    audit.record(con, who="a@b.id", role="analis", action="reveal", detail={"ids": ["K-1"], "reason": "cek"})
    audit.record(con, who="u@b.id", role="unit", unit="DINKES", action="download", detail={"file": "x.csv"})
    rows = audit.recent(con)
    assert list(rows["action"]) == ["download", "reveal", "login"]
    assert json.loads(rows.iloc[1]["detail"]) == {"ids": ["K-1"], "reason": "cek"}
    assert rows.iloc[2]["occurred_at"].tz_convert("UTC") == t0
    assert list(audit.recent(con, action="reveal")["who"]) == ["a@b.id"]
    assert list(audit.recent(con, who="u@b.id")["unit"]) == ["DINKES"]
    assert len(audit.recent(con, limit=1)) == 1
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(con, who="a", action="peek")


def test_cli_imports_are_audited_and_the_log_can_be_read(tmp_path, capsys):
    from analytics.cli.main import main
    from tests.helpers import template_csv

    db = tmp_path / "cli.duckdb"
    good = template_csv(tmp_path / "ekspor.csv", ["A1,2025-11-02T09:00:00+07:00,,,,,menunggu_verifikasi,,,,,,,,,,"])
    bad = tmp_path / "kosong.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["import", str(good), "--db", str(db), "--region", "kab-bekasi"]) == 0
    assert main(["import", str(bad), "--db", str(db)]) == 2
    capsys.readouterr()
    assert main(["audit", "--db", str(db), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["action"] for r in rows] == ["import", "import"]
    assert all(r["who"].startswith("cli:") and r["role"] == "cli" for r in rows)
    assert json.loads(rows[0]["detail"])["file"] == "kosong.csv" and "refused" in json.loads(rows[0]["detail"])
    assert json.loads(rows[1]["detail"])["rows_new"] == 1
