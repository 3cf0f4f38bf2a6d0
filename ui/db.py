"""The dashboard's DuckDB handle, cached queries, and imports through the app's connection.

One read-write connection per server process, held by ``analytics.live.owner`` (app.py opens it
at start-up; ``st.cache_resource`` hands it to the pages); each script run takes its own
``cursor()`` because DuckDB 2.0 refuses a connection that is busy in another thread (docs:
ecosystem notes §2.2, §5.1). DuckDB lets one process write the file, and while the dashboard
serves it is this one: ``python -m analytics import`` (cron, the inbox watcher) hands its command
to this process, which runs it on its own connection, one write at a time together with the Data
page's uploads (``import_upload`` here). docs/operations.md.

Cached reads are keyed on a *data version* (``analytics.store.status.data_version``) read once per
run, so every cached result goes stale after an import without a TTL race. Within one run the
same cached read is unpickled once (the run's memo), and ``end_run`` (dashboard.py, after every
page) closes the run's cursors: the server no longer forces a full garbage collection after each
run to release them (``runner.postScriptGC`` in .streamlit/config.toml; docs/performance.md, "Many
sessions at once").
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import duckdb
import streamlit as st

from analytics import config
from analytics.importers.ingest import Actor, ImportReport, import_file
from analytics.live import owner

if TYPE_CHECKING:
    from analytics.security.access import Viewer

log = logging.getLogger("pantau.ui")
R = TypeVar("R")

# Cached results per process: enough for every page x filter combination a few officials use
# in a day; an hour keeps memory bounded even when nobody imports.
CACHE_TTL = "1h"
CACHE_MAX_ENTRIES = 512


def db_path() -> Path:
    """The store this process serves: $PANTAU_DB, else data/pantau.duckdb."""
    return config.db_path()


def _close(con: duckdb.DuckDBPyConnection) -> None:
    try:
        con.close()
    except duckdb.Error:  # already closed: nothing to release
        pass


@st.cache_resource(show_spinner=False, on_release=owner.release_connection)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # Keyed on the path so a changed $PANTAU_DB (tests) opens the right file. A failure
    # (StoreLocked: a CLI import started before the dashboard still holds the file) is not
    # cached: the next run tries again. Clearing the cache releases the store (tests do).
    from analytics.cli.main import dispatch  # the commands other processes hand to this server

    return owner.serve(path, run=dispatch).connection


def connection() -> duckdb.DuckDBPyConnection:
    """The process-wide connection. Do not query it directly from a page: use ``cursor()``."""
    return _connection(str(db_path()))


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on the shared connection: take one per script run (``page_frame`` does).

    The cursor is inside a read transaction, so every query of the run sees one snapshot of the
    store: an import committing meanwhile shows up on the next run, never halfway through a page
    (the counts on one screen always add up). The transaction is READ ONLY, holds no locks and
    ends when the cursor is closed or dropped. A write through it fails loudly (it would
    otherwise vanish with the transaction): writes take their own cursor, see ``_writer``.
    """
    cur = connection().cursor()
    cur.execute("BEGIN TRANSACTION READ ONLY")
    _run_cursors().add(cur)
    return cur


# This thread's script run (Streamlit runs each session's script on its own thread): the cursors
# it took, weakly (a cursor dropped earlier goes as before), for end_run to close.
_run = threading.local()
# Per cursor, i.e. per run: cached_query results already handed out in this run, so a page that
# asks for the same read several times (Ringkasan's overview, about ten times per run) unpickles
# it once. Weak keys: the memo goes with the cursor.
_memo: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_memo_lock = threading.Lock()


def _run_cursors() -> weakref.WeakSet:
    cursors = getattr(_run, "cursors", None)
    if cursors is None:
        cursors = _run.cursors = weakref.WeakSet()
    return cursors


def end_run() -> None:
    """End this thread's script run: close the cursors it took with ``cursor()`` (ending their
    read transactions) and drop its memo. dashboard.py calls it after the page, however the page
    ended. Without it a run's cursor ends when the run's objects are garbage-collected: the page's
    module and its functions form a reference cycle, and the server does not force a collection
    after every run (a full collection of the server's heap took ~0,1 s of CPU per page under
    load; docs/performance.md)."""
    cursors = list(_run_cursors())
    _run_cursors().clear()
    for cur in cursors:
        with _memo_lock:
            _memo.pop(cur, None)
        _close(cur)


@contextmanager
def _writer(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """A separate cursor for one write (an import has its own transaction; the run's cursor is
    already in a read transaction), closed afterwards."""
    w = con.cursor()
    try:
        yield w
    finally:
        _close(w)


def write(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """``fn(cursor, *args, **kwargs)`` on a cursor of its own, for a small write from a page
    (a commitment, an audit entry): the run's cursor is a read-only snapshot and refuses writes.
    The write commits at once; the page sees it on its next run."""
    with _writer(connection()) as w:
        return fn(w, *args, **kwargs)


def _import_lock() -> threading.Lock:
    # One import at a time per process: two sessions uploading at once, or an upload and an import
    # handed over by the CLI, would otherwise race for the batch sequence inside their transactions.
    return owner.write_lock


@st.cache_data(ttl=CACHE_TTL, max_entries=CACHE_MAX_ENTRIES, show_spinner=False)
def _cached_call(
    _con: duckdb.DuckDBPyConnection,
    _fn: Callable[..., Any],
    db: str,
    data_version: str,
    fn_key: str,
    args: tuple,
    kwargs: dict,
) -> Any:
    # _con and _fn are not hashed; fn_key names the function so different functions never share
    # an entry, db + data_version make entries go stale when the store changes.
    return _fn(_con, *args, **kwargs)


def cached_query(
    con: duckdb.DuckDBPyConnection, data_version: str, fn: Callable[..., R], *args: Any, **kwargs: Any
) -> R:
    """``fn(con, *args, **kwargs)`` through ``st.cache_data``, keyed on the function, its
    arguments (hashed by Streamlit: use str/int/date/tuples/frozen dataclasses) and the data
    version. ``fn`` must be pure given the store: same arguments, same store -> same result.
    The result is pickled into the cache and each run gets its own copy; within one run (one
    ``con``), the same call with equal, hashable arguments returns the same object again instead
    of another copy, so treat results as read-only.
    """
    fn_key = f"{fn.__module__}.{fn.__qualname__}"
    try:
        # Types too: equal values of different types (1 and 1.0, a date and a datetime) would
        # share an entry otherwise; Streamlit's own key tells them apart.
        key = (fn_key, data_version, tuple((type(a), a) for a in args),
               tuple(sorted((k, type(v), v) for k, v in kwargs.items())))
        hash(key)
    except TypeError:  # an unhashable argument (a dict of filters): no memo, the cache as before
        key = None
    memo = _run_memo(con) if key is not None else None
    if memo is not None and key in memo:
        return memo[key]
    result = _cached_call(con, fn, str(db_path()), data_version, fn_key, tuple(args), dict(kwargs))
    if memo is not None:
        memo[key] = result
    return result


def _run_memo(con: duckdb.DuckDBPyConnection) -> dict | None:
    """The memo of the run reading through ``con`` (only that run's thread uses it); None for a
    ``con`` that cannot be weakly referenced (no memo then)."""
    try:
        with _memo_lock:
            return _memo.setdefault(con, {})
    except TypeError:
        return None


_SAFE_NAME = re.compile(r"[^\w.\- ()]+")


def safe_file_name(name: str, default: str = "upload.csv") -> str:
    """The uploaded file's own name without any directory part or odd characters; it is kept in
    the import history, and the suffix (.csv/.xlsx) tells the reader the file type."""
    base = Path(str(name).replace("\\", "/")).name.strip()
    base = _SAFE_NAME.sub("_", base).strip(" .")
    return base[:120] or default


def import_upload(
    con: duckdb.DuckDBPyConnection,
    file_name: str,
    data: bytes,
    *,
    fmt: str | None = None,
    mapping_name: str | None = None,
    mapping_data: bytes | None = None,
    region: str | None = None,
    viewer: Viewer | None = None,
) -> ImportReport:
    """Import an uploaded export (bytes) into the store behind ``con``.

    The bytes are written to a temporary folder under their own file name (the name is what the
    import history shows) and handed to ``analytics.importers.ingest.import_file``; the folder is removed
    afterwards. ``fmt`` None means auto-detect. Raises ``RefusedFile`` (nothing written) like
    ``import_file``; other errors propagate. Imports are serialised per process. ``region`` (a
    slug) is for files that do not name their regency (the Pantau template) going into a store
    that has none yet; None or "auto" lets ingest decide. With ``viewer``, the import's audit row
    names them and is written in the import's own transaction.
    """
    if fmt == "auto":
        fmt = None
    if region == "auto":
        region = None
    with tempfile.TemporaryDirectory(prefix="pantau-upload-") as tmp:
        path = Path(tmp) / safe_file_name(file_name)
        path.write_bytes(data)
        mapping_path = None
        if mapping_data is not None:
            mapping_path = Path(tmp) / ("mapping-" + safe_file_name(mapping_name or "mapping.toml", "mapping.toml"))
            mapping_path.write_bytes(mapping_data)
        with _import_lock(), _writer(con) as w:
            actor = Actor(viewer.who, viewer.role, viewer.unit) if viewer is not None else None
            report = import_file(w, path, fmt=fmt, mapping=mapping_path, region=region, actor=actor)
    log.info(
        "import %s: batch %s, %s read, %s new, %s quarantined",
        report.file_name, report.batch_id, report.rows_read, report.rows_new, report.rows_quarantined,
    )
    return report


def clear_demo_data(con: duckdb.DuckDBPyConnection) -> int:
    """Remove the demo regency from the store (analytics.demo.load.clear_demo); returns how
    many complaints went. Serialised with imports."""
    from analytics.demo.load import clear_demo

    with _import_lock(), _writer(con) as w:
        n = clear_demo(w)
    log.info("demo data removed: %s complaints", n)
    return n


def load_demo_data(
    con: duckdb.DuckDBPyConnection, *, rows: int = 30_000, months: int = 18, seed: int = 7
) -> ImportReport:
    """Build the synthetic Kab. Bekasi regency into an empty store, ending now (the same as
    ``python -m analytics demo``, which cannot run while the dashboard holds the file)."""
    import pandas as pd

    from analytics.demo.load import load_demo

    end = pd.Timestamp.now(tz=config.DEFAULT_TZ).floor("s")
    with _import_lock(), _writer(con) as w:
        report = load_demo(w, seed=seed, months=months, rows=rows, end=end)
    log.info("demo data loaded: %s complaints", report.rows_new)
    return report
