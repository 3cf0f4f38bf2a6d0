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

import hashlib
import json
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROLES: tuple[str, ...] = ("pimpinan", "analis", "unit")
USERS_ENV_VAR = "PANTAU_USERS"
# Next to secrets.toml: both are deployment settings, and .gitignore keeps both out of git
# (the users file holds officials' e-mail addresses).
DEFAULT_USERS_FILE = Path(__file__).resolve().parents[2] / ".streamlit" / "pantau-users.toml"
# Without login, a store that was opened without saying which role applies gets the role that
# shows the least: figures and complaint rows, no personal data, no imports.
DEFAULT_OPEN_ROLE = "pimpinan"
# A login lasts a working day: after this many hours from the identity provider's login (the ID
# token's ``iat``), Pantau asks for a new one, whatever the 30-day Streamlit cookie says.
DEFAULT_SESSION_HOURS = 12.0
MAX_SESSION_HOURS = 24.0 * 30  # the cookie's own lifetime; longer would mean nothing
# How often an open tab asks the store whether its login was ended elsewhere (Keluar in another
# tab) or has run out, and then drops its page.
DEFAULT_SESSION_CHECK_SECONDS = 30
MIN_SESSION_CHECK_SECONDS = 2


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

    users            e-mail (lower case) -> User
    allow_open       serve a real store without login (``[access] allow_open = true``)
    open_role        the role of everyone when the store is served open
    session_hours    how long a login lasts from the identity provider's login time
    session_check_seconds  how often an open tab checks that its login still holds
    providers_without_email_verified  the [auth.<name>] providers trusted to verify every e-mail
                     although their ID tokens carry no ``email_verified`` claim (an explicit
                     ``false`` is refused from them too); every other provider must say ``true``
    source           the file it came from (None: no file)
    """

    users: Mapping[str, User] = field(default_factory=dict)
    allow_open: bool = False
    open_role: str = DEFAULT_OPEN_ROLE
    session_hours: float = DEFAULT_SESSION_HOURS
    session_check_seconds: int = DEFAULT_SESSION_CHECK_SECONDS
    providers_without_email_verified: frozenset[str] = frozenset()
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
    known_access = {"allow_open", "open_role", "session_hours", "session_check_seconds",
                    "providers_without_email_verified"}
    extra = sorted(set(access) - known_access)
    if extra:
        raise AccessConfigError(f"{where}: unknown setting {extra[0]!r} in [access]; known: {', '.join(sorted(known_access))}")
    hours = access.get("session_hours", DEFAULT_SESSION_HOURS)
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= MAX_SESSION_HOURS:
        raise AccessConfigError(f"{where}: session_hours must be a number of hours above 0 and at most "
                                f"{MAX_SESSION_HOURS:g}, not {hours!r}")
    check = access.get("session_check_seconds", DEFAULT_SESSION_CHECK_SECONDS)
    if isinstance(check, bool) or not isinstance(check, int) or check < MIN_SESSION_CHECK_SECONDS:
        raise AccessConfigError(f"{where}: session_check_seconds must be a whole number of seconds, at least "
                                f"{MIN_SESSION_CHECK_SECONDS}, not {check!r}")
    trusted = access.get("providers_without_email_verified", [])
    if not isinstance(trusted, list) or not all(isinstance(p, str) and p.strip() for p in trusted):
        raise AccessConfigError(f"{where}: providers_without_email_verified must be a list of provider names "
                                f"(the [auth.<name>] sections), not {trusted!r}")
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
    return AccessConfig(users=users, allow_open=allow_open, open_role=str(open_role), session_hours=float(hours),
                        session_check_seconds=check,
                        providers_without_email_verified=frozenset(p.strip() for p in trusted), source=source)


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


def email_is_verified(claim: object, provider: str | None, config: AccessConfig) -> bool:
    """The identity provider vouches for the e-mail: its ``email_verified`` claim is true (the
    boolean, or the string "true" some providers send). A missing claim counts only for a provider
    listed in ``providers_without_email_verified``; ``false`` never does."""
    if claim is True or (isinstance(claim, str) and claim.strip().lower() == "true"):
        return True
    return claim is None and provider is not None and provider in config.providers_without_email_verified


@dataclass(frozen=True)
class Login:
    """One login at the identity provider, as Streamlit's identity cookie carries it.

    session_id  a hash of the ID token's issuer, subject, issued-at time and nonce: the same for
                every tab and every copy of that cookie, new at every login (the nonce and the
                time are fresh each time). The store keeps it (``login_sessions``) so a logout
                ends the login everywhere (analytics/security/sessions.py).
    issued_at   when the provider issued the ID token (UTC): the login's age counts from here
    """

    session_id: str
    issued_at: datetime


def login_of(claims: Mapping[str, object]) -> Login | None:
    """The login behind ``st.user``'s claims; None without a usable ``iat`` (every OpenID Connect
    ID token has one, and Authlib checks it; only a hand-made identity lacks it)."""
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        return None
    try:
        issued = datetime.fromtimestamp(float(iat), tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None
    key = json.dumps([str(claims.get(k) or "") for k in ("iss", "sub", "email", "iat", "nonce")])
    return Login(session_id=hashlib.sha256(key.encode("utf-8")).hexdigest()[:32], issued_at=issued)


# The state of a login's session, from the store and the clock (ui/access.py reads both).
SESSION_LIVE, SESSION_ENDED, SESSION_EXPIRED, SESSION_INVALID = "live", "ended", "expired", "invalid"


def session_state(login: Login | None, *, ended: bool, now: datetime, hours: float) -> str:
    """``SESSION_ENDED`` after a logout of this login (in any tab), ``SESSION_EXPIRED`` once
    ``hours`` have passed since the provider's login, ``SESSION_INVALID`` without a login time,
    else ``SESSION_LIVE``. A login time in the future (clock skew) counts from now."""
    if login is None:
        return SESSION_INVALID
    if ended:
        return SESSION_ENDED
    if now - login.issued_at > timedelta(hours=hours):
        return SESSION_EXPIRED
    return SESSION_LIVE


# What the frame does for a session (ui/access.py draws each case).
ALLOW, LOGIN, NO_ACCESS, SETUP, CONFIG_ERROR = "allow", "login", "no_access", "setup", "config_error"


@dataclass(frozen=True)
class Decision:
    kind: str  # ALLOW, LOGIN, NO_ACCESS, SETUP or CONFIG_ERROR
    viewer: Viewer | None = None
    email: str | None = None  # the rejected address (NO_ACCESS)
    problem: str | None = None  # CONFIG_ERROR: the users file's problem
    session: str | None = None  # LOGIN for a logged-in cookie: why it no longer counts (SESSION_*)


def decide(
    *,
    login_configured: bool,
    logged_in: bool,
    email: str | None,
    email_verified: object,
    name: str | None,
    store_kind: str,
    config: AccessConfig | AccessConfigError,
    session: str,
    provider: str | None = None,
) -> Decision:
    """Who this session is, or why it gets no data.

    ``store_kind`` is "demo" (the synthetic regency), "empty" or "real" (``ui.access.store_kind``:
    any complaint or quarantined row makes a store real). ``session`` is ``session_state(...)`` of
    the logged-in cookie. Rules:
    - a users file that cannot be read lets nobody in (fail closed), whatever the store;
    - login configured: nobody logged in gets LOGIN; so does a login that was ended by a logout
      (in any tab, or on a copy of its cookie), that is older than ``session_hours``, or that has
      no login time (``Decision.session`` says which); a logged-in e-mail gets its role if it is
      listed in the users file and the identity provider says it is verified
      (``email_is_verified``), otherwise NO_ACCESS;
    - no login: demo and empty stores run open (as analis, so the demo shows everything and an
      empty store can be filled); a real store runs open only with ``allow_open = true`` (as
      ``open_role``), otherwise SETUP explains how to configure login.
    """
    if isinstance(config, AccessConfigError):
        return Decision(CONFIG_ERROR, problem=str(config))
    if login_configured:
        if not logged_in:
            return Decision(LOGIN)
        if session != SESSION_LIVE:
            return Decision(LOGIN, session=session)
        addr = normal_email(email)
        user = config.users.get(addr)
        if user is None or not email_is_verified(email_verified, provider, config):
            return Decision(NO_ACCESS, email=addr or None)
        return Decision(ALLOW, Viewer(role=user.role, unit=user.unit, email=addr, name=name or user.name))
    if store_kind in ("demo", "empty"):
        return Decision(ALLOW, Viewer(role="analis", open=True))
    if config.allow_open:
        return Decision(ALLOW, Viewer(role=config.open_role, open=True))
    return Decision(SETUP)
