"""Pantau's HTTP guard (ui/guard.py) as plain ASGI, in front of a stand-in for Streamlit's routes:
download tickets, the identity provider's refusal, the browser cookie. The real server with a
real provider is tests/browser/test_login.py."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import pytest

from ui import guard

CSV = b"\xef\xbb\xbfunit,lewat batas\nDinkes,2\n"
BROWSER = "b" * 32


class Streamlit:
    """What Streamlit answers: /media/x.csv an attachment, /media/p.png an image, else a page."""

    def __init__(self) -> None:
        self.seen: list[dict] = []

    async def __call__(self, scope, receive, send) -> None:
        self.seen.append(scope)
        path = scope["path"]
        if path.endswith(".csv"):
            headers, body = [(b"content-disposition", b'attachment; filename="x.csv"'),
                             (b"content-type", b"text/csv")], CSV
        elif path.endswith(".png"):
            headers, body = [(b"content-type", b"image/png")], b"PNG"
        else:
            headers, body = [(b"content-type", b"text/html; charset=utf-8")], b"<html></html>"
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body[:5], "more_body": True})
        await send({"type": "http.response.body", "body": body[5:]})


def get(app, path: str, query: str = "", cookie: str | None = None, headers: list | None = None) -> dict:
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query.encode(),
             "headers": ([(b"cookie", cookie.encode())] if cookie else []) + (headers or [])}
    out: dict = {"body": b""}

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        if message["type"] == "http.response.start":
            out["status"], out["headers"] = message["status"], message["headers"]
        else:
            out["body"] += message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return out


@pytest.fixture
def app():
    guard._tickets.clear()
    inner = Streamlit()
    wrapped = guard.Guard(inner)
    wrapped.inner = inner
    yield wrapped
    guard._tickets.clear()


def test_a_download_needs_a_ticket_for_its_bytes_and_this_browser(app):
    cookie = f"{guard.BROWSER_COOKIE}={BROWSER}"
    assert get(app, "/media/abc.csv")["status"] == 403  # curl with the link: no cookie
    refused = get(app, "/media/abc.csv", cookie=cookie)
    assert refused["status"] == 403 and CSV not in refused["body"]  # no press, no file
    guard.issue(CSV, BROWSER)
    got = get(app, "/media/abc.csv", cookie=cookie)
    assert got["status"] == 200 and got["body"] == CSV
    assert get(app, "/media/abc.csv", cookie=cookie)["status"] == 200  # the browser's second fetch
    assert get(app, "/media/abc.csv", cookie=f"{guard.BROWSER_COOKIE}={'c' * 32}")["status"] == 403
    guard.issue(b"other bytes", "d" * 32)
    assert get(app, "/media/abc.csv", cookie=f"{guard.BROWSER_COOKIE}={'d' * 32}")["status"] == 403


def test_a_ticket_runs_out(app):
    guard.issue(CSV, BROWSER, now=0.0)
    assert guard.admits(CSV, BROWSER, now=guard.TICKET_SECONDS - 1)
    assert not guard.admits(CSV, BROWSER, now=guard.TICKET_SECONDS + 1)
    assert get(app, "/media/abc.csv", cookie=f"{guard.BROWSER_COOKIE}={BROWSER}")["status"] == 403


def test_media_that_is_not_a_download_passes_and_files_are_fetched_whole(app):
    assert get(app, "/media/p.png")["body"] == b"PNG"
    get(app, "/media/abc.csv", headers=[(b"range", b"bytes=0-3"), (b"accept-encoding", b"gzip")])
    sent = dict(app.inner.seen[-1]["headers"])
    assert b"range" not in sent and b"accept-encoding" not in sent  # compared byte for byte with the ticket


def test_the_providers_refusal_goes_to_the_login_page(app):
    got = get(app, "/oauth2callback", "error=invalid_request&error_description=unsupported+prompt+value+requested")
    assert got["status"] == 302 and not app.inner.seen  # Streamlit would have dropped it
    location = dict(got["headers"])[b"location"].decode()
    query = parse_qs(urlsplit(location).query)
    assert urlsplit(location).path == "/"
    assert query == {"login_error": ["invalid_request"], "login_error_description": ["unsupported prompt value requested"]}
    long = get(app, "/oauth2callback", "error=x&error_description=" + "y" * 5000)
    assert len(parse_qs(urlsplit(dict(long["headers"])[b"location"].decode()).query)["login_error_description"][0]) == 300
    get(app, "/oauth2callback", "code=abc&state=s")  # a successful sign-in is Streamlit's
    assert app.inner.seen[-1]["path"] == "/oauth2callback"


def test_pages_give_the_browser_its_id_once(app):
    first = get(app, "/ringkasan")
    cookies = [v.decode() for k, v in first["headers"] if k == b"set-cookie"]
    assert len(cookies) == 1 and cookies[0].startswith(guard.BROWSER_COOKIE + "=")
    assert "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]
    again = get(app, "/ringkasan", cookie=cookies[0].split(";")[0])
    assert not [k for k, _v in again["headers"] if k == b"set-cookie"]
    assert guard.browser_id({guard.BROWSER_COOKIE: cookies[0].split(";")[0].split("=", 1)[1]})
    assert guard.browser_id({guard.BROWSER_COOKIE: "short"}) is None and guard.browser_id(None) is None
    assert guard.active()
