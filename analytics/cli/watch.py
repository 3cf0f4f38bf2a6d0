"""``python -m analytics watch DIR``: the inbox that imports itself (analytics/live/inbox.py).

It never holds the store: each file is imported by ``python -m analytics import`` in a child
process, which goes through the serving dashboard when there is one. ``--once`` handles what is
ready and exits (for cron); without it the watcher runs until SIGTERM or Ctrl-C, finishing the file
it is on. docs/operations.md.
"""

from __future__ import annotations

import argparse
import fcntl
import logging
import signal
import sys
import threading
import time
from pathlib import Path

from analytics import config
from analytics.live.inbox import SETTLE_S, Inbox

LOCK_NAME = ".pantau-watch.lock"


def add_commands(sub, add_db) -> None:
    w = sub.add_parser("watch", help="import every export that lands in a folder (an inbox), and keep watching")
    w.add_argument("folder", metavar="DIR", help="the inbox; imported files go to DIR/diimpor, refused to DIR/ditolak")
    add_db(w)
    w.add_argument("--mapping", help="mapping file (TOML) for every file of this inbox (one inbox per source)")
    w.add_argument("--region", help="the kab/kota of files that do not name it (slug, code or name)")
    w.add_argument("--format", choices=["sp4n-ringkas", "pantau", "mapping"], help="skip auto-detection")
    w.add_argument("--source", help="source name for Pantau-template files (default: pantau)")
    w.add_argument("--settle", type=float, default=SETTLE_S, metavar="SECONDS",
                   help=f"a file is complete when unchanged this long (default {SETTLE_S:g})")
    w.add_argument("--once", action="store_true", help="handle what is complete now, then exit (for cron)")


def run(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"error: folder kotak masuk {folder} tidak ada / inbox folder does not exist", file=sys.stderr)
        return 2
    if args.mapping and not Path(args.mapping).is_file():
        print(f"error: file pemetaan {args.mapping} tidak ada / mapping file does not exist", file=sys.stderr)
        return 2
    if not 0 <= args.settle <= 3600:
        print("error: --settle must be 0..3600 seconds", file=sys.stderr)
        return 2
    # One watcher per inbox: a cron --once still busy when the next starts, or a second service,
    # would take the same file twice.
    lock = (folder / LOCK_NAME).open("a")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"kotak masuk {folder.name} sudah diawasi proses lain / another watcher has this inbox",
              file=sys.stderr)
        return 0 if args.once else 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s", stream=sys.stderr)
    inbox = Inbox(folder, config.db_path(args.db), mapping=Path(args.mapping).resolve() if args.mapping else None,
                  region=args.region, source=args.source, fmt=args.format, settle_s=args.settle)
    if args.once:
        inbox.ready()  # first sight of every file; complete ones are those unchanged after the settle time
        time.sleep(args.settle)
        handled = inbox.step()
        for h in handled:
            print(f"{h.name}: {h.outcome}" + (f" -> {h.moved_to.parent.name}/{h.moved_to.name}" if h.moved_to else ""))
        return 0
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    inbox.run(stop)
    return 0
