"""A small real (non-demo) store with personal data, a users file with one account per role, and
AppTest runs as a given login. Used by tests/test_roles_*.py.

The rows are written by hand so every expectation has an independent reason: three units
(Dinas Kesehatan = DINKES, Dinas Perhubungan = DISHUB, Kecamatan Cikarang Barat = KEC-321608),
complaint ids that say whose they are (KES-, HUB-, CKB-), reporters with recognisable names and
numbers, one Rahasia and one Anonim report.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app_fixtures import APP, TIMEOUT, clear_caches
from tests.helpers import HEADER, template_csv

SNAPSHOT = pd.Timestamp("2025-11-20T12:00:00+07:00")
HEADER_PERSONAL = HEADER + ",anonymous,confidential,reporter_name,reporter_contact,text"


def _row(cid, received, status, unit, kec, *, verified="", dispatched="", resolved="", anon="", conf="",
         name="", contact="", text="", lat="-6.28", lon="107.09") -> str:
    return ",".join([cid, received, verified, dispatched, "", resolved, status, unit, kec, "", "Jalan Rusak",
                     "Pengaduan", "WhatsApp", lat, lon, "", "0", anon, conf, name, contact, f'"{text}"'])


D = "2025-11-0{}T09:00:00+07:00"
ROWS = [
    # Dinas Kesehatan: a named reporter whose text carries a phone, an e-mail and a NIK; a Rahasia
    # report; an Anonim report whose file still carries a name (it must not be stored).
    _row("KES-1", D.format(3), "didisposisi", "Dinas Kesehatan", "Cikarang Barat", verified=D.format(3),
         dispatched=D.format(3), name="Siti Aminah", contact="0812-1111-2222",
         text="Puskesmas tutup. Hubungi saya 0813 3333 4444 atau siti.aminah@mail.id, NIK 3216014505900001"),
    _row("KES-2", D.format(4), "didisposisi", "Dinas Kesehatan", "Cikarang Barat", verified=D.format(4),
         dispatched=D.format(4), conf="1", name="Rahmat Rahasia", contact="0857-7777-8888",
         text="Saya pegawai di sana, nomor saya 085777778888"),
    _row("KES-3", D.format(5), "menunggu_verifikasi", "Dinas Kesehatan", "Cikarang Barat", anon="1",
         name="Anonim Tapi Bernama", contact="0899-5555-6666", text="Obat habis"),
    # Dinas Perhubungan and the camat of Cikarang Barat: other units' complaints.
    _row("HUB-1", D.format(3), "didisposisi", "Dinas Perhubungan", "Cikarang Barat", verified=D.format(3),
         dispatched=D.format(3), name="Budi Santoso", contact="+62 811 2222 3333",
         text="Lampu lalu lintas mati, WA 081299998888"),
    _row("HUB-2", D.format(6), "selesai", "Dinas Perhubungan", "Cikarang Barat", verified=D.format(6),
         dispatched=D.format(6), resolved="2025-11-07T09:00:00+07:00", name="Dewi Lestari", contact="dewi@mail.id",
         text="Terminal kotor"),
    _row("CKB-1", D.format(7), "didisposisi", "Kecamatan Cikarang Barat", "Cikarang Barat", verified=D.format(7),
         dispatched=D.format(7), name="Joko Widodo", contact="0821-0000-9999", text="KTP belum jadi"),
]
OWN_IDS = {"DINKES": ("KES-1", "KES-2", "KES-3"), "DISHUB": ("HUB-1", "HUB-2"), "KEC-321608": ("CKB-1",)}
REPORTERS = ("Siti Aminah", "Rahmat Rahasia", "Anonim Tapi Bernama", "Budi Santoso", "Dewi Lestari", "Joko Widodo")
NUMBERS = ("0812-1111-2222", "0813 3333 4444", "siti.aminah@mail.id", "3216014505900001", "085777778888",
           "0857-7777-8888", "+62 811 2222 3333", "081299998888", "dewi@mail.id", "0821-0000-9999")

USERS = {
    "bupati@bekasikab.go.id": ("pimpinan", None),
    "analis@bekasikab.go.id": ("analis", None),
    "dinkes@bekasikab.go.id": ("unit", "DINKES"),
    "dishub@bekasikab.go.id": ("unit", "DISHUB"),
}
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret-that-is-long-enough",
    "keycloak": {
        "client_id": "pantau",
        "client_secret": "test",
        "server_metadata_url": "http://127.0.0.1:9/realms/pemda/.well-known/openid-configuration",
    },
}


def users_toml(users: dict[str, tuple[str, str | None]] = USERS, access: str = "") -> str:
    parts = [access] if access else []
    for email, (role, unit) in users.items():
        parts.append(f'[[user]]\nemail = "{email}"\nrole = "{role}"' + (f'\nunit = "{unit}"' if unit else ""))
    return "\n\n".join(parts) + "\n"


@pytest.fixture(scope="session")
def role_store(tmp_path_factory) -> Path:
    from analytics.importers.ingest import import_file
    from analytics.store import connect

    folder = tmp_path_factory.mktemp("roles")
    path = folder / "pantau.duckdb"
    con = connect(path)
    csv = template_csv(folder / "ekspor-roles.csv", ROWS, header=HEADER_PERSONAL)
    import_file(con, csv, region="kab-bekasi", snapshot_at=SNAPSHOT)
    con.close()
    return path


@pytest.fixture
def roles_db(role_store, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the role store per test (audit rows from one test never reach another),
    with the users file in place."""
    import shutil

    db = tmp_path / "pantau.duckdb"
    shutil.copy(role_store, db)
    users = tmp_path / "pantau-users.toml"
    users.write_text(users_toml(), encoding="utf-8")
    monkeypatch.setenv("PANTAU_DB", str(db))
    monkeypatch.setenv("PANTAU_USERS", str(users))
    clear_caches()
    yield db
    clear_caches()


def id_token_claims(email: str, *, verified: bool | None = True, iat: float | None = None, nonce: str | None = None,
                    **extra: object) -> dict:
    """What Streamlit's identity cookie holds after a real login: the ID token's claims (a fresh
    ``iat`` and ``nonce`` make it a new login; pass the same ones for another tab of that login).
    ``verified=None`` leaves ``email_verified`` out."""
    import secrets
    import time

    user: dict = {"is_logged_in": True, "email": email, "iss": "http://127.0.0.1:9/realms/pemda", "sub": email,
                  "aud": "pantau", "iat": int(time.time()) if iat is None else iat,
                  "nonce": nonce or secrets.token_hex(8), "provider": "keycloak", **extra}
    if verified is not None:
        user["email_verified"] = verified
    return user


def run_as(email: str | None, file: str | None = None, *, login: bool = True, verified: bool | None = True,
           user: dict | None = None, **query: str) -> AppTest:
    """The app as ``email`` (None: nobody logged in), on page ``file``. ``login=False`` runs
    without the [auth] secrets (login not configured). ``user`` gives the identity claims whole
    (``id_token_claims``), e.g. to open a second tab of the same login."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    if login:
        at.secrets["auth"] = AUTH
    if user is None:
        user = id_token_claims(email, verified=verified) if email else {"is_logged_in": False}
    at.user = user
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    if file:
        at.switch_page(file).run()
    return at


def plain(text: object) -> str:
    """Text as a person reads it: without the invisible word joiners ``md_escape`` puts into URLs
    and e-mail addresses so they are not turned into links."""
    from ui.fmt import WORD_JOINER

    return str(text).replace(WORD_JOINER, "")


def visible_text(at: AppTest) -> str:
    """Everything a person can read on the page: texts, tables, metrics, widget labels."""
    parts = []
    for kind in ("title", "subheader", "markdown", "caption", "info", "warning", "error", "success", "code"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for df in at.dataframe:
        parts.append(df.value.to_csv(index=False))
    return plain("\n".join(parts))


def audit_rows(db: Path) -> pd.DataFrame:
    from analytics.security import audit
    from ui import db as ui_db

    # The app holds the file read-write in this process: read through its connection.
    return audit.recent(ui_db.connection().cursor(), limit=1000)
