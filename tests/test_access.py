"""Roles, the users file, the open/login decision and the audit log, without Streamlit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analytics.security import audit
from analytics.security.access import (
    ALLOW,
    CONFIG_ERROR,
    LOGIN,
    NO_ACCESS,
    SETUP,
    AccessConfig,
    AccessConfigError,
    User,
    Viewer,
    decide,
    load_access_config,
    login_provider,
    parse_access_config,
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
BASE = dict(login_configured=True, logged_in=True, email="a@b.id", email_verified=None, name=None,
            store_kind="real", config=CFG)


@pytest.mark.parametrize(("change", "kind", "role"), [
    ({}, ALLOW, "analis"),
    ({"email": "U@B.ID"}, ALLOW, "unit"),
    ({"email_verified": True}, ALLOW, "analis"),
    ({"email_verified": False}, NO_ACCESS, None),
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
