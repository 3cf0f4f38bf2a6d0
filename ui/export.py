"""Downloads: CSV and XLSX bytes from a DataFrame, safe to open in a spreadsheet.

Formula injection: a text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab / carriage
return) is run as a formula by Excel and LibreOffice. In XLSX such cells are written as text
(string type + the "quote prefix" style, so editing the cell keeps it text) and keep their
value. CSV has no types, so those cells get a leading apostrophe (the OWASP advice). Numbers are
never touched. Personal fields are dropped by name before anything is written.
"""

from __future__ import annotations

import io

import pandas as pd

from analytics.cells import RISKY_START, is_risky, keep_as_text  # noqa: F401 - one definition, re-exported

# Never exported, whatever a caller passes in (the metric reads do not select them anyway).
PERSONAL = frozenset({"reporter_name", "reporter_contact", "reporter_email", "reporter_phone", "reporter_nik",
                      "reporter_address", "text", "title", "response_text", "name", "contact", "email", "phone", "nik"})


def without_personal(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns if str(c).lower() in PERSONAL])


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Spreadsheet-friendly values: zone-aware times as local-less text-free datetimes."""
    out = without_personal(frame).copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_localize(None)
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads the accents); risky text cells get a leading '."""
    out = _plain(frame)
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(lambda v: "'" + v if is_risky(v) else v)
    return out.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """One-sheet XLSX; text cells that look like formulas are stored as text, unchanged."""
    buf = io.BytesIO()
    out = _plain(frame)
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        out.to_excel(writer, index=False, sheet_name=sheet[:31])
        keep_as_text(writer.sheets[sheet[:31]])
    return buf.getvalue()
