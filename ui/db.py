"""The dashboard's DuckDB handle, cached queries, and imports through the app's connection.

One read-write connection per server process (``st.cache_resource``); each script run takes its
own ``cursor()`` because DuckDB 2.0 refuses a connection that is busy in another thread
(docs: ecosystem notes §2.2, §5.1). The app process is the only writer while it runs: DuckDB
locks the file, so ``python -m analytics import`` must run while the dashboard is stopped, and
uploads on the Data page go through ``import_upload`` here.

Cached reads are keyed on a *data version* (``analytics.store.status.data_version``) read once per
run, so every cached result goes stale after an import without a TTL race.
"""

from __future__ import annotations

import logging
import re
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import streamlit as st

from analytics import config, store
from analytics.importers.ingest import ImportReport, import_file

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


@st.cache_resource(show_spinner=False, on_release=_close)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    # Keyed on the path so a changed $PANTAU_DB (tests) opens the right file. A failure
    # (StoreLocked) is not cached: the next run tries again.
    log.info("opening store %s", path)
    return store.connect(path)


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
    return cur


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


@st.cache_resource(show_spinner=False)
def _import_lock() -> threading.Lock:
    # One import at a time per process: two sessions uploading at once would otherwise race
    # for the batch sequence inside their transactions.
    return threading.Lock()


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
    The result is pickled into the cache and each caller gets a copy.
    """
    fn_key = f"{fn.__module__}.{fn.__qualname__}"
    return _cached_call(con, fn, str(db_path()), data_version, fn_key, tuple(args), dict(kwargs))


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
) -> ImportReport:
    """Import an uploaded export (bytes) into the store behind ``con``.

    The bytes are written to a temporary folder under their own file name (the name is what the
    import history shows) and handed to ``analytics.importers.ingest.import_file``; the folder is removed
    afterwards. ``fmt`` None means auto-detect. Raises ``RefusedFile`` (nothing written) like
    ``import_file``; other errors propagate. Imports are serialised per process. ``region`` (a
    slug) is for files that do not name their regency (the Pantau template) going into a store
    that has none yet; None or "auto" lets ingest decide.
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
            report = import_file(w, path, fmt=fmt, mapping=mapping_path, region=region)
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
