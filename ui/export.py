"""Downloads: CSV and XLSX bytes from a DataFrame, safe to open in a spreadsheet and free of
personal data. Every file the dashboard serves is written here (pages go through ui.downloads,
which also writes the audit log).

Every cell goes through the one rule for spreadsheet cells (analytics.security.cells.safe_cell,
shared with the review workbook and the CLI's CSV): control characters no spreadsheet may hold are
removed, and formula-looking text (``=``, ``+``, ``-``, ``@`` first, full-width forms and leading
spaces included) is written as text in XLSX (string type + the "quote prefix" style, value kept)
and with a leading apostrophe in CSV (the OWASP advice). Numbers are never touched. Personal data:
columns that hold it are dropped by name, and phone numbers, NIK and e-mail addresses inside the
remaining text are masked (analytics.security.privacy.for_export).
"""

from __future__ import annotations

import io

import pandas as pd

from analytics.security.cells import keep_as_text, safe_frame
from analytics.security.privacy import for_export, is_personal_key

# Never exported, whatever a caller passes in (the metric reads do not select them anyway);
# analytics.security.privacy.is_personal_key also catches other spellings ("Nama Pelapor", "No HP").
PERSONAL = frozenset({"reporter_name", "reporter_contact", "reporter_email", "reporter_phone", "reporter_nik",
                      "reporter_address", "text", "title", "response_text", "name", "contact", "email", "phone", "nik"})


def without_personal(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in frame.columns if str(c).lower() in PERSONAL or is_personal_key(c)])


def _plain(frame: pd.DataFrame, tz: str | None = None) -> pd.DataFrame:
    """Spreadsheet-friendly values: no personal data; zone-aware times as the wall-clock time in
    ``tz`` (the regency's zone; UTC when None), since spreadsheets have no time zones."""
    out = for_export(without_personal(frame))
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_convert(tz or "UTC").dt.tz_localize(None)
    return out


def csv_bytes(frame: pd.DataFrame, tz: str | None = None) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads the accents); risky text cells get a leading '."""
    return safe_frame(_plain(frame, tz), "csv").to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data", tz: str | None = None) -> bytes:
    """One-sheet XLSX; text cells that look like formulas are stored as text, unchanged."""
    buf = io.BytesIO()
    out = safe_frame(_plain(frame, tz), "xlsx")
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        out.to_excel(writer, index=False, sheet_name=sheet[:31])
        keep_as_text(writer.sheets[sheet[:31]])
    return buf.getvalue()
