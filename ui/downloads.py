"""Every download button the dashboard draws: one helper that makes the file safe and logs it.

The file is built only when the button is pressed (Streamlit runs the callable on its own thread),
through ui.export (formula-safe CSV/XLSX, personal columns dropped, phone/NIK/e-mail masked in
text), and each press writes a ``download`` row to the audit log with who, which file and how many
rows. If the audit row cannot be written the file is not served: a download nobody can trace is
exactly what the log is for.

Each press also hands the HTTP guard (ui/guard.py) a ticket for exactly those bytes and this
browser, so the file's ``/media/...`` address serves nobody else (another browser, curl, a copied
link) and not later than a minute after the press. A server started without the guard
(``streamlit run dashboard.py`` instead of ``app.py``) would serve the address to anyone, so there
the buttons are drawn switched off.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

import duckdb
import pandas as pd
import streamlit as st

from analytics.security import audit
from analytics.security.access import Viewer
from ui import db, export, guard

log = logging.getLogger("pantau.ui")
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_payload(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, frame: pd.DataFrame | Callable[[], pd.DataFrame], kind: str, *,
    sheet: str, file_name: str,
    what: str, tz: str | None, browser: str | None = None,
) -> bytes:
    """The file's bytes, after its audit row is written (on a cursor of its own: this runs on
    Streamlit's download thread, not the page's), with a guard ticket for ``browser``."""
    if callable(frame):  # rows read only when the button is pressed (a large period's complaints)
        frame = frame()
    data = export.csv_bytes(frame, tz) if kind == "csv" else export.xlsx_bytes(frame, sheet, tz)
    _audit_download(con, viewer, {"file": file_name, "what": what, "rows": int(len(frame)), "format": kind})
    guard.issue(data, browser)
    return data


def _audit_download(con: duckdb.DuckDBPyConnection, viewer: Viewer, detail: dict) -> None:
    cur = con.cursor()
    try:
        audit.record(cur, who=viewer.who, role=viewer.role, unit=viewer.unit, action="download", detail=detail)
    finally:
        cur.close()


def made_payload(con: duckdb.DuckDBPyConnection, viewer: Viewer, make, *, file_name: str, what: str,  # noqa: ANN001
                 browser: str | None = None) -> bytes:
    """Bytes of a file built by ``make()`` (a review-pack PDF, workbook or zip, which hold no
    personal data by construction), served only after its audit row is written."""
    data = make()
    _audit_download(con, viewer, {"file": file_name, "what": what, "bytes": len(data)})
    guard.issue(data, browser)
    return data


def _browser(ctx) -> tuple[str | None, str | None]:  # noqa: ANN001
    """(this browser's guard id, why downloads are off here or None). Off in a real server without
    the guard, and in a browser that refuses the guard's cookie; AppTest (no HTTP request, no
    Host header) draws the buttons as usual."""
    browser = guard.browser_id(st.context.cookies)
    if not st.context.headers.get("host"):
        return browser, None
    if not guard.active():
        return browser, ctx.t("access.download.unguarded")
    if browser is None:
        return None, ctx.t("access.download.no_cookie")
    return browser, None


def made_button(ctx, where, label: str, make, *, file_name: str, mime: str, what: str, key: str,  # noqa: ANN001
                icon: str | None = None) -> None:
    """A download button for a file built by ``make()`` when pressed, logged like every other."""
    browser, off = _browser(ctx)
    payload = functools.partial(made_payload, db.connection(), ctx.viewer, make, file_name=file_name, what=what,
                                browser=browser)
    where.download_button(label, payload, file_name=file_name, mime=mime, on_click="ignore", key=key, icon=icon,
                          disabled=off is not None, help=off)


def download_button(
    ctx, where, label: str, frame: pd.DataFrame | Callable[[], pd.DataFrame], *, file_name: str, kind: str,
    sheet: str = "data", what: str = "",
) -> None:
    """One CSV or XLSX button in ``where`` (st, a column, a container). ``what`` names the content
    in the audit log ("peringkat", "pelanggaran", "aduan"). ``frame`` may be a callable that reads
    the rows when the button is pressed, on the download thread (it must take its own cursor)."""
    if kind not in MIME:
        raise ValueError(f"unknown download kind {kind!r}; kinds: {', '.join(MIME)}")
    browser, off = _browser(ctx)
    payload = functools.partial(file_payload, db.connection(), ctx.viewer, frame, kind, sheet=sheet,
                                file_name=file_name, what=what or sheet, tz=ctx.tz, browser=browser)
    where.download_button(label, payload, file_name=file_name, mime=MIME[kind], on_click="ignore",
                          icon=":material/download:", width="stretch", disabled=off is not None, help=off)


def download_pair(ctx, frame: pd.DataFrame, *, stem: str, sheet: str, what: str = "") -> None:
    """The usual pair: CSV on the left, XLSX on the right (side by side on a phone too)."""
    left, right = st.columns(2, wrap=False)
    download_button(ctx, left, ctx.t("download.csv"), frame, file_name=f"{stem}.csv", kind="csv", sheet=sheet,
                    what=what)
    download_button(ctx, right, ctx.t("download.xlsx"), frame, file_name=f"{stem}.xlsx", kind="xlsx", sheet=sheet,
                    what=what)
