"""Who may see what: roles, the viewer of one session, the users file, and the access decision.

Pure (no Streamlit): ui/access.py feeds it what Streamlit knows (is login configured, who logged
in, what kind of store this is) and draws what ``decide`` returns. docs/security.md explains the
rules to the people who configure Pantau.

Roles (docs/security.md has the full table):
- ``pimpinan``: every unit's figures and complaint rows, never personal data;
- ``analis``: the same, plus imports, and personal data only through an explicit, logged reveal;
- ``unit``: an OPD or camat office: every unit's figures (so it sees its place in the league), but
  complaint rows only of its own unit, and those in full.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

ROLES: tuple[str, ...] = ("pimpinan", "analis", "unit")
USERS_ENV_VAR = "PANTAU_USERS"
# Next to secrets.toml: both are deployment settings, and .gitignore keeps both out of git
# (the users file holds officials' e-mail addresses).
DEFAULT_USERS_FILE = Path(__file__).resolve().parents[2] / ".streamlit" / "pantau-users.toml"
# Without login, a store that was opened without saying which role applies gets the role that
# shows the least: figures and complaint rows, no personal data, no imports.
DEFAULT_OPEN_ROLE = "pimpinan"


class AccessConfigError(ValueError):
    """The users file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Viewer:
    """The person (or the open session) a page is drawn for. Hashable: pages pass its parts to
    cached queries.

    role    one of ROLES
    unit    the unit code (``DINKES``, ``KEC-321601``) of a ``unit`` viewer, else None
    email   the login e-mail (lower case); None in open mode
    name    display name from the identity provider, if any
    open    True when nobody logged in (demo data, or a store configured ``allow_open``)
    """

    role: str
    unit: str | None = None
    email: str | None = None
    name: str | None = None
    open: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; roles: {', '.join(ROLES)}")
        if (self.role == "unit") != bool(self.unit):
            raise ValueError("a unit viewer needs a unit code, and only a unit viewer has one")

    @property
    def who(self) -> str:
        """What the audit log records as the actor: the e-mail, or ``open:<role>``."""
        return self.email or f"open:{self.role}"

    @property
    def row_scope(self) -> str | None:
        """The unit code complaint-row queries must be limited to (None: every unit)."""
        return self.unit if self.role == "unit" else None

    @property
    def can_import(self) -> bool:
        return self.role == "analis"

    @property
    def can_reveal(self) -> bool:
        """May press "show personal data" (each reveal is written to the audit log)."""
        return self.role == "analis"

    @property
    def can_read_audit(self) -> bool:
        return self.role == "analis"

    def may_list(self, unit_code: str | None) -> bool:
        """May see complaint rows (ids, text) of ``unit_code``."""
        return self.row_scope is None or (unit_code is not None and unit_code == self.row_scope)

    def sees_identity_of(self, unit_code: str | None) -> bool:
        """Sees reporter identity of ``unit_code``'s complaints without a reveal: only a unit, of
        its own complaints (it has to follow them up). Rahasia/Anonim rules still apply on top."""
        return self.role == "unit" and unit_code == self.unit


@dataclass(frozen=True)
class User:
    email: str
    role: str
    unit: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class AccessConfig:
    """The users file: who may log in as what, and whether real data may be served without login.

    users        e-mail (lower case) -> User
    allow_open   serve a real store without login (``[access] allow_open = true``)
    open_role    the role of everyone when the store is served open
    source       the file it came from (None: no file)
    """

    users: Mapping[str, User] = field(default_factory=dict)
    allow_open: bool = False
    open_role: str = DEFAULT_OPEN_ROLE
    source: Path | None = None


def users_file(env: Mapping[str, str] | None = None) -> Path:
    """$PANTAU_USERS, else .streamlit/pantau-users.toml in the project."""
    env = os.environ if env is None else env
    return Path(env[USERS_ENV_VAR]) if env.get(USERS_ENV_VAR) else DEFAULT_USERS_FILE


def normal_email(email: object) -> str:
    return str(email or "").strip().lower()


def parse_access_config(data: Mapping[str, object], source: Path | None = None) -> AccessConfig:
    """Check a parsed users file; AccessConfigError names the first problem (and the entry)."""
    where = str(source) if source else "users file"
    known = {"access", "user"}
    extra = sorted(set(data) - known)
    if extra:
        raise AccessConfigError(f"{where}: unknown section {extra[0]!r}; expected [access] and [[user]]")
    access = data.get("access", {})
    if not isinstance(access, Mapping):
        raise AccessConfigError(f"{where}: [access] must be a table")
    allow_open = access.get("allow_open", False)
    if not isinstance(allow_open, bool):
        raise AccessConfigError(f"{where}: allow_open must be true or false, not {allow_open!r}")
    open_role = access.get("open_role", DEFAULT_OPEN_ROLE)
    if open_role not in ("pimpinan", "analis"):
        # A unit role in open mode would give every visitor one office's personal data.
        raise AccessConfigError(f"{where}: open_role must be \"pimpinan\" or \"analis\", not {open_role!r}")
    entries = data.get("user", [])
    if not isinstance(entries, list):
        raise AccessConfigError(f"{where}: users are written as [[user]] entries")
    users: dict[str, User] = {}
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            raise AccessConfigError(f"{where}: user #{i} is not a table")
        email = normal_email(entry.get("email"))
        if "@" not in email:
            raise AccessConfigError(f"{where}: user #{i} has no valid email ({entry.get('email')!r})")
        role = entry.get("role")
        if role not in ROLES:
            raise AccessConfigError(f"{where}: user {email} has role {role!r}; roles: {', '.join(ROLES)}")
        unit = entry.get("unit")
        unit = str(unit).strip() if unit not in (None, "") else None
        if role == "unit" and not unit:
            raise AccessConfigError(f"{where}: user {email} has role \"unit\" but no unit code (unit = \"DINKES\")")
        if role != "unit" and unit:
            raise AccessConfigError(f"{where}: user {email} has a unit but role {role!r}; only role \"unit\" has one")
        if email in users:
            raise AccessConfigError(f"{where}: user {email} is listed twice")
        name = entry.get("name")
        users[email] = User(email=email, role=str(role), unit=unit, name=str(name) if name else None)
    return AccessConfig(users=users, allow_open=allow_open, open_role=str(open_role), source=source)


def load_access_config(path: Path) -> AccessConfig:
    """Read the users file; a missing file is an empty configuration (nobody listed, not open)."""
    if not path.exists():
        return AccessConfig(source=None)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise AccessConfigError(f"{path}: cannot be read as TOML ({exc})") from exc
    return parse_access_config(data, path)


def login_provider(auth: Mapping[str, object] | None) -> str | None:
    """The provider name to pass to ``st.login`` from the ``[auth]`` secrets section.

    None when login is not configured (no section, or no redirect_uri / cookie_secret / client).
    "" means the unnamed provider (client_id directly under [auth]); otherwise the one named
    sub-section with a client_id (``[auth.keycloak]`` -> "keycloak"; the first, alphabetically,
    if there are several).
    """
    if not auth or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return None
    if auth.get("client_id"):
        return ""
    named = sorted(k for k, v in auth.items() if isinstance(v, Mapping) and v.get("client_id"))
    return named[0] if named else None


# What the frame does for a session (ui/access.py draws each case).
ALLOW, LOGIN, NO_ACCESS, SETUP, CONFIG_ERROR = "allow", "login", "no_access", "setup", "config_error"


@dataclass(frozen=True)
class Decision:
    kind: str  # ALLOW, LOGIN, NO_ACCESS, SETUP or CONFIG_ERROR
    viewer: Viewer | None = None
    email: str | None = None  # the rejected address (NO_ACCESS)
    problem: str | None = None  # CONFIG_ERROR: the users file's problem


def decide(
    *,
    login_configured: bool,
    logged_in: bool,
    email: str | None,
    email_verified: bool | None,
    name: str | None,
    store_kind: str,
    config: AccessConfig | AccessConfigError,
) -> Decision:
    """Who this session is, or why it gets no data.

    ``store_kind`` is "demo" (the synthetic regency), "empty" or "real". Rules:
    - a users file that cannot be read lets nobody in (fail closed), whatever the store;
    - login configured: a logged-in e-mail listed in the users file gets its role; an e-mail the
      identity provider says is unverified, or one not listed, gets NO_ACCESS; nobody logged in
      gets LOGIN;
    - no login: demo and empty stores run open (as analis, so the demo shows everything and an
      empty store can be filled); a real store runs open only with ``allow_open = true`` (as
      ``open_role``), otherwise SETUP explains how to configure login.
    """
    if isinstance(config, AccessConfigError):
        return Decision(CONFIG_ERROR, problem=str(config))
    if login_configured:
        if not logged_in:
            return Decision(LOGIN)
        addr = normal_email(email)
        user = config.users.get(addr)
        if user is None or email_verified is False:
            return Decision(NO_ACCESS, email=addr or None)
        return Decision(ALLOW, Viewer(role=user.role, unit=user.unit, email=addr, name=name or user.name))
    if store_kind in ("demo", "empty"):
        return Decision(ALLOW, Viewer(role="analis", open=True))
    if config.allow_open:
        return Decision(ALLOW, Viewer(role=config.open_role, open=True))
    return Decision(SETUP)
