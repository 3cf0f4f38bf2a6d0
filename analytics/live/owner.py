"""The serving process owns the store; other Pantau processes hand it their commands.

DuckDB lets one process open a file for writing, and while it does no other process may open
the file at all, not even to read. A dashboard that serves leaders all day is that process. So:

- The server opens the store when it starts (app.py) and keeps it; each page run reads through
  its own cursor inside a READ ONLY transaction (ui/db.py), which is a snapshot: an import that
  commits meanwhile appears on the page's next run, never half-way through one.
- With the CLI's command function (``serve(db, run=...)``), it listens on a loopback port and writes the port and a random token to ``<store>.pantau-server``
  (mode 0600, beside the store). ``python -m analytics import`` (or any command that needs the
  store) that finds the file held reads that file and sends its parsed arguments there; the server
  runs the very same command function in its own process on a cursor of its connection
  (``store.lent``), one write at a time (``write_lock``), and sends back the exit status and the
  output. For the person at the terminal, cron or the inbox watcher, the command simply works.

Why not the other designs (docs/operations.md, "Impor saat dasbor berjalan"): publishing a copy of
the store after every import doubles the disk and copies hundreds of MB per import, and the
dashboard writes too (logins, the audit log, commitments); short-lived read connections would
reopen the file (and lose DuckDB's cache) on every page and still starve a writer while leaders
read. Only the token file's reader can use the port, and whoever can read that file can read the
store beside it anyway; the port is bound to 127.0.0.1 and is not the one the proxy forwards.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import hmac
import io
import json
import logging
import os
import secrets
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from analytics import store

log = logging.getLogger("pantau.owner")

OWNER_SUFFIX = ".pantau-server"
MAX_REQUEST_BYTES = 1 << 20  # parsed arguments only; files are read from their path
# Commands that change the store run one at a time, with the dashboard's own uploads.
WRITE_COMMANDS = frozenset({"import", "demo", "commit", "ledger"})
# Commands that need no store (regions), make a new one (restore) or run for days (watch) are
# never handed over.
NOT_HANDED = frozenset({"regions", "restore", "watch"})

# One write at a time in this process: the Data page's upload, a handed-over import, the demo.
write_lock = threading.Lock()


def owner_file(db: str | Path) -> Path:
    """Where the serving process of ``db`` writes its address: ``<store>.pantau-server``."""
    resolved = Path(db).resolve()
    return resolved.with_name(resolved.name + OWNER_SUFFIX)


@dataclass
class Owner:
    """A store this process holds, and the loopback listener other processes hand commands to."""

    path: Path
    connection: duckdb.DuckDBPyConnection
    token: str = field(repr=False)
    port: int = 0
    server: socketserver.ThreadingTCPServer | None = field(default=None, repr=False)
    # The command function (analytics.cli.main.dispatch, given by whoever starts the server: the
    # live package sits below the CLI). Unknown commands are its to refuse.
    run: Callable[[argparse.Namespace], int] | None = field(default=None, repr=False)
    started_at: float = field(default_factory=time.time)
    handled: int = 0


_owners: dict[Path, Owner] = {}
_owners_lock = threading.Lock()


def serve(db: str | Path, *, run: Callable[[argparse.Namespace], int] | None = None) -> Owner:
    """Open ``db`` for this process (once: later calls return the same owner) and, given ``run``
    (the CLI's command function), take commands from other processes. Raises
    ``store.StoreLocked`` when another process holds the file (nothing is started then)."""
    path = Path(db).resolve()
    with _owners_lock:
        owner = _owners.get(path)
        if owner is not None:
            if run is not None and owner.run is None:
                owner.run = run
                _listen(owner)
            return owner
        con = store.connect(path)
        owner = Owner(path=path, connection=con, token=secrets.token_urlsafe(32), run=run)
        if run is not None:
            _listen(owner)
        _owners[path] = owner
        if len(_owners) == 1:
            atexit.register(release_all)
        log.info("serving store %s (commands on 127.0.0.1:%s)", path.name, owner.port or "-")
        return owner


def serve_when_free(db: str | Path, run: Callable[[argparse.Namespace], int], *, every_s: float = 2.0,
                    stop: threading.Event | None = None) -> threading.Thread:
    """``serve(db)`` on a background thread, retrying while another process (a CLI import started
    before the dashboard) holds the file. For the server's start-up: it must not wait for the import."""
    def attempt() -> None:
        while stop is None or not stop.is_set():
            try:
                serve(db, run=run)
                return
            except store.StoreLocked:
                time.sleep(every_s)
            except Exception:  # a damaged file: the pages say so on their own
                log.exception("could not open the store at start-up")
                return

    thread = threading.Thread(target=attempt, name="pantau-open-store", daemon=True)
    thread.start()
    return thread


def held(db: str | Path) -> Owner | None:
    """The owner of ``db`` in this process, if it holds it."""
    return _owners.get(Path(db).resolve())


def release(db: str | Path) -> None:
    """Stop taking commands for ``db``, remove its address file (if it is still ours) and close it."""
    with _owners_lock:
        owner = _owners.pop(Path(db).resolve(), None)
    if owner is None:
        return
    if owner.server is not None:
        owner.server.shutdown()
        owner.server.server_close()
        _remove_address(owner)
    with contextlib.suppress(duckdb.Error):
        owner.connection.close()


def release_connection(con: duckdb.DuckDBPyConnection) -> None:
    """``release`` for the owner whose connection is ``con`` (the dashboard's cache hands back the
    connection, not the path)."""
    for path, owner in list(_owners.items()):
        if owner.connection is con:
            release(path)
            return
    with contextlib.suppress(duckdb.Error):
        con.close()


def release_all() -> None:
    for path in list(_owners):
        release(path)


# --- the listener -----------------------------------------------------------------------------


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: Owner


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        owner: Owner = self.server.owner  # type: ignore[attr-defined]
        line = self.rfile.readline(MAX_REQUEST_BYTES + 1)
        try:
            if len(line) > MAX_REQUEST_BYTES:
                raise ValueError("request too large")
            request = json.loads(line)
            if not isinstance(request, dict) or not isinstance(request.get("args"), dict):
                raise ValueError("not a Pantau command")
        except ValueError as exc:
            self._reply({"exit": 2, "stdout": "", "stderr": f"error: {exc}\n"})
            return
        if not hmac.compare_digest(str(request.get("token", "")), owner.token):
            log.warning("refused a command with a wrong token")
            self._reply({"exit": 3, "stdout": "", "stderr": "error: wrong token (is the server file stale?)\n"})
            return
        self._reply(run_here(owner, request["args"], who=request.get("who")))

    def _reply(self, reply: dict) -> None:
        self.wfile.write(json.dumps(reply, ensure_ascii=False).encode("utf-8") + b"\n")


def _listen(owner: Owner) -> None:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.owner = owner
    owner.server = server
    owner.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, name="pantau-owner", daemon=True).start()
    _write_address(owner)


def _write_address(owner: Owner) -> None:
    target = owner_file(owner.path)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"pid": os.getpid(), "port": owner.port, "token": owner.token,
                   "started_at": owner.started_at}, f)
    os.replace(tmp, target)


def _remove_address(owner: Owner) -> None:
    target = owner_file(owner.path)
    with contextlib.suppress(OSError, ValueError):
        if json.loads(target.read_text(encoding="utf-8")).get("token") == owner.token:
            target.unlink()


# --- running a command for another process ------------------------------------------------------


def run_here(owner: Owner, args: dict, *, who: str | None = None) -> dict:
    """Run a CLI command (its parsed arguments, paths already absolute) in this process, on a
    cursor of the owner's connection; returns ``{"exit", "stdout", "stderr"}``."""
    command = args.get("command")
    if owner.run is None or not isinstance(command, str) or command in NOT_HANDED:
        return {"exit": 2, "stdout": "", "stderr": f"error: command {command!r} is not run by the server\n"}
    # The caller's actor name (cli:<user>) goes into the audit log, not the server's own user.
    namespace = argparse.Namespace(**{**args, "acting_as": who[:200] if isinstance(who, str) and who else None})
    out, err = io.StringIO(), io.StringIO()
    lock = write_lock if command in WRITE_COMMANDS else contextlib.nullcontext()
    started = time.perf_counter()
    with _captured(out, err), store.lent(owner.path, owner.connection), lock:
        try:
            code = owner.run(namespace)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        except Exception:
            log.exception("command %s for another process failed", command)
            err.write("error: the server could not run this command; see its log\n")
            code = 1
    owner.handled += 1
    log.info("ran %s for another process: exit %s in %.1f s", command, code, time.perf_counter() - started)
    return {"exit": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


_capture = threading.local()


class _Routed(io.TextIOBase):
    """sys.stdout / sys.stderr that write to this thread's buffer while it runs a command for
    another process, and to the real stream otherwise (other threads keep printing as before)."""

    def __init__(self, base, name: str) -> None:
        self._base, self._name = base, name

    def write(self, s: str) -> int:
        buf = getattr(_capture, self._name, None)
        return (buf or self._base).write(s)

    def flush(self) -> None:
        if getattr(_capture, self._name, None) is None:
            self._base.flush()

    def __getattr__(self, name: str):  # fileno, isatty, encoding, buffer: the real stream's
        return getattr(self._base, name)


_routing_lock = threading.Lock()


def _route_streams() -> None:
    with _routing_lock:
        if not isinstance(sys.stdout, _Routed):
            sys.stdout = _Routed(sys.stdout, "out")
        if not isinstance(sys.stderr, _Routed):
            sys.stderr = _Routed(sys.stderr, "err")


@contextlib.contextmanager
def _captured(out: io.StringIO, err: io.StringIO) -> Iterator[None]:
    _route_streams()
    _capture.out, _capture.err = out, err
    try:
        yield
    finally:
        _capture.out = _capture.err = None
