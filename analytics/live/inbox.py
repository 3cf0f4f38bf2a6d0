"""The inbox: a folder whose new exports import themselves (``python -m analytics watch DIR``).

A file is taken once it is complete: its size and modification time have not changed for
``settle_s`` seconds (a copy over the network or a bot still writing changes both). Names that
say "not finished" (``.part``, ``.tmp``, ``.crdownload``, ``~$``, a leading dot) are never taken: a
sender that writes under such a name and renames at the end is never seen half-written.

Each file is imported by ``python -m analytics import FILE --json`` in a child process: the same
command a person runs, so it goes through the serving dashboard when there is one
(analytics/live/owner.py), and a file that crashes a reader cannot take the watcher down. Files
ready together are imported in the order of their snapshot time (the export's "Tanggal Generate",
else the file's modification time), so stage times estimated from consecutive snapshots get the
right bounds; a file that arrives later with an older snapshot is still right: ingest lets an
older snapshot fill gaps only (analytics/importers/ingest.py).

Afterwards the file moves to ``DIR/diimpor/`` (imported, also "nothing new") or ``DIR/ditolak/``
(refused), under a name that starts with the moment it was handled, with its report beside it
(``.laporan.json`` and a one-line ``.laporan.txt``). A file the store could not take (held too
long, the server stopping) stays and is tried again; after ``MAX_ATTEMPTS`` unexpected failures
it goes to ``ditolak`` with the error. Nothing a file does stops the watcher.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("pantau.inbox")

IMPORTED_DIR, REFUSED_DIR = "diimpor", "ditolak"
SUFFIXES = frozenset({".csv", ".xlsx", ".txt"})
UNFINISHED = (".part", ".tmp", ".crdownload", ".partial", ".swp")
SETTLE_S = 2.0
POLL_S = 1.0
MAX_ATTEMPTS = 3
EXIT_REFUSED, EXIT_LOCKED = 2, 3
IMPORT_WAIT_S = 600  # a big import through the server, or another command holding the store


@dataclass(frozen=True)
class Handled:
    """One file the inbox dealt with."""

    name: str
    outcome: str  # "diimpor" | "ditolak" | "dicoba lagi"
    moved_to: Path | None
    report: dict
    seconds: float


@dataclass
class _Seen:
    signature: tuple[int, int]
    since: float
    attempts: int = 0


def is_candidate(path: Path) -> bool:
    name = path.name
    return (path.is_file() and not name.startswith((".", "~$")) and path.suffix.lower() in SUFFIXES
            and not name.lower().endswith(UNFINISHED))


def snapshot_key(path: Path) -> float:
    """When the export was taken (seconds since the epoch): the file's own "Tanggal Generate" when
    it has one, else its modification time. Reading the file costs a parse; it is only asked
    when several files are ready at once."""
    try:
        from analytics.importers.detect import read_export

        snap = read_export(path).snapshot_at
        if snap is not None:
            return snap.timestamp()
    except Exception:  # a file the importer will refuse: its refusal comes in order of arrival
        pass
    return path.stat().st_mtime


def import_command(path: Path, db: Path, *, mapping: Path | None = None, region: str | None = None,
                   source: str | None = None, fmt: str | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "analytics", "import", str(path), "--db", str(db), "--json", "--via", "inbox",
           "--wait", str(IMPORT_WAIT_S)]
    for option, value in (("--mapping", mapping), ("--region", region), ("--source", source), ("--format", fmt)):
        if value:
            cmd += [option, str(value)]
    return cmd


def run_import(cmd: list[str]) -> tuple[int, str, str]:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


@dataclass
class Inbox:
    folder: Path
    db: Path
    mapping: Path | None = None
    region: str | None = None
    source: str | None = None
    fmt: str | None = None
    settle_s: float = SETTLE_S
    clock: Callable[[], float] = time.monotonic
    runner: Callable[[list[str]], tuple[int, str, str]] = run_import
    _seen: dict[str, _Seen] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.folder = Path(self.folder).resolve()
        self.db = Path(self.db).resolve()
        for sub in (IMPORTED_DIR, REFUSED_DIR):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)

    def ready(self) -> list[Path]:
        """Files complete by the settle rule, updating what was seen."""
        now = self.clock()
        present: dict[str, Path] = {}
        for path in self.folder.iterdir():
            if not is_candidate(path):
                continue
            try:
                st = path.stat()
            except OSError:  # moved away meanwhile
                continue
            present[path.name] = path
            signature = (st.st_size, st.st_mtime_ns)
            seen = self._seen.get(path.name)
            if seen is None or seen.signature != signature:
                self._seen[path.name] = _Seen(signature, now, seen.attempts if seen else 0)
        for gone in set(self._seen) - set(present):
            del self._seen[gone]
        return [present[n] for n, s in self._seen.items()
                if now - s.since >= self.settle_s and s.signature[0] > 0]

    def step(self) -> list[Handled]:
        """Import what is ready now, oldest snapshot first."""
        ready = self.ready()
        if len(ready) > 1:
            ready.sort(key=lambda p: (snapshot_key(p), p.name))
        return [self._handle(path) for path in ready]

    def _handle(self, path: Path) -> Handled:
        started = time.perf_counter()
        code, out, err = self.runner(import_command(path, self.db, mapping=self.mapping, region=self.region,
                                                   source=self.source, fmt=self.fmt))
        seconds = time.perf_counter() - started
        seen = self._seen.get(path.name)
        if code == 0:
            report = _first_report(out) | {"hasil": "diimpor"}
            return self._move(path, IMPORTED_DIR, report, seconds)
        if code == EXIT_REFUSED:
            report = {"hasil": "ditolak", "alasan": _refusal(err)}
            return self._move(path, REFUSED_DIR, report, seconds)
        attempts = (seen.attempts if seen else 0) + 1
        if seen is not None:
            seen.attempts = attempts
            seen.since = self.clock()  # wait a settle period before the next try
        problem = (err.strip().splitlines() or [f"exit {code}"])[-1][:500]
        log.warning("inbox: %s not imported (exit %s, attempt %s): %s", path.name, code, attempts, problem)
        if code != EXIT_LOCKED and attempts >= MAX_ATTEMPTS:
            return self._move(path, REFUSED_DIR, {"hasil": "ditolak", "alasan": problem, "percobaan": attempts},
                              seconds)
        return Handled(path.name, "dicoba lagi", None, {"alasan": problem, "percobaan": attempts}, seconds)

    def _move(self, path: Path, sub: str, report: dict, seconds: float) -> Handled:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        target = self.folder / sub / f"{stamp}-{path.name}"
        n = 1
        while target.exists():
            target = self.folder / sub / f"{stamp}-{n}-{path.name}"
            n += 1
        os.replace(path, target)
        report = {"file": path.name, **report, "detik": round(seconds, 1)}
        target.with_name(target.name + ".laporan.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
        target.with_name(target.name + ".laporan.txt").write_text(_line(report) + "\n", encoding="utf-8")
        self._seen.pop(path.name, None)
        log.info("inbox: %s", _line(report))
        return Handled(path.name, sub, target, report, seconds)

    def run(self, stop: threading.Event, poll_s: float = POLL_S) -> None:
        """Watch until ``stop`` is set; each file is finished before stopping."""
        log.info("inbox: watching %s for %s", self.folder, self.db.name)
        while not stop.is_set():
            try:
                self.step()
            except Exception:  # the folder vanished for a moment, a full disk: log, keep watching
                log.exception("inbox: a round failed; trying again")
            stop.wait(poll_s)


def _first_report(stdout: str) -> dict:
    try:
        reports = json.loads(stdout)
        return reports[0] if reports else {}
    except (ValueError, IndexError, TypeError):
        return {"keluaran": stdout[-2000:]}


def _refusal(stderr: str) -> str:
    lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
    refused = [ln for ln in lines if ln.startswith("DITOLAK")]
    return (refused or lines or ["ditolak"])[-1][:1000]


def _line(report: dict) -> str:
    """One line in Indonesian for the .laporan.txt and the log."""
    if report.get("hasil") == "diimpor" and report.get("already_imported"):
        return (f"{report.get('file')}: sudah pernah diimpor (impor #{report.get('previous_batch_id')}); "
                "tidak ada yang berubah")
    if report.get("hasil") == "diimpor":
        return (f"{report.get('file')}: diimpor (impor #{report.get('batch_id')}): {report.get('rows_read', 0)} baris dibaca, "
                f"{report.get('rows_new', 0)} baru, {report.get('rows_updated', 0)} diperbarui, "
                f"{report.get('rows_quarantined', 0)} dikarantina")
    return f"{report.get('file')}: ditolak: {report.get('alasan', '')}"
