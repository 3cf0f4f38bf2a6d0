"""Pantau's HTTP guard: the few rules that must hold at the HTTP level, where a page script sees nothing.

``app.py`` puts it in front of Streamlit (``st.App("dashboard.py", middleware=[Middleware(Guard)])``;
``streamlit run app.py`` starts both). It is plain ASGI, inside the Streamlit process, so it works
the same behind a reverse proxy. docs/security.md lists the rules with their tests.

1. **Downloads go only to the browser that pressed the button.** Streamlit serves a download
   button's file at ``/media/<hash>.<ext>`` to anyone who has the address, with no cookie, for as
   long as the session lives. Here a response that Streamlit marks as an attachment is let through
   only when a *ticket* matches: ``ui.downloads`` issues one per press, after the press's audit row
   is written, for exactly those bytes and this browser's ``BROWSER_COOKIE``, valid
   ``TICKET_SECONDS``. A copied link, curl, another browser, or the same link a minute later get
   403 and nothing of the file. (The browser fetches a file twice per press, hence a time window
   rather than one use.)
2. **The identity provider's refusal is shown.** On ``/oauth2callback?error=...`` Streamlit logs
   the error and sends the person back to the start page without a word; the guard sends them to
   ``/?login_error=...&login_error_description=...`` instead, and the login page shows both as
   plain text (``ui.access.login_page``).
3. **A browser id.** ``BROWSER_COOKIE`` (random, HttpOnly, SameSite=Lax) is set on the first page
   a browser loads; pages read it through ``st.context.cookies`` to bind their tickets.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections.abc import Mapping
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, urlencode

log = logging.getLogger("pantau.guard")

BROWSER_COOKIE = "pantau_browser"
TICKET_SECONDS = 60.0
LOGIN_ERROR = "login_error"  # query parameters of the login page
LOGIN_ERROR_DESCRIPTION = "login_error_description"
_MAX_ERROR_CHARS = 300

_lock = threading.Lock()
_tickets: dict[str, list[tuple[str, float]]] = {}  # sha256 of the file -> [(browser id, deadline)]
_active = False


def active() -> bool:
    """True once the guard runs in front of this process's Streamlit server."""
    return _active


def browser_id(cookies: Mapping[str, str] | None) -> str | None:
    """This browser's id from its cookies (``st.context.cookies``), or None."""
    value = (cookies or {}).get(BROWSER_COOKIE)
    return value if value and len(value) >= 16 else None


def issue(data: bytes, browser: str | None, *, now: float | None = None) -> None:
    """Let ``browser`` fetch these bytes as a download for ``TICKET_SECONDS`` from now."""
    if not browser:
        return
    now = time.monotonic() if now is None else now
    digest = hashlib.sha256(data).hexdigest()
    with _lock:
        for key in [k for k, held in _tickets.items() if all(deadline < now for _b, deadline in held)]:
            del _tickets[key]
        _tickets.setdefault(digest, []).append((browser, now + TICKET_SECONDS))


def admits(data: bytes, browser: str | None, *, now: float | None = None) -> bool:
    """A live ticket for these bytes and this browser."""
    if not browser:
        return False
    now = time.monotonic() if now is None else now
    with _lock:
        held = _tickets.get(hashlib.sha256(data).hexdigest(), [])
        return any(secrets.compare_digest(b, browser) and deadline >= now for b, deadline in held)


def _cookies(scope: dict) -> dict[str, str]:
    jar = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header: no cookies, so no ticket matches
                return {}
    return {k: m.value for k, m in jar.items()}


def _base_path() -> str:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}" if base else ""


class Guard:
    """ASGI middleware; see the module docstring for what it does."""

    def __init__(self, app) -> None:
        global _active
        self.app = app
        _active = True

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        base = _base_path()
        path = scope["path"]
        rel = path[len(base):] if base and path.startswith(base + "/") else path
        if rel == "/oauth2callback":
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if query.get("error"):
                await self._login_error(query, base, send)
                return
        if rel.startswith("/media/"):
            await self._media(scope, receive, send)
            return
        await self._with_browser_cookie(scope, receive, send, base)

    async def _login_error(self, query: dict, base: str, send) -> None:
        error = query["error"][0][:_MAX_ERROR_CHARS]
        description = (query.get("error_description") or [""])[0][:_MAX_ERROR_CHARS]
        log.warning("identity provider refused the login: %r %r", error, description)
        params = {LOGIN_ERROR: error}
        if description:
            params[LOGIN_ERROR_DESCRIPTION] = description
        location = f"{base}/?{urlencode(params)}"
        await send({"type": "http.response.start", "status": 302,
                    "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0"),
                                (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": b""})

    async def _media(self, scope, receive, send) -> None:
        # The whole file, uncompressed, so its bytes can be compared with the ticket's.
        headers = [(k, v) for k, v in scope.get("headers", []) if k not in (b"range", b"accept-encoding")]
        scope = {**scope, "headers": headers}
        browser = browser_id(_cookies(scope))
        start: dict | None = None
        body: list[bytes] = []

        async def guarded_send(message: dict) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                disposition = dict(message.get("headers", [])).get(b"content-disposition", b"")
                if not disposition.lower().startswith(b"attachment"):
                    await send(message)  # images and other media: not a download
                    return
                start = message
                return
            if start is None:
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            data = b"".join(body)
            if start["status"] == 200 and admits(data, browser):
                await send(start)
                await send({"type": "http.response.body", "body": data})
                return
            log.warning("download %s refused: no ticket for this browser", scope["path"])
            refused = b"Unduhan ini hanya untuk browser yang menekan tombolnya, sesaat setelah ditekan.\n"
            await send({"type": "http.response.start", "status": 403,
                        "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                    (b"content-length", str(len(refused)).encode()),
                                    (b"cache-control", b"no-store")]})
            await send({"type": "http.response.body", "body": refused})

        await self.app(scope, receive, guarded_send)

    async def _with_browser_cookie(self, scope, receive, send, base: str) -> None:
        if scope["method"] != "GET" or browser_id(_cookies(scope)):
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: dict) -> None:
            if message["type"] == "http.response.start":
                kind = dict(message.get("headers", [])).get(b"content-type", b"")
                if kind.startswith(b"text/html"):
                    cookie = (f"{BROWSER_COOKIE}={secrets.token_urlsafe(24)}; Path={base or '/'}; HttpOnly; "
                              "SameSite=Lax")
                    message = {**message, "headers": [*message.get("headers", []),
                                                      (b"set-cookie", cookie.encode("latin-1"))]}
            await send(message)

        await self.app(scope, receive, send_with_cookie)
