"""Every download button the dashboard draws: one helper that makes the file safe and logs it.

The file is built only when the button is pressed (Streamlit runs the callable on its own thread),
through ui.export (formula-safe CSV/XLSX, personal columns dropped, phone/NIK/e-mail masked in
text), and each press writes a ``download`` row to the audit log with who, which file and how many
rows. If the audit row cannot be written the file is not served: a download nobody can trace is
exactly what the log is for.
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
from ui import db, export

log = logging.getLogger("pantau.ui")
MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def file_payload(
    con: duckdb.DuckDBPyConnection, viewer: Viewer, frame: pd.DataFrame | Callable[[], pd.DataFrame], kind: str, *,
    sheet: str, file_name: str,
    what: str, tz: str | None,
) -> bytes:
    """The file's bytes, after its audit row is written (on a cursor of its own: this runs on
    Streamlit's download thread, not the page's)."""
    if callable(frame):  # rows read only when the button is pressed (a large period's complaints)
        frame = frame()
    data = export.csv_bytes(frame, tz) if kind == "csv" else export.xlsx_bytes(frame, sheet, tz)
    _audit_download(con, viewer, {"file": file_name, "what": what, "rows": int(len(frame)), "format": kind})
    return data


def _audit_download(con: duckdb.DuckDBPyConnection, viewer: Viewer, detail: dict) -> None:
    cur = con.cursor()
    try:
        audit.record(cur, who=viewer.who, role=viewer.role, unit=viewer.unit, action="download", detail=detail)
    finally:
        cur.close()


def made_payload(con: duckdb.DuckDBPyConnection, viewer: Viewer, make, *, file_name: str, what: str) -> bytes:  # noqa: ANN001
    """Bytes of a file built by ``make()`` (a review-pack PDF, workbook or zip, which hold no
    personal data by construction), served only after its audit row is written."""
    data = make()
    _audit_download(con, viewer, {"file": file_name, "what": what, "bytes": len(data)})
    return data


def made_button(ctx, where, label: str, make, *, file_name: str, mime: str, what: str, key: str,  # noqa: ANN001
                icon: str | None = None) -> None:
    """A download button for a file built by ``make()`` when pressed, logged like every other."""
    payload = functools.partial(made_payload, db.connection(), ctx.viewer, make, file_name=file_name, what=what)
    where.download_button(label, payload, file_name=file_name, mime=mime, on_click="ignore", key=key, icon=icon)


def download_button(
    ctx, where, label: str, frame: pd.DataFrame | Callable[[], pd.DataFrame], *, file_name: str, kind: str,
    sheet: str = "data", what: str = "",
) -> None:
    """One CSV or XLSX button in ``where`` (st, a column, a container). ``what`` names the content
    in the audit log ("peringkat", "pelanggaran", "aduan"). ``frame`` may be a callable that reads
    the rows when the button is pressed, on the download thread (it must take its own cursor)."""
    if kind not in MIME:
        raise ValueError(f"unknown download kind {kind!r}; kinds: {', '.join(MIME)}")
    payload = functools.partial(file_payload, db.connection(), ctx.viewer, frame, kind, sheet=sheet,
                                file_name=file_name, what=what or sheet, tz=ctx.tz)
    where.download_button(label, payload, file_name=file_name, mime=MIME[kind], on_click="ignore",
                          icon=":material/download:", width="stretch")


def download_pair(ctx, frame: pd.DataFrame, *, stem: str, sheet: str, what: str = "") -> None:
    """The usual pair: CSV on the left, XLSX on the right (side by side on a phone too)."""
    left, right = st.columns(2, wrap=False)
    download_button(ctx, left, ctx.t("download.csv"), frame, file_name=f"{stem}.csv", kind="csv", sheet=sheet,
                    what=what)
    download_button(ctx, right, ctx.t("download.xlsx"), frame, file_name=f"{stem}.xlsx", kind="xlsx", sheet=sheet,
                    what=what)
